#!/usr/bin/env bash
# hostile_output.sh — hostile article files against the real binary: terminal escapes in titles,
# URLs and file names, file names that are not UTF-8, bodies with invalid UTF-8 (issue 14).
#
# Usage: bench/hostile_output.sh path/to/newsidx
# Builds every input in a temporary folder (no hostile name is committed), runs newsidx on it,
# and prints one "PASS name" / "FAIL name: why" line per case, then "N passed, N failed".
# Exit status 0 only if every case passed. Each case is a function case_NAME; the helpers come
# first, so that the cases can be merged into a larger script.
set -u

# --- helpers -----------------------------------------------------------------------------------

BIN=$(readlink -f "${1:?usage: bench/hostile_output.sh path/to/newsidx}")
[[ -x $BIN ]] || { echo "not an executable: $BIN" >&2; exit 2; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/newsidx-hostile-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
passed=0
failed=0

pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }

# A fresh folder for one case: sets D; articles go to $D/in, the database is $D/db.
fresh() { D="$WORK/$1"; mkdir -p "$D/in"; }

# newsidx on the case's database, in its folder, as a person without a terminal would run it.
nx() { (cd "$D" && env -u NEWSIDX_DB -u XDG_DATA_HOME HOME="$D" NO_COLOR=1 COLUMNS=80 "$BIN" --db "$D/db" "$@"); }

# article FILE EPOCH_MS TITLE URL BODY_HTML: one feed-exported article, bytes as given.
article() { printf '<!--%s-->\n[%s](%s)\n------\n\n%s\n' "$2" "$3" "$4" "$5" > "$1"; }

# True if file $1 holds a byte or code point a terminal acts on: C0 (but tab, newline), DEL, C1
# (U+0080..U+009F), a bidi embedding/override/isolate, or invalid UTF-8.
raw_controls() {
  LC_ALL=C grep -qaP '[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]' "$1" && return 0
  ! iconv -f UTF-8 -t UTF-8 "$1" > /dev/null 2>&1
}

# clean NAME FILE...: fails NAME unless every FILE is free of raw controls; else returns 0.
clean() {
  local name=$1 f
  shift
  for f in "$@"; do
    if raw_controls "$f"; then
      fail "$name" "raw control in $(basename "$f"): $(LC_ALL=C cat -v "$f" | head -c 200)"
      return 1
    fi
  done
}

# The JSON value of key $2 in the first line of file $1 (python3 json, exact).
json_get() { python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())[sys.argv[2]], end="")' "$1" "$2"; }

T0=1593561600000

# A title holding escape $2 is shown escaped by every printer for people, exact in JSON.
title_case() {
  local name=$1 esc=$2
  fresh "$name"
  local title="标题${esc}尾巴"
  article "$D/in/a.md" $T0 "$title" "https://x.org/$name" "<p>北京新闻内容后文</p>"
  # `similar in/seed.md` lists a.md (a third article gives the shared words their weight).
  article "$D/in/seed.md" $T0 "种子" "https://x.org/seed" "<p>北京新闻内容后文</p>"
  article "$D/in/other.md" $T0 "其他" "https://x.org/other" "<p>美国总统今天抵达</p>"
  nx index -v in > "$D/index.out" 2> "$D/index.err" || { fail "$name" "index failed"; return; }
  local id
  nx search --format jsonl 标题 > "$D/json" || { fail "$name" "search found nothing"; return; }
  id=$(json_get "$D/json" id)
  nx search 标题 > "$D/text"
  nx search --format tsv --fields title,path,url 标题 > "$D/tsv"
  nx show "$id" > "$D/show"
  nx similar in/seed.md > "$D/similar" || { fail "$name" "similar found nothing"; return; }
  nx stats > "$D/stats"
  clean "$name" "$D/text" "$D/tsv" "$D/show" "$D/similar" "$D/stats" "$D/index.err" || return
  [[ $(json_get "$D/json" title) == "$title" ]] || { fail "$name" "JSON title is not exact"; return; }
  pass "$name"
}

# --- cases -------------------------------------------------------------------------------------

case_title_csi_clear_screen() { title_case title_csi_clear_screen $'\e[2J\e[H'; }
case_title_osc_window_title() { title_case title_osc_window_title $'\e]0;pwned\a'; }
case_title_osc52_clipboard() { title_case title_osc52_clipboard $'\e]52;c;cm0gLXJmIH4=\a'; }
case_title_c1_csi() { title_case title_c1_csi $'\xc2\x9b31m'; }
case_title_del_and_bel() { title_case title_del_and_bel $'\x7f\a\b'; }
case_title_bidi_override() { title_case title_bidi_override $'\u202egnp.exe'; }
case_title_bidi_isolate() { title_case title_bidi_isolate $'\u2066\u2067\u2068\u2069'; }

