"""What detection reads: posts, accounts, hashtag and URL uses, as polars frames.

The column names are those the ``detect/*`` read queries return from Neo4j, so the analytics run
the same on a database read and on rows straight from the sources (tests and benchmarks).
``inputs_from_rows`` mirrors what loading and reading back would give: one row per dated post
with a known author (the first copy of a repeated post id), hashtags lower-cased and unique per
post, and a retweet's ``original_account`` taken from the original's own row when the archive
holds it, else from the author the retweet names (the loader links that author to the stub).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import polars as pl

from tierscope.graphdb.records import Reject, Row
from tierscope.graphdb.sources import open_source

POST_SCHEMA = {
    "account": pl.String,
    "post": pl.String,
    "time": pl.Int64,
    "lang": pl.String,
    "original": pl.String,
    "original_account": pl.String,
    "original_time": pl.Int64,
    "text": pl.String,
}
ACCOUNT_SCHEMA = {
    "account": pl.String,
    "created_at": pl.Int64,
    "lang": pl.String,
    "followers": pl.Int64,
    "screen_name": pl.String,
}
OBJECT_SCHEMA = {"account": pl.String, "object": pl.String, "post": pl.String, "time": pl.Int64}
# Posts in memory, or scanned from Parquet (DetectInputs.posts).
Posts = pl.DataFrame | pl.LazyFrame
# A function that filters either kind of frame returns the kind it was given.
Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)


@dataclass(frozen=True)
class DetectInputs:
    """Posts (one row each; a retweet has ``original*`` set), accounts, hashtag and URL uses.

    posts: account, post, time (Unix s), lang, original, original_account, original_time, text
    (non-retweets only); in memory, or a scan of the Parquet file ``read_inputs`` kept them in,
    so that a run holds only the columns each step selects. The analytics take either.
    accounts: account, created_at, lang, followers, screen_name.
    hashtags and urls: account, object (the tag or URL), post, time.
    """

    posts: Posts
    accounts: pl.DataFrame
    hashtags: pl.DataFrame
    urls: pl.DataFrame

    def post_count(self) -> int:
        return int(self.posts.lazy().select(pl.len()).collect().item())


def inputs_from_rows(rows: Iterable[Row]) -> DetectInputs:
    """Collect rows column by column, then build each frame once."""
    acc: dict[str, list[object]] = {name: [] for name in ACCOUNT_SCHEMA}
    post: dict[str, list[object]] = {
        name: [] for name in ("account", "post", "time", "lang", "original", "named", "text")
    }
    objects: dict[str, dict[str, list[object]]] = {
        kind: {"post": [], "object": []} for kind in ("hashtags", "urls")
    }
    for row in rows:
        a = row.account
        if a is not None:
            acc["account"].append(a.id)
            acc["created_at"].append(a.created_at)
            acc["lang"].append(a.lang)
            acc["followers"].append(a.followers)
            acc["screen_name"].append(a.screen_name)
        p = row.post
        if p is None or p.account_id is None or p.created_at is None:
            continue
        post["account"].append(p.account_id)
        post["post"].append(p.id)
        post["time"].append(p.created_at)
        post["lang"].append(p.lang)
        post["original"].append(p.retweet_of)
        post["named"].append(p.retweet_of_account)
        post["text"].append(None if p.retweet_of else p.text)
        for kind, values in (("hashtags", [t.lower() for t in p.hashtags]), ("urls", p.urls)):
            objects[kind]["post"].extend([p.id] * len(values))
            objects[kind]["object"].extend(values)

    raw = pl.DataFrame(
        post,
        schema={
            "account": pl.String,
            "post": pl.String,
            "time": pl.Int64,
            "lang": pl.String,
            "original": pl.String,
            "named": pl.String,
            "text": pl.String,
        },
    ).unique("post", keep="first", maintain_order=True)
    known = raw.select(original="post", original_author="account", original_time="time")
    posts = (
        raw.join(known, on="original", how="left", maintain_order="left")
        .with_columns(original_account=pl.coalesce("original_author", "named"))
        .select(list(POST_SCHEMA))
    )
    stamps = posts.select("post", "account", "time")
    uses = {
        kind: pl.DataFrame(columns, schema={"post": pl.String, "object": pl.String})
        .filter(pl.col("object") != "")
        .unique(maintain_order=True)
        .join(stamps, on="post", maintain_order="left")
        .select(list(OBJECT_SCHEMA))
        for kind, columns in objects.items()
    }
    # An account appears in every row it posted and in the users file: keep the first known
    # value of each field, and list authors the records never described.
    accounts = (
        pl.concat(
            [
                pl.DataFrame(acc, schema=ACCOUNT_SCHEMA),
                posts.select("account")
                .unique()
                .join(pl.DataFrame(schema=ACCOUNT_SCHEMA), on="account", how="left"),
            ]
        )
        .group_by("account", maintain_order=True)
        .agg(pl.all().drop_nulls().first())
        .select(list(ACCOUNT_SCHEMA))
    )
    return DetectInputs(
        posts=posts, accounts=accounts, hashtags=uses["hashtags"], urls=uses["urls"]
    )


def inputs_from_files(paths: list[Path]) -> DetectInputs:
    """Read source files (any format ``open_source`` detects), skipping rejected records."""

    def rows() -> Iterable[Row]:
        for path in paths:
            with open_source(path) as source:
                for item in source:
                    if not isinstance(item, Reject):
                        yield item

    return inputs_from_rows(rows())
