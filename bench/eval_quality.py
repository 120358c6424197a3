#!/usr/bin/python3
"""Search quality of newsidx against omindex (Xapian Omega) and recoll on the real corpus.

Builds a query set from the corpus, computes each query's ground truth by exact matching on
newsidx-folded text, runs every query on every engine over the same documents (every version of
every URL), and prints one table (also written to bench/results/quality.md).

Run it with Debian's python, which has python3-xapian:

    cmake --build build -j2
    /usr/bin/python3 bench/eval_quality.py            # --help for options

Work files, each redone only when its input changed (delete one to force it):
    WORK/files.jsonl      build/bench/dump_articles --all-files CORPUS: every parsed file, with
                          folded text, URL, version and winner (redone when dump_articles is
                          rebuilt, i.e. when newsidx_lib changed)
    WORK/html/            every version (distinct content of a URL) as an article-NNNNN.html page,
                          and map.json (file → URL) (redone when files.jsonl has other contents)
    WORK/newsidx.db       newsidx index CORPUS (redone when the newsidx binary changes)
    WORK/omega.db         XAPIAN_CJK_NGRAM=1 omindex over WORK/html (redone when html/ is)
    WORK/recoll/          recoll configuration and index over WORK/html (redone when html/ is)
    WORK/details.jsonl    written on every run: per-query truth and each engine's result

Query kinds (literal kinds get recall and precision; `known` gets MRR):
    substr       random runs of 1–8 ideographs cut from the folded text of random articles
    entity       named entities of 2020 news (hand list), those with at least one match
    traditional  Traditional spellings (hand list) and Traditional runs cut from CNA/RTI articles
    english      Economist words in another inflection with the same English stem
    mixed        Latin word(s) and Chinese run(s) from one article: "W 中", "中 W 中", "W 中 W"
    fullwidth    a number or Latin word of an article, typed in full-width forms
    known        2–3 Chinese fragments of one article, each in at most 5 articles
    known_simplified  the same known items typed in Simplified (folded), as most readers type

Articles and versions: files that share a URL are one article; each distinct content (title,
author, text) among them is a version, one document in newsidx (and one page for the peers).
Queries are generated from one copy per URL, the winning one (dump_articles' default mode), so the
query set is the one of the runs before versions; every engine's hits count once per URL, at the
rank of its best version.

Ground truth: a query is split on spaces into parts, and an article (URL) is relevant when one of
its versions has every part. A Chinese part must occur as a substring of the version's folded
title + text; a number must be a whole word; a Latin word matches any word with the same English
(Snowball) stem. A word is a run of letters and digits (see WORD). Folding is newsidx's own (dump_articles --fold), so this
script never re-implements it. This literal truth knows no regional variants: newsidx's default
search also finds them (特朗普 finds 川普; docs/variants.md), which counts there as wrong; with
--newsidx-args=--verbatim it matches only what was typed, as the truth does.

A second table scores newsidx against a truth with regional variants: a Chinese part also matches
where it occurs with its forms of data/variants/variants.tsv replaced by the other forms of their
classes (found leftmost-longest, as VariantTable::find_longest does; name dots in the text count
as "·"). Latin and number parts keep the literal truth.
"""

from __future__ import annotations

import argparse
import bisect
import collections
import dataclasses
import datetime
import hashlib
import html
import json
import os
import random
import re
import shlex
import shutil
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import xapian

REPO = Path(__file__).resolve().parent.parent
ENGINES = ("newsidx", "omindex", "recoll")
KINDS = ("substr", "entity", "traditional", "english", "mixed", "fullwidth", "known", "known_simplified")
LITERAL_KINDS = KINDS[:6]

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
CJK_RUN = re.compile(f"[{CJK}]+")
# Words of folded text: maximal runs of letters and digits, where letters are those of alphabets
# (not ideographs, kana or Thai-like scripts: they have no spaces between words). Every other
# character separates words, so "www.bbc.com", "@terry", "7.91", "em_nation" and "trump’s" hold
# the words bbc, terry, 91, nation and trump. That is the issue's [0-9a-z]+(?:['’][0-9a-z]+)*
# for every alphabet ("51μg" stays one word) and with apostrophes separating too: the Snowball
# stem of "trump’s" is "trump’", so joining them would hide Trump from a search for "trump".
LETTER = f"(?![{CJK}\u3040-\u30ff\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff])[^\\W\\d_]"
WORD = re.compile(f"(?:{LETTER}|\\d)+")
WORD_ANY_CASE = re.compile(WORD.pattern, re.IGNORECASE)  # for original (unfolded) text
NUMBER = re.compile("[0-9]+")
# Name dots, which VariantTable counts as one ("·"): the dots themselves, and . - between ideographs.
DOT = "\u00b7"
NAME_DOTS = re.compile(f"[\u30fb\u2027\u2022\u2219]|(?<=[{CJK}])[.\\-\u2010\u2011](?=[{CJK}])")

# Omega's query stop list (omega/query.cc, class MyStopper); also kept out of generated queries.
STOPWORDS = frozenset(
    "a about an and are as at be by en for from how i in is it of on or that the this to was what "
    "when where which who why will with you your".split())
OPERATORS = frozenset({"and", "or", "not", "near", "adj", "xor"})

