#!/usr/bin/env bash
# Builds the Python wheel (crates/concierge-py), installs it into a fresh
# virtual environment and runs its tests (pytest, warnings as errors), the
# stub check (mypy.stubtest) and mypy --strict over the installed package.
# Needs python3 (3.9+) with venv, a Rust toolchain and access to PyPI.
# The store tests run on SQLite, and on PostgreSQL too when
# CONCIERGE_TEST_POSTGRES_URL names a server whose role can create roles and
# databases (scripts/test.sh starts one and exports it); without it they are
# skipped with a notice.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-python3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "== python: fresh venv in $work/venv"
"$python" -m venv "$work/venv"
py="$work/venv/bin/python"
# pg8000 (pure Python) creates the scratch PostgreSQL roles and databases;
# fastapi and httpx2 (for its test client) serve examples/python/fastapi_app.py in its test.
"$py" -m pip install --quiet --disable-pip-version-check maturin pytest mypy pg8000 fastapi httpx2

echo "== python: maturin build --release"
(cd "$root/crates/concierge-py" && "$work/venv/bin/maturin" build --release -i "$py" --out "$work/wheels")
wheels=("$work"/wheels/concierge-*-abi3-*.whl)
if [ "${#wheels[@]}" -ne 1 ] || [ ! -f "${wheels[0]}" ]; then
    echo "expected exactly one abi3 wheel, found: ${wheels[*]}" >&2
    exit 1
fi
"$py" -m pip install --quiet --disable-pip-version-check "${wheels[0]}"

echo "== python: the concierge binary (the server test runs it)"
(cd "$root" && cargo build --quiet --bin concierge)
export CONCIERGE_BIN="${CARGO_TARGET_DIR:-$root/target}/debug/concierge"

echo "== python: pytest"
if [ -n "${CONCIERGE_TEST_POSTGRES_URL:-}" ]; then
    echo "store tests: SQLite and PostgreSQL (CONCIERGE_TEST_POSTGRES_URL is set)"
else
    echo "store tests: SQLite only; PostgreSQL skipped (CONCIERGE_TEST_POSTGRES_URL is not set)"
fi
# From the root, `concierge` resolves to the installed wheel (the source
# tree's python/ directory is not on sys.path).
(cd "$root" && "$py" -m pytest -W error -q crates/concierge-py/tests)

echo "== python: stubtest and mypy --strict (installed package)"
(cd "$work" && "$py" -m mypy.stubtest concierge --ignore-unused-allowlist \
    --allowlist "$root/crates/concierge-py/stubtest-allowlist.txt" && "$py" -m mypy --strict --cache-dir "$work/mypy" -p concierge)

echo "== python: ok (${wheels[0]##*/})"
