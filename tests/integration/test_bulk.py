"""Bulk import (neo4j-admin) against Bolt: the same files end in the same graph.

The bulk path stops and starts its server, so these tests run it on a throwaway managed
server of their own; the Bolt side runs on the session's server.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tierscope.cli.main import app
from tierscope.graphdb import admin, cypherlib
from tierscope.graphdb import load as loader
from tierscope.graphdb.errors import InputError, ServerError
from tierscope.graphdb.load import counts, load
from tierscope.graphdb.server import ManagedServer, free_ports
from tierscope.graphdb.server.offline import ImportFiles
from tierscope.graphdb.sources.archive import TWEET_COLUMNS
from tierscope.graphdb.store import Store

NODES = cypherlib.parse(
    "MATCH (n) RETURN labels(n) AS labels, properties(n) AS props "
    "ORDER BY labels(n)[0], coalesce(n.id, n.tag, n.url)"
)
RELS = cypherlib.parse(
    "MATCH (a)-[r]->(b) RETURN type(r) AS type, labels(a)[0] AS a_label, "
    "coalesce(a.id, a.tag, a.url) AS a, labels(b)[0] AS b_label, coalesce(b.id, b.tag, b.url) AS b"
)
SCHEMA = cypherlib.parse("SHOW CONSTRAINTS YIELD name RETURN collect(name) AS names")


def dump(store: Store) -> tuple[list, list]:
    nodes = store.run(NODES)
    rels = sorted(tuple(r.values()) for r in store.run(RELS))
    return nodes, rels


@pytest.fixture(scope="module")
def bulk_server(server: ManagedServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    root = tmp_path_factory.mktemp("bulk-home")
    other = ManagedServer(root)
    bolt, http = free_ports()
    other.start(bolt_port=bolt, http_port=http)
    try:
        yield other
    finally:
        other.stop()


@pytest.fixture
def bulk_store(bulk_server: ManagedServer) -> Iterator[Store]:
    """The throwaway server's store, emptied before and after the test."""
    with Store(bulk_server.connection()) as store:
        admin.wipe(store)
        yield store
        admin.wipe(store)


def _archive(path: Path) -> None:
    """Tweets with everything the loaders must agree on: line breaks and quotes in text,
    an account whose profile changes and loses a value, a row given twice, a retweet of a
    post in the file, a bad row."""
    empty = dict.fromkeys(TWEET_COLUMNS, "")

    def row(**values: str) -> list[str]:
        return list({**empty, **values}.values())

    base = {"userid": "u1", "user_screen_name": "first", "follower_count": "10"}
    rows = [
        row(tweetid="t1", tweet_time="2020-01-01 10:00", tweet_text='line one\nline "two"',
            hashtags="['Tag', 'tag', 'Other']", **base),
        row(tweetid="t2", tweet_time="2020-01-01 10:01", tweet_text="plain",
            user_reported_location="Paris", **base),
        row(tweetid="t3", userid="u2", tweet_time="2020-01-01 10:02", is_retweet="true",
            retweet_tweetid="t1", retweet_userid="u1", user_mentions="[u1, u9]",
            urls="['http://x.example/a']"),
        row(tweetid="t2", tweet_time="2020-01-01 10:01", tweet_text="plain again",
            **{**base, "user_screen_name": "second", "follower_count": ""}),
        row(tweetid="t4", userid="u3", tweet_time="not a time"),
        row(tweetid="t5", userid="u3", tweet_time="2020-01-02", in_reply_to_tweetid="t9",
            in_reply_to_userid="u9", quoted_tweet_tweetid="t1", account_creation_date="2019-05-01",
            tweet_text="crlf\r\ninside"),
    ]  # fmt: skip
    with path.open("w", newline="") as f:
        writer = csv.writer(f, quoting=csv.QUOTE_ALL)
        writer.writerow(TWEET_COLUMNS)
        writer.writerows(rows)


@pytest.fixture
def inputs(shared: Path, tmp_path: Path) -> list[Path]:
    folder = tmp_path / "in"
    folder.mkdir()
    _archive(folder / "tweets.csv")
    for source in (
        shared / "io-archive" / "users_sample.csv",
        shared / "io-archive" / "tweets_sample.csv",
        shared / "twarc2" / "flat.jsonl",
        shared / "coortweet" / "russian_coord_tweets.csv",
    ):
        shutil.copy(source, folder / source.name)
    return [folder / n for n in ("users_sample.csv", "tweets_sample.csv", "tweets.csv")] + [
        folder / "flat.jsonl",
        folder / "russian_coord_tweets.csv",
    ]


def _rejects(summary: loader.LoadSummary) -> list[list[str]]:
    out = []
    for f in summary.files:
        if f.rejects_path is not None:
            with f.rejects_path.open(newline="") as rejects:
                out += list(csv.reader(rejects))
    return out