ENTITIES = [
    "习近平", "李克强", "王毅", "赵立坚", "华春莹", "特朗普", "拜登", "贺锦丽", "蓬佩奥", "普京",
    "默克尔", "马克龙", "约翰逊", "莫迪", "金正恩", "文在寅", "安倍晋三", "菅义伟", "蔡英文",
    "林郑月娥", "黎智英", "黄之锋", "香港", "武汉", "新疆", "西藏", "台湾", "南海", "新冠病毒",
    "新冠肺炎", "世界卫生组织", "联合国", "欧盟", "北约", "美联储", "华为", "抖音", "字节跳动",
    "腾讯", "阿里巴巴", "中芯国际", "国家安全法", "一带一路", "民进党", "国民党", "白宫",
    "五眼联盟", "全国人大", "国务院", "解放军",
]
TRADITIONAL = [
    "習近平", "臺灣", "華為", "聯合國", "國務院", "蓬佩奧", "國家安全法", "香港國安法", "林鄭月娥",
    "武漢", "世界衛生組織", "黃之鋒", "騰訊", "字節跳動", "美國", "總統", "選舉", "國民黨",
    "民進黨", "解放軍", "歐盟", "北約", "俄羅斯", "臺北", "立法會", "蘋果日報", "衛福部",
    "陸委會", "國臺辦", "疫苗接種",
]
TRADITIONAL_HOSTS = ("www.cna.com.tw", "www.rti.org.tw")
ENGLISH_HOSTS = ("www.economist.com",)


@dataclasses.dataclass
class Query:
    kind: str
    text: str               # as typed by the user
    folded: str = ""        # newsidx fold of text
    truth: frozenset = frozenset()  # indexes of relevant articles (literal kinds)
    truth_variants: frozenset = frozenset()  # the same with regional variants (VariantClasses)
    target: int = -1        # index of the wanted article (known)


class QueryFailed(Exception):
    """An engine could not run a query (parse error, crash, unexpected exit code)."""


# --------------------------------------------------------------------------------------------
# Step a: articles and folding


def dump_articles(build: Path, corpus: Path, work: Path) -> Path:
    """WORK/files.jsonl from build/bench/dump_articles --all-files (one line per parsed file)."""
    out = work / "files.jsonl"
    tool = build / "bench" / "dump_articles"
    if not newer(out, tool):
        log(f"dumping the files of {corpus}")
        tmp = out.with_suffix(".tmp")
        with tmp.open("wb") as f:
            subprocess.run([tool, "--all-files", corpus], stdout=f, check=True)
        tmp.rename(out)
    return out


def fold_all(build: Path, texts: list[str]) -> list[str]:
    """newsidx::fold of each string (none may contain a newline), in one dump_articles call."""
    assert not any("\n" in t for t in texts)
    r = subprocess.run([build / "bench" / "dump_articles", "--fold"], input="".join(t + "\n" for t in texts),
                       capture_output=True, text=True, check=True)
    folded = r.stdout.split("\n")[:-1]
    assert len(folded) == len(texts)
    return folded


class VariantClasses:
    """The classes of data/variants/variants.tsv (one class of folded forms per line), and the
    texts a folded Chinese run also matches by query expansion."""

    def __init__(self, path: Path):
        self.class_of: dict[str, int] = {}
        self.forms: list[list[str]] = []
        for line in path.read_text(encoding="utf-8").split("\n"):
            if line and not line.startswith("#"):
                for form in line.split():
                    self.class_of[form] = len(self.forms)
                self.forms.append(line.split())
        self.longest = max(len(f) for f in self.class_of)

    def alternatives(self, run: str, limit: int = 16) -> list[str]:
        """`run` and every text made from it by replacing each form found in it (leftmost, then
        longest; at most `limit` texts in all, like k_max_variant_alternatives) by each form of its
        class."""
        found = []  # (begin, end, class) kept left to right without overlaps
        for b in range(len(run)):
            if found and b < found[-1][1]:
                continue
            for e in range(min(len(run), b + self.longest), b, -1):
                if run[b:e] in self.class_of:
                    found.append((b, e, self.class_of[run[b:e]]))
                    break
        texts, product = [""], 1
        pos = 0
        for b, e, c in found:
            if product * len(self.forms[c]) > limit:
                break
            product *= len(self.forms[c])
            texts = [t + run[pos:b] + form for t in texts for form in self.forms[c]]
            pos = e
        return list(dict.fromkeys(t + run[pos:] for t in texts))


