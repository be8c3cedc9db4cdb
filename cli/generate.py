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
    out: Annotated[Path, typer.Argument(help="Folder to write the files and truth.csv to.")],
    scenario: Annotated[
        str,
        typer.Option(
            help=f"One of {', '.join(SCENARIOS)}: one fixed world, or a family of random ones "
            "where each seed is one draw (recorded in scenario.json)."
        ),
    ] = "seed2020",
    scale: Annotated[
        float,
        typer.Option(help="Multiplies the crowds; 1 is about 600k posts (a family draw 150-300k)."),
    ] = 1.0,
    seed: Annotated[int, typer.Option(help="Random seed; for the family, the draw.")] = 7,
) -> None:
    """Write a synthetic takedown-shaped archive (31-column or twarc2) with its truth.csv."""
    result = generate_scenario(out, scenario, scale, seed, progress=lambda m: err.print(m))
    console.print(
        f"Wrote {result.tweets:,} posts ({result.retweets:,} retweets) by {result.accounts:,} "
        f"accounts to {result.out_dir}: "
        + ", ".join(f"{n:,} {role}" for role, n in result.truth.items())
    )
