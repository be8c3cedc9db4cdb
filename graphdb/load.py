"""Load archives into Neo4j, by bulk import into an empty managed store or through Bolt.

Sources are read as polars frames (`Source.chunks`), turned into node and relationship
tables and deduplicated (`tables`). Both ways end in the same graph:

- Bolt: batched `UNWIND $rows` in write transactions. Posts the database does not hold
  yet are CREATEd with their relationships; accounts, posts it holds and their
  relationships are MERGEd on a unique id, so loading a file again, or again after a load
  that was killed part-way, ends in the same state as one clean load. Parsing the next
  batch and asking which of its posts exist overlap with Neo4j writing the previous one.
- Bulk: when the target is the managed server and its database is empty (and the input is
  big enough to be worth a restart, or `bulk=True`), every file is read first, the whole
  load's tables are written as CSV and imported offline with `neo4j-admin database import
  full` (see `server.offline`); the server restarts and the constraints are created.
  Nothing is written until every file has been read, so a bad file, `--max-rejects` or a
  failed import leave the database as it was.
"""

from __future__ import annotations

import hashlib
import shutil
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from neo4j.exceptions import ConstraintError

from tierscope.graphdb import cypherlib
from tierscope.graphdb.bulk import write_import_files
from tierscope.graphdb.errors import DatabaseError, InputError, TierscopeError, TooManyRejects
from tierscope.graphdb.locks import exclusive
from tierscope.graphdb.records import Reject, Row
from tierscope.graphdb.server import ManagedServer
from tierscope.graphdb.server.offline import import_full
from tierscope.graphdb.settings import home
from tierscope.graphdb.sources import Source, open_source
from tierscope.graphdb.sources.frames import rows_to_frame
from tierscope.graphdb.sources.rejects import RejectWriter, default_rejects_path
from tierscope.graphdb.store import Store
from tierscope.graphdb.tables import (
    ACCOUNT_PROPS,
    POST_PROPS,
    Tables,
    dedupe,
    extract,
    last_known,
)

DEFAULT_BATCH = 10_000
# Below this much input a bulk import (a server restart) costs more than it saves.
BULK_MIN_BYTES = 64 << 20
# Record fields stored as node properties; ids, times and links are written separately.
_ACCOUNT_PROPS = ACCOUNT_PROPS
_POST_PROPS = POST_PROPS
_STEPS = ("accounts", "posts", "posted", "post_links", "hashtags", "urls", "mentions")


@dataclass
class FileSummary:
    path: Path
    format: str
    rows: int = 0
    rejects: int = 0
    rejects_path: Path | None = None


@dataclass
class LoadSummary:
    files: list[FileSummary]
    accounts: int
    posts: int
    retweets: int
    seconds: float
    method: str = "bolt"  # "bolt" or "bulk"
    phases: dict[str, float] = field(default_factory=dict)  # seconds per phase
    rows: int = field(init=False)
    rejects: int = field(init=False)

    def __post_init__(self) -> None:
        self.rows = sum(f.rows for f in self.files)
        self.rejects = sum(f.rejects for f in self.files)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


def _node_params(nodes: pl.DataFrame, props: tuple[str, ...]) -> list[dict[str, Any]]:
    # None means "unknown here": leaving it out keeps what another source already said.
    out: list[dict[str, Any]] = []
    columns = [nodes[c].to_list() for c in props]
    for i, (node_id, created_at) in enumerate(
        zip(nodes["id"].to_list(), nodes["created_at"].to_list(), strict=True)
    ):
        entry: dict[str, Any] = {
            "id": node_id,
            "props": {k: v[i] for k, v in zip(props, columns, strict=True) if v[i] is not None},
        }
        if created_at is not None:
            entry["created_at"] = created_at
        out.append(entry)
    return out


def steps(tables: Tables) -> list[tuple[cypherlib.Query, dict[str, Any]]]:
    """The write statements of one batch's deduplicated tables, in dependency order."""
    data = {
        "accounts": lambda: _node_params(tables.accounts, ACCOUNT_PROPS),
        "posts": lambda: _node_params(tables.posts, POST_PROPS),
        "posted": lambda: tables.posted.to_dicts(),
        "post_links": lambda: tables.links.to_dicts(),
        "hashtags": lambda: tables.hashtags.to_dicts(),
        "urls": lambda: tables.urls.to_dicts(),
        "mentions": lambda: tables.mentions.to_dicts(),
    }
    out = []
    for name in _STEPS:
        rows = data[name]()
        if rows:
            out.append((cypherlib.load(f"load/{name}"), {"rows": rows}))
    return out


