#!/usr/bin/env python3
"""Worst-case queries against a database, each timed as `search` (top 10) and `search -c`
(every candidate verified): how long each answers or fails, and with what exit status.

The cases are the hostile queries of issue 14: deep nesting, many ORs of one word and of
different CJK runs, long CJK runs, long Latin words and phrases, deep NOT nesting, many
wildcards, many date ranges, repeated literals, 64 KiB queries. Each runs once per mode with a
timeout; the limits (query.hpp: k_max_query_depth, k_max_query_terms, k_max_wildcard_expansion)
refuse some of them with exit 2, which is the expected answer for those.

usage: bench/hostile_queries.py NEWSIDX_BIN DB [--timeout S] [--only NAME_PART]
"""
import argparse
import json
import random
import subprocess
import time

COMMON = ("的一是不了人我在有他这中大来上个国到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可"
          "她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同"
          "三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名")


def cases(passage):
    rng = random.Random(14)
    runs = set()
    while len(runs) < 256:
        runs.add("".join(rng.choice(COMMON) for _ in range(3)))
    runs = sorted(runs)
    run_21000 = "".join(rng.choice(COMMON) for _ in range(21000))  # 63 KiB of CJK, no punctuation
    words = ["w%04d" % i for i in range(10000)]
    two = ["%s%s" % (a, b) for a in "abcdefghijklmnopqrstuvwxyz" for b in "aeiou"]
    days = ["date:2020-%02d-%02d..2020-%02d-%02d" % (m, d, m, d + 1) for m in range(1, 13) for d in range(1, 22)][:256]
    yield "deep-parens-20000", "(" * 20000 + "香港" + ")" * 20000
    yield "deep-parens-100", "(" * 100 + "香港" + ")" * 100
    yield "deep-not-100", "NOT " * 99 + "NOT 香港 疫情"
    yield "deep-minus-paren-50", "-(" * 50 + "香港 OR 新冠疫情" + ")" * 50 + " 疫情"
    yield "or-5000-same-word", " OR ".join(["香港"] * 5000)
    yield "or-256-same-word", " OR ".join(["香港"] * 256)
    yield "or-256-same-run", " OR ".join(["新冠疫情"] * 256)
    yield "or-256-cjk-runs", " OR ".join(runs)
    yield "and-256-cjk-runs", " ".join(runs)
    yield "or-256-bigrams", " OR ".join(sorted({r[:2] for r in runs})[:256])
    yield "or-256-phrases", " OR ".join('"%s %s"' % (r[0], r[1:]) for r in runs)
    yield "not-256-cjk-runs", "中国 " + " ".join("-" + r for r in runs[:255])
    yield "article-passage-1000", passage
    yield "cjk-run-1000", run_21000[:1000]
    yield "cjk-run-5000", run_21000[:5000]
    yield "cjk-run-21000-64k", run_21000
    yield "quoted-cjk-21000-64k", '"' + run_21000 + '"'
    yield "latin-word-64k", "a" * 65536
    yield "latin-phrase-10000-words", '"' + " ".join(words) + '"'
    yield "latin-words-256", " OR ".join(words[:256])
    yield "wildcard-a", "a*"
    yield "wildcards-t-tr",  "t* tr*"
    yield "wildcards-a-to-z", " OR ".join(c + "*" for c in "abcdefghijklmnopqrstuvwxyz")
    yield "wildcards-130-two-letter", " OR ".join(p + "*" for p in two)
    yield "dates-256-ranges", " OR ".join(days)
    yield "punctuation-64k", "，" * 21000
    yield "words-64k", " ".join(["香港"] * 9000)
    yield "mixed-80k", (" ".join(runs[:200]) + " ") * 40


def paragraph(bin, db):
    """About 1,000 characters of a real article (a pasted passage): the first one with enough text."""
    for docid in range(100, 200):
        p = subprocess.run([bin, "--db", db, "show", str(docid), "--format", "json"], capture_output=True)
        if p.returncode == 0:
            text = json.loads(p.stdout)["text"].replace("\n", " ")  # never across a paragraph break
            text = text.translate({ord(c): " " for c in '()（）"“”'})  # not query syntax
            if len(text) >= 1000:
                return text[:1000].rsplit(" ", 1)[0]  # whole words only
    raise SystemExit("no article of 1,000 characters among documents 100-199")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin")
    ap.add_argument("db")
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--only", help="run only the cases whose name contains this")
    args = ap.parse_args()
    passage = paragraph(args.bin, args.db)
    print("%-28s %7s  %-22s %-22s %s" % ("case", "bytes", "search: exit, s", "search -c: exit, s", "message"))
    for name, query in cases(passage):
        if args.only and args.only not in name:
            continue
        cols = []
        message = ""
        for extra in ([], ["-c"]):
            cmd = [args.bin, "--db", args.db, "search", *extra, "--", query]
            t0 = time.monotonic()
            try:
                p = subprocess.run(cmd, capture_output=True, timeout=args.timeout)
                rc = p.returncode
                if p.stderr.strip() and not message:
                    message = p.stderr.decode("utf-8", "replace").strip().splitlines()[0][:90]
            except subprocess.TimeoutExpired:
                rc = "timeout"
            cols.append("%s, %.3f" % (rc, time.monotonic() - t0))
        print("%-28s %7d  %-22s %-22s %s" % (name, len(query.encode()), cols[0], cols[1], message), flush=True)


if __name__ == "__main__":
    main()
