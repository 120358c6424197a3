#!/usr/bin/env bash
# Crash-safety check: kills `newsidx index` with SIGKILL at N random moments while it indexes a
# corpus, checks after each kill that the database opens and answers a query, re-runs, and at
# the end compares the finished database with a clean, uninterrupted run: the same URLs with
# the same document data (bench/dump_db.py).
#
# Two modes:
#   incremental (default): the database starts with one article, so every run updates it in
#     place (one writer, a commit every BATCH files); the kills spread over one chain of runs.
#   --first-build: every round starts from an empty database (a bulk build into part
#     databases), kills it at a random moment, counts the articles it kept, re-runs it to the end
#     (timed against the clean build) and compares the result with the clean run.
#
#   SHARD_BY=year|month (either mode): the clean and the killed databases are date-sharded; in
#     incremental mode every run then updates the shards in place.
#
# usage: [SHARD_BY=year] bench/kill_test.sh [--first-build] [NEWSIDX_BIN] [CORPUS] [KILLS]
#   defaults: build/newsidx ../shared/corpus 20; work files in ${WORK:-/tmp/newsidx-kill}
set -euo pipefail
mode=incremental
if [ "${1:-}" = "--first-build" ]; then mode=first-build; shift; fi
bin=$(realpath "${1:-build/newsidx}")
corpus=$(realpath "${2:-../shared/corpus}")
kills=${3:-20}
work=${WORK:-/tmp/newsidx-kill}
# Small batches so that runs killed after a few seconds have committed something to build on.
args=(index -q --batch "${BATCH:-300}")
[ -n "${SHARD_BY:-}" ] && args+=(--shard-by "$SHARD_BY")
here=$(dirname "$(realpath "$0")")
rm -rf "$work" && mkdir -p "$work"

echo "clean run..."
start=$(date +%s.%N)
"$bin" --db "$work/clean.db" "${args[@]}" "$corpus" || [ $? -eq 6 ]
clean_s=$(echo "$(date +%s.%N) - $start" | bc)
echo "clean run took ${clean_s}s"
/usr/bin/python3 "$here/dump_db.py" "$work/clean.db" > "$work/clean.txt"
clean_docs=$(wc -l < "$work/clean.txt")
doccount() { /usr/bin/python3 -c "import xapian,sys; print(xapian.Database(sys.argv[1]).get_doccount())" "$1" 2>&1 || echo "OPEN FAILED"; }

if [ "$mode" = first-build ]; then
  RANDOM=${SEED:-20261201}
  failures=0
  for i in $(seq 1 "$kills"); do
    rm -rf "$work/killed.db"
    delay=$(echo "scale=3; $clean_s * $RANDOM / 32768" | bc)  # uniform over the clean build's time
    "$bin" --db "$work/killed.db" "${args[@]}" "$corpus" > /dev/null 2>&1 &
    pid=$!
    sleep "$delay"
    if kill -9 "$pid" 2> /dev/null; then state=killed; else state=finished; fi
    wait "$pid" 2> /dev/null || true
    kept=$(doccount "$work/killed.db")
    rc=0; "$bin" --db "$work/killed.db" search --limit 1 香港 > /dev/null 2>&1 || rc=$?
    start=$(date +%s.%N)
    "$bin" --db "$work/killed.db" "${args[@]}" "$corpus" > /dev/null 2> "$work/rerun.err" || [ $? -eq 6 ]
    rerun_s=$(echo "$(date +%s.%N) - $start" | bc)
    /usr/bin/python3 "$here/dump_db.py" "$work/killed.db" > "$work/killed.txt"
    if cmp -s "$work/clean.txt" "$work/killed.txt"; then same=identical; else same=DIFFERENT; failures=$((failures + 1)); fi
    printf 'kill %2d at %6.2fs: %s; kept %s of %s articles (search exit %s); re-run %.1fs (%.0f%% of the clean build); final database %s\n' \
      "$i" "$delay" "$state" "$kept" "$clean_docs" "$rc" "$rerun_s" "$(echo "100 * $rerun_s / $clean_s" | bc -l)" "$same"
    if [ "$kept" = "OPEN FAILED" ] || [ "$rc" -gt 1 ]; then echo "FAIL: database unusable after kill $i"; failures=$((failures + 1)); fi
  done
  if [ "$failures" -eq 0 ]; then echo "PASS: $kills kills of a first build, every re-run identical to the clean run"; exit 0; fi
  echo "FAIL: $failures of $kills rounds"; exit 1
fi

# The killed database starts with one article (not a top-level README), so that every run below takes the incremental path
# (one writer, a commit every BATCH files); --first-build tests the bulk build instead.
# (NUL-separated: corpus file names can hold newlines; cat drains the rest so sort gets no SIGPIPE.)
first=$(find "$corpus" -mindepth 2 -type f -name '*.md' -print0 | LC_ALL=C sort -z | { IFS= read -r -d '' f; printf '%s' "$f"; cat > /dev/null; })
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
  docs=$(doccount "$work/killed.db")
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
