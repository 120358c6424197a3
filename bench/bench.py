#!/usr/bin/python3
"""Speed and size of newsidx, side by side with omindex (Xapian Omega, CJK n-gram mode) and
ripgrep, in the same run so that the ratios hold on a noisy machine.

Indexing (--runs times, engines alternating): wall time, articles/s, MB/s of input, peak RSS,
database size against the input bytes. omindex indexes the UTF-8 .html copy of the same articles
written by bench/eval_quality.py --prepare-only; ripgrep has no index and is timed scanning the
corpus once. Query latency (process start included): each query of a fixed set (entities,
substrings, phrases, field and date filters) is run --repeat times per engine; the report gives
median and p95 per engine. ripgrep answers the literal queries by scanning the files (-l -F).

usage: /usr/bin/python3 bench/bench.py [--corpus ../shared/corpus] [--runs 3]
       /usr/bin/python3 bench/bench.py --queries-only --db DB --corpus DIR   (e.g. 1M articles)
"""
from __future__ import annotations

import argparse
import datetime
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

# (kind, newsidx query, omindex query, literal for ripgrep or None)
QUERIES = [
    ("entity", "习近平", "习近平", "习近平"),
    ("entity", "特朗普", "特朗普", "特朗普"),
    ("entity", "拜登", "拜登", "拜登"),
    ("entity", "香港", "香港", "香港"),
    ("entity", "世界卫生组织", "世界卫生组织", "世界卫生组织"),
    ("entity", "华为", "华为", "华为"),
    ("entity", "蓬佩奥", "蓬佩奥", "蓬佩奥"),
    ("entity", "Trump", "Trump", "Trump"),
    ("substring", "新冠疫情", "新冠疫情", "新冠疫情"),
    ("substring", "国家安全", "国家安全", "国家安全"),
    ("substring", "经济增长", "经济增长", "经济增长"),
    ("substring", "中", "中", "中"),
    ("substring", "示威者", "示威者", "示威者"),
    ("substring", "人民币汇率", "人民币汇率", "人民币汇率"),
    ("substring", "美国总统特朗普", "美国总统特朗普", "美国总统特朗普"),
    ("words", "习近平 访问", "习近平 访问", None),
    ("words", "特朗普 Trump", "特朗普 Trump", None),
    ("words", "疫苗 接种 英国", "疫苗 接种 英国", None),
    ("phrase", '"Hong Kong"', '"Hong Kong"', "Hong Kong"),
    ("phrase", '"national security law"', '"national security law"', "national security law"),
    ("phrase", '"香港国安法"', '"香港国安法"', "香港国安法"),
    ("boolean", "特朗普 OR 拜登", "特朗普 OR 拜登", None),
    ("boolean", "香港 -国安法", "香港 -国安法", None),
    ("field", "title:普京", "title:普京", None),
    ("field", "source:voachinese.com 香港", "香港 site:www.voachinese.com", None),
    ("date", "date:2020-07 特朗普", "特朗普", None),
    ("date", "date:2020 疫情", "疫情", None),
    ("english", "elections", "elections", "elections"),
    ("english", "economy china", "economy china", None),
    ("mixed", "Trump 特朗普 said", "Trump 特朗普 said", None),
]


def run_timed(cmd: list[str], env: dict | None = None) -> tuple[float, int]:
    """Wall seconds and peak RSS in KiB (GNU time) of one command; its output is read and dropped
    (quest cuts snippets mid-character, so it is not decoded)."""
    started = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE)
    wall = time.perf_counter() - started
    lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
    rss = int(lines[-1]) if lines and lines[-1].isdigit() else 0
    return wall, rss


def run_wall(cmd: list[str], env: dict | None = None) -> float:
    """Wall seconds of one command, spawned directly; its output is read and dropped. Query
    timings use this, not run_timed: under /usr/bin/time a year-sharded newsidx search took
    about 30 ms more (66 against 31 ms, same query, same run), an unsharded one did not."""
    started = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return time.perf_counter() - started


