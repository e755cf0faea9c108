#!/usr/bin/env bash
# Install the wasm32-unknown-unknown toolchain used by the project (idempotent).
#
# The rustup toolchain on this machine kind has no wasm32 standard library and rustup
# cannot download one, so the build uses Debian's rustc-web/cargo-web (rustc and cargo
# 1.96 in /usr/bin) with the std sources from rust-web-src (-Zbuild-std) and lld's
# wasm-ld as the linker. wasm-bindgen-cli must match the wasm-bindgen crate version in
# Cargo.lock exactly, so it is pinned to that version.
#
# Usage: scripts/install-wasm-toolchain.sh [--core-only]
#   --core-only   skip wasm-bindgen-cli (enough for scripts/check-wasm-core.sh)
set -euo pipefail

cd "$(dirname "$0")/.."

log() { echo "[install-wasm-toolchain] $*"; }
die() { echo "[install-wasm-toolchain] ERROR: $*" >&2; exit 1; }

core_only=0
for arg in "$@"; do
    case "$arg" in
    --core-only) core_only=1 ;;
    -h | --help) sed -n '2,13p' "$0"; exit 0 ;;
    *) die "unknown argument: $arg" ;;
    esac
done

apt_packages=(rustc-web cargo-web rust-web-src lld)

is_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

missing=()
for pkg in "${apt_packages[@]}"; do
    is_installed "$pkg" || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
    log "apt packages already installed: ${apt_packages[*]}"
else
    command -v apt-get >/dev/null 2>&1 || die "apt-get not found; need Debian packages: ${missing[*]}"
    if [ "$(id -u)" -ne 0 ]; then
        die "need root to apt-get install: ${missing[*]}"
    fi
    log "installing apt packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq || die "apt-get update failed"
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
        die "apt-get install ${missing[*]} failed"
fi

[ -x /usr/bin/cargo ] || die "/usr/bin/cargo missing after installing cargo-web"
[ -x /usr/bin/rustc ] || die "/usr/bin/rustc missing after installing rustc-web"
command -v wasm-ld >/dev/null 2>&1 || [ -x /usr/bin/wasm-ld ] || die "wasm-ld missing after installing lld"
[ -d /usr/lib/rustlib/src/rust/library ] || die "std sources missing (/usr/lib/rustlib/src/rust/library) after installing rust-web-src"
log "$(/usr/bin/cargo --version), $(/usr/bin/rustc --version)"

# wasm-bindgen-cli, pinned to the wasm-bindgen crate in Cargo.lock.
if [ "$core_only" -eq 1 ]; then
    log "skipped wasm-bindgen-cli (--core-only)"
    exit 0
fi

lock_versions=$(awk '
    /^\[\[package\]\]/ { name = "" }
    /^name = "wasm-bindgen"$/ { name = "wasm-bindgen"; next }
    name == "wasm-bindgen" && /^version = / { gsub(/"/, "", $3); print $3; name = "" }
' Cargo.lock 2>/dev/null | sort -u)

if [ -z "$lock_versions" ]; then
    log "skipped wasm-bindgen-cli: no wasm-bindgen crate in Cargo.lock"
    exit 0
fi
if [ "$(echo "$lock_versions" | wc -l)" -ne 1 ]; then
    die "Cargo.lock holds several wasm-bindgen versions ($(echo $lock_versions)); unify them first"
fi
version="$lock_versions"

cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin"
export PATH="$cargo_bin:$PATH"
if command -v wasm-bindgen >/dev/null 2>&1 && [ "$(wasm-bindgen --version | awk '{print $2}')" = "$version" ]; then
    log "wasm-bindgen-cli $version already installed"
    exit 0
fi
log "installing wasm-bindgen-cli $version (matches Cargo.lock; takes a few minutes)"
# --locked first (the versions its authors tested); a yanked crate in its lock file makes
# that fail, and then the newest compatible versions are used.
if ! cargo install --locked --quiet wasm-bindgen-cli --version "=$version"; then
    log "cargo install --locked failed (a yanked dependency?); retrying without --locked"
    cargo install --quiet wasm-bindgen-cli --version "=$version" || die "cargo install wasm-bindgen-cli $version failed"
fi
log "installed $(wasm-bindgen --version)"
