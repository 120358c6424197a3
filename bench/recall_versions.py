#!/usr/bin/python3
"""Grep-level recall of `newsidx search` over every version of every URL (issue 15).

Cuts random needles from the parsed files of a corpus, every copy of every version of each URL
included, computes each needle's ground truth by substring search on newsidx-folded text, runs
`newsidx --db DB search --limit 0 --format jsonl -- NEEDLE` and compares the URL sets.

    cmake --build build -j2
    build/newsidx --db /tmp/rv-corpus.db index -q ../shared/corpus
    /usr/bin/python3 bench/recall_versions.py --db /tmp/rv-corpus.db --queries 1000

Stdlib only. Texts come from `build/bench/dump_articles --all-files CORPUS` (one JSON object per
parsed file, read as `newsidx index` reads it), folded by newsidx itself (its `folded` field:
fold(title + "\\n" + text), NFKC_Casefold then Traditional→Simplified). If DB does not exist, the
corpus is indexed into it first.

Needles, and why their ground truth is exact (query.hpp, text.hpp):
    cjk    2–8 characters of one run of CJK Unified Ideographs (U+3400–4DBF, U+4E00–9FFF) of the
           folded text, typed as is. newsidx makes every such character a token, joined to the
           one before only when nothing separates them, and matches such a run as a substring of
           the folded title or body. A run never holds a '\\n', so it stays inside one paragraph
           and never spans the title/body boundary: the truth is exactly plain substring search.
    mixed  a whole ASCII word or number next to 1–4 of those ideographs ("g7峰会", "习近平2020"),
           typed without the whitespace the text may have between them. The Latin token and the
           ideographs are joined when only whitespace other than a paragraph break ('\\n',
           U+2028, U+2029) separates them, so the truth is the regex LATIN[ws]*CJK (or
           CJK[ws]*LATIN) where the Latin side is a whole token (see boundaries).
    word   a whole ASCII word of 3–20 letters, typed in quotes ("\\"trump\\""): a quoted word is
           matched as a token, with no English stemming (an unquoted one also finds inflections,
           which no substring search gives).
Boundaries: a token is a maximal run of letters, digits and marks (text.cpp is_word_char), so a
Latin occurrence counts when the character beyond each Latin end is absent, ASCII other than a
letter or digit, or a CJK ideograph; an ASCII letter or digit there makes it part of a longer
token (no match). Any other letter, digit, mark or unassigned character there (é, kana, Thai) is
ambiguous (ICU may or may not break there): a needle for which some URL has only ambiguous
occurrences is dropped and counted, never guessed.

Ground truth: the URLs with ANY parsed file whose folded text holds the needle. An unquoted
needle also finds the regional variants of its words (特朗普 finds 川普; docs/variants.md), which
no substring search counts: the needles that return URLs beyond the truth are run again with
--verbatim, and the report says how many such URLs are left then (real precision errors).

Sources: a share of the needles (--versions-share, 30 %) is cut from files of the non-winning
versions of URLs with several distinct versions (the versions that dump_articles' default mode,
like the indexer before versions, does not keep), preferring needles that the winning version
does not hold (cut from the paragraphs it lacks, up to 20 tries each); recall is also given for
those alone. The other needles come from files picked uniformly.

Cross-check that does not trust the parser: for each needle, the parsed files whose raw content
(decoded UTF-8, entities not decoded, folded line by line by newsidx) holds the needle while
their parsed text does not ("in file, not in parsed text"). Each is placed by a rough look at
the raw text before the occurrence: header (timestamp, link line, front matter, date line),
inside a tag (attributes), a Latin word that an inline tag cuts (T<small>HERE: the parsed text
has "there", not "here"), HTML comment, inside a character reference (&amp;), inside
<script>/<style>/<audio> (fallback text)/…, after such an element left unclosed (what a
self-closed <iframe/> does), the feedx footer or a WordPress feed footer (stripped on purpose:
Better Feed's "© AUTHOR for SITE … | Permalink …" and "The post … appeared first on …"), the
page chrome of a front-matter post (inside its <nav>, <header>, <footer>, <aside> or <form>), or
plain text content. An unclosed element and plain text content are marked SUSPICIOUS: text a
reader sees that the parser may have lost.

Exit status: 0 when recall is 1 and no query failed, 1 otherwise, 2 on a usage error.
"""

