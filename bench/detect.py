"""Detection speed per phase on generated seed2020 scenarios, through the real Neo4j.

    python bench/detect.py [--scales 1 4] [--seed 7]
    python bench/detect.py --home DIR      # detect again on a loaded server's home

For each scale: generate (cached under bench/out/), load into a fresh managed Neo4j, then
`detect` with the default options, timing read, projection, communities, tiers and write-back.
Detect runs in a child process, as `tierscope detect` would, so its peak RSS is its own; the
peak of each phase is printed too (projection includes the statistics), and the load average
at the start and the end, as the machine is shared.
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
from typing import Any

from common import OUT, PeakRss, fresh_server
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


# detect() reports the end of each phase; what follows a message is the next phase.
NEXT_PHASE = {"read ": "projection", "ties:": "communities", "communities:": "tiers"}
RSS_PHASES = ("read", "projection", "communities", "tiers", "write-back")


def child() -> None:
    """Detect on the server named by TIERSCOPE_HOME; print timings and peak RSS (the whole
    run's and each phase's, sampled every 10 ms) as JSON."""
    with PeakRss() as peak, open_store(autostart=False) as store:
        peak.phase("read")
        posts = 0

        def progress(message: str) -> None:
            nonlocal posts
            if message.startswith("read "):
                posts = int(message.split()[1].replace(",", ""))
            for prefix, phase in NEXT_PHASE.items():
                if message.startswith(prefix):
                    peak.phase(phase)
            if message.startswith("tiers:"):
                peak.phase("write-back")

        summary = detect(store, progress=progress)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    phases = {name: rss / 2**20 for name, rss in peak.peaks.items()}
    print(
        json.dumps(
            {**asdict(summary), "peak_rss_mb": peak_mb, "phase_rss_mb": phases, "posts": posts},
            default=str,
        )
    )


def run_child(home: Path) -> tuple[float, dict[str, Any]]:
    """Wall seconds and the child's JSON for one detect on the server of ``home``."""
    started = time.perf_counter()
    env = {**os.environ, "TIERSCOPE_HOME": str(home)}
    env.pop("NEO4J_URI", None)
    out = subprocess.run(
        [sys.executable, __file__, "--child"], env=env, capture_output=True, text=True
    )
    if out.returncode != 0:
        raise SystemExit(f"detect failed ({out.returncode}):\n{out.stderr[-3000:]}")
    return time.perf_counter() - started, json.loads(out.stdout.strip().splitlines()[-1])


def load_average() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 4.0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--home", type=Path, help="detect on this loaded home's running server")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child()
        return
    console = Console(width=200)
    table = Table(title="tierscope detect, per phase: seconds (peak RSS MiB)")
    for col in ("scale", "posts", "load s", *PHASES, "detect s", "peak RSS", "load avg", "edges"):
        table.add_column(col, justify="right")
    runs = (
        [(args.home.name, args.home.resolve())]
        if args.home
        else [(f"{s:g}", None) for s in args.scales]
    )
    for label, home in runs:
        load_s = ""
        if home is None:
            scale = float(label)
            data = scenario(scale, args.seed)
            with fresh_server(f"detect-{label}") as (server, store):
                started = time.perf_counter()
                loaded = load(store, [data / "users.csv", data / "tweets.csv"], server=server)
                load_s = f"{time.perf_counter() - started:.0f}"
                console.print(f"scale {label}: loaded {loaded.rows:,} rows in {load_s}s")
                before = load_average()
                total, result = run_child(server.root)
        else:
            before = load_average()
            total, result = run_child(home)
        timings, rss = result["timings"], result["phase_rss_mb"]
        table.add_row(
            label,
            f"{result['posts']:,}",
            load_s,
            *(
                f"{timings.get(p, 0.0):.1f}" + (f" ({rss[p]:,.0f})" if p in rss else "")
                for p in PHASES
            ),
            f"{total:.1f}",
            f"{result['peak_rss_mb']:,.0f}",
            f"{before} → {load_average()}",
            f"{result['edges']:,} ({result['edges_stored']:,} stored)",
        )
    console.print(table)


if __name__ == "__main__":
    main()
