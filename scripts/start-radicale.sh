#!/usr/bin/env bash
# Starts a throwaway Radicale CalDAV server on loopback, without
# authentication (any user name is accepted and owns its own collections).
#
#   scripts/start-radicale.sh [PORT] [DATA_DIR]
#
# Prints the server's URL and its process id; stop it with `kill PID`.
# The CalDAV integration test (crates/concierge-http/tests/caldav_radicale.rs)
# starts its own server the same way and needs only `pip install radicale`.
set -euo pipefail

port="${1:-5232}"
data="${2:-$(mktemp -d -t radicale.XXXXXX)}"

if ! python3 -c 'import radicale' 2>/dev/null; then
    echo "Radicale is not installed: run 'pip install radicale'" >&2
    exit 1
fi

mkdir -p "$data"
: > "$data/config"
python3 -m radicale \
    --config "$data/config" \
    --server-hosts "127.0.0.1:$port" \
    --auth-type none \
    --rights-type owner_write \
    --storage-filesystem-folder "$data/collections" \
    --logging-level warning \
    > "$data/radicale.log" 2>&1 &
pid=$!

for _ in $(seq 1 50); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        echo "Radicale at http://127.0.0.1:$port/ (pid $pid, data $data)"
        exit 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "Radicale exited; log:" >&2
        cat "$data/radicale.log" >&2
        exit 1
    fi
    sleep 0.1
done
echo "Radicale did not open port $port within 5 s; log:" >&2
cat "$data/radicale.log" >&2
kill "$pid"
exit 1
