"""Read a CSV stream in blocks with polars, and come to exactly what `LineReader` would.

A block (some MB, cut at a line end) is first read by polars as plain lines. A line is
*simple* when it is one whole record on its own: it matches a regular expression of
well-formed CSV with exactly the header's number of fields, holds no CR, NUL or oversized
field, and is not blank. `LineReader` would read such a line, from a clean state, as one
record with the same fields, because the quote parity of a well-formed record is even and
its quoting parses the same in Python's csv module and in polars.

Runs of simple lines are split into fields by polars' CSV reader (multi-threaded, in Rust)
and built by the format's column expressions (`_vector`); any row those do not take for
sure goes to the format's row builder. Every other line (a multi-line record, a stray
quote, a wrong field count, bad UTF-8 ...) goes to the `LineReader` itself, which goes on
until it is clean again, so every bad row is rejected with the same line, field and reason
as the line reader gives. A block polars cannot read at all is read line by line.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from typing import IO

import numpy as np
import polars as pl

from tierscope.graphdb.records import Reject, Row
from tierscope.graphdb.sources._csv import HEADER_AGAIN, Builder, LineReader
from tierscope.graphdb.sources._values import BadValue
from tierscope.graphdb.sources._vector import VectorBuild
from tierscope.graphdb.sources.frames import SCHEMA, Chunk, rows_to_frame

BLOCK_BYTES = 32 << 20
# Python's csv refuses fields over 128 KiB (csv.field_size_limit): leave long lines to it.
_MAX_SIMPLE_BYTES = 100_000
_SEPARATORS = ("\x1f", "\x1e", "\x1d", "\x1c", "\x01", "\x02", "\x03")
_FIELD = r'(?:"(?:[^"\r\x00]|"")*"|[^,"\r\x00]*)'


def _record_pattern(ncols: int) -> str:
    return f"^{_FIELD}" + (f"(?:,{_FIELD}){{{ncols - 1}}}" if ncols > 1 else "") + "$"


class FastCsv:
    """The chunks of one CSV stream after its header."""

    def __init__(
        self,
        names: list[str],
        build: Builder,
        vector: VectorBuild,
        member: str | None,
        block_bytes: int | None = None,
    ) -> None:
        self.names = names
        self.ncols = len(names)
        self.build = build
        self.vector = vector
        self.member = member
        self.where = f"{member}: " if member else ""
        self.reader = LineReader(names, build, member)
        self.pattern = _record_pattern(self.ncols)
        self.block_bytes = block_bytes or BLOCK_BYTES
        self.raw_names = [f"c{i}" for i in range(self.ncols)]
        # A record that repeats the header (`_csv.is_header`), as an expression.
        self.header_again = pl.all_horizontal(
            pl.col("c0").str.strip_prefix("\ufeff") == names[0],
            *(pl.col(f"c{i}") == name for i, name in enumerate(names) if i),
        )

    def chunks(self, stream: IO[bytes], lineno: int) -> Iterator[Chunk]:
        """`lineno` is the header's last line; chunks come in file order."""
        tail = b""
        while True:
            data = stream.read(self.block_bytes)
            if data:
                data = tail + data
                cut = data.rfind(b"\n") + 1
                if cut == 0:
                    tail = data
                    continue
                block, tail = data[:cut], data[cut:]
            else:
                block, tail = tail, b""
            if block:
                yield self._block(block, lineno + 1)
                lineno += block.count(b"\n") + (not block.endswith(b"\n"))
            if not data:
                rows, rejects = _split(self.reader.finish())
                if rows or rejects:
                    yield Chunk(rows_to_frame(rows), rejects)
                return

    # -- one block ---------------------------------------------------------------------------

    def _lines(self, block: bytes) -> pl.Series | None:
        sep = next((s for s in _SEPARATORS if s.encode() not in block), None)
        if sep is None or block.startswith(codecs.BOM_UTF8):
            return None
        try:
            lines = pl.read_csv(
                block,
                has_header=False,
                separator=sep,
                quote_char=None,
                infer_schema=False,
                new_columns=["l"],
                empty_string_is_null=False,
            )["l"]
        except pl.exceptions.PolarsError:  # not UTF-8, most often
            return None
        expected = block.count(b"\n") + (not block.endswith(b"\n"))
        return lines if lines.len() == expected and lines.null_count() == 0 else None

    def _block(self, block: bytes, first: int) -> Chunk:
        lines = self._lines(block)
        if lines is None:
            return self._slow_block(block, first)
        nbytes = lines.str.len_bytes().cast(pl.Int64).to_numpy()
        offsets = np.zeros(len(nbytes) + 1, dtype=np.int64)
        np.cumsum(nbytes + 1, out=offsets[1:])
        if offsets[-1] not in (len(block), len(block) + 1):
            return self._slow_block(block, first)
        simple = (
            lines.str.contains(self.pattern)
            & ~lines.str.contains(r"^[ \t\x0b\x0c]*$")
            & (lines.str.len_bytes() < _MAX_SIMPLE_BYTES)
            & ~lines.str.starts_with("\ufeff")  # polars would drop it, starting a run
        ).to_numpy()

        # Walk the block: runs of simple lines are read fast while the line reader is
        # clean; every other line goes to the line reader.
        runs: list[tuple[int, int]] = []
        slow: list[Row | Reject] = []
        others = np.flatnonzero(~simple)
        k, i, n = 0, 0, len(simple)
        while i < n:
            if self.reader.clean:
                while k < len(others) and others[k] < i:
                    k += 1
                j = int(others[k]) if k < len(others) else n
                if j > i:
                    runs.append((i, j))
                    i = j
                    continue
            slow += self.reader.feed(first + i, block[offsets[i] : offsets[i + 1]])
            i += 1

        rows, rejects = _split(slow)
        frames = [rows_to_frame(rows)] if rows else []
        if runs:
            frame, more_rows, more_rejects = self._runs(block, offsets, runs, first, lines)
            frames.append(frame)
            if more_rows:
                frames.append(rows_to_frame(more_rows))
            rejects += more_rejects
        if not frames:
            return Chunk(rows_to_frame([]), rejects)
        out = pl.concat(frames) if len(frames) > 1 else frames[0]
        if len(frames) > 1:
            out = out.sort("line", maintain_order=True)
        rejects.sort(key=lambda r: r.line)
        return Chunk(out, rejects)

    def _runs(
        self,
        block: bytes,
        offsets: np.ndarray,
        runs: list[tuple[int, int]],
        first: int,
        lines: pl.Series,
    ) -> tuple[pl.DataFrame, list[Row], list[Reject]]:
        """Split and build the simple lines of `runs`: (sure rows, other rows, rejects)."""
        if len(runs) == 1 and runs[0] == (0, len(offsets) - 1):
            buf = block
            index = np.arange(len(offsets) - 1)
        else:
            buf = b"".join(block[offsets[a] : offsets[b]] for a, b in runs)
            if not buf.endswith(b"\n"):
                buf += b"\n"
            index = np.concatenate([np.arange(a, b) for a, b in runs])
        try:
            raw = pl.read_csv(
                buf,
                has_header=False,
                infer_schema=False,
                new_columns=self.raw_names,
                empty_string_is_null=False,
                quote_char='"',
            )
            if raw.height != len(index):
                raise ValueError("row count")
        except (pl.exceptions.PolarsError, ValueError):
            # Not expected for simple lines; read them as the line reader would.
            items: list[Row | Reject] = []
            for a, b in runs:
                reader = LineReader(self.names, self.build, self.member)
                for i in range(a, b):
                    items += reader.feed(first + i, block[offsets[i] : offsets[i + 1]])
            return (rows_to_frame([]), *_split(items))
        line_numbers = pl.Series("line", index + first, dtype=pl.Int64)
        frame, sure = self.vector(raw)
        frame = frame.insert_column(0, line_numbers)
        header = raw.select(self.header_again).to_series().to_numpy()
        sure_np = sure.fill_null(False).to_numpy() & ~header
        rows: list[Row] = []
        rejects: list[Reject] = []
        if not sure_np.all():
            unsure = np.flatnonzero(~sure_np)
            for pos, values in zip(unsure, raw[unsure].iter_rows(), strict=True):
                line = int(index[pos]) + first
                if header[pos]:
                    text = lines[int(index[pos])]
                    rejects.append(Reject(line, "", self.where + HEADER_AGAIN, text))
                    continue
                try:
                    rows.append(self.build(line, list(values)))
                except BadValue as exc:
                    text = lines[int(index[pos])]
                    rejects.append(Reject(line, exc.field, self.where + exc.reason, text))
            frame = frame.filter(pl.Series(sure_np))
        return frame.select(list(SCHEMA)), rows, rejects

    def _slow_block(self, block: bytes, first: int) -> Chunk:
        items: list[Row | Reject] = []
        start = 0
        no = first
        while start < len(block):
            end = block.find(b"\n", start) + 1 or len(block)
            items += self.reader.feed(no, block[start:end])
            start = end
            no += 1
        rows, rejects = _split(items)
        return Chunk(rows_to_frame(rows), rejects)


def _split(items: list[Row | Reject]) -> tuple[list[Row], list[Reject]]:
    rows = [item for item in items if isinstance(item, Row)]
    return rows, [item for item in items if isinstance(item, Reject)]
