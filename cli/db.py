"""`tierscope db`: the managed Neo4j server."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from tierscope.cli.main import console, err, print_json, state
from tierscope.graphdb import admin
from tierscope.graphdb.server import ManagedServer

app = typer.Typer(
    help="Run the managed Neo4j Community server (no Docker needed).", no_args_is_help=True
)


def _show(server: ManagedServer, as_json: bool) -> None:
    status = server.status()
    if as_json:
        print_json(status.__dict__)
        return
    table = Table(show_header=False, box=None)
    table.add_row("state", "[green]running[/]" if status.running else "[yellow]stopped[/]")
    table.add_row("version", f"Neo4j Community {status.version}")
    table.add_row("pid", str(status.pid or "-"))
    table.add_row("bolt", status.bolt_uri)
    table.add_row("browser", status.browser_url)
    table.add_row("user", "neo4j (password in " + str(server.password_file) + ")")
    table.add_row("data", str(status.data_dir))
    console.print(table)


@app.command()
def start(
    bolt_port: Annotated[int | None, typer.Option(help="Bolt port (default 7687).")] = None,
    http_port: Annotated[
        int | None, typer.Option(help="HTTP port for Neo4j Browser (default 7474).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the status as JSON.")] = False,
) -> None:
    """Start Neo4j (fetching it with Maven the first time) and wait until Bolt answers."""
    server = ManagedServer()
    server.start(bolt_port, http_port, log=lambda msg: err.print(msg))
    _show(server, as_json)


@app.command()
def fetch() -> None:
    """Fetch the Neo4j and Browser jars and the GDS and APOC plugins from Maven Central (done
    by start when missing)."""
    lib = ManagedServer().fetch(log=lambda msg: err.print(msg))
    console.print(f"Neo4j jars in {lib}")


@app.command()
def stop() -> None:
    """Stop the managed Neo4j; the data stays."""
    if ManagedServer().stop():
        console.print("Neo4j stopped.")
    else:
        console.print("Neo4j was not running.")


@app.command()
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print the status as JSON.")] = False,
) -> None:
    """Show whether Neo4j runs, its version, addresses, pid and the Browser's address."""
    _show(ManagedServer(), as_json)


@app.command()
def wipe(
    ctx: typer.Context,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete all accounts, posts, detection runs: every node and relationship.

    A big managed store (a million nodes or more) is dropped and recreated empty, with a
    server restart, rather than deleted in transactions."""
    store = state(ctx).store
    if not yes:
        typer.confirm(f"Delete all data in {store.connection.describe()}?", abort=True)
    deleted = admin.wipe(store, ManagedServer() if store.connection.managed else None)
    console.print(f"Deleted {deleted:,} nodes.")
