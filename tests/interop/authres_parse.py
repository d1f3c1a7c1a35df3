#!/usr/bin/env python3
"""The Authentication-Results that `mailverdict auth` writes must parse with an
independent RFC 8601 parser (Debian's python3-authres), giving the same methods and
results as mailverdict's own JSON for the same message."""
import json
import pathlib
import subprocess
import sys

import authres

cli, corpus = sys.argv[1], pathlib.Path(sys.argv[2])
failures = 0
for eml in sorted((corpus / "messages").glob("*.eml")):
    common = [cli, "auth", str(eml), "--dns-zone", str(corpus / "dns"), "--now", "1794213700"]
    header = subprocess.run(common + ["--format", "headers"], check=True,
                            capture_output=True, text=True).stdout
    unfolded = " ".join(line.strip() for line in header.splitlines())
    parsed = authres.AuthenticationResultsHeader.parse(unfolded)
    ours = json.loads(subprocess.run(common + ["--format", "json"], check=True,
                                     capture_output=True, text=True).stdout)
    got = {r.method: r.result for r in parsed.results}
    want = {"spf": ours["spf"]["result"], "dmarc": ours["dmarc"]["result"]}
    problems = [f"{m}: authres={got.get(m)} mailverdict={v}" for m, v in want.items()
                if got.get(m) != v]
    if parsed.authserv_id != "mailverdict.invalid":
        problems.append(f"authserv-id {parsed.authserv_id!r}")
    if problems:
        failures += 1
        print(f"{eml.name}: " + "; ".join(problems))
print(f"{len(list((corpus / 'messages').glob('*.eml'))) - failures} passed, {failures} failed")
sys.exit(1 if failures else 0)