from __future__ import annotations

import argparse
import bisect
import collections
import dataclasses
import json
import random
import re
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CJK = "\u3400-\u4dbf\u4e00-\u9fff"
CJK_RUN = re.compile(f"[{CJK}]+")
# White_Space (u_isUWhiteSpace) less the paragraph breaks: a `joined` gap next to a CJK token.
WS = "\t\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u202f\u205f\u3000"
ALNUM_RUN = re.compile("[a-z0-9]+")
MIXED = re.compile(f"(?P<l1>[a-z0-9]+)[{WS}]*(?P<c1>[{CJK}]+)|(?P<c2>[{CJK}]+)[{WS}]*(?P<l2>[a-z0-9]+)")
KIND_SHARES = (("cjk", 0.8), ("mixed", 0.1), ("word", 0.1))
TRIES_ABSENT_FROM_WINNER = 20
CLEAN, AMBIGUOUS = 2, 1
# Elements whose content is not article text: the raw-text ones and media fallbacks.
SKIPPED_ELEMENTS = ("script", "style", "textarea", "title", "noscript", "xmp", "noembed", "noframes", "iframe",
                    "audio", "video", "object")
# Page chrome that html_to_text passes over in a scraped page (a front-matter post; html_text.hpp).
CHROME_ELEMENTS = ("nav", "header", "footer", "aside", "form")


def boundary(c: str) -> int:
    """How a character next to a Latin end of a needle bounds it: CLEAN (token boundary),
    AMBIGUOUS, or 0 (an ASCII letter or digit: the token goes on). '' and NUL are text ends."""
    if not c or c == "\0":
        return CLEAN
    if c.isascii():
        return 0 if c.isalnum() else CLEAN
    if CJK_RUN.fullmatch(c):
        return CLEAN
    cat = unicodedata.category(c)
    return AMBIGUOUS if cat[0] in "LNM" or cat == "Cn" else CLEAN


@dataclasses.dataclass
class Needle:
    kind: str              # cjk, mixed or word
    query: str             # as passed to newsidx search
    pattern: re.Pattern | None  # mixed and word; None for cjk (plain substring)
    text: str              # the folded substring as cut (cjk: the whole pattern)
    lead: bool = False     # the needle starts with a Latin token (its left end needs a boundary)
    trail: bool = False    # the needle ends with a Latin token
    source: int = -1       # file it was cut from
    from_versions: bool = False     # cut from a non-winning version of a URL with several
    absent_from_winner: bool = False  # and the URL's winning version does not hold it


class Texts:
    """Folded texts of files, one string with NUL after each, and needle search over it."""

    def __init__(self, texts: list[str]):
        self.starts = []
        pos = 0
        for t in texts:
            self.starts.append(pos)
            pos += len(t) + 1
        self.starts.append(pos)
        self.joined = "".join(t + "\0" for t in texts)

    def file_at(self, pos: int) -> int:
        return bisect.bisect_right(self.starts, pos) - 1

    def text(self, k: int) -> str:
        return self.joined[self.starts[k]:self.starts[k + 1] - 1]

    def find(self, n: Needle) -> tuple[dict[int, int], dict[int, int]]:
        """(file → offset in it of its first clean occurrence, file → offset of an ambiguous
        one, only for files with no clean occurrence)."""
        clean: dict[int, int] = {}
        ambiguous: dict[int, int] = {}
        j = self.joined
        if n.pattern is None:
            i = j.find(n.text)
            while i >= 0:
                k = self.file_at(i)
                clean[k] = i - self.starts[k]
                i = j.find(n.text, self.starts[k + 1])
            return clean, ambiguous
        for m in n.pattern.finditer(j):
            k = self.file_at(m.start())
            if k in clean:
                continue
            left = boundary(j[m.start() - 1]) if n.lead and m.start() > 0 else CLEAN
            right = boundary(j[m.end()]) if n.trail else CLEAN
            how = min(left, right)
            if how == CLEAN:
                clean[k] = m.start() - self.starts[k]
                ambiguous.pop(k, None)
            elif how == AMBIGUOUS:
                ambiguous.setdefault(k, m.start() - self.starts[k])
        return clean, ambiguous


