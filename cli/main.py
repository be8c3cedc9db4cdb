"""The `tierscope` command: thin wrappers that call one library function and format its result."""

from __future__ import annotations

import errno
import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, is_dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from typer.core import TyperGroup

from tierscope.graphdb import __version__
from tierscope.graphdb import load as loader
from tierscope.graphdb.errors import TierscopeError
from tierscope.graphdb.sources import FORMATS
from tierscope.graphdb.store import Store, open_store

console = Console()
err = Console(stderr=True)
# The driver logs every retry of a lost connection; the one error line at the end says it all.
logging.getLogger("neo4j").addHandler(logging.NullHandler())


def fail(message: str, exit_code: int = 2) -> typer.Exit:
    """Print a one-line error to stderr; raise the returned Exit. The message is text, not
    markup: it may quote a file name or value with brackets in it."""
    err.print(f"[bold red]Error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(exit_code)


class TierscopeGroup(TyperGroup):
    """The one place where library errors become CLI errors."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except TierscopeError as e:
            raise fail(str(e), e.exit_code) from e
        except OSError as e:
            # polars' writers raise OSError("No space left on device (os error 28)"), no errno
            if e.errno not in (errno.ENOSPC, errno.EDQUOT) and "(os error 28)" not in str(e):
                raise
            where = f" for {e.filename}" if e.filename else ""
            raise fail(f"no space left on the disk{where}: free space, run it again", 1) from e


@dataclass
class State:
    """What the root callback sets up; the driver is opened on first use, once."""

    autostart: bool | None = None
    _store: Store | None = field(default=None, repr=False)

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = open_store(self.autostart, log=lambda msg: err.print(msg))
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


app = typer.Typer(
    cls=TierscopeGroup,
    help="Find coordinated accounts, their core and amplifier tiers, and the principals "
    "they amplify, in a Neo4j graph.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        console.print(f"tierscope {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    state = State()
    ctx.obj = state
    ctx.call_on_close(state.close)


def state(ctx: typer.Context) -> State:
    obj = ctx.find_root().obj
    assert isinstance(obj, State)
    return obj


def print_json(data: Any) -> None:
    if is_dataclass(data) and not isinstance(data, type):
        data = asdict(data)
    console.print_json(json.dumps(data, default=str))


@contextmanager
def phase_progress() -> Iterator[Callable[[str], None]]:
    """A spinner while a phase runs; each message the library sends ends a phase as a line."""
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        TimeElapsedColumn(),
        console=err,
    ) as progress:
        task: TaskID = progress.add_task("working", total=None)

        def step(message: str) -> None:
            nonlocal task
            progress.update(task, description=message, total=1, completed=1)
            task = progress.add_task("working", total=None)

        yield step
        progress.remove_task(task)


def rows_progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    )


def parse_pairs(values: list[str] | None, what: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for value in values or []:
        key, sep, rest = value.partition("=")
        if not sep or not key:
            raise fail(f"{what} must look like key=value, got {value!r}")
        pairs[key.strip()] = rest
    return pairs


@app.command()
def load(
    ctx: typer.Context,
    paths: Annotated[
        list[Path],
        typer.Argument(exists=True, dir_okay=True, help="Files or folders to load."),
    ],
    format: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help=f"One of {', '.join(FORMATS)}; detected from the header if unset.",
        ),
    ] = None,
    column: Annotated[
        list[str] | None,
        typer.Option(
            "--column",
            "-c",
            help="For --format csv: FIELD=COLUMN, e.g. -c post_id=id -c account_id=user "
            "-c created_at=time (repeatable).",
        ),
    ] = None,
    batch_size: Annotated[int, typer.Option(help="Rows per write transaction.")] = (
        loader.DEFAULT_BATCH
    ),
    max_rejects: Annotated[
        int | None, typer.Option(help="Fail, non-zero, once this many rows are rejected.")
    ] = None,
    bulk: Annotated[
        bool | None,
        typer.Option(
            "--bulk/--no-bulk",
            help="Import offline with neo4j-admin (needs the managed server and an empty "
            "database; the server restarts) or load through Bolt. Default: bulk when both "
            "hold and the input is 64 MB or more.",
            show_default=False,
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Load archives (IO archive tweets/users, twarc2 JSONL, CooRTweet shares, any CSV)."""
    files = loader.expand_paths(paths)
    mapping = parse_pairs(column, "--column") or None
    store = state(ctx).store
    with rows_progress() as progress:
        task: TaskID | None = None
        unit = ""

        def finish() -> None:
            if task is not None:  # a phase of unknown size ends as a full bar
                done = progress.tasks[task].completed or 1
                progress.update(task, total=done, completed=done)

        def phase(name: str, total: int | None) -> None:
            nonlocal task, unit
            finish()
            unit = "%" if total == 100 else "rows"
            task = progress.add_task(name, total=total, rate="")

        def advance(n: int) -> None:
            if task is None:
                phase("loading", None)
            assert task is not None
            progress.advance(task, n)
            t = progress.tasks[task]
            if unit == "rows":
                speed = t.completed / t.elapsed if t.elapsed else 0
                progress.update(task, rate=f"{speed:,.0f} rows/s")

        summary = loader.load(
            store,
            files,
            format,
            mapping,
            batch_size,
            max_rejects,
            progress=advance,
            bulk=bulk,
            phase=phase,
        )
        finish()
    if as_json:
        print_json(loader.summary_dict(summary))
        return
    table = Table(title="Loaded")
    for name in ("file", "format", "rows", "rejects", "rejects file"):
        table.add_column(name, justify="right" if name in ("rows", "rejects") else "left")
    for f in summary.files:
        table.add_row(
            str(f.path), f.format, f"{f.rows:,}", f"{f.rejects:,}", str(f.rejects_path or "")
        )
    console.print(table)
    console.print(
        f"Database now holds [bold]{summary.accounts:,}[/] accounts, [bold]{summary.posts:,}[/] "
        f"posts, [bold]{summary.retweets:,}[/] retweets. {summary.rows:,} rows, "
        f"{summary.rejects:,} rejects in {summary.seconds:.1f}s "
        f"({summary.rows_per_second:,.0f} rows/s, {summary.method})."
    )


def _register() -> None:
    # Importing a command module adds its commands.
    from tierscope.cli import analyst, db, detect, export, generate, report  # noqa: F401
    from tierscope.cli.query import query

    app.add_typer(db.app, name="db")
    app.add_typer(export.app, name="export")
    app.add_typer(report.app, name="report")
    app.command("query")(query)


_register()


def run() -> None:
    app()
