#!/usr/bin/env bash
# Trains the paper-scale PTB runs whose logs are committed in this folder, one after another, each
# for the first epochs of the paper's 75-epoch protocol (650 units, full PTB, log record every
# 10 iterations). Each run gets its own output folder under $OUT (default: runs-ptb-paper, ignored by
# git); its log is then copied here as LABEL.jsonl. Every run is started with --resume, so a run
# interrupted mid-epoch continues from its last epoch checkpoint.
#
#   results/ptb-paper/run-all.sh                    # every run below, 3 epochs each (about 40 minutes a run on 2 cores)
#   results/ptb-paper/run-all.sh sgd-lr1 sgd-lr10   # only these labels
#   EPOCHS=75 results/ptb-paper/run-all.sh          # the paper's full length (days)
#
# Settings: BIN (the ch05-penn-treebank executable, default .build/release/ch05-penn-treebank),
#           OUT, EPOCHS (default 3), OPENBLAS_NUM_THREADS (default 2).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
BIN="${BIN:-$root/.build/release/ch05-penn-treebank}"
OUT="${OUT:-$root/runs-ptb-paper}"
EPOCHS="${EPOCHS:-3}"
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-2}"

# label | flags (the run name that ch05 gives each is the label minus any -reset-before and -sSEED
# suffix; a label without -sSEED is seed 1). The first seven are the paper's grid at seed 1; the rest
# are the tuned comparison at η = 10: clipping at the thresholds the standard scale tuned over, and
# seeds 2 and 3 of plain SGD and of the projection.
runs=(
  "project0.2-lr10|--method project --delta 0.2 --lr 10 --log-every 10"
  "sgd-lr10|--method sgd --lr 10 --log-every 10"
  "clip5-lr10|--method clip --clip 5 --lr 10 --log-every 10"
  "clip5+project0.2-lr10|--method clip+project --clip 5 --delta 0.2 --lr 10 --log-every 10"
  "project0.2-lr10-reset-before|--method project --delta 0.2 --lr 10 --cell reset-before --log-every 10"
  "project0.2-lr1|--method project --delta 0.2 --lr 1 --log-every 50"
  "sgd-lr1|--method sgd --lr 1 --log-every 50"
  "clip0.25-lr10|--method clip --clip 0.25 --lr 10 --log-every 10"
  "clip1-lr10|--method clip --clip 1 --lr 10 --log-every 10"
  "clip0.1-lr10|--method clip --clip 0.1 --lr 10 --log-every 10"
  "clip0.5-lr10|--method clip --clip 0.5 --lr 10 --log-every 10"
  "sgd-lr10-s2|--method sgd --lr 10 --log-every 10"
  "project0.2-lr10-s2|--method project --delta 0.2 --lr 10 --log-every 10"
  "sgd-lr10-s3|--method sgd --lr 10 --log-every 10"
  "project0.2-lr10-s3|--method project --delta 0.2 --lr 10 --log-every 10"
)
for entry in "${runs[@]}"; do
  label="${entry%%|*}"; flags="${entry#*|}"; name="${label%-reset-before}"; seed=1
  if [[ "$name" =~ ^(.*)-s([0-9]+)$ ]]; then name="${BASH_REMATCH[1]}"; seed="${BASH_REMATCH[2]}"; fi
  if [[ $# -gt 0 && " $* " != *" $label "* ]]; then continue; fi
  dir="$OUT/$label"
  echo "== $label: $(basename "$BIN") --scale paper $flags --seed $seed --stop-after $EPOCHS --resume"
  start=$(date +%s)
  # shellcheck disable=SC2086
  "$BIN" --scale paper $flags --seed "$seed" --stop-after "$EPOCHS" --resume --no-render --out "$dir"
  echo "== $label: $(( $(date +%s) - start )) s"
  cp "$dir/runs/$name.jsonl" "$here/$label.jsonl"
done
