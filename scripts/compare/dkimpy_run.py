"""dkimpy (Debian python3-dkim) verifying every DKIM-Signature and the ARC chain of every corpus
message.

usage: dkimpy_run.py CORPUS PORT OUT_TSV
Prints, like `mailverdict bench`, one line per pass (nomemo, cold, warm):
  tool=dkimpy pass=P messages=N seconds=S messages/s=R cpu_seconds=C messages/cpu_s=R2 queries=Q ...
followed by the per-signature tally (dkim=pass:N ...) and the per-message ARC tally (arc=pass:N
...), and writes every signature's outcome of the cold pass to OUT_TSV (file, index, d=, s=,
result, why; index "-" for an unsigned message) and one ARC line per message (file, "arc", "", "",
cv, reason): dkim.arc_verify()'s chain validation status (RFC 8617 4.4: pass, fail or none).
nomemo: no memo at all, every key record is asked of NSD (what dkimpy's own get_txt does);
cold: the memo (a dict name -> TXT answer) starts empty; warm: a second pass over the corpus
with the memo filled by the cold pass. Only the TXT answers are memoized; dkimpy parses the
key record and decodes the public key again on every verification (it has no key cache).
"""
import collections
import logging
import sys

import dkim

import corpus as C


def verify_all(d, n_sigs, dnsfunc):
    """[(d=, s=, result, why)] for signatures 0..n-1 of one message."""
    out = []
    for idx in range(n_sigs):
        why = ""
        try:
            ok = d.verify(idx=idx, dnsfunc=dnsfunc)
            result = "pass" if ok else "fail"
        except dkim.DnsTimeoutError as e:
            result, why = "temperror", str(e)
        except dkim.DKIMException as e:
            # dkimpy raises for a malformed signature, a missing or bad key, a bad tag... and
            # for a body hash mismatch (ValidationError), which is a verification failure like
            # a bad signature (RFC 6376 6.1.3; RFC 8601 2.7.1 dkim=fail): counted as fail,
            # the exception kept as the reason.
            why = "%s: %s" % (type(e).__name__, e)
            body_hash = isinstance(e, dkim.ValidationError) and "body hash mismatch" in str(e)
            result = "fail" if body_hash else "permerror"
        fields = getattr(d, "signature_fields", {}) or {}
        out.append(
            (
                fields.get(b"d", b"").decode("ascii", "replace"),
                fields.get(b"s", b"").decode("ascii", "replace"),
                result,
                why,
            )
        )
    return out


def verify_arc(raw, dnsfunc):
    """(cv, reason) of the message's ARC chain. arc_verify() turns a DKIMException (a DNS
    timeout included) into cv=fail itself; the reason says which."""
    cv, _, reason = dkim.arc_verify(raw, logger=quiet, dnsfunc=dnsfunc, minkey=1024, timeout=2)
    return cv.decode("ascii"), reason or ""


def run_pass(messages, dnsfunc):
    results = []
    for name, raw, *_ in messages:
        d = dkim.DKIM(raw, logger=quiet, minkey=1024, timeout=2)
        n = sum(1 for k, _ in d.headers if k.lower() == b"dkim-signature")
        results.append((name, verify_all(d, n, dnsfunc), verify_arc(raw, dnsfunc)))
    return results


quiet = logging.getLogger("dkimpy-compare")
quiet.addHandler(logging.NullHandler())
quiet.propagate = False


def main():
    corpus, port, out_tsv = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    messages = C.load(corpus)
    resolver = C.loopback_resolver(port)
    memo = {}
    for label in ("nomemo", "cold", "warm"):
        stats = collections.Counter()
        dnsfunc = C.make_dkim_txt(resolver, stats, None if label == "nomemo" else memo)
        w0, c0 = C.wall(), C.cpu()
        results = run_pass(messages, dnsfunc)
        took, cpu = C.wall() - w0, C.cpu() - c0
        tally = collections.Counter()
        for _, sigs, arc in results:
            if not sigs:
                tally["dkim=none(message)"] += 1
            for _, _, r, _ in sigs:
                tally["dkim=" + r] += 1
            tally["arc=" + arc[0]] += 1
        n = len(messages)
        print(
            "tool=dkimpy pass=%s messages=%d seconds=%.3f messages/s=%.0f cpu_seconds=%.3f "
            "messages/cpu_s=%.0f queries=%d memo_hits=%d timeouts=%d"
            % (label, n, took, n / took, cpu, n / max(cpu, 1e-9), stats["queries"],
               stats["memo_hits"], stats["timeouts"])
        )
        print("  " + " ".join("%s:%d" % kv for kv in sorted(tally.items())))
        if label == "cold":
            with open(out_tsv, "w", encoding="utf-8") as f:
                for name, sigs, (cv, reason) in results:
                    if not sigs:
                        f.write("%s\t-\t\t\tnone\tno DKIM-Signature\n" % name)
                    for i, (dd, ss, r, why) in enumerate(sigs):
                        f.write("%s\t%d\t%s\t%s\t%s\t%s\n" % (name, i, dd, ss, r, why.replace("\t", " ")))
                    f.write("%s\tarc\t\t\t%s\t%s\n" % (name, cv, reason.replace("\t", " ").replace("\n", " ")))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
