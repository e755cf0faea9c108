#!/usr/bin/env bash
# The browser end-to-end tests: the chat widget and the staff console in headless Chromium against a real
# `concierge serve --demo` (CI's `browser` stage of scripts/test.sh runs this).
#
# Installs what it needs when missing (Debian `chromium`, Node and npm, the e2e package's
# pinned `playwright-core` with `npm ci`), builds the `concierge` binary (debug, like the
# test stage, so CI reuses that build), and for each of
# crates/concierge-http/tests/e2e/widget.test.mjs and console.test.mjs (axe-core checks the
# console's accessibility) starts `concierge serve --demo` on a fresh data directory and a
# free loopback port with a fixed clock (so "tomorrow" is an open day), waits for it, warms
# its engine with one conversation, runs the file and stops the server; onboarding.test.mjs
# gets a server on an empty data directory and creates its tenants with the CLI.
# Screenshots of every step, and each server's log, are kept in target/e2e-artifacts/.
#
# Usage: bash scripts/test-browser.sh
# Environment:
#   CHROMIUM                        browser binary (default /usr/bin/chromium)
#   CONCIERGE_E2E_STEP_TIMEOUT_MS   how long the test waits for each expected text (default 30000)
set -euo pipefail

cd "$(dirname "$0")/.."
repo_root=$PWD
e2e_dir=$repo_root/crates/concierge-http/tests/e2e
artifacts=$repo_root/target/e2e-artifacts
# Monday 2 March 2026, 9am in New York: the salon is closed on Mondays, open on Tuesdays.
fixed_now=2026-03-02T09:00:00-05:00
# The demo admin's password for this throwaway server (the handoff test logs in with it).
admin_password=e2e-admin-password-not-secret

say() { echo "[test-browser] $*"; }
die() {
    echo "[test-browser] ERROR: $*" >&2
    exit 1
}

apt_updated=0
apt_install() {
    if [ "$apt_updated" -eq 0 ]; then
        apt-get update -qq || die "apt-get update failed"
        apt_updated=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null ||
        die "apt-get install $* failed"
}

# --- prerequisites ---------------------------------------------------------------------
chromium_bin=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium_bin" ]; then
    say "installing Debian's chromium"
    apt_install chromium
fi
say "$("$chromium_bin" --version 2>/dev/null | head -1)"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    say "installing Node.js and npm"
    apt_install nodejs npm
fi
command -v curl >/dev/null 2>&1 || apt_install curl
say "node $(node --version)"
(cd "$e2e_dir" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci in $e2e_dir failed"

say "building the concierge binary"
cargo build --locked -p concierge-http --bin concierge
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
bin=$target_dir/debug/concierge

# --- the servers -----------------------------------------------------------------------
# Each test file gets its own server on a fresh data directory, so what one file does
# (a handoff, a rating) never shows in another's figures.
mkdir -p "$artifacts"
rm -f "$artifacts"/*.png
server_pid=""
data_dir=""
base_url=""

stop_server() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
        say "stopped the server (pid $server_pid)"
    fi
    server_pid=""
    [ -z "$data_dir" ] || rm -rf "$data_dir"
    data_dir=""
}

cleanup() {
    local status=$?
    stop_server
    if [ "$status" -ne 0 ]; then
        say "failed: screenshots and the servers' logs are in $artifacts"
        tail -n 20 "$artifacts"/server-*.log 2>/dev/null | sed 's/^/[server] /' || true
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Starts `concierge serve` for test file $1 on a fresh data directory; sets base_url.
# With --demo (widget and console tests) the server seeds the demo salon on a fixed
# clock and its bot is warmed; without (the onboarding test) the data directory stays
# empty until the test creates tenants with `concierge tenants create`.
start_server() {
    local name=$1 mode=$2 port log created warm_id warm_token ready=0
    local -a flags=()
    data_dir=$(mktemp -d /tmp/concierge-e2e.XXXXXX)
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    base_url=http://127.0.0.1:$port
    log=$artifacts/server-$name.log
    [ "$mode" = demo ] && flags=(--demo --now "$fixed_now")
    say "starting concierge serve ${flags[*]} on $base_url for $name"
    CONCIERGE_ADMIN_PASSWORD=$admin_password CONCIERGE_PUBLIC_URL=$base_url \
        "$bin" serve "${flags[@]}" --data-dir "$data_dir" --addr "127.0.0.1:$port" \
        >"$log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 120); do
        if curl -fsS "$base_url/healthz" >/dev/null 2>&1; then
            ready=1
            break
        fi
        kill -0 "$server_pid" 2>/dev/null || die "the server exited while starting (see $log)"
        sleep 0.5
    done
    [ "$ready" -eq 1 ] || die "the server did not answer $base_url/healthz within 60 s"
    [ "$mode" = demo ] || return 0
    # One conversation through the public API first, so the bot's engine is built and
    # cached before the browser's first question (a debug build takes a few seconds).
    say "warming up the demo bot"
    created=$(curl -fsS -X POST "$base_url/v1/chat/demo-salon/conversations" \
        -H 'X-Concierge-Key: pk_demo_salon' -H 'Content-Type: application/json' -d '{}') ||
        die "could not start a conversation with the demo key"
    warm_id=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["conversation_id"])' "$created")
    warm_token=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["token"])' "$created")
    curl -fsS --max-time 120 -X POST "$base_url/v1/chat/demo-salon/conversations/$warm_id/messages" \
        -H "Authorization: Bearer $warm_token" -H 'Content-Type: application/json' \
        -d '{"text":"hello"}' >/dev/null || die "the demo bot did not answer a first message"
}

# --- the tests -------------------------------------------------------------------------
for test_file in widget.test.mjs console.test.mjs onboarding.test.mjs; do
    mode=demo
    [ "$test_file" = onboarding.test.mjs ] && mode=empty
    start_server "${test_file%%.*}" "$mode"
    say "running $test_file in headless Chromium"
    (
        cd "$e2e_dir"
        CONCIERGE_E2E_URL=$base_url \
            CONCIERGE_E2E_ARTIFACTS=$artifacts \
            CHROMIUM=$chromium_bin \
            CONCIERGE_E2E_ADMIN_PASSWORD=$admin_password \
            CONCIERGE_E2E_BIN=$bin \
            CONCIERGE_E2E_DATABASE=sqlite://$data_dir/concierge.db \
            CONCIERGE_E2E_BOT=$repo_root/examples/salon/bot.yaml \
            CONCIERGE_E2E_STEP_TIMEOUT_MS=${CONCIERGE_E2E_STEP_TIMEOUT_MS:-30000} \
            node --test "$test_file"
    )
    stop_server
done
say "screenshots: $(find "$artifacts" -name '*.png' | wc -l) in $artifacts"
