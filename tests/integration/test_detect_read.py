"""The columnar read of detect's inputs (graphdb/detect/read.py) against the real server.

Each test seeds its own graph, odd cases included, and compares the read with the per-post
query it replaced (kept here, verbatim, as the reference): same rows, same values, same order.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from tierscope.graphdb import cypherlib
from tierscope.graphdb.detect import read
from tierscope.graphdb.detect.inputs import ACCOUNT_SCHEMA, OBJECT_SCHEMA, POST_SCHEMA
from tierscope.graphdb.store import Store

# The read before columnar slices: one row of lists over every post, following each post's
# relationships on the server.
REFERENCE_POSTS = """
MATCH (p:Post)
WHERE p.created_at IS NOT NULL
MATCH (a:Account)-[:POSTED]->(p)
OPTIONAL MATCH (p)-[:RETWEET_OF]->(o:Post)
OPTIONAL MATCH (oa:Account)-[:POSTED]->(o)
RETURN collect(a.id) AS account,
       collect(p.id) AS post,
       collect(p.created_at.epochSeconds) AS time,
       collect(coalesce(p.lang, '')) AS lang,
       collect(coalesce(o.id, '')) AS original,
       collect(coalesce(oa.id, '')) AS original_account,
       collect(coalesce(o.created_at.epochSeconds, -1)) AS original_time,
       collect(CASE WHEN o IS NULL THEN coalesce(p.text, '') ELSE '' END) AS text
"""
REFERENCE_ACCOUNTS = """
MATCH (a:Account)
RETURN collect(a.id) AS account,
       collect(coalesce(a.created_at.epochSeconds, -1)) AS created_at,
       collect(coalesce(a.lang, '')) AS lang,
       collect(coalesce(a.followers, -1)) AS followers,
       collect(coalesce(a.screen_name, '')) AS screen_name
"""
REFERENCE_USES = """
MATCH (a:Account)-[:POSTED]->(p:Post)-[:{rel}]->(x:{label})
WHERE p.created_at IS NOT NULL
RETURN collect(a.id) AS account, collect(x.{key}) AS object, collect(p.id) AS post,
       collect(p.created_at.epochSeconds) AS time
"""

T0 = 1_600_000_000

# Accounts (one with no property but its id), posts over a few hours with a burst in one
# second, and the odd cases: unicode ids and text, a post without time, a post without
# author, retweets of stubs with and without a named author, of an undated post, of an
# authorless dated post, a post with two authors, empty language and text.
SEED = """
CREATE (a1:Account {id: 'a1', lang: 'en', followers: 10, screen_name: 'one',
                    created_at: datetime({epochSeconds: $t0 - 86400})})
CREATE (a2:Account {id: 'ütf-账号-🙂', followers: 0, screen_name: ''})
CREATE (a3:Account {id: 'a3'})
CREATE (a4:Account {id: 'a4', lang: 'ru', created_at: datetime({epochSeconds: -86400})})
CREATE (p1:Post {id: 'p1', created_at: datetime({epochSeconds: $t0}), lang: 'en',
                 text: 'hello #Tag https://x.example'})
CREATE (p2:Post {id: 'пост-2', created_at: datetime({epochSeconds: $t0 + 5}), lang: '',
                 text: ''})
CREATE (p3:Post {id: 'p3', created_at: datetime({epochSeconds: $t0 + 5}), text: 'RT hello'})
CREATE (undated:Post {id: 'undated', lang: 'en', text: 'no time'})
CREATE (orphan:Post {id: 'orphan', created_at: datetime({epochSeconds: $t0 + 7200}),
                     text: 'no author'})
CREATE (stub:Post {id: 'stub-named'})
CREATE (bare:Post {id: 'stub-bare'})
CREATE (twice:Post {id: 'twice', created_at: datetime({epochSeconds: $t0 + 3600}),
                    text: 'two authors'})
CREATE (old:Post {id: 'old', created_at: datetime({epochSeconds: -30}), text: 'before 1970'})
CREATE (a1)-[:POSTED]->(p1), (a2)-[:POSTED]->(p2), (a3)-[:POSTED]->(p3),
       (a1)-[:POSTED]->(undated), (a4)-[:POSTED]->(stub), (a1)-[:POSTED]->(twice),
       (a2)-[:POSTED]->(twice), (a4)-[:POSTED]->(old)
CREATE (p3)-[:RETWEET_OF]->(p1)
CREATE (h:Hashtag {tag: 'tag'}), (u:Url {url: 'https://x.example'})
CREATE (p1)-[:TAGS]->(h), (p1)-[:LINKS]->(u), (p3)-[:TAGS]->(h)
WITH a1, a2, a3, a4, p1, p2, undated, orphan, stub, bare, twice
UNWIND range(0, 11) AS i
CREATE (r:Post {id: 'r' + i, created_at: datetime({epochSeconds: $t0 + 60 + i % 3}),
                lang: 'en', text: 'RT copy ' + i})
WITH r, i, [a1, a2, a3, a4][i % 4] AS author,
     [p1, p2, undated, orphan, stub, bare, twice][i % 7] AS original
