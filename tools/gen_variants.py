#!/usr/bin/env python3
"""gen_variants.py — builds newsidx's regional variant table (data/variants/) from the raw tables.

usage: tools/gen_variants.py --regional DIR --corpus DIR --build DIR [--out DIR] [--work DIR]
                             [--mediawiki]

  --regional DIR  the raw tables (../shared/regional: raw/cgroups/*.json, raw/opencc-*/)
  --corpus DIR    the news corpus whose counts decide the corpus rules (../shared/corpus)
  --build DIR     a build tree with bench/dump_articles (folds text with newsidx::fold, and dumps
                  the corpus) and bench/variant_counts (counts forms, tells ICU dictionary words)
  --out DIR       where variants.tsv and sources.tsv are written (default: data/variants)
  --work DIR      work files (default /tmp/newsidx-variants): articles.jsonl is reused while it is
                  newer than dump_articles; report.txt gets every figure and every removal
  --mediawiki     also read MediaWiki's ZhConversion.php, only to cross-check the result (figures
                  in the report); nothing of it reaches the table, which stays free of GPL data

The curated rules are tools/variants_rules.txt. Same input, same output: every collection is
sorted before it is used. Python 3 standard library only. docs/variants.md explains each rule with
its figures; the rule names below (S1...C2) are the ones used there and in the report.

  S1 scope      every CGroup file of ../shared/regional except the typhoon-name lists (their names
                are everyday words: 杨柳, 百合, 海神) and 州邦 (州 ~ 邦 for German and Indian states:
                mainland hosts write both); OpenCC's TW/HK phrase dictionaries
  S2 parse      a CGroup two-way rule ("zh-cn:A;zh-tw:B;") links all its texts; a one-way rule
                ("A=>zh-cn:B") links A and B; an OpenCC line links its key to each value. Untagged
                fragments, empty texts and no-conversion rules (blockers) are skipped.
  S3 forms      name dots (・‧•∙･, and . - ‐ ‑ between ideographs) become "·" and the text is folded
                by newsidx; a form must be ideographs and "·" only (no Latin, digits, kana or other
                punctuation) with at least two ideographs; "·" at either end is dropped
  S4 links      a link is dropped when its forms are equal after folding (script only) or when one
                contains the other (context patches: 美式热咖啡 => 咖啡; short/long: 乌兹别克 ~
                乌兹别克斯坦, where the short form has other senses)
  S5 curated    tools/variants_rules.txt: `form F` drops a form, `link A B` a link, `class F` the
                class of F, `keep F` exempts F from C1 and C2; each line gives its reason
  S7 surnames   two linked names of the same number of "·"-separated parts also link their last
                parts (弗拉基米尔·普京 ~ 弗拉迪米尔·普丁 gives 普京 ~ 普丁), but only when each of the two
                surnames has no other counterpart this way (common surnames chain: 怀特 ~ 赖特 ~ 莱特)
  S6 chains     classes are connected components; a form that contains another form of its class
                is dropped and the rest re-split (东盟 … 亚细安 组织); a class of more than
                K_MAX_FORMS forms is dropped
  C1 fragments  a form found in at least C_MIN articles that occurs there inside a longer form of
                another class in more than half of them (纳德 inside 伯纳德) is dropped
  C3 words      a class whose forms are all ICU dictionary words (common vocabulary: 设定 ~ 设置,
                复原 ~ 撤销) is dropped unless a curated `keep` names one of its forms (网络 ~ 网路)
  C2 regions    a short form (two ideographs) or an ICU dictionary word that the sources give only
                to one side (mainland, or Taiwan/Hong Kong) is dropped when the other side's hosts
                use it: in at least C_MIN of their articles and at least C_SHARE of the articles of
                the class there (支持 in Taiwan's CNA and RTI, 资料 on mainland hosts)
"""

from __future__ import annotations

