"""Detection end to end on the real server: load, detect, write back, export, evaluate.

Tests that need an empty database (the `store` fixture wipes) come before the module's
`detected` run, which the rest of the module shares.
"""

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from tierscope.cli.main import app
from tierscope.graphdb import admin, cypherlib
from tierscope.graphdb.detect.coordination import Shares, co_share
from tierscope.graphdb.detect.run import edges_path, read_inputs, run_frame
from tierscope.graphdb.export import EDGE_COLUMNS
from tierscope.graphdb.generate import generate
from tierscope.graphdb.load import load
from tierscope.graphdb.store import Store

TIERS = ("principal", "core", "amplifier", "member")


def query(store: Store, cypher: str, **params):
    return store.run(cypherlib.parse(cypher), params)


@pytest.mark.parametrize(("window", "pairs"), [(60, 3_791), (10, 447)])
def test_coortweet_parity_through_neo4j(store: Store, shared: Path, window: int, pairs: int):
    load(store, [shared / "coortweet" / "russian_coord_tweets.csv"])
    posts = read_inputs(store, ("co-retweet",)).posts.drop_nulls("original")
    shares = Shares.from_ids(posts["account"], posts["original"], posts["post"], posts["time"])
    result = co_share(shares, window=window, min_participation=2)
    assert result.pairs.height == pairs


def test_export_needs_a_run(store: Store, cli):
    result = cli.invoke(app, ["export", "accounts"])
    assert result.exit_code != 0
    assert "no finished detection run" in result.output


def test_run_frames_take_columns_that_start_empty(store: Store):
    """Only principals carry posts; 150 amplifier rows come first and must not fix its type."""
    store.run(
        cypherlib.parse(
            "CREATE (r:DetectionRun {id: 'r1', finished_at: datetime()})-[:FOUND]->"
            "(c:Community {run: 'r1', id: 1, operation_id: 1}) "
            "WITH c UNWIND range(1, 151) AS i "
            "CREATE (:Account {id: 'a' + i})-[:IN_COMMUNITY {run: 'r1', "
            "tier: CASE i WHEN 151 THEN 'principal' ELSE 'amplifier' END, "
            "posts: CASE i WHEN 151 THEN 55 END}]->(c)"
        ),
        mode="write",
    )
    frame = run_frame(store, "export/accounts", "r1")
    assert frame.height == 151
    assert frame.filter(pl.col("tier") == "principal")["posts"].to_list() == [55]


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("scenario")
    generate(out, scale=0.05, seed=3)
    return out


@pytest.fixture(scope="module")
def detected(session_store: Store, scenario: Path) -> Iterator[str]:
    """Load and detect once for the module; its tests only read, or add runs of their own."""
    cli = CliRunner()
    admin.wipe(session_store)
    result = cli.invoke(app, ["load", str(scenario / "users.csv"), str(scenario / "tweets.csv")])
    assert result.exit_code == 0, result.output
    result = cli.invoke(app, ["detect", "--json"])
    assert result.exit_code == 0, result.output
    yield json.loads(result.stdout)["run_id"]
    admin.wipe(session_store)


def test_detect_writes_a_run_that_analysts_can_query(session_store: Store, detected: str):
    store = session_store
    run = query(
        store, "MATCH (r:DetectionRun {id: $id}) RETURN r.kind AS kind, r.params AS p", id=detected
    )
    assert run[0]["kind"] == "co-retweet"
    assert json.loads(run[0]["p"])["window"] == 60
    # The posts the run kept on disk are gone; the edges stay for export.
    assert [p.name for p in edges_path(detected).parent.iterdir()] == ["edges.parquet"]
    tiers = query(
        store,
        "MATCH (:Account)-[m:IN_COMMUNITY {run: $run}]->(:Community {run: $run}) "
        "RETURN m.tier AS tier, count(*) AS n",
        run=detected,
    )
    found = {r["tier"]: r["n"] for r in tiers}
    assert found["core"] > 0 and found["amplifier"] > found["core"] and found["principal"] > 0
    feeds = query(
        store,
        "MATCH (:Community)-[f:FEEDS {run: $run}]->(:Community) RETURN count(f) AS n",
        run=detected,
    )
    assert feeds[0]["n"] > 0
    edges = query(
        store,
        "MATCH (:Account)-[e:COORDINATED_WITH {run: $run, kind: 'co-retweet'}]->(:Account) "
        "RETURN count(e) AS n, max(e.q_value) AS q, min(e.p_value) AS p",
        run=detected,
    )
    # The backbone: significant ties only, each with its test.
    assert edges[0]["n"] > 0 and edges[0]["q"] <= 0.01 and edges[0]["p"] >= 0


