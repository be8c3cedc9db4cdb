"""Load archives into Neo4j: batched `UNWIND $rows` in write transactions.

Every statement MERGEs on a unique id, so loading a file again, or again after a load that
was killed part-way, ends in the same state as one clean load. Parsing the next batch
overlaps with Neo4j writing the previous one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tierscope.graphdb import cypherlib
from tierscope.graphdb.errors import TooManyRejects
from tierscope.graphdb.records import AccountRecord, PostRecord, Reject, Row
from tierscope.graphdb.settings import home
from tierscope.graphdb.sources import open_source
from tierscope.graphdb.sources.rejects import RejectWriter, default_rejects_path
from tierscope.graphdb.store import Store

DEFAULT_BATCH = 10_000
# Record fields stored as node properties; ids, times and links are written separately.
_ACCOUNT_PROPS = ("screen_name", "display_name", "lang", "location", "followers", "following")
_POST_PROPS = ("lang", "text", "client")
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
    rows: int = field(init=False)
    rejects: int = field(init=False)

    def __post_init__(self) -> None:
        self.rows = sum(f.rows for f in self.files)
        self.rejects = sum(f.rejects for f in self.files)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


def _props(record: AccountRecord | PostRecord, names: tuple[str, ...]) -> dict[str, Any]:
    # None means "unknown here": leaving it out keeps what another source already said.
    return {k: v for k in names if (v := getattr(record, k)) is not None}


class Batch:
    """The parameter lists of one write transaction, deduplicated by id."""

    def __init__(self) -> None:
        self.accounts: dict[str, dict[str, Any]] = {}
        self.posts: dict[str, dict[str, Any]] = {}
        self.posted: set[tuple[str, str]] = set()
        self.links: set[tuple[str, str, str]] = set()
        self.hashtags: set[tuple[str, str]] = set()
        self.urls: set[tuple[str, str]] = set()
        self.mentions: set[tuple[str, str]] = set()
        self.rows = 0

    def _account(self, account_id: str, record: AccountRecord | None = None) -> None:
        entry = self.accounts.setdefault(account_id, {"id": account_id, "props": {}})
        if record is not None:
            entry["props"].update(_props(record, _ACCOUNT_PROPS))
            if record.created_at is not None:
                entry["created_at"] = record.created_at

    def _post(self, post_id: str, author: str | None = None) -> None:
        self.posts.setdefault(post_id, {"id": post_id, "props": {}})
        if author:
            self._account(author)
            self.posted.add((author, post_id))

    def add(self, row: Row) -> None:
        self.rows += 1
        if row.account is not None:
            self._account(row.account.id, row.account)
        post = row.post
        if post is None:
            return
        self._post(post.id, post.account_id)
        entry = self.posts[post.id]
        entry["props"].update(_props(post, _POST_PROPS))
        if post.created_at is not None:
            entry["created_at"] = post.created_at
        for target, author, kind in (
            (post.retweet_of, post.retweet_of_account, "RETWEET_OF"),
            (post.reply_to, post.reply_to_account, "REPLY_TO"),
            (post.quotes, None, "QUOTES"),
        ):
            if target:
                self._post(target, author)
                self.links.add((post.id, target, kind))
        self.hashtags.update((post.id, tag.lower()) for tag in post.hashtags if tag)
        self.urls.update((post.id, url) for url in post.urls if url)
        for account_id in post.mentions:
            if account_id:
                self._account(account_id)
                self.mentions.add((post.id, account_id))

    def steps(self) -> list[tuple[cypherlib.Query, dict[str, Any]]]:
        def rows(name: str) -> list[dict[str, Any]]:
            match name:
                case "accounts":
                    return list(self.accounts.values())
                case "posts":
                    return list(self.posts.values())
                case "posted":
                    return [{"account": a, "post": p} for a, p in self.posted]
                case "post_links":
                    return [{"post": p, "target": t, "type": k} for p, t, k in self.links]
                case "hashtags":
                    return [{"post": p, "tag": t} for p, t in self.hashtags]
                case "urls":
                    return [{"post": p, "url": u} for p, u in self.urls]
                case _:
                    return [{"post": p, "account": a} for p, a in self.mentions]

        steps = []
        for name in _STEPS:
            data = rows(name)
            if data:
                steps.append((cypherlib.load(f"load/{name}"), {"rows": data}))
        return steps


def _batches(
    items: Iterable[Row | Reject], size: int, on_reject: Callable[[Reject], None]
) -> Iterator[Batch]:
    batch = Batch()
    for item in items:
        if isinstance(item, Reject):
            on_reject(item)
            continue
        batch.add(item)
        if batch.rows >= size:
            yield batch
            batch = Batch()
    if batch.rows:
        yield batch


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


def load(
    store: Store,
    paths: list[Path],
    format: str | None = None,
    mapping: dict[str, str] | None = None,
    batch_size: int = DEFAULT_BATCH,
    max_rejects: int | None = None,
    progress: Callable[[int], None] = lambda _: None,
) -> LoadSummary:
    """Load files in order; `progress` gets the number of rows just written."""
    started = time.perf_counter()
    files: list[FileSummary] = []
    with ExitStack() as opened, ThreadPoolExecutor(max_workers=1) as writer:
        # Open every source first: a missing column fails the run before anything is written.
        sources = [opened.enter_context(open_source(p, format, mapping)) for p in paths]
        store.apply_schema()
        for source in sources:
            summary = FileSummary(path=source.path, format=source.format)
            files.append(summary)
            rejects_path = default_rejects_path(source.path, home() / "rejects")
            rejects_path.unlink(missing_ok=True)  # a stale file would describe an older run
            with _RejectSink(rejects_path, summary, files, max_rejects) as sink:
                pending: Future[None] | None = None
                for batch in _batches(source, batch_size, sink.add):
                    steps = batch.steps()
                    if pending is not None:
                        pending.result()
                    pending = writer.submit(store.write_batch, steps)
                    summary.rows += batch.rows
                    progress(batch.rows)
                if pending is not None:
                    pending.result()
    totals = counts(store)
    return LoadSummary(files=files, seconds=time.perf_counter() - started, **totals)


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
    data = asdict(summary)
    data["rows_per_second"] = round(summary.rows_per_second, 1)
    return data