import argparse
import collections
import glob
import json
import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
K_MAX_FORMS = 8
C_MIN = 5
C_SHARE = 0.15
# S1: typhoon-name lists.
SKIPPED_FILES = re.compile(r"^(TropicalCycloneName|TyphoonOld|TyphoonNew|CWBTyphoonOld|\d{4}年太平洋颱風季|州邦)$")
TAG = re.compile(r"^\s*(zh(?:-(?:hans|hant|cn|tw|hk|mo|sg|my))?)\s*[:=]\s*(.*?)\s*$", re.I | re.S)
# MediaWiki's own cut points for the text of a rule that carries more wiki markup after it.
CUTS = ("}-", "|display", "|original", "<!--", "}}")
DOT = "\u00b7"
NAME_DOTS = "\u30fb\u2027\u2022\u2219\uff65"  # as src/variants.cpp: ・ ‧ • ∙ ･
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
HAN_DOT_RUN = re.compile(f"^[{HAN}]+(?:{DOT}[{HAN}]+)*$")
BETWEEN_HAN = re.compile(f"(?<=[{HAN}])\\s*[.．\\-－\u2010\u2011]\\s*(?=[{HAN}])")
# Hosts grouped by the vocabulary they were measured to use (docs/variants.md, "Corpus").
TW_HOSTS = {"www.cna.com.tw", "www.rti.org.tw"}
CN_HOSTS = {"cn.reuters.com", "cn.ft.com", "cn.nytimes.com", "www.zaobao.com", "www.solidot.org", "www.bbc.com",
            "www.bbc.co.uk", "www.voachinese.com", "www.dw.com", "www.rfa.org", "chinadigitaltimes.net",
            "cn.govopendata.com"}
# Region of a source tag, for C2 (Singapore and Malaysia are neither side).
TAG_REGION = {"zh-cn": "cn", "zh-hans": "cn", "cn": "cn", "zh-tw": "tw", "zh-hant": "tw", "tw": "tw",
              "zh-hk": "tw", "zh-mo": "tw", "hk": "tw"}


class Report:
    def __init__(self, path: Path) -> None:
        self.out = open(path, "w", encoding="utf-8")

    def __call__(self, line: str = "", quiet: bool = False) -> None:
        self.out.write(line + "\n")
        if not quiet:
            print(line, file=sys.stderr)


# ---- S1, S2: reading the sources ----------------------------------------------------------

def read_cgroups(root: Path, links: list, stats: collections.Counter, pages: dict[str, str]) -> None:
    """Appends (text_a, source_a, text_b, source_b) links; a source is FAMILY:NAME:TAG. Fills
    pages: source name (cgroup:NAME) → Wikipedia page (Module:CGroup/NAME or Template:...)."""
    for path in sorted(glob.glob(str(root / "raw/cgroups/*.json"))):
        name = Path(path).stem
        if SKIPPED_FILES.match(name):
            stats["S1 CGroup files skipped (typhoon names, 州邦)"] += 1
            continue
        src = "cgroup:" + name.replace(" ", "_")  # the page name as in its URL
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        pages[src] = data["path"]
        for rule in data["rules"]:
            stats["S2 CGroup rules read"] += 1
            conv = rule.get("conv") or ""
            for cut in CUTS:
                if cut in conv:
                    conv = conv[: conv.index(cut)]
            two: list[tuple[str, str]] = []
            for part in conv.replace("\u21d2", "=>").split(";"):
                if not part.strip():
                    continue
                frm, arrow, rest = part.partition("=>")
                m = TAG.match(rest if arrow else part)
                if not m or not m.group(2) or (arrow and not frm.strip()):
                    stats["S2 CGroup fragments skipped (untagged, empty, or one-way without a tag)"] += 1
                elif arrow:
                    tag = m.group(1).lower()
                    links.append((frm.strip(), f"{src}:{tag}<=", m.group(2), f"{src}:{tag}"))
                    stats["S2 CGroup one-way links"] += 1
                else:
                    two.append((m.group(2), f"{src}:{m.group(1).lower()}"))
            for text, s in two[1:]:
                links.append((two[0][0], two[0][1], text, s))
            if len(two) == 1:
                links.append((two[0][0], two[0][1], two[0][0], two[0][1]))
            stats["S2 CGroup two-way rules"] += 1 if two else 0


