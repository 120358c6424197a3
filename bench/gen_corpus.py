#!/usr/bin/env python3
"""Scale corpus generator: writes N articles in the feed-exported format by sampling real
paragraphs, titles and hosts from a corpus of such articles, with a fixed seed.

Each generated article gets a unique URL (https://HOST/gen/NNNNNNN.html) and a unique publish
time (spread over 2011-2025), a title sampled from the real titles (with its number appended),
and a body of 2-12 real paragraphs wrapped in <p>. Files go to OUT/NNNN/NNNNNNN.md, 1,000 per
folder. Running it twice with the same arguments writes the same bytes.

usage: python3 bench/gen_corpus.py CORPUS OUT N [--seed 20261121]
"""
import argparse
import os
import random
import re

PARAGRAPH_SPLIT = re.compile(r"</p>|<br\s*/?>\s*<br\s*/?>|</div>", re.IGNORECASE)
TAG = re.compile(r"<[^>]+>")
FOOTER = "获取更多RSS"


def read_pool(corpus: str):
    """Returns (titles, hosts, paragraphs) sampled from every seed-format file under corpus."""
    titles, hosts, paragraphs = [], [], []
    for root, dirs, files in os.walk(corpus):
        dirs.sort()
        for name in sorted(files):
            if not name.endswith((".md", ".txt")):
                continue
            try:
                with open(os.path.join(root, name), encoding="utf-8") as f:
                    lines = f.read().split("\n")
            except (UnicodeDecodeError, OSError):
                continue
            if len(lines) < 5 or not lines[0].startswith("<!--") or lines[2] != "------":
                continue
            link = lines[1]
            cut = link.rfind("](")
            if not link.startswith("[") or cut < 0:
                continue
            titles.append(link[1:cut])
            host = re.sub(r"^[a-z]+://", "", link[cut + 2:-1]).split("/")[0]
            hosts.append(host)
            body = "\n".join(lines[4:]).split(FOOTER)[0]
            for chunk in PARAGRAPH_SPLIT.split(body):
                text = TAG.sub("", chunk).strip()
                if len(text) >= 20:
                    paragraphs.append(text)
    return titles, hosts, paragraphs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus")
    ap.add_argument("out")
    ap.add_argument("n", type=int)
    ap.add_argument("--seed", type=int, default=20261121)
    args = ap.parse_args()

    titles, hosts, paragraphs = read_pool(args.corpus)
    rng = random.Random(args.seed)
    start_ms, end_ms = 1293840000000, 1767225600000  # 2011-01-01 .. 2026-01-01 UTC
    step = (end_ms - start_ms) // max(args.n, 1)
    for i in range(args.n):
        folder = os.path.join(args.out, f"{i // 1000:04d}")
        if i % 1000 == 0:
            os.makedirs(folder, exist_ok=True)
        host = rng.choice(hosts)
        published = start_ms + i * step + rng.randrange(step or 1)
        title = f"{rng.choice(titles)} {i}"
        body = "".join(f"<p>{rng.choice(paragraphs)}</p>" for _ in range(rng.randint(2, 12)))
        with open(os.path.join(folder, f"{i:07d}.md"), "w", encoding="utf-8") as f:
            f.write(f"<!--{published}-->\n[{title}](https://{host}/gen/{i:07d}.html)\n------\n\n<div>{body}</div>\n")
    print(f"wrote {args.n} articles to {args.out} ({len(titles)} titles, {len(hosts)} hosts, "
          f"{len(paragraphs)} paragraphs sampled)")


if __name__ == "__main__":
    main()