class Texts:
    """Folded texts and exact matching on them: substrings, words and English stems."""

    def __init__(self, folded: list[str], stemmer: xapian.Stem):
        self.folded = folded
        # All folded texts in one string, each followed by NUL; starts[k] = offset of text k.
        self.starts = []
        pos = 0
        for t in folded:
            self.starts.append(pos)
            pos += len(t) + 1
        self.starts.append(pos)
        self.joined = "".join(t + "\0" for t in folded)
        self.stemmer = stemmer
        self._word_docs: dict[str, set[int]] | None = None
        self._stem_words: dict[str, list[str]] | None = None

    def with_substring(self, s: str, stop_after: int = 0) -> set[int]:
        """Texts that contain s; with stop_after, stops once more are found."""
        found: set[int] = set()
        i = self.joined.find(s)
        while i >= 0:
            k = bisect.bisect_right(self.starts, i) - 1
            found.add(k)
            if stop_after and len(found) > stop_after:
                break
            i = self.joined.find(s, self.starts[k + 1])
        return found

    def word_docs(self) -> dict[str, set[int]]:
        """Word (WORD regex) → texts that have it. Built on first use (about 1 s)."""
        if self._word_docs is None:
            index: dict[str, set[int]] = collections.defaultdict(set)
            for k, t in enumerate(self.folded):
                for w in set(WORD.findall(t)):
                    index[w].add(k)
            self._word_docs = dict(index)
            stems: dict[str, list[str]] = collections.defaultdict(list)
            for w in self._word_docs:
                stems[self.stem(w)].append(w)
            self._stem_words = dict(stems)
        return self._word_docs

    def stem(self, word: str) -> str:
        return self.stemmer(word).decode("utf-8")

    def with_stem(self, stem: str) -> set[int]:
        """Texts with a word whose English stem is `stem`."""
        docs = self.word_docs()
        out: set[int] = set()
        for w in self._stem_words.get(stem, []):
            out |= docs[w]
        return out

    def matching(self, folded_query: str, variants: VariantClasses | None = None) -> set[int]:
        """Texts that have every space-separated part of the folded query (see module doc); with
        `variants`, a Chinese part in any of its alternatives."""
        result: set[int] | None = None
        for part in folded_query.split():
            if CJK_RUN.fullmatch(part) and variants:
                docs = set().union(*(self.with_substring(t) for t in variants.alternatives(part)))
            elif CJK_RUN.fullmatch(part):
                docs = self.with_substring(part)
            elif NUMBER.fullmatch(part):
                docs = self.word_docs().get(part, set())
            elif WORD.fullmatch(part):
                docs = self.with_stem(self.stem(part))
            else:
                raise ValueError(f"no ground truth for query part {part!r}")
            result = docs if result is None else result & docs
        return result or set()


class Corpus:
    """The articles (one per URL: its winning copy, as dump_articles' default mode keeps) on
    which queries are built, and every version of each, on which the ground truth is computed."""

    def __init__(self, path: Path, variants: VariantClasses | None = None):
        self.files = [json.loads(line) for line in path.open(encoding="utf-8")]
        self.articles = [f for f in self.files if f["winner"]]
        self.urls = [a["url"] for a in self.articles]
        self.hosts = [urllib.parse.urlsplit(u).netloc.lower() for u in self.urls]
        index_of = {u: k for k, u in enumerate(self.urls)}
        # The versions: one file of each distinct content of a URL, and the article it belongs to.
        seen: set[tuple[str, str]] = set()
        self.versions = [f for f in self.files if (f["url"], f["version"]) not in seen
                         and not seen.add((f["url"], f["version"]))]
        self.article_of_version = [index_of[v["url"]] for v in self.versions]
        stemmer = xapian.Stem("english")
        self.generating = Texts([a["folded"] for a in self.articles], stemmer)
        self.all_versions = Texts([v["folded"] for v in self.versions], stemmer)
        self.variants = variants
        if variants:
            self.dotted_versions = Texts([NAME_DOTS.sub(DOT, v["folded"]) for v in self.versions], stemmer)

    def original(self, k: int) -> str:
        a = self.articles[k]
        return a["title"] + "\n" + a["text"]

    def with_substring(self, s: str, stop_after: int = 0) -> set[int]:
        """Articles whose winning copy contains s (query generation only)."""
        return self.generating.with_substring(s, stop_after)

    def word_docs(self) -> dict[str, set[int]]:
        """Word → articles whose winning copy has it (query generation only)."""
        return self.generating.word_docs()

    def stem(self, word: str) -> str:
        return self.generating.stem(word)

    def truth(self, folded_query: str) -> frozenset:
        """Articles (URLs) with a version that has every part of the folded query: a version is
        one document, so the parts must occur in the same one."""
        return frozenset(self.article_of_version[v] for v in self.all_versions.matching(folded_query))

    def truth_variants(self, folded_query: str) -> frozenset:
        """truth() with regional variants (see the module doc); empty without a variant table."""
        if not self.variants:
            return frozenset()
        return frozenset(self.article_of_version[v]
                         for v in self.dotted_versions.matching(folded_query, self.variants))


# --------------------------------------------------------------------------------------------
# Step b: the HTML copy for the peers


def write_html_corpus(corpus: Corpus, files: Path, work: Path) -> Path:
    """WORK/html/article-NNNNN.html for every version of every article (NNNNN = its index in
    Corpus.versions), and WORK/html/map.json {file name: URL}: the peers index what newsidx
    indexes, one document per version, and their hits are counted once per URL. Title and paragraphs are HTML-escaped, UTF-8. The title
    is also the page's <h1>, as on a news site: omindex indexes <title> only as `title:` terms
    (prefix S), which Omega's plain queries do not search."""
    out = work / "html"
    stamp = work / "html.stamp"
    key = sha256(files)
    if out.exists() and stamp.exists() and stamp.read_text() == key:
        return out
    log(f"writing {len(corpus.versions)} HTML pages")
    tmp = work / "html.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    mapping = {}
    for k, a in enumerate(corpus.versions):
        name = html_name(k)
        title = html.escape(a["title"])
        body = "".join(f"<p>{html.escape(p)}</p>" for p in a["text"].split("\n"))
        page = ('<!DOCTYPE html><html><head><meta charset="utf-8">'
                f"<title>{title}</title></head><body><h1>{title}</h1>{body}</body></html>\n")
        (tmp / name).write_text(page, encoding="utf-8")
        mapping[name] = a["url"]
    (tmp / "map.json").write_text(json.dumps(mapping, ensure_ascii=False, indent=0), encoding="utf-8")
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)
    stamp.write_text(key)
    return out


