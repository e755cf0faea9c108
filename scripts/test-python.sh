#!/usr/bin/env bash
# Builds the Python wheel (crates/concierge-py), installs it into a fresh
# virtual environment and runs its tests (pytest, warnings as errors), the
# stub check (mypy.stubtest) and mypy --strict over the installed package.
# Needs python3 (3.9+) with venv, a Rust toolchain and access to PyPI.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-python3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "== python: fresh venv in $work/venv"
"$python" -m venv "$work/venv"
py="$work/venv/bin/python"
"$py" -m pip install --quiet --disable-pip-version-check maturin pytest mypy

echo "== python: maturin build --release"
(cd "$root/crates/concierge-py" && "$work/venv/bin/maturin" build --release -i "$py" --out "$work/wheels")
wheels=("$work"/wheels/concierge-*-abi3-*.whl)
if [ "${#wheels[@]}" -ne 1 ] || [ ! -f "${wheels[0]}" ]; then
    echo "expected exactly one abi3 wheel, found: ${wheels[*]}" >&2
    exit 1
fi
"$py" -m pip install --quiet --disable-pip-version-check "${wheels[0]}"

echo "== python: pytest"
# From the root, `concierge` resolves to the installed wheel (the source
# tree's python/ directory is not on sys.path).
(cd "$root" && "$py" -m pytest -W error -q crates/concierge-py/tests)

echo "== python: stubtest and mypy --strict (installed package)"
(cd "$work" && "$py" -m mypy.stubtest concierge --ignore-unused-allowlist \
    --allowlist "$root/crates/concierge-py/stubtest-allowlist.txt" && "$py" -m mypy --strict --cache-dir "$work/mypy" -p concierge)

echo "== python: ok (${wheels[0]##*/})"