def read_opencc(root: Path, links: list, stats: collections.Counter) -> None:
    """OpenCC phrase dictionaries: KEY<TAB>VALUE VALUE...: one side's word, the other side's words
    (both in Traditional characters; folding makes them comparable)."""
    sides = {"TWPhrases": ("cn", "tw"), "TWPhrasesRev": ("tw", "cn"), "HKPhrases": ("cn", "hk"),
             "HKPhrasesRev": ("hk", "cn")}
    for folder, family in (("opencc-upstream", "opencc"), ("opencc-debian", "opencc-1.1.6")):
        for name, (key_side, value_side) in sides.items():
            path = root / "raw" / folder / f"{name}.txt"
            if not path.exists():
                continue
            for line in path.read_text(encoding="utf-8").split("\n"):
                if not line or line.startswith("#"):
                    continue
                key, _, values = line.partition("\t")
                for v in values.split(" "):
                    if v:
                        links.append((key, f"{family}:{name}:{key_side}", v, f"{family}:{name}:{value_side}"))
                        stats[f"S2 {family} links"] += 1


def read_mediawiki(root: Path) -> list[tuple[str, str]]:
    """(FROM, TO) of MediaWiki's regional tables (zh2TW, zh2HK, zh2CN), identities left out."""
    text = (root / "raw/mediawiki/ZhConversion.php").read_text(encoding="utf-8")
    out = []
    for table in ("ZH_TO_TW", "ZH_TO_HK", "ZH_TO_CN"):
        body = text.split(f"public const {table} = [", 1)[1].split("\n\t];", 1)[0]
        out += [(a, b) for a, b in re.findall(r"^\t\t'([^']*)' => '([^']*)',$", body, re.M) if a != b]
    return out


# ---- S3: forms -------------------------------------------------------------------------------

def clean(text: str) -> str:
    for d in NAME_DOTS:
        text = text.replace(d, DOT)
    return BETWEEN_HAN.sub(DOT, text.strip()).strip(" " + DOT)


def fold_all(dump_articles: Path, texts) -> dict[str, str]:
    """text → cleaned, newsidx-folded form (folding by `dump_articles --fold`)."""
    texts = sorted(set(texts))
    inp = "".join(t.replace("\n", " ") + "\n" for t in texts).encode("utf-8")
    out = subprocess.run([str(dump_articles), "--fold"], input=inp, stdout=subprocess.PIPE, check=True)
    folded = out.stdout.decode("utf-8").split("\n")[: len(texts)]
    if len(folded) != len(texts):
        sys.exit("gen_variants: the fold helper returned fewer lines than it was given")
    # Cleaned again after folding: NFKC turns full-width separators into ASCII ones.
    return {t: clean(f) for t, f in zip(texts, folded)}


def form_problem(form: str) -> str | None:
    if not form:
        return "empty"
    if not HAN_DOT_RUN.match(form):
        return "not only ideographs and name dots (Latin, digits, kana, punctuation)"
    if len(form.replace(DOT, "")) < 2:
        return "one ideograph"
    return None


# ---- classes ---------------------------------------------------------------------------------

def components(forms: set[str], edges) -> list[list[str]]:
    """Connected components (of two or more forms) of the links among `forms`, sorted."""
    parent = {f: f for f in forms}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        if a in parent and b in parent:
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[str]] = collections.defaultdict(list)
    for f in sorted(forms):
        groups[find(f)].append(f)
    return sorted(g for g in groups.values() if len(g) > 1)


def read_rules(path: Path) -> dict[str, set]:
    rules: dict[str, set] = {"form": set(), "link": set(), "class": set(), "keep": set()}
    for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        f = line.split("#", 1)[0].split()
        if not f:
            continue
        if f[0] in ("form", "class", "keep") and len(f) == 2:
            rules[f[0]].add(f[1])
        elif f[0] == "link" and len(f) == 3:
            rules["link"].add(tuple(sorted(f[1:])))
        else:
            sys.exit(f"{path}:{n}: expected `form F`, `link A B`, `class F` or `keep F`")
    return rules