_LINK_LISTS = {"RETWEET_OF": "retweet_of", "REPLY_TO": "reply_to", "QUOTES": "quotes"}


def create_steps(
    tables: Tables, existing: pl.Series
) -> list[tuple[cypherlib.Query, dict[str, Any]]]:
    """The write statements of a batch, given which of its posts the database holds already.

    A post's outgoing relationships (POSTED from its author included) belong to it: for a
    post that does not exist yet none of them can, so new posts are CREATEd with their
    relationships in one statement, without the lookups a MERGE makes. Accounts, posts
    that exist (a re-load, a stub now arriving whole) and their relationships go through
    `steps`' MERGEs. If another writer creates one of the new posts meanwhile, the CREATE
    fails on the uniqueness constraint and the batch is written again by `steps` (see
    `_write`)."""
    old_ids = existing.implode()
    old = pl.col("post").is_in(old_ids)
    new_posts = tables.posts.filter(~pl.col("id").is_in(old_ids))
    merged = Tables(
        accounts=tables.accounts,
        posts=tables.posts.filter(pl.col("id").is_in(old_ids)),
        posted=tables.posted.filter(old),
        links=tables.links.filter(old),
        hashtags=tables.hashtags.filter(old),
        urls=tables.urls.filter(old),
        mentions=tables.mentions.filter(old),
    )
    lists = [
        (tables.posted, "account", "authors"),
        *((tables.links.filter(pl.col("type") == t), "target", n) for t, n in _LINK_LISTS.items()),
        (tables.hashtags, "tag", "tags"),
        (tables.urls, "url", "urls"),
        (tables.mentions, "account", "mentions"),
    ]
    links = new_posts.select("id")
    for frame, column, name in lists:
        grouped = frame.filter(~old).group_by("post").agg(pl.col(column).alias(name))
        links = links.join(grouped.rename({"post": "id"}), on="id", how="left")
    by_id = {r["id"]: r for r in links.with_columns(pl.exclude("id").fill_null([])).to_dicts()}
    created = [{**row, **by_id[row["id"]]} for row in _node_params(new_posts, POST_PROPS)]
    merging = steps(merged)
    nodes = sum(q.name in ("load/accounts", "load/posts") for q, _ in merging)
    # New posts after the nodes their relationships point at, before the merged
    # relationships that may point at them (an existing post retweeting a new one).
    out = merging[:nodes]
    if created:
        out.append((cypherlib.load("load/new_posts"), {"rows": created}))
    return out + merging[nodes:]


class Batch:
    """Rows gathered for one write transaction (used where rows come one at a time)."""

    def __init__(self) -> None:
        self._rows: list[Row] = []

    @property
    def rows(self) -> int:
        return len(self._rows)

    def add(self, row: Row) -> None:
        self._rows.append(row)

    def steps(self) -> list[tuple[cypherlib.Query, dict[str, Any]]]:
        return steps(dedupe(extract(rows_to_frame(self._rows))))


class _RejectSink:
    """Writes one file's rejects and enforces --max-rejects over the whole run."""

    def __init__(
        self, path: Path, summary: FileSummary, files: list[FileSummary], limit: int | None
    ) -> None:
        self.writer = RejectWriter(path)
        self.summary = summary
        self.files = files
        self.limit = limit

    def add(self, reject: Reject) -> None:
        self.writer.write(reject)
        self.summary.rejects += 1
        total = sum(f.rejects for f in self.files)
        if self.limit is not None and total >= self.limit:
            raise TooManyRejects(
                f"{self.summary.path}: {total} rows rejected, reaching --max-rejects "
                f"{self.limit}; see {self.writer.path} (last: line {reject.line}, "
                f"field {reject.field}: {reject.reason})"
            )

    def __enter__(self) -> _RejectSink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.writer.close()
        self.summary.rejects_path = self.writer.path if self.writer.count else None


def counts(store: Store) -> dict[str, int]:
    return store.run(cypherlib.load("load/counts"))[0]


