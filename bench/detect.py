"""Detection speed per phase on generated seed2020 scenarios, through the real Neo4j.

    python bench/detect.py [--scales 1 4] [--seed 7]

For each scale: generate (cached under bench/out/), load into a fresh managed Neo4j, then
`detect` with the default options, timing read, projection, communities, tiers and write-back.
Detect runs in a child process, as `tierscope detect` would, so its peak RSS is its own.
Targets (issue 3): whole detect at scale 1 under 30 s; peak RSS under 2 GB at scale 4;
projection >= 10M candidate pairs/s (see bench/projection.py).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

from common import OUT, fresh_server
from rich.console import Console
from rich.table import Table

from tierscope.graphdb.detect.run import detect
from tierscope.graphdb.generate import generate
from tierscope.graphdb.load import load
from tierscope.graphdb.store import open_store

PHASES = ("read", "projection", "statistics", "communities", "tiers", "write-back")


def scenario(scale: float, seed: int) -> Path:
    out = OUT / f"scenario-{scale:g}-{seed}"
    if not (out / "truth.csv").exists():
        generate(out, scale=scale, seed=seed)
    return out


def child() -> None:
    """Detect on the server named by TIERSCOPE_HOME; print timings and peak RSS as JSON."""
    with open_store(autostart=False) as store:
        summary = detect(store)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({**asdict(summary), "peak_rss_mb": peak_mb}, default=str))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 4.0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child()
        return
    console = Console(width=160)
    table = Table(title="tierscope detect, per phase (seconds)")
    for col in ("scale", "posts", "load s", *PHASES, "detect s", "peak RSS (MB)", "edges"):
        table.add_column(col, justify="right")
    for scale in args.scales:
        data = scenario(scale, args.seed)
        with fresh_server(f"detect-{scale:g}") as (server, store):
            started = time.perf_counter()
            loaded = load(store, [data / "users.csv", data / "tweets.csv"], server=server)
            load_s = time.perf_counter() - started
            console.print(f"scale {scale:g}: loaded {loaded.rows:,} rows in {load_s:.0f}s")
            started = time.perf_counter()
            env = {**os.environ, "TIERSCOPE_HOME": str(server.root)}
            env.pop("NEO4J_URI", None)
            out = subprocess.run(
                [sys.executable, __file__, "--child"],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            total = time.perf_counter() - started
            result = json.loads(out.stdout.strip().splitlines()[-1])
            timings, peak_mb = result["timings"], result["peak_rss_mb"]
        table.add_row(
            f"{scale:g}",
            f"{loaded.posts:,}",
            f"{load_s:.0f}",
            *(f"{timings.get(p, 0.0):.1f}" for p in PHASES),
            f"{total:.1f}",
            f"{peak_mb:,.0f}",
            f"{result['edges']:,} ({result['edges_stored']:,} stored)",
        )
    console.print(table)


if __name__ == "__main__":
    main()