def test_bulk_and_bolt_end_in_the_same_graph(
    store: Store, bulk_store: Store, bulk_server: ManagedServer, inputs: list[Path]
):
    phases: list[str] = []
    bulk = load(
        bulk_store, inputs, bulk=True, server=bulk_server, phase=lambda n, _: phases.append(n)
    )
    bulk_rejects = _rejects(bulk)
    bolt = load(store, inputs)
    assert (bulk.method, bolt.method) == ("bulk", "bolt")
    assert "importing with neo4j-admin" in phases and "creating constraints and indexes" in phases
    assert [(f.rows, f.rejects) for f in bulk.files] == [(f.rows, f.rejects) for f in bolt.files]
    assert bulk.rejects == 1 and bulk_rejects == _rejects(bolt)
    assert (bulk.accounts, bulk.posts, bulk.retweets) == (bolt.accounts, bolt.posts, bolt.retweets)
    bulk_nodes, bulk_rels = dump(bulk_store)
    bolt_nodes, bolt_rels = dump(store)
    assert bulk_nodes == bolt_nodes
    assert bulk_rels == bolt_rels
    # the details both must have got right
    t2 = bulk_store.run(
        cypherlib.parse(
            "MATCH (a:Account {id: 'u1'})-[:POSTED]->(p:Post {id: 't2'}) "
            "RETURN a.screen_name AS sn, a.followers AS f, a.location AS loc, p.text AS text"
        )
    )
    assert t2 == [{"sn": "second", "f": 10, "loc": "Paris", "text": "plain again"}]
    t1 = bulk_store.run(cypherlib.parse("MATCH (p:Post {id: 't1'}) RETURN p.text AS t"))
    assert t1 == [{"t": 'line one\nline "two"'}]
    assert set(bulk_store.run(SCHEMA)[0]["names"]) >= {"account_id", "post_id", "hashtag_tag"}


def test_bolt_load_on_top_of_a_bulk_load(
    store: Store, bulk_store: Store, bulk_server: ManagedServer, inputs: list[Path]
):
    first, rest = inputs[:3], inputs[3:]
    load(bulk_store, first, bulk=True, server=bulk_server)
    more = load(bulk_store, rest, server=bulk_server)  # not empty now: Bolt
    assert more.method == "bolt"
    load(store, inputs)
    assert dump(bulk_store) == dump(store)


def test_failed_import_keeps_the_store_as_it_was(
    bulk_store: Store,
    bulk_server: ManagedServer,
    inputs: list[Path],
    monkeypatch: pytest.MonkeyPatch,
):
    bulk_store.apply_schema()
    real = loader.write_import_files

    def broken(tables, folder: Path) -> ImportFiles:
        files = real(tables, folder)
        bad = folder / "bad.csv"
        bad.write_text(":START_ID(Post),:END_ID(Post)\nno-such-post,t1\n")
        files.relationships.append(("RETWEET_OF", bad))
        return files

    monkeypatch.setattr(loader, "write_import_files", broken)
    with pytest.raises(ServerError, match="import failed.*as it was"):
        load(bulk_store, inputs[:3], bulk=True, server=bulk_server)
    assert bulk_server.is_running()
    assert counts(bulk_store) == {"accounts": 0, "posts": 0, "retweets": 0}
    assert "post_id" in bulk_store.run(SCHEMA)[0]["names"]  # the old store, not a new one
    assert not (bulk_server.neo4j_home / "import").exists()
    monkeypatch.undo()
    assert load(bulk_store, inputs[:3], bulk=True, server=bulk_server).posts > 0


def test_bulk_is_refused_where_it_cannot_run(
    store: Store, bulk_store: Store, bulk_server: ManagedServer, inputs: list[Path]
):
    from dataclasses import replace

    load(store, inputs[:1], bulk=False)
    with pytest.raises(InputError, match="needs an empty database"):
        load(store, inputs[:1], bulk=True)
    with pytest.raises(InputError, match="needs the managed server under"):
        load(store, inputs[:1], bulk=True, server=bulk_server)  # another server's store
    remote = replace(bulk_server.connection(), managed=False)
    with Store(remote) as other, pytest.raises(InputError, match="needs the managed server"):
        load(other, inputs[:1], bulk=True)
    # small inputs stay on Bolt unless asked
    assert load(bulk_store, inputs[:1], server=bulk_server).method == "bolt"


def test_cli_bulk_and_wipe_by_recreating_the_store(
    bulk_store: Store, bulk_server: ManagedServer, inputs: list[Path], cli, monkeypatch
):
    monkeypatch.setenv("TIERSCOPE_HOME", str(bulk_server.root))
    result = cli.invoke(app, ["load", "--bulk", "--json", *map(str, inputs[:3])])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output[result.output.index("{") :])
    assert summary["method"] == "bulk" and summary["rejects"] == 1
    assert set(summary["phases"]) >= {"read", "import", "server start", "constraints"}
    nodes = bulk_store.run(cypherlib.load("load/node_count"))[0]["nodes"]
    assert nodes > 0
    monkeypatch.setattr(admin, "RECREATE_MIN_NODES", 1)
    done = cli.invoke(app, ["db", "wipe", "--yes"])
    assert done.exit_code == 0, done.output
    assert f"Deleted {nodes:,} nodes" in done.output
    assert bulk_store.run(cypherlib.load("load/node_count"))[0]["nodes"] == 0
    assert "post_id" in bulk_store.run(SCHEMA)[0]["names"]
