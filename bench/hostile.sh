#!/usr/bin/env bash
# hostile.sh — hostile input and faults against the real binary (issue 14): terminal escapes in
# titles, URLs and file names; file names that are not UTF-8; invalid UTF-8, binary, huge, deep
# and damaged articles; FIFOs, devices, symlink loops, unreadable and vanishing files; many
# copies of one URL; hostile queries and options; a damaged database; a full disk; kill -9
# during a first build and during --reindex.
#
# Usage: bench/hostile.sh path/to/newsidx [CASE_SUBSTRING]
# Builds every input in a temporary folder (no hostile file is committed), runs newsidx on it,
# and prints one "PASS name" / "FAIL name: why" line per case, then "N passed, N failed". A case
# that cannot run here (the disk-full cases need root to mount a tmpfs; the kill cases compare
# databases with /usr/bin/python3 and python3-xapian) prints "SKIP name: why" and is counted
# apart ("N passed, N failed, N skipped"); a skip is not a failure. Exit status 0 only if no case
# failed.
#
# Every newsidx command runs under `timeout` (HOSTILE_TIMEOUT seconds, default 60; a hang fails
# the case), and a case fails whenever any of its commands exits with status 124 or more (a
# timeout, a signal, an abort): nothing may crash. Against a sanitizer build (cmake
# -DNEWSIDX_SANITIZE=ON) a report aborts the process, so it fails the case too; time limits are
# then multiplied by HOSTILE_SLOW (default 10 for such a build, else 1).
# Each case is a function case_NAME; the helpers come first. A NUL cannot be passed in argv, so
# the query cases use the other control characters.
set -u

# --- helpers -----------------------------------------------------------------------------------

BIN=$(readlink -f "${1:?usage: bench/hostile.sh path/to/newsidx [CASE_SUBSTRING]}")
ONLY=${2:-}
[[ -x $BIN ]] || { echo "not an executable: $BIN" >&2; exit 2; }
TOP=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/newsidx-hostile-XXXXXX")
MOUNTS=()
cleanup() {
  local m
  for m in "${MOUNTS[@]}"; do umount "$m" 2> /dev/null; done
  rm -rf "$WORK"
}
trap cleanup EXIT
TMO=${HOSTILE_TIMEOUT:-60}
if LC_ALL=C grep -qa __asan_init "$BIN"; then SLOW=${HOSTILE_SLOW:-10}; else SLOW=${HOSTILE_SLOW:-1}; fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}
passed=0
failed=0
skipped=0
verdict=""

# The first verdict of a case stands; the runner prints it.
pass() { [[ -n $verdict ]] || verdict="PASS $1${2:+ ($2)}"; }
fail() { [[ -n $verdict ]] || verdict="FAIL $1: $2"; }
skip() { [[ -n $verdict ]] || verdict="SKIP $1: $2"; }

# A fresh folder for one case: sets D; articles go to $D/in, the database is $D/db.
fresh() { D="$WORK/$1"; mkdir -p "$D/in"; }

AS_USER=()  # a command prefix that runs newsidx as another user

# newsidx on database ${DB:-$D/db}, in the case's folder, as a person without a terminal would
# run it, under timeout. An exit status of 124 or more (timeout, signal, sanitizer abort) is
# recorded in $D/.crashes, which fails the case.
nx() {
  local rc=0
  (cd "$D" && exec timeout -k 5 "$TMO" "${AS_USER[@]}" env -u NEWSIDX_DB -u XDG_DATA_HOME HOME="$D" NO_COLOR=1 COLUMNS=80 \
    "$BIN" --db "${DB:-$D/db}" "$@") || rc=$?
  ((rc >= 124)) && echo "newsidx $(printf '%q ' "$@" | head -c 100) exited with status $rc" >> "$D/.crashes"
  return $rc
}

# article FILE EPOCH_MS TITLE URL BODY_HTML: one feed-exported article, bytes as given.
article() { printf '<!--%s-->\n[%s](%s)\n------\n\n%s\n' "$2" "$3" "$4" "$5" > "$1"; }

# gen_articles DIR N [FIRST]: N small articles (about 1.3 KB each) numbered from FIRST, each
# with its own URL except every 10th, a second version (other text) of the URL before it. Every
# article holds the word 新闻 in its title.
gen_articles() {
  mkdir -p "$1"
  awk -v dir="$1" -v n="$2" -v first="${3:-0}" 'BEGIN {
    split("香港 北京 经济 选举 疫情 美国 中国 台湾 政府 市场 学生 法院 警察 医院 银行", w, " ")
    for (i = first; i < first + n; i++) {
      f = sprintf("%s/%06d.md", dir, i)
      u = (i % 10 == 9) ? i - 1 : i
      printf "<!--%d-->\n[新闻 %d %s](https://gen.example/%d)\n------\n\n", 1593561600000 + i * 60000, i, w[i % 15 + 1], u > f
      for (p = 0; p < 5; p++) {
        printf "<p>" > f
        for (k = 0; k < 24; k++) printf "%s%s", w[(i * 7 + p * 5 + k * 3) % 15 + 1], (k % 6 == 5 ? "，" : "") > f
        printf "第%d段 word%d。</p>", p, i % 97 > f
      }
      printf "\n" > f
      close(f)
    }
  }'
}

# snapshot DB OUT: what a database holds, for comparing two builds: every article found by 新闻
# (URL, path, date, title, the other files of its URL), and, with python3-xapian, the URL and a
# hash of the document data of every document (bench/dump_db.py).
have_dump() { /usr/bin/python3 -c 'import xapian' 2> /dev/null; }
snapshot() {
  DB=$1 nx search --limit 0 --format jsonl --fields url,path,date,title,duplicates 新闻 | LC_ALL=C sort > "$2"
  have_dump && /usr/bin/python3 "$TOP/bench/dump_db.py" "$1" >> "$2"
}

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

# First 200 bytes of a file, for a failure message (controls shown with cat -v).
head_of() { LC_ALL=C cat -v "$1" | head -c 200; }

now_ms() { date +%s%3N; }

T0=1593561600000

# --- output: terminal escapes and file names ----------------------------------------------------

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

