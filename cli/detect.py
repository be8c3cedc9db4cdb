"""`tierscope detect`, `runs` and `evaluate`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from tierscope.cli.main import app, console, phase_progress, print_json, state
from tierscope.graphdb.detect.analyze import DetectParams
from tierscope.graphdb.detect.history import BY, HistoryParams
from tierscope.graphdb.detect.run import detect as run_detection
from tierscope.graphdb.detect.run import evaluate_run, list_runs

KINDS = ("co-retweet", "co-hashtag", "co-url", "co-text")


@app.command()
def detect(
    ctx: typer.Context,
    kind: Annotated[
        list[str] | None,
        typer.Option(
            "--kind",
            help=f"Projection(s), combined when repeated: {', '.join(KINDS)}. Default: co-retweet.",
        ),
    ] = None,
    window: Annotated[
        int, typer.Option(help="Seconds; two shares pair if at most this apart.")
    ] = 60,
    min_participation: Annotated[
        int, typer.Option(help="Minimum shares an account needs (CooRTweet's semantics).")
    ] = 2,
    edge_weight: Annotated[
        float | None,
        typer.Option(
            help="Also drop significant ties that met fewer times than this before clustering: "
            "a weight >= 1 is an absolute minimum, a value in (0, 1) a quantile, as "
            "CooRTweet's edge_weight."
        ),
    ] = None,
    algorithm: Annotated[str, typer.Option(help="leiden, louvain or infomap.")] = "leiden",
    resolution: Annotated[float, typer.Option(help="Leiden/Louvain resolution.")] = 1.0,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same communities.")] = 42,
    fdr: Annotated[
        float,
        typer.Option(
            help="False discovery rate for coordination ties, principals and amplifiers "
            "(Benjamini–Hochberg)."
        ),
    ] = DetectParams.fdr,
    alpha: Annotated[
        float, typer.Option(help="Level at which a community is flagged as an operation.")
    ] = DetectParams.alpha,
    store_edges: Annotated[
        str,
        typer.Option(
            help="COORDINATED_WITH edges written to Neo4j: backbone (the significant ties "
            "between community accounts, each one's strongest), all, or none. Every tested "
            "pair is kept for `export edges`."
        ),
    ] = "backbone",
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            help=f"Also detect in consecutive {', '.join(BY)} windows and track each operation "
            "across them (`report history`).",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Project coordination, find communities and tiers, write the run back to Neo4j."""
    kinds = tuple(kind or ["co-retweet"])
    for k in kinds:
        if k not in KINDS:
            raise typer.BadParameter(f"{k!r} is not one of {', '.join(KINDS)}", param_hint="--kind")
    threshold, quantile = (None, None)
    if edge_weight is not None:
        threshold, quantile = (None, edge_weight) if 0 < edge_weight < 1 else (edge_weight, None)
    params = DetectParams(
        kind=kinds,
        window=window,
        min_participation=min_participation,
        edge_weight=threshold,
        edge_quantile=quantile,
        algorithm=algorithm,
        resolution=resolution,
        seed=seed,
        fdr=fdr,
        alpha=alpha,
    )
    history = HistoryParams(by=by) if by else None
    store = state(ctx).store
    with phase_progress() as progress:
        summary = run_detection(store, params, store_edges, progress=progress, history=history)
    if as_json:
        print_json(summary)
        return
    table = Table(title=f"Detection run {summary.run_id}", show_header=False)
    table.add_row("communities", f"{summary.communities:,}")
    table.add_row("operations", f"{summary.operations:,}")
    for tier in ("principal", "core", "amplifier"):
        table.add_row(tier, f"{summary.tiers.get(tier, 0):,}")
    table.add_row("flagged accounts", f"{summary.flagged:,}")
    table.add_row("tested pairs", f"{summary.edges:,} ({summary.edges_stored:,} in Neo4j)")
    if summary.history:
        h = summary.history
        table.add_row(f"{h['by']} windows", f"{h['windows']:,}")
        table.add_row("operations over time", f"{h['operations']:,} ({h['events']:,} events)")
    for phase, seconds in summary.timings.items():
        table.add_row(f"{phase} (s)", f"{seconds:.2f}")
    console.print(table)


@app.command()
def runs(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """List detection runs, newest first."""
    rows = list_runs(state(ctx).store)
    if as_json:
        print_json(rows)
        return
    table = Table(title="Detection runs")
    for col in ("id", "kind", "started_at", "finished_at", "params"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            r["id"], r["kind"], r["started_at"], r["finished_at"] or "(unfinished)", r["params"]
        )
    console.print(table)


@app.command()
def evaluate(
    ctx: typer.Context,
    truth: Annotated[Path, typer.Option(exists=True, help="truth.csv: userid, role, op.")],
    run: Annotated[str, typer.Option(help="A run id, or latest.")] = "latest",
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Score a run against planted truth: precision, recall, tier F1, principal recall, ARI."""
    result = evaluate_run(state(ctx).store, truth, run)
    if as_json:
        print_json(result)
        return
    table = Table(title=f"Evaluation against {truth}", show_header=False)
    for name, value in result.items():
        table.add_row(name, f"{value:.3f}" if isinstance(value, float) else str(value))
    console.print(table)
