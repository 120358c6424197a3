#!/usr/bin/env bash
# Runs the libFuzzer targets (tests/fuzz) for a bounded time each, with AddressSanitizer,
# UndefinedBehaviorSanitizer and LeakSanitizer, seeded from the fixtures. Any crash, leak or
# input slower than the timeout stops that target and leaves a reproducer in the work folder.
#
# usage: bench/fuzz.sh [SECONDS_PER_TARGET=300] [TARGET...]   work files in ${WORK:-/tmp/newsidx-fuzz}
# Inputs go up to 64 KiB for every target, so that deep nesting and long runs are reachable.
set -euo pipefail
seconds=${1:-300}
targets=(fuzz_article fuzz_query fuzz_html)
if [ $# -gt 1 ]; then shift; targets=("$@"); fi
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(realpath -m "${WORK:-/tmp/newsidx-fuzz}")
build=$(realpath -m "${BUILD:-$top/build-fuzz}")
mkdir -p "$work"

if [ ! -f "$build/CMakeCache.txt" ]; then
  CC=clang CXX=clang++ cmake -S "$top" -B "$build" -DNEWSIDX_FUZZ=ON -DNEWSIDX_BUILD_TESTS=OFF \
    -DNEWSIDX_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
fi
cmake --build "$build" -j"$(nproc)" --target fuzz_article fuzz_query fuzz_html > /dev/null

# Seeds: every fixture article (for the HTML target too: the body of an article is one line of
# HTML after its header), and a list of queries covering the syntax.
mkdir -p "$work/article-corpus" "$work/query-corpus" "$work/html-corpus"
find "$top/data/samples" "$top/tests/fixtures" -type f -size -64k -print0 |
  while IFS= read -r -d '' f; do
    name=$(sha1sum "$f" | cut -c1-16)
    cp "$f" "$work/article-corpus/$name"
    cp "$f" "$work/html-corpus/$name"
  done
i=0
while IFS= read -r q; do printf '%s' "$q" > "$work/query-corpus/seed-$((i++))"; done <<'QUERIES'
习近平 访问
習近平
"Hong Kong" elections
特朗普 OR 拜登 -疫情
(a OR b) NOT c
title:普京 source:voachinese.com date:2020-07..2020-08
date:..2024 author:pierson trump*
Trump 特朗普 said
“新冠疫情”，covid-19
ＴＲＵＭＰ ２０２０
((新冠 OR "Hong Kong") NOT (-疫情 trump*)) date:2020..
NOT NOT (a AND (b OR -c))
QUERIES
# The nesting limit, one past it (k_max_query_depth in query.hpp), far past it, and long runs.
deep() { printf "%${1}s" | tr ' ' '('; printf 'a'; printf "%${1}s" | tr ' ' ')'; }
deep 100 > "$work/query-corpus/seed-deep-100"
deep 101 > "$work/query-corpus/seed-deep-101"
deep 20000 > "$work/query-corpus/seed-deep-20000"
for _ in $(seq 1000); do printf '新冠疫情'; done > "$work/query-corpus/seed-cjk-4000"
for i in $(seq 300); do printf 'w%d OR ' "$i"; done > "$work/query-corpus/seed-300-terms"
# 64 KiB inputs: a long query, and HTML nested 10,000 deep (gumbo's cost grows with the depth).
for _ in $(seq 2184); do printf '(a OR 新冠疫情 -"b c") d* '; done > "$work/query-corpus/seed-64k"  # 65,520 bytes
nested_divs=$(printf '<div>x%.0s' $(seq 10000))
printf '%s' "$nested_divs" > "$work/html-corpus/seed-deep-divs"
printf '<!--1593561600000-->\n[t](https://x.org/t)\n------\n\n%s\n' "$nested_divs" > "$work/article-corpus/seed-deep-divs"

run() {
  local target=$1 max_len=$2
  echo "== $target: ${seconds}s"
  local log="$work/$target.log"
  set +e
  (cd "$work" && "$build/tests/fuzz/$target" "$work/${target#fuzz_}-corpus" -max_total_time="$seconds" \
    -timeout=10 -rss_limit_mb=2048 -max_len="$max_len" -detect_leaks=1 -print_final_stats=1) > "$log" 2>&1
  local rc=$?
  set -e
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb|Done [0-9]+ runs" "$log" | sed 's/^/   /'
  echo "   largest input in the corpus: $(find "$work/${target#fuzz_}-corpus" -type f -printf '%s\n' | sort -n | tail -1) bytes"
  if [ $rc -ne 0 ]; then
    echo "   FAILED (exit $rc): see $log"; grep -E "ERROR|SUMMARY|Test unit written" "$log" | head -5 | sed 's/^/   /'
    return 1
  fi
  echo "   no crash, leak or timeout"
}

status=0
for target in "${targets[@]}"; do run "$target" 65536 || status=1; done
exit $status