case_out_title_csi_clear_screen() { title_case out_title_csi_clear_screen $'\e[2J\e[H'; }
case_out_title_osc_window_title() { title_case out_title_osc_window_title $'\e]0;pwned\a'; }
case_out_title_osc52_clipboard() { title_case out_title_osc52_clipboard $'\e]52;c;cm0gLXJmIH4=\a'; }
case_out_title_c1_csi() { title_case out_title_c1_csi $'\xc2\x9b31m'; }
case_out_title_del_and_bel() { title_case out_title_del_and_bel $'\x7f\a\b'; }
case_out_title_bidi_override() { title_case out_title_bidi_override $'\u202egnp.exe'; }
case_out_title_bidi_isolate() { title_case out_title_bidi_isolate $'\u2066\u2067\u2068\u2069'; }

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
  [[ $(wc -l < "$D/tsv") == 2 ]] || { fail "$name" "tsv is not a header and one line: $(head_of "$D/tsv")"; return; }
  nx search --format paths -0 奇怪的文件名 > "$D/paths"
  cmp -s "$D/paths" <(printf 'in/%s\0' "$file") || { fail "$name" "paths -0 is not the exact name"; return; }
  pass "$name"
}

case_out_filename_esc() { filename_case out_filename_esc $'evil\e[31m\e]0;x\a.md' 'evil\\x1b\[31m\\x1b\]0;x\\x07'; }
# The "Trojan Source" trick on a name: report<RLO>fdp.md shows as "reportdm.pdf".
case_out_filename_bidi() { filename_case out_filename_bidi $'report\u202efdp.md' 'report\\u202efdp'; }
# A newline in a name keeps text and tsv one line per field.
case_out_filename_newline() { filename_case out_filename_newline $'two\nlines.md' 'two\\nlines'; }

# A name that is not UTF-8: paths -0 gives its bytes (xargs -0 cat opens it), JSON gives
# path_bytes, text shows \xNN; deleting the file sweeps it.
case_out_filename_not_utf8() {
  fresh out_filename_not_utf8
  local n=out_filename_not_utf8 name=$'\xff\xfe名.md'
  article "$D/in/$name" $T0 "非UTF8" "https://x.org/raw" "<p>独特内容甲乙丙</p>"
  nx index in 2> "$D/index.err" || { fail $n "index failed"; return; }
  nx search --format paths -0 独特内容 > "$D/paths"
  cmp -s "$D/paths" <(printf 'in/%s\0' "$name") || { fail $n "paths -0 is not the exact name"; return; }
  (cd "$D" && xargs -0 cat < paths) | grep -q 独特内容 || { fail $n "xargs -0 cat cannot open it"; return; }
  nx search --format jsonl 独特内容 > "$D/json"
  cmp -s <(json_get "$D/json" path_bytes | base64 -d) <(printf 'in/%s' "$name") ||
    { fail $n "path_bytes does not decode to the name"; return; }
  nx search 独特内容 > "$D/text"
  nx search --format tsv 独特内容 > "$D/tsv"
  clean $n "$D/text" "$D/tsv" || return
  grep -q 'in/\\xff\\xfe名.md' "$D/text" || { fail $n "text does not show \\xff\\xfe"; return; }
  rm "$D/in/$name"
  nx index in 2> "$D/again.err"
  grep -q 'removed 1' "$D/again.err" || { fail $n "the sweep did not remove it"; return; }
  nx search 独特内容 > /dev/null && { fail $n "still found after deletion"; return; }
  pass $n
}

# Two copies of one URL with names that are not UTF-8: deleting the indexed one promotes the
# other, which is read again from disk by its exact name.
case_out_duplicate_not_utf8_promoted() {
  fresh out_duplicate_not_utf8_promoted
  local n=out_duplicate_not_utf8_promoted
  article "$D/in/a"$'\xff'".md" $T0 "副本" "https://x.org/dup" "<p>旧版本的正文</p>"
  article "$D/in/b"$'\xfe'".md" $((T0 + 3600000)) "副本" "https://x.org/dup" "<p>新版本的正文</p>"
  nx index in 2> /dev/null
  rm "$D/in/b"$'\xfe'".md"
  nx index in 2> /dev/null
  nx search --format paths -0 旧版本 > "$D/paths"
  cmp -s "$D/paths" <(printf 'in/a\xff.md\0') || { fail $n "older copy not promoted"; return; }
  pass $n
}

# A URL host with ESC: `stats` and `--facet source` show the source escaped.
case_out_source_host_esc() {
  fresh out_source_host_esc
  local n=out_source_host_esc
  article "$D/in/a.md" $T0 "来源" $'https://evil\e[2J\e]0;x\a.example/1' "<p>来源测试</p>"
  nx index in 2> /dev/null
  nx stats > "$D/stats"
  nx search --facet source 来源测试 > "$D/facet"
  nx search 来源测试 > "$D/text"
  clean $n "$D/stats" "$D/facet" "$D/text" || return
  grep -q 'evil\\x1b\[2j' "$D/stats" || { fail $n "stats does not show the host"; return; }
  pass $n
}

# Escapes in the body HTML: `show`, the snippet and `show --html` are clean.
case_out_body_escapes() {
  fresh out_body_escapes
  article "$D/in/a.md" $T0 "正文" "https://x.org/body" $'<p>北京\e[2J新闻\xc2\x9b31m\u202e内容</p>\n<p>第二段\e]52;c;eA==\a</p>'
  nx index in 2> /dev/null
  nx search 北京新闻 > "$D/text"
  nx show in/a.md > "$D/show"
  nx show --html in/a.md > "$D/html"
  clean out_body_escapes "$D/text" "$D/show" "$D/html" || return
  pass out_body_escapes
}

# --- article files: encodings ------------------------------------------------------------------

# A few invalid UTF-8 bytes: indexed with a warning naming their number, and found.
case_enc_few_invalid_utf8() {
  fresh enc_few_invalid_utf8
  local n=enc_few_invalid_utf8
  article "$D/in/latin1.md" $T0 $'Caf\xe9 news' "https://x.org/latin1" $'<p>The caf\xe9 reopened on Monday, \xff\xfe said the owner.</p>'
  nx index in 2> "$D/index.err"
  local rc=$?
  [[ $rc == 0 ]] || { fail $n "index exit $rc: $(head_of "$D/index.err")"; return; }
  grep -q 'in/latin1.md: warning: 4 invalid UTF-8 bytes replaced' "$D/index.err" ||
    { fail $n "no warning: $(head_of "$D/index.err")"; return; }
  nx search reopened > "$D/text" || { fail $n "not found"; return; }
  clean $n "$D/text" || return
  pass $n
}

