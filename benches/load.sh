#!/usr/bin/env bash
# Load benchmark of the reference server's public chat API (see benches/README.md).
#
# Builds `concierge` in release, starts `concierge serve --demo` on a fresh data directory
# on loopback (rate limits off for the run, logs to a file), starts N conversations with
# curl, then drives messages to all of them at once with wrk (one connection per
# conversation, benches/load.lua) for a fixed time, and prints one JSON line:
#   {"backend","conversations","duration_s","messages_per_second","p50_ms","p99_ms","errors"}
# Diagnostics (server CPU per message, wrk's own report) go to stderr. It stops the
# server (and any PostgreSQL it started) on exit. Traffic goes to 127.0.0.1 only.
#
# Usage: bash benches/load.sh [--conversations N] [--duration SECONDS] [--threads T]
#                             [--think-ms MS] [--warmup SECONDS] [--database sqlite|postgres|postgres://...]
#                             [--no-build] [--bin FILE]
#   --conversations  concurrent conversations, one wrk connection each (default 64)
#   --duration       how long wrk sends, in seconds (default 20)
#   --threads        wrk threads (default 1: wrk needs little CPU, the server gets the rest)
#   --think-ms       each conversation waits this long after an answer before its next
#                    message (default 0: as fast as the server answers, which measures the
#                    server's capacity; 50 offers about 1,000 messages/s at 64 conversations)
#   --warmup         seconds of the same load before the measured run, not counted
#                    (default 3: engines built, caches and connection pools filled)
#   --database       sqlite (default: a file in the temporary data directory), postgres
#                    (starts a throwaway server with scripts/start-postgres.sh), or a
#                    postgres:// URL of an empty database
#   --no-build       use the existing target/release/concierge
#   --bin FILE       use this concierge binary (e.g. an older build, for a baseline)
# Environment: RUST_LOG for the server's log level (default info, as in production).
set -euo pipefail

cd "$(dirname "$0")/.."
repo_root=$PWD

conversations=64
duration=20
warmup=3
think_ms=0
threads=1
database=sqlite
build=1
bin=""
while [ $# -gt 0 ]; do
    case "$1" in
    --conversations) conversations=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --think-ms) think_ms=$2; shift 2 ;;
    --database) database=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    --bin) bin=$2; build=0; shift 2 ;;
    -h | --help) sed -n '2,28p' "$0"; exit 0 ;;
    *) echo "load.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
done

say() { echo "[load] $*" >&2; }
die() {
    echo "[load] ERROR: $*" >&2
    exit 1
}

# --- prerequisites ---------------------------------------------------------------------
if ! command -v wrk >/dev/null 2>&1; then
    say "installing wrk (Debian)"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; } ||
        die "could not install wrk"
fi
command -v curl >/dev/null 2>&1 || die "curl is needed"
if [ "$build" -eq 1 ]; then
    say "building concierge (release)"
    cargo build --release --locked -p concierge-http --bin concierge >&2
fi
if [ -z "$bin" ]; then
    target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
    bin=$target_dir/release/concierge
fi
[ -x "$bin" ] || die "$bin is missing (run without --no-build)"

# --- servers ---------------------------------------------------------------------------
work=$(mktemp -d /tmp/concierge-load.XXXXXX)
server_pid=""
started_postgres=0
cleanup() {
    local status=$?
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    if [ "$started_postgres" -eq 1 ]; then
        stop_postgres >/dev/null 2>&1 || true
    fi
    if [ "$status" -ne 0 ] && [ -f "$work/server.log" ]; then
        tail -n 20 "$work/server.log" | sed 's/^/[server] /' >&2
    fi
    [ -n "${LOAD_KEEP_LOG:-}" ] && cp "$work/server.log" "$LOAD_KEEP_LOG"; rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

db_args=()
case "$database" in
sqlite) backend=sqlite ;;
postgres)
    backend=postgres
    # shellcheck source=scripts/start-postgres.sh
    source "$repo_root/scripts/start-postgres.sh"
    CONCIERGE_PG_DURABLE=1 start_postgres >&2 || die "could not start PostgreSQL"
    started_postgres=1
    # As in production: durable commits, and an ordinary role (the server refuses roles
    # that bypass row-level security).
    db_args=(--database "$CONCIERGE_PG_APP_URL")
    ;;
postgres://* | postgresql://*)
    backend=postgres
    db_args=(--database "$database")
    ;;
*) die "--database takes sqlite, postgres or a postgres:// URL" ;;
esac

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base_url=http://127.0.0.1:$port
say "starting concierge serve --demo ($backend) on $base_url"
CONCIERGE_RATE_IP_PER_SECOND=0 CONCIERGE_RATE_TENANT_PER_SECOND=0 \
    CONCIERGE_ADMIN_PASSWORD=load-bench-password-not-secret RUST_LOG=${RUST_LOG:-info} \
    "$bin" serve --demo --data-dir "$work/data" --addr "127.0.0.1:$port" "${db_args[@]}" \
    >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 120); do
    curl -fsS "$base_url/readyz" >/dev/null 2>&1 && break
    kill -0 "$server_pid" 2>/dev/null || die "the server exited while starting"
    sleep 0.5
