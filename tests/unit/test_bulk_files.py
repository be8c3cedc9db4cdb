"""The bulk import's CSV files, before any server."""

from pathlib import Path

import polars as pl

from tierscope.graphdb.bulk import write_import_files
from tierscope.graphdb.records import AccountRecord, PostRecord, Row
from tierscope.graphdb.sources.frames import rows_to_frame
from tierscope.graphdb.tables import dedupe, extract


def test_import_files_split_rows_with_line_breaks(tmp_path: Path):
    rows = [
        Row(2, None, PostRecord("p1", "a", 0, text="one\ntwo")),
        Row(3, None, PostRecord("p2", "a", 60, text="plain")),
    ]
    files = write_import_files(dedupe(extract(rows_to_frame(rows))), tmp_path)
    posts = [p for label, p in files.nodes if label == "Post"]
    assert [p.name for p in posts] == ["posts.csv", "posts_multiline.csv"]
    assert files.multiline == [tmp_path / "posts_multiline.csv"]
    assert pl.read_csv(posts[0])["created_at:datetime"].to_list() == ["1970-01-01T00:01:00Z"]


def test_dedupe_keeps_the_last_known_value_of_each_property():
    rows = [
        Row(2, AccountRecord("a", screen_name="x", followers=1), PostRecord("p", "a", 5)),
        Row(3, AccountRecord("a", screen_name=None, followers=2, location="L")),
        Row(4, AccountRecord("a", screen_name="y"), PostRecord("q", "a", 6, retweet_of="p")),
    ]
    tables = dedupe(extract(rows_to_frame(rows)))
    accounts = tables.accounts.to_dicts()
    assert len(accounts) == 1
    assert accounts[0] | {} == {
        "id": "a",
        "created_at": None,
        "screen_name": "y",
        "display_name": None,
        "lang": None,
        "location": "L",
        "followers": 2,
        "following": None,
    }
    assert sorted(tables.posts["id"].to_list()) == ["p", "q"]
    assert tables.posted.sort("post").rows() == [("a", "p"), ("a", "q")]
    assert tables.links.rows() == [("q", "p", "RETWEET_OF")]


def test_relationships_name_their_ends_by_store_id(tmp_path: Path):
    rows = [
        Row(2, None, PostRecord("p1", "a", 0, text="first")),
        Row(3, None, PostRecord("p2", "b", 60, retweet_of="p1", hashtags=["x"])),
    ]
    files = write_import_files(dedupe(extract(rows_to_frame(rows))), tmp_path)
    nodes = pl.concat(
        [pl.read_csv(p, infer_schema=False).select(":ID", key=pl.nth(1)) for _, p in files.nodes]
    )
    assert nodes[":ID"].sort().to_list() == [str(i) for i in range(nodes.height)]
    name = dict(nodes.iter_rows())
    ends = {
        kind: [(name[s], name[e]) for s, e in pl.read_csv(p, infer_schema=False).iter_rows()]
        for kind, p in files.relationships
    }
    assert ends["RETWEET_OF"] == [("p2", "p1")]
    assert sorted(ends["POSTED"]) == [("a", "p1"), ("b", "p2")]
    assert ends["TAGS"] == [("p2", "x")]