Phase = Callable[[str, int | None], None]
"""Announces a phase of the load: its name and its size (rows or percent; None: unknown)."""


def load(
    store: Store,
    paths: list[Path],
    format: str | None = None,
    mapping: dict[str, str] | None = None,
    batch_size: int = DEFAULT_BATCH,
    max_rejects: int | None = None,
    progress: Callable[[int], None] = lambda _: None,
    bulk: bool | None = None,
    phase: Phase = lambda name, total: None,
    server: ManagedServer | None = None,
) -> LoadSummary:
    """Load files in order; `progress` advances the current phase (rows written or read,
    or percent of the import), `phase` starts one.

    `bulk`: None picks the bulk import when the target is the managed server (`server`, or
    the one under the tierscope home), its database is empty and the input is at least
    BULK_MIN_BYTES; True insists on it (InputError when it cannot be done), False uses Bolt.
    """
    with ExitStack() as opened:
        opened.enter_context(
            exclusive(
                _lock_file(store),
                lambda who: phase(f"waiting: {who} is loading into the same database", None),
            )
        )
        started = time.perf_counter()
        files: list[FileSummary] = []
        # Open every source first: a missing column fails the run before anything is written.
        sources = [opened.enter_context(open_source(p, format, mapping)) for p in paths]
        target = _bulk_target(store, sources, bulk, server)
        timings: dict[str, float] = {}
        if target is not None:
            _load_bulk(store, target, sources, files, max_rejects, progress, phase, timings)
            method = "bulk"
        else:
            phase("loading through Bolt", None)
            store.apply_schema()
            _load_bolt(store, sources, files, batch_size, max_rejects, progress)
            timings["load"] = time.perf_counter() - started
            method = "bolt"
        phase("refreshing the planner's statistics", None)
        begun = time.perf_counter()
        store.refresh_statistics()
        timings["statistics"] = time.perf_counter() - begun
        totals = counts(store)
    return LoadSummary(
        files=files,
        seconds=time.perf_counter() - started,
        method=method,
        phases={k: round(v, 2) for k, v in timings.items()},
        **totals,
    )


def _lock_file(store: Store) -> Path:
    """Loads into one database take turns, the second waiting for the first: a bulk import
    stops the server under any other load, and loads of the same rows would contend for
    the same nodes' locks. One lock file per database, in the home."""
    target = f"{store.connection.uri} {store.connection.database}"
    return home() / f"load-{hashlib.sha256(target.encode()).hexdigest()[:16]}.lock"


def _bulk_target(
    store: Store, sources: list[Source], bulk: bool | None, server: ManagedServer | None
) -> ManagedServer | None:
    if bulk is False:
        return None
    if not store.connection.managed:
        if bulk:
            raise InputError(
                "--bulk needs the managed server: the target is "
                f"{store.connection.describe()}, which only Bolt can load"
            )
        return None
    if bulk is None and sum(_size(s.path) for s in sources) < BULK_MIN_BYTES:
        return None
    managed = server or ManagedServer()
    try:
        same = managed.connection().uri == store.connection.uri
    except TierscopeError:  # that home has no server
        same = False
    if not same:
        if bulk:
            raise InputError(
                f"--bulk needs the managed server under {managed.root}, and the target is "
                f"{store.connection.describe()}"
            )
        return None
    nodes = store.run(cypherlib.load("load/node_count"))[0]["nodes"]
    if nodes:
        if bulk:
            raise InputError(
                f"--bulk needs an empty database, and this one holds {nodes:,} nodes; "
                "load without --bulk, or empty it first with `tierscope db wipe`"
            )
        return None
    return managed


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _read(
    source: Source, files: list[FileSummary], max_rejects: int | None
) -> Iterator[tuple[pl.DataFrame, FileSummary]]:
    """The frames of one source, its rejects written (and --max-rejects kept) as they come."""
    summary = FileSummary(path=source.path, format=source.format)
    files.append(summary)
    rejects_path = default_rejects_path(source.path, home() / "rejects")
    rejects_path.unlink(missing_ok=True)  # a stale file would describe an older run
    with _RejectSink(rejects_path, summary, files, max_rejects) as sink:
        for chunk in source.chunks():
            for reject in chunk.rejects:
                sink.add(reject)
            yield chunk.frame, summary