class Corpus:
    """Per-form article counts by host group (variant_counts) and ICU dictionary words."""

    def __init__(self, args, classes: list[list[str]], report: Report) -> None:
        work = args.work
        dump = args.build / "bench/dump_articles"
        counter = args.build / "bench/variant_counts"
        articles = work / "articles.jsonl"
        if not articles.exists() or articles.stat().st_size == 0 or articles.stat().st_mtime < dump.stat().st_mtime:
            with open(articles, "wb") as out:
                subprocess.run([str(dump), str(args.corpus)], stdout=out, check=True)
        (work / "candidates.tsv").write_text("".join(" ".join(c) + "\n" for c in classes), encoding="utf-8")
        out = subprocess.run([str(counter), str(articles), str(work / "candidates.tsv")], stdout=subprocess.PIPE,
                             check=True).stdout.decode("utf-8")
        self.df: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        for line in out.split("\n"):
            if line:
                form, host, n, free = line.split("\t")
                group = "tw" if host in TW_HOSTS else "cn" if host in CN_HOSTS else "mixed"
                for key, v in ((group, n), ("all", n), ("free", free)):
                    self.df[form][key] += int(v)
        if not self.df:
            sys.exit(f"gen_variants: no candidate form occurs in {articles}: is {args.corpus} the corpus?")
        forms = sorted(f for c in classes for f in c)
        out = subprocess.run([str(counter), "--words"], input="".join(f + "\n" for f in forms).encode("utf-8"),
                             stdout=subprocess.PIPE, check=True).stdout.decode("utf-8")
        self.words = {line.split("\t")[0] for line in out.split("\n") if line.endswith("\t1")}
        report(f"corpus: {len(self.df)} of {len(forms)} candidate forms occur in {args.corpus}; "
               f"{len(self.words)} candidate forms are ICU dictionary words")

    def describe(self, forms) -> str:
        return "  ".join(f"{f} {self.df[f]['all']} (cn {self.df[f]['cn']}, tw {self.df[f]['tw']}, "
                         f"mixed {self.df[f]['mixed']}, free {self.df[f]['free']})" for f in forms)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--regional", required=True, type=Path)
    ap.add_argument("--corpus", required=True, type=Path)
    ap.add_argument("--build", required=True, type=Path)
    ap.add_argument("--out", type=Path, default=REPO / "data/variants")
    ap.add_argument("--work", type=Path, default=Path("/tmp/newsidx-variants"))
    ap.add_argument("--mediawiki", action="store_true")
    args = ap.parse_args()
    for need in (args.regional / "raw/cgroups", args.corpus, args.build / "bench/variant_counts"):
        if not need.exists():
            sys.exit(f"gen_variants: {need} does not exist (see --help)")
    args.work.mkdir(parents=True, exist_ok=True)
    report = Report(args.work / "report.txt")
    rules = read_rules(REPO / "tools/variants_rules.txt")
    used_rules: set = set()

    stats: collections.Counter = collections.Counter()
    raw_links: list[tuple[str, str, str, str]] = []
    pages: dict[str, str] = {}
    read_cgroups(args.regional, raw_links, stats, pages)
    read_opencc(args.regional, raw_links, stats)
    folded = fold_all(args.build / "bench/dump_articles", [t for a, _, b, _ in raw_links for t in (a, b)])

    # S3, S4, S5 (forms and links).
    prov: dict[str, set[str]] = collections.defaultdict(set)
    edges: set[tuple[str, str]] = set()
    examples: dict[str, set[str]] = collections.defaultdict(set)
    for ta, sa, tb, sb in raw_links:
        a, b = folded[ta], folded[tb]
        problems = [(form_problem(f), f) for f in (a, b) if form_problem(f)]
        if problems:
            stats[f"S3 links dropped: a form is {problems[0][0]}"] += 1
            for why, f in problems:
                examples[f"S3 {why}"].add(f)
        elif a == b:
            stats["S4 links dropped: same form after folding"] += 1
        elif a in b or b in a:
            stats["S4 links dropped: one form contains the other"] += 1
            examples["S4 one form contains the other"].add(f"{a}~{b}")
        elif a in rules["form"] or b in rules["form"]:
            used_rules.update(("form", f) for f in (a, b) if f in rules["form"])
            stats["S5 links dropped: curated `form`"] += 1
        elif tuple(sorted((a, b))) in rules["link"]:
            used_rules.add(("link", tuple(sorted((a, b)))))
            stats["S5 links dropped: curated `link`"] += 1
        else:
            prov[a].add(sa)
            prov[b].add(sb)
            edges.add(tuple(sorted((a, b))))
    # S7: surnames from full names, when each is the other's only counterpart.
    surnames: dict[tuple[str, str], set[tuple[str, str]]] = collections.defaultdict(set)
    for a, b in sorted(edges):
        pa, pb = a.split(DOT), b.split(DOT)
        x, y = pa[-1], pb[-1]
        if len(pa) > 1 and len(pa) == len(pb) and not form_problem(x) and not form_problem(y) \
                and x not in y and y not in x:
            surnames[tuple(sorted((x, y)))].update((a, b))
    degree = collections.Counter(f for pair in surnames for f in pair)
    for (x, y), names in sorted(surnames.items()):
        if degree[x] > 1 or degree[y] > 1:
            stats["S7 surname links dropped: a surname with two or more counterparts"] += 1
            continue
        blocked = [("form", f) for f in (x, y) if f in rules["form"]]
        blocked += [("link", (x, y))] if (x, y) in rules["link"] else []
        if blocked:
            used_rules.update(blocked)
            continue
        for f in (x, y):
            prov[f].update(f"{p}:part" for n in names if n.split(DOT)[-1] == f for p in prov[n])
        edges.add((x, y))
        stats["S7 surname links"] += 1
    for k in sorted(stats):
        report(f"{k}: {stats[k]}")
    for k in sorted(examples):
        report(f"{k}: {len(examples[k])} distinct, e.g. {' '.join(sorted(examples[k])[:12])}")
    report(f"links kept: {len(edges)} between {len(prov)} forms")
    with open(args.work / "links.tsv", "w", encoding="utf-8") as out:
        out.writelines(f"{a}\t{b}\n" for a, b in sorted(edges))

    # S6 (chains), then C1 and C2 on the candidate classes.
    def drop_superstrings(classes: list[list[str]]) -> list[list[str]]:
        out, dropped = [], []
        while classes:
            again = []
            for c in classes:
                longer = {b for a in c for b in c if a != b and a in b}
                if longer:
                    dropped.append(sorted(longer))
                    again += components(set(c) - longer, edges)
                else:
                    out.append(c)
            classes = again
        report(f"S6 forms dropped: contain another form of their class: {sum(map(len, dropped))} "
               f"(e.g. {' '.join(sorted(f for d in dropped for f in d)[:12])})")
        return sorted(out)

    classes = drop_superstrings(components(set(prov), edges))
    report(f"candidate classes: {len(classes)}, {sum(map(len, classes))} forms")
    corpus = Corpus(args, classes, report)
    df = corpus.df

    removed: dict[str, list[str]] = {"C1": [], "C2": []}
    for f in sorted({f for c in classes for f in c}):
        d = df[f]
        if d["all"] >= C_MIN and d["free"] * 2 < d["all"]:
            if f in rules["keep"]:
                used_rules.add(("keep", f))
            else:
                removed["C1"].append(f)
    c1 = set(removed["C1"])
    classes = sorted(k for c in classes for k in components(set(c) - c1, edges))

    def regions(f: str) -> set[str]:
        return {TAG_REGION.get(p.split(":")[2].rstrip("<="), "") for p in prov[f]} - {""}

    def c2_worst(c: list[str]) -> tuple[float, str, str] | None:
        worst = None
        for f in c:
            if len(f) > 2 and f not in corpus.words:
                continue
            for side in ("cn", "tw"):
                if side in regions(f):
                    continue
                total = sum(df[g][side] for g in c)
                if df[f][side] >= C_MIN and df[f][side] >= C_SHARE * total:
                    if f in rules["keep"]:
                        used_rules.add(("keep", f))
                    elif worst is None or (df[f][side] / total, f) > worst[:2]:
                        worst = (df[f][side] / total, f, side)
        return worst

    todo, kept = classes, []
    while todo:
        again = []
        for c in todo:
            w = c2_worst(c)
            if w is None:
                kept.append(c)
                continue
            share, f, side = w
            removed["C2"].append(f)
            report(f"C2 {f}: {df[f][side]} of the {side} articles of its class ({share:.2f}): "
                   f"{corpus.describe(c)}", quiet=True)
            again += components(set(c) - {f}, edges)
        todo = again
    for rule in ("C1", "C2"):
        forms = removed[rule]
        report(f"{rule} forms dropped: {len(forms)}; most frequent: "
               + ", ".join(f"{f} {df[f]['all']}" for f in sorted(forms, key=lambda f: (-df[f]['all'], f))[:25]))
    for f in sorted(removed["C1"], key=lambda f: (-df[f]["all"], f)):
        report(f"C1 {f}: {df[f]['all']} articles, free in {df[f]['free']}", quiet=True)

    table, too_big, curated, common = [], [], [], []
    for c in sorted(kept):
        hit = [f for f in c if f in rules["class"]]
        keep = [f for f in c if f in rules["keep"]]
        if hit:
            used_rules.update(("class", f) for f in hit)
            curated.append(c)
        elif all(f in corpus.words for f in c) and not keep:
            common.append(c)
        elif len(c) > K_MAX_FORMS:
            too_big.append(c)
        else:
            table.append(c)
    report(f"S6 classes dropped: more than {K_MAX_FORMS} forms: {len(too_big)} ({sum(map(len, too_big))} forms)")
    for c in too_big:
        report(f"  {len(c)}: {' '.join(c)}", quiet=True)
    used_rules.update(("keep", f) for c in table for f in c if f in rules["keep"])
    report(f"C3 classes dropped: all forms are dictionary words: {len(common)} ({sum(map(len, common))} forms)")
    for c in sorted(common, key=lambda c: -sum(df[f]["all"] for f in c)):
        report("C3 " + corpus.describe(c), quiet=True)
    report(f"S5 classes dropped: curated `class`: {len(curated)}")
    for kind in sorted(rules):
        for r in sorted(rules[kind]):
            if (kind, r) not in used_rules:
                report(f"warning: curated rule never applied: {kind} {' '.join(r) if kind == 'link' else r}")

    report(f"table: {len(table)} classes, {sum(map(len, table))} forms; classes by size: "
           + " ".join(f"{n}:{k}" for n, k in sorted(collections.Counter(map(len, table)).items())))
    by_family: collections.Counter = collections.Counter()
    only_family: collections.Counter = collections.Counter()
    for c in table:
        for f in c:
            fams = {p.split(":")[0] for p in prov[f]}
            by_family.update(fams)
            if len(fams) == 1:
                only_family.update(fams)
    report("forms by source family (any / only): "
           + ", ".join(f"{k} {by_family[k]} / {only_family[k]}" for k in sorted(by_family)))
    present = [c for c in table if sum(df[f]["all"] > 0 for f in c) >= 2]
    report(f"classes with two or more forms in the corpus: {len(present)}")
    for c in sorted(present, key=lambda c: -sum(df[f]["all"] for f in c)):
        report(corpus.describe(c), quiet=True)
    if args.mediawiki:
        crosscheck(args, table, report)

    args.out.mkdir(parents=True, exist_ok=True)
    with open(args.out / "variants.tsv", "w", encoding="utf-8", newline="\n") as out:
        out.write("# newsidx regional variant table: one class per line, folded forms separated by spaces.\n"
                  "# Generated by tools/gen_variants.py (docs/variants.md); do not edit. Licence: LICENSE here.\n")
        out.writelines(" ".join(c) + "\n" for c in table)
    with open(args.out / "sources.tsv", "w", encoding="utf-8", newline="\n") as out:
        out.write("# newsidx regional variant table: where each form comes from (FORM, TAB, sources).\n"
                  "# A source is FAMILY:NAME:TAG: cgroup:PAGE:zh-tw is the zh-tw text of the Chinese Wikipedia\n"
                  "# page Module:CGroup/PAGE (or Template:CGroup/PAGE); opencc:DICT:tw the Taiwan side of\n"
                  "# OpenCC's data/dictionary/DICT.txt (opencc-1.1.6: Debian 12's copy); <= marks the left\n"
                  "# side of a one-way rule. Generated by tools/gen_variants.py; licence: LICENSE here.\n")
        out.writelines(f + "\t" + " ".join(sorted(prov[f])) + "\n" for f in sorted(f for c in table for f in c))
    used = sorted({":".join(p.split(":")[:2]) for c in table for f in c for p in prov[f]})
    write_licence(args.out / "LICENSE", [pages[u] for u in used if u in pages],
                  sorted({u for u in used if u.startswith("opencc")}))
    return 0


