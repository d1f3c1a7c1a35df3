# Sourced by scripts/bench and scripts/compare-tools: NSD serving a directory of zone files
# (NAME.zone) on 127.0.0.1, a free port, with a temporary configuration in NSDDIR (as
# tests/support/dns_server.cpp starts it for the tests).
#
#   start_nsd ZONES_DIR NSDDIR   # sets NSD_PORT; stop_nsd NSDDIR stops it (call it on exit)
#   free_port                    # prints a free TCP port on 127.0.0.1
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

start_nsd() {
    local zones=$1 dir=$2 f z
    NSD_PORT=$(free_port)
    mkdir -p "$dir/xfr"
    {
        printf 'server:\n  ip-address: 127.0.0.1@%s\n  port: %s\n  do-ip6: no\n  username: ""\n  chroot: ""\n' "$NSD_PORT" "$NSD_PORT"
        printf '  zonesdir: "%s"\n  pidfile: "%s/nsd.pid"\n  database: ""\n' "$dir" "$dir"
        printf '  xfrdfile: "%s/xfrd.state"\n  zonelistfile: "%s/zone.list"\n  xfrdir: "%s/xfr"\n' "$dir" "$dir" "$dir"
        printf '  logfile: "%s/nsd.log"\n  server-count: 1\n  verbosity: 1\n  hide-version: yes\n' "$dir"
        # NSD's response rate limiting (on by default) drops answers to a client asking
        # hundreds of questions a second, which a cold benchmark from 127.0.0.1 is: every drop
        # would cost a DNS timeout. A receiver asks through a recursive resolver, not an
        # authoritative server's rate limit, so it is off here.
        printf '  rrl-ratelimit: 0\n  rrl-whitelist-ratelimit: 0\n'
        printf 'remote-control:\n  control-enable: no\n'
        for f in "$zones"/*.zone; do
            z=$(basename "$f" .zone)
            cp "$f" "$dir/$z.zone"
            printf 'zone:\n  name: "%s"\n  zonefile: "%s.zone"\n' "$z" "$z"
        done
    } >"$dir/nsd.conf"
    /usr/sbin/nsd-checkconf "$dir/nsd.conf"
    /usr/sbin/nsd -c "$dir/nsd.conf"
    # Ready when it answers a query (any answer) on the port.
    for _ in $(seq 50); do
        python3 - "$NSD_PORT" <<'PY' && return 0
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(0.2)
s.sendto(bytes.fromhex("4d56010000010000000000000000060001"), ("127.0.0.1", int(sys.argv[1])))
sys.exit(0 if len(s.recv(512)) >= 12 else 1)
PY
        sleep 0.1
    done
    echo "NSD did not answer on 127.0.0.1:$NSD_PORT (see $dir/nsd.log)" >&2
    return 1
}

stop_nsd() {
    local dir=$1
    if [ -f "$dir/nsd.pid" ]; then kill "$(cat "$dir/nsd.pid")" 2>/dev/null || true; fi
}
