#!/usr/bin/env bash
# Crash-safety check: kills `newsidx index` with SIGKILL at N random moments while it indexes a
# corpus, checks after each kill that the database opens and answers a query, re-runs, and at
# the end compares the finished database with a clean, uninterrupted run: the same URLs with
# the same document data (bench/dump_db.py).
#
# usage: bench/kill_test.sh [NEWSIDX_BIN] [CORPUS] [KILLS]
#   defaults: build/newsidx ../shared/corpus 20; work files in ${WORK:-/tmp/newsidx-kill}
set -euo pipefail
bin=$(realpath "${1:-build/newsidx}")
corpus=$(realpath "${2:-../shared/corpus}")
kills=${3:-20}
work=${WORK:-/tmp/newsidx-kill}
# Small batches so that runs killed after a few seconds have committed something to build on.
args=(index -q --batch "${BATCH:-300}")
here=$(dirname "$(realpath "$0")")
rm -rf "$work" && mkdir -p "$work"

echo "clean run..."
start=$(date +%s.%N)
"$bin" --db "$work/clean.db" "${args[@]}" "$corpus" || [ $? -eq 6 ]
clean_s=$(echo "$(date +%s.%N) - $start" | bc)
echo "clean run took ${clean_s}s"
/usr/bin/python3 "$here/dump_db.py" "$work/clean.db" > "$work/clean.txt"

# The killed database starts with one article, so that every run below takes the incremental path
# (one writer, a commit every BATCH files). A first run into an empty database is a parallel bulk
# build that publishes only when complete: killed, it leaves the empty database and starts over.
# (NUL-separated: corpus file names can hold newlines; cat drains the rest so sort gets no SIGPIPE.)
first=$(find "$corpus" -type f -name '*.md' -print0 | LC_ALL=C sort -z | { IFS= read -r -d '' f; printf '%s' "$f"; cat > /dev/null; })
"$bin" --db "$work/killed.db" "${args[@]}" "$first"

RANDOM=${SEED:-20261121}
for i in $(seq 1 "$kills"); do
  # Each run continues where the last one stopped, so the kills spread over the whole corpus when
  # each waits a random time averaging 1/KILLS of the clean run (uniform in [0, 2*clean/KILLS]).
  delay=$(echo "scale=3; 2 * $clean_s / $kills * $RANDOM / 32768" | bc)
  "$bin" --db "$work/killed.db" "${args[@]}" "$corpus" > /dev/null 2>&1 &
  pid=$!
  sleep "$delay"
  if kill -9 "$pid" 2> /dev/null; then state=killed; else state=finished; fi
  wait "$pid" 2> /dev/null || true
  docs=$(/usr/bin/python3 -c "import xapian,sys; print(xapian.Database(sys.argv[1]).get_doccount())" "$work/killed.db" 2>&1 || echo "OPEN FAILED")
  rc=0; "$bin" --db "$work/killed.db" search --limit 1 香港 > /dev/null 2>&1 || rc=$?
  echo "kill $i at ${delay}s: $state; database opens with $docs documents; search exit $rc"
  if [ "$docs" = "OPEN FAILED" ] || [ "$rc" -gt 1 ]; then echo "FAIL: database unusable after kill $i"; exit 1; fi
done

echo "final run to completion..."
"$bin" --db "$work/killed.db" "${args[@]}" "$corpus" || [ $? -eq 6 ]
/usr/bin/python3 "$here/dump_db.py" "$work/killed.db" > "$work/killed.txt"
if cmp -s "$work/clean.txt" "$work/killed.txt"; then
  echo "PASS: $(wc -l < "$work/clean.txt") documents, identical URLs and document data after $kills kills"
else
  echo "FAIL: databases differ:"; diff "$work/clean.txt" "$work/killed.txt" | head -20; exit 1
fi
