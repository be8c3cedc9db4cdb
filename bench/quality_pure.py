"""Quality and speed of the pure analytics (no database) on generated scenarios.

For each seed: generate the seed2020 scenario, read it with the sources, run ``analyze`` with
the default options and score it against truth.csv. Prints the metrics against the issue's
targets and the seconds of each phase of ``analyze`` (reading the files is not counted).

    .venv/bin/python bench/quality_pure.py                     # scale 1, seeds 1 2 3
    .venv/bin/python bench/quality_pure.py --scale 4 --seeds 1
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import polars as pl
from common import PeakRss
from rich.console import Console
from rich.table import Table

from tierscope.graphdb.detect.analyze import analyze
from tierscope.graphdb.detect.evaluate import evaluate
from tierscope.graphdb.detect.inputs import inputs_from_files
from tierscope.graphdb.generate import generate

# metric -> (target, at least); the quality targets.
TARGETS = {
    "precision": 0.95,
    "recall": 0.90,
    "tier_macro_f1": 0.85,
    "principal_recall": 0.9,
    "ari": 0.9,
}


def run(scale: float, seed: int, work: Path) -> dict[str, object]:
    out = work / f"seed2020-{scale}-{seed}"
    if not (out / "truth.csv").exists():
        generate(out, scale=scale, seed=seed)
    inputs = inputs_from_files([out / "tweets.csv", out / "users.csv"])
    with PeakRss() as rss:
        started = time.perf_counter()
        detection = analyze(inputs)
        seconds = time.perf_counter() - started
    truth = pl.read_csv(out / "truth.csv", infer_schema=False)
    result = evaluate(truth, detection.accounts, detection.communities)
    return {
        "seed": seed,
        "posts": inputs.posts.height,
        **{name: getattr(result, name) for name in TARGETS},
        "tier_accuracy": result.tier_accuracy,
        "fan_below_ops": result.fan_below_ops,
        "communities": detection.communities.height,
        "flagged": result.flagged,
        **{f"{phase}_s": value for phase, value in detection.timings.items()},
        "analyze_s": seconds,
        "peak_rss_gb": rss.peak / 1e9,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--work", type=Path, help="keep generated scenarios here for reuse")
    args = parser.parse_args()
    console = Console()
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or Path(tmp)
        rows = []
        for seed in args.seeds:
            console.print(f"scale {args.scale}, seed {seed} ...")
            rows.append(run(args.scale, seed, work))

    table = Table(title=f"seed2020 at scale {args.scale}, default options")
    columns = list(rows[0])
    for column in columns:
        table.add_column(column, justify="right")
    for row in rows:
        cells = []
        for column in columns:
            value = row[column]
            text = f"{value:.3f}" if isinstance(value, float) else f"{value}"
            if column in TARGETS:
                ok = isinstance(value, float) and value >= TARGETS[column]
                text = f"[{'green' if ok else 'red'}]{text}[/]"
            cells.append(text)
        table.add_row(*cells)
    console.print(table)
    met = all(
        float(str(row[name])) >= target for row in rows for name, target in TARGETS.items()
    ) and all(row["fan_below_ops"] is True for row in rows)
    console.print(
        "targets: " + ", ".join(f"{k} >= {v}" for k, v in TARGETS.items()),
        "and the fan community below both operations:",
        "[green]met[/]" if met else "[red]NOT met[/]",
    )


if __name__ == "__main__":
    main()