# A file name holding $2 is shown as $3 (a grep pattern) in text, tsv, `show` and the stderr of
# `index` and of an error naming it; `paths -0` gives its exact bytes.
filename_case() {
  local name=$1 file=$2 shown=$3
  fresh "$name"
  article "$D/in/$file" $T0 "文件名" "https://x.org/$name" "<p>奇怪的文件名</p>"
  nx index -v in > /dev/null 2> "$D/index.err"
  nx search 奇怪的文件名 > "$D/text"
  nx search --format tsv 奇怪的文件名 > "$D/tsv"
  nx show "in/$file" > "$D/show"
  nx show "in/$file.missing" > /dev/null 2> "$D/err"
  clean "$name" "$D/text" "$D/tsv" "$D/show" "$D/err" "$D/index.err" || return
  grep -q "$shown" "$D/text" || { fail "$name" "text does not show $shown"; return; }
  nx search --format paths -0 奇怪的文件名 > "$D/paths"
  cmp -s "$D/paths" <(printf 'in/%s\0' "$file") || { fail "$name" "paths -0 is not the exact name"; return; }
  pass "$name"
}

case_filename_esc() { filename_case filename_esc $'evil\e[31m\e]0;x\a.md' 'evil\\x1b\[31m\\x1b\]0;x\\x07'; }
# The "Trojan Source" trick on a name: report<RLO>fdp.md shows as "reportdm.pdf".
case_filename_bidi() { filename_case filename_bidi $'report\u202efdp.md' 'report\\u202efdp'; }

# A name that is not UTF-8: paths -0 gives its bytes (xargs -0 cat opens it), JSON gives
# path_bytes, text shows \xNN; deleting the file sweeps it.
case_filename_not_utf8() {
  fresh filename_not_utf8
  local name=$'\xff\xfe名.md'
  article "$D/in/$name" $T0 "非UTF8" "https://x.org/raw" "<p>独特内容甲乙丙</p>"
  nx index in 2> "$D/index.err" || { fail filename_not_utf8 "index failed"; return; }
  nx search --format paths -0 独特内容 > "$D/paths"
  cmp -s "$D/paths" <(printf 'in/%s\0' "$name") || { fail filename_not_utf8 "paths -0 is not the exact name"; return; }
  (cd "$D" && xargs -0 cat < paths) | grep -q 独特内容 || { fail filename_not_utf8 "xargs -0 cat cannot open it"; return; }
  nx search --format jsonl 独特内容 > "$D/json"
  cmp -s <(json_get "$D/json" path_bytes | base64 -d) <(printf 'in/%s' "$name") ||
    { fail filename_not_utf8 "path_bytes does not decode to the name"; return; }
  nx search 独特内容 > "$D/text"
  nx search --format tsv 独特内容 > "$D/tsv"
  clean filename_not_utf8 "$D/text" "$D/tsv" || return
  grep -q 'in/\\xff\\xfe名.md' "$D/text" || { fail filename_not_utf8 "text does not show \\xff\\xfe"; return; }
  rm "$D/in/$name"
  nx index in 2> "$D/again.err"
  grep -q 'removed 1' "$D/again.err" || { fail filename_not_utf8 "the sweep did not remove it"; return; }
  nx search 独特内容 > /dev/null && { fail filename_not_utf8 "still found after deletion"; return; }
  pass filename_not_utf8
}

# Two copies of one URL with names that are not UTF-8: deleting the indexed one promotes the
# other, which is read again from disk by its exact name.
case_duplicate_not_utf8_promoted() {
  fresh duplicate_not_utf8_promoted
  article "$D/in/a"$'\xff'".md" $T0 "副本" "https://x.org/dup" "<p>旧版本的正文</p>"
  article "$D/in/b"$'\xfe'".md" $((T0 + 3600000)) "副本" "https://x.org/dup" "<p>新版本的正文</p>"
  nx index in 2> /dev/null
  rm "$D/in/b"$'\xfe'".md"
  nx index in 2> /dev/null
  nx search --format paths -0 旧版本 > "$D/paths"
  cmp -s "$D/paths" <(printf 'in/a\xff.md\0') || { fail duplicate_not_utf8_promoted "older copy not promoted"; return; }
  pass duplicate_not_utf8_promoted
}

