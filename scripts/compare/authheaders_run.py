"""authheaders (Debian python3-authheaders, with python3-spf and python3-dkim) doing SPF, DKIM,
ARC and DMARC for every corpus message with its envelope from envelopes.tsv.

usage: authheaders_run.py CORPUS PORT OUT_TSV [shipped|patched]
shipped (default): authheaders 0.15.2 as Debian ships it.
patched: two defects of that version worked around in this process only (nothing is changed on
disk), to show what DMARC gives once the From domain is read right and how fast the rest is:
  1. get_domain_part() finds the domain with re.findall(b'@([a-z0-9.]+)'): no hyphen, so
     "sender-06.example" becomes "sender" and DMARC is looked up at _dmarc.sender (none).
     Replaced by the same function with [a-z0-9.-] (upstream pull request
     ValiMail/authentication-headers#36, open).
  2. get_org_domain() opens the public suffix list file and builds a new PublicSuffixList on
     every call (about 20 ms, 95% of authheaders' time in a profile). Replaced by one
     PublicSuffixList built once from the same file, same get_public_suffix() call.
Prints one line per pass (cold, warm) like `mailverdict bench`, the tally of results, and
writes every message's results of the cold pass to OUT_TSV (file, spf, dkim, arc, dmarc).

DNS, all of it to 127.0.0.1:PORT:
- DKIM, ARC, DMARC: authenticate_message(dnsfunc=...). authheaders hands the same function
  bytes names for DKIM/ARC (dkimpy's contract: TXT as bytes) and str names for DMARC
  (`_dmarc.` + domain: TXT as str), so the function answers in the type it is asked in.
- SPF: pyspf (spf.py) does its own lookups through spf.DNSLookup -> DNSLookup_dnspython ->
  dns.resolver.query(), i.e. dnspython's default resolver. That default resolver is replaced
  by one that asks 127.0.0.1:PORT only (configure=False: /etc/resolv.conf is never read), and
  spf.DNSLookup is wrapped to count (and, warm, memoize) the questions.
- The public suffix list (DMARC's organizational domain) is the local file Debian's
  python3-authheaders points at (authheaders/findpsl.py: /usr/share/publicsuffix/
  public_suffix_list.dat, package publicsuffix); nothing is downloaded.
cold: the memos start empty; warm: a second pass with the memos the cold pass filled. What is
memoized: the TXT answer of a name (DKIM keys, ARC keys, DMARC records) and pyspf's answer
list for a (name, type) question. Nothing else (keys are decoded, the PSL file is read and
parsed again by authheaders on every organizational-domain lookup: that is its code).
"""
import collections
import re
import sys

import dns.resolver

import corpus as C

# Set before authheaders/spf are used: every default dnspython lookup goes to the loopback NSD.
PORT = int(sys.argv[2]) if len(sys.argv) > 2 else 53
dns.resolver.default_resolver = C.loopback_resolver(PORT)

import authheaders  # noqa: E402
import spf  # noqa: E402

ORIGINAL_SPF_LOOKUP = spf.DNSLookup


def make_spf_lookup(stats, memo):
    def lookup(name, qtype, *args, **kwargs):
        key = (name, qtype)
        if memo is not None and key in memo:
            stats["memo_hits"] += 1
            return memo[key]
        stats["queries"] += 1
        answer = list(ORIGINAL_SPF_LOOKUP(name, qtype, *args, **kwargs))
        if memo is not None:
            memo[key] = answer
        return answer

    return lookup


def make_dnsfunc(resolver, stats, memo):
    txt_bytes = C.make_dkim_txt(resolver, stats, memo)

    def dnsfunc(name, timeout=5):
        if isinstance(name, bytes):
            return txt_bytes(name, timeout)
        value = txt_bytes(name.encode("ascii"), timeout)
        return None if value is None else value.decode("utf-8", "replace")

    return dnsfunc


RESULT = re.compile(r"(?:;|^)\s*(spf|dkim|arc|dmarc)=([a-z]+)")


def run_pass(messages, dnsfunc):
    out = []
    for name, raw, ip, helo, mail_from, _ in messages:
        header = authheaders.authenticate_message(
            raw, "compare.invalid", spf=True, dkim=True, arc=True, dmarc=True,
            ip=ip, mail_from=mail_from, helo=helo, dnsfunc=dnsfunc)
        found = dict(RESULT.findall(header))
        out.append((name, found.get("spf", "-"), found.get("dkim", "-"), found.get("arc", "-"),
                    found.get("dmarc", "-")))
    return out


def get_domain_part_with_hyphen(address):
    """authheaders.get_domain_part with '-' allowed in the domain (patch 1 above)."""
    if isinstance(address, str):
        address = bytes(address, "utf8")
    res = re.findall(b"@([a-z0-9.-]+)", address, re.IGNORECASE)
    return res[0].lower().decode("ascii")


def patch():
    import authheaders.dmarc_lookup as lookup
    from publicsuffix2 import PublicSuffixList

    with open(lookup.get_suffix_list_file_name()) as f:
        psl = PublicSuffixList(f)

    def get_org_domain(domain):
        return psl.get_public_suffix(domain)

    authheaders.get_domain_part = get_domain_part_with_hyphen
    authheaders.get_org_domain = get_org_domain  # imported by name into authheaders/__init__
    lookup.get_org_domain = get_org_domain


def main():
    corpus, out_tsv = sys.argv[1], sys.argv[3]
    variant = sys.argv[4] if len(sys.argv) > 4 else "shipped"
    if variant == "patched":
        patch()
    elif variant != "shipped":
        sys.exit("authheaders_run.py: variant must be shipped or patched")
    messages = C.load(corpus)
    resolver = C.loopback_resolver(PORT)
    txt_memo, spf_memo = {}, {}
    for label in ("cold", "warm"):
        stats = collections.Counter()
        spf.DNSLookup = make_spf_lookup(stats, spf_memo)
        dnsfunc = make_dnsfunc(resolver, stats, txt_memo)
        w0, c0 = C.wall(), C.cpu()
        results = run_pass(messages, dnsfunc)
        took, cpu = C.wall() - w0, C.cpu() - c0
        tally = collections.Counter()
        for _, s, d, a, m in results:
            tally["spf=" + s] += 1
            tally["dkim=" + d] += 1
            tally["arc=" + a] += 1
            tally["dmarc=" + m] += 1
        n = len(messages)
        print(
            "tool=authheaders variant=%s pass=%s messages=%d seconds=%.3f messages/s=%.0f cpu_seconds=%.3f "
            "messages/cpu_s=%.0f queries=%d memo_hits=%d timeouts=%d"
            % (variant, label, n, took, n / took, cpu, n / max(cpu, 1e-9), stats["queries"],
               stats["memo_hits"], stats["timeouts"])
        )
        print("  " + " ".join("%s:%d" % kv for kv in sorted(tally.items())))
        if label == "cold":
            with open(out_tsv, "w", encoding="utf-8") as f:
                for row in results:
                    f.write("\t".join(row) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
