#!/usr/bin/env bash
# `index --watch` on a real corpus: copies it (the watcher needs a tree it may change), indexes
# the copy, starts `index --watch` on it, then adds, edits (sed -i), moves out, moves in and
# deletes a file, creates and deletes a folder with a file in it, and after each change prints
# the searches that show it and how long it took from the change until a search saw it. Then
# times an unchanged full run of the copy (what a rescan costs), stops the watcher with SIGTERM
# and prints its exit status and its stderr (one line per batch, with the commit time).
#
# usage: bench/watch.sh [NEWSIDX_BIN] [CORPUS]
#   defaults: build/newsidx ../shared/corpus; work files in ${WORK:-/tmp/newsidx-watch}
#   (a first build of the 24,497-file corpus takes about 3 minutes on 2 cores; WORK is kept, so
#   a second run reuses the copy and its database)
set -euo pipefail
bin=$(realpath "${1:-build/newsidx}")
corpus=$(realpath "${2:-../shared/corpus}")
work=${WORK:-/tmp/newsidx-watch}
tree=$work/corpus db=$work/db
mkdir -p "$work"
if [ ! -d "$tree" ]; then cp -r "$corpus" "$tree"; fi
rm -rf "$tree/watch-probe" "$tree/watch-probe.md"
echo "first run (or update) of the copy..."
"$bin" --db "$db" index -q "$tree" || [ $? -eq 6 ]

"$bin" --db "$db" index --watch "$tree" 2> "$work/watch.err" &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
until grep -q watching "$work/watch.err"; do sleep 0.1; done
sed -n '$p' "$work/watch.err"

count() { "$bin" --db "$db" search -c "$1" || true; }
# waits until `search -c WORD` prints N, then shows the searches and the time taken.
seen() {
  local word=$1 n=$2 what=$3 t0=$start
  until [ "$(count "$word")" = "$n" ]; do sleep 0.05; done
  printf '%-34s visible after %.2f s:  search -c %s -> %s' "$what" "$(echo "$(date +%s.%N) - $t0" | bc)" "$word" "$n"
  [ -n "${4:-}" ] && printf ',  search -c %s -> %s' "$4" "$(count "$4")"
  echo
}
sample=$(find "$tree" -name '*.md' -size +2k -print -quit)
probe=$tree/watch-probe.md

start=$(date +%s.%N); sed 's/<p>/<p>watchprobe甲 /' "$sample" > "$probe"
seen watchprobe甲 1 "file added"
start=$(date +%s.%N); sed -i 's/watchprobe甲/watchprobe乙/' "$probe"
seen watchprobe乙 1 "file edited (sed -i)" watchprobe甲
start=$(date +%s.%N); mv "$probe" "$work/outside.md"
seen watchprobe乙 0 "file moved out of the tree"
start=$(date +%s.%N); mv "$work/outside.md" "$probe"
seen watchprobe乙 1 "file moved in"
start=$(date +%s.%N); rm "$probe"
seen watchprobe乙 0 "file deleted"
start=$(date +%s.%N); mkdir -p "$tree/watch-probe/a/b"; sed 's/<p>/<p>watchprobe丙 /' "$sample" > "$tree/watch-probe/a/b/x.md"
seen watchprobe丙 1 "new folders and a file in them"
start=$(date +%s.%N); rm -r "$tree/watch-probe"
seen watchprobe丙 0 "folder deleted"

echo "an unchanged full run of the copy (what a rescan costs), 3 times:"
kill -STOP $pid  # the watcher holds no lock between batches; stopped, it cannot take one
for _ in 1 2 3; do /usr/bin/time -f "  %e s" "$bin" --db "$db" index -q "$tree"; done
kill -CONT $pid
kill -TERM $pid
status=0; wait $pid || status=$?
trap - EXIT
echo "watcher exit status after SIGTERM: $status"
echo "--- its stderr:"
cat "$work/watch.err"