class Corpus:
    """Every parsed file (dump_articles --all-files), grouped by URL and version."""

    def __init__(self, records: list[dict]):
        self.files = records
        self.texts = Texts([r["folded"] for r in records])
        self.by_url: dict[str, list[int]] = collections.defaultdict(list)
        for k, r in enumerate(records):
            self.by_url[r["url"]].append(k)
        self.winner = {r["url"]: k for k, r in enumerate(records) if r["winner"]}
        self.versions = {u: len({records[k]["version"] for k in ks}) for u, ks in self.by_url.items()}
        win_version = {u: records[k]["version"] for u, k in self.winner.items()}
        # Files of a non-winning version of a URL that has several versions.
        self.other_versions = [k for k, r in enumerate(records) if r["version"] != win_version[r["url"]]]

    def url(self, k: int) -> str:
        return self.files[k]["url"]


def run_dump(tool: Path, corpus: Path) -> list[dict]:
    r = subprocess.run([tool, "--all-files", corpus], capture_output=True, check=True)
    sys.stderr.write(r.stderr.decode("utf-8", "replace"))
    return [json.loads(line) for line in r.stdout.split(b"\n") if line]


def fold_lines(tool: Path, lines: list[str]) -> list[str]:
    """newsidx::fold of each line (no line may hold '\\n'), in one dump_articles --fold call."""
    r = subprocess.run([tool, "--fold"], input="".join(s + "\n" for s in lines).encode("utf-8"),
                       capture_output=True, check=True)
    out = r.stdout.decode("utf-8", "replace").split("\n")[:-1]
    if len(out) != len(lines):
        sys.exit(f"dump_articles --fold gave {len(out)} lines for {len(lines)}")
    return out


def decode(data: bytes) -> str:
    """The file's text as newsidx::to_utf8 gives it for the valid cases: UTF-8 without a BOM,
    else GB18030, else Big5 (replacement characters if none fits)."""
    for codec in ("utf-8-sig", "gb18030", "big5"):
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            pass
    return data.decode("utf-8", "replace")


def raw_folded(tool: Path, corpus: Corpus) -> Texts:
    """The raw contents of the parsed files, folded by newsidx line by line."""
    lines: list[str] = []
    counts = []
    for r in corpus.files:
        parts = decode(Path(r["abspath"]).read_bytes()).split("\n")
        counts.append(len(parts))
        lines += parts
    folded = fold_lines(tool, lines)
    texts, pos = [], 0
    for c in counts:
        texts.append("\n".join(folded[pos:pos + c]))
        pos += c
    return Texts(texts)


def wordpress_footer_start(raw: str) -> int:
    """Where the WordPress feed footers that article.cpp strips begin in a folded (lower-case)
    raw file, else len(raw): the <hr> before Better Feed's "© AUTHOR for SITE … | Permalink"
    line (else its "Feed enhanced by" line), or the last "<p>The post … appeared first on …</p>"."""
    cut = len(raw)
    permalink = raw.rfind(">permalink</a>")
    hr = raw.rfind("<hr", 0, permalink) if permalink >= 0 else -1
    if hr >= 0 and ("&copy;" in raw[hr:permalink] or "\u00a9" in raw[hr:permalink]):
        cut = hr
    elif (credit := raw.rfind("feed enhanced by")) >= 0:
        cut = credit
    post = raw.rfind("<p>the post ")
    end = raw.find("</p>", post)
    if post >= 0 and " appeared first on " in raw[post:end if end >= 0 else len(raw)]:
        cut = min(cut, post)
    return cut


