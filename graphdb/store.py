"""The one runner every database call goes through, in read or write mode.

Like the GDS client's QueryRunner: callers hand over a named `Query` (its header says read
or write) and `$params`; the runner picks the transaction kind, applies timeouts and turns
driver errors into `DatabaseError`s a user can act on.
"""

from __future__ import annotations

import shutil
import ssl
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import neo4j
from neo4j import GraphDatabase
from neo4j.exceptions import (
    AuthError,
    ClientError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
)

from tierscope.graphdb import cypherlib
from tierscope.graphdb.cypherlib import Mode, Query
from tierscope.graphdb.errors import DatabaseError, ServerError
from tierscope.graphdb.server import ManagedServer, size_bytes, tx_log_size
from tierscope.graphdb.settings import Connection, autostart_enabled, connection_from_env, home

Params = dict[str, Any]


class Store:
    """A driver, opened once, and the runner over it."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        with _translate(connection):
            self.driver = GraphDatabase.driver(
                connection.uri,
                auth=(connection.user, connection.password),
                # Schema hints such as "unknown relationship type" on an empty store are noise.
                notifications_min_severity="OFF",
            )

    def close(self) -> None:
        self.driver.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _session(self, fetch_size: int = 1000) -> neo4j.Session:
        return self.driver.session(database=self.connection.database, fetch_size=fetch_size)

    def run(
        self,
        q: Query,
        params: Params | None = None,
        *,
        mode: Mode | None = None,
        timeout: float | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """Run one statement in a managed transaction and return its rows as dicts."""
        use_mode = mode or q.mode

        @neo4j.unit_of_work(timeout=timeout)
        def work(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
            result = tx.run(q.text, params or {})
            rows: list[dict[str, Any]] = []
            for record in result:
                if limit is not None and len(rows) >= limit:
                    break
                rows.append(record.data())
            return rows

        with _translate(self.connection, q), self._session() as session:
            if use_mode == "write":
                return session.execute_write(work)
            return session.execute_read(work)

    def read_values(
        self, q: Query, params: Params | None, limit: int, timeout: float | None = None
    ) -> tuple[list[str], list[list[Any]], bool]:
        """Columns and raw values (nodes, paths, temporals intact) of a read, at most `limit`
        rows; the flag says whether more rows were left unread."""

        @neo4j.unit_of_work(timeout=timeout)
        def work(tx: neo4j.ManagedTransaction) -> tuple[list[str], list[list[Any]], bool]:
            result = tx.run(q.text, params or {})
            columns = list(result.keys())
            rows: list[list[Any]] = []
            for record in result:
                if len(rows) == limit:
                    return columns, rows, True
                rows.append(record.values())
            return columns, rows, False

        with _translate(self.connection, q), self._session(min(limit + 1, 1000)) as session:
            return session.execute_read(work)

    def explain(self, q: Query, params: Params | None = None) -> neo4j.ResultSummary:
        """Neo4j's plan of a statement, without running it: the summary's `query_type`
        (r, rw, w or s) and `plan`."""

        def work(tx: neo4j.ManagedTransaction) -> neo4j.ResultSummary:
            return tx.run(f"EXPLAIN {q.text}", params or {}).consume()

        with _translate(self.connection, q), self._session() as session:
            return session.execute_read(work)

    def write_batch(self, steps: list[tuple[Query, Params]]) -> None:
        """Several write statements in one transaction: a loader batch lands whole or not at all."""

        def work(tx: neo4j.ManagedTransaction) -> None:
            for q, p in steps:
                tx.run(q.text, p).consume()

        with _translate(self.connection), self._session() as session:
            session.execute_write(work)

    @contextmanager
    def cursor(
        self, q: Query, params: Params | None = None, fetch_size: int = 10_000
    ) -> Iterator[tuple[list[str], Iterator[list[Any]]]]:
        """The columns and rows of a large read, fetched in pages as the rows are consumed,
        from one run of the query."""
        with (
            _translate(self.connection, q),
            self._session(fetch_size) as session,
            session.begin_transaction() as tx,
        ):
            result = tx.run(q.text, params or {})

            def rows() -> Iterator[list[Any]]:
                # driver errors while paging surface here, inside _translate's block
                for record in result:
                    yield record.values()

            yield list(result.keys()), rows()

    def autocommit(self, query: Query, params: Params | None = None) -> neo4j.SummaryCounters:
        """For `CALL { } IN TRANSACTIONS`, which cannot run inside a managed transaction."""
        with _translate(self.connection, query), self._session() as session:
            return session.run(query.text, params or {}).consume().counters

    def refresh_statistics(self, timeout: int = 600) -> bool:
        """Resample the indexes a load or a detection changed and drop the cached plans.

        Neo4j samples indexes in the background; until it does, a store just filled looks
        empty to the planner, which then starts queries from whole-index scans (one such plan
        took 9 s and 700 MB for a 30k-post store). False when the user may not do this
        (it needs admin rights on a shared server): plans are then Neo4j's to refresh."""
        try:
            self.run(cypherlib.load("statistics"), {"timeout": timeout})
        except DatabaseError as e:
            if isinstance(e.__cause__, ClientError) and "Security" in (e.__cause__.code or ""):
                return False
            raise
        return True

    def apply_schema(self, parallel: bool = False, timeout: int = 300) -> None:
        """Constraints and indexes; each statement is idempotent (IF NOT EXISTS).

        `parallel` builds them side by side (on a full store, building the constraints'
        indexes is most of the work, and then it runs on every core). `timeout`: seconds to
        wait for the indexes to come online."""
        schema = cypherlib.load("schema")

        def create(statement: str) -> None:
            with self._session() as session:
                session.execute_write(lambda tx: tx.run(statement).consume())

        with _translate(self.connection, schema):
            if parallel:
                # CREATE INDEX returns at once and builds in the background; constraints build
                # while they run, so they go side by side, one per label (two schema changes
                # on one label deadlock).
                statements = schema.statements()
                constraints = [s for s in statements if "CONSTRAINT" in s.upper()]
                for statement in statements:
                    if statement not in constraints:
                        create(statement)
                with ThreadPoolExecutor(max_workers=max(len(constraints), 1)) as pool:
                    for done in [pool.submit(create, s) for s in constraints]:
                        done.result()
            else:
                for statement in schema.statements():
                    create(statement)
        self.run(cypherlib.load("await_indexes"), {"timeout": timeout})


