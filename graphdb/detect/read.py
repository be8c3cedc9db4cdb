"""Reading detection's inputs from Neo4j in slices, as columns.

Each read query returns one record of parallel lists (``collect()`` per column): the driver's
cost is per record, so a slice of 100,000 posts costs what one small row used to, and the
lists go straight into polars columns. Two slices are read at once, the server computing one
while this process converts the other, and the Python lists of one or two slices are all that
is ever held beside the frames.

Authors and originals come first, from whole scans of the ``POSTED`` and ``RETWEET_OF``
relationships as internal ids (``detect/posted``, ``detect/retweets``): they name every post
the read needs. Those posts are then read by id in node order, slices of at most
``SLICE_POSTS`` (``detect/posts``): the posts that are not retweets with their text, the
retweets and the originals no author posted (stubs of posts outside the archive) without it.
The result is the frame the per-post read gave: ``DetectInputs``' columns, in time order (ties
in node order, as the time index gives them), with nulls where the database holds no value.
Hashtag and URL uses are read in time slices cut by the posts' hourly counts.
"""

from __future__ import annotations

import ctypes
import platform
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar, cast

import polars as pl

from tierscope.graphdb import cypherlib
from tierscope.graphdb.detect.inputs import (
    ACCOUNT_SCHEMA,
    OBJECT_SCHEMA,
    POST_SCHEMA,
    DetectInputs,
    Posts,
)
from tierscope.graphdb.store import Store

SLICE_POSTS = 100_000
# Slice queries in flight at once: the server computes one while this process converts another.
READERS = 2
HOUR = 3600
# detect/posts' time of an undated post: no datetime is that far from 1970.
UNDATED = -9_223_372_036_854_775_807

NODE_POST_SCHEMA = {
    "node": pl.Int64,
    "post": pl.String,
    "time": pl.Int64,
    "lang": pl.String,
    "text": pl.String,
}
NODE_ACCOUNT_SCHEMA = {"node": pl.Int64, **ACCOUNT_SCHEMA}
POSTED_SCHEMA = {"account_node": pl.Int64, "post_node": pl.Int64}
RETWEET_SCHEMA = {"node": pl.Int64, "original_node": pl.Int64}

T = TypeVar("T")
U = TypeVar("U")


