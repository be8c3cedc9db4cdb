"""The files `neo4j-admin database import full` reads, from the deduplicated tables of a load.

CSV: the tool's Parquet reader needs Hadoop jars Neo4j's pom leaves out, and with them it
imported slower (docs/benchmarks.md).
Every node gets its store id here (`--id-type=actual`): numbered 0, 1, ... across all
labels, and relationships name their ends by it. The tool then needs no id map of its own,
whose building and look-ups were half of its time. The node's own id (`id`, `tag`, `url`)
is an ordinary string property. A row whose text holds a line break goes to a
`*_multiline.csv` file that the tool reads with its slower multi-line parser; every other
row to the fast one. Times are written as UTC instants (`2017-08-06T08:15:00Z`), which the
tool stores as the same `DateTime` the Bolt loader's `datetime({epochSeconds: ...})` makes.
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
    store_ids: dict[str, pl.DataFrame] = {}  # label -> (key, :ID)

    def nodes(label: str, name: str, key: str, frame: pl.DataFrame) -> None:
        if frame.height == 0:
            return
        first = sum(ids.height for ids in store_ids.values())
        frame = frame.select(
            pl.int_range(first, first + frame.height, dtype=pl.Int64).alias(":ID"), pl.all()
        )
        store_ids[label] = frame.select(pl.col(key).alias("__key"), ":ID")
        paths: list[Path] = []
        _write(frame, folder / f"{name}.csv", files, paths)
        files.nodes += [(label, p) for p in paths]

    def end(frame: pl.DataFrame, column: str, label: str, name: str) -> pl.DataFrame:
        return frame.join(
            store_ids[label].rename({":ID": name}), left_on=column, right_on="__key"
        ).drop(column)

    def rels(kind: str, name: str, frame: pl.DataFrame, start: str, stop: str) -> None:
        if frame.height == 0:
            return
        start_column, end_column = frame.columns
        linked = end(end(frame, start_column, start, ":START_ID"), end_column, stop, ":END_ID")
        if linked.height != frame.height:  # every end is a node of the load: a bug otherwise
            raise RuntimeError(f"{kind}: {frame.height - linked.height} relationships lack a node")
        paths: list[Path] = []
        _write(linked.select(":START_ID", ":END_ID"), folder / f"{name}.csv", files, paths)
        files.relationships += [(kind, p) for p in paths]

    accounts = tables.accounts.select(
        "id",
        _time("created_at").alias("created_at:datetime"),
        *(pl.col(c).alias(f"{c}:long" if c in _INT_PROPS else c) for c in ACCOUNT_PROPS),
    )
    nodes("Account", "accounts", "id", accounts)
    posts = tables.posts.select("id", _time("created_at").alias("created_at:datetime"), *POST_PROPS)
    nodes("Post", "posts", "id", posts)
    nodes("Hashtag", "hashtags", "tag", tables.hashtags.select(pl.col("tag").unique()))
    nodes("Url", "urls", "url", tables.urls.select(pl.col("url").unique()))

    rels("POSTED", "posted", tables.posted.select("account", "post"), "Account", "Post")
    for _, kind in LINK_TYPES:
        links = tables.links.filter(pl.col("type") == kind).select("post", "target")
        rels(kind, kind.lower(), links, "Post", "Post")
    rels("TAGS", "tags", tables.hashtags.select("post", "tag"), "Post", "Hashtag")
    rels("LINKS", "links", tables.urls.select("post", "url"), "Post", "Url")
    rels("MENTIONS", "mentions", tables.mentions.select("post", "account"), "Post", "Account")
    return files