def du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def article_files(corpus: Path) -> list[Path]:
    return [p for p in corpus.rglob("*") if p.is_file() and p.suffix in (".md", ".txt") and p.name != "README.md"]


def p95(values: list[float]) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(0.95 * (len(s) - 1))))]


def bench_index(args, work: Path, html: Path, out: list[str]) -> None:
    files = article_files(args.corpus)
    input_bytes = sum(f.stat().st_size for f in files)
    html_bytes = du(html)
    n_articles = len(files)
    rows = {"newsidx": [], "omindex": []}
    env = dict(os.environ, XAPIAN_CJK_NGRAM="1")
    for run in range(args.runs):
        db = work / "newsidx.db"
        shutil.rmtree(db, ignore_errors=True)
        wall, rss = run_timed([args.bin, "--db", str(db), "index", "-q", str(args.corpus)])
        rows["newsidx"].append((wall, rss, du(db)))
        print(f"run {run + 1}: newsidx {wall:.1f} s, {rss / 1024:.0f} MiB", file=sys.stderr)
        if not args.skip_omindex:
            om = work / "omega.db"
            shutil.rmtree(om, ignore_errors=True)
            wall, rss = run_timed(["omindex", "--db", str(om), "--url", "/", "--mime-type", "json:skip", str(html)], env)
            rows["omindex"].append((wall, rss, du(om)))
            print(f"run {run + 1}: omindex {wall:.1f} s, {rss / 1024:.0f} MiB", file=sys.stderr)
    scan, _ = run_timed(["rg", "-c", "-F", "的", str(args.corpus)])

    out.append(f"### Indexing {args.corpus} ({n_articles} article files, {input_bytes / 1e6:.1f} MB; "
               f"median of {args.runs} runs)\n")
    out.append("| engine | wall s | articles/s | MB/s | peak RSS MiB | database MB | database / input |")
    out.append("|---|---:|---:|---:|---:|---:|---:|")
    medians = {}
    for name, data in rows.items():
        if not data:
            continue
        wall = statistics.median(d[0] for d in data)
        rss = statistics.median(d[1] for d in data) / 1024
        size = statistics.median(d[2] for d in data)
        source_bytes = input_bytes if name == "newsidx" else html_bytes
        medians[name] = wall
        out.append(f"| {name} | {wall:.1f} | {n_articles / wall:.0f} | {source_bytes / 1e6 / wall:.2f} | {rss:.0f} | "
                   f"{size / 1e6:.0f} | {size / input_bytes:.2f}× |")
    out.append(f"| ripgrep (one scan, no index) | {scan:.1f} | – | {input_bytes / 1e6 / scan:.0f} | – | – | – |")
    if "omindex" in medians:
        out.append(f"\nnewsidx indexes {medians['omindex'] / medians['newsidx']:.1f}× faster than omindex "
                   f"(articles/s ratio, same run). omindex reads the {html_bytes / 1e6:.1f} MB HTML copy of the "
                   f"deduplicated articles.\n")


