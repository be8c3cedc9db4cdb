"""Detection quality on generated seed2020 scenarios, through the real Neo4j and the CLI's path.

    python bench/quality.py [--scale 1] [--seeds 1 2 3]

Generate, load, `detect` with the default options, `evaluate` against truth.csv.
Targets (issue 3): precision >= 0.95, recall >= 0.90, tier macro-F1 >= 0.85, principal
recall >= 0.9, ARI >= 0.9 between operations, the fan community ranked below both operations.
"""

from __future__ import annotations

import argparse

from common import fresh_server
from detect import scenario
from rich.console import Console
from rich.table import Table

from tierscope.graphdb import admin
from tierscope.graphdb.detect.run import detect, evaluate_run
from tierscope.graphdb.load import load

METRICS = ("precision", "recall", "tier_macro_f1", "principal_recall", "ari", "fan_below_ops")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    args = parser.parse_args()
    console = Console(width=160)
    table = Table(title=f"tierscope detection quality, scale {args.scale:g}, default options")
    for col in ("seed", *METRICS):
        table.add_column(col, justify="right")
    with fresh_server("quality") as (_, store):
        for seed in args.seeds:
            data = scenario(args.scale, seed)
            admin.wipe(store)
            load(store, [data / "users.csv", data / "tweets.csv"])
            run = detect(store).run_id
            scores = evaluate_run(store, data / "truth.csv", run)
            console.print(f"seed {seed}: {scores}")
            table.add_row(
                str(seed),
                *(
                    f"{scores[m]:.3f}" if isinstance(scores[m], float) else str(scores[m])
                    for m in METRICS
                ),
            )
    console.print(table)


if __name__ == "__main__":
    main()
