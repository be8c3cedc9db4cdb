"""The row builders of the CSV formats, as polars expressions over whole columns.

Each takes the raw string columns of records that split cleanly (`c0`, `c1`, ... in header
order) and gives the frame columns (see `frames`) and a `sure` mask. A row is sure only
when every field has one of the common shapes that the expressions read exactly as the
row builder would (`2017-08-06 08:15`, `['a', 'b']`, `19816`, ...); every other row, odd
but valid or bad, is handed to the row builder, which reads it or names what is wrong.
So the two ways never disagree: the expressions only ever take the easy rows.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from tierscope.graphdb.sources import archive, shares
from tierscope.graphdb.sources._csv import locate
from tierscope.graphdb.sources.frames import SCHEMA

VectorBuild = Callable[[pl.DataFrame], tuple[pl.DataFrame, pl.Series]]
"""Raw columns -> (frame columns without `line`, sure mask)."""

_TRUE = sorted(archive._TRUE)
_LIST = pl.List(pl.String)
# Year 1000-2999: chrono takes year 0, which Python's date() refuses.
_MINUTE = r"^[12][0-9]{3}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}$"
_SECOND = r"^[12][0-9]{3}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}:[0-9]{2}$"
_DAY = r"^[12][0-9]{3}-[0-9]{2}-[0-9]{2}$"
_QUOTED_LIST = r"""^\['[^'"\\]*'(?:, '[^'"\\]*')*\]$"""
_NUMBER_LIST = r"^\[[0-9]+(?:, ?[0-9]+)*\]$"


def _col(c: dict[str, int], name: str, ncols: int) -> pl.Expr:
    i = c[name]
    return pl.col(f"c{i}") if i < ncols else pl.lit("", dtype=pl.String)


def _or_null(e: pl.Expr) -> pl.Expr:
    return pl.when(e == "").then(None).otherwise(e)


def _time(e: pl.Expr) -> pl.Expr:
    """Unix seconds of the common time shapes; null for any other text (even a valid one)."""
    minute = e.str.replace("T", " ").str.strptime(pl.Datetime("us"), "%Y-%m-%d %H:%M", strict=False)
    second = e.str.replace("T", " ").str.strptime(
        pl.Datetime("us"), "%Y-%m-%d %H:%M:%S", strict=False
    )
    day = e.str.strptime(pl.Date, "%Y-%m-%d", strict=False).cast(pl.Datetime("us"))
    return (
        pl.when(e.str.contains(_MINUTE))
        .then(minute.dt.epoch("s"))
        .when(e.str.contains(_SECOND))
        .then(second.dt.epoch("s"))
        .when(e.str.contains(_DAY))
        .then(day.dt.epoch("s"))
        # Up to 11 digits: always within years 1-9999 (`_values.MAX_TIME`); longer, the row
        # builder decides.
        .when(e.str.contains(r"^[0-9]{1,11}$"))
        .then(e.cast(pl.Int64, strict=False))
        .when(e.str.contains(r"^[0-9]{1,11}\.[0-9]{1,9}$"))
        .then(e.cast(pl.Float64, strict=False).cast(pl.Int64, strict=False))
        .otherwise(None)
    )


