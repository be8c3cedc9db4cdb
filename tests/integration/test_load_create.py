"""The Bolt loader's CREATE path ends in the graph that MERGE alone makes.

New posts and their relationships are CREATEd, existing ones MERGEd; each test compares
the end state with batches written by `steps` (MERGE only) on the same server.
"""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pytest
from neo4j.exceptions import ConstraintError

from tierscope.graphdb import admin, cypherlib
from tierscope.graphdb.errors import DatabaseError
from tierscope.graphdb.load import _existing_posts, _write, create_steps, load, steps
from tierscope.graphdb.sources import open_source
from tierscope.graphdb.sources.archive import TWEET_COLUMNS
from tierscope.graphdb.store import Store
from tierscope.graphdb.tables import Tables, dedupe, extract

GRAPH = cypherlib.parse(
    "MATCH (n) OPTIONAL MATCH (n)-[r]->(m) "
    "RETURN labels(n)[0] AS label, properties(n) AS props, "
    "collect([type(r), coalesce(m.id, m.tag, m.url)]) AS out"
)


def graph(store: Store) -> list[tuple]:
    """Every node with its properties and its outgoing relationships, repeats counted."""
    return sorted(
        (r["label"], sorted(r["props"].items()), sorted(map(tuple, r["out"])))
        for r in store.run(GRAPH)
    )


def _write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="") as f:
        writer = csv.writer(f, quoting=csv.QUOTE_ALL)
        writer.writerow(TWEET_COLUMNS)
        writer.writerows([[row.get(c, "") for c in TWEET_COLUMNS] for row in rows])
    return path


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    """A first file with a retweet of a post outside it (a stub), and a second whose one
    batch holds new posts, that original arriving whole and an existing post changed."""
    u1 = {"userid": "u1", "user_screen_name": "one"}
    first = [
        {"tweetid": "t1", "tweet_time": "2020-01-01 10:00", "tweet_text": "first", **u1},
        {"tweetid": "t3", "userid": "u2", "tweet_time": "2020-01-01 10:01", "is_retweet": "true",
         "retweet_tweetid": "t9", "retweet_userid": "u9", "hashtags": "['Tag']"},
    ]  # fmt: skip
    second = [
        {"tweetid": "t9", "userid": "u9", "tweet_time": "2020-01-01 09:00",
         "tweet_text": "the original", "user_mentions": "[u1]"},
        {"tweetid": "t1", "tweet_time": "2020-01-01 10:00", "tweet_text": "edited", **u1},
        {"tweetid": "t4", "userid": "u3", "tweet_time": "2020-01-01 10:02", "is_retweet": "true",
         "retweet_tweetid": "t1", "retweet_userid": "u1", "user_mentions": "[u1, u7]",
         "hashtags": "['tag', 'new']"},
        {"tweetid": "t5", "userid": "u3", "tweet_time": "2020-01-01 10:03",
         "in_reply_to_tweetid": "t9", "in_reply_to_userid": "u9", "quoted_tweet_tweetid": "t3",
         "urls": "['http://x.example/a']"},
    ]  # fmt: skip
    return [_write_csv(tmp_path / "a.csv", first), _write_csv(tmp_path / "b.csv", second)]


def _tables(path: Path) -> Tables:
    with open_source(path, None, None) as source:
        (chunk,) = list(source.chunks())
    return dedupe(extract(chunk.frame))


def merged_only(store: Store, paths: list[Path]) -> list[tuple]:
    """The graph the same files make through MERGE alone, on an emptied database."""
    admin.wipe(store)
    for path in paths:
        store.write_batch(steps(_tables(path)))
    return graph(store)


def test_new_and_existing_posts_in_one_batch_and_a_stub_completed(store: Store, files: list[Path]):
    load(store, files[:1])
    second = _tables(files[1])
    held = _existing_posts(store, second, pl.Series("id", [], pl.String))
    assert sorted(held.to_list()) == ["t1", "t3", "t9"]  # the rest of the batch is new
    load(store, files[1:])
    created = graph(store)
    t9 = store.run(
        cypherlib.parse(
            "MATCH (p:Post {id: 't9'}) RETURN p.text AS text, "
            "COUNT { (:Account)-[:POSTED]->(p) } AS authors, COUNT { ()-[:RETWEET_OF]->(p) } AS rt"
        )
    )
    assert t9 == [{"text": "the original", "authors": 1, "rt": 1}]
    assert created == merged_only(store, files)


def test_loading_the_same_files_again_changes_nothing(store: Store, files: list[Path]):
    load(store, files)
    before = graph(store)
    load(store, files)
    assert graph(store) == before


def test_a_post_created_by_another_writer_meanwhile_falls_back_to_merge(
    store: Store, files: list[Path]
):
    load(store, files[:1])
    second = _tables(files[1])
    plan = create_steps(second, _existing_posts(store, second, pl.Series("id", [], pl.String)))
    # another writer creates t4, planned as new, between the read and the write
    store.run(cypherlib.parse("CREATE (:Post {id: 't4'})"), mode="write")
    with pytest.raises(DatabaseError) as refused:
        store.write_batch(plan)
    assert isinstance(refused.value.__cause__, ConstraintError)
    _write(store, second, plan)
    assert graph(store) == merged_only(store, files)


def test_a_new_post_may_retweet_one_created_further_down_the_batch(store: Store, files: list[Path]):
    tables = _tables(files[0])
    plan = create_steps(tables, pl.Series("id", [], pl.String))
    (created,) = [params["rows"] for q, params in plan if q.name == "load/new_posts"]
    created.sort(key=lambda row: row["id"] != "t3")  # the retweet first, its original after
    store.write_batch(plan)
    assert graph(store) == merged_only(store, files[:1])
