"""`tierscope export`: streamed exports of a detection run."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tierscope.cli.main import err, state
from tierscope.graphdb import export
from tierscope.graphdb.detect.run import resolve_run

app = typer.Typer(help="Export a detection run's accounts or edges.", no_args_is_help=True)

RunOption = Annotated[str, typer.Option("--run", help="A run id, or latest.")]
OutOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write here instead of standard output.")
]


@app.command()
def accounts(
    ctx: typer.Context,
    run: RunOption = "latest",
    format: Annotated[
        str, typer.Option("--format", "-f", help="csv, json or parquet (parquet needs -o).")
    ] = "csv",
    output: OutOption = None,
) -> None:
    """One row per account in a community: account_id, operation_id, community_id, tier, scores.

    Principals are included, each with the community that amplifies it most.
    """
    store = state(ctx).store
    run_id = resolve_run(store, run)
    n = export.export_accounts(store, run_id, format, output)
    err.print(f"{n:,} accounts of run {run_id}" + (f" written to {output}" if output else ""))


@app.command()
def edges(
    ctx: typer.Context,
    kind: Annotated[
        str, typer.Option("--kind", help="co-retweet, co-hashtag, co-url or co-text.")
    ] = "co-retweet",
    run: RunOption = "latest",
    format: Annotated[
        str, typer.Option("--format", "-f", help="csv, json, parquet (needs -o), graphml or gexf.")
    ] = "csv",
    output: OutOption = None,
) -> None:
    """The full projection edge table (account_a, account_b, weight, mean_delta), before any
    clustering threshold; GraphML and GEXF carry each account's tier and community."""
    store = state(ctx).store
    run_id = resolve_run(store, run)
    n = export.export_edges(store, run_id, kind, format, output)
    err.print(f"{n:,} {kind} edges of run {run_id}" + (f" written to {output}" if output else ""))
