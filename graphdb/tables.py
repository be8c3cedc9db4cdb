"""What a run of rows writes into the graph, as node and relationship tables.

`extract` turns a frame of rows (see `sources.frames`) into the accounts, posts and the
relationships between them, stubs included (the original of a retweet, its author, a
mentioned account); `dedupe` merges repeats the way the loader's `MERGE ... SET x += props`
does: one entity per id whose every property is the last value given for it, in input
order (a value a source does not know is null and never overwrites one it did), and each
relationship once. The Bolt loader writes the deduplicated tables of each batch; the bulk
import writes those of the whole load.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import polars as pl

ACCOUNT_PROPS = ("screen_name", "display_name", "lang", "location", "followers", "following")
POST_PROPS = ("lang", "text", "client")
LINK_TYPES = (("retweet_of", "RETWEET_OF"), ("reply_to", "REPLY_TO"), ("quotes", "QUOTES"))


@dataclass
class Tables:
    accounts: pl.DataFrame  # id, created_at, *ACCOUNT_PROPS
    posts: pl.DataFrame  # id, created_at, *POST_PROPS
    posted: pl.DataFrame  # account, post
    links: pl.DataFrame  # post, target, type
    hashtags: pl.DataFrame  # post, tag
    urls: pl.DataFrame  # post, url
    mentions: pl.DataFrame  # post, account

    @staticmethod
    def concat(parts: list[Tables]) -> Tables:
        return Tables(
            **{
                f.name: pl.concat([getattr(p, f.name) for p in parts], rechunk=False)
                for f in fields(Tables)
            }
        )


def _truthy(name: str) -> pl.Expr:
    return pl.col(name).is_not_null() & (pl.col(name) != "")


def _listed(posts: pl.DataFrame, column: str, name: str) -> pl.DataFrame:
    """(post, item) for every non-empty item of a list column."""
    return (
        posts.select(pl.col("post_id").alias("post"), pl.col(column).alias(name))
        .explode(name)
        .filter(_truthy(name))
    )


def extract(frame: pl.DataFrame) -> Tables:
    """The tables a frame of rows writes, with repeats (see `dedupe`)."""
    accounts = frame.filter(pl.col("account_id").is_not_null()).select(
        pl.col("account_id").alias("id"),
        pl.col("account_created_at").alias("created_at"),
        "screen_name",
        "display_name",
        pl.col("account_lang").alias("lang"),
        "location",
        "followers",
        "following",
    )
    posts = frame.filter(pl.col("post_id").is_not_null())
    authored = [posts.filter(_truthy("author_id")).select(account="author_id", post="post_id")]
    links = []
    stub_posts = []
    for column, kind in LINK_TYPES:
        linked = posts.filter(_truthy(column))
        links.append(
            linked.select(post="post_id", target=column, type=pl.lit(kind, dtype=pl.String))
        )
        stub_posts.append(linked.select(id=column))
        author = f"{column}_account"
        if author in posts.columns:
            authored.append(linked.filter(_truthy(author)).select(account=author, post=column))
    posted = pl.concat(authored)
    mentions = _listed(posts, "mentions", "account")
    hashtags = _listed(posts, "hashtags", "tag").with_columns(pl.col("tag").str.to_lowercase())
    stub_accounts = pl.concat(
        [posted.select(id="account"), mentions.select(id="account")]
    ).with_columns(*(pl.lit(None).alias(c) for c in accounts.columns if c != "id"))
    post_nodes = posts.select(pl.col("post_id").alias("id"), "created_at", *POST_PROPS)
    stubs = pl.concat(stub_posts).with_columns(
        *(pl.lit(None).alias(c) for c in post_nodes.columns if c != "id")
    )
    return Tables(
        accounts=pl.concat(
            [accounts, stub_accounts.select(accounts.columns)], how="vertical_relaxed"
        ),
        posts=pl.concat([post_nodes, stubs.select(post_nodes.columns)], how="vertical_relaxed"),
        posted=posted,
        links=pl.concat(links),
        hashtags=hashtags,
        urls=_listed(posts, "urls", "url"),
        mentions=mentions,
    )


def last_known(nodes: pl.DataFrame) -> pl.DataFrame:
    """One row per id: each property's last non-null value, in row order."""
    props = nodes.columns[1:]
    return nodes.group_by("id").agg(pl.col(c).drop_nulls().last() for c in props)


def dedupe(tables: Tables) -> Tables:
    return Tables(
        accounts=last_known(tables.accounts),
        posts=last_known(tables.posts),
        posted=tables.posted.unique(),
        links=tables.links.unique(),
        hashtags=tables.hashtags.unique(),
        urls=tables.urls.unique(),
        mentions=tables.mentions.unique(),
    )
