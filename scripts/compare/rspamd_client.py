"""Feeds every corpus message with its envelope to an rspamd normal worker over rspamd's HTTP
protocol (POST /checkv2 with the IP, Helo, From and Rcpt headers: what rspamc --ip --helo
--from --rcpt sends), CONCURRENCY requests in flight so that the single worker is the
bottleneck, and measures messages/s over the corpus and the worker's CPU time (utime + stime
of /proc/WORKER_PID/stat before and after).

usage: rspamd_client.py CORPUS HOST:PORT WORKER_PID CONCURRENCY LABEL OUT_TSV [MAIN_PID]
Prints one line like `mailverdict bench`, the tally, and writes per message: file, spf, dkim
(per signature, comma-separated "d:s=selector=result"), arc, dmarc, the symbols seen.
"""
import asyncio
import collections
import json
import os
import sys
import time

import corpus as C

TICK = os.sysconf("SC_CLK_TCK")


def worker_cpu(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # fields[0] is field 3 (state); utime and stime are fields 14 and 15.
    return (int(fields[11]) + int(fields[12])) / TICK


async def check(host, port, name, raw, ip, helo, mail_from, rcpt):
    reader, writer = await asyncio.open_connection(host, port)
    head = (
        "POST /checkv2 HTTP/1.1\r\nHost: %s\r\nIP: %s\r\nHelo: %s\r\nFrom: <%s>\r\nRcpt: <%s>\r\n"
        "Queue-Id: %s\r\nPass: all\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
        % (host, ip, helo, mail_from, rcpt, name, len(raw))
    )
    writer.write(head.encode("ascii") + raw)
    await writer.drain()
    data = await reader.read()
    writer.close()
    header, _, body = data.partition(b"\r\n\r\n")
    status = header.split(b"\r\n", 1)[0]
    if b" 200 " not in status + b" ":
        raise RuntimeError("%s: rspamd answered %r" % (name, status))
    return json.loads(body)


SPF = {"R_SPF_ALLOW": "pass", "R_SPF_FAIL": "fail", "R_SPF_SOFTFAIL": "softfail",
       "R_SPF_NEUTRAL": "neutral", "R_SPF_NA": "none", "R_SPF_DNSFAIL": "temperror",
       "R_SPF_PERMFAIL": "permerror"}
DKIM = {"R_DKIM_ALLOW": "pass", "R_DKIM_REJECT": "fail", "R_DKIM_TEMPFAIL": "temperror",
        "R_DKIM_PERMFAIL": "permerror"}
DMARC = {"DMARC_POLICY_ALLOW": "pass", "DMARC_POLICY_ALLOW_WITH_FAILURES": "pass",
         "DMARC_POLICY_REJECT": "fail", "DMARC_POLICY_QUARANTINE": "fail",
         "DMARC_POLICY_SOFTFAIL": "fail", "DMARC_NA": "none", "DMARC_BAD_POLICY": "permerror",
         "DMARC_DNSFAIL": "temperror"}
ARC = {"ARC_ALLOW": "pass", "ARC_REJECT": "fail", "ARC_INVALID": "fail", "ARC_DNSFAIL": "temperror",
       "ARC_NA": "none"}


def outcome(reply):
    sym = reply.get("symbols", {})

    def first(table):
        hits = [v for k, v in table.items() if k in sym]
        return hits[0] if hits else "-"

    sigs = []
    for k, v in DKIM.items():
        for opt in sym.get(k, {}).get("options", []):
            sigs.append("%s=%s" % (opt, v))
    return first(SPF), ",".join(sigs), first(ARC), first(DMARC), " ".join(sorted(sym))


async def run(messages, host, port, concurrency):
    queue = collections.deque(enumerate(messages))
    results = [None] * len(messages)

    async def worker():
        while queue:
            i, (name, raw, ip, helo, mail_from, rcpt) = queue.popleft()
            results[i] = (name, outcome(await check(host, port, name, raw, ip, helo, mail_from, rcpt)))

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return results


def main():
    corpus, hostport, pid, concurrency, label, out_tsv = sys.argv[1:7]
    main_pid = int(sys.argv[7]) if len(sys.argv) > 7 else None
    host, port = hostport.rsplit(":", 1)
    pid, concurrency = int(pid), int(concurrency)
    messages = C.load(corpus)
    main0 = worker_cpu(main_pid) if main_pid else 0.0
    cpu0, w0, own0 = worker_cpu(pid), time.perf_counter(), time.process_time()
    results = asyncio.run(run(messages, host, int(port), concurrency))
    took = time.perf_counter() - w0
    cpu, own = worker_cpu(pid) - cpu0, time.process_time() - own0
    main = (worker_cpu(main_pid) - main0) if main_pid else float("nan")
    tally = collections.Counter()
    for _, (s, d, a, m, _) in results:
        tally["spf=" + s] += 1
        tally["arc=" + a] += 1
        tally["dmarc=" + m] += 1
        if not d:
            tally["dkim=none(message)"] += 1
        for sig in d.split(",") if d else []:
            tally["dkim=" + sig.rsplit("=", 1)[1]] += 1
    n = len(messages)
    print(
        "tool=rspamd pass=%s messages=%d seconds=%.3f messages/s=%.0f cpu_seconds=%.3f "
        "messages/cpu_s=%.0f client_cpu_seconds=%.3f main_process_cpu_seconds=%.3f concurrency=%d"
        % (label, n, took, n / took, cpu, n / max(cpu, 1e-9), own, main, concurrency)
    )
    print("  " + " ".join("%s:%d" % kv for kv in sorted(tally.items())))
    with open(out_tsv, "w", encoding="utf-8") as f:
        for name, row in results:
            f.write(name + "\t" + "\t".join(row) + "\n")


if __name__ == "__main__":
    main()