def _count(e: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    digits = e.str.contains(r"^[0-9]{1,15}$")
    return pl.when(digits).then(e.cast(pl.Int64, strict=False)), digits | (e == "")


def _list(e: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    empty = (e == "") | (e == "[]")
    quoted = e.str.contains(_QUOTED_LIST)
    numbers = e.str.contains(_NUMBER_LIST)
    inner = e.str.strip_prefix("[").str.strip_suffix("]")
    value = (
        pl.when(empty)
        .then(pl.lit([], dtype=_LIST))
        .when(quoted)
        .then(inner.str.strip_prefix("'").str.strip_suffix("'").str.split("', '"))
        .when(numbers)
        .then(inner.str.split(",").list.eval(pl.element().str.strip_chars(" ")))
        .otherwise(pl.lit(None, dtype=_LIST))
    )
    return value, empty | quoted | numbers


def _frame(
    raw: pl.DataFrame, columns: dict[str, pl.Expr], sure: pl.Expr
) -> tuple[pl.DataFrame, pl.Series]:
    exprs = [
        columns.get(name, pl.lit(None)).cast(dtype).alias(name)
        for name, dtype in SCHEMA.items()
        if name != "line"
    ]
    # A raw column first, so that literal-only columns take the frame's height.
    out = raw.select(pl.first().alias("__height"), *exprs, sure.alias("__sure"))
    return out.drop("__height", "__sure"), out["__sure"]


def _account(c: dict[str, int], n: int) -> tuple[dict[str, pl.Expr], pl.Expr]:
    created = _col(c, "account_creation_date", n)
    followers, followers_ok = _count(_col(c, "follower_count", n))
    following, following_ok = _count(_col(c, "following_count", n))
    created_at = _time(created)
    userid = _col(c, "userid", n)
    columns = {
        "account_id": userid,
        "screen_name": _or_null(_col(c, "user_screen_name", n)),
        "display_name": _or_null(_col(c, "user_display_name", n)),
        "account_created_at": pl.when(created == "").then(None).otherwise(created_at),
        "account_lang": _or_null(_col(c, "account_language", n)),
        "location": _or_null(_col(c, "user_reported_location", n)),
        "followers": followers,
        "following": following,
    }
    sure = (
        (userid != "") & ((created == "") | created_at.is_not_null()) & followers_ok & following_ok
    )
    return columns, sure


def tweets_vector(names: list[str], label: str) -> VectorBuild:
    c = locate(names, archive.TWEET_COLUMNS, archive.TWEET_REQUIRED, label)
    n = len(names)

    def build(raw: pl.DataFrame) -> tuple[pl.DataFrame, pl.Series]:
        columns, sure = _account(c, n)
        col = lambda name: _col(c, name, n)  # noqa: E731
        if c["is_retweet"] < n:
            retweet = col("is_retweet").is_in(_TRUE)
        else:
            retweet = col("retweet_tweetid") != ""
        created_at = _time(col("tweet_time"))
        hashtags, hashtags_ok = _list(col("hashtags"))
        urls, urls_ok = _list(col("urls"))
        mentions, mentions_ok = _list(col("user_mentions"))
        columns |= {
            "post_id": col("tweetid"),
            "author_id": col("userid"),
            "created_at": created_at,
            "lang": _or_null(col("tweet_language")),
            "text": _or_null(col("tweet_text")),
            "client": _or_null(col("tweet_client_name")),
            "retweet_of": pl.when(retweet).then(_or_null(col("retweet_tweetid"))),
            "retweet_of_account": pl.when(retweet).then(_or_null(col("retweet_userid"))),
            "reply_to": _or_null(col("in_reply_to_tweetid")),
            "reply_to_account": _or_null(col("in_reply_to_userid")),
            "quotes": _or_null(col("quoted_tweet_tweetid")),
            "hashtags": hashtags,
            "urls": urls,
            "mentions": mentions,
        }
        sure = (
            sure
            & (col("tweetid") != "")
            & created_at.is_not_null()
            & hashtags_ok
            & urls_ok
            & mentions_ok
        )
        return _frame(raw, columns, sure)

    return build


def users_vector(names: list[str], label: str) -> VectorBuild:
    c = locate(names, archive.USER_COLUMNS, archive.USER_REQUIRED, label)
    n = len(names)

    def build(raw: pl.DataFrame) -> tuple[pl.DataFrame, pl.Series]:
        columns, sure = _account(c, n)
        return _frame(raw, columns, sure)

    return build


def shares_vector(names: list[str], label: str) -> VectorBuild:
    c = locate(names, shares.COLUMNS, shares.COLUMNS, label)
    n = len(names)

    def build(raw: pl.DataFrame) -> tuple[pl.DataFrame, pl.Series]:
        col = lambda name: _col(c, name, n)  # noqa: E731
        created_at = _time(col("timestamp_share"))
        columns = {
            "account_id": col("account_id"),
            "post_id": col("content_id"),
            "author_id": col("account_id"),
            "created_at": created_at,
            "retweet_of": col("object_id"),
            "hashtags": pl.lit([], dtype=_LIST),
            "urls": pl.lit([], dtype=_LIST),
            "mentions": pl.lit([], dtype=_LIST),
        }
        sure = (
            (col("account_id") != "")
            & (col("content_id") != "")
            & (col("object_id") != "")
            & created_at.is_not_null()
        )
        return _frame(raw, columns, sure)

    return build


def python_only(names: list[str], label: str) -> VectorBuild:
    """For formats without expressions (a mapped CSV): every row goes to the row builder."""

    def build(raw: pl.DataFrame) -> tuple[pl.DataFrame, pl.Series]:
        return _frame(raw, {}, pl.lit(False))

    return build


VECTORS: dict[str, Callable[[list[str], str], VectorBuild]] = {
    "archive-tweets": tweets_vector,
    "archive-users": users_vector,
    "shares": shares_vector,
}
