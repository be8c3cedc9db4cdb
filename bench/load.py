"""Load throughput: rows/s through Bolt, peak Python RSS, Neo4j store size.

    python bench/load.py [--rows 100000 1000000] [--formats shares archive]

Each case gets a fresh managed Neo4j (its own home under bench/out/), so store sizes are
comparable; each load runs in a child process so its peak RSS is its own.
Targets (issue 2): >= 50,000 rows/s, Python peak RSS < 500 MB whatever the file size.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

from common import OUT, fresh_server, store_size_mb
from rich.console import Console
from rich.table import Table

from tierscope.graphdb.sources.archive import TWEET_COLUMNS


def write_shares(path: Path, rows: int, rng: random.Random) -> None:
    accounts = max(rows // 4, 10)
    objects = max(rows // 5, 10)
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["object_id", "account_id", "content_id", "timestamp_share"])
        for i in range(rows):
            obj = int(objects * rng.random() ** 3)  # heavy-tailed popularity
            w.writerow([f"o{obj}", f"a{rng.randrange(accounts)}", f"s{i}", 1_600_000_000 + i])


def write_archive(path: Path, rows: int, rng: random.Random) -> None:
    accounts = max(rows // 20, 10)
    with path.open("w", newline="") as f:
        w = csv.writer(f, quoting=csv.QUOTE_ALL)
        w.writerow(TWEET_COLUMNS)
        for i in range(rows):
            user = rng.randrange(accounts)
            is_rt = i > 100 and rng.random() < 0.6
            target = rng.randrange(i) if is_rt else None
            minute = i // 50
            w.writerow(
                [
                    str(10**15 + i),
                    str(user),
                    f"User {user}",
                    f"user{user}",
                    "Somewhere",
                    "a profile\nwith a newline",
                    "",
                    str(user % 5000),
                    str(user % 700),
                    f"2019-0{1 + user % 9}-1{user % 10}",
                    "en",
                    "en",
                    f"RT @user: post {target}" if is_rt else f"post number {i} #tag{i % 97}",
                    f"2020-{1 + minute // 40000 % 12:02d}-{1 + minute // 1440 % 28:02d} "
                    f"{minute // 60 % 24:02d}:{minute % 60:02d}",
                    "Twitter Web App",
                    "",
                    "",
                    "",
                    "true" if is_rt else "false",
                    str(rng.randrange(accounts)) if is_rt else "",
                    str(10**15 + target) if target is not None else "",
                    "absent",
                    "absent",
                    "0",
                    "0",
                    "0",
                    "0",
                    "[]" if is_rt else f"['tag{i % 97}']",
                    "[]",
                    "[]",
                    "",
                ]
            )


def child(path: str) -> None:
    """Load one file into the running server named by TIERSCOPE_HOME; print JSON."""
    import resource

    from tierscope.graphdb.load import load
    from tierscope.graphdb.store import open_store

    with open_store(autostart=False) as store:
        summary = load(store, [Path(path)])
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {"rows": summary.rows, "seconds": summary.seconds, "peak_rss_mb": peak_kib / 1024}
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--formats", nargs="+", default=["shares", "archive"])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    console = Console(width=160)
    table = Table(title="tierscope load benchmark")
    for col in ("format", "rows", "seconds", "rows/s", "peak RSS (MB)", "store (MB)"):
        table.add_column(col, justify="left" if col == "format" else "right")
    OUT.mkdir(exist_ok=True)
    rng = random.Random(7)
    for fmt in args.formats:
        for rows in args.rows:
            data = OUT / f"{fmt}-{rows}.csv"
            if not data.exists():
                console.print(f"writing {data} ...")
                (write_shares if fmt == "shares" else write_archive)(data, rows, rng)
            with fresh_server(f"{fmt}-{rows}") as (server, _):
                env = {**os.environ, "TIERSCOPE_HOME": str(server.root)}
                env.pop("NEO4J_URI", None)
                started = time.perf_counter()
                out = subprocess.run(
                    [sys.executable, __file__, "--child", str(data)],
                    env=env,
                    capture_output=True,
                    text=True,
                    check=True,
                )
                result = json.loads(out.stdout.strip().splitlines()[-1])
                console.print(f"{fmt} {rows:,}: {time.perf_counter() - started:.1f}s wall")
                size = store_size_mb(server)
            table.add_row(
                fmt,
                f"{result['rows']:,}",
                f"{result['seconds']:.1f}",
                f"{result['rows'] / result['seconds']:,.0f}",
                f"{result['peak_rss_mb']:.0f}",
                f"{size:.0f}",
            )
    console.print(table)


if __name__ == "__main__":
    main()
