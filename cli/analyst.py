"""`tierscope explain` and `tierscope impact`: the analyst's questions about a run."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from tierscope.cli.main import app, console, err, state
from tierscope.graphdb import explain as explaining
from tierscope.graphdb import impact as impacts
from tierscope.graphdb.export import write_table


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


RunOption = Annotated[str, typer.Option("--run", help="A run id, or latest.")]


def _num(value: float | int | None, fmt: str = "{:,.2f}") -> str:
    return "–" if value is None else fmt.format(value)


def _p(value: float | None) -> str:
    if value is None:
        return "–"
    return "<1e-300" if value == 0 else f"{value:.2g}"


def _who(account: explaining.PairAccount) -> str:
    return f"{account.name} ({account.id})" if account.screen_name else account.id


@app.command()
def explain(
    ctx: typer.Context,
    account_a: Annotated[str, typer.Argument(help="One account id.", show_default=False)],
    account_b: Annotated[str, typer.Argument(help="The other account id.", show_default=False)],
    run: RunOption = "latest",
    format: Annotated[Format, typer.Option("--format", "-f", help="The output format.")] = (
        Format.table
    ),
) -> None:
    """Why two accounts are tied: the edge's tests and every pair of shares behind it.

    Lists each object both shared (retweeted post, hashtag, URL or text) with both share
    times and the delta, marking the meetings (within the run's window) that make the
    edge's weight; for a retweeted post, its author and text. Also prints the edge's weight,
    expected weight, p- and q-value per kind, and each account's tier and community. Two
    accounts with no edge are said to have none, with whatever they still shared.
    """
    e = explaining.explain_pair(state(ctx).store, account_a, account_b, run)
    if format is Format.json:
        typer.echo(json.dumps({**asdict(e), "tied": e.tied, "verdict": e.verdict()}, indent=2))
        return
    if format is Format.csv:
        write_table(list(explaining.CSV_COLUMNS), explaining.csv_rows(e), "csv", sys.stdout)
        err.print(e.verdict(), highlight=False, markup=False)
        return
    console.print(Text(e.verdict(), style="bold"))
    console.print(
        Text(
            f"Run {e.run}: kinds {', '.join(e.kinds)}, window {e.window}s, FDR {e.fdr:g}. "
            f"A: {_who(e.a)}, {e.a.where()}. B: {_who(e.b)}, {e.b.where()}."
        )
    )
    if e.edges:
        table = Table(title=f"Edge tests ({e.edge_source})", title_justify="left")
        for col in ("kind", "weight", "expected", "mean delta (s)", "common", "expected common"):
            table.add_column(col, justify="left" if col == "kind" else "right")
        table.add_column("p-value", justify="right")
        table.add_column("q-value", justify="right")
        table.add_column("tie", justify="left")
        for t in e.edges:
            table.add_row(
                t.kind,
                f"{t.weight:,}",
                _num(t.expected, "{:.3g}"),
                _num(t.mean_delta, "{:.0f}"),
                _num(t.common, "{:,}"),
                _num(t.expected_common, "{:.3g}"),
                _p(t.p_value),
                _p(t.q_value),
                "yes" if t.significant else "no",
            )
        console.print(table)
    for c in e.counts:
        console.print(
            Text(
                f"{c.kind}: {c.meetings:,} meeting(s) within {e.window}s, {c.common:,} common "
                f"object(s), {c.pairs:,} pair(s) of shares."
            )
        )
    if not e.pairs:
        return
    table = Table(title="Pairs of shares (delta = B's time − A's)", title_justify="left")
    for col in ("kind", "object", "original author", "original text", "time A", "time B"):
        table.add_column(col, overflow="fold")
    table.add_column("delta (s)", justify="right")
    table.add_column("meeting")
    for p in e.pairs:
        author = p.original_author_name or p.original_author_id or ""
        table.add_row(
            *(
                Text(v)
                for v in (
                    p.kind,
                    p.object,
                    ("@" + author) if p.original_author_name else author,
                    (p.original_text or "")[:80],
                    p.time_a,
                    p.time_b,
                    f"{p.delta_s:,}",
                    "yes" if p.meeting else "no",
                )
            )
        )
    console.print(table)
    if e.pairs_total > len(e.pairs):
        err.print(f"The first {len(e.pairs):,} of {e.pairs_total:,} pairs; --format csv or json")


class Tier(StrEnum):
    core = "core"
    amplifier = "amplifier"
    all = "all"


class ImpactFormat(StrEnum):
    table = "table"
    json = "json"


@app.command()
def impact(
    ctx: typer.Context,
    run: RunOption = "latest",
    operation: Annotated[
        int | None, typer.Option(help="Remove the accounts of this operation.")
    ] = None,
    community: Annotated[
        int | None, typer.Option(help="Remove the accounts of this community.")
    ] = None,
    accounts: Annotated[
        Path | None,
        typer.Option(
            exists=True,
            dir_okay=False,
            help="Remove the accounts listed in this file (one id a line, or a CSV whose "
            "first column is the id, e.g. `export accounts`).",
        ),
    ] = None,
    tier: Annotated[
        Tier, typer.Option(help="Remove only the core, only the amplifiers, or all.")
    ] = Tier.all,
    format: Annotated[
        ImpactFormat, typer.Option("--format", "-f", help="The output format.")
    ] = ImpactFormat.table,
    keep: Annotated[
        bool,
        typer.Option(
            "--keep/--no-keep", help="Write the result back as an (:Impact) node of the run."
        ),
    ] = True,
) -> None:
    """What a takedown removes: each principal's retweets before and after, and the share
    lost.

    Direct loss: the principal's retweets made by the removed accounts. Relayed loss: the
    amplifiers' retweets of the removed core's own posts, which go with them. With no
    --operation, --community or --accounts, every flagged account of the run is removed.
    docs/impact.md gives the exact definitions.
    """
    result = impacts.assess_run(
        state(ctx).store,
        run,
        operation=operation,
        community=community,
        accounts=accounts,
        tier=tier.value,
        keep=keep,
    )
    if format is ImpactFormat.json:
        typer.echo(json.dumps(impacts.to_json(result), indent=2))
        return
    console.print(Text(result.headline(), style="bold"))
    table = Table(title=f"Principals of run {result.run}", title_justify="left")
    for col in ("principal", "communities", "before", "direct loss", "after", "share lost"):
        table.add_column(col, justify="left" if col in ("principal", "communities") else "right")
    table.add_column("removed retweeters", justify="right")
    table.add_column("relayed (attributed)", justify="right")
    for p in result.principals:
        table.add_row(
            Text(p.name),
            ", ".join(map(str, p.communities)),
            f"{p.before:,}",
            f"{p.direct:,}",
            f"{p.after:,}",
            f"{p.share_lost:.1%}",
            f"{p.removed_retweeters:,} of {p.retweeters:,}",
            f"{p.relayed:,.0f}",
        )
    console.print(table)
    for p in result.principals:
        if p.direct:
            console.print(Text(p.sentence()))
    if keep:
        err.print(f"Kept as an Impact node of run {result.run}.", highlight=False)
