#!/usr/bin/env bash
# Timings of keeping an index in step (median material for issue reports): a full index of a
# copy of the corpus, an unchanged re-run, a re-run after changing 1% of the files (a newline
# appended), and a re-run after adding 1% new files (copies of random files with another URL:
# new articles of their own periods), RUNS times. Prints wall seconds and peak RSS of each.
#
# usage: [SHARD_BY=year|month] bench/incremental.sh [NEWSIDX_BIN=build/newsidx] [CORPUS=../shared/corpus] [RUNS=3]
set -euo pipefail
bin=$(realpath "${1:-build/newsidx}")
corpus=$(realpath "${2:-../shared/corpus}")
runs=${3:-3}
work=${WORK:-/tmp/newsidx-incremental}
shard=()
[ -n "${SHARD_BY:-}" ] && shard=(--shard-by "$SHARD_BY")
rm -rf "$work" && mkdir -p "$work"
timed() {  # LABEL ARGS...: one run of newsidx index, exit 6 (some files failed) allowed
  local label=$1  # a /usr/bin/time format: % is written %%
  shift
  /usr/bin/time -f "$label: %e s, peak RSS %M KB" "$bin" --db "$work/db" index -q "$@" "$work/corpus" || [ $? -eq 6 ]
}
# 1% of the corpus's .md files, chosen with seed $1, NUL-separated.
sample() {
  find "$work/corpus" -type f -name '*.md' -print0 | sort -z |
    awk -v RS='\0' -v ORS='\0' -v seed="$1" 'BEGIN { srand(seed) } rand() < 0.01'
}
for r in $(seq 1 "$runs"); do
  rm -rf "$work/db" "$work/corpus"
  cp -r "$corpus" "$work/corpus"
  timed "run $r full" "${shard[@]}"
  timed "run $r unchanged"
  sample "$r" | while IFS= read -r -d '' f; do printf '\n' >> "$f"; done
  timed "run $r 1%% changed"
  mkdir -p "$work/corpus/added"
  n=0
  sample "$((r + 100))" | while IFS= read -r -d '' f; do
    n=$((n + 1))
    sed "2s/)\s*$/#added-$n)/; s/^from: .*/&#added-$n/" "$f" > "$work/corpus/added/$n.md"
  done
  echo "run $r: added $(find "$work/corpus/added" -type f | wc -l) files"
  timed "run $r 1%% added"
done
