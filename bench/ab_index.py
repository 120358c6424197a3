#!/usr/bin/python3
"""Indexing cost of two newsidx binaries side by side.

Runs A B A B … (--runs of each), each `BIN --db WORK/db-X index -q CORPUS` into a fresh
database, and prints for every run and as the median of each binary: wall time (s), CPU time
(user + sys, s) and peak RSS (MiB), read from /usr/bin/time -v, and the database size in bytes
(du -sb). On a machine shared with other work the CPU time is the steadier figure.

usage: /usr/bin/python3 bench/ab_index.py BIN_A BIN_B --corpus ../shared/corpus [--runs 3]
Stdlib only; needs /usr/bin/time (Debian package time).
"""
from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

FIELDS = ("wall_s", "cpu_s", "peak_rss_mib", "db_bytes")


def index_once(binary: Path, corpus: Path, db: Path) -> dict[str, float]:
    """One fresh build of `db` from `corpus`; its /usr/bin/time -v figures and du -sb size."""
    shutil.rmtree(db, ignore_errors=True)
    r = subprocess.run(["/usr/bin/time", "-v", binary, "--db", db, "index", "-q", corpus],
                       stderr=subprocess.PIPE, text=True)
    if r.returncode not in (0, 6):  # 6: some files failed (named on stderr); the rest is indexed
        sys.exit(f"{binary} index exited {r.returncode}:\n{r.stderr}")

    def field(name: str) -> str:
        return re.search(rf"^\s*{re.escape(name)}: (.+)$", r.stderr, re.M).group(1)

    wall = 0.0
    for part in field("Elapsed (wall clock) time (h:mm:ss or m:ss)").split(":"):
        wall = wall * 60 + float(part)
    du = subprocess.run(["du", "-sb", db], capture_output=True, text=True, check=True).stdout
    return {"wall_s": wall,
            "cpu_s": float(field("User time (seconds)")) + float(field("System time (seconds)")),
            "peak_rss_mib": int(field("Maximum resident set size (kbytes)")) / 1024,
            "db_bytes": int(du.split()[0])}


def row(label: str, m: dict[str, float]) -> str:
    return (f"{label}\t{m['wall_s']:.1f}\t{m['cpu_s']:.1f}\t{m['peak_rss_mib']:.0f}\t{m['db_bytes']:.0f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("bin_a", type=Path)
    ap.add_argument("bin_b", type=Path)
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--runs", type=int, default=3, help="runs of each binary")
    ap.add_argument("--work", type=Path, default=Path("/tmp/newsidx-ab"), help="folder of the databases")
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    bins = {"A": args.bin_a.resolve(), "B": args.bin_b.resolve()}
    results: dict[str, list[dict[str, float]]] = {"A": [], "B": []}
    print("run\t" + "\t".join(FIELDS), flush=True)
    for run in range(1, args.runs + 1):
        for label, binary in bins.items():
            m = index_once(binary, args.corpus, args.work / f"db-{label}")
            results[label].append(m)
            print(row(f"{label}{run}", m), flush=True)
    print("\nmedian\t" + "\t".join(FIELDS))
    for label in bins:
        print(row(label, {f: statistics.median(m[f] for m in results[label]) for f in FIELDS}))
    for label, binary in bins.items():
        print(f"{label} = {binary}")


if __name__ == "__main__":
    main()