def write_licence(path: Path, wiki_pages: list[str], opencc: list[str]) -> None:
    """data/variants/LICENSE: the notice the sources' licences ask for, with every source used."""
    lines = [
        "The regional variant table (variants.tsv, sources.tsv in this folder)",
        "=======================================================================",
        "",
        "These two files are a database made by newsidx's tools/gen_variants.py from the sources",
        "below. They are licensed under the Creative Commons Attribution-ShareAlike 4.0",
        "International licence (CC BY-SA 4.0, https://creativecommons.org/licenses/by-sa/4.0/),",
        "because most of their entries are adapted from Chinese Wikipedia text under that licence.",
        "The rest of newsidx (its code, and the build step that compiles these files into the",
        "program) is under the MIT licence in ../../LICENSE; these files keep their own licence.",
        "",
        "Changes made: rules were extracted to JSON by zhconv-rs; newsidx parsed them, folded every",
        "text (NFKC, case, Traditional to Simplified), dropped texts and links by the rules in",
        "docs/variants.md, joined the rest into classes and recorded where each form comes from.",
        "",
        "1. Chinese Wikipedia CGroup conversion groups - CC BY-SA 4.0 (older edits CC BY-SA 3.0)",
        "   Contains regional vocabulary rules from the Chinese Wikipedia pages listed below, by",
        "   Wikipedia contributors (each page's history lists its authors), licensed under CC BY-SA",
        "   4.0. Extracted to JSON by zhconv-rs (https://github.com/Gowee/zhconv-rs, commit",
        "   b13469d7c247c5ef87a83bcdf1d7d892f09e66da, pages synced 2026-02-05) and converted to this",
        "   table by newsidx. Pages used:",
    ]
    lines += [f"   - https://zh.wikipedia.org/wiki/{p.replace(' ', '_')}" for p in wiki_pages]
    lines += [
        "",
        "2. OpenCC regional phrase dictionaries - Apache License 2.0",
        "   OpenCC, Copyright BYVoid and OpenCC contributors (https://github.com/BYVoid/OpenCC).",
        "   Dictionaries used: " + ", ".join(o.split(":")[1] + ".txt" for o in opencc if o.startswith("opencc:")),
        "   from commit 5249273a3e5606852f088c9a8b23522145d94f78 (data/dictionary/), and the same",
        "   dictionaries as shipped by Debian 12's libopencc-data 1.1.6 (\"opencc-1.1.6\" in",
        "   sources.tsv). Entries derived from them are also available under the Apache License 2.0,",
        "   whose text is LICENSE-Apache-2.0.txt in this folder. Changes: as above.",
        "",
        "3. Not used: MediaWiki's ZhConversion.php (GPL-2.0-or-later) only cross-checks the table",
        "   (tools/gen_variants.py --mediawiki prints figures); none of its entries are in it.",
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")


def crosscheck(args, table: list[list[str]], report: Report) -> None:
    """MediaWiki's links, folded: how many agree with the table, how many it lacks or splits."""
    entries = read_mediawiki(args.regional)
    folded = fold_all(args.build / "bench/dump_articles", [t for e in entries for t in e])
    class_of = {f: i for i, c in enumerate(table) for f in c}
    same, split, absent = set(), set(), set()
    for a, b in entries:
        fa, fb = folded[a], folded[b]
        if form_problem(fa) or form_problem(fb) or fa == fb or fa in fb or fb in fa:
            continue
        ca, cb = class_of.get(fa), class_of.get(fb)
        pair = " ~ ".join(sorted((fa, fb)))
        (same if ca is not None and ca == cb else split if ca is not None and cb is not None else absent).add(pair)
    report(f"MediaWiki cross-check: {len(entries)} entries; of their distinct links between two forms: "
           f"{len(same)} within one class of the table, {len(split)} across two classes, {len(absent)} with a "
           f"form not in the table")
    report(f"  across two classes, e.g.: {'; '.join(sorted(split)[:20])}")
    report(f"  not in the table, e.g.: {'; '.join(sorted(absent)[:20])}")


if __name__ == "__main__":
    sys.exit(main())