# A file that is mostly not text fails with a reason and exit status 6; the rest is indexed.
case_enc_mostly_invalid_utf8() {
  fresh enc_mostly_invalid_utf8
  local n=enc_mostly_invalid_utf8
  article "$D/in/junk.md" $T0 "垃圾" "https://x.org/junk" "<p>$(printf '\xff\xfe%.0s' {1..200})</p>"
  article "$D/in/good.md" $T0 "正常" "https://x.org/good" "<p>正常的文章</p>"
  nx index in 2> "$D/index.err"
  local rc=$?
  [[ $rc == 6 ]] || { fail $n "exit $rc, not 6"; return; }
  grep -q 'in/junk.md: invalid UTF-8: 400 of' "$D/index.err" || { fail $n "no reason: $(head_of "$D/index.err")"; return; }
  nx search 正常 > /dev/null || { fail $n "the good file is not indexed"; return; }
  pass $n
}

# A real GBK file is still converted, not replaced with U+FFFD.
case_enc_gbk_still_converted() {
  fresh enc_gbk_still_converted
  local n=enc_gbk_still_converted
  article "$D/in/utf8.tmp" $T0 "国内生产总值" "https://x.org/gbk" \
    "<p>国家统计局今天公布的数据显示，今年第一季度国内生产总值同比增长百分之五，经济运行总体平稳。</p>"
  iconv -f UTF-8 -t GBK "$D/in/utf8.tmp" > "$D/in/gbk.md" && rm "$D/in/utf8.tmp"
  nx index in 2> "$D/index.err"
  grep -q 'in/gbk.md: warning: decoded from GB18030' "$D/index.err" || { fail $n "not converted: $(head_of "$D/index.err")"; return; }
  nx search 国内生产总值 > /dev/null || { fail $n "not found"; return; }
  pass $n
}

# --- article files: bad files fail alone --------------------------------------------------------

# bad_case NAME FILE REASON: in/FILE (made by the caller, or a FIFO, a link...) fails with
# "in/FILE: REASON" on stderr and exit status 6, within the timeout; good.md beside it is
# indexed and found.
bad_case() {
  local name=$1 file=$2 reason=$3
  article "$D/in/good.md" $T0 "正常" "https://x.org/good" "<p>旁边正常的文章</p>"
  nx index in > "$D/index.out" 2> "$D/index.err"
  local rc=$?
  [[ $rc == 6 ]] || { fail "$name" "exit $rc, not 6: $(head_of "$D/index.err")"; return; }
  grep -qF "in/$file: $reason" "$D/index.err" || { fail "$name" "no 'in/$file: $reason': $(head_of "$D/index.err")"; return; }
  nx search 旁边正常 > /dev/null || { fail "$name" "good.md beside it is not indexed"; return; }
  clean "$name" "$D/index.err" || return
  pass "$name"
}

case_file_empty() { fresh file_empty; : > "$D/in/empty.md"; bad_case file_empty empty.md "empty file"; }
# Every byte value 16 times: more than 10 % control characters.
case_file_binary() {
  fresh file_binary
  python3 -c 'import sys; sys.stdout.buffer.write(bytes(range(256)) * 16)' > "$D/in/bin.md"
  bad_case file_binary bin.md "binary file"
}
case_file_gzip_named_md() {
  fresh file_gzip_named_md
  article "$D/in/plain" $T0 "压缩" "https://x.org/gz" "<p>压缩的文章</p>"
  gzip -c "$D/in/plain" > "$D/in/gz.md" && rm "$D/in/plain"
  bad_case file_gzip_named_md gz.md "binary file"
}
case_file_nul_bytes() {
  fresh file_nul_bytes
  article "$D/in/nul.md" $T0 "空字节" "https://x.org/nul" $'<p>空\x01字节</p>'
  sed -i 's/\x01/\x00/' "$D/in/nul.md"
  bad_case file_nul_bytes nul.md "contains NUL bytes"
}
# UTF-16 (with a BOM) is not among the detected encodings: it fails as a binary file.
case_file_utf16() {
  fresh file_utf16
  article "$D/in/u8" $T0 "十六位" "https://x.org/u16" "<p>十六位编码</p>"
  iconv -f UTF-8 -t UTF-16 "$D/in/u8" > "$D/in/u16.md" && rm "$D/in/u8"
  bad_case file_utf16 u16.md "binary file"
}
# Over the 16 MiB limit: refused by size, without reading it whole.
case_file_over_16mib() {
  fresh file_over_16mib
  { printf '<!--%s-->\n[大](https://x.org/big)\n------\n\n<p>' $T0; head -c 20000000 /dev/zero | tr '\0' 'a'; printf '</p>\n'; } > "$D/in/big.md"
  bad_case file_over_16mib big.md "file too large"
}
case_file_fifo() { fresh file_fifo; mkfifo "$D/in/fifo.md"; bad_case file_fifo fifo.md "not a regular file (a FIFO)"; }
case_file_symlink_loop() {
  fresh file_symlink_loop
  ln -s loop2.md "$D/in/loop1.md"
  ln -s loop1.md "$D/in/loop2.md"
  bad_case file_symlink_loop loop1.md "Too many levels of symbolic links"
}
case_file_dangling_symlink() {
  fresh file_dangling_symlink
  ln -s gone.md "$D/in/dangling.md"
  bad_case file_dangling_symlink dangling.md "No such file or directory"
}
# A path longer than PATH_MAX (4,096 bytes): it cannot be opened by name, and says so.
case_file_path_too_long() {
  fresh file_path_too_long
  local comp i
  comp=$(printf 'd%.0s' {1..200})
  (cd "$D/in" && for i in {1..25}; do mkdir "$comp" && cd "$comp" || exit 1; done &&
    article a.md $T0 "深" "https://x.org/deep" "<p>很深的路径</p>")
  bad_case file_path_too_long "$(printf "$comp/%.0s" {1..25})a.md" "File name too long"
}
# An unreadable file. As root, permissions do not stop a read, so newsidx runs as nobody.
case_file_unreadable() {
  fresh file_unreadable
  article "$D/in/secret.md" $T0 "秘密" "https://x.org/secret" "<p>秘密</p>"
  chmod 000 "$D/in/secret.md"
  if [[ $(id -u) == 0 ]]; then
    chmod 755 "$WORK"
    chown -R nobody "$D"
    AS_USER=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
  fi
  bad_case file_unreadable secret.md "Permission denied"
  AS_USER=()
}