def bench_queries(args, db: Path, om: Path | None, out: list[str]) -> None:
    env = dict(os.environ, XAPIAN_CJK_NGRAM="1")
    baseline = f"newsidx {args.baseline_args}" if args.baseline_args else None
    if args.baseline_db:
        baseline = f"newsidx on {args.baseline_db}"
    lat = {"newsidx": [], **({baseline: []} if baseline else {}), "omindex": [], "ripgrep": []}
    per_query = []
    for kind, q, oq, literal in QUERIES:
        times = {}
        for _ in range(args.repeat):
            w = run_wall([args.bin, "--db", str(db), "search", q])
            times.setdefault("newsidx", []).append(w)
            if baseline:
                w = run_wall([args.bin, "--db", str(args.baseline_db or db), "search",
                              *shlex.split(args.baseline_args), q])
                times.setdefault(baseline, []).append(w)
            if om:
                w = run_wall(["quest", "-d", str(om), "-f", "default,cjk_ngram", "-o", "and", "-m", "10",
                              "-p", "title:S", "-b", "site:H", oq], env)
                times.setdefault("omindex", []).append(w)
        if literal and not args.skip_rg:
            w = run_wall(["rg", "-l", "-F", "--", literal, str(args.corpus)])
            times["ripgrep"] = [w]
        for k, v in times.items():
            lat[k].extend(v)
        per_query.append((kind, q, {k: statistics.median(v) for k, v in times.items()}))
    out.append(f"### Query latency ({db}; process start included; {len(QUERIES)} queries × {args.repeat} runs)\n")
    out.append("| engine | median ms | p95 ms | queries |")
    out.append("|---|---:|---:|---:|")
    for name, v in lat.items():
        if v:
            out.append(f"| {name} | {statistics.median(v) * 1000:.1f} | {p95(v) * 1000:.1f} | "
                       f"{len(v) // (1 if name == 'ripgrep' else args.repeat)} |")
    if baseline:
        out.append(f"\nnewsidx against `{baseline}` (same run, alternating): median "
                   f"{statistics.median(lat['newsidx']) / statistics.median(lat[baseline]):.3f}×, p95 "
                   f"{p95(lat['newsidx']) / p95(lat[baseline]):.3f}×.\n")
    if lat["ripgrep"]:
        nx = [t["newsidx"] for _, _, t in per_query if "ripgrep" in t]
        rg = [t["ripgrep"] for _, _, t in per_query if "ripgrep" in t]
        out.append(f"\nOn the {len(rg)} literal queries ripgrep can answer, the median newsidx query is "
                   f"{statistics.median(rg) / statistics.median(nx):.0f}× faster than a ripgrep scan.\n")
    out.append("| kind | query | " + " | ".join(f"{k} ms" for k in lat if lat[k]) + " |")
    out.append("|---|---|" + "---:|" * sum(1 for k in lat if lat[k]))
    for kind, q, t in per_query:
        cells = " | ".join(f"{t[k] * 1000:.1f}" if k in t else "–" for k in lat if lat[k])
        out.append(f"| {kind} | `{q}` | {cells} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=Path("../shared/corpus"))
    ap.add_argument("--bin", default="build/newsidx")
    ap.add_argument("--work", type=Path, default=Path("/tmp/newsidx-eval"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--queries-only", action="store_true", help="skip indexing; time queries on --db")
    ap.add_argument("--db", type=Path, help="newsidx database for --queries-only")
    ap.add_argument("--skip-omindex", action="store_true")
    ap.add_argument("--skip-rg", action="store_true")
    ap.add_argument("--output", type=Path, help="also write the report here (markdown)")
    ap.add_argument("--baseline-args", default="",
                    help="also time newsidx with these search options, alternating (e.g. --verbatim)")
    ap.add_argument("--baseline-db", type=Path,
                    help="also time newsidx on this database, alternating (e.g. an unsharded one)")
    args = ap.parse_args()
    args.bin = str(Path(args.bin).resolve())

    out = [f"## newsidx benchmark, {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores\n",
           f"`{' '.join(sys.argv)}`\n"]
    if args.queries_only:
        bench_queries(args, args.db, None if args.skip_omindex else args.work / "omega.db", out)
    else:
        html = args.work / "html"
        if not args.skip_omindex and not html.exists():
            subprocess.run(["/usr/bin/python3", "bench/eval_quality.py", "--work", str(args.work), "--prepare-only"],
                           check=True)
        bench_index(args, args.work, html, out)
        print("\n".join(out), file=sys.stderr)  # the indexing part, before the slower query part
        bench_queries(args, args.work / "newsidx.db", None if args.skip_omindex else args.work / "omega.db", out)
    report = "\n".join(out) + "\n"
    print(report)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
