#!/usr/bin/env bash
# Build the concierge-wasm npm packages (idempotent; installs what it needs).
#
#   crates/concierge-wasm/pkg/web    ES module for browsers   (wasm-bindgen --target web)
#   crates/concierge-wasm/pkg/node   CommonJS for Node.js     (wasm-bindgen --target nodejs)
# both with TypeScript declarations (.d.ts).
#
# The toolchain (Debian rustc-web/cargo-web/rust-web-src/lld and wasm-bindgen-cli pinned
# to Cargo.lock) comes from scripts/install-wasm-toolchain.sh. The crate is built with a
# size-tuned profile (opt-level "z", fat LTO, one codegen unit, panic=abort) declared on
# the command line, into target/wasm (shared with scripts/check-wasm-core.sh). If
# `wasm-opt` is on PATH (or SKIP_WASM_OPT is unset and npm's `binaryen` is installed
# under target/wasm-tools), the module is shrunk further with `wasm-opt -Oz`.
#
# Usage: scripts/build-wasm.sh [--no-wasm-opt]
set -euo pipefail

cd "$(dirname "$0")/.."
root=$PWD

log() { echo "[build-wasm] $*"; }
die() { echo "[build-wasm] ERROR: $*" >&2; exit 1; }

use_wasm_opt=1
for arg in "$@"; do
    case "$arg" in
    --no-wasm-opt) use_wasm_opt=0 ;;
    -h | --help) sed -n '2,15p' "$0"; exit 0 ;;
    *) die "unknown argument: $arg" ;;
    esac
done

scripts/install-wasm-toolchain.sh
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
command -v wasm-bindgen >/dev/null 2>&1 || die "wasm-bindgen missing after scripts/install-wasm-toolchain.sh"

target_dir="${CONCIERGE_WASM_TARGET_DIR:-$root/target/wasm}"
profile=wasm-release
log "building concierge-wasm (profile $profile) into $target_dir"
env -u RUSTC -u RUSTDOC -u RUSTUP_TOOLCHAIN -u RUSTC_WRAPPER \
    PATH="/usr/bin:$PATH" RUSTC_BOOTSTRAP=1 RUSTFLAGS="-C linker=wasm-ld" CARGO_TARGET_DIR="$target_dir" \
    /usr/bin/cargo build --locked --target wasm32-unknown-unknown \
    --config "profile.$profile.inherits=\"release\"" \
    --config "profile.$profile.opt-level=\"z\"" \
    --config "profile.$profile.lto=true" \
    --config "profile.$profile.codegen-units=1" \
    --config "profile.$profile.panic=\"abort\"" \
    --config "profile.$profile.debug=false" \
    --config "profile.$profile.strip=false" \
    --profile "$profile" -Zbuild-std=std,panic_abort -p concierge-wasm ||
    die "cargo build of concierge-wasm for wasm32-unknown-unknown failed (see above)"

wasm="$target_dir/wasm32-unknown-unknown/$profile/concierge_wasm.wasm"
[ -f "$wasm" ] || die "build reported success but $wasm is missing"

pkg="$root/crates/concierge-wasm/pkg"
for target in web node; do
    bindgen_target=$target
    [ "$target" = node ] && bindgen_target=nodejs
    rm -rf "${pkg:?}/$target"
    wasm-bindgen --target "$bindgen_target" --typescript --out-dir "$pkg/$target" --out-name concierge "$wasm" ||
        die "wasm-bindgen --target $bindgen_target failed"
done

# wasm-opt: from PATH, else from npm's binaryen package if it was installed before.
wasm_opt=""
if [ "$use_wasm_opt" -eq 1 ]; then
    if command -v wasm-opt >/dev/null 2>&1; then
        wasm_opt=$(command -v wasm-opt)
    elif [ -x "$root/target/wasm-tools/node_modules/.bin/wasm-opt" ]; then
        wasm_opt="$root/target/wasm-tools/node_modules/.bin/wasm-opt"
    elif command -v npm >/dev/null 2>&1 && [ -z "${SKIP_WASM_OPT:-}" ]; then
        log "installing wasm-opt (npm binaryen) into target/wasm-tools"
        if npm install --silent --no-audit --no-fund --prefix "$root/target/wasm-tools" binaryen@132 >/dev/null 2>&1; then
            wasm_opt="$root/target/wasm-tools/node_modules/.bin/wasm-opt"
        else
            log "npm install binaryen failed; continuing without wasm-opt"
        fi
    fi
fi
for target in web node; do
    file="$pkg/$target/concierge_bg.wasm"
    if [ -n "$wasm_opt" ]; then
        "$wasm_opt" -Oz --strip-debug --strip-producers --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
            --enable-mutable-globals --enable-reference-types --enable-multivalue \
            "$file" -o "$file.opt" && mv "$file.opt" "$file" || die "wasm-opt failed on $file"
    fi
done
[ -n "$wasm_opt" ] && log "ran $("$wasm_opt" --version 2>/dev/null | head -1) -Oz" || log "wasm-opt not used"

# package.json for each flavour, so `import ... from ".../pkg/web"` and `require(".../pkg/node")` work.
version=$(awk -F'"' '/^version = /{print $2; exit}' Cargo.toml)
write_package_json() { # dir type main
    cat >"$1/package.json" <<JSON
{
  "name": "@concierge/wasm-$(basename "$1")",
  "version": "$version",
  "description": "Concierge intent matching and conversations in WebAssembly",
  "license": "Apache-2.0",
  "type": "$2",
  "main": "$3",
  "types": "concierge.d.ts",
  "files": ["concierge_bg.wasm", "concierge.js", "concierge.d.ts", "concierge_bg.wasm.d.ts"]
}
JSON
}
write_package_json "$pkg/web" module concierge.js
write_package_json "$pkg/node" commonjs concierge.js

raw=$(stat -c %s "$pkg/web/concierge_bg.wasm")
gz=$(gzip -9 -c "$pkg/web/concierge_bg.wasm" | wc -c)
log "ok: pkg/web and pkg/node; concierge_bg.wasm $raw bytes, $gz bytes gzipped (-9)"