# A device or FIFO named on the command line fails at once (no read of /dev/zero, no hang).
case_file_device_argument() {
  fresh file_device_argument
  mkfifo "$D/fifo"
  nx index /dev/zero "$D/fifo" 2> "$D/index.err"
  local rc=$?
  [[ $rc == 6 ]] || { fail file_device_argument "exit $rc, not 6: $(head_of "$D/index.err")"; return; }
  grep -q '/dev/zero: not a regular file (a device)' "$D/index.err" && grep -q 'fifo: not a regular file (a FIFO)' "$D/index.err" ||
    { fail file_device_argument "no reason: $(head_of "$D/index.err")"; return; }
  pass file_device_argument
}

# A directory symlink that points up (in/sub/up -> ..) is not followed: the walk ends, and the
# article is indexed once.
case_file_directory_symlink_loop() {
  fresh file_directory_symlink_loop
  local n=file_directory_symlink_loop
  mkdir "$D/in/sub"
  ln -s .. "$D/in/sub/up"
  article "$D/in/sub/a.md" $T0 "循环" "https://x.org/loop" "<p>目录循环</p>"
  nx index in 2> "$D/index.err" || { fail $n "exit $?: $(head_of "$D/index.err")"; return; }
  [[ $(nx search -c 目录循环) == 1 ]] || { fail $n "not indexed once"; return; }
  pass $n
}

# A directory named x.md is walked as a folder, not read as a file.
case_file_directory_named_md() {
  fresh file_directory_named_md
  mkdir "$D/in/x.md"
  article "$D/in/x.md/inner.md" $T0 "目录" "https://x.org/dir" "<p>目录里的文章</p>"
  nx index in 2> "$D/index.err" || { fail file_directory_named_md "exit $?: $(head_of "$D/index.err")"; return; }
  nx search --format paths 目录里的文章 | grep -qx 'in/x.md/inner.md' || { fail file_directory_named_md "inner article not found"; return; }
  pass file_directory_named_md
}

# Files deleted while `index` runs (after the walk listed them, before their read): each one
# gone is reported with the reason and the rest is indexed; the next run is the same as a
# clean build of what is left. Whether a file vanishes in the window depends on timing; the
# case says how many did.
case_file_vanishing() {
  fresh file_vanishing
  local n=file_vanishing
  gen_articles "$D/in" 3000
  (cd "$D" && exec timeout -k 5 "$TMO" "$BIN" --db "$D/db" index -j1 in > "$D/index.out" 2> "$D/index.err") &
  local pid=$! f
  sleep 0.3
  for f in $(ls -r "$D/in" | head -1500); do rm "$D/in/$f"; done
  wait $pid
  local rc=$?
  [[ $rc == 0 || $rc == 6 ]] || { fail $n "exit $rc: $(head_of "$D/index.err")"; return; }
  local gone=0
  while IFS= read -r line; do
    f=${line%%: *}
    [[ $line == *": No such file or directory" && ! -e $D/$f ]] || { fail $n "unexpected: $line"; return; }
    gone=$((gone + 1))
  done < <(grep '^in/' "$D/index.err")
  nx index in 2> "$D/again.err"
  rc=$?
  [[ $rc == 0 ]] || { fail $n "the next run exits $rc: $(head_of "$D/again.err")"; return; }
  DB="$D/clean" nx index in 2> /dev/null
  snapshot "$D/db" "$D/db.snap"
  snapshot "$D/clean" "$D/clean.snap"
  cmp -s "$D/db.snap" "$D/clean.snap" || { fail $n "differs from a clean build: $(diff "$D/db.snap" "$D/clean.snap" | head -3)"; return; }
  pass $n "$gone files vanished between the walk and their read"
}

# --- article files: hostile content -------------------------------------------------------------

# found NAME QUERY: fails NAME unless QUERY finds something; else returns 0.
found() { nx search --limit 1 "$2" > /dev/null || { fail "$1" "'$2' finds nothing"; return 1; }; }

# index_within NAME SECONDS: `index in` exits 0 within SECONDS (times HOSTILE_SLOW).
index_within() {
  local t=$(now_ms) rc=0
  nx index in > "$D/index.out" 2> "$D/index.err" || rc=$?
  local ms=$(($(now_ms) - t))
  [[ $rc == 0 ]] || { fail "$1" "exit $rc: $(head_of "$D/index.err")"; return 1; }
  ((ms <= $2 * 1000 * SLOW)) || { fail "$1" "took ${ms} ms (limit ${2}s)"; return 1; }
  ELAPSED=$ms
}

# A timestamp of 20 digits (an overflow of int64): no publish time, with a warning; indexed.
case_ts_overflow() {
  fresh ts_overflow
  article "$D/in/a.md" 99999999999999999999 "溢出" "https://x.org/ov" "<p>溢出的时间戳</p>"
  index_within ts_overflow 10 || return
  grep -q 'in/a.md: warning: no publish time' "$D/index.err" || { fail ts_overflow "no warning: $(head_of "$D/index.err")"; return; }
  nx search --format jsonl 溢出的时间戳 > "$D/json" || { fail ts_overflow "not found"; return; }
  [[ $(json_get "$D/json" date) == None ]] || { fail ts_overflow "date is $(json_get "$D/json" date)"; return; }
  pass ts_overflow
}

# A time after 9999-12-31 (15 digits: the year 33658) cannot be written as an ISO 8601 date: no
# publish time, with a warning, as for an overflow.
case_ts_after_year_9999() {
  fresh ts_after_year_9999
  local n=ts_after_year_9999
  article "$D/in/a.md" 999999999999999 "遥远" "https://x.org/far" "<p>遥远的未来</p>"
  index_within $n 10 || return
  grep -q 'in/a.md: warning: no publish time' "$D/index.err" || { fail $n "no warning: $(head_of "$D/index.err")"; return; }
  nx search --format jsonl 遥远的未来 > "$D/json" || { fail $n "not found"; return; }
  [[ $(json_get "$D/json" date) == None ]] || { fail $n "date is $(json_get "$D/json" date)"; return; }
  pass $n
}

