#!/usr/bin/env bash
# Counts the lines of code of each chapter's main.swift: what is left after removing comments (the
# prose: `//` lines and `/* … */` blocks) and blank lines. The chapters aim at about 120 each.
#
#   bash scripts/chapter-code-lines.sh            # every chapter
#   bash scripts/chapter-code-lines.sh 04-projection
set -euo pipefail
cd "$(dirname "$0")/.."
chapters=${*:-$(ls Chapters)}
for c in $chapters; do
    python3 - "Chapters/$c/main.swift" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
text = re.sub(r'/\*.*?\*/', '', text, flags=re.S)            # block comments (prose cells)
lines = [l for l in text.split('\n') if l.strip() and not l.strip().startswith('//')]
print(f"{len(lines):5d}  {sys.argv[1]}")
PY
done
