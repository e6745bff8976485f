#!/usr/bin/env bash
# Runs every chapter at its quick default (seeded, figures not rendered) into a scratch folder and
# prints one line per emitted data file: its SHA-256 and its path. Run it before and after a change that
# must not change behaviour, and compare the two listings:
#
#   bash scripts/chapter-output-digest.sh > before.txt
#   ... change the code, rebuild ...
#   bash scripts/chapter-output-digest.sh > after.txt
#   diff before.txt after.txt
#
# Files that hold wall-clock measurements (chapter 7's timings, chapter 4's SVD cost, run times in
# logs and summaries) differ between any two runs; they are listed separately at the end, under
# "# timed", with their line counts only, so that a diff shows the deterministic files by content.
#
# Settings: GRUKIT_BIN (default .build/release), CHAPTERS (default: every Chapters/NN-slug).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${GRUKIT_BIN:-.build/release}
chapters=${CHAPTERS:-$(ls Chapters)}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

for c in $chapters; do
    args=(--out "$scratch/$c" --no-render)
    [ "$c" = 05-penn-treebank ] && args+=(--from-logs results/ptb-paper)
    echo "running ch$c" >&2
    "$bin/ch$c" "${args[@]}" > "$scratch/$c.stdout"
done

# Files whose content includes measured time (chapter 8's stabiliser summary has ms per step): compared
# by shape (line count), not by bytes. Training logs (.jsonl) are compared by content with their
# "seconds" fields removed.
timed='(^|/)(07-cost/|.*time.*|.*cost.*|values\.tsv$|.*\.checkpoint\.|08-trained-dynamics/stabiliser-summary\.dat)'
cd "$scratch"
find . -type f \( -name '*.dat' -o -name '*.md' -o -name '*.tsv' -o -name '*.jsonl' -o -name '*.csv' \) \
    | sed 's|^\./||' | LC_ALL=C sort > files.txt
grep -Ev "$timed" files.txt | while read -r f; do
    case "$f" in
        *.jsonl) echo "$(sed -E 's/"seconds":[-+0-9.eE]+,?//g' "$f" | sha256sum | cut -d' ' -f1)  $f (without seconds)" ;;
        *) sha256sum "$f" ;;
    esac
done
echo "# timed"
grep -E "$timed" files.txt | while read -r f; do echo "$(wc -l < "$f") lines  $f"; done