# A negative timestamp is a time before 1970 (Date.parse gives those): kept as it is.
case_ts_negative() {
  fresh ts_negative
  article "$D/in/a.md" -5 "负数" "https://x.org/neg" "<p>负数的时间戳</p>"
  index_within ts_negative 10 || return
  nx search --format jsonl 负数的时间戳 > "$D/json" || { fail ts_negative "not found"; return; }
  [[ $(json_get "$D/json" date) == 1969-12-31T23:59:59Z ]] || { fail ts_negative "date is $(json_get "$D/json" date)"; return; }
  pass ts_negative
}

# A timestamp comment that holds garbage before a good header: the article is indexed without
# a publish time, with a warning (it is not skipped as "no article header").
case_ts_garbage() {
  fresh ts_garbage
  article "$D/in/a.md" "12abc" "垃圾" "https://x.org/garbage" "<p>垃圾的时间戳</p>"
  index_within ts_garbage 10 || return
  grep -q 'in/a.md: warning: no publish time' "$D/index.err" || { fail ts_garbage "no warning: $(head_of "$D/index.err")"; return; }
  found ts_garbage 垃圾的时间戳 || return
  pass ts_garbage
}

# A 1 MB title, one CJK run and one Latin word of 1 MB: indexed (Xapian refuses terms over
# 245 bytes) and found.
case_content_title_1mb() {
  fresh content_title_1mb
  local n=content_title_1mb
  article "$D/in/cjk.md" $T0 "$(printf '长标题%.0s' {1..111111})" "https://x.org/t1" "<p>中文长标题的文章</p>"
  article "$D/in/latin.md" $T0 "$(head -c 1000000 /dev/zero | tr '\0' a)" "https://x.org/t2" "<p>英文长标题的文章</p>"
  index_within $n 60 || return
  found $n 中文长标题的文章 && found $n 英文长标题的文章 && found $n "title:长标题长标题" || return
  nx search 中文长标题的文章 > "$D/text"
  pass $n "text output $(wc -c < "$D/text") bytes"
}

# A 1 MB word and a 100 KB URL: indexed and found (by the word, by `show URL`).
case_content_long_word_and_url() {
  fresh content_long_word_and_url
  local n=content_long_word_and_url url
  url="https://x.org/$(head -c 100000 /dev/zero | tr '\0' u)"
  article "$D/in/a.md" $T0 "长词" "$url" "<p>长词 $(head -c 1000000 /dev/zero | tr '\0' b) 的文章</p>"
  index_within $n 60 || return
  found $n 长词 || return
  nx show "$url" > /dev/null || { fail $n "show URL fails"; return; }
  pass $n
}

# One line of 15 MB of HTML (under the 16 MiB limit): indexed in bounded time.
case_content_huge_line() {
  fresh content_huge_line
  { printf '<!--%s-->\n[大](https://x.org/big)\n------\n\n<p>巨大的一行 ' $T0
    head -c 15000000 /dev/zero | tr '\0' 'x' | sed 's/x\{100\}/中文 english 100 /g'; printf '</p>\n'; } > "$D/in/big.md"
  index_within content_huge_line 120 || return
  found content_huge_line 巨大的一行 || return
  pass content_huge_line "$(stat -c %s "$D/in/big.md") bytes in ${ELAPSED} ms"
}

# nested_case NAME OPEN CLOSE COUNT SECONDS: a body of COUNT copies of OPEN, text, COUNT copies
# of CLOSE (both may be empty); indexed and its text found within SECONDS.
nested_case() {
  local name=$1 open=$2 close=$3 count=$4 limit=$5 i
  fresh "$name"
  {
    printf '<!--%s-->\n[深](https://x.org/deep)\n------\n\n' $T0
    for ((i = 0; i < count; i++)); do printf '%s' "${open//K/$i}"; done
    printf '深层嵌套的文字'
    for ((i = 0; i < count; i++)); do printf '%s' "$close"; done
    printf '\n'
  } > "$D/in/deep.md"
  index_within "$name" "$limit" || return
  found "$name" 深层嵌套的文字 || return
  pass "$name" "$(stat -c %s "$D/in/deep.md") bytes in ${ELAPSED} ms"
}

# gumbo's tree builder walks the stack of open elements (or the list of active formatting
# elements) for each tag, so deep nesting costs the square of the depth.
case_html_nested_div_100000() { nested_case html_nested_div_100000 '<div>' '' 100000 10; }
case_html_nested_closed_div_100000() { nested_case html_nested_closed_div_100000 '<div>' '</div>' 100000 10; }
case_html_nested_span_100000() { nested_case html_nested_span_100000 '<span>' '' 100000 10; }
case_html_formatting_attrs_20000() { nested_case html_formatting_attrs_20000 '<b id=K>' '' 20000 10; }
case_html_reopened_formatting_20000() { nested_case html_reopened_formatting_20000 '<p><b id=K>x</p>' '' 20000 10; }
case_html_nested_table_20000() { nested_case html_nested_table_20000 '<table><tr><td>' '' 20000 10; }

# 3,000 files with one URL, all the same text, then all different: one article (3,000 versions),
# in seconds.
same_url_case() {
  local name=$1 same=$2 i
  fresh "$name"
  for ((i = 0; i < 3000; i++)); do
    article "$D/in/$i.md" $((T0 + i)) "同一" "https://x.org/same" "<p>同样的网址 $((same ? 0 : i))</p>"
  done
  index_within "$name" 30 || return
  [[ $(nx search -c 同样的网址) == 1 ]] || { fail "$name" "not one article"; return; }
  nx stats > "$D/stats"
  local want="articles:   1"
  ((same)) || want="articles:   1 (3000 versions)"
  grep -qxF "$want" "$D/stats" || { fail "$name" "stats: $(head -1 "$D/stats")"; return; }
  touch "$D/in/"*.md
  index_within "$name" 30 || return
  pass "$name" "index ${ELAPSED} ms"
}
case_content_3000_copies_same_url() { same_url_case content_3000_copies_same_url 1; }
case_content_3000_versions_same_url() { same_url_case content_3000_versions_same_url 0; }

