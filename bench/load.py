"""Load throughput: rows/s by bulk import and through Bolt, peak RSS, Neo4j store size.

    python bench/load.py [--rows 100000 1000000] [--formats shares archive] [--methods bulk bolt]
    python bench/load.py --scenario 4 [--methods bulk bolt]    # generated seed2020 archive

Each case gets a fresh managed Neo4j (its own home under bench/out/), so store sizes are
comparable; each load runs in a child process so its peak RSS is its own (for bulk, the
neo4j-admin JVM it runs is counted with it). Times are end to end: from the files to a
started server with the constraints online.
Targets (issue 8): bulk >= 60,000 rows/s on the scale-4 archive, Bolt >= 20,000 rows/s.
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

from common import OUT, PeakRss, fresh_server, store_size_mb, timed
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


def child(paths: list[str], method: str) -> None:
    """Load files into the running server named by TIERSCOPE_HOME; print JSON."""
    from tierscope.graphdb.load import load
    from tierscope.graphdb.store import open_store

    with open_store(autostart=False) as store, PeakRss(children=True) as rss:
        summary = load(store, [Path(p) for p in paths], bulk=method == "bulk", phase=rss.phase)
    print(
        json.dumps(
            {
                "rows": summary.rows,
                "seconds": summary.seconds,
                "phases": summary.phases,
                "phase_rss_mb": {k: v / 2**20 for k, v in rss.peaks.items()},
                "peak_rss_mb": rss.peak / 2**20,
                "method": summary.method,
                "posts": summary.posts,
                "retweets": summary.retweets,
            }
        )
    )


def run_case(
    name: str, paths: list[Path], method: str, console: Console, detect: bool, wipe: bool
) -> dict:
    """Load `paths` into a fresh server by `method`; the child's result and the store size.
    `tierscope detect` and `tierscope db wipe` may follow, timed from outside."""
    with fresh_server(name) as (server, _):
        env = {**os.environ, "TIERSCOPE_HOME": str(server.root), "TIERSCOPE_AUTOSTART": "0"}
        env.pop("NEO4J_URI", None)
        started = time.perf_counter()
        out = subprocess.run(
            [sys.executable, __file__, "--child", method, *map(str, paths)],
            env=env,
            capture_output=True,
            text=True,
        )
        if out.returncode != 0:
            raise SystemExit(f"{name} failed:\n{out.stderr[-3000:]}")
        result = json.loads(out.stdout.strip().splitlines()[-1])
        console.print(f"{name} {method}: {time.perf_counter() - started:.1f}s wall")
        result["store_mb"] = store_size_mb(server)
        console.print(json.dumps(result))
        cli = [sys.executable, "-m", "tierscope.cli"]
        if detect:
            try:
                seconds, rss, text = timed([*cli, "detect", "--json"], env)
            except SystemExit as failed:
                console.print(f"detect failed: {failed}")
                result["detect"] = {"failed": str(failed)[:200]}
            else:
                detected = json.loads(text[text.index("{") :])
                result["detect"] = {"seconds": seconds, "peak_rss_mb": rss, **detected}
                console.print(f"detect: {seconds:.1f}s, peak RSS {rss:,.0f} MiB")
                console.print(json.dumps(detected.get("timings", {})))
                result["store_after_detect_mb"] = store_size_mb(server)
        if wipe:
            seconds, rss, text = timed([*cli, "db", "wipe", "--yes"], env)
            result["wipe"] = {"seconds": seconds, "output": text.strip()}
            console.print(f"db wipe: {seconds:.1f}s: {text.strip()}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--formats", nargs="+", default=["shares", "archive"])
    parser.add_argument("--methods", nargs="+", default=["bulk", "bolt"])
    parser.add_argument("--scenario", type=float, help="scale of a generated seed2020 archive")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--detect", action="store_true", help="after the load: tierscope detect")
    parser.add_argument("--wipe", action="store_true", help="then: tierscope db wipe, timed")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[1:], args.child[0])
        return
    console = Console(width=160)
    table = Table(title="tierscope load benchmark")
    columns = ("input", "method", "rows", "seconds", "rows/s", "phases (s)", "peak RSS (MB)")
    left = ("input", "method", "phases (s)")
    for col in (*columns, "store (MB)"):
        table.add_column(col, justify="left" if col in left else "right")
    OUT.mkdir(exist_ok=True)
    cases: list[tuple[str, list[Path]]] = []
    if args.scenario:
        from detect import scenario

        data = scenario(args.scenario, args.seed)
        cases.append((f"seed2020-{args.scenario:g}", [data / "users.csv", data / "tweets.csv"]))
    else:
        rng = random.Random(7)
        for fmt in args.formats:
            for rows in args.rows:
                data = OUT / f"{fmt}-{rows}.csv"
                if not data.exists():
                    console.print(f"writing {data} ...")
                    (write_shares if fmt == "shares" else write_archive)(data, rows, rng)
                cases.append((f"{fmt}-{rows}", [data]))
    for name, paths in cases:
        for method in args.methods:
            result = run_case(name, paths, method, console, args.detect, args.wipe)
            phases = ", ".join(
                f"{k} {v:.1f} ({result['phase_rss_mb'].get(k, 0):,.0f} MB)"
                if k in result["phase_rss_mb"]
                else f"{k} {v:.1f}"
                for k, v in result["phases"].items()
            )
            table.add_row(
                name,
                result["method"],
                f"{result['rows']:,}",
                f"{result['seconds']:.1f}",
                f"{result['rows'] / result['seconds']:,.0f}",
                phases,
                f"{result['peak_rss_mb']:,.0f}",
                f"{result['store_mb']:,.0f}",
            )
    console.print(table)


if __name__ == "__main__":
    main()