def _load_bolt(
    store: Store,
    sources: list[Source],
    files: list[FileSummary],
    batch_size: int,
    max_rejects: int | None,
    progress: Callable[[int], None],
) -> None:
    with ThreadPoolExecutor(max_workers=1) as writer:
        pending: Future[None] | None = None
        in_flight = pl.Series("id", [], dtype=pl.String)
        for source in sources:
            for frame, summary in _read(source, files, max_rejects):
                for offset in range(0, frame.height, batch_size):
                    batch = frame.slice(offset, batch_size)
                    tables = dedupe(extract(batch))
                    existing = _existing_posts(store, tables, in_flight)
                    plan = create_steps(tables, existing)
                    if pending is not None:
                        pending.result()
                    pending = writer.submit(_write, store, tables, plan)
                    in_flight = tables.posts["id"]
                    summary.rows += batch.height
                    progress(batch.height)
        if pending is not None:
            pending.result()


def _existing_posts(store: Store, tables: Tables, in_flight: pl.Series) -> pl.Series:
    """The batch's posts that exist by the time it is written: those the database holds
    now, and those of the batch being written meanwhile (asked while it is written, so the
    server's second core answers)."""
    ids = tables.posts["id"]
    writing = ids.is_in(in_flight.implode())
    ask = ids.filter(~writing).to_list()
    held = store.run(cypherlib.load("load/existing_posts"), {"ids": ask})[0]["ids"]
    return pl.concat([ids.filter(writing), pl.Series("id", held, pl.String)])


def _write(
    store: Store, tables: Tables, plan: list[tuple[cypherlib.Query, dict[str, Any]]]
) -> None:
    """One batch's transaction; through MERGE alone if another writer created one of the
    posts planned as new."""
    try:
        store.write_batch(plan)
    except DatabaseError as e:
        if not isinstance(e.__cause__, ConstraintError):
            raise
        store.write_batch(steps(tables))


def _compact(tables: Tables) -> Tables:
    """A chunk's accounts merged already: archives repeat the author's profile on every
    tweet, and keeping each chunk's accounts once bounds the whole load's memory. Merging
    by last known value is associative, so the load's merge comes out the same."""
    tables.accounts = last_known(tables.accounts)
    return tables


def _load_bulk(
    store: Store,
    server: ManagedServer,
    sources: list[Source],
    files: list[FileSummary],
    max_rejects: int | None,
    progress: Callable[[int], None],
    phase: Phase,
    timings: dict[str, float],
) -> None:
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = now - clock
        clock = now

    phase("reading", None)
    # The server must be down for the import and takes seconds to stop: stop it while reading.
    with ThreadPoolExecutor(max_workers=1) as background:
        stopping = background.submit(server.stop)
        parts: list[Tables] = []
        try:
            for source in sources:
                for frame, summary in _read(source, files, max_rejects):
                    parts.append(_compact(extract(frame)))
                    summary.rows += frame.height
                    progress(frame.height)
        except BaseException:
            stopping.result()
            server.start()  # nothing was written: the database is as it was
            raise
        stopping.result()
    lap("read")
    phase("deduplicating and writing import files", None)
    folder = server.neo4j_home / "import"
    shutil.rmtree(folder, ignore_errors=True)
    try:
        tables = dedupe(Tables.concat(parts))
        del parts
        import_files = write_import_files(tables, folder)
        del tables
        lap("write files")

        def announce(name: str, total: int | None) -> None:
            if name == "starting Neo4j":
                lap("import")
            phase(name, total)

        import_full(server, import_files, announce, progress)
        lap("server start")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    phase("creating constraints and indexes", None)
    store.apply_schema(parallel=True, timeout=3600)
    lap("constraints")


_LOADABLE = (".csv", ".jsonl", ".json", ".gz", ".zip")


def expand_paths(paths: list[Path]) -> list[Path]:
    """Folders stand for the loadable files in them, sorted; reject files are skipped."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(
                p
                for p in path.iterdir()
                if p.is_file() and p.suffix in _LOADABLE and not p.name.endswith(".rejects.csv")
            )
        else:
            files.append(path)
    return files


def summary_dict(summary: LoadSummary) -> dict[str, Any]:
    """The summary as plain data, for --json."""
    data = asdict(summary)
    data["rows_per_second"] = round(summary.rows_per_second, 1)
    return data