def columns(store: Store, name: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    """The one record of parallel lists that a columnar read query returns, as raw values
    (no per-value copy, unlike ``Record.data()``)."""
    names, rows, _ = store.read_values(cypherlib.load(name), params, limit=1)
    return dict(zip(names, rows[0], strict=True))


def frame(values: dict[str, Any], schema: dict[str, Any], missing: int = -1) -> pl.DataFrame:
    """A frame of ``schema``'s columns from parallel lists; '' and ``missing`` mean missing."""
    built = pl.DataFrame({col: values[col] for col in schema}, schema=schema)
    return built.with_columns(
        pl.when(pl.col(col) != ("" if dtype == pl.String else missing)).then(pl.col(col)).alias(col)
        for col, dtype in schema.items()
    )


def slice_bounds(
    hours: list[int], counts: list[int], first: int, last: int, size: int = SLICE_POSTS
) -> list[tuple[int, int]]:
    """Contiguous [from, to) second ranges from ``first`` to ``last`` inclusive, each holding
    about ``size`` posts at most by the hourly counts; an hour with more is cut into equal
    stretches. The ranges cover every second whatever the counts say, so a miscount only
    moves a cut."""
    cuts = [first]
    filled = 0
    for hour, n in zip(hours, counts, strict=True):
        start = hour * HOUR
        if filled and filled + n > size:
            cuts.append(start)
            filled = 0
        if n > size:
            pieces = -(-n // size)
            cuts.extend(start + HOUR * k // pieces for k in range(1, pieces + 1))
        else:
            filled += n
    inner = sorted({c for c in cuts if first < c <= last})
    edges = [first, *inner, last + 1]
    return list(zip(edges[:-1], edges[1:], strict=True))


def time_slices(times: pl.Series, size: int = SLICE_POSTS) -> list[tuple[int, int]]:
    """The time slices that hold the posts of ``times``; none when there are none."""
    if times.is_empty():
        return []
    hours = (times // HOUR).value_counts(sort=False, name="posts").sort("time")
    first, last = cast(int, times.min()), cast(int, times.max())
    return slice_bounds(hours["time"].to_list(), hours["posts"].to_list(), first, last, size)


def in_order(fetch: Callable[[T], U], items: Iterable[T], workers: int = READERS) -> Iterator[U]:
    """``fetch`` of each item, in order, with at most ``workers`` running and one waiting
    ahead: memory stays bounded by a few results however many items there are."""
    with ThreadPoolExecutor(workers) as pool:
        pending: deque[Future[U]] = deque()
        for item in items:
            pending.append(pool.submit(fetch, item))
            if len(pending) > workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def concat(frames: Iterable[pl.DataFrame], schema: dict[str, Any]) -> pl.DataFrame:
    """The frames one after another; an empty frame of ``schema`` when there are none."""
    return pl.concat(list(frames) or [pl.DataFrame(schema=schema)])


def read_sliced(
    store: Store, name: str, schema: dict[str, Any], slices: list[tuple[int, int]]
) -> pl.DataFrame:
    """A sliced columnar query over every slice, as one frame in slice order."""

    def fetch(bounds: tuple[int, int]) -> pl.DataFrame:
        return frame(columns(store, name, {"from": bounds[0], "to": bounds[1]}), schema)

    return concat(in_order(fetch, slices), schema)


def pairs(store: Store, name: str, schema: dict[str, Any]) -> pl.DataFrame:
    """A relationship scan's two columns of internal ids (never missing)."""
    return pl.DataFrame(columns(store, name), schema=schema)


def read_nodes(store: Store, groups: list[tuple[pl.Series, bool]], size: int) -> pl.DataFrame:
    """NODE_POST_SCHEMA of the posts of each (ids, with text) group, in slices of ``size``."""

    def fetch(job: tuple[list[int], bool]) -> pl.DataFrame:
        values = columns(store, "detect/posts", {"nodes": job[0], "text": job[1]})
        return frame(values, NODE_POST_SCHEMA, missing=UNDATED)

    jobs = [
        (nodes[i : i + size].to_list(), text)
        for nodes, text in groups
        for i in range(0, len(nodes), size)
    ]
    return concat(in_order(fetch, jobs), NODE_POST_SCHEMA)


def read_posts(
    store: Store,
    accounts: pl.DataFrame,
    posted: pl.DataFrame,
    retweets: pl.DataFrame,
    size: int = SLICE_POSTS,
) -> pl.DataFrame:
    """POST_SCHEMA: every dated post with an author, in time order (``accounts`` carries
    ``node``, the internal id ``detect/posted`` names authors by; ``posted`` and ``retweets``
    are the scans of the two relationships)."""
    # The joins run on row numbers alone; each column is gathered once, at the end.
    authors = posted.join(
        accounts.select(account_node="node", author=pl.int_range(pl.len())), on="account_node"
    ).select("post_node", "author")
    authored = authors["post_node"].unique()
    retweeted = authored.is_in(retweets["node"].implode())
    originals = retweets["original_node"].unique()
    # A retweet's text is the original's with a prefix: only a post's own text is read.
    nodes = read_nodes(
        store,
        [
            (authored.filter(~retweeted).sort(), True),
            (authored.filter(retweeted).sort(), False),
            (originals.filter(~originals.is_in(authored.implode())).sort(), False),
        ],
        size,
    )
    del authored, retweeted
    rows = nodes.select("node", "time", row=pl.int_range(pl.len()))
    # The few originals (a sixth of the retweets at scale 1) are joined first, then spread.
    sources = originals.implode()
    origin = retweets.join(
        rows.filter(pl.col("node").is_in(sources))
        .select(original_node="node", original_row="row")
        .join(
            authors.filter(pl.col("post_node").is_in(sources)).select(
                original_node="post_node", original_author="author"
            ),
            on="original_node",
            how="left",
            maintain_order="left",
        ),
        on="original_node",
    ).drop("original_node")
    del originals, sources
    order = (
        rows.drop_nulls("time")
        .sort("time", "node")
        .join(authors, left_on="node", right_on="post_node", maintain_order="left")
        .join(origin, on="node", how="left", maintain_order="left")
    )
    del rows, origin, authors
    # A retweet's text is not its own: its row gathers none.
    text_row = order.select(pl.when(pl.col("original_row").is_null()).then("row"))
    row, original = order["row"], order["original_row"]
    gathered = {
        "account": accounts["account"].gather(order["author"]),
        "original_account": accounts["account"].gather(order["original_author"]),
    }
    del order
    # Each column of the slices is let go after its last gather, so that the posts frame is
    # built in the memory they held.
    source = nodes.to_dict()
    del nodes
    for name, column, rows_of in (
        ("post", "post", row),
        ("original", "post", original),
        ("time", "time", row),
        ("original_time", "time", original),
        ("lang", "lang", row),
        ("text", "text", text_row.to_series()),
    ):
        gathered[name] = source[column].gather(rows_of)
        if name in ("original", "original_time", "lang", "text"):
            del source[column]
    return pl.DataFrame(gathered).select(list(POST_SCHEMA))


# glibc's mallopt parameter, and the threshold its dynamic rule rises to at most (64-bit).
_M_MMAP_THRESHOLD = -3
_HIGHEST_THRESHOLD = 32 << 20


@contextmanager
def _list_buffers_unmapped() -> Iterator[None]:
    """Once a block is freed, glibc serves later blocks under 32 MB from its heaps (its mmap
    threshold rises), and the driver's list buffers, freed there, stay resident: 90 MB of the
    run's floor at scale 4. During the read, blocks over 128 kB get their own mappings, which
    freeing returns; after it, the high threshold lets the analytics reuse heap memory as
    before (own mappings for every array over 128 kB made them 40 % slower)."""
    if platform.libc_ver()[0] != "glibc":
        yield
        return
    libc = ctypes.CDLL(None)
    libc.mallopt(_M_MMAP_THRESHOLD, 128 << 10)
    try:
        yield
    finally:
        libc.mallopt(_M_MMAP_THRESHOLD, _HIGHEST_THRESHOLD)


def read_inputs(
    store: Store,
    kinds: tuple[str, ...],
    slice_posts: int = SLICE_POSTS,
    posts_file: Path | None = None,
) -> DetectInputs:
    """Only what the chosen kinds need: hashtags and URLs are read for their kinds alone.

    With ``posts_file``, the posts are written there as Parquet and the inputs scan it: a run
    then holds only the columns each step selects, not the whole frame (0.4 GB at scale 4)
    while the pairs are tested."""
    with _list_buffers_unmapped():
        return _read_inputs(store, kinds, slice_posts, posts_file)


def _read_inputs(
    store: Store, kinds: tuple[str, ...], slice_posts: int, posts_file: Path | None
) -> DetectInputs:
    scans = (
        lambda: frame(columns(store, "detect/accounts"), NODE_ACCOUNT_SCHEMA),
        lambda: pairs(store, "detect/posted", POSTED_SCHEMA),
        lambda: pairs(store, "detect/retweets", RETWEET_SCHEMA),
    )
    accounts, posted, retweets = in_order(lambda scan: scan(), scans)
    posts = read_posts(store, accounts, posted, retweets, slice_posts)
    del posted, retweets
    empty = pl.DataFrame(schema=OBJECT_SCHEMA)
    slices = (
        time_slices(posts["time"], slice_posts) if {"co-hashtag", "co-url"} & set(kinds) else []
    )
    kept: Posts = posts
    if posts_file is not None:
        # Uncompressed: the file lives as long as the run, and writes in 0.8 s, not 1.1 (lz4).
        posts.write_parquet(posts_file, compression="uncompressed")
        kept = pl.scan_parquet(posts_file)
        del posts
    return DetectInputs(
        posts=kept,
        accounts=accounts.drop("node"),
        hashtags=read_sliced(store, "detect/hashtags", OBJECT_SCHEMA, slices)
        if "co-hashtag" in kinds
        else empty,
        urls=read_sliced(store, "detect/urls", OBJECT_SCHEMA, slices)
        if "co-url" in kinds
        else empty,
    )