def html_name(k: int) -> str:
    return f"article-{k:05d}.html"


# --------------------------------------------------------------------------------------------
# Steps c, d and f: engines. search() returns the URLs of all matches, best first.


class Newsidx:
    name = "newsidx"

    def __init__(self, binary: Path, corpus_dir: Path, work: Path, search_args: list[str]):
        self.binary = binary
        self.corpus_dir = corpus_dir
        self.search_args = search_args  # e.g. ["--verbatim"]
        self.db = work / "newsidx.db"
        self.stamp = work / "newsidx.stamp"

    def prepare(self) -> None:
        """Indexes the original corpus folder, unless WORK/newsidx.db was built by this binary."""
        key = f"{sha256(self.binary)} {self.corpus_dir}"
        if self.db.exists() and self.stamp.exists() and self.stamp.read_text() == key:
            return
        log(f"newsidx: indexing {self.corpus_dir}")
        shutil.rmtree(self.db, ignore_errors=True)
        started = time.monotonic()
        r = subprocess.run([self.binary, "--db", self.db, "index", self.corpus_dir, "-q"])
        if r.returncode not in (0, 6):  # 6: some files failed; they are reported on stderr
            sys.exit(f"newsidx index failed with exit code {r.returncode}")
        log(f"newsidx: indexed in {time.monotonic() - started:.0f} s")
        self.stamp.write_text(key)

    def search(self, query: str) -> list[str]:
        r = subprocess.run([self.binary, "--db", self.db, "search", "--limit", "0", "--format", "jsonl",
                            "--fields", "url", *self.search_args, "--", query], capture_output=True, text=True)
        if r.returncode == 1 and not r.stdout:
            return []
        if r.returncode != 0:
            raise QueryFailed(f"exit {r.returncode}: {r.stderr.strip()}")
        return [json.loads(line)["url"] for line in r.stdout.splitlines()]


class Omindex:
    """Omega's indexer with CJK n-grams, queried as Omega's query.cc does (STEM_SOME, AND,
    Omega's stop list, prefix title→S, FLAG_DEFAULT | FLAG_CJK_NGRAM)."""

    name = "omindex"

    def __init__(self, html_dir: Path, work: Path):
        self.html_dir = html_dir
        self.path = work / "omega.db"

    def prepare(self) -> None:
        os.environ["XAPIAN_CJK_NGRAM"] = "1"  # read by the QueryParser too
        if not newer(self.path, self.html_dir):
            require_package("omindex", "xapian-omega")
            tmp = self.path.with_suffix(".tmp")
            shutil.rmtree(tmp, ignore_errors=True)
            log("omindex: indexing the HTML copy")
            started = time.monotonic()
            subprocess.run(["omindex", "--db", tmp, "--url", "/", "--mime-type", "json:skip", self.html_dir],
                           check=True, stdout=subprocess.DEVNULL)
            shutil.rmtree(self.path, ignore_errors=True)
            tmp.rename(self.path)
            log(f"omindex: indexed in {time.monotonic() - started:.0f} s")
        self.db = xapian.Database(str(self.path))
        mapping = json.loads((self.html_dir / "map.json").read_text(encoding="utf-8"))
        self.url_of = {}
        for docid in range(1, self.db.get_lastdocid() + 1):
            try:
                data = self.db.get_document(docid).get_data().decode("utf-8", "replace")
            except xapian.DocNotFoundError:
                continue
            fields = dict(line.split("=", 1) for line in data.splitlines() if "=" in line)
            self.url_of[docid] = mapping[fields["url"].rsplit("/", 1)[1]]
        self.qp = xapian.QueryParser()
        self.qp.set_stemmer(xapian.Stem("english"))
        self.qp.set_stemming_strategy(xapian.QueryParser.STEM_SOME)
        self.stopper = xapian.SimpleStopper()
        for w in STOPWORDS:
            self.stopper.add(w)
        self.qp.set_stopper(self.stopper)
        self.qp.set_default_op(xapian.Query.OP_AND)
        self.qp.set_database(self.db)
        self.qp.add_prefix("title", "S")
        self.flags = xapian.QueryParser.FLAG_DEFAULT | xapian.QueryParser.FLAG_CJK_NGRAM

    def search(self, query: str) -> list[str]:
        try:
            parsed = self.qp.parse_query(query, self.flags)
        except xapian.Error as e:
            raise QueryFailed(f"{type(e).__name__}: {e}") from e
        enquire = xapian.Enquire(self.db)
        enquire.set_query(parsed)
        return [self.url_of[m.docid] for m in enquire.get_mset(0, self.db.get_doccount())]


