"""Split a CSV byte stream into records and hand each to a format's row builder.

Records are found by quote parity: a physical line with an odd number of `"` opens (or
closes) a quoted field that goes on over the next lines. One stray quote would then
swallow the rest of the file, so a multi-line record is suspect when it spans more than
MAX_RECORD_LINES lines or MAX_RECORD_BYTES bytes, reaches the end of the file open, or
does not parse into the header's number of fields. A suspect record's first line alone
is rejected and reading resumes at the line after it, so the good records it swallowed
still come out. Each physical line is rejected at most once, so this always ends.

Lines are read as bytes and decoded per record: a record that is not UTF-8 or holds a
NUL byte is rejected on its own (raw text kept with surrogateescape, so no byte is lost).
So is a record with a field over MAX_FIELD_CHARS, and the header line repeated (files
joined with their headers).
"""

from __future__ import annotations

import csv
from collections import deque
from collections.abc import Callable, Iterable, Iterator

from tierscope.graphdb.errors import InputError
from tierscope.graphdb.records import Reject, Row
from tierscope.graphdb.sources._values import BadValue

MAX_RECORD_LINES = 1000  # a tweet (280 characters) and a profile (160) hold fewer newlines
MAX_RECORD_BYTES = 1 << 20
MAX_FIELD_CHARS = 1 << 17  # csv's default field_size_limit; a post's text is far shorter
_BOM = "\ufeff"

Builder = Callable[[int, list[str]], Row]
"""Turns (line, fields) into a Row or raises BadValue; the fields list may be mutated."""


class _Feed:
    """A one-record iterator, so that one strict csv.reader is reused for every record."""

    __slots__ = ("item",)

    def __init__(self) -> None:
        self.item: str | None = None

    def __iter__(self) -> _Feed:
        return self

    def __next__(self) -> str:
        item = self.item
        if item is None:
            # csv asks for more only when the record ends inside quotes: it then raises.
            raise StopIteration
        self.item = None
        return item


def read_header(
    first: bytes, lineno: int, lines: Iterator[bytes], label: str
) -> tuple[list[str], int]:
    """Column names of the header starting with `first` on line `lineno`, and its last line."""
    parts = [first]
    while sum(part.count(b'"') for part in parts) & 1:
        more = next(lines, b"")
        if not more or len(parts) >= MAX_RECORD_LINES:
            raise InputError(f"{label}: line {lineno}: the header has an unclosed quote")
        parts.append(more)
    try:
        text = b"".join(parts).decode().rstrip("\r\n")
        names = next(csv.reader([text], strict=True))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"{label}: line {lineno}: cannot read the header: {exc}") from None
    return [name.strip() for name in names], lineno + len(parts) - 1


def locate(
    names: list[str], wanted: Iterable[str], required: Iterable[str], label: str
) -> dict[str, int]:
    """Index of each wanted column by header name, so that column order does not matter.

    An absent optional column gets the index one past the last column: builders append
    an empty string to each record, so it reads as empty.
    """
    index: dict[str, int] = {}
    for i, name in enumerate(names):
        index.setdefault(name, i)
    for column in required:
        if column not in index:
            raise InputError(f"{label}: missing required column {column!r}")
    return {column: index.get(column, len(names)) for column in wanted}


def csv_rows(
    lines: Iterator[bytes],
    lineno: int,
    names: list[str],
    build: Builder,
    member: str | None,
) -> Iterator[Row | Reject]:
    """Rows and rejects of the records after the header; `lineno` is the header's last line."""
    reader = LineReader(names, build, member)
    for line in lines:
        lineno += 1
        yield from reader.feed(lineno, line)
    yield from reader.finish()


