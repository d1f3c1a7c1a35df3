"""Shared by the compare-tools helpers: the corpus and a dnspython resolver on the loopback NSD.

Only Debian packages are imported (python3-dnspython). Run with /usr/bin/python3: the Debian
modules are not visible to another interpreter on PATH.
"""
import os
import time

import dns.exception
import dns.rdatatype
import dns.resolver


def load(corpus):
    """[(file, bytes, client_ip, helo, mail_from, recipient)] in envelopes.tsv order.

    Every message is read into memory before anything is timed, as `mailverdict bench` does."""
    out = []
    with open(os.path.join(corpus, "envelopes.tsv"), encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            name, ip, helo, mail_from, rcpt = line.split("\t")
            with open(os.path.join(corpus, "messages", name), "rb") as m:
                out.append((name, m.read(), ip, helo, mail_from, rcpt))
    return out


def loopback_resolver(port, timeout=2.0):
    """A dnspython resolver that asks 127.0.0.1:PORT only, never /etc/resolv.conf, no cache."""
    r = dns.resolver.Resolver(configure=False)
    r.nameservers = ["127.0.0.1"]
    r.port = int(port)
    r.timeout = timeout
    r.lifetime = timeout
    r.cache = None
    return r


def make_dkim_txt(resolver, stats, memo=None):
    """dkimpy's dnsfunc contract (dkim/dnsplug.py get_txt): name (bytes) -> the first TXT
    record's strings joined (bytes), or None. With `memo` (a dict) every answer, including
    "no record", is remembered by name: that is the only thing cached (dkimpy itself re-parses
    the key record and re-decodes the public key on every verification)."""

    def txt(name, timeout=5):
        if memo is not None and name in memo:
            stats["memo_hits"] += 1
            return memo[name]
        stats["queries"] += 1
        qname = name.decode("ascii") if isinstance(name, bytes) else name
        value = None
        try:
            a = resolver.resolve(qname, dns.rdatatype.TXT, raise_on_no_answer=False)
            for rrset in a.response.answer:
                if rrset.rdtype == dns.rdatatype.TXT:
                    value = b"".join(list(rrset.items)[0].strings)
                    break
        except dns.resolver.NXDOMAIN:
            pass
        except dns.resolver.NoNameservers:
            pass
        except dns.exception.Timeout:
            stats["timeouts"] += 1
            import dkim

            raise dkim.DnsTimeoutError("timeout asking 127.0.0.1:%d for %s" % (resolver.port, qname))
        if memo is not None:
            memo[name] = value
        return value

    return txt


def cpu():
    return time.process_time()


def wall():
    return time.perf_counter()
