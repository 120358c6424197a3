#!/usr/bin/env bash
# Timings of keeping an index in step (median material for issue reports): a full index of a
# copy of the corpus, an unchanged re-run, and a re-run after changing 1% of the files (a
# newline appended), RUNS times. Prints wall seconds and peak RSS of each.
#
# usage: bench/incremental.sh [NEWSIDX_BIN=build/newsidx] [CORPUS=../shared/corpus] [RUNS=3]
set -euo pipefail
bin=$(realpath "${1:-build/newsidx}")
corpus=$(realpath "${2:-../shared/corpus}")
runs=${3:-3}
work=${WORK:-/tmp/newsidx-incremental}
rm -rf "$work" && mkdir -p "$work"
cp -r "$corpus" "$work/corpus"
for r in $(seq 1 "$runs"); do
  rm -rf "$work/db"
  /usr/bin/time -f "run $r full: %e s, peak RSS %M KB" "$bin" --db "$work/db" index -q "$work/corpus" || [ $? -eq 6 ]
  /usr/bin/time -f "run $r unchanged: %e s, peak RSS %M KB" "$bin" --db "$work/db" index -q "$work/corpus" || [ $? -eq 6 ]
  find "$work/corpus" -type f -name '*.md' -print0 | sort -z |
    awk -v RS='\0' -v ORS='\0' -v seed="$r" 'BEGIN { srand(seed) } rand() < 0.01' |
    while IFS= read -r -d '' f; do printf '\n' >> "$f"; done
  /usr/bin/time -f "run $r 1% changed: %e s, peak RSS %M KB" "$bin" --db "$work/db" index -q "$work/corpus" || [ $? -eq 6 ]
done