def place(raw: str, pos: int, needle: Needle) -> str:
    """Where in a raw article file the occurrence of `needle` at offset `pos` lies (see the
    module docstring)."""
    header_end = 0
    if raw.startswith("---\n"):
        header_end = raw.find("\n---\n", 4) + 5
    dash = raw.find("\n------\n", header_end)
    if dash >= 0:
        header_end = dash + 8
        if raw.startswith("日期:", header_end):  # China Digital Times date line (article.hpp)
            header_end = raw.find("\n", header_end) + 1 or len(raw)
    if pos < header_end:
        return "header (timestamp, link line, front matter, date line)"
    before = raw[header_end:pos]
    end = pos + len(needle.text) if needle.pattern is None else needle.pattern.match(raw, pos).end()
    if (needle.lead and re.search("[a-z0-9](?:<[^<>]*>)+$", before[-300:])
            or needle.trail and re.match("(?:<[^<>]*>)+[a-z0-9]", raw[end:end + 300])):
        return "a word cut by an inline tag (T<small>HERE)"
    if before.rfind("<") > before.rfind(">"):
        return "inside a tag (attribute)"
    if before.rfind("<!--") > before.rfind("-->"):
        return "HTML comment"
    for tag in SKIPPED_ELEMENTS:
        opened = max(before.rfind(f"<{tag}>"), before.rfind(f"<{tag} "), before.rfind(f"<{tag}/"))
        if opened > before.rfind(f"</{tag}"):
            closed = raw.find(f"</{tag}", pos) >= 0
            return f"inside <{tag}>" if closed else f"after an unclosed <{tag}> (SUSPICIOUS)"
    if re.search("&#?[a-z0-9]*$", before):
        return "inside a character reference (&…;)"
    if "获取更多rss" in before:
        return "feedx footer (stripped on purpose)"
    if pos >= wordpress_footer_start(raw):
        return "WordPress feed footer (stripped on purpose)"
    if dash < 0 and header_end and any(len(re.findall(f"<{tag}[\\s/>]", before)) > before.count(f"</{tag}")
                                       for tag in CHROME_ELEMENTS):
        return "page chrome of a front-matter post (<header>, <footer>, …: passed over on purpose)"
    return "text content (SUSPICIOUS)"


# ------------------------------------------------------------------------------------------
# Needles


def cut_cjk(rng: random.Random, text: str) -> Needle | None:
    length = rng.randint(2, 8)
    runs = [m.group() for m in CJK_RUN.finditer(text) if len(m.group()) >= length]
    if not runs:
        return None
    run = rng.choice(runs)
    start = rng.randrange(len(run) - length + 1)
    piece = run[start:start + length]
    return Needle("cjk", piece, None, piece)


def whole_alnum_runs(text: str) -> list[re.Match]:
    """ASCII letter/digit runs of text bounded CLEAN on both sides."""
    return [m for m in ALNUM_RUN.finditer(text) if len(m.group()) <= 20
            and boundary(text[m.start() - 1] if m.start() else "") == CLEAN
            and boundary(text[m.end()] if m.end() < len(text) else "") == CLEAN]


def cut_word(rng: random.Random, text: str) -> Needle | None:
    words = [m.group() for m in whole_alnum_runs(text) if m.group().isalpha() and len(m.group()) >= 3]
    if not words:
        return None
    w = rng.choice(words)
    return Needle("word", f'"{w}"', re.compile(re.escape(w)), w, lead=True, trail=True)


def cut_mixed(rng: random.Random, text: str) -> Needle | None:
    whole = {(m.start(), m.end()) for m in whole_alnum_runs(text)}
    found = []
    for m in MIXED.finditer(text):
        if m.group("l1") and m.span("l1") in whole:
            found.append(m)
        elif m.group("l2") and m.span("l2") in whole:
            found.append(m)
    if not found:
        return None
    m = rng.choice(found)
    n = rng.randint(1, 4)
    if m.group("l1"):
        latin, cjk = m.group("l1"), m.group("c1")[:n]
        pattern = re.compile(f"{re.escape(latin)}[{WS}]*{cjk}")
        return Needle("mixed", latin + cjk, pattern, latin + cjk, lead=True)
    cjk, latin = m.group("c2")[-n:], m.group("l2")
    pattern = re.compile(f"{cjk}[{WS}]*{re.escape(latin)}")
    return Needle("mixed", cjk + latin, pattern, cjk + latin, trail=True)


CUTTERS = {"cjk": cut_cjk, "mixed": cut_mixed, "word": cut_word}


