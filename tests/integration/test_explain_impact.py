"""`tierscope explain` and `tierscope impact` against the real server: on a small hand-made
detected graph whose answers are known, and on a generated scenario loaded and detected."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

from tierscope.cli.main import app
from tierscope.graphdb import cypherlib, explain, impact, queries
from tierscope.graphdb.detect.analyze import DetectParams
from tierscope.graphdb.detect.run import detect, edges_path
from tierscope.graphdb.generate import generate
from tierscope.graphdb.load import load
from tierscope.graphdb.report import build_report, render_html
from tierscope.graphdb.store import Store

# Run r1 (co-retweet and co-hashtag, window 60 s): community 1 (operation 1) has principal amb,
# core c1 c2 and amplifier a1; g1 is in no community. c1 and c2 both retweet A1 (20 s apart)
# and A2 (2 h apart), and both tag #vote; r1 stored a co-retweet edge c1-c2. c1 and g1 share
# A1 (5 min apart) but have no edge. amb's posts draw 2 retweets each from c1, c2 and a1, 1
# from g1, and amb's own self-retweet, which never counts; a1 retweets c1's post C1 twice,
# g1 once.
SEED = """// mode: write
UNWIND [['amb', 'ambassador'], ['c1', 'core_one'], ['c2', null], ['a1', 'amp_one'],
        ['g1', 'genuine']] AS r
CREATE (:Account {id: r[0], screen_name: r[1]})
WITH count(*) AS made
UNWIND [['amb', 'A1', 'Our <b>friends</b>', '2020-03-01T10:00:00Z'],
        ['amb', 'A2', 'Second', '2020-03-02T10:00:00Z'],
        ['c1', 'C1', 'Core says', '2020-03-03T10:00:00Z']] AS r
MATCH (who:Account {id: r[0]})
CREATE (who)-[:POSTED]->(:Post {id: r[1], text: r[2], created_at: datetime(r[3])})
WITH count(*) AS posts
UNWIND [
  ['c1', 'A1', 'r1', '2020-03-01T10:01:00Z'], ['c2', 'A1', 'r2', '2020-03-01T10:01:20Z'],
  ['c1', 'A2', 'r3', '2020-03-02T10:00:30Z'], ['c2', 'A2', 'r4', '2020-03-02T12:00:30Z'],
  ['g1', 'A1', 'r5', '2020-03-01T10:06:00Z'], ['a1', 'A1', 'r6', '2020-03-01T11:00:00Z'],
  ['a1', 'A1', 'r7', '2020-03-01T12:00:00Z'], ['amb', 'A2', 'r8', '2020-03-02T10:05:00Z'],
  ['a1', 'C1', 'r9', '2020-03-03T10:05:00Z'], ['a1', 'C1', 'r10', '2020-03-03T10:06:00Z'],
  ['g1', 'C1', 'r11', '2020-03-03T11:00:00Z']
] AS r
MATCH (who:Account {id: r[0]}), (o:Post {id: r[1]})
CREATE (who)-[:POSTED]->(:Post {id: r[2], created_at: datetime(r[3])})-[:RETWEET_OF]->(o)
WITH count(*) AS retweets
UNWIND [['c1', 't1', '2020-03-04T10:00:00Z'], ['c2', 't2', '2020-03-04T10:00:40Z']] AS r
MATCH (who:Account {id: r[0]})
CREATE (who)-[:POSTED]->(p:Post {id: r[1], text: 'go #vote', created_at: datetime(r[2])})
MERGE (h:Hashtag {tag: 'vote'})
CREATE (p)-[:TAGS]->(h)
WITH count(*) AS tagged
CREATE (run:DetectionRun {id: 'r1', kind: 'co-retweet,co-hashtag',
  params: '{"kind": ["co-retweet", "co-hashtag"], "window": 60, "fdr": 0.01}',
  started_at: datetime('2024-02-01T00:00:00Z'), finished_at: datetime('2024-02-01T00:01:00Z')})
CREATE (run)-[:FOUND]->(c:Community {run: 'r1', id: 1, operation_id: 1, flagged: true, rank: 1,
  score: 3.0, size: 4, principals: 1, core: 2, amplifiers: 1})
