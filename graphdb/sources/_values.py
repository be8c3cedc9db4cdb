"""Field parsers shared by the sources: times, list-like strings, counts.

They run for every input row, so they slice strings and cache rather than call
`strptime`, and never `eval`; a failure raises `BadValue`, which the caller turns into
a `Reject` naming the field.
"""

from __future__ import annotations

import ast
import re
from datetime import date
from functools import lru_cache
from typing import NoReturn

_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
# Years 1 to 9999: what Python's dates, polars' microsecond datetimes and the bulk import's
# `YYYY-MM-DD` all hold. Past them a time is garbage that would crash the load far from its line.
MIN_TIME = (date(1, 1, 1).toordinal() - _EPOCH_ORDINAL) * 86400
MAX_TIME = (date(9999, 12, 31).toordinal() - _EPOCH_ORDINAL + 1) * 86400 - 1
MAX_COUNT = (1 << 63) - 1  # Neo4j's and polars' Int64

# One quoted item of a Python-repr list, as the archives write `['a', "it's"]`.
_QUOTED = r"""'[^'\\]*'|"[^"\\]*\""""
_QUOTED_ITEM = re.compile(_QUOTED)
_QUOTED_LIST = re.compile(rf"\s*(?:(?:{_QUOTED})\s*,\s*)*(?:{_QUOTED})\s*,?\s*")


class BadValue(Exception):
    """A field that does not parse; `field` names the input column."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@lru_cache(maxsize=1 << 14)
def _day_seconds(ymd: str) -> int:
    """Seconds from the epoch to the start of day `YYYY-MM-DD`."""
    y, m, d = ymd[:4], ymd[5:7], ymd[8:]
    digits = y + m + d
    if ymd[4:5] != "-" or ymd[7:8] != "-" or not (digits.isascii() and digits.isdigit()):
        raise ValueError(ymd)
    return (date(int(y), int(m), int(d)).toordinal() - _EPOCH_ORDINAL) * 86400


@lru_cache(maxsize=1 << 16)
def _hour_seconds(prefix: str) -> int:
    """Seconds from the epoch to `YYYY-MM-DD HH` (or `T`); cached, as hours repeat a lot."""
    hour = prefix[11:13]
    if prefix[10] not in " T" or not (hour.isascii() and hour.isdigit()) or int(hour) > 23:
        raise ValueError(prefix)
    return _day_seconds(prefix[:10]) + int(hour) * 3600


@lru_cache(maxsize=256)
def _offset_seconds(tail: str) -> int:
    """UTC offset of a time's suffix: `Z`, `UTC`, `+HH`, `+HHMM`, `+HH:MM` (or `-`)."""
    tail = tail.strip()
    if tail in ("Z", "z", "UTC", ""):
        return 0
    sign, digits = tail[0], tail[1:].replace(":", "")
    if sign not in "+-" or len(digits) not in (2, 4) or not digits.isdecimal():
        raise ValueError(tail)
    seconds = int(digits[:2]) * 3600 + int(digits[2:] or 0) * 60
    return seconds if sign == "+" else -seconds


def parse_time(text: str) -> int:
    """Unix seconds (UTC) from epoch seconds (int or float) or a calendar time.

    Calendar forms: `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS[.fff]]`, the same with `T`, and
    an optional `Z` / `±HH:MM` suffix. Sliced and cached rather than strptime'd, which is
    several times slower.
    """
    n = len(text)
    if n >= 16 and text[13] == ":":
        minute, second, i = text[14:16], "0", 16
        if n > 16 and text[16] == ":":
            second, i = text[17:19], 19
            if n > 19 and text[19] in ".,":  # a fraction of a second: dropped
                i = 20
                while i < n and text[i].isdigit():
                    i += 1
        if not (minute.isdecimal() and second.isdecimal()):
            raise ValueError(text)
        m, s = int(minute), int(second)
        if m > 59 or s > 60:  # 60: a leap second
            raise ValueError(text)
        seconds = _hour_seconds(text[:13]) + m * 60 + s
        return seconds - _offset_seconds(text[i:]) if i < n else seconds
    if n == 10 and text[4] == "-":
        return _day_seconds(text)
    if text.isdecimal():
        return in_range(int(text), text)
    try:
        return in_range(int(float(text)), text)
    except OverflowError:  # inf
        raise ValueError(text) from None


class OutOfRange(ValueError):
    pass


def in_range(seconds: int, text: object) -> int:
    """`seconds` if it is a time of years 1 to 9999, else OutOfRange."""
    if not MIN_TIME <= seconds <= MAX_TIME:
        raise OutOfRange(text)
    return seconds


def time_field(text: str, field: str) -> int:
    try:
        return parse_time(text)
    except ValueError as exc:
        raise BadValue(field, time_problem(exc, text)) from None


def time_problem(exc: Exception, value: object) -> str:
    if isinstance(exc, OutOfRange):
        return f"time out of range (years 1 to 9999) {value!r}"
    return f"unparseable time {value!r}"


def list_field(text: str, field: str) -> list[str]:
    """Items of a list-like string: `['a', 'b']`, `[2572896396]`, `[]` or empty."""
    if not text or text == "[]":
        return []
    if text[0] != "[" or text[-1] != "]":
        raise BadValue(field, f"not a list {text[:80]!r}")
    inner = text[1:-1]
    if "'" not in inner and '"' not in inner:
        return [item for item in (part.strip() for part in inner.split(",")) if item]
    # Fast path for the usual repr, `'a', 'b'`: no quote may be left inside an item.
    if inner[0] == "'" and inner[-1] == "'" and '"' not in inner and "\\" not in inner:
        items = inner[1:-1].split("', '")
        if inner.count("'") == 2 * len(items):
            return items
    if "\\" not in inner and _QUOTED_LIST.fullmatch(inner):
        return [item[1:-1] for item in _QUOTED_ITEM.findall(inner)]
    # Escaped quotes are rare: let Python read its own repr, but never eval it.
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        value = None
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise BadValue(field, f"not a list {text[:80]!r}")
    return [str(v) for v in value]


def multi_field(text: str, field: str) -> list[str]:
    """Empty, a single value, or a list-like string, as generic CSVs carry hashtags and urls."""
    if not text:
        return []
    return list_field(text, field) if text[0] == "[" else [text]


def count_field(text: str, field: str) -> int | None:
    """A non-negative count such as `follower_count`; empty means unknown."""
    if not text:
        return None
    try:
        # some exports write counts as `19816.0`
        value = int(text) if text.isdecimal() else float(text)
        if value == int(value) and 0 <= value <= MAX_COUNT:
            return int(value)
    except (ValueError, OverflowError):
        pass
    raise BadValue(field, f"not a count {text[:80]!r}")


def empty_id(field: str) -> NoReturn:
    """Raise for an empty id; builders write `value or empty_id(name)`."""
    raise BadValue(field, "empty id")
