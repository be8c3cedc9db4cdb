"""Detection quality over many random draws of the scenario family: the worst draw counts.

    .venv/bin/python bench/quality.py                        # 20 draws, scale 1, analytics only
    .venv/bin/python bench/quality.py --draws 30 --first 101
    .venv/bin/python bench/quality.py --neo4j --draws 3      # through load, detect, evaluate

Each draw is generated once (cached by bench/family.py), read with the project's sources, run
through `detect`'s analytics with the default options, and scored against its truth.csv. With
`--neo4j` each draw is loaded into a fresh managed Neo4j and detected there, as the CLI does.
The table gives every draw, then the worst and the median of each metric against the targets
of issue 7; `--json FILE` keeps the rows.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import polars as pl
from common import fresh_server
from family import draw
from rich.console import Console
from rich.table import Table

from tierscope.graphdb import admin
from tierscope.graphdb.detect.analyze import analyze
from tierscope.graphdb.detect.evaluate import evaluate
from tierscope.graphdb.detect.inputs import inputs_from_files
from tierscope.graphdb.detect.run import detect, evaluate_run
from tierscope.graphdb.load import load
from tierscope.graphdb.store import Store

# metric -> (target, higher is better)
TARGETS = {
    "precision": (0.95, True),
    "recall": (0.90, True),
    "tier_macro_f1": (0.85, True),
    "principal_recall": (0.9, True),
    "ari": (0.9, True),
    "decoys_flagged": (0.05, False),
    "ordinary_tiered": (0.005, False),
}


def files(folder: Path) -> list[Path]:
    return [f for f in (folder / "users.csv", folder / "tweets.csv", folder / "tweets.jsonl")
            if f.exists()]  # fmt: skip


def pure(folder: Path) -> tuple[dict[str, object], float]:
    inputs = inputs_from_files(files(folder))
    started = time.perf_counter()
    detection = analyze(inputs)
    seconds = time.perf_counter() - started
    truth = pl.read_csv(folder / "truth.csv", infer_schema=False)
    return evaluate(truth, detection.accounts, detection.communities).as_dict(), seconds


def through_neo4j(store: Store, folder: Path) -> tuple[dict[str, object], float]:
    admin.wipe(store)
    load(store, files(folder))
    started = time.perf_counter()
    run = detect(store).run_id
    seconds = time.perf_counter() - started
    return evaluate_run(store, folder / "truth.csv", run), seconds


def describe(folder: Path) -> str:
    """The draw's form and operation shapes, e.g. 'twarc2/s A,C'."""
    scenario = json.loads((folder / "scenario.json").read_text())
    shapes = ",".join(sorted(op["shape"] for op in scenario["ops"]))
    return f"{scenario['form']}/{scenario['resolution'][0]} {shapes}"


def summary(rows: list[dict[str, object]]) -> Table:
    table = Table(title="worst and median draw against the targets")
    for column in ("metric", "target", "worst", "median", "met"):
        table.add_column(column, justify="right")
    for metric, (target, higher) in TARGETS.items():
        values = [float(r[metric]) for r in rows if r[metric] is not None]  # type: ignore[arg-type]
        if not values:
            continue
        worst = min(values) if higher else max(values)
        met = worst >= target if higher else worst <= target
        table.add_row(
            metric,
            f"{'>=' if higher else '<='} {target:g}",
            f"{worst:.3f}",
            f"{statistics.median(values):.3f}",
            "[green]yes[/]" if met else "[red]NO[/]",
        )
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=20)
    parser.add_argument("--first", type=int, default=1, help="seed of the first draw")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--neo4j", action="store_true", help="load and detect through Neo4j")
    parser.add_argument("--json", type=Path, help="write the per-draw rows here")
    args = parser.parse_args()
    console = Console(width=200)
    seeds = range(args.first, args.first + args.draws)
    rows: list[dict[str, object]] = []

    def score(run: object) -> None:
        for seed in seeds:
            folder = draw(seed, args.scale)
            scores, seconds = run(folder)  # type: ignore[operator]
            rows.append({"seed": seed, "draw": describe(folder), **scores, "seconds": seconds})
            console.print(
                f"seed {seed} ({rows[-1]['draw']}): "
                + ", ".join(f"{m} {float(scores[m]):.3f}" for m in TARGETS if scores[m] is not None)
                + f", {seconds:.1f}s"
            )

    if args.neo4j:
        with fresh_server("quality") as (_, store):
            score(lambda folder: through_neo4j(store, folder))
    else:
        score(pure)

    table = Table(title=f"family draws {seeds.start}-{seeds.stop - 1} at scale {args.scale:g}")
    for column in ("seed", "draw", *TARGETS, "seconds"):
        table.add_column(column, justify="right")
    for row in rows:
        cells = [f"{float(row[m]):.3f}" if row[m] is not None else "–" for m in TARGETS]
        table.add_row(str(row["seed"]), str(row["draw"]), *cells, f"{row['seconds']:.1f}")
    console.print(table)
    console.print(summary(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1, default=str))


if __name__ == "__main__":
    main()