WITH c
UNWIND [['amb', 'principal'], ['c1', 'core'], ['c2', 'core'], ['a1', 'amplifier']] AS m
MATCH (a:Account {id: m[0]})
CREATE (a)-[:IN_COMMUNITY {run: 'r1', tier: m[1], operation_id: 1,
                           flagged: m[1] <> 'principal', internal_share: 1.0, synchrony: 1.0,
                           in_strength: 1.0, out_strength: 1.0}]->(c)
WITH count(*) AS members
MATCH (c1:Account {id: 'c1'}), (c2:Account {id: 'c2'})
CREATE (c1)-[:COORDINATED_WITH {run: 'r1', kind: 'co-retweet', weight: 1, mean_delta: 20.0,
  expected: 0.05, common: 2, expected_common: 0.1, p_value: 0.0001, q_value: 0.002}]->(c2)
"""


@pytest.fixture
def seeded(store: Store) -> Store:
    store.run(cypherlib.parse(SEED))
    return store


def invoke(cli: CliRunner, *args: str) -> Any:
    result = cli.invoke(app, list(args), prog_name="tierscope")
    assert result.exit_code == 0, result.output
    return result


def test_explain_lists_the_shares_behind_an_edge(seeded: Store, cli: CliRunner):
    data = json.loads(invoke(cli, "explain", "c1", "c2", "--run", "r1", "-f", "json").stdout)
    assert data["tied"] and data["edge_source"] == "neo4j"
    assert data["verdict"] == "@core_one and c2 are tied in run r1: co-retweet q = 0.002 ≤ 0.01."
    assert (data["kinds"], data["window"]) == (["co-retweet", "co-hashtag"], 60)
    (edge,) = data["edges"]
    assert (edge["weight"], edge["expected"], edge["p_value"], edge["q_value"]) == (
        1,
        0.05,
        0.0001,
        0.002,
    )
    assert data["a"]["memberships"] == [
        {"community_id": 1, "operation_id": 1, "tier": "core", "flagged": True}
    ]
    pairs = [
        (p["kind"], p["object"], p["post_a"], p["post_b"], p["delta_s"], p["meeting"])
        for p in data["pairs"]
    ]
    assert pairs == [
        ("co-hashtag", "#vote", "t1", "t2", 40, True),
        ("co-retweet", "A1", "r1", "r2", 20, True),
        ("co-retweet", "A2", "r3", "r4", 7_200, False),
    ]
    first = data["pairs"][1]
    assert (first["original_author_name"], first["original_text"]) == (
        "ambassador",
        "Our <b>friends</b>",
    )
    assert (first["time_a"], first["time_b"]) == ("2020-03-01T10:01:00Z", "2020-03-01T10:01:20Z")

    table = invoke(cli, "explain", "c1", "c2", "--run", "r1").stdout
    assert "are tied in run r1" in table and "Pairs of shares" in table
    rows = list(csv.DictReader(io.StringIO(invoke(cli, "explain", "c1", "c2", "-f", "csv").stdout)))
    assert [r["object"] for r in rows] == ["#vote", "A1", "A2"]
    assert rows[1]["q_value"] == "0.002" and rows[1]["tier_b"] == "core"


def test_explain_says_when_there_is_no_edge(seeded: Store, cli: CliRunner):
    data = json.loads(invoke(cli, "explain", "c1", "g1", "-f", "json").stdout)
    assert not data["tied"] and data["edges"] == []
    assert data["verdict"].startswith("There is no edge between @core_one and @genuine stored in")
    assert "They still shared 1 object(s)" in data["verdict"]
    assert [(p["object"], p["delta_s"], p["meeting"]) for p in data["pairs"]] == [
        ("A1", 300, False)
    ]
    assert data["b"]["memberships"] == []
    missing = cli.invoke(app, ["explain", "c1", "nobody"])
    assert missing.exit_code == 2 and "no account with id 'nobody'" in missing.output
    same = cli.invoke(app, ["explain", "c1", "c1"])
    assert same.exit_code == 2 and "two different accounts" in same.output


def test_the_browser_query_returns_the_same_pairs(seeded: Store):
    for a, b in (("c1", "c2"), ("c1", "g1")):
        mine = explain.explain_pair(seeded, a, b, "r1")
        found = queries.run_query(
            seeded, "explain_pair", params={"account_a": a, "account_b": b}
        ).records()
        assert [
            (r["kind"], r["object"], r["post_a"], r["post_b"], r["delta_s"], r["meeting"])
            for r in found
        ] == [(p.kind, p.object, p.post_a, p.post_b, p.delta_s, p.meeting) for p in mine.pairs]
        assert {r["time_a"] for r in found} == {p.time_a for p in mine.pairs}
    row = queries.run_query(
        seeded, "explain_pair", params={"account_a": "c1", "account_b": "c2"}
    ).records()[1]
    assert (row["weight"], row["q_value"], row["tier_a"], row["community_b"]) == (
        1,
        0.002,
        "core",
        1,
    )
    assert row["original_author_name"] == "ambassador"
    # Nothing shared: one row that still names the accounts and their places.
    (alone,) = queries.run_query(
        seeded, "explain_pair", params={"account_a": "amb", "account_b": "a1"}
    ).records()
    assert alone["kind"] is None and (alone["tier_a"], alone["tier_b"]) == (
        "principal",
        "amplifier",
    )


def test_impact_of_an_operation_is_written_back(seeded: Store, cli: CliRunner):
    data = json.loads(invoke(cli, "impact", "--operation", "1", "-f", "json").stdout)
    assert (data["scope"], data["target"], data["removed"]) == ("operation", "1", 3)
    (amb,) = data["principals"]
    # amb drew 7 retweets from others (its self-retweet does not count); c1 c2 a1 made 6.
    assert (amb["before"], amb["direct"], amb["after"], amb["removed_retweeters"]) == (7, 6, 1, 3)
    # The core's 3 own posts (C1, t1, t2): C1 drew 2 retweets by a1 (an amplifier) and 1 by
    # g1; c1 pushes only amb.
    assert (data["core_posts"], data["relayed"], data["relayed_other"]) == (3, 2, 1)
    assert amb["relayed"] == 2
    assert data["sentences"][1] == (
        "3 accounts gave @ambassador 6 retweets: 86 % of all it received (7); 1 remain."
    )
    (node,) = seeded.run(
        cypherlib.parse(
            "MATCH (:DetectionRun {id: 'r1'})-[:ASSESSED]->(i:Impact) RETURN i {.*} AS i"
        )
    )
    i = node["i"]
    assert (i["scope"], i["target"], i["tier"], i["direct"], i["relayed"]) == (
        "operation",
        "1",
        "all",
        6,
        2,
    )
    assert impact.from_json(json.loads(i["result"])).principals[0].direct == 6
    # The Browser query agrees on the direct loss.
    (row,) = queries.run_query(
        seeded, "takedown_impact", params={"run": "r1", "operation": "1"}
    ).records()
    assert (row["before"], row["direct"], row["after"], row["removed_retweeters"]) == (7, 6, 1, 3)
    # The same scope again replaces it; the report shows what is stored.
    invoke(cli, "impact", "--operation", "1", "--tier", "core")
    invoke(cli, "impact", "--operation", "1")
    count = seeded.run(cypherlib.parse("MATCH (i:Impact) RETURN count(i) AS n"))[0]["n"]
    assert count == 2
    report = build_report(seeded, "r1")
    assert {(x.scope, x.tier) for x in report.impacts} == {
        ("operation", "all"),
        ("operation", "core"),
    }
    assert render_html(report).count("<h3>Removing operation 1") == 2


def test_impact_scopes_and_errors(seeded: Store, cli: CliRunner, tmp_path: Path):
    core = json.loads(invoke(cli, "impact", "--tier", "core", "--no-keep", "-f", "json").stdout)
    assert (core["scope"], core["removed"], core["principals"][0]["direct"]) == ("run", 2, 4)
    ids = tmp_path / "ids.txt"
    ids.write_text("account_id\ng1\nnobody\n")
    file = json.loads(invoke(cli, "impact", "--accounts", str(ids), "-f", "json").stdout)
    assert file["scope"] == "accounts" and file["removed_by_tier"] == {"none": 1}
    assert file["principals"][0]["direct"] == 1 and file["relayed"] == 0
    (node,) = seeded.run(cypherlib.parse("MATCH (i:Impact) RETURN i {.*} AS i"))
    assert node["i"]["accounts"] == ["g1", "nobody"] and node["i"]["target"].startswith("sha256:")
    table = invoke(cli, "impact", "--community", "1").stdout
    assert "3 accounts gave @ambassador 6 retweets: 86 % of all it received" in table
    bad = cli.invoke(app, ["impact", "--operation", "9"])
    assert bad.exit_code == 2 and "no core or amplifier or member accounts in operation 9" in (
        bad.output
    )
    both = cli.invoke(app, ["impact", "--operation", "1", "--community", "1"])
    assert both.exit_code == 2 and "at most one of" in both.output


# On what loading and detection really write.


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("scenario")
    generate(out, scale=0.05, seed=1)
    return out


def _operators(plan: dict[str, Any]) -> list[tuple[str, float]]:
    """Each operator of an EXPLAIN plan, with the rows the planner expects from it."""
    found = [(plan["operatorType"].split("@")[0], plan["args"].get("EstimatedRows", 0.0))]
    for child in plan.get("children", []):
        found += _operators(child)
    return found


SAMPLES = cypherlib.parse(
    """// mode: read