def cut_from_version(rng: random.Random, kind: str, text: str, winner: str) -> Needle | None:
    """A needle of a non-winning version's folded text, preferably one that the winning version's
    text does not hold: cut from the paragraphs that the winner lacks, if any (a needle never
    spans a '\n', so it is still a needle of the whole text), up to TRIES_ABSENT_FROM_WINNER times."""
    own = set(winner.split("\n"))
    changed = "\n".join(p for p in text.split("\n") if p not in own)
    needle = None
    for _ in range(TRIES_ABSENT_FROM_WINNER):
        cand = CUTTERS[kind](rng, changed) or CUTTERS[kind](rng, text)
        if cand is None:
            return needle
        needle = cand
        if not Texts([winner]).find(cand)[0]:
            needle.absent_from_winner = True
            return needle
    return needle


def make_needles(corpus: Corpus, rng: random.Random, n: int, versions_share: float) -> tuple[list, dict]:
    """n needles with their truth: (needle, clean files, ambiguous files) each, and counts of
    the needles dropped."""
    out = []
    seen: set[str] = set()
    dropped: collections.Counter = collections.Counter()
    kinds = [k for k, _ in KIND_SHARES]
    weights = [w for _, w in KIND_SHARES]
    want_versions = round(n * versions_share) if corpus.other_versions else 0
    while len(out) < n:
        from_versions = sum(x[0].from_versions for x in out) < want_versions
        kind = rng.choices(kinds, weights)[0]
        for _ in range(1000):  # files until one has a needle of this kind
            if from_versions:
                k = rng.choice(corpus.other_versions)
                winner = corpus.texts.text(corpus.winner[corpus.url(k)])
                needle = cut_from_version(rng, kind, corpus.texts.text(k), winner)
            else:
                k = rng.randrange(len(corpus.files))
                needle = CUTTERS[kind](rng, corpus.texts.text(k))
            if needle:
                break
        else:
            sys.exit(f"no file has a {kind} needle")
        if needle.query in seen:
            dropped["repeated"] += 1
            continue
        needle.source, needle.from_versions = k, from_versions
        clean, ambiguous = corpus.texts.find(needle)
        if k not in clean:
            sys.exit(f"bug: needle {needle.query!r} not found in the file it was cut from ({corpus.files[k]['path']})")
        clean_urls = {corpus.url(f) for f in clean}
        if any(corpus.url(f) not in clean_urls for f in ambiguous):
            dropped["ambiguous token boundary"] += 1
            continue
        seen.add(needle.query)
        out.append((needle, clean, ambiguous))
    return out, dropped


# ------------------------------------------------------------------------------------------
# Running


class QueryFailed(Exception):
    pass


def search(binary: Path, db: Path, query: str, *options: str) -> list[str]:
    r = subprocess.run([binary, "--db", db, "search", "--limit", "0", "--format", "jsonl", "--fields", "url",
                        *options, "--", query], capture_output=True)
    if r.returncode == 1 and not r.stdout:
        return []
    if r.returncode != 0:
        raise QueryFailed(f"exit {r.returncode}: {r.stderr.decode('utf-8', 'replace').strip()}")
    return [json.loads(line)["url"] for line in r.stdout.split(b"\n") if line]


