#!/usr/bin/python3
"""Date shards and remote shards on the real corpus: same results as one database, and latency.

1. Indexes CORPUS twice: into one database (WORK/single.db) and with `--shard-by year`
   (WORK/sharded.db). Each is reused when it exists.
2. Builds WORK/mixed.db: the same year shards, with the two largest served by xapian-tcpsrv on
   127.0.0.1 and named in its stub by `remote` lines (the other shards stay local).
3. Runs every query of the evaluation set (bench/eval_quality.py writes it to
   /tmp/newsidx-eval/details.jsonl) on single.db and on mixed.db and compares the ranked URLs of
   the top --limit results (documents and order).
4. Times the latency queries of bench/bench.py (process start included, --repeat runs each) on
   single.db, sharded.db (all local) and mixed.db, plus queries with --since/--until, which
   leave out the shards they rule out.

    /usr/bin/python3 bench/shards.py                 # --help for options
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import QUERIES, p95  # noqa: E402

REPO = Path(__file__).resolve().parent.parent

DATED = [  # (query, extra arguments): date filters that rule out most year shards
    ("特朗普", ["--since", "2020-07", "--until", "2020-08"]),
    ("疫情", ["--since", "2020"]),
    ("香港", ["--until", "2015"]),
]


def newsidx(args, db_args: list[str], *rest: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(args.build / "newsidx"), *db_args, *rest], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)


def ensure_index(args, db: Path, extra: list[str]) -> None:
    if (db / "XAPIANDB").exists():
        return
    started = time.perf_counter()
    subprocess.run([str(args.build / "newsidx"), "--db", str(db), "index", "-q", *extra, str(args.corpus)], check=False)
    print(f"indexed {db.name} in {time.perf_counter() - started:.1f} s", flush=True)


def shard_lines(db: Path) -> list[str]:
    return [line.split()[1] for line in (db / "XAPIANDB").read_text().splitlines() if line.startswith("glass ")]


def du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def start_servers(args, sharded: Path, mixed: Path) -> list[subprocess.Popen]:
    """Serves the two largest year shards with xapian-tcpsrv; writes mixed.db's stub."""
    shards = shard_lines(sharded)
    biggest = sorted(shards, key=lambda rel: du(sharded / rel), reverse=True)[:args.remote]
    if mixed.exists():
        shutil.rmtree(mixed)
    mixed.mkdir(parents=True)
    generation = shards[0].split("/")[0]
    (mixed / generation).symlink_to((sharded / generation).resolve())
    servers, lines = [], []
    for rel in shards:
        if rel in biggest:
            port = args.port + len(servers)
            # Own session: on SIGTERM xapian-tcpsrv signals its whole process group.
            servers.append(subprocess.Popen(["xapian-tcpsrv", "--interface", "127.0.0.1", "--port", str(port),
                                             str(sharded / rel)], stdout=subprocess.DEVNULL,
                                            stderr=subprocess.DEVNULL, start_new_session=True))
            lines.append(f"remote 127.0.0.1:{port}")
        else:
            lines.append(f"glass {rel}")
    (mixed / "XAPIANDB").write_text("\n".join(lines) + "\n")
    print(f"mixed.db: {len(shards) - len(biggest)} local shards, remote: "
          + ", ".join(f"{rel} on 127.0.0.1:{args.port + i}" for i, rel in enumerate(biggest)), flush=True)
    for _ in range(100):  # until both answer
        if newsidx(args, ["--db", str(mixed)], "stats", "--format", "json").returncode == 0:
            break
        time.sleep(0.1)
    return servers


def ranked(args, db: Path, query: str) -> list[str] | None:
    proc = newsidx(args, ["--db", str(db)], "search", "--format", "jsonl", "--fields", "url", "--limit",
                   str(args.limit), "--", query)
    if proc.returncode not in (0, 1):
        return None
    return [json.loads(line)["url"] for line in proc.stdout.splitlines()]


def compare(args, single: Path, mixed: Path, out: list[str]) -> None:
    queries = [json.loads(line)["query"] for line in args.queries.read_text().splitlines()]
    same = differ = failed = 0
    examples = []
    started = time.perf_counter()
    for i, q in enumerate(queries):
        a, b = ranked(args, single, q), ranked(args, mixed, q)
        if a is None or b is None:
            failed += 1
        elif a == b:
            same += 1
        else:
            differ += 1
            examples.append(q)
        if (i + 1) % 200 == 0:
            print(f"{i + 1}/{len(queries)} queries compared", flush=True)
    out.append(f"### Ranked results: one database against {args.remote} remote + local year shards\n")
    out.append(f"{len(queries)} evaluation queries ({args.queries}), top {args.limit} URLs each, in order: "
               f"**{same} identical**, {differ} different, {failed} failed "
               f"({time.perf_counter() - started:.0f} s).\n")
    if examples:
        out.append("Different: " + ", ".join(f"`{q}`" for q in examples[:20]) + "\n")


def latency(args, dbs: dict[str, Path], out: list[str]) -> None:
    rows = {name: [] for name in dbs}
    per_query = []
    cases = [(q, []) for _, q, _, _ in QUERIES] + DATED
    for q, extra in cases:
        cells = []
        for name, db in dbs.items():
            times = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                newsidx(args, ["--db", str(db)], "search", "--limit", "10", *extra, "--", q)
                times.append((time.perf_counter() - started) * 1000)
            rows[name].extend(times)
            cells.append(statistics.median(times))
        per_query.append((q + (" " + " ".join(extra) if extra else ""), cells))
    out.append(f"### Query latency (process start included; {len(cases)} queries × {args.repeat} runs)\n")
    out.append("| database | median ms | p95 ms |")
    out.append("|---|---:|---:|")
    for name, values in rows.items():
        out.append(f"| {name} | {statistics.median(values):.1f} | {p95(values):.1f} |")
    out.append("")
    out.append("| query | " + " | ".join(f"{n} ms" for n in dbs) + " |")
    out.append("|---|" + "---:|" * len(dbs))
    for q, cells in per_query:
        out.append(f"| `{q}` | " + " | ".join(f"{c:.1f}" for c in cells) + " |")
    out.append("")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", type=Path, default=REPO / "build")
    ap.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    ap.add_argument("--work", type=Path, default=Path("/tmp/newsidx-shards"))
    ap.add_argument("--queries", type=Path, default=Path("/tmp/newsidx-eval/details.jsonl"))
    ap.add_argument("--limit", type=int, default=10, help="results compared per query")
    ap.add_argument("--remote", type=int, default=2, help="year shards served by xapian-tcpsrv")
    ap.add_argument("--port", type=int, default=17401)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--results", type=Path, default=REPO / "bench" / "results" / "shards.md")
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    single, sharded, mixed = args.work / "single.db", args.work / "sharded.db", args.work / "mixed.db"
    ensure_index(args, single, [])
    ensure_index(args, sharded, ["--shard-by", "year"])
    out = [f"## Shards ({args.corpus}; {len(shard_lines(sharded))} year shards)\n"]
    servers = start_servers(args, sharded, mixed)
    try:
        compare(args, single, mixed, out)
        latency(args, {"one database": single, "year shards, local": sharded,
                       f"year shards, {args.remote} remote": mixed}, out)
    finally:
        for s in servers:
            os.killpg(s.pid, signal.SIGTERM)
            s.wait()
    text = "\n".join(out) + "\n"
    print(text)
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(text)


if __name__ == "__main__":
    main()