# CRLF line ends (a file saved on Windows) are still an article.
case_content_crlf() {
  fresh content_crlf
  printf '<!--%s-->\r\n[回车](https://x.org/crlf)\r\n------\r\n\r\n<p>回车换行的文章</p>\r\n' $T0 > "$D/in/a.md"
  index_within content_crlf 10 || return
  found content_crlf 回车换行的文章 || return
  pass content_crlf
}

# --- queries --------------------------------------------------------------------------------------

# A database shared by the query cases: the samples, and one article of 5,000 distinct words
# starting with "a" (for wildcard floods). Sets D and DB.
query_db() {
  fresh "$1"
  DB=$WORK/query.db
  if [[ ! -d $DB ]]; then
    mkdir -p "$WORK/query-in"
    article "$WORK/query-in/words.md" $T0 "Words" "https://x.org/words" "<p>$(printf 'a%04d ' {0..4999})</p>"
    D=$WORK nx index "$TOP/data/samples" "$WORK/query-in" > /dev/null 2>&1
  fi
}

# query_case NAME WANT MAX_MS PATTERN QUERY...: `search QUERY` exits WANT ("ok": 0 or 1) within
# MAX_MS (times HOSTILE_SLOW, process start included), and its stderr matches the grep -E
# PATTERN and holds no raw control character.
query_case() {
  local name=$1 want=$2 max_ms=$3 pattern=$4 rc=0
  shift 4
  query_db "$name"
  local t=$(now_ms)
  nx search "$@" > "$D/out" 2> "$D/err" || rc=$?
  local ms=$(($(now_ms) - t))
  DB=""
  if [[ $want == ok ]]; then
    [[ $rc == 0 || $rc == 1 ]] || { fail "$name" "exit $rc: $(head_of "$D/err")"; return; }
  else
    [[ $rc == "$want" ]] || { fail "$name" "exit $rc, not $want: $(head_of "$D/err")"; return; }
  fi
  ((ms <= max_ms * SLOW)) || { fail "$name" "took ${ms} ms (limit ${max_ms} ms)"; return; }
  [[ -z $pattern ]] || grep -qE -e "$pattern" "$D/err" || { fail "$name" "stderr does not match /$pattern/: $(head_of "$D/err")"; return; }
  clean "$name" "$D/err" "$D/out" || return
  pass "$name" "exit $rc in ${ms} ms"
}

repeat() { local i; for ((i = 0; i < $2; i++)); do printf '%s' "$1"; done; }

case_q_nested_parens_20000() { query_case q_nested_parens_20000 2 1000 "nests deeper than 100 levels \(the limit\): '\(' at byte 101" "$(repeat '(' 20000)香港$(repeat ')' 20000)"; }
case_q_nested_parens_100() { query_case q_nested_parens_100 ok 1000 "" "$(repeat '(' 100)香港$(repeat ')' 100)"; }
case_q_nested_not_20000() { query_case q_nested_not_20000 2 1000 "the limit" "$(repeat 'NOT ' 20000)香港"; }
case_q_nested_minus_20000() { query_case q_nested_minus_20000 2 1000 "the limit" "香港 $(repeat '-(' 20000)a"; }
case_q_or_5000_same_word() { query_case q_or_5000_same_word 2 1000 "more than 256 terms \(the limit\)" "$(repeat '香港 OR ' 5000)香港"; }
case_q_or_256_same_word() { query_case q_or_256_same_word ok 1000 "" "$(repeat '香港 OR ' 255)香港"; }
case_q_or_256_runs() { query_case q_or_256_runs ok 1000 "" "$(for i in {1..255}; do printf '新冠疫情%d OR ' $i; done)香港"; }
case_q_dashes_name_token() { query_case q_dashes_name_token 2 1000 "unexpected '-' at byte 2" -- '-----普京'; }
case_q_cjk_run_64k() { query_case q_cjk_run_64k ok 1000 "" "$(repeat '新冠疫情香港' 3640)"; }
case_q_latin_word_64k() { query_case q_latin_word_64k ok 1000 "" "$(head -c 65536 /dev/zero | tr '\0' a)"; }
case_q_mixed_64k() { query_case q_mixed_64k 2 1000 "the limit" "$(repeat '(a OR 新冠疫情 -"b c") d* ' 2184)"; }
case_q_unterminated_quote() { query_case q_unterminated_quote 2 1000 "unterminated quote '\"香港' at byte 1" '"香港'; }
case_q_wildcard_flood() { query_case q_wildcard_flood 2 1000 "wildcard 'a\*' matches more than" 'a*'; }
# 26 wildcards share the 4,096 words: 157 each, fewer than the 5,000 a-words.
case_q_wildcards_a_to_z() { query_case q_wildcards_a_to_z 2 1000 "wildcard 'a\*' matches more than 157 words" "$(for c in {a..z}; do printf '%s* OR ' $c; done)a0001"; }
case_q_wildcard_alone() { query_case q_wildcard_alone 2 1000 "no searchable text .*'\*'" '*'; }
case_q_controls() { query_case q_controls ok 1000 "" $'香港\e[2J\a\x01\x7f\u202e\xff\xc2\x9b'; }
case_q_controls_in_error() { query_case q_controls_in_error 2 1000 "unterminated quote" $'"\e]0;pwned\a\e[2J'; }
case_q_controls_explain() { query_case q_controls_explain ok 1000 "" --explain $'香港\e[2J\u202e"a\x01b"'; }
case_q_only_or() { query_case q_only_or 2 1000 "'OR' at byte 1" 'OR'; }
case_q_only_not() { query_case q_only_not 2 1000 "'NOT' needs something after it at byte 1" 'NOT'; }
case_q_only_minus() { query_case q_only_minus 2 1000 "no searchable text \\(only punctuation, such as '-'\\)" -- '-'; }
case_q_only_parens() { query_case q_only_parens 2 1000 "'\)' at byte 2" '()'; }
case_q_only_operators() { query_case q_only_operators 2 1000 "'OR' at byte 1" 'OR AND NOT'; }
case_q_empty_quotes() { query_case q_empty_quotes 2 1000 "no searchable text .*'\"\"'" '""'; }
case_q_only_punctuation() { query_case q_only_punctuation 2 1000 "no searchable text .*'，。！？'" '，。！？'; }
case_q_field_without_value() { query_case q_field_without_value 2 1000 "'title:' needs a word after it at byte 1" 'title:'; }
case_q_bad_date() { query_case q_bad_date 2 1000 "bad date 'date:99999'" 'date:99999'; }
case_q_dates_256() { query_case q_dates_256 ok 1000 "" "$(for d in {1..255}; do printf 'date:%04d OR ' $((1000 + d)); done)date:2020"; }