CALL db.stats.retrieve('GRAPH COUNTS') YIELD data
UNWIND data.indexes AS i
RETURN coalesce(i.labels, i.relationshipTypes)[0] + '.' + i.properties[0] AS index,
       i.totalSize AS size"""
)


def test_plans_after_load_and_detect_see_the_data(store: Store, scenario: Path):
    # Samples taken of the empty store: Neo4j would keep planning on them for a while.
    assert store.refresh_statistics()
    summary = load(store, [scenario / "users.csv", scenario / "tweets.csv"])
    sampled = {r["index"]: r["size"] for r in store.run(SAMPLES) if r["index"]}
    assert (sampled["Account.id"], sampled["Post.id"]) == (summary.accounts, summary.posts)
    relayed = cypherlib.load("impact/relayed")
    after_load = _operators(store.explain(relayed, {"run": "r", "ids": ["x"]}).plan)
    assert dict(after_load)["NodeUniqueIndexSeek"] > 0
    run = detect(store, DetectParams()).run_id
    sampled = {r["index"]: r["size"] for r in store.run(SAMPLES) if r["index"]}
    members = store.run(cypherlib.parse("MATCH ()-[m:IN_COMMUNITY]->() RETURN count(m) AS n"))
    assert sampled["IN_COMMUNITY.run"] == members[0]["n"] > 0
    # Planned on stale samples, this query scanned whole indexes per account: 9 s, 700 MB.
    after_detect = _operators(store.explain(relayed, {"run": run, "ids": ["x"]}).plan)
    assert not [op for op, _ in after_detect if "IndexScan" in op], after_detect


def test_on_a_detected_scenario(store: Store, scenario: Path, cli: CliRunner):
    load(store, [scenario / "users.csv", scenario / "tweets.csv"])
    run = detect(store, DetectParams()).run_id
    edges = pl.read_parquet(edges_path(run)).sort("weight", descending=True)
    # The meetings explain counts are the edge's weight, its common objects the edge's common.
    for a, b, weight, common in edges.select("account_a", "account_b", "weight", "common").rows()[
        :3
    ]:
        e = explain.explain_pair(store, a, b)
        (count,) = e.counts
        assert (count.meetings, count.common) == (weight, common)
        assert e.tied and e.edge_source == "edge table"
        assert all(p.original_author_id for p in e.pairs)
        browser = queries.run_query(
            store, "explain_pair", params={"account_a": a, "account_b": b}, limit=10_000
        ).records()
        assert sum(bool(r["meeting"]) for r in browser) == weight

    # Taking every flagged account down costs each principal its flagged retweets.
    whole = impact.assess_run(store, keep=False)
    report = build_report(store)
    flagged = {p.account_id: (p.retweets, p.flagged_retweets) for p in report.principals}
    assert {p.account_id: (p.before, p.direct) for p in whole.principals} == flagged
    assert whole.relayed > 0 and whole.core_posts > 0
    assert report.impacts == [whole]  # nothing stored yet: the report assesses the whole run
    browser = queries.run_query(store, "takedown_impact", params={}, limit=10_000).records()
    assert {r["principal_id"]: (r["before"], r["direct"]) for r in browser} == flagged
    op = json.loads(invoke(cli, "impact", "--operation", "1", "-f", "json").stdout)
    assert op["direct"] > 0 and op["removed_by_tier"]["core"] > 0
    page = render_html(build_report(store))
    assert "Removing operation 1" in page and "retweets per principal" in page
