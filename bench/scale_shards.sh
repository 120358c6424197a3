#!/usr/bin/env bash
# A year-sharded database at scale (issue 17): on the generated corpus (bench/gen_corpus.py),
# the first build, an unchanged re-run, a re-run after adding 1 % new files spread over every
# period, one after deleting 1 %, then an unsharded build of the same files and the query latency
# of both side by side (bench/bench.py --baseline-db). Prints wall seconds, peak RSS and the bytes
# the run wrote (write_bytes of /proc/PID/io: what it sent to the storage layer) of each run.
#
# N + N/100 articles are generated; every 101st (spread over 2011–2025, since publish times grow
# with the article number) is held back from the first build and added in the "1 % added" step;
# the "1 % deleted" step deletes as many others.
#
# usage: bench/scale_shards.sh NEWSIDX_BIN [N=1000000] [WORK=/tmp/newsidx-scale]
#        UPDATES_ONLY=1 bench/scale_shards.sh NEWSIDX_BIN [N] [WORK]
#        (after a full run: only the deleted files coming back and going again, then the queries)
set -euo pipefail
bin=$(realpath "$1")
n=${2:-1000000}
work=${3:-/tmp/newsidx-scale}
here=$(dirname "$(realpath "$0")")
corpus=$work/corpus
held=$work/held
mkdir -p "$work"

# LABEL ARGS...: one `newsidx ARGS...` run (LABEL is a /usr/bin/time format: % is written %%) (exit 6, some files failed, allowed) with its figures.
measured() {
  local label=$1
  shift
  /usr/bin/time -f "$label: %e s wall, %U s user, %S s system, peak RSS %M KB" \
    bash -c '"$@" || [ $? -eq 6 ]; awk -v label="$0" '\''/^write_bytes/ { gsub(/%%/, "%", label); printf "%s: wrote %.2f GB\n", label, $2 / 1e9 }'\'' /proc/$$/io' \
    "$label" "$bin" "$@"
}

sharded=$work/year.db
flat=$work/flat.db

# Deletes every 101st file counting from 50 (spread over the periods too), kept in $work/deleted
# for the next run.
delete_some() {
  (cd "$corpus" && find . -name '*.md' | awk -F/ '{ n = $3; sub(/\.md$/, "", n); if (n % 101 == 50) print }') |
    while IFS= read -r f; do
      mkdir -p "$work/deleted/$(dirname "$f")"
      mv "$corpus/$f" "$work/deleted/$f"
    done
}

full_run() {
  if [ ! -d "$corpus" ]; then
    python3 "$here/gen_corpus.py" "$here/../../shared/corpus" "$corpus" $((n + n / 100))
    # Every 101st article is held back: the 1 % added later.
    (cd "$corpus" && find . -name '*.md' | awk -F/ '{ n = $3; sub(/\.md$/, "", n); if (n % 101 == 0) print }' |
      sort > "$work/held.txt")
    while IFS= read -r f; do
      mkdir -p "$held/$(dirname "$f")"
      mv "$corpus/$f" "$held/$f"
    done < "$work/held.txt"
  else  # a run before: back to the corpus of the first build
    [ -d "$work/deleted" ] && cp -a "$work/deleted/." "$corpus/" && rm -rf "$work/deleted"
    (cd "$corpus" && xargs rm -f < "$work/held.txt")
  fi
  echo "corpus: $(find "$corpus" -name '*.md' | wc -l) articles, held back: $(find "$held" -name '*.md' | wc -l)"
  rm -rf "$sharded" "$flat"
  measured "sharded first build" --db "$sharded" index -q --shard-by year "$corpus"
  measured "sharded unchanged" --db "$sharded" index -q "$corpus"
  cp -a "$held/." "$corpus/"
  measured "sharded 1%% added" --db "$sharded" index -q "$corpus"
  delete_some
  measured "sharded 1%% deleted" --db "$sharded" index -q "$corpus"
  echo "sharded: $(du -sb "$sharded" | cut -f1) bytes; $("$bin" --db "$sharded" stats | head -3 | tr '\n' ' ')"
  measured "unsharded build" --db "$flat" index -q "$corpus"
  echo "unsharded: $(du -sb "$flat" | cut -f1) bytes"
}

# After a full run: the deleted files come back (indexed again), then go again.
updates_only() {
  cp -a "$work/deleted/." "$corpus/" && rm -rf "$work/deleted"
  measured "sharded 1%% deleted files back" --db "$sharded" index -q "$corpus"
  delete_some
  measured "sharded 1%% deleted" --db "$sharded" index -q "$corpus"
  echo "sharded: $(du -sb "$sharded" | cut -f1) bytes"
}

if [ -n "${UPDATES_ONLY:-}" ]; then updates_only; else full_run; fi
/usr/bin/python3 "$here/bench.py" --queries-only --bin "$bin" --db "$sharded" --baseline-db "$flat" --corpus "$corpus" \
  --skip-omindex --skip-rg --repeat 5
