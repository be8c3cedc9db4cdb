"""Streaming sources: read an input file as `Row`s and `Reject`s, one record at a time.

    with open_source(path) as source:        # format detected from the header
        for item in source:                  # Row | Reject, in file order
            ...

`open_source` opens the file (plain, gzip or zip: for a zip, every .csv/.jsonl member
in archive order), detects or checks the format and validates the header at once, so a
missing column raises `InputError` before anything is read. Iteration then streams: a
record that cannot be read becomes a `Reject` naming its line and field and keeping its
raw text, and reading goes on with the next record (see `_csv` for how broken quoting
is contained). Raw text of undecodable bytes is kept with surrogateescape; write it with
the same error handler, as `RejectWriter` does, to get the bytes back.

`source.chunks()` reads the same file as columns instead (`frames.Chunk`: a polars frame of
good rows, and the rejects, per stretch of the file): CSV through polars in blocks, with
the line reader taking every line polars cannot (see `_fast`), so it yields exactly the
rows and rejects that iterating the source does.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from itertools import chain, islice
from pathlib import Path
from types import TracebackType

from tierscope.graphdb.errors import InputError
from tierscope.graphdb.records import Reject, Row
from tierscope.graphdb.sources import shares
from tierscope.graphdb.sources._csv import Builder, csv_rows, read_header
from tierscope.graphdb.sources._fast import FastCsv
from tierscope.graphdb.sources._files import READ_ERRORS, Member, open_members
from tierscope.graphdb.sources._vector import VECTORS, python_only
from tierscope.graphdb.sources.archive import tweets_builder, users_builder
from tierscope.graphdb.sources.frames import Chunk, rows_to_frame, split_items
from tierscope.graphdb.sources.mapped import FIELDS as MAPPING_FIELDS
from tierscope.graphdb.sources.mapped import check_mapping, mapped_builder
from tierscope.graphdb.sources.twarc2 import jsonl_rows

# Rows a chunk of a source read row by row (twarc2) holds.
CHUNK_ROWS = 50_000

__all__ = ["FORMATS", "MAPPING_FIELDS", "Source", "open_source"]

FORMATS: tuple[str, ...] = ("archive-tweets", "archive-users", "twarc2", "shares", "csv")

_BUILDERS: dict[str, Callable[[list[str], str], Builder]] = {
    "archive-tweets": tweets_builder,
    "archive-users": users_builder,
    "shares": shares.shares_builder,
}


class Source:
    """An opened input file: iterate it once for its Rows and Rejects, then close it."""

    def __init__(
        self,
        path: Path,
        format: str,
        parts: list[_Part],
        resources: ExitStack,
    ) -> None:
        self.path = path
        self.format = format
        self._parts = parts  # one per stream: the file, or each member of a zip
        self._resources = resources
        self._started = False

    def __iter__(self) -> Iterator[Row | Reject]:
        if self._started:
            raise RuntimeError(f"{self.path}: a source can be read only once")
        self._started = True
        return self._rows()

    def _rows(self) -> Iterator[Row | Reject]:
        try:
            for part in self._parts:
                try:
                    yield from part.rows()
                except READ_ERRORS as exc:  # a truncated gzip, a bad zip CRC, a disk error
                    raise InputError(f"{part.label}: cannot read: {exc}") from exc
        finally:
            self.close()  # read to the end (or abandoned): nothing left to keep open

    def chunks(self) -> Iterator[Chunk]:
        """The file as `Chunk`s, in order: the same rows and rejects as iterating it."""
        if self._started:
            raise RuntimeError(f"{self.path}: a source can be read only once")
        self._started = True
        return self._chunks()

    def _chunks(self) -> Iterator[Chunk]:
        try:
            for part in self._parts:
                try:
                    yield from part.chunks()
                except READ_ERRORS as exc:
                    raise InputError(f"{part.label}: cannot read: {exc}") from exc
        finally:
            self.close()

    def close(self) -> None:
        self._resources.close()

    def __enter__(self) -> Source:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Source({str(self.path)!r}, format={self.format!r})"


def open_source(
    path: Path, format: str | None = None, mapping: dict[str, str] | None = None
) -> Source:
    """Open `path` as `format` (detected from the header when None) and check its header.

    `mapping` (record field -> column name) reads any other CSV and implies format "csv".
    Raises InputError, naming the file, for an unreadable file, an unknown format or a
    missing column.
    """
    path = Path(path)
    if format is not None and format not in FORMATS:
        raise InputError(f"unknown format {format!r}; the formats are {', '.join(FORMATS)}")
    if mapping is not None:
        if format not in (None, "csv"):
            raise InputError(f"a mapping reads a generic CSV; it does not go with {format!r}")
        check_mapping(mapping)
        format = "csv"
    elif format == "csv":
        raise InputError("format 'csv' needs a mapping from fields to column names")
    resources = ExitStack()
    try:
        parts: list[_Part] = []
        found: list[str] = []
        for member in open_members(path, resources):
            try:
                member_format, part = _open_member(member, format, mapping)
            except READ_ERRORS as exc:
                raise InputError(f"{member.label}: cannot read: {exc}") from exc
            if found and member_format != found[0]:
                raise InputError(
                    f"{member.label}: format {member_format!r}, but earlier members are "
                    f"{found[0]!r}; pass each file separately"
                )
            found.append(member_format)
            parts.append(part)
    except BaseException:
        resources.close()
        raise
    return Source(path, found[0], parts, resources)


class _Part:
    """One stream of a source, after its header: read as rows, or as chunks."""

    def __init__(
        self,
        label: str,
        rows: Callable[[], Iterator[Row | Reject]],
        chunks: Callable[[], Iterator[Chunk]],
    ) -> None:
        self.label = label
        self.rows = rows
        self.chunks = chunks


def _chunked(items: Iterator[Row | Reject]) -> Iterator[Chunk]:
    while True:
        batch = list(islice(items, CHUNK_ROWS))
        if not batch:
            return
        rows, rejects = split_items(batch)
        yield Chunk(rows_to_frame(rows), rejects)


def _open_member(
    member: Member, format: str | None, mapping: dict[str, str] | None
) -> tuple[str, _Part]:
    """Read the header (or first JSON line) of one stream and set up its readers."""
    lines = iter(member.stream)
    lineno = 0
    for first in lines:
        lineno += 1
        if not first.isspace():
            break
    else:
        raise InputError(f"{member.label}: the file is empty")
    if first.startswith(codecs.BOM_UTF8):
        first = first[len(codecs.BOM_UTF8) :]
    elif first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InputError(f"{member.label}: the file is UTF-16; convert it to UTF-8")
    if first.lstrip().startswith(b"{"):
        if format in (None, "twarc2"):
            start = lineno - 1

            def json_rows() -> Iterator[Row | Reject]:
                return jsonl_rows(chain([first], lines), start, member.member)

            return "twarc2", _Part(member.label, json_rows, lambda: _chunked(json_rows()))
    elif format == "twarc2":
        raise InputError(f"{member.label}: not twarc2 JSONL (line {lineno} is not a JSON object)")
    names, lineno = read_header(first, lineno, lines, member.label)
    if format is None:
        format = _detect(names, member.label)
    factory = mapped_builder(mapping) if mapping is not None else _BUILDERS[format]
    build = factory(names, member.label)
    vector = (python_only if mapping is not None else VECTORS[format])(names, member.label)
    header_end = lineno

    def rows() -> Iterator[Row | Reject]:
        return csv_rows(lines, header_end, names, build, member.member)

    def chunks() -> Iterator[Chunk]:
        fast = FastCsv(names, build, vector, member.member)
        return fast.chunks(member.stream, header_end)

    return format, _Part(member.label, rows, chunks)


def _detect(names: list[str], label: str) -> str:
    columns = set(names)
    if {"tweetid", "userid"} <= columns:
        return "archive-tweets"
    if {"userid", "account_creation_date"} <= columns:
        return "archive-users"
    if set(shares.COLUMNS) <= columns:
        return "shares"
    shown = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
    raise InputError(
        f"{label}: unknown format (columns: {shown}); pass --format, "
        "or a mapping of fields to columns for a generic CSV"
    )
