"""The loader's batch building: what each record turns into, before any database."""

import dataclasses

from tierscope.graphdb.load import _ACCOUNT_PROPS, _POST_PROPS, Batch
from tierscope.graphdb.records import AccountRecord, PostRecord, Row

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