def _causes(e: BaseException) -> Iterator[BaseException]:
    """`e`, what caused it, and the members of exception groups (routing failures)."""
    seen: set[int] = set()
    todo = [e]
    while todo:
        x = todo.pop()
        if id(x) in seen:
            continue
        seen.add(id(x))
        yield x
        todo += [c for c in (x.__cause__, x.__context__) if c is not None]
        if isinstance(x, BaseExceptionGroup):
            todo += x.exceptions


def _unreachable(connection: Connection, e: Exception) -> str:
    causes = list(_causes(e))
    if any(isinstance(c, ssl.SSLError) for c in causes):
        scheme = connection.uri.partition("://")[0]
        return (
            f"Neo4j at {connection.uri} does not answer over TLS ({scheme}://): use bolt:// or "
            "neo4j:// for a server without TLS, or turn TLS on in the server"
        )
    if connection.managed:
        fix = (
            "the managed Neo4j stopped or was killed; start it with `tierscope db start`, "
            "then run the command again"
        )
    else:
        fix = "check NEO4J_URI and that Neo4j runs there"
    if any(isinstance(c, ConnectionRefusedError) for c in causes):
        return f"nothing answers at {connection.uri} (connection refused): {fix}"
    return f"cannot reach Neo4j at {connection.uri}, or lost it: {fix}"


def _full_disk(connection: Connection) -> str | None:
    """Says so when the managed server's disk cannot hold its next transaction log file,
    which turns the database read-only until a restart."""
    if not connection.managed:
        return None
    free = shutil.disk_usage(home()).free
    if free >= size_bytes(tx_log_size()):
        return None
    return (
        f"the disk holding {home()} is full ({free >> 20} MB free): free space there, then "
        "restart Neo4j with `tierscope db stop` and `tierscope db start`"
    )


@contextmanager
def _translate(connection: Connection, query: Query | None = None) -> Iterator[None]:
    """Driver errors become DatabaseErrors that say what to do."""
    where = f" in {query.name}" if query else ""
    try:
        yield
    except AuthError as e:
        hint = (
            "the managed server's password file does not match its store"
            if connection.managed
            else "check NEO4J_USER and NEO4J_PASSWORD"
        )
        raise DatabaseError(f"Neo4j at {connection.uri} refused the credentials: {hint}") from e
    except (ServiceUnavailable, SessionExpired) as e:
        raise DatabaseError(_unreachable(connection, e)) from e
    except ClientError as e:
        if e.code and "AccessMode" in e.code:
            raise DatabaseError(
                f"the query{where} tries to write, but it runs in a read transaction"
            ) from e
        if e.code and "TransactionTimedOut" in e.code:
            raise DatabaseError(f"the query{where} ran past its timeout") from e
        raise DatabaseError(f"Neo4j rejected the query{where}: {e.message}") from e
    except Neo4jError as e:
        full = _full_disk(connection)
        if full:
            raise DatabaseError(f"Neo4j cannot write{where}: {full}") from e
        raise DatabaseError(f"Neo4j failed{where}: {e.message}") from e
    except ValueError as e:
        # The driver raises ValueError for URIs it cannot parse.
        raise DatabaseError(f"bad Neo4j URI {connection.uri!r}: {e}") from e


def resolve_connection(
    autostart: bool | None = None, log: Callable[[str], None] = lambda _: None
) -> Connection:
    """NEO4J_URI when set, else the managed server, started on demand."""
    env = connection_from_env()
    if env is not None:
        return env
    server = ManagedServer()
    if not server.is_running():
        if not (autostart_enabled() if autostart is None else autostart):
            raise ServerError(
                "no database configured: set NEO4J_URI, or run `tierscope db start` "
                "(TIERSCOPE_AUTOSTART=0 keeps tierscope from starting it for you)"
            )
        log("No database configured and the managed Neo4j is not running: starting it.")
        status = server.start(log=log)
        log(f"Neo4j {status.version} is up at {status.bolt_uri}; Browser at {status.browser_url}")
    return server.connection()


def open_store(autostart: bool | None = None, log: Callable[[str], None] = lambda _: None) -> Store:
    """A store whose server has answered, so that a wrong address, TLS setting or password
    fails at once, and once: queries retry a lost connection for 30 seconds."""
    store = Store(resolve_connection(autostart, log))
    try:
        with _translate(store.connection):
            store.driver.verify_connectivity()
    except BaseException:
        store.close()
        raise
    return store
