#!/usr/bin/env bash
# Trains chapter 5's standard-scale grid whose logs are committed in this folder: plain SGD, clipping
# at every threshold of the standard grid and the projection at every δ of it (`--tune`), at the
# learning rates given (default: all of the standard scale's), three seeds each, two runs at a time
# (`--jobs 2`, one BLAS thread each). Every run goes into $OUT/runs/ (default: runs-ptb-standard, not
# committed) and is started with --resume, so an interrupted grid continues where it stopped; the
# finished logs are then copied here.
#
#   results/ptb-standard/run-grid.sh            # rates 1, 10 and 40 (about 3 hours on 2 cores)
#   results/ptb-standard/run-grid.sh 10 40      # only these rates, in this order
#
# Settings: BIN (the ch05-penn-treebank executable, default .build/release/ch05-penn-treebank), OUT, JOBS (default 2).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
BIN="${BIN:-$root/.build/release/ch05-penn-treebank}"
OUT="${OUT:-$root/runs-ptb-standard}"
JOBS="${JOBS:-2}"
rates=("$@"); [[ ${#rates[@]} -gt 0 ]] || rates=(1 10 40)
mkdir -p "$OUT"
for lr in "${rates[@]}"; do
  echo "== rate $lr: $(basename "$BIN") --scale standard --tune --lrs $lr --jobs $JOBS --resume"
  start=$(date +%s)
  status=0
  "$BIN" --scale standard --tune --lrs "$lr" --jobs "$JOBS" --resume --no-render --out "$OUT" > "$OUT/lr$lr.txt" || status=$?
  echo "== rate $lr: $(( $(date +%s) - start )) s, exit status $status (its output: $OUT/lr$lr.txt)"
  for log in "$OUT"/runs/*-lr"$lr"-s*.jsonl; do cp "$log" "$here/"; done
done
