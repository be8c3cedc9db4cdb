"""The files `neo4j-admin database import full` reads, from the deduplicated tables of a load.

CSV (the tool's Parquet reader needs Hadoop's XML parser, which the server's jars lack).
Ids live in one id space per label, so an account and a post may share an id. A row whose
text holds a line break goes to a `*_multiline.csv` file that the tool reads with its slower
multi-line parser; every other row to the fast one. Times are written as UTC instants
(`2017-08-06T08:15:00Z`), which the tool stores as the same `DateTime` the Bolt loader's
`datetime({epochSeconds: ...})` makes.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from tierscope.graphdb.server.offline import ImportFiles
from tierscope.graphdb.tables import ACCOUNT_PROPS, LINK_TYPES, POST_PROPS, Tables

_TIME = "%Y-%m-%dT%H:%M:%SZ"
_INT_PROPS = {"followers", "following"}


def _time(column: str) -> pl.Expr:
    return pl.from_epoch(pl.col(column), time_unit="s").dt.strftime(_TIME).alias(column)


def _write(frame: pl.DataFrame, path: Path, files: ImportFiles, group: list) -> None:
    """Write `frame` to `path`, rows with line breaks to a sibling the tool reads slowly."""
    text = [c for c, t in frame.schema.items() if t == pl.String]
    breaks = (
        pl.any_horizontal(pl.col(c).str.contains(r"[\r\n]").fill_null(False) for c in text)
        if text
        else pl.lit(False)
    )
    marked = frame.with_columns(breaks.alias("__breaks"))
    plain = marked.filter(~pl.col("__breaks")).drop("__breaks")
    multi = marked.filter(pl.col("__breaks")).drop("__breaks")
    plain.write_csv(path)
    group.append(path)
    if multi.height:
        extra = path.with_name(path.stem + "_multiline.csv")
        multi.write_csv(extra)
        group.append(extra)
        files.multiline.append(extra)


def write_import_files(tables: Tables, folder: Path) -> ImportFiles:
    """Node and relationship files in `folder` (made if missing) for one full import."""
    folder.mkdir(parents=True, exist_ok=True)
    files = ImportFiles()

    def nodes(label: str, name: str, frame: pl.DataFrame) -> None:
        if frame.height == 0:
            return
        paths: list[Path] = []
        _write(frame, folder / f"{name}.csv", files, paths)
        files.nodes += [(label, p) for p in paths]

    def rels(kind: str, name: str, frame: pl.DataFrame) -> None:
        if frame.height == 0:
            return
        paths: list[Path] = []
        _write(frame, folder / f"{name}.csv", files, paths)
        files.relationships += [(kind, p) for p in paths]

    accounts = tables.accounts.select(
        pl.col("id").alias("id:ID(Account)"),
        _time("created_at").alias("created_at:datetime"),
        *(pl.col(c).alias(f"{c}:long" if c in _INT_PROPS else c) for c in ACCOUNT_PROPS),
    )
    nodes("Account", "accounts", accounts)
    posts = tables.posts.select(
        pl.col("id").alias("id:ID(Post)"),
        _time("created_at").alias("created_at:datetime"),
        *POST_PROPS,
    )
    nodes("Post", "posts", posts)
    nodes(
        "Hashtag",
        "hashtags",
        tables.hashtags.select(pl.col("tag").unique().alias("tag:ID(Hashtag)")),
    )
    nodes("Url", "urls", tables.urls.select(pl.col("url").unique().alias("url:ID(Url)")))

    start_post = pl.col("post").alias(":START_ID(Post)")
    rels(
        "POSTED",
        "posted",
        tables.posted.select(
            pl.col("account").alias(":START_ID(Account)"), pl.col("post").alias(":END_ID(Post)")
        ),
    )
    for _, kind in LINK_TYPES:
        links = tables.links.filter(pl.col("type") == kind)
        rels(kind, kind.lower(), links.select(start_post, pl.col("target").alias(":END_ID(Post)")))
    rels(
        "TAGS", "tags", tables.hashtags.select(start_post, pl.col("tag").alias(":END_ID(Hashtag)"))
    )
    rels("LINKS", "links", tables.urls.select(start_post, pl.col("url").alias(":END_ID(Url)")))
    rels(
        "MENTIONS",
        "mentions",
        tables.mentions.select(start_post, pl.col("account").alias(":END_ID(Account)")),
    )
    return files
