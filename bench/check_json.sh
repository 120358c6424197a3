#!/usr/bin/env bash
# Checks that `newsidx search --format json` prints valid JSON (python3 -m json.tool) for every
# query of the evaluation set (WORK/details.jsonl, written by bench/eval_quality.py), and that
# jsonl prints one valid object per line.
#
# usage: bench/check_json.sh [NEWSIDX_BIN] [DB]    WORK defaults to /tmp/newsidx-eval
set -euo pipefail
bin=${1:-build/newsidx}
work=${WORK:-/tmp/newsidx-eval}
db=${2:-$work/newsidx.db}
total=0 bad=0
while IFS= read -r -d '' query; do
  total=$((total + 1))
  ok=1
  # Exit status 1 means "no results": the output must still be valid ("[]", or no lines).
  s=0; "$bin" --db "$db" search --format json -- "$query" > "$work/check.json" || s=$?
  [ "$s" -le 1 ] && python3 -m json.tool "$work/check.json" > /dev/null || ok=0
  s=0; "$bin" --db "$db" search --format jsonl --limit 0 -- "$query" > "$work/check.jsonl" || s=$?
  [ "$s" -le 1 ] && python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$work/check.jsonl" || ok=0
  if [ "$ok" -ne 1 ]; then bad=$((bad + 1)); echo "INVALID: $query"; fi
done < <(/usr/bin/python3 -c '
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    sys.stdout.write(json.loads(line)["query"] + "\0")' "$work/details.jsonl")
echo "$((total - bad)) of $total queries gave valid JSON and JSON Lines"
[ "$bad" -eq 0 ]