def test_runs_never_mix(session_store: Store, detected: str, cli):
    store = session_store
    result = cli.invoke(app, ["detect", "--window", "120", "--store-edges", "all", "--json"])
    second = json.loads(result.stdout)["run_id"]
    assert second != detected
    listed = json.loads(cli.invoke(app, ["runs", "--json"]).stdout)
    assert [r["id"] for r in listed[:2]] == [second, detected]
    per_run = query(
        store,
        "MATCH (c:Community) RETURN c.run AS run, count(*) AS n ORDER BY run",
    )
    assert {r["run"] for r in per_run} == {detected, second}
    # --store-edges all puts the whole projection in Neo4j
    stored = query(
        store, "MATCH ()-[e:COORDINATED_WITH {run: $run}]->() RETURN count(e) AS n", run=second
    )
    assert stored[0]["n"] == json.loads(result.stdout)["edges"]
    latest = json.loads(cli.invoke(app, ["export", "accounts", "--format", "json"]).stdout)
    first = json.loads(
        cli.invoke(app, ["export", "accounts", "--run", detected, "--format", "json"]).stdout
    )
    assert latest and first
    assert latest != first  # a wider window finds more, and each run keeps its own


def test_evaluate_meets_the_quality_targets(scenario: Path, detected: str, cli):
    args = ["evaluate", "--truth", str(scenario / "truth.csv"), "--run", detected, "--json"]
    result = cli.invoke(app, args)
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout)
    assert scores["run"] == detected
    assert scores["precision"] >= 0.95
    assert scores["recall"] >= 0.90
    assert scores["tier_macro_f1"] >= 0.85
    assert scores["principal_recall"] >= 0.9
    assert scores["ari"] >= 0.9
    assert scores["fan_below_ops"] is True


def test_export_accounts_csv_and_json(detected: str, cli):
    out = cli.invoke(app, ["export", "accounts", "--run", detected, "--format", "csv"]).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {"account_id", "operation_id", "community_id", "tier"} <= set(rows[0])
    # members of unflagged communities carry no tier of an operation
    assert {"principal", "core", "amplifier"} <= {r["tier"] for r in rows} <= set(TIERS)
    args = ["export", "accounts", "--run", detected, "--format", "json"]
    as_json = json.loads(cli.invoke(app, args).stdout)
    assert len(as_json) == len(rows)
    # a principal's row carries the retweets it drew and the flagged share of them
    principal = max(
        (r for r in as_json if r["tier"] == "principal"), key=lambda r: r["flagged_retweets"]
    )
    assert principal["retweets"] >= principal["flagged_retweets"] > 0
    assert 0 < principal["flagged_share"] <= 1


def test_export_parquet(detected: str, cli, tmp_path: Path):
    accounts, edges = tmp_path / "accounts.parquet", tmp_path / "edges.parquet"
    args = ["export", "accounts", "--run", detected, "-f", "parquet", "-o", str(accounts)]
    assert cli.invoke(app, args).exit_code == 0
    args = ["export", "edges", "--run", detected, "-f", "parquet", "-o", str(edges)]
    assert cli.invoke(app, args).exit_code == 0
    nodes = pl.read_parquet(accounts)
    assert {"account_id", "community_id", "tier", "flagged_share"} <= set(nodes.columns)
    assert {"principal", "core", "amplifier"} <= set(nodes["tier"]) <= set(TIERS)
    table = pl.read_parquet(edges)
    assert table.columns == EDGE_COLUMNS
    # weight 0: a pair tested in the overlap view only (it never met within the window)
    assert table["weight"].min() >= 0 and table["q_value"].max() <= 1
    no_file = cli.invoke(app, ["export", "edges", "--run", detected, "-f", "parquet"])
    assert no_file.exit_code == 2 and "-o FILE" in no_file.output


@pytest.mark.parametrize("fmt", ["csv", "json", "graphml", "gexf"])
def test_export_edges(session_store: Store, detected: str, cli, fmt: str, tmp_path: Path):
    path = tmp_path / f"edges.{fmt}"
    args = ["export", "edges", "--run", detected, "--kind", "co-retweet", "--format", fmt]
    result = cli.invoke(app, [*args, "-o", str(path)])
    assert result.exit_code == 0, result.output
    # the full projection, before any threshold: the run's summary counts it
    summary = query(
        session_store, "MATCH (r:DetectionRun {id: $run}) RETURN r.summary AS s", run=detected
    )
    stored = json.loads(summary[0]["s"])["edges"]
    text = path.read_text()
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        assert list(rows[0]) == EDGE_COLUMNS
        assert len(rows) == stored
    elif fmt == "json":
        assert len(json.loads(text)) == stored
    else:
        root = ET.fromstring(text)
        edges = [e for e in root.iter() if e.tag.endswith("}edge")]
        assert len(edges) == stored
        assert "tier" in text and "community_id" in text


def test_py2neo_reads_the_tier_of_an_account(server, detected: str):
    """The optional py2neo extra (2021.2.4, end-of-life) still reads our 5.26 graph."""
    from py2neo import Graph

    conn = server.connection()
    graph = Graph(conn.uri, auth=(conn.user, conn.password))
    try:
        rows = graph.run(
            "MATCH (a:Account)-[m:IN_COMMUNITY {run: $run, tier: 'core'}]->(c:Community) "
            "RETURN a.id AS account, m.tier AS tier, c.id AS community LIMIT 1",
            run=detected,
        ).data()
        assert rows and rows[0]["tier"] == "core"
        account = graph.nodes.match("Account", id=rows[0]["account"]).first()
        assert account is not None and account["id"] == rows[0]["account"]
    finally:
        graph.service.connector.close()