done
curl -fsS "$base_url/readyz" >/dev/null || die "the server was not ready within 60 s"

# --- conversations ---------------------------------------------------------------------
say "starting $conversations conversations"
for _ in $(seq 1 "$conversations"); do
    curl -fsS -X POST "$base_url/v1/chat/demo-salon/conversations" \
        -H 'X-Concierge-Key: pk_demo_salon' -H 'Content-Type: application/json' -d '{}' ||
        die "could not start a conversation"
    echo
done | python3 -c '
import json, sys
for line in sys.stdin:
    if line.strip():
        c = json.loads(line)
        print(c["conversation_id"], c["token"])
' >"$work/conversations.txt"
[ "$(wc -l <"$work/conversations.txt")" -eq "$conversations" ] || die "not every conversation started"

# --- load ------------------------------------------------------------------------------
cpu_ticks() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }
if [ "$warmup" -gt 0 ]; then
    say "warm-up: ${warmup}s (not measured)"
    wrk --threads "$threads" --connections "$conversations" --duration "${warmup}s" --timeout 10s \
        --script "$repo_root/benches/load.lua" "$base_url" \
        -- demo-salon "$work/conversations.txt" "$threads" "$think_ms" >/dev/null 2>"$work/wrk.err" ||
        { cat "$work/wrk.err" >&2; die "wrk failed during the warm-up"; }
fi
curl -fsS "$base_url/metrics" >"$work/metrics.before" || die "could not read /metrics"
ticks_per_second=$(getconf CLK_TCK)
cpu_before=$(cpu_ticks)
say "wrk: $threads threads, $conversations connections, ${duration}s"
wrk --threads "$threads" --connections "$conversations" --duration "${duration}s" --timeout 10s --latency \
    --script "$repo_root/benches/load.lua" "$base_url" \
    -- demo-salon "$work/conversations.txt" "$threads" "$think_ms" >"$work/wrk.out" 2>"$work/wrk.err" ||
    { cat "$work/wrk.err" >&2; die "wrk failed"; }
cpu_after=$(cpu_ticks)
# Server-side view: how long turns took inside the server during the measured run
# (the turn latency histogram after minus before).
curl -fsS "$base_url/metrics" | python3 -c '
import re, sys
def buckets(lines):
    found = {}
    for line in lines:
        m = re.match(r"concierge_turn_duration_seconds_bucket\{.*le=\"([^\"]+)\".*\} (\d+)", line)
        if m:
            found[m.group(1)] = found.get(m.group(1), 0) + int(m.group(2))
    return found
before = buckets(open(sys.argv[1]))
after = buckets(sys.stdin)
run = {le: n - before.get(le, 0) for le, n in after.items()}
if run.get("+Inf"):
    total = run["+Inf"]
    bounds = sorted((float(le), n) for le, n in run.items() if le != "+Inf")
    def quantile(q):
        return next((f"<= {1000 * le:g} ms" for le, n in bounds if n >= q * total), "> last bucket")
    print(f"[load] server turn time: p50 {quantile(0.5)}, p99 {quantile(0.99)} ({total} turns)", file=sys.stderr)
' "$work/metrics.before" || say "could not read the turn histogram from /metrics"
sed 's/^/[wrk] /' "$work/wrk.out" | grep -v '^\[wrk\] {' >&2
sed 's/^/[wrk] /' "$work/wrk.err" >&2

result=$(grep '^{' "$work/wrk.out" | tail -n 1)
[ -n "$result" ] || die "wrk printed no result"
python3 - "$result" "$backend" "$conversations" "$duration" "$cpu_before" "$cpu_after" "$ticks_per_second" "$think_ms" <<'PY'
import json, sys
result = json.loads(sys.argv[1])
think_ms = float(sys.argv[8])
backend, conversations, duration = sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
cpu_seconds = (int(sys.argv[6]) - int(sys.argv[5])) / int(sys.argv[7])
ok = result["messages_per_second"] * duration
if ok > 0:
    print(f"[load] server CPU: {cpu_seconds:.1f} s for {ok:.0f} messages = "
          f"{1000 * cpu_seconds / ok:.2f} ms per message", file=sys.stderr)
print(json.dumps({
    "backend": backend,
    "conversations": conversations,
    "think_ms": think_ms,
    "duration_s": duration,
    "messages_per_second": result["messages_per_second"],
    "p50_ms": result["p50_ms"],
    "p99_ms": result["p99_ms"],
    "errors": result["errors"],
}))
PY