# Numeric options past their range: refused (exit 2) or answered as "all"; never wrapped.
case_q_limit_past_2_32() { query_case q_limit_past_2_32 0 1000 "" --limit 4294967296 习近平; }
case_q_limit_max() { query_case q_limit_max 0 1000 "" --offset 1 --limit 18446744073709551615 习近平; }
case_q_limit_negative() { query_case q_limit_negative 2 1000 "--limit: a count cannot be negative: -1" --limit -1 习近平; }
case_q_offset_huge() { query_case q_offset_huge 1 1000 "" --offset 18446744073709551615 习近平; }
case_q_show_huge_id() {
  query_db q_show_huge_id
  local rc=0
  nx show 99999999999999999999 > /dev/null 2> "$D/err" || rc=$?
  DB=""
  [[ $rc == 1 ]] && grep -q 'no such article' "$D/err" || { fail q_show_huge_id "exit $rc: $(head_of "$D/err")"; return; }
  pass q_show_huge_id
}

# --- the database ---------------------------------------------------------------------------------

# db_case NAME: after the caller damaged $D/db (built from one article), search and index
# fail with exit 5 (or 3, 70, 74) and a message naming the database, and nothing crashes.
db_case() {
  local name=$1 rc=0
  nx search 数据库 > /dev/null 2> "$D/search.err" || rc=$?
  [[ $rc == 3 || $rc == 5 || $rc == 70 ]] || { fail "$name" "search exit $rc: $(head_of "$D/search.err")"; return; }
  grep -q "^newsidx: " "$D/search.err" || { fail "$name" "no message: $(head_of "$D/search.err")"; return; }
  rc=0
  nx index in > /dev/null 2> "$D/index.err" || rc=$?
  [[ $rc == 3 || $rc == 5 || $rc == 70 || $rc == 74 ]] || { fail "$name" "index exit $rc: $(head_of "$D/index.err")"; return; }
  clean "$name" "$D/search.err" "$D/index.err" || return
  pass "$name" "search exit $(nx search 数据库 > /dev/null 2>&1; echo $?), index exit $rc"
}

db_built() {
  fresh "$1"
  article "$D/in/a.md" $T0 "数据库" "https://x.org/db" "<p>数据库测试</p>"
  nx index in 2> /dev/null
}

case_db_stub_garbage() { db_built db_stub_garbage; head -c 300 /dev/urandom > "$D/db/XAPIANDB"; db_case db_stub_garbage; }
case_db_stub_escapes() { db_built db_stub_escapes; printf 'glass \e[2J\e]0;x\a../../../etc\n' > "$D/db/XAPIANDB"; db_case db_stub_escapes; }
case_db_truncated_table() {
  db_built db_truncated_table
  local t
  for t in "$D"/db/gen-*/postlist.glass "$D"/db/gen-*/*/postlist.glass; do [[ -f $t ]] && truncate -s 100 "$t"; done
  db_case db_truncated_table
}
case_db_is_a_file() { fresh db_is_a_file; article "$D/in/a.md" $T0 "数据库" "https://x.org/db" "<p>数据库测试</p>"; echo hi > "$D/db"; db_case db_is_a_file; }
# A folder that is not a newsidx database is never written into.
case_db_not_newsidx_folder() {
  fresh db_not_newsidx_folder
  article "$D/in/a.md" $T0 "数据库" "https://x.org/db" "<p>数据库测试</p>"
  mkdir "$D/db" && echo keep > "$D/db/notes.txt"
  db_case db_not_newsidx_folder
  [[ $(ls "$D/db") == notes.txt ]] || { verdict=""; fail db_not_newsidx_folder "it wrote into the folder: $(ls "$D/db")"; }
}
# A second `index` while one runs: exit 4 at once.
case_db_locked() {
  fresh db_locked
  gen_articles "$D/in" 3000
  (cd "$D" && exec "$BIN" --db "$D/db" index -q -j1 in) &
  local pid=$! rc=0
  sleep 0.3
  nx index in > /dev/null 2> "$D/err" || rc=$?
  wait $pid
  [[ $rc == 4 ]] && grep -q 'locked' "$D/err" || { fail db_locked "second index exit $rc: $(head_of "$D/err")"; return; }
  pass db_locked
}

# --- faults: a full disk, kill -9 -----------------------------------------------------------------

# A tmpfs of $2 at $1 (root only); unmounted at exit.
mount_tmpfs() { mkdir -p "$1" && mount -t tmpfs -o "size=$2" tmpfs "$1" && MOUNTS+=("$1"); }

# A first build into 3 MB: exit 74 with the errno text; the database opens; a run after the
# disk grows completes and equals a clean build. Then an update in place on a full disk: exit
# 74, and what was committed before is all still there.
case_disk_full() {
  local n=disk_full rc=0
  fresh $n
  [[ $(id -u) == 0 ]] || { skip $n "needs root to mount a tmpfs"; return; }
  mount_tmpfs "$D/disk" 3m || { skip $n "cannot mount a tmpfs here"; return; }
  gen_articles "$D/in" 2000
  DB="$D/disk/db" nx index --batch 200 in 2> "$D/full.err" || rc=$?
  [[ $rc == 74 ]] || { fail $n "first build into 3 MB: exit $rc, not 74: $(head_of "$D/full.err")"; return; }
  grep -q '^newsidx: .*/disk/db: no space left on device' "$D/full.err" || { fail $n "message: $(head_of "$D/full.err")"; return; }
  rc=0
  DB="$D/disk/db" nx search -c 新闻 > "$D/kept" 2> "$D/search.err" || rc=$?
  [[ $rc == 0 || $rc == 1 || $rc == 3 ]] || { fail $n "search after disk full: exit $rc: $(head_of "$D/search.err")"; return; }
  local kept
  kept=$(cat "$D/kept")
  mount -o remount,size=256m "$D/disk"
  DB="$D/disk/db" nx index --batch 200 in 2> "$D/again.err" || { fail $n "run on the bigger disk: exit $?: $(head_of "$D/again.err")"; return; }
  DB="$D/clean" nx index --batch 200 in 2> /dev/null
  snapshot "$D/disk/db" "$D/db.snap"
  snapshot "$D/clean" "$D/clean.snap"
  cmp -s "$D/db.snap" "$D/clean.snap" || { fail $n "differs from a clean build"; return; }
  # An update in place: room for less than the new files need.
  gen_articles "$D/in/more" 2000 5000
  local used
  used=$(df --output=used -k "$D/disk" | tail -1)
  mount -o remount,size=$((used + 400))k "$D/disk"
  rc=0
  DB="$D/disk/db" nx index --batch 200 in 2> "$D/full2.err" || rc=$?
  [[ $rc == 74 ]] || { fail $n "update on a full disk: exit $rc, not 74: $(head_of "$D/full2.err")"; return; }
  grep -q '^newsidx: .*/disk/db: no space left on device' "$D/full2.err" || { fail $n "update message: $(head_of "$D/full2.err")"; return; }
  local after
  after=$(DB="$D/disk/db" nx search -c 新闻 2> "$D/search2.err")
  ((after >= 1800)) || { fail $n "after the failed update, $after articles (had 1800): $(head_of "$D/search2.err")"; return; }
  mount -o remount,size=256m "$D/disk"
  DB="$D/disk/db" nx index --batch 200 in 2> /dev/null || { fail $n "update on the bigger disk: exit $?"; return; }
  [[ $(DB="$D/disk/db" nx search -c 新闻) == 3600 ]] || { fail $n "not 3600 articles at the end"; return; }
  # compact writes a whole copy: into a full disk it fails the same way, and the database stays.
  used=$(df --output=used -k "$D/disk" | tail -1)
  mount -o remount,size=$((used + 400))k "$D/disk"
  rc=0
  DB="$D/disk/db" nx compact 2> "$D/compact.err" || rc=$?
  [[ $rc == 74 ]] && grep -q 'no space left on device' "$D/compact.err" ||
    { fail $n "compact on a full disk: exit $rc: $(head_of "$D/compact.err")"; return; }
  [[ $(DB="$D/disk/db" nx search -c 新闻) == 3600 ]] || { fail $n "not 3600 articles after the failed compact"; return; }
  pass $n "first build kept ${kept:-0} of 1800 articles; update kept $after; compact exit 74"
}

