"""Reading detection's inputs from Neo4j, a time slice at a time, as columns.

Each read query returns one record of parallel lists (``collect()`` per column): the driver's
cost is per record, so a slice of 200,000 posts costs what one small row used to, and the
lists go straight into polars columns. Posts are cut into slices of at most ``SLICE_POSTS``
(an hour busier than that is cut into equal stretches of it), so that the Python lists of one
or two slices are all that is ever held beside the frames; two slices are read at once, the
server computing one while this process converts the other.

A retweet's original is read as its id alone. Its author and time are then the original's own
row when the original is a post of the same read (nearly always), and otherwise are asked for
by id (``detect/originals``: stubs of originals outside the archive, originals without a time
or an author). The result is the frame the per-post read gave: ``DetectInputs``' columns, in
time order, with nulls where the database holds no value.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

import polars as pl

from tierscope.graphdb import cypherlib
from tierscope.graphdb.detect.inputs import ACCOUNT_SCHEMA, OBJECT_SCHEMA, POST_SCHEMA, DetectInputs
from tierscope.graphdb.store import Store

SLICE_POSTS = 200_000
# Originals asked for by internal id in one query.
STUB_BATCH = 50_000
# Slice queries in flight at once: the server computes one while this process converts another.
READERS = 2
HOUR = 3600

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
STUB_SCHEMA = {"node": pl.Int64, "original": pl.String}

T = TypeVar("T")
U = TypeVar("U")


def columns(store: Store, name: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    """The one record of parallel lists that a columnar read query returns, as raw values
    (no per-value copy, unlike ``Record.data()``)."""
    names, rows, _ = store.read_values(cypherlib.load(name), params, limit=1)
    return dict(zip(names, rows[0], strict=True))


def frame(values: dict[str, Any], schema: dict[str, Any]) -> pl.DataFrame:
    """A frame of ``schema``'s columns from parallel lists; '' and -1 mean missing."""
    built = pl.DataFrame({col: values[col] for col in schema}, schema=schema)
    return built.with_columns(
        pl.when(pl.col(col) != ("" if dtype == pl.String else -1)).then(pl.col(col)).alias(col)
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


def post_slices(store: Store, size: int = SLICE_POSTS) -> list[tuple[int, int]]:
    """The time slices the dated posts are read in; none when there are no dated posts."""
    hours = columns(store, "detect/post_hours")
    if not hours["hour"]:
        return []
    return slice_bounds(hours["hour"], hours["posts"], hours["first"], hours["last"], size)


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


def read_sliced(
    store: Store, name: str, schema: dict[str, Any], slices: list[tuple[int, int]]
) -> pl.DataFrame:
    """A sliced columnar query over every slice, as one frame in slice order."""

    def fetch(bounds: tuple[int, int]) -> pl.DataFrame:
        return frame(columns(store, name, {"from": bounds[0], "to": bounds[1]}), schema)

    frames = list(in_order(fetch, slices))
    return pl.concat(frames) if frames else pl.DataFrame(schema=schema)


def pairs(store: Store, name: str, schema: dict[str, Any]) -> pl.DataFrame:
    """A relationship scan's two columns of internal ids (never missing)."""
    return pl.DataFrame(columns(store, name), schema=schema)


def read_posts(store: Store, slices: list[tuple[int, int]], accounts: pl.DataFrame) -> pl.DataFrame:
    """POST_SCHEMA: every dated post with an author, in time order (``accounts`` carries
    ``node``, the internal id ``detect/posted`` names authors by)."""
    dated = read_sliced(store, "detect/posts", NODE_POST_SCHEMA, slices)
    authors = (
        pairs(store, "detect/posted", POSTED_SCHEMA)
        .join(accounts.select(account_node="node", account="account"), on="account_node")
        .select("post_node", "account")
    )
    retweets = pairs(store, "detect/retweets", RETWEET_SCHEMA)
    # Originals that no slice holds: stubs of posts outside the archive, posts without a time.
    unsliced = (
        retweets.select(node=pl.col("original_node").unique())
        .join(dated.select("node"), on="node", how="anti")["node"]
        .to_list()
    )
    stubs = [
        frame(
            columns(store, "detect/originals", {"nodes": unsliced[i : i + STUB_BATCH]}), STUB_SCHEMA
        )
        for i in range(0, len(unsliced), STUB_BATCH)
    ]
    known = (
        pl.concat(
            [
                dated.select("node", original="post", original_time="time"),
                *(s.with_columns(original_time=pl.lit(None, pl.Int64)) for s in stubs),
            ]
        )
        .join(
            authors.select(node="post_node", original_account="account"),
            on="node",
            how="left",
            maintain_order="left",
        )
        .rename({"node": "original_node"})
    )
    originals = retweets.join(known, on="original_node").drop("original_node")
    del retweets, known, stubs
    posts = (
        dated.join(authors, left_on="node", right_on="post_node", maintain_order="left")
        .join(originals, on="node", how="left", maintain_order="left")
        # A retweet's text is the original's with a prefix: only a post's own text is read.
        .with_columns(text=pl.when(pl.col("original").is_null()).then(pl.col("text")))
    )
    del dated, authors, originals
    return posts.select(list(POST_SCHEMA))


def read_inputs(
    store: Store, kinds: tuple[str, ...], slice_posts: int = SLICE_POSTS
) -> DetectInputs:
    """Only what the chosen kinds need: hashtags and URLs are read for their kinds alone."""
    slices = post_slices(store, slice_posts)
    accounts = frame(columns(store, "detect/accounts"), NODE_ACCOUNT_SCHEMA)
    empty = pl.DataFrame(schema=OBJECT_SCHEMA)
    return DetectInputs(
        posts=read_posts(store, slices, accounts),
        accounts=accounts.drop("node"),
        hashtags=read_sliced(store, "detect/hashtags", OBJECT_SCHEMA, slices)
        if "co-hashtag" in kinds
        else empty,
        urls=read_sliced(store, "detect/urls", OBJECT_SCHEMA, slices)
        if "co-url" in kinds
        else empty,
    )
