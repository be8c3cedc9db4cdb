"""`tierscope query`: the analyst's named queries, or their own Cypher file, read-only."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from tierscope.cli.main import console, err, parse_pairs, state
from tierscope.graphdb import queries
from tierscope.graphdb.queries import QueryResult

_SUFFIXES = {".json": "json", ".csv": "csv", ".md": "md"}


def query(
    ctx: typer.Context,
    name: Annotated[
        str | None,
        typer.Argument(
            help="A query name (`tierscope query list` shows them), or list.",
            metavar="NAME",
            show_default=False,
        ),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            "-p",
            help="key=value, typed by the query's header, e.g. -p run=latest (repeatable).",
        ),
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option(
            "--file",
            exists=True,
            dir_okay=False,
            help="Run your own Cypher file; its `// param:` header lines type -p values.",
        ),
    ] = None,
    limit: Annotated[
        int, typer.Option(help="Fetch at most this many rows; says so when there are more.")
    ] = queries.DEFAULT_LIMIT,
    timeout: Annotated[
        float | None, typer.Option(help="Seconds after which the server stops the query.")
    ] = None,
    format: Annotated[
        str, typer.Option("--format", "-f", help="table, json, csv or md.")
    ] = "table",
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write to this file instead; a .json, .csv or .md name sets the format.",
        ),
    ] = None,
) -> None:
    """Run an analyst query from the library, or your own Cypher file, read-only.

    `tierscope query list` shows the queries; docs/queries.md explains each one. The gds_*
    queries analyse a run's coordination graph with Neo4j's Graph Data Science library:
    gds_project first, then gds_leiden, gds_wcc, gds_agreement; gds_drop frees it (docs/gds.md).
    A file that writes, loads CSV, uses another database, administers the server, projects a
    GDS graph or calls a procedure or function outside the read-only lists is refused before
    it runs.
    """
    if format not in queries.FORMATS:
        raise typer.BadParameter(
            f"{format!r} is not one of {', '.join(queries.FORMATS)}", param_hint="--format"
        )
    if output is not None and format == "table":
        if output.suffix.lower() not in _SUFFIXES:
            raise typer.BadParameter(
                "give --format json, csv or md, or a .json, .csv or .md file name",
                param_hint="--output",
            )
        format = _SUFFIXES[output.suffix.lower()]
    if name == "list" and file is None:
        _list(format, output)
        return
    if name is None and file is None:
        raise typer.BadParameter(
            "give a query name (see `tierscope query list`) or --file", param_hint="NAME"
        )
    if limit < 1:
        raise typer.BadParameter("must be at least 1", param_hint="--limit")
    result = queries.run_query(
        state(ctx).store, name, file, parse_pairs(param, "--param"), limit, timeout
    )
    for note in result.notes:
        err.print(f"[yellow]Note:[/] {note}", highlight=False)
    _emit(result, name or str(file), format, output)


def _emit(result: QueryResult, title: str, format: str, output: Path | None) -> None:
    count = f"{len(result.rows):,} row{'s' if len(result.rows) != 1 else ''}"
    more = f"; there are more: raise --limit above {len(result.rows):,}" if result.truncated else ""
    if format == "table":
        _table(result, title)
        err.print(f"{count}{more}", highlight=False)
        return
    text = queries.format_result(result, format)
    if output is None:
        typer.echo(text, nl=False)
        if more:
            err.print(f"{count}{more}", highlight=False)
        return
    output.write_text(text, encoding="utf-8")
    err.print(f"{count} written to {output}{more}", highlight=False)


def _table(result: QueryResult, title: str) -> None:
    """A table when it fits the terminal, else one block of column: value lines per row (like
    psql's expanded display), so that wide results stay readable."""
    cells = [[queries.cell(v, compact=True) for v in row] for row in result.rows]
    widths = [
        max([len(column), *(len(row[i]) for row in cells)])
        for i, column in enumerate(result.columns)
    ]
    if sum(widths) + 3 * len(widths) + 1 <= console.width or not cells:
        table = Table(title=title, title_justify="left")
        for column in result.columns:
            table.add_column(column, overflow="fold")
        for row in cells:
            table.add_row(*(Text(c) for c in row))
        console.print(table)
        return
    console.print(Text(title, style="italic"))
    for n, row in enumerate(cells, start=1):
        console.rule(f"row {n}", align="left", style="dim")
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(overflow="fold")
        for column, value in zip(result.columns, row, strict=True):
            grid.add_row(Text(column), Text(value))
        console.print(grid)


def _list(format: str, output: Path | None) -> None:
    library = queries.list_queries()
    result = QueryResult(
        columns=["name", "description", "parameters", "example"],
        rows=[
            [
                q.name,
                q.description,
                ", ".join(
                    p.name if p.required else f"{p.name}={queries.cell(p.default, True)}"
                    for p in q.params
                ),
                q.example,
            ]
            for q in library
        ],
    )
    if format != "table":
        _emit(result, "queries", format, output)
        return
    table = Table(title="Queries (tierscope query NAME -p key=value)", title_justify="left")
    table.add_column("name", no_wrap=True)
    table.add_column("description")
    table.add_column("parameters")
    for name, description, params, _ in result.rows:
        table.add_row(Text(name), Text(description), Text(params))
    console.print(table)
