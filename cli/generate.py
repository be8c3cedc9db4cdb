"""`tierscope generate`: synthetic archives with their planted truth."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tierscope.cli.main import app, console, err
from tierscope.graphdb.generate import SCENARIOS
from tierscope.graphdb.generate import generate as generate_scenario


@app.command()
def generate(
    out: Annotated[Path, typer.Argument(help="Folder to write tweets.csv, users.csv, truth.csv.")],
    scenario: Annotated[str, typer.Option(help=f"One of {', '.join(SCENARIOS)}.")] = "seed2020",
    scale: Annotated[float, typer.Option(help="1 is about 600k posts.")] = 1.0,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 7,
) -> None:
    """Write a synthetic takedown-shaped archive (31-column format) with its truth.csv."""
    result = generate_scenario(out, scenario, scale, seed, progress=lambda m: err.print(m))
    console.print(
        f"Wrote {result.tweets:,} posts ({result.retweets:,} retweets) by {result.accounts:,} "
        f"accounts to {result.out_dir}: "
        + ", ".join(f"{n:,} {role}" for role, n in result.truth.items())
    )