# kill_case NAME REINDEX: `index` (with --reindex if REINDEX is 1, over a database of the first
# 1,000 files) of 3,000 generated files is killed with SIGKILL at 20 %, 50 % and 80 % of a clean
# build's time; each time the database opens (a --reindex still serves the old database), and
# the next run of the same command ends equal to a clean build.
kill_case() {
  local name=$1 reindex=$2 args=(index -q --batch 200)
  fresh "$name"
  ((reindex)) && args+=(--reindex)
  gen_articles "$D/in" 3000
  local t=$(now_ms)
  DB="$D/clean" nx index -q --batch 200 in 2> /dev/null || { fail "$name" "clean build: exit $?"; return; }
  local clean_ms=$(($(now_ms) - t)) frac notes=""
  snapshot "$D/clean" "$D/clean.snap"
  for frac in 20 50 80; do
    rm -rf "$D/db"
    if ((reindex)); then
      mkdir -p "$D/old" && cp "$D/in/000"* "$D/old/"
      nx index -q old 2> /dev/null
      rm -rf "$D/old"
    fi
    (cd "$D" && exec "$BIN" --db "$D/db" "${args[@]}" in > /dev/null 2>&1) &
    local pid=$!
    sleep "$(awk -v ms="$clean_ms" -v f=$frac 'BEGIN { printf "%.3f", ms * f / 100000 }')"
    local state=killed
    kill -9 $pid 2> /dev/null || state=finished
    wait $pid 2> /dev/null
    local kept rc=0
    kept=$(nx search -c 新闻 2> "$D/search.err") || rc=$?
    [[ $rc -le 1 || ($rc == 3 && $reindex == 0) ]] || { fail "$name" "search after the kill at $frac %: exit $rc: $(head_of "$D/search.err")"; return; }
    if ((reindex)) && [[ $state == killed && $kept != 900 && $kept != 2700 ]]; then
      fail "$name" "after the kill at $frac %, a --reindex serves $kept articles (neither old nor new)"
      return
    fi
    nx "${args[@]}" in 2> "$D/rerun.err" || { fail "$name" "re-run after $frac %: exit $?: $(head_of "$D/rerun.err")"; return; }
    snapshot "$D/db" "$D/db.snap"
    cmp -s "$D/db.snap" "$D/clean.snap" || { fail "$name" "after the kill at $frac %, the re-run differs from a clean build"; return; }
    notes+="${notes:+, }$frac %: $state, kept ${kept:-0}"
  done
  pass "$name" "clean build $clean_ms ms; $notes"
}
case_kill_first_build() { kill_case kill_first_build 0; }
case_kill_reindex() { kill_case kill_reindex 1; }

# --- run ---------------------------------------------------------------------------------------

for c in $(declare -F | awk '$3 ~ /^case_/ {print $3}'); do
  [[ -z $ONLY || $c == *"$ONLY"* ]] || continue
  verdict=""
  D=""
  DB=""
  "$c"
  if [[ -n $D && -s $D/.crashes && $verdict != FAIL* ]]; then verdict="FAIL ${c#case_}: $(head -1 "$D/.crashes")"; fi
  [[ -n $verdict ]] || verdict="FAIL ${c#case_}: the case gave no verdict"
  echo "$verdict"
  case $verdict in
    PASS*) passed=$((passed + 1)) ;;
    SKIP*) skipped=$((skipped + 1)) ;;
    *) failed=$((failed + 1)) ;;
  esac
done
summary="$passed passed, $failed failed"
((skipped == 0)) || summary+=", $skipped skipped"
echo "$summary"
[[ $failed == 0 ]]
