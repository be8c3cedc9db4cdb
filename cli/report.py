"""`tierscope report`: reports on a detection run."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from tierscope.cli.main import console, err, state
from tierscope.graphdb import history_report, report
from tierscope.graphdb.detect.history_run import read_history

WIDE = 160
app = typer.Typer(help="Reports on a detection run.", no_args_is_help=True)


class Format(StrEnum):
    table = "table"
    md = "md"
    json = "json"
    html = "html"


@app.command()
def tiers(
    ctx: typer.Context,
    run: Annotated[str, typer.Option("--run", help="A run id, or latest.")] = "latest",
    format: Annotated[Format, typer.Option("--format", "-f", help="The output format.")] = (
        Format.table
    ),
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write here instead of standard output (html: report.html)."
        ),
    ] = None,
    top: Annotated[
        int, typer.Option(min=1, help="How many communities to detail and draw, by rank.")
    ] = 10,
) -> None:
    """The network tiers: communities ranked by evidence, their principals, core and
    amplifiers, the FEEDS flow, and how much of each principal's reach the flagged accounts
    made. HTML is one self-contained page with the pictures."""
    result = report.build_report(state(ctx).store, run, top)
    if format is Format.html and output is None:
        output = Path("report.html")
    if format is Format.table:
        # A pipe or a file gets room for the wide tables; a terminal its own width.
        if output is None:
            (console if console.is_terminal else Console(width=WIDE)).print(
                report.render_table(result)
            )
            return
        with output.open("w", encoding="utf-8") as f:
            Console(file=f, width=WIDE).print(report.render_table(result))
    else:
        text = _render(result, format)
        if output is None:
            typer.echo(text, nl=False)
            return
        output.write_text(text, encoding="utf-8")
    err.print(f"Tier report of run {result.run.id} written to {output.resolve()}")


def _render(result: report.TierReport, format: Format) -> str:
    if format is Format.md:
        return report.render_markdown(result)
    if format is Format.json:
        return json.dumps(report.to_json(result), indent=2) + "\n"
    return report.render_html(result)


class HistoryFormat(StrEnum):
    table = "table"
    json = "json"


@app.command()
def history(
    ctx: typer.Context,
    run: Annotated[str, typer.Option("--run", help="A run id, or latest.")] = "latest",
    format: Annotated[
        HistoryFormat, typer.Option("--format", "-f", help="The output format.")
    ] = HistoryFormat.table,
) -> None:
    """How each operation grew, window by window, in a run made with `detect --by`.

    Each operation's size by tier per window, its new accounts, and when it appeared, grew,
    changed its core and fell silent. The HTML tier report draws it."""
    found = read_history(state(ctx).store, run)
    if found is None:
        raise typer.BadParameter("this run was detected without --by", param_hint="--run")
    if format is HistoryFormat.json:
        typer.echo(json.dumps(history_report.to_json(found), indent=2))
        return
    (console if console.is_terminal else Console(width=WIDE)).print(
        history_report.render_table(found)
    )
