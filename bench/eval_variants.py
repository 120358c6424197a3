#!/usr/bin/python3
"""Recall and precision of regional-variant matching on the real corpus (issue 16, "Must show").

For every class of bench/variant_classes.tsv and every form of it without a name dot, three
queries run through `newsidx search --limit 0 --format jsonl`:
    FORM          unquoted: should find every article that has any form of the class
    FORM+SUFFIX   the same inside a longer run (SUFFIX: the column of the list, e.g. 政府): should
                  find every article with any form of the class followed by SUFFIX
    "FORM"        quoted: should find exactly the articles that have FORM itself
Ground truth is exact substring matching on newsidx-folded text (build/bench/dump_articles), with
name dots (· ・ ‧ • ∙, and . - between ideographs) counted as one, as VariantTable does. Recall and
precision are micro-averaged over the queries of a class, then over all classes; the markdown
report (bench/results/variants.md) lists each class. Until query expansion exists, unquoted
recall is that of the typed form alone: low, as expected.

Run it with Debian's python (it reuses bench/eval_quality.py, which needs python3-xapian):

    cmake --build build -j2
    /usr/bin/python3 bench/eval_variants.py            # --help for options

Work files (shared with eval_quality.py): WORK/articles.jsonl, WORK/newsidx.db.
The script also checks that each listed class is a class of data/variants/variants.tsv, and says
so when it is not (the table was regenerated: update the list).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from eval_quality import DOT, NAME_DOTS, Corpus, Newsidx, QueryFailed, dump_articles, log  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def read_classes(path: Path) -> list[tuple[str, list[str], str, str]]:
    """(id, forms, compound suffix, comment) per line of the list."""
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        if not line or line.startswith("#"):
            continue
        f = line.split("\t")
        if len(f) != 4 or len(f[1].split()) < 2:
            sys.exit(f"{path}:{n}: expected ID<TAB>FORMS<TAB>SUFFIX<TAB>COMMENT with two or more forms")
        out.append((f[0], f[1].split(), f[2], f[3]))
    return out


def table_classes(path: Path) -> dict[str, frozenset[str]]:
    """form → its class in data/variants/variants.tsv."""
    out = {}
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line and not line.startswith("#"):
            c = frozenset(line.split())
            out.update((f, c) for f in c)
    return out


class Truth:
    """Exact matching on folded text with name dots unified."""

    def __init__(self, corpus: Corpus):
        self.corpus = corpus
        self.corpus.joined = NAME_DOTS.sub(DOT, corpus.joined)  # same length: offsets stay valid
        self.urls = corpus.urls

    def having(self, *strings: str) -> set[str]:
        found: set[int] = set()
        for s in strings:
            found |= self.corpus.with_substring(s)
        return {self.urls[k] for k in found}


def score(got: list[str], truth: set[str]) -> tuple[int, int, int]:
    """(true positives, results, relevant)."""
    g = set(got)
    return len(g & truth), len(g), len(truth)


def ratio(a: int, b: int) -> float:
    return a / b if b else 1.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    ap.add_argument("--build", type=Path, default=REPO / "build")
    ap.add_argument("--work", type=Path, default=Path("/tmp/newsidx-eval"))
    ap.add_argument("--classes", type=Path, default=REPO / "bench" / "variant_classes.tsv")
    ap.add_argument("--table", type=Path, default=REPO / "data" / "variants" / "variants.tsv")
    ap.add_argument("--results", type=Path, default=REPO / "bench" / "results" / "variants.md")
    args = ap.parse_args()
    corpus_dir, build, work = args.corpus.resolve(), args.build.resolve(), args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)

    classes = read_classes(args.classes)
    in_table = table_classes(args.table)
    for cid, forms, _, _ in classes:
        if in_table.get(forms[0]) != frozenset(forms):
            log(f"warning: class {cid} ({' '.join(forms)}) is not a class of {args.table}: "
                f"{' '.join(sorted(in_table.get(forms[0], ())))}")
    truth = Truth(Corpus(dump_articles(build, corpus_dir, work)))
    engine = Newsidx(build / "newsidx", corpus_dir, work)
    engine.prepare()

    kinds = ("alone", "compound", "quoted")
    total = {k: [0, 0, 0] for k in kinds}
    rows = []
    started = time.monotonic()
    for cid, forms, suffix, comment in classes:
        union = truth.having(*forms)
        union_compound = truth.having(*(f + suffix for f in forms))
        per = {k: [0, 0, 0] for k in kinds}
        counts = []
        for form in forms:
            literal = truth.having(form)
            counts.append(f"{form} {len(literal)}")
            if DOT in form:
                continue  # unquoted, a name dot splits the query into AND-ed parts
            for kind, query, relevant in (("alone", form, union), ("compound", form + suffix, union_compound),
                                          ("quoted", f'"{form}"', literal)):
                try:
                    got = engine.search(query)
                except QueryFailed as e:
                    log(f"{cid}: {query}: {e}")
                    got = []
                for acc in (per[kind], total[kind]):
                    for i, v in enumerate(score(got, relevant)):
                        acc[i] += v
        rows.append((cid, ", ".join(counts), suffix, len(union), per, comment))
    log(f"{sum(len(c[1]) for c in classes)} forms, {len(classes)} classes in {time.monotonic() - started:.0f} s")

    def rp(acc) -> str:
        return f"{ratio(acc[0], acc[2]):.3f} / {ratio(acc[0], acc[1]):.3f}"

    lines = ["# Regional variants: recall / precision per class (bench/eval_variants.py)", "",
             f"Corpus {corpus_dir}, {len(truth.urls)} articles; list {args.classes.name}; "
             f"binary {build / 'newsidx'}.", "",
             "| kind | recall / precision |", "|---|---|"]
    lines += [f"| {k} | {rp(total[k])} |" for k in kinds]
    lines += ["", "| class | forms (articles) | union | alone | + suffix | quoted | note |",
              "|---|---|---:|---|---|---|---|"]
    for cid, counts, suffix, n, per, comment in rows:
        lines.append(f"| {cid} | {counts} | {n} | {rp(per['alone'])} | {suffix}: {rp(per['compound'])} | "
                     f"{rp(per['quoted'])} | {comment} |")
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines[:8 + len(kinds)]))
    log(f"wrote {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
