"""Write the rejects of a source next to it, as `<file>.rejects.csv`."""

from __future__ import annotations

import csv
import os
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING

from tierscope.graphdb.records import Reject

if TYPE_CHECKING:
    from _csv import Writer

COLUMNS = ("line", "field", "reason", "raw")


def default_rejects_path(source_path: Path, fallback_dir: Path) -> Path:
    """`<source>.rejects.csv` beside the source, or in `fallback_dir` when the source's
    folder is not writable (inputs often sit in read-only data folders)."""
    name = source_path.name + ".rejects.csv"
    if os.access(source_path.parent, os.W_OK):
        return source_path.parent / name
    return fallback_dir / name


class RejectWriter:
    """CSV of rejects (`line,field,reason,raw`), created only when the first reject comes,
    so a clean load leaves no file behind. An existing file is replaced."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        self._file: IO[str] | None = None
        self._writers: tuple[Writer, Writer] | None = None  # plain, and quoting every field

    def write(self, reject: Reject) -> None:
        if self._writers is None:
            # surrogateescape writes back the very bytes a source could not decode.
            self._file = open(  # noqa: SIM115 - kept open across writes, closed by close()
                self.path,
                "a" if self.count else "w",  # a write after close() appends
                encoding="utf-8",
                errors="surrogateescape",
                newline="",
            )
            # csv quotes a field with LF but not one with a lone CR, which readers take for a
            # line end: such a row is written with every field quoted.
            self._writers = (
                csv.writer(self._file, lineterminator="\n"),
                csv.writer(self._file, lineterminator="\n", quoting=csv.QUOTE_ALL),
            )
            if not self.count:
                self._writers[0].writerow(COLUMNS)
        row = (reject.line, reject.field, reject.reason, reject.raw)
        self._writers["\r" in reject.raw + reject.reason + reject.field].writerow(row)
        self.count += 1

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
            self._writers = None

    def __enter__(self) -> RejectWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