@dataclasses.dataclass
class Tally:
    queries: int = 0
    relevant: int = 0
    found: int = 0
    returned: int = 0
    exact: int = 0

    def add(self, truth: set, got: set) -> None:
        self.queries += 1
        self.relevant += len(truth)
        self.found += len(truth & got)
        self.returned += len(got)
        self.exact += truth == got

    def recall(self) -> float:
        return self.found / self.relevant if self.relevant else 1.0

    def precision(self) -> float:
        return self.found / self.returned if self.returned else 1.0

    def line(self, name: str) -> str:
        return (f"{name}: {self.queries} queries, recall {self.recall():.4f} ({self.found}/{self.relevant} URLs), "
                f"precision {self.precision():.4f} ({self.found}/{self.returned}), exact sets {self.exact}")


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", type=Path, required=True, help="newsidx database of CORPUS (indexed first if missing)")
    ap.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus", help="corpus root")
    ap.add_argument("--queries", type=int, default=1000, help="number of needles")
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--bin", type=Path, default=REPO / "build" / "newsidx", help="newsidx binary")
    ap.add_argument("--dump-tool", type=Path, help="dump_articles (default: bench/dump_articles next to --bin)")
    ap.add_argument("--versions-share", type=float, default=0.3,
                    help="share of needles cut from non-winning versions of URLs with several")
    ap.add_argument("--details", type=Path, help="write one JSON line per query here (needle, truth, result)")
    ap.add_argument("--show", type=int, default=20, help="mismatches and cross-check examples to print")
    args = ap.parse_args()
    tool = args.dump_tool or args.bin.parent / "bench" / "dump_articles"
    corpus_dir = args.corpus.resolve()
    if not corpus_dir.is_dir():
        ap.error(f"no corpus folder {corpus_dir} (give --corpus)")
    started = time.monotonic()

    if not args.db.exists():
        log(f"indexing {corpus_dir} into {args.db}")
        r = subprocess.run([args.bin, "--db", args.db, "index", "-q", corpus_dir])
        if r.returncode not in (0, 6):
            sys.exit(f"newsidx index failed with exit code {r.returncode}")
    log(f"dump_articles --all-files {corpus_dir}")
    corpus = Corpus(run_dump(tool, corpus_dir))
    if not corpus.files:
        sys.exit(f"no article files under {corpus_dir}")
    stats = json.loads(subprocess.run([args.bin, "--db", args.db, "stats", "--format", "json"],
                                      capture_output=True, check=True).stdout)
    multi = [u for u, v in corpus.versions.items() if v > 1]
    n_versions = sum(corpus.versions.values())
    if (stats["articles"], stats.get("versions")) != (len(corpus.by_url), n_versions):
        log(f"WARNING: the database holds {stats['articles']} articles ({stats.get('versions')} versions), "
            f"the dump {len(corpus.by_url)} ({n_versions}): is it an index of {corpus_dir}?")

    rng = random.Random(args.seed)
    needles, dropped = make_needles(corpus, rng, args.queries, args.versions_share)
    log(f"{len(needles)} needles; running newsidx search")

    total, by_kind = Tally(), collections.defaultdict(Tally)
    from_versions, absent = Tally(), Tally()
    mismatches, failures, repeated_urls, details = [], [], [], []
    relevant_urls: set[str] = set()
    for i, (needle, clean, _) in enumerate(needles, 1):
        truth = {corpus.url(k) for k in clean}
        relevant_urls |= truth
        try:
            listed = search(args.bin, args.db, needle.query)
        except QueryFailed as e:
            failures.append((needle, str(e)))
            listed = []
        got = set(listed)
        if len(got) != len(listed):
            repeated_urls.append(needle)
        for t in (total, by_kind[needle.kind]) + ((from_versions,) if needle.from_versions else ()) + \
                ((absent,) if needle.absent_from_winner else ()):
            t.add(truth, got)
        if truth != got:
            mismatches.append((needle, clean, truth, got))
        details.append({"kind": needle.kind, "query": needle.query, "source": corpus.files[needle.source]["path"],
                        "from_versions": needle.from_versions, "absent_from_winner": needle.absent_from_winner,
                        "truth": len(truth), "returned": len(got), "missed": sorted(truth - got)[:5],
                        "wrong": sorted(got - truth)[:5]})
        if i % 100 == 0:
            log(f"{i}/{len(needles)} queries, recall so far {total.recall():.4f}")

    # An unquoted needle also finds the regional variants of its words (docs/variants.md), which
    # substring search does not count: the needles that return URLs beyond the truth run again
    # with --verbatim, and what it still returns beyond the truth is a precision error.
    beyond = [(needle, truth, got) for needle, _, truth, got in mismatches if got - truth]
    verbatim_beyond = 0
    for needle, truth, _ in beyond:
        try:
            verbatim_beyond += len(set(search(args.bin, args.db, needle.query, "--verbatim")) - truth)
        except QueryFailed as e:
            failures.append((needle, f"--verbatim: {e}"))

    if args.details:
        args.details.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in details), encoding="utf-8")
    log("cross-check: raw file contents")
    raw = raw_folded(tool, corpus)
    unparsed: list[tuple[Needle, int, str]] = []  # (needle, file, place)
    queries_with_unparsed = 0
    for needle, clean, ambiguous in needles:
        raw_clean, _ = raw.find(needle)
        extra = [(k, off) for k, off in raw_clean.items() if k not in clean and k not in ambiguous]
        queries_with_unparsed += bool(extra)
        unparsed += [(needle, k, place(raw.text(k), off, needle)) for k, off in extra]

    # ---- report
    def example(needle: Needle, url: str, clean: dict) -> str:
        files = [k for k in corpus.by_url.get(url, []) if k in clean]
        k = files[0] if files else corpus.winner.get(url)
        if k is None:
            return f"{url} (not a URL of the corpus)"
        f = corpus.files[k]
        role = "winning version" if f["version"] == corpus.files[corpus.winner[url]]["version"] else "other version"
        return f"{url}: {f['path']} ({role}, {corpus.versions[url]} version(s), {len(corpus.by_url[url])} file(s))"

    print(f"\nmismatches ({len(mismatches)} queries):" if mismatches else "\nno mismatches")
    for needle, clean, truth, got in mismatches[:args.show]:
        print(f"  {needle.kind} {needle.query!r} (from {corpus.files[needle.source]['path']}): truth {len(truth)}, "
              f"returned {len(got)}, correct {len(truth & got)}")
        for u in sorted(truth - got)[:3]:
            print(f"    missed {example(needle, u, clean)}")
        for u in sorted(got - truth)[:3]:
            print(f"    wrong  {example(needle, u, clean)}")
    for needle, err in failures[:args.show]:
        print(f"  FAILED {needle.query!r}: {err}")
    for needle in repeated_urls[:args.show]:
        print(f"  a URL listed twice for {needle.query!r}")

    places = collections.Counter(p for _, _, p in unparsed)
    print(f"\nin file, not in parsed text: {len(unparsed)} files over {queries_with_unparsed} of {len(needles)} queries")
    for p, c in places.most_common():
        print(f"  {c:6d}  {p}")
    shown: collections.Counter = collections.Counter()
    for needle, k, p in unparsed:
        if shown[p] < (args.show if "SUSPICIOUS" in p else 2):
            shown[p] += 1
            print(f"  e.g. {needle.query!r} [{p}] {corpus.files[k]['path']}")

    kinds = collections.Counter(n.kind for n, _, _ in needles)
    summary = [
        f"recall_versions.py: {len(needles)} queries (" + ", ".join(f"{k} {kinds[k]}" for k, _ in KIND_SHARES) +
        f"; seed {args.seed}) on {corpus_dir}",
        f"- corpus: {len(corpus.files)} parsed files, {len(corpus.by_url)} URLs, {n_versions} versions; "
        f"{len(multi)} URLs with several versions ({len(corpus.other_versions)} files of non-winning versions)",
        f"- db: {args.db} ({stats['articles']} articles, {stats.get('versions')} versions)",
        f"- {total.line('all')}; {len(relevant_urls)} distinct relevant URLs",
    ]
    summary += [f"- {by_kind[k].line(k)}" for k, _ in KIND_SHARES if by_kind[k].queries]
    summary += [
        f"- {from_versions.line('cut from a non-winning version')}",
        f"- {absent.line('of those, absent from the winning version')}",
        f"- dropped needles: " + (", ".join(f"{c} {why}" for why, c in dropped.items()) or "none"),
        f"- returned beyond the truth: {sum(len(got - truth) for _, truth, got in beyond)} URLs over {len(beyond)} "
        f"queries; with --verbatim (no regional variants): {verbatim_beyond}",
        f"- failed queries: {len(failures)}; URLs listed twice: {len(repeated_urls)}",
        f"- in file, not in parsed text: {len(unparsed)} files over {queries_with_unparsed} queries (" +
        ", ".join(f"{p} {c}" for p, c in places.most_common()) + ")",
        f"- time: {time.monotonic() - started:.0f} s",
    ]
    print("\n" + "\n".join(summary))
    return 0 if total.found == total.relevant and not failures else 1


if __name__ == "__main__":
    sys.exit(main())
