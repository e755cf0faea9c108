#!/usr/bin/env bash
# Check that concierge-core stays pure logic and builds for wasm32-unknown-unknown.
#
# 1. `cargo tree` of core's normal dependencies (all features, all targets) must not contain
#    tokio, sqlx, axum, hyper or pyo3 (or their sub-crates).
# 2. Build core for wasm32-unknown-unknown with Debian's cargo/rustc 1.96 and
#    -Zbuild-std (see scripts/install-wasm-toolchain.sh), into target/wasm.
#
# Usage: scripts/check-wasm-core.sh   (run scripts/install-wasm-toolchain.sh --core-only first)
set -euo pipefail

cd "$(dirname "$0")/.."

log() { echo "[check-wasm-core] $*"; }
die() { echo "[check-wasm-core] ERROR: $*" >&2; exit 1; }

# --- 1. dependency purity ----------------------------------------------------------
forbidden='^(tokio|sqlx|axum|hyper|pyo3)(-[a-z0-9_-]+)?$'
tree=$(cargo tree -p concierge-core --all-features -e normal --target all --prefix none --format '{p}') ||
    die "cargo tree -p concierge-core failed"
offenders=$(echo "$tree" | awk '{print $1}' | sort -u | grep -E "$forbidden" || true)
if [ -n "$offenders" ]; then
    echo "[check-wasm-core] ERROR: concierge-core must not depend on a runtime, database, server or Python crate," >&2
    echo "[check-wasm-core]        but its normal dependency tree contains: $(echo $offenders)" >&2
    for crate in $offenders; do
        echo "--- how $crate gets in:" >&2
        cargo tree -p concierge-core --all-features -e normal --target all -i "$crate" >&2 || true
    done
    exit 1
fi
log "dependency tree clean: no tokio/sqlx/axum/hyper/pyo3 ($(echo "$tree" | awk '{print $1}' | sort -u | wc -l) crates)"

# --- 2. wasm32 build -------------------------------------------------------------------
[ -x /usr/bin/cargo ] || die "/usr/bin/cargo (Debian cargo-web) missing: run scripts/install-wasm-toolchain.sh --core-only"
[ -d /usr/lib/rustlib/src/rust/library ] || die "std sources missing: run scripts/install-wasm-toolchain.sh --core-only"
command -v wasm-ld >/dev/null 2>&1 || [ -x /usr/bin/wasm-ld ] || die "wasm-ld missing: run scripts/install-wasm-toolchain.sh --core-only"

target_dir="${CONCIERGE_WASM_TARGET_DIR:-$PWD/target/wasm}"
log "building concierge-core for wasm32-unknown-unknown with $(/usr/bin/cargo --version) into $target_dir"
# RUSTC/RUSTDOC/RUSTUP_TOOLCHAIN from a rustup shell would point at the rustup toolchain:
# Debian's cargo must use Debian's rustc, which has the wasm32 target.
env -u RUSTC -u RUSTDOC -u RUSTUP_TOOLCHAIN -u RUSTC_WRAPPER \
    PATH="/usr/bin:$PATH" RUSTC_BOOTSTRAP=1 RUSTFLAGS="-C linker=wasm-ld" CARGO_TARGET_DIR="$target_dir" \
    /usr/bin/cargo build --locked --target wasm32-unknown-unknown --release \
    -Zbuild-std=std,panic_abort -p concierge-core ||
    die "concierge-core does not build for wasm32-unknown-unknown (see the errors above)"

rlib=$(ls "$target_dir"/wasm32-unknown-unknown/release/libconcierge_core.rlib 2>/dev/null || true)
[ -n "$rlib" ] || die "build reported success but libconcierge_core.rlib is missing in $target_dir"
log "ok: $rlib ($(du -h "$rlib" | cut -f1))"
