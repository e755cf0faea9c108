#!/usr/bin/env bash
# Build the concierge-wasm packages and run their tests (idempotent; installs what it needs).
#
# 1. scripts/build-wasm.sh (toolchain, pkg/web and pkg/node)
# 2. Node.js, Debian chromium and npm playwright-core (into target/wasm-tools)
# 3. node --test crates/concierge-wasm/tests/  (Node tests against pkg/node, and one
#    headless-Chromium test that loads pkg/web in a page served on loopback)
# 4. the parse latency bench (crates/concierge-wasm/bench/parse.js) and the .wasm size
#
# Usage: scripts/test-wasm.sh [--no-build]   (--no-build: reuse the packages already built)
set -euo pipefail

cd "$(dirname "$0")/.."
root=$PWD

PLAYWRIGHT_CORE_VERSION=1.65.1

log() { echo "[test-wasm] $*"; }
die() { echo "[test-wasm] ERROR: $*" >&2; exit 1; }

build=1
for arg in "$@"; do
    case "$arg" in
    --no-build) build=0 ;;
    -h | --help) sed -n '2,10p' "$0"; exit 0 ;;
    *) die "unknown argument: $arg" ;;
    esac
done

apt_install() {
    [ "$(id -u)" -eq 0 ] || die "need root to apt-get install $*"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq || die "apt-get update failed"
    apt-get install -y -qq --no-install-recommends "$@" >/dev/null || die "apt-get install $* failed"
}

# --- prerequisites (node first: the build gets wasm-opt from npm) -------------------
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    log "installing nodejs and npm (apt)"
    apt_install nodejs npm
fi
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 18 ] || die "Node.js $(node --version) is too old for node --test; need 18 or newer"

if [ "$build" -eq 1 ]; then
    scripts/build-wasm.sh
fi
[ -f crates/concierge-wasm/pkg/node/concierge_bg.wasm ] || die "pkg/node is missing: run scripts/build-wasm.sh"

chromium=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
    log "installing chromium (apt)"
    apt_install chromium
fi
[ -x "$chromium" ] || die "$chromium missing after installing chromium"

tools="$root/target/wasm-tools"
installed=$(node -p "try { require('$tools/node_modules/playwright-core/package.json').version } catch { '' }")
if [ "$installed" != "$PLAYWRIGHT_CORE_VERSION" ]; then
    log "installing playwright-core $PLAYWRIGHT_CORE_VERSION into target/wasm-tools (npm)"
    mkdir -p "$tools"
    npm install --silent --no-audit --no-fund --prefix "$tools" "playwright-core@$PLAYWRIGHT_CORE_VERSION" >/dev/null ||
        die "npm install playwright-core@$PLAYWRIGHT_CORE_VERSION failed"
fi

# --- tests ------------------------------------------------------------------------------
tap=$(mktemp)
trap 'rm -f "$tap"' EXIT
status=0
CHROMIUM="$chromium" node --test \
    --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$tap" \
    crates/concierge-wasm/tests/ || status=$?
passed=$(awk '/^# pass /{print $3}' "$tap")
failed=$(awk '/^# fail /{print $3}' "$tap")
echo "${passed:-0} passed, ${failed:-0} failed"
[ "$status" -eq 0 ] || die "node --test failed"
[ "${passed:-0}" -gt 0 ] || die "node --test ran no tests"

# --- numbers ----------------------------------------------------------------------------
node crates/concierge-wasm/bench/parse.js 50
wasm=crates/concierge-wasm/pkg/web/concierge_bg.wasm
log "size: $wasm $(stat -c %s "$wasm") bytes, $(gzip -9 -c "$wasm" | wc -c) bytes gzipped"
