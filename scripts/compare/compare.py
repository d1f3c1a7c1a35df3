"""Outcome counts of every tool next to mailverdict's, and where they disagree, message by
message (so a reader sees the tools did the same work, and why counts differ where they do).

usage: compare.py --mv VERDICT.jsonl [--dkimpy TSV] [--authheaders TSV]
                  [--authheaders-patched TSV] [--rspamd TSV] --envelopes envelopes.tsv
VERDICT.jsonl: `mailverdict verdict --format jsonl` over the same files and NSD (its envelope
comes from the Received chain: checked here against envelopes.tsv).
"""
import argparse
import collections
import json
import os


def load_mv(path, envelopes):
    out = {}
    mismatched = 0
    for line in open(path, encoding="utf-8"):
        d = json.loads(line)
        name = os.path.basename(d["file"])
        e, a = d["envelope"], d["auth"]
        if (e.get("client_ip"), e.get("helo"), e.get("mail_from")) != envelopes[name]:
            mismatched += 1
        dmarc = a["dmarc"]["result"]
        out[name] = {
            "sigs": {(s["domain"], s["selector"]): s["result"] for s in a["dkim"]},
            "first": a["dkim"][0]["result"] if a["dkim"] else "none",
            "spf": a["spf"]["result"],
            "arc": a["arc"]["cv"],
            # Microsoft's bestguesspass is "no DMARC record" (RFC 7489: none) + alignment.
            "dmarc": "none" if dmarc == "bestguesspass" else dmarc,
            "dmarc_raw": dmarc,
        }
    return out, mismatched


def load_dkimpy(path):
    out = collections.defaultdict(lambda: {"sigs": {}, "first": "none"})
    for line in open(path, encoding="utf-8"):
        name, idx, d, s, result, _why = line.rstrip("\n").split("\t")
        if idx == "arc":  # the message's ARC chain validation status (one line per message)
            out[name]["arc"] = result
            continue
        if idx == "-":  # no DKIM-Signature
            out[name]["first"] = "none"
            continue
        out[name]["sigs"][(d, s)] = result
        if idx == "0":
            out[name]["first"] = result
    return out


def load_authheaders(path):
    out = {}
    for line in open(path, encoding="utf-8"):
        name, spf, dkim, arc, dmarc = line.rstrip("\n").split("\t")
        out[name] = {"spf": spf, "first": dkim, "arc": arc, "dmarc": dmarc}
    return out


def load_rspamd(path):
    out = {}
    for line in open(path, encoding="utf-8"):
        name, spf, dkim, arc, dmarc, _symbols = line.rstrip("\n").split("\t")
        sigs = {}
        for item in filter(None, dkim.split(",")):
            ds, result = item.rsplit("=", 1)  # "d:s=selector=result"
            d, s = ds.split(":s=", 1)
            sigs[(d, s)] = result
        out[name] = {"spf": spf, "sigs": sigs, "arc": arc, "dmarc": dmarc}
    return out


def counts(tool, key):
    c = collections.Counter()
    for r in tool.values():
        if key == "sigs":
            c.update(r["sigs"].values())
        else:
            c[r[key]] += 1
    return c


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mv", required=True)
    ap.add_argument("--envelopes", required=True)
    ap.add_argument("--dkimpy")
    ap.add_argument("--authheaders")
    ap.add_argument("--authheaders-patched")
    ap.add_argument("--rspamd")
    args = ap.parse_args()
    envelopes = {}
    for line in open(args.envelopes, encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            continue
        f = line.rstrip("\n").split("\t")
        envelopes[f[0]] = (f[1], f[2], f[3])
    mv, mismatched = load_mv(args.mv, envelopes)
    tools = [("mailverdict", mv)]
    if args.dkimpy:
        tools.append(("dkimpy", load_dkimpy(args.dkimpy)))
    if args.authheaders:
        tools.append(("authheaders", load_authheaders(args.authheaders)))
    if args.authheaders_patched:
        tools.append(("authheaders-patched", load_authheaders(args.authheaders_patched)))
    if args.rspamd:
        tools.append(("rspamd", load_rspamd(args.rspamd)))
    print("mailverdict's envelope (Received chain) differs from envelopes.tsv for %d of %d messages"
          % (mismatched, len(mv)))

    checks = [
        ("DKIM, every signature", "sigs"),
        ("DKIM, first signature per message", "first"),
        ("SPF (MAIL FROM)", "spf"),
        ("DMARC", "dmarc"),
        ("ARC", "arc"),
    ]
    names = [n for n, _ in tools]
    print("\n| check | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for label, key in checks:
        cells = []
        for _, t in tools:
            if not t or key not in next(iter(t.values())):
                cells.append("not checked")
                continue
            c = counts(t, key)
            cells.append(" ".join("%s %d" % kv for kv in sorted(c.items(), key=lambda kv: -kv[1])))
        print("| %s | %s |" % (label, " | ".join(cells)))

    print("\nDisagreements with mailverdict (mailverdict -> tool: count, first example):")
    for name, t in tools[1:]:
        for label, key in checks:
            if not t or key not in next(iter(t.values())):
                continue
            diff = collections.Counter()
            example = {}
            for f, mine in mv.items():
                theirs = t.get(f)
                if theirs is None:
                    diff[("present", "missing")] += 1
                    example.setdefault(("present", "missing"), f)
                    continue
                if key == "sigs":
                    for sig in set(mine["sigs"]) | set(theirs["sigs"]):
                        a = mine["sigs"].get(sig, "absent")
                        b = theirs["sigs"].get(sig, "absent")
                        if a != b:
                            diff[(a, b)] += 1
                            example.setdefault((a, b), "%s %s s=%s" % (f, sig[0], sig[1]))
                elif mine[key] != theirs[key]:
                    diff[(mine[key], theirs[key])] += 1
                    example.setdefault((mine[key], theirs[key]), f)
            if not diff:
                print("  %-20s %-34s none" % (name, label))
            for (a, b), n in sorted(diff.items(), key=lambda kv: -kv[1]):
                print("  %-20s %-34s %s -> %s: %d (e.g. %s)" % (name, label, a, b, n, example[(a, b)]))


if __name__ == "__main__":
    main()
