#!/usr/bin/env bash
# `search --queries FILE` against a shell loop of single searches over the same queries (issue 20):
# for each mode (top 10 as tsv, --count, --facet month), RUNS rounds of the loop and of --queries alternating,
# wall seconds of each, then the medians and their ratio (loop / --queries).
#
# usage: bench/queries_vs_loop.sh NEWSIDX_BIN DB QUERIES_FILE [RUNS=3]
#   QUERIES_FILE: one query per line, e.g. 300 queries of the evaluation set:
#   /usr/bin/python3 -c 'import json,random; q=[json.loads(l)["query"] for l in open("/tmp/newsidx-eval/details.jsonl")];
#     random.seed(1); random.shuffle(q); print("\n".join(q[:300]))' > /tmp/q300.txt
set -euo pipefail
bin=$(realpath "$1")
db=$2
queries=$3
runs=${4:-3}
seconds() {  # COMMAND...: its wall time in seconds
  local start end
  start=$(date +%s.%N)
  "$@" > /dev/null || [ $? -eq 1 ]  # 1: some query matched nothing
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}
loop() {
  while IFS= read -r q; do "$bin" --db "$db" search "$@" -- "$q" || [ $? -eq 1 ]; done < "$queries"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo "$(wc -l < "$queries") queries from $queries, database $db, $runs rounds"
for mode in "--format tsv" "--count" "--facet month"; do
  read -r -a args <<< "$mode"
  loops=() ones=()
  for r in $(seq 1 "$runs"); do
    loops+=("$(seconds loop "${args[@]}")")
    ones+=("$(seconds "$bin" --db "$db" search --queries "$queries" "${args[@]}")")
    echo "search $mode, round $r: loop ${loops[-1]} s, --queries ${ones[-1]} s"
  done
  l=$(printf '%s\n' "${loops[@]}" | median)
  o=$(printf '%s\n' "${ones[@]}" | median)
  echo "search $mode: median loop $l s, --queries $o s, ratio $(echo "scale=1; $l / $o" | bc)x"
done