class LineReader:
    """The record splitter, fed one physical line at a time (see the module's docstring).

    `feed` takes a line and its number and returns what it completes; `finish` ends the
    input. Between lines the reader is `clean` when no multi-line record is open: reading
    can then go on with another reader (the fast one in `_fast`) and come to the same result.
    """

    def __init__(self, names: list[str], build: Builder, member: str | None) -> None:
        self.names = names
        self.build = build
        self.where = f"{member}: " if member else ""
        self.ncols = len(names)
        self.feed_ = _Feed()
        self.reader = csv.reader(self.feed_, strict=True)
        self.back: deque[tuple[int, bytes]] = deque()  # lines to read again after a stray quote
        self.parts: list[bytes] = []  # lines of an open multi-line record
        self.first = 0
        self.size = 0

    @property
    def clean(self) -> bool:
        return not self.parts

    def feed(self, lineno: int, line: bytes) -> list[Row | Reject]:
        out: list[Row | Reject] = []
        self.back.append((lineno, line))
        while self.back:
            self._line(*self.back.popleft(), out)
        return out

    def finish(self) -> list[Row | Reject]:
        out: list[Row | Reject] = []
        while self.parts:
            parts, self.parts = self.parts, []
            reason = self.where + "unterminated quote at end of file"
            out.append(_stray(self.first, parts, self.back, reason))
            while self.back:
                self._line(*self.back.popleft(), out)
        return out

    def _line(self, no: int, line: bytes, out: list[Row | Reject]) -> None:
        where = self.where
        odd = line.count(b'"') & 1
        span: list[bytes] | None = None
        parts = self.parts
        if parts:
            parts.append(line)
            self.size += len(line)
            if not odd:
                if len(parts) > MAX_RECORD_LINES or self.size > MAX_RECORD_BYTES:
                    reason = (
                        f"unterminated quote: still open after {len(parts)} lines "
                        f"({self.size} bytes)"
                    )
                    self.parts = []
                    out.append(_stray(self.first, parts, self.back, where + reason))
                return
            span, start, record = parts, self.first, b"".join(parts)
            self.parts = []
        elif odd:
            self.parts, self.first, self.size = [line], no, len(line)
            return
        elif line.isspace():
            return
        else:
            start, record = no, line

        try:
            text = record.decode()
            undecodable = False
        except UnicodeDecodeError:
            text = record.decode("utf-8", "surrogateescape")
            undecodable = True
        text = text.rstrip("\r\n")
        problem = ""
        if '"' in text:
            self.feed_.item = text
            try:
                fields = next(self.reader)
            except csv.Error:
                try:  # over csv's field limit, or broken: tell which
                    fields = _without_limit(text)
                except csv.Error as exc:
                    fields, problem = [], f"broken quoting ({exc})"
        else:
            fields = text.split(",")
        if not problem and len(fields) != self.ncols:
            problem = f"{len(fields)} fields, expected {self.ncols}"
        if problem:
            if span is None:
                out.append(Reject(start, "", where + problem, text))
            else:
                reason = "stray quote: the record starting here does not parse"
                out.append(_stray(start, span, self.back, where + reason))
            return
        if len(text) > MAX_FIELD_CHARS:
            for name, value in zip(self.names, fields, strict=True):
                if len(value) > MAX_FIELD_CHARS:
                    reason = f"a field of {len(value)} characters, over {MAX_FIELD_CHARS}"
                    out.append(Reject(start, name, where + reason, text))
                    return
        if is_header(fields, self.names):
            out.append(Reject(start, "", where + HEADER_AGAIN, text))
            return
        # csv accepts NUL since Python 3.11 (older versions raised); it is never meant data.
        if undecodable or b"\0" in record:
            field, problem = _bad_characters(self.names, fields)
            out.append(Reject(start, field, where + problem, text))
            return
        try:
            out.append(self.build(start, fields))
        except BadValue as exc:
            out.append(Reject(start, exc.field, where + exc.reason, text))


HEADER_AGAIN = "the header line again (files joined with their headers?)"


def is_header(fields: list[str], names: list[str]) -> bool:
    """Whether a record repeats the header, a byte order mark before it or not."""
    return fields[-1] == names[-1] and [fields[0].removeprefix(_BOM), *fields[1:]] == names


def _without_limit(text: str) -> list[str]:
    """The fields of one record, however long; csv.Error if its quoting is broken."""
    # The limit is global to the csv module: lifted for this record only.
    old = csv.field_size_limit(max(len(text), MAX_FIELD_CHARS))
    try:
        return next(csv.reader([text], strict=True))
    finally:
        csv.field_size_limit(old)


def _stray(start: int, span: list[bytes], back: deque[tuple[int, bytes]], reason: str) -> Reject:
    """Reject the first line of a suspect multi-line record and queue the rest to read again."""
    back.extendleft((start + k, span[k]) for k in range(len(span) - 1, 0, -1))
    raw = span[0].decode("utf-8", "surrogateescape").rstrip("\r\n")
    return Reject(start, "", f"{reason}; line rejected alone, next lines re-read", raw)


def _bad_characters(names: list[str], fields: list[str]) -> tuple[str, str]:
    """The first field holding a NUL or an undecodable byte, and what is wrong with it."""
    for name, value in zip(names, fields, strict=True):
        if "\0" in value:
            return name, "NUL byte"
        if not value.isascii():
            try:
                value.encode()
            except UnicodeEncodeError:
                return name, "invalid UTF-8"
    return "", "invalid UTF-8"