# A URL host with ESC: `stats` and `--facet source` show the source escaped.
case_source_host_esc() {
  fresh source_host_esc
  article "$D/in/a.md" $T0 "来源" $'https://evil\e[2J\e]0;x\a.example/1' "<p>来源测试</p>"
  nx index in 2> /dev/null
  nx stats > "$D/stats"
  nx search --facet source 来源测试 > "$D/facet"
  nx search 来源测试 > "$D/text"
  clean source_host_esc "$D/stats" "$D/facet" "$D/text" || return
  grep -q 'evil\\x1b\[2j' "$D/stats" || { fail source_host_esc "stats does not show the host"; return; }
  pass source_host_esc
}

# Escapes in the body HTML: `show`, the snippet and `show --html` are clean.
case_body_escapes() {
  fresh body_escapes
  article "$D/in/a.md" $T0 "正文" "https://x.org/body" $'<p>北京\e[2J新闻\xc2\x9b31m\u202e内容</p>\n<p>第二段\e]52;c;eA==\a</p>'
  nx index in 2> /dev/null
  nx search 北京新闻 > "$D/text"
  nx show in/a.md > "$D/show"
  nx show --html in/a.md > "$D/html"
  clean body_escapes "$D/text" "$D/show" "$D/html" || return
  pass body_escapes
}

# A few invalid UTF-8 bytes: indexed with a warning naming their number, and found.
case_body_few_invalid_utf8() {
  fresh body_few_invalid_utf8
  article "$D/in/latin1.md" $T0 $'Caf\xe9 news' "https://x.org/latin1" $'<p>The caf\xe9 reopened on Monday, \xff\xfe said the owner.</p>'
  nx index in 2> "$D/index.err"
  local rc=$?
  [[ $rc == 0 ]] || { fail body_few_invalid_utf8 "index exit $rc: $(head -c 200 "$D/index.err")"; return; }
  grep -q 'in/latin1.md: warning: 4 invalid UTF-8 bytes replaced' "$D/index.err" ||
    { fail body_few_invalid_utf8 "no warning: $(head -c 200 "$D/index.err")"; return; }
  nx search reopened > "$D/text" || { fail body_few_invalid_utf8 "not found"; return; }
  clean body_few_invalid_utf8 "$D/text" || return
  pass body_few_invalid_utf8
}

# A file that is mostly not text fails with a reason and exit status 6; the rest is indexed.
case_body_mostly_invalid_utf8() {
  fresh body_mostly_invalid_utf8
  article "$D/in/junk.md" $T0 "垃圾" "https://x.org/junk" "<p>$(printf '\xff\xfe%.0s' {1..200})</p>"
  article "$D/in/good.md" $T0 "正常" "https://x.org/good" "<p>正常的文章</p>"
  nx index in 2> "$D/index.err"
  local rc=$?
  [[ $rc == 6 ]] || { fail body_mostly_invalid_utf8 "exit $rc, not 6"; return; }
  grep -q 'in/junk.md: invalid UTF-8: 400 of' "$D/index.err" ||
    { fail body_mostly_invalid_utf8 "no reason: $(head -c 200 "$D/index.err")"; return; }
  nx search 正常 > /dev/null || { fail body_mostly_invalid_utf8 "the good file is not indexed"; return; }
  pass body_mostly_invalid_utf8
}

# A real GBK file is still converted, not replaced with U+FFFD.
case_gbk_still_converted() {
  fresh gbk_still_converted
  article "$D/in/utf8.tmp" $T0 "国内生产总值" "https://x.org/gbk" \
    "<p>国家统计局今天公布的数据显示，今年第一季度国内生产总值同比增长百分之五，经济运行总体平稳。</p>"
  iconv -f UTF-8 -t GBK "$D/in/utf8.tmp" > "$D/in/gbk.md" && rm "$D/in/utf8.tmp"
  nx index in 2> "$D/index.err"
  grep -q 'in/gbk.md: warning: decoded from GB18030' "$D/index.err" ||
    { fail gbk_still_converted "not converted: $(head -c 200 "$D/index.err")"; return; }
  nx search 国内生产总值 > /dev/null || { fail gbk_still_converted "not found"; return; }
  pass gbk_still_converted
}

# --- run ---------------------------------------------------------------------------------------

for c in $(declare -F | awk '$3 ~ /^case_/ {print $3}'); do "$c"; done
echo "$passed passed, $failed failed"
[[ $failed == 0 ]]