class Recoll:
    """recollindex/recollq with a private configuration in WORK/recoll (English stemming)."""

    name = "recoll"

    def __init__(self, html_dir: Path, work: Path):
        self.html_dir = html_dir
        self.conf = work / "recoll"

    def prepare(self) -> None:
        if not newer(self.conf, self.html_dir):
            require_package("recollindex", "recollcmd")
            tmp = self.conf.with_suffix(".tmp")
            shutil.rmtree(tmp, ignore_errors=True)
            tmp.mkdir()
            # dbdir is relative to the configuration folder, so the folder can be renamed.
            (tmp / "recoll.conf").write_text(
                f"topdirs = {self.html_dir}\n"
                "skippedNames+ = map.json\n"
                "indexstemminglanguages = english\n"
                "noaspell = 1\n"
                "loglevel = 1\n")
            log("recoll: indexing the HTML copy")
            started = time.monotonic()
            subprocess.run(["recollindex", "-c", tmp, "-z"], check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            shutil.rmtree(self.conf, ignore_errors=True)
            tmp.rename(self.conf)
            log(f"recoll: indexed in {time.monotonic() - started:.0f} s")
        self.url_of = json.loads((self.html_dir / "map.json").read_text(encoding="utf-8"))

    def search(self, query: str) -> list[str]:
        r = subprocess.run(["recollq", "-c", self.conf, "-b", "-n", "0", query], capture_output=True, text=True)
        if r.returncode != 0:
            raise QueryFailed(f"exit {r.returncode}: {r.stderr.strip()}")
        # Lines are file:// URLs of the pages (recoll also indexes the folder itself: no .html).
        return [self.url_of[line.rsplit("/", 1)[1]] for line in r.stdout.splitlines()
                if line.startswith("file://") and line.endswith(".html")]


def require_package(command: str, package: str) -> None:
    """Installs a Debian package (we run as root) when its command is missing."""
    if shutil.which(command) is None:
        log(f"installing {package}")
        subprocess.run(["apt-get", "update"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run(["apt-get", "install", "-y", package], check=True, stdout=subprocess.DEVNULL)


def newer(output: Path, source: Path) -> bool:
    """True if output exists and was written after source (an index after the pages it holds)."""
    return output.exists() and output.stat().st_mtime >= source.stat().st_mtime


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------------------------
# Step e: the query set


def cjk_piece(rng: random.Random, text: str, min_len: int, max_len: int) -> str | None:
    """A random run of min_len..max_len ideographs inside one ideograph run of text, or None."""
    length = rng.randint(min_len, max_len)
    runs = [m.group() for m in CJK_RUN.finditer(text) if len(m.group()) >= length]
    if not runs:
        return None
    run = rng.choice(runs)
    start = rng.randrange(len(run) - length + 1)
    return run[start:start + length]


def latin_words(text: str) -> list[str]:
    """ASCII words of 3–12 letters standing alone in original text (not in "www.bbc.com",
    "me@mail" or "trump's"), without stop words or operators."""
    return [m.group() for m in WORD_ANY_CASE.finditer(text)
            if m.group().isascii() and m.group().isalpha() and 3 <= len(m.group()) <= 12
            and m.group().lower() not in STOPWORDS | OPERATORS and standalone(text, m, ".@_'’")]


def numbers(text: str) -> list[str]:
    """Numbers of 2–6 ASCII digits standing alone in text (not in "7.91" or "28,000")."""
    return [m.group() for m in WORD_ANY_CASE.finditer(text)
            if m.group().isascii() and m.group().isdigit() and 2 <= len(m.group()) <= 6
            and standalone(text, m, ".,")]


def standalone(text: str, m: re.Match, joiners: str) -> bool:
    """False if the word m is glued to another word by one of `joiners` ("bbc" in "www.bbc")."""
    before, after = text[max(0, m.start() - 2):m.start()], text[m.end():m.end() + 2]
    return not (len(before) == 2 and before[1] in joiners and WORD_ANY_CASE.match(before[0])
                or len(after) == 2 and after[0] in joiners and WORD_ANY_CASE.match(after[1]))


def gen_substr(corpus: Corpus, rng: random.Random, n: int) -> list[str]:
    """Runs of 1–8 ideographs cut from the folded text of random articles."""
    out: list[str] = []
    while len(out) < n:
        piece = cjk_piece(rng, corpus.articles[rng.randrange(len(corpus.articles))]["folded"], 1, 8)
        if piece and piece not in out:
            out.append(piece)
    return out


def gen_traditional(corpus: Corpus, rng: random.Random, n: int, build: Path) -> list[str]:
    """The hand list, then random 2–4-ideograph runs of CNA/RTI articles that folding changes."""
    hand = [t for t, f in zip(TRADITIONAL, fold_all(build, TRADITIONAL)) if t != f]
    sources = [k for k, h in enumerate(corpus.hosts) if h in TRADITIONAL_HOSTS]
    out = hand[:n]
    while len(out) < n:
        pieces = [cjk_piece(rng, corpus.original(rng.choice(sources)), 2, 4) for _ in range(4 * n)]
        pieces = [p for p in pieces if p]
        for piece, folded in zip(pieces, fold_all(build, pieces)):
            if piece != folded and piece not in out and len(out) < n:
                out.append(piece)
    return out


def inflections(word: str) -> set[str]:
    """Plausible other inflections of an English word (not checked against a dictionary)."""
    out = {word + s for s in ("s", "es", "ed", "d", "ing")}
    if word.endswith("e"):
        out.add(word[:-1] + "ing")
    if word.endswith("y"):
        out |= {word[:-1] + "ies", word[:-1] + "ied"}
    for suffix in ("s", "es", "ed", "d", "ing", "ies", "ied"):
        base = word[:-len(suffix)]
        if word.endswith(suffix) and len(base) >= 3:
            out |= {base, base + "e", base + "y", base + "s", base + "ed", base + "ing"}
    out.discard(word)
    return out


def gen_english(corpus: Corpus, rng: random.Random, n: int) -> list[str]:
    """A word of ≥ 5 letters from an Economist article, replaced by another inflection that occurs
    somewhere in the corpus and has the same stem."""
    vocabulary = corpus.word_docs()
    sources = [k for k, h in enumerate(corpus.hosts) if h in ENGLISH_HOSTS]
    out: list[str] = []
    while len(out) < n:
        words = [w for w in WORD.findall(corpus.articles[rng.choice(sources)]["folded"])
                 if len(w) >= 5 and w.isascii() and w.isalpha()]
        if not words:
            continue
        word = rng.choice(words)
        others = sorted(w for w in inflections(word)
                        if w in vocabulary and corpus.stem(w) == corpus.stem(word) and w not in out)
        if others:
            out.append(rng.choice(others))
    return out


def gen_mixed(corpus: Corpus, rng: random.Random, n: int) -> list[str]:
    """Shapes in turn: "W 中", "中 W 中", "W 中 W" (Latin words and Chinese runs of one article)."""
    out: list[str] = []
    while len(out) < n:
        text = corpus.original(rng.randrange(len(corpus.articles)))
        words = latin_words(text)
        if not words:
            continue
        cjk = [cjk_piece(rng, text, 2, 4), cjk_piece(rng, text, 2, 4)]
        if None in cjk:
            continue
        shape = len(out) % 3
        if shape == 2 and len(set(words)) < 2:
            continue
        w1, w2 = rng.sample(sorted(set(words)), 2) if shape == 2 else (rng.choice(words), "")
        parts = [w1, cjk[0]] if shape == 0 else [cjk[0], w1, cjk[1]] if shape == 1 else [w1, cjk[0], w2]
        query = " ".join(parts)
        if query not in out:
            out.append(query)
    return out


def gen_fullwidth(corpus: Corpus, rng: random.Random, n: int) -> list[str]:
    """Numbers and Latin words, alternately, of random articles, in full-width forms (U+FF01..)."""
    out: list[str] = []
    while len(out) < n:
        text = corpus.original(rng.randrange(len(corpus.articles)))
        tokens = numbers(text) if len(out) % 2 == 0 else latin_words(text)
        if not tokens:
            continue
        query = "".join(chr(ord(c) + 0xFEE0) for c in rng.choice(tokens))
        if query not in out:
            out.append(query)
    return out


def gen_known(corpus: Corpus, rng: random.Random, n: int, build: Path) -> list[tuple[str, int]]:
    """(query, target article): 2–3 fragments of 3–5 ideographs cut from different ideograph runs
    of the article's original text, none inside another, each (folded) in at most 5 articles.
    Other articles with every fragment compete in the ranking, but a target is skipped when one of
    them is the same story under another URL (same_story)."""
    out: list[tuple[str, int]] = []
    while len(out) < n:
        target = rng.randrange(len(corpus.articles))
        runs = [m.group() for m in CJK_RUN.finditer(corpus.original(target)) if len(m.group()) >= 3]
        rng.shuffle(runs)
        pieces = []
        for run in runs[:30]:
            length = rng.randint(3, min(5, len(run)))
            start = rng.randrange(len(run) - length + 1)
            pieces.append(run[start:start + length])
        wanted = rng.randint(2, 3)
        chosen: list[str] = []
        chosen_folded: list[str] = []
        common: set[int] = set()
        for piece, folded in zip(pieces, fold_all(build, pieces)):
            if any(folded in f or f in folded for f in chosen_folded):
                continue
            docs = corpus.with_substring(folded, stop_after=5)
            if len(docs) <= 5:
                common = docs if not chosen else common & docs
                chosen.append(piece)
                chosen_folded.append(folded)
            if len(chosen) == wanted:
                break
        if len(chosen) < wanted:
            continue
        if not any(k != target and same_story(corpus.articles[k], corpus.articles[target]) for k in common):
            out.append((" ".join(chosen), target))
    return out


def same_story(a: dict, b: dict) -> bool:
    """Same folded text, or one folded title (of 6 or more characters) inside the other, as in a
    repost "VOA | <title>": then no engine can tell which URL a user wants."""
    short, long = sorted((a["folded"].split("\n", 1)[0], b["folded"].split("\n", 1)[0]), key=len)
    return a["folded"] == b["folded"] or (len(short) >= 6 and short in long)


def build_queries(corpus: Corpus, seed: int, n: int, build: Path) -> list[Query]:
    """n queries per kind (fewer for `entity`: its hand list filtered to entities that occur),
    folded and with ground truth."""
    rng = random.Random(seed)
    texts = {
        "substr": gen_substr(corpus, rng, n),
        "entity": ENTITIES[:n],
        "traditional": gen_traditional(corpus, rng, n, build),
        "english": gen_english(corpus, rng, n),
        "mixed": gen_mixed(corpus, rng, n),
        "fullwidth": gen_fullwidth(corpus, rng, n),
    }
    queries = [Query(kind, t) for kind, ts in texts.items() for t in ts]
    known = gen_known(corpus, rng, n, build)
    queries += [Query("known", t, target=k) for t, k in known]
    # The same known items as a reader who writes Simplified Chinese types them: the fragments
    # folded (Traditional→Simplified, full-width→ASCII). For the Traditional-script targets
    # (CNA, RTI, many matters.news) this is the other script.
    folded_known = fold_all(build, [t for t, _ in known])
    queries += [Query("known_simplified", t, target=k) for t, (_, k) in zip(folded_known, known)]
    for q, folded in zip(queries, fold_all(build, [q.text for q in queries])):
        q.folded = folded
        if not q.kind.startswith("known"):
            q.truth = corpus.truth(folded)
            q.truth_variants = corpus.truth_variants(folded)
    return [q for q in queries if q.kind.startswith("known") or q.truth]


# --------------------------------------------------------------------------------------------
# Step g: running and scoring


def run_queries(queries: list[Query], engines: list, corpus: Corpus) -> list[dict]:
    """One record per query: truth size and, per engine, retrieved / correct / failure / rank."""
    index_of = {u: k for k, u in enumerate(corpus.urls)}
    records = []
    for i, q in enumerate(queries, 1):
        rec = {"kind": q.kind, "query": q.text, "folded": q.folded}
        if q.kind.startswith("known"):
            rec["target"] = corpus.urls[q.target]
        else:
            rec["truth"] = len(q.truth)
            rec["truth_variants"] = len(q.truth_variants)
        for e in engines:
            started = time.monotonic()
            try:
                urls, error = e.search(q.text), ""
            except QueryFailed as err:
                urls, error = [], str(err)
            got = list(dict.fromkeys(index_of[u] for u in urls))  # a URL once, at its best rank
            res = {"retrieved": len(got), "seconds": round(time.monotonic() - started, 3)}
            if error:
                res["error"] = error
            if q.kind.startswith("known"):
                res["rank"] = got.index(q.target) + 1 if q.target in got else None
            else:
                got_set = set(got)
                res["correct"] = len(got_set & q.truth)
                res["missed"] = [corpus.urls[k] for k in sorted(q.truth - got_set)[:5]]
                res["wrong"] = [corpus.urls[k] for k in sorted(got_set - q.truth)[:5]]
                res["correct_variants"] = len(got_set & q.truth_variants)
                res["wrong_variants"] = [corpus.urls[k] for k in sorted(got_set - q.truth_variants)[:5]]
            rec[e.name] = res
        records.append(rec)
        if i % 50 == 0:
            log(f"{i}/{len(queries)} queries run")
    return records


def summarize(records: list[dict], engine_names: list[str], variants: bool = False) -> dict:
    """(kind, engine) → {queries, relevant, retrieved, correct, full, failed, rr}, plus the
    `all literal` total over every kind but `known`; with `variants`, against the truth with
    regional variants."""
    truth, correct = ("truth_variants", "correct_variants") if variants else ("truth", "correct")
    stats: dict = {}
    for rec in records:
        for kind in (rec["kind"], "all literal") if not rec["kind"].startswith("known") else (rec["kind"],):
            for name in engine_names:
                s = stats.setdefault((kind, name), collections.Counter())
                r = rec[name]
                s["queries"] += 1
                s["failed"] += bool(r.get("error"))
                if kind.startswith("known"):
                    s["relevant"] += 1
                    s["rr"] += 1 / r["rank"] if r["rank"] else 0
                    s["full"] += r["rank"] == 1
                else:
                    s["relevant"] += rec[truth]
                    s["retrieved"] += r["retrieved"]
                    s["correct"] += r[correct]
                    s["full"] += r[correct] == rec[truth]
    return stats


def table(stats: dict, engine_names: list[str]) -> str:
    """The markdown table: per kind, each engine's recall (R), precision (P), queries with
    recall 1 (full) and failed queries; for `known`, R is the MRR and full the targets ranked 1st."""
    head = ["kind", "queries", "relevant"]
    for name in engine_names:
        head += [f"{name} R", f"{name} P", f"{name} full", f"{name} fail"]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|"]
    for kind in (*LITERAL_KINDS, "all literal", "known", "known_simplified"):
        if (kind, engine_names[0]) not in stats:
            continue
        first = stats[(kind, engine_names[0])]
        row = [kind, str(first["queries"]), str(first["relevant"])]
        for name in engine_names:
            s = stats[(kind, name)]
            if kind.startswith("known"):
                row += [f"MRR {s['rr'] / s['queries']:.3f}", "–"]
            else:
                row += [f"{s['correct'] / s['relevant']:.3f}",
                        f"{s['correct'] / s['retrieved']:.3f}" if s["retrieved"] else "–"]
            row += [str(s["full"]), str(s["failed"])]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def worst(records: list[dict], engine: str, limit: int) -> list[str]:
    """The engine's imperfect queries, worst first, one line each."""
    scored = []
    for rec in records:
        r = rec[engine]
        if rec["kind"].startswith("known"):
            if r["rank"] != 1:
                scored.append((1 / r["rank"] if r["rank"] else 0, 1.0, rec))
        elif r["correct"] < rec["truth"] or r["retrieved"] > r["correct"] or r.get("error"):
            scored.append((r["correct"] / rec["truth"], r["correct"] / r["retrieved"] if r["retrieved"] else 1, rec))
    scored.sort(key=lambda t: (min(t[0], t[1]), t[0]))
    out = []
    for _, _, rec in scored[:limit]:
        r = rec[engine]
        if rec["kind"].startswith("known"):
            line = f"known {rec['query']!r}: target {rec['target']} at rank {r['rank']} of {r['retrieved']}"
        else:
            line = (f"{rec['kind']} {rec['query']!r} (folded {rec['folded']!r}): truth {rec['truth']}, "
                    f"retrieved {r['retrieved']}, correct {r['correct']}")
            if r["missed"]:
                line += f"; missed e.g. {r['missed'][0]}"
            if r["wrong"]:
                line += f"; wrong e.g. {r['wrong'][0]}"
        if r.get("error"):
            line += f"; FAILED: {r['error']}"
        out.append(line)
    return out


def git_state() -> str:
    """The commit newsidx was built from, noting uncommitted changes to its sources."""
    head = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(["git", "-C", REPO, "status", "--porcelain", "--", "src", "include", "CMakeLists.txt"],
                           capture_output=True, text=True)
    return head.stdout.strip() + (" with uncommitted changes to src/include" if dirty.stdout.strip() else "")


def package_version(package: str) -> str:
    r = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", package], capture_output=True, text=True)
    return r.stdout.strip() or "not installed"


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus", help="corpus root")
    ap.add_argument("--build", type=Path, default=REPO / "build", help="CMake build folder with newsidx")
    ap.add_argument("--work", type=Path, default=Path("/tmp/newsidx-eval"), help="work folder (cached steps)")
    ap.add_argument("--seed", type=int, default=20261121)
    ap.add_argument("--per-kind", type=int, default=50, help="queries per kind")
    ap.add_argument("--engines", default=",".join(ENGINES), help="comma-separated subset of " + ",".join(ENGINES))
    ap.add_argument("--results", type=Path, default=REPO / "bench" / "results" / "quality.md",
                    help="markdown report to write")
    ap.add_argument("--newsidx-args", default="",
                    help="extra options of newsidx search, e.g. --newsidx-args=--verbatim (no regional variants)")
    ap.add_argument("--variants", type=Path, default=REPO / "data" / "variants" / "variants.tsv",
                    help="variant table of the second truth (the one compiled into newsidx)")
    args = ap.parse_args()
    corpus_dir, build, work = args.corpus.resolve(), args.build.resolve(), args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)

    files = dump_articles(build, corpus_dir, work)
    corpus = Corpus(files, VariantClasses(args.variants))
    log(f"{len(corpus.articles)} articles, {len(corpus.versions)} versions, {len(corpus.files)} files")
    html_dir = write_html_corpus(corpus, files, work)
    available = {"newsidx": lambda: Newsidx(build / "newsidx", corpus_dir, work, shlex.split(args.newsidx_args)),
                 "omindex": lambda: Omindex(html_dir, work),
                 "recoll": lambda: Recoll(html_dir, work)}
    engines = [available[name]() for name in args.engines.split(",")]
    for e in engines:
        e.prepare()

    started = time.monotonic()
    queries = build_queries(corpus, args.seed, args.per_kind, build)
    log(f"{len(queries)} queries built in {time.monotonic() - started:.0f} s")
    started = time.monotonic()
    records = run_queries(queries, engines, corpus)
    log(f"queries run in {time.monotonic() - started:.0f} s")
    with (work / "details.jsonl").open("w", encoding="utf-8") as f:
        for rec in records:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")

    names = [e.name for e in engines]
    result = table(summarize(records, names), names)
    print(result)
    with_variants = table(summarize(records, ["newsidx"], variants=True), ["newsidx"]) if "newsidx" in names else ""
    if with_variants:
        print("\nnewsidx against the truth with regional variants:\n" + with_variants)
    counts = collections.Counter(q.kind for q in queries)
    report = [
        "# Search quality: newsidx against omindex and recoll",
        "",
        "Generated by `bench/eval_quality.py`; see its docstring for the query kinds and the ground truth.",
        "",
        f"- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC",
        f"- command: `/usr/bin/python3 {' '.join(shlex.quote(a) for a in sys.argv)}`",
        f"- seed {args.seed}; {len(corpus.articles)} articles (URLs) in {len(corpus.versions)} versions "
        f"({len(corpus.files)} files) from `{corpus_dir}`; a URL is relevant when one of its versions matches",
        f"- queries: {len(queries)} (" + ", ".join(f"{k} {counts[k]}" for k in KINDS) + ")",
        f"- newsidx: git {git_state()}; omindex: xapian-omega {package_version('xapian-omega')} with "
        f"XAPIAN_CJK_NGRAM=1; recoll: recollcmd {package_version('recollcmd')}",
        "",
        "R = micro recall (relevant articles found / relevant), P = micro precision (correct / returned),",
        "full = queries with recall 1, fail = queries the engine could not run. For `known`, R is the mean",
        "reciprocal rank of the target article and full counts targets ranked first.",
        "",
        result,
        "",
    ]
    if with_variants:
        report += [
            "## newsidx against the truth with regional variants",
            "",
            "A Chinese part is also relevant where the other forms of its regional-variant classes occur",
            f"(`{args.variants.name}`, replaced leftmost-longest as newsidx expands a query; see the docstring).",
            "`known` rows are those of the table above.",
            "",
            with_variants,
            "",
        ]
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text("\n".join(report), encoding="utf-8")
    if "newsidx" in names:
        lines = worst(records, "newsidx", 25)
        print("\nworst newsidx queries:" if lines else "\nnewsidx: every query exact")
        for line in lines:
            print("  " + line)
    log(f"wrote {args.results} and {work / 'details.jsonl'}")


if __name__ == "__main__":
    main()
