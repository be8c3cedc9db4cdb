"""The loader's batch building: what each record turns into, before any database."""

import dataclasses

import polars as pl

from tierscope.graphdb.load import _ACCOUNT_PROPS, _POST_PROPS, Batch, create_steps, steps
from tierscope.graphdb.records import AccountRecord, PostRecord, Row
from tierscope.graphdb.sources.frames import rows_to_frame
from tierscope.graphdb.tables import dedupe, extract

LINK_FIELDS = {"id", "created_at", "account_id", "retweet_of", "retweet_of_account", "reply_to"}
LINK_FIELDS |= {"reply_to_account", "quotes", "hashtags", "urls", "mentions"}


def test_every_record_field_is_stored_somewhere():
    account_fields = {f.name for f in dataclasses.fields(AccountRecord)}
    assert account_fields == set(_ACCOUNT_PROPS) | {"id", "created_at"}
    post_fields = {f.name for f in dataclasses.fields(PostRecord)}
    assert post_fields == set(_POST_PROPS) | LINK_FIELDS


def steps_by_name(batch: Batch) -> dict[str, list]:
    return {q.name.removeprefix("load/"): p["rows"] for q, p in batch.steps()}


def test_retweet_makes_stub_original_with_known_author():
    batch = Batch()
    post = PostRecord(
        id="rt1",
        account_id="a1",
        created_at=100,
        retweet_of="o1",
        retweet_of_account="p1",
        hashtags=["Tag", "tag"],
        mentions=["p1"],
        lang="en",
    )
    batch.add(Row(line=2, account=AccountRecord(id="a1", screen_name="alice"), post=post))
    steps = steps_by_name(batch)
    accounts = {a["id"]: a for a in steps["accounts"]}
    assert accounts["a1"]["props"] == {"screen_name": "alice"}
    assert accounts["p1"]["props"] == {}  # a stub: only the id is known
    posts = {p["id"]: p for p in steps["posts"]}
    assert posts["rt1"] == {"id": "rt1", "props": {"lang": "en"}, "created_at": 100}
    assert posts["o1"] == {"id": "o1", "props": {}}
    assert sorted(steps["posted"], key=str) == [
        {"account": "a1", "post": "rt1"},
        {"account": "p1", "post": "o1"},
    ]
    assert steps["post_links"] == [{"post": "rt1", "target": "o1", "type": "RETWEET_OF"}]
    assert steps["hashtags"] == [{"post": "rt1", "tag": "tag"}]
    assert steps["mentions"] == [{"post": "rt1", "account": "p1"}]


def test_unknown_values_are_left_out_and_repeats_merge():
    batch = Batch()
    batch.add(Row(line=2, account=AccountRecord(id="a1", followers=5)))
    batch.add(Row(line=3, account=AccountRecord(id="a1", lang="en")))
    (account,) = steps_by_name(batch)["accounts"]
    assert account["props"] == {"followers": 5, "lang": "en"}
    assert batch.rows == 2


def _tables(*rows: Row):
    return dedupe(extract(rows_to_frame(rows)))


def test_new_posts_are_created_with_their_relationships_and_existing_ones_merged():
    tables = _tables(
        Row(line=2, post=PostRecord(id="rt1", account_id="a1", retweet_of="o1",
                                    retweet_of_account="p1", hashtags=["Tag"], mentions=["p1"],
                                    urls=["http://x"])),
        Row(line=3, post=PostRecord(id="r2", account_id="a1", reply_to="o1", quotes="rt1")),
    )  # fmt: skip
    plan = {
        q.name.removeprefix("load/"): p["rows"] for q, p in create_steps(tables, pl.Series(["o1"]))
    }
    # o1 exists (a stub from an earlier batch): merged, with its POSTED from p1
    assert [p["id"] for p in plan["posts"]] == ["o1"]
    assert plan["posted"] == [{"account": "p1", "post": "o1"}]
    assert "post_links" not in plan and "mentions" not in plan
    created = {r["id"]: r for r in plan["new_posts"]}
    assert sorted(created) == ["r2", "rt1"]
    assert created["rt1"] == {
        "id": "rt1", "props": {}, "authors": ["a1"], "retweet_of": ["o1"], "reply_to": [],
        "quotes": [], "tags": ["tag"], "urls": ["http://x"], "mentions": ["p1"],
    }  # fmt: skip
    assert created["r2"]["reply_to"] == ["o1"] and created["r2"]["quotes"] == ["rt1"]
    # the accounts are always merged: they are shared by many posts
    assert {a["id"] for a in plan["accounts"]} == {"a1", "p1"}
    # new posts after the nodes they point at, before the merged relationships
    names = [q.name for q, _ in create_steps(tables, pl.Series(["o1"]))]
    assert names == ["load/accounts", "load/posts", "load/new_posts", "load/posted"]


def test_a_batch_whose_posts_all_exist_is_merged_as_before():
    tables = _tables(Row(line=2, post=PostRecord(id="rt1", account_id="a1", retweet_of="o1")))
    merged = [(q.name, p) for q, p in steps(tables)]
    assert [(q.name, p) for q, p in create_steps(tables, pl.Series(["rt1", "o1"]))] == merged
