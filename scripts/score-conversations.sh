#!/usr/bin/env bash
# Goal completion of every customer-conversation suite: the shared dev suite
# and each examples/*/conversations*.jsonl against the bot.yaml beside it,
# scored by ../shared/data/conversations/score.py on a release build.
#
# Usage: bash scripts/score-conversations.sh [--no-build] [score.py options, e.g. --show]
set -euo pipefail

cd "$(dirname "$0")/.."
score=../shared/data/conversations/score.py
[[ -f $score ]] || { echo "score-conversations: $score not found (the shared data sets sit beside the checkout)" >&2; exit 2; }

build=1
if [[ ${1:-} == --no-build ]]; then
    build=0
    shift
fi
if ((build)); then
    cargo build --release --quiet --bin concierge
fi
export CONCIERGE_BIN=${CONCIERGE_BIN:-$PWD/target/release/concierge}

# One suite: its closing line, or everything score.py prints when given options.
run() {
    local bot=$1 suite=$2
    if (($# > 2)); then
        echo "== $suite"
        python3 "$score" "$bot" "$suite" --jobs 2 "${@:3}"
    else
        printf '%-50s ' "$suite"
        python3 "$score" "$bot" "$suite" --jobs 2 | tail -n 1
    fi
}

run examples/salon/bot.yaml ../shared/data/conversations/salon_dev.jsonl "$@"
for suite in examples/*/conversations*.jsonl; do
    run "$(dirname "$suite")/bot.yaml" "$suite" "$@"
done
