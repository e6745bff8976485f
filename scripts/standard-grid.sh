#!/usr/bin/env bash
# Trains the standard-scale grid of chapter 5 (ptb) or 6 (nottingham, the model under the theory's
# assumptions) whose logs are committed in results/ptb-standard/ and results/nottingham-standard/:
# plain SGD, clipping at every threshold of the standard grid and the projection at every δ of it
# (`--tune`), three seeds each, two runs at a time (`--jobs 2`, one BLAS thread each), one learning
# rate after another. Every run goes into $OUT/runs/ (default: runs-ptb-standard or
# runs-nottingham-standard, not committed) and is started with --resume, so an interrupted grid
# continues where it stopped; after each rate its finished logs are copied into the results folder.
#
#   scripts/standard-grid.sh ptb                 # rates 1, 10 and 40
#   scripts/standard-grid.sh ptb 10 40           # only these rates, in this order
#   scripts/standard-grid.sh nottingham          # rates 1, 3 and 10
#   scripts/standard-grid.sh ptb probe           # the probe above the grid: rate 100 at the knobs
#                                                # tuned at 40 (ProbeRate in the chapters' settings)
#
# Settings: BIN (the chapter's executable, default .build/release/chNN-…), OUT, JOBS (default 2).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
case "${1:-}" in
  ptb)        exe=ch05-penn-treebank; flags=(); default_rates=(1 10 40); probe=(--lrs 100 --clips 0.25 --deltas 0.5) ;;
  nottingham) exe=ch06-nottingham; flags=(--model assumptions); default_rates=(1 3 10); probe=(--lrs 30 --clips 0.25 --deltas 0.1) ;;
  *) echo "usage: scripts/standard-grid.sh ptb|nottingham [RATE|probe ...]" >&2; exit 64 ;;
esac
data="$1"; shift
results="$root/results/$data-standard"
BIN="${BIN:-$root/.build/release/$exe}"
OUT="${OUT:-$root/runs-$data-standard}"
JOBS="${JOBS:-2}"
rates=("$@"); [[ ${#rates[@]} -gt 0 ]] || rates=("${default_rates[@]}")
mkdir -p "$OUT" "$results"
for lr in "${rates[@]}"; do
  grid=(--lrs "$lr")
  if [[ "$lr" == probe ]]; then grid=("${probe[@]}"); lr="${probe[1]}"; fi
  echo "== rate $lr: $exe --scale standard ${flags[*]} --tune ${grid[*]} --jobs $JOBS --resume"
  start=$(date +%s)
  status=0
  "$BIN" --scale standard "${flags[@]}" --tune "${grid[@]}" --jobs "$JOBS" --resume --no-render --out "$OUT" > "$OUT/lr$lr.txt" || status=$?
  echo "== rate $lr: $(( $(date +%s) - start )) s, exit status $status (its output: $OUT/lr$lr.txt)"
  # Only the logs of runs that ended (tested or diverged): a run still training is not evidence yet.
  for log in "$OUT"/runs/*-lr"$lr"-s*.jsonl; do
    if tail -n 1 "$log" | grep -q '"type":"\(test\|diverged\)"'; then cp "$log" "$results/"; fi
  done
done