CREATE (author)-[:POSTED]->(r), (r)-[:RETWEET_OF]->(original)
"""


def seed(store: Store) -> None:
    store.run(cypherlib.parse(SEED), {"t0": T0}, mode="write")


def reference(store: Store, text: str, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    (row,) = store.run(cypherlib.parse(text))
    return read.frame(row, schema)


def by_rows(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(pl.all(), nulls_last=True)


@pytest.mark.parametrize("slice_posts", [read.SLICE_POSTS, 1, 3])
def test_columnar_read_gives_the_per_post_inputs(
    store: Store, slice_posts: int, tmp_path: Path
) -> None:
    seed(store)
    inputs = read.read_inputs(
        store, ("co-retweet", "co-hashtag", "co-url"), slice_posts=slice_posts
    )
    before = reference(store, REFERENCE_POSTS, POST_SCHEMA)
    # Same rows and values; order: by time, as before (ties may differ between plans).
    assert by_rows(inputs.posts).equals(by_rows(before))
    assert inputs.posts["time"].is_sorted()
    assert inputs.posts.schema == pl.Schema(POST_SCHEMA)
    accounts = reference(store, REFERENCE_ACCOUNTS, ACCOUNT_SCHEMA)
    assert by_rows(inputs.accounts).equals(by_rows(accounts))
    # Kept on disk, the posts scan as the same frame, row for row.
    kept = read.read_inputs(store, ("co-retweet",), slice_posts, posts_file=tmp_path / "p.pq")
    assert isinstance(kept.posts, pl.LazyFrame)
    assert by_rows(kept.posts.collect()).equals(by_rows(inputs.posts))
    for got, rel, label, key in (
        (inputs.hashtags, "TAGS", "Hashtag", "tag"),
        (inputs.urls, "LINKS", "Url", "url"),
    ):
        query = REFERENCE_USES.format(rel=rel, label=label, key=key)
        assert by_rows(got).equals(by_rows(reference(store, query, OBJECT_SCHEMA)))


def test_the_odd_cases_read_as_documented(store: Store) -> None:
    seed(store)
    posts = read.read_inputs(store, ("co-retweet",), slice_posts=2).posts
    rows = {(r["post"], r["account"]): r for r in posts.iter_rows(named=True)}
    # Undated and authorless posts are not rows; the post with two authors is one row each.
    assert {"undated", "orphan", "stub-named", "stub-bare"}.isdisjoint(p for p, _ in rows)
    assert {a for p, a in rows if p == "twice"} == {"a1", "ütf-账号-🙂"}
    assert rows[("old", "a4")]["time"] == -30
    # Unicode ids, '' language and text read as missing, a retweet's text is not its own.
    p2 = rows[("пост-2", "ütf-账号-🙂")]
    assert (p2["lang"], p2["text"]) == (None, None)
    assert rows[("p3", "a3")]["text"] is None
    assert rows[("p1", "a1")]["text"] == "hello #Tag https://x.example"

    def original(i: int) -> tuple[str | None, str | None, int | None]:
        r = rows[(f"r{i}", ("a1", "ütf-账号-🙂", "a3", "a4")[i % 4])]
        return r["original"], r["original_account"], r["original_time"]

    assert original(0) == ("p1", "a1", T0)
    assert original(1) == ("пост-2", "ütf-账号-🙂", T0 + 5)
    assert original(2) == ("undated", "a1", None)  # a dated author, no time
    assert original(3) == ("orphan", None, T0 + 7200)  # a time, no author
    assert original(4) == ("stub-named", "a4", None)
    assert original(5) == ("stub-bare", None, None)
    # The original with two authors gives the retweet one row per author, as before.
    assert {r["original_account"] for r in posts.filter(pl.col("post") == "r6").to_dicts()} == {
        "a1",
        "ütf-账号-🙂",
    }


def test_an_empty_store_reads_empty_frames(store: Store) -> None:
    inputs = read.read_inputs(store, ("co-retweet", "co-hashtag", "co-url"))
    for got, schema in (
        (inputs.posts, POST_SCHEMA),
        (inputs.accounts, ACCOUNT_SCHEMA),
        (inputs.hashtags, OBJECT_SCHEMA),
        (inputs.urls, OBJECT_SCHEMA),
    ):
        assert got.is_empty()
        assert got.schema == pl.Schema(schema)


def test_slices_cover_every_second_and_cut_busy_hours() -> None:
    hours = [10, 11, 12, 15]
    counts = [3, 9, 1, 2]
    bounds = read.slice_bounds(hours, counts, first=10 * 3600 + 5, last=15 * 3600 + 9, size=4)
    assert bounds[0][0] == 10 * 3600 + 5 and bounds[-1][1] == 15 * 3600 + 10
    assert all(lo < hi for lo, hi in bounds)
    assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:], strict=False))
    # The hour of 9 posts is cut in three stretches of 20 minutes.
    assert {11 * 3600 + 1200, 11 * 3600 + 2400, 12 * 3600} <= {lo for lo, _ in bounds}
    assert read.slice_bounds([0], [1], first=7, last=7) == [(7, 8)]
