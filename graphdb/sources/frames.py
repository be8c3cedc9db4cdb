"""Rows as columns: the polars form of a run of `Row`s that the loaders write from.

A frame has one row per `Row`, in input order, with the account's and the post's fields side
by side (`account_id` is null for a row without an account, `post_id` for one without a
post). `rows_to_frame` and `frame_to_rows` convert both ways without loss, so the fast
readers can be checked against the line readers row for row.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import polars as pl

from tierscope.graphdb.records import AccountRecord, PostRecord, Reject, Row

_STR = pl.String
_INT = pl.Int64
_LIST = pl.List(pl.String)

# (frame column, record attribute) for the account and the post of a Row.
ACCOUNT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("account_id", "id"),
    ("screen_name", "screen_name"),
    ("display_name", "display_name"),
    ("account_created_at", "created_at"),
    ("account_lang", "lang"),
    ("location", "location"),
    ("followers", "followers"),
    ("following", "following"),
)
POST_COLUMNS: tuple[tuple[str, str], ...] = (
    ("post_id", "id"),
    ("author_id", "account_id"),
    ("created_at", "created_at"),
    ("lang", "lang"),
    ("text", "text"),
    ("client", "client"),
    ("retweet_of", "retweet_of"),
    ("retweet_of_account", "retweet_of_account"),
    ("reply_to", "reply_to"),
    ("reply_to_account", "reply_to_account"),
    ("quotes", "quotes"),
    ("hashtags", "hashtags"),
    ("urls", "urls"),
    ("mentions", "mentions"),
)
_INTS = {"account_created_at", "followers", "following", "created_at"}
_LISTS = {"hashtags", "urls", "mentions"}

SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {"line": _INT}
for _name, _ in ACCOUNT_COLUMNS + POST_COLUMNS:
    SCHEMA[_name] = _LIST if _name in _LISTS else _INT if _name in _INTS else _STR


@dataclass
class Chunk:
    """A stretch of one input: its good rows as a frame, in order, and its rejects."""

    frame: pl.DataFrame
    rejects: list[Reject] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return self.frame.height


def empty_frame() -> pl.DataFrame:
    return pl.DataFrame(schema=SCHEMA)


def rows_to_frame(rows: Iterable[Row]) -> pl.DataFrame:
    """The frame of `rows`, in their order."""
    columns: dict[str, list[object]] = {name: [] for name in SCHEMA}
    account_cols = [(columns[c], a) for c, a in ACCOUNT_COLUMNS]
    post_cols = [(columns[c], a) for c, a in POST_COLUMNS]
    lines = columns["line"]
    for row in rows:
        lines.append(row.line)
        account, post = row.account, row.post
        for values, attr in account_cols:
            values.append(getattr(account, attr) if account is not None else None)
        for values, attr in post_cols:
            values.append(getattr(post, attr) if post is not None else None)
    return pl.DataFrame(columns, schema=SCHEMA)


def frame_to_rows(frame: pl.DataFrame) -> Iterator[Row]:
    """The `Row`s a frame holds, equal to the ones it was made from."""
    names = list(frame.columns)
    account_idx = [(names.index(c), a) for c, a in ACCOUNT_COLUMNS]
    post_idx = [(names.index(c), a) for c, a in POST_COLUMNS]
    line = names.index("line")
    for values in frame.iter_rows():
        account = post = None
        if values[account_idx[0][0]] is not None:
            account = AccountRecord(**{a: values[i] for i, a in account_idx})
        if values[post_idx[0][0]] is not None:
            post = PostRecord(**{a: values[i] for i, a in post_idx})
        yield Row(values[line], account, post)


def split_items(items: Iterable[Row | Reject]) -> tuple[list[Row], list[Reject]]:
    rows: list[Row] = []
    rejects: list[Reject] = []
    for item in items:
        (rejects if isinstance(item, Reject) else rows).append(item)  # type: ignore[arg-type]
    return rows, rejects
