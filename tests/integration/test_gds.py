"""GDS and APOC in the managed server: what it loads, and the library's GDS queries run through
`tierscope query` on a generated scenario that tierscope has detected."""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from tierscope.cli.main import app
from tierscope.graphdb import admin, cypherlib, guard
from tierscope.graphdb.detect.evaluate import adjusted_rand_index
from tierscope.graphdb.detect.run import detect
from tierscope.graphdb.errors import DatabaseError
from tierscope.graphdb.generate import generate
from tierscope.graphdb.load import load
from tierscope.graphdb.server import (
    ManagedServer,
    declares_procedures,
    lib_dir,
    plugin_versions,
    plugins_dir,
)
from tierscope.graphdb.store import Store


def _rows(store: Store, text: str, **params: Any) -> list[dict[str, Any]]:
    return store.run(cypherlib.parse(text, name="test"), params, mode="read")


def _query(cli: CliRunner, name: str, *params: str) -> list[dict[str, Any]]:
    args = ["query", name, "-f", "json", "--limit", "100000"]
    result = cli.invoke(app, [*args, *(a for p in params for a in ("-p", p))])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_plugins_live_apart_from_neo4j_and_load(server: ManagedServer, session_store: Store):
    assert not [p.name for p in lib_dir().glob("*.jar") if p.name.startswith(("apoc", "proc-"))]
    assert any(plugins_dir().glob("apoc-core-*.jar")) and any(plugins_dir().glob("proc-*.jar"))
    # Neo4j searches only the jars that declare procedures; their libraries sit apart.
    assert all(declares_procedures(jar) for jar in plugins_dir().glob("*.jar"))
    assert any((plugins_dir() / "lib").glob("*.jar"))
    conf = (server.conf_dir / "neo4j.conf").read_text()
    assert f"server.directories.plugins={plugins_dir()}" in conf
    # everything loaded is usable: none is left sandboxed
    assert "is sandboxed" not in (server.logs_dir / "debug.log").read_text()
    versions = dict(v.split("=") for v in plugin_versions().split())
    found = _rows(session_store, "RETURN gds.version() AS gds, apoc.version() AS apoc")[0]
    assert found == {"gds": versions["gds"], "apoc": versions["apoc"]}


def test_only_read_only_apoc_is_loaded(session_store: Store):
    """The allowlist loads APOC's read-only functions and nothing that writes, runs Cypher,
    loads, exports or schedules."""
    procedures = _rows(
        session_store,
        "SHOW PROCEDURES YIELD name, mode WHERE name STARTS WITH 'apoc.' RETURN name, mode",
    )
    functions = _rows(
        session_store, "SHOW FUNCTIONS YIELD name WHERE name STARTS WITH 'apoc.' RETURN name"
    )
    assert len(functions) > 100
    for row in procedures + functions:
        assert guard.allowed(row["name"], guard.APOC_FUNCTIONS), row
    assert {r["mode"] for r in procedures} <= {"READ", "DEFAULT"}
    loaded = {r["name"] for r in procedures + functions}
    for never in ("apoc.cypher.", "apoc.load.", "apoc.export.", "apoc.periodic.", "apoc.create."):
        assert not [name for name in loaded if name.startswith(never)]


def test_the_guard_lets_through_only_read_modes_of_gds(session_store: Store):
    procedures = _rows(
        session_store,
        "SHOW PROCEDURES YIELD name, mode WHERE name STARTS WITH 'gds.' RETURN name, mode",
    )
    passed = [r for r in procedures if guard.allowed(r["name"], guard.ALLOWED_PROCEDURES)]
    assert {"gds.leiden.stream", "gds.wcc.stream", "gds.louvain.stats"} <= {
        r["name"] for r in passed
    }
    for row in passed:
        assert row["mode"] in ("READ", "DEFAULT"), row
        assert not {"write", "mutate", "drop", "export", "project"} & set(row["name"].split("."))
    # Cypher's own namespaced functions all pass
    builtin = _rows(
        session_store,
        "SHOW FUNCTIONS YIELD name, isBuiltIn WHERE isBuiltIn AND name CONTAINS '.' RETURN name",
    )
    assert builtin and all(guard.allowed(r["name"], guard.ALLOWED_FUNCTIONS) for r in builtin)


@pytest.fixture(scope="module")
def detected(session_store: Store, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A small seed2020 scenario, loaded and detected once; its GDS graph dropped after."""
    out = tmp_path_factory.mktemp("gds-scenario")
    generate(out, "seed2020", scale=0.05, seed=1)
    admin.wipe(session_store)
    load(session_store, [out / "users.csv", out / "tweets.csv"])
    run = detect(session_store).run_id
    yield run
    _rows(session_store, "CALL gds.graph.drop($g, false) YIELD graphName", g=f"tierscope-{run}")
    admin.wipe(session_store)


def _nmi(a: list[int], b: list[str]) -> float:
    """Normalised mutual information (arithmetic mean of the entropies), the test's own."""
    n = len(a)
    cells, rows, cols = Counter(zip(a, b, strict=True)), Counter(a), Counter(b)
    mutual = sum(k / n * math.log(n * k / (rows[i] * cols[j])) for (i, j), k in cells.items())
    entropy = [-sum(k / n * math.log(k / n) for k in c.values()) for c in (rows, cols)]
    return 1.0 if sum(entropy) == 0 else 2 * mutual / sum(entropy)


def test_gds_queries_on_a_detected_scenario(session_store: Store, detected: str, cli: CliRunner):
    run = f"run={detected}"
    (projected,) = _query(cli, "gds_project", run)
    assert projected["graph"] == f"tierscope-{detected}" and not projected["replaced"]
    edges = _rows(
        session_store,
        "MATCH (a)-[:COORDINATED_WITH {run: $run}]-(b) "
        "RETURN count(DISTINCT a) AS accounts, count(DISTINCT [a, b]) / 2 AS pairs",
        run=detected,
    )[0]
    assert projected["accounts"] == edges["accounts"] > 10
    assert projected["edges"] == edges["pairs"] > 0
    # projecting again replaces the graph, and `latest` is this run
    (again,) = _query(cli, "gds_project")
    assert again["replaced"] and again["accounts"] == projected["accounts"]

    leiden = _query(cli, "gds_leiden", run)
    assert len(leiden) > 1
    assert sum(c["size"] for c in leiden) == projected["accounts"]
    assert any(c["core"] > 0 for c in leiden)
    assert _query(cli, "gds_leiden", run) == leiden  # the seed fixes the communities

    wcc = _query(cli, "gds_wcc", run)
    assert sum(c["size"] for c in wcc) == projected["accounts"]
    assert len(wcc) <= len(leiden)  # Leiden never joins what is not connected

    (agreement,) = _query(cli, "gds_agreement", run)
    assert agreement["projected"] == projected["accounts"]
    assert 0 < agreement["accounts"] <= agreement["projected"]
    assert -1 <= agreement["ari"] <= 1 and 0 <= agreement["nmi"] <= 1
    # the Cypher's ARI and NMI are those of the same two partitions computed here
    placed = _rows(
        session_store,
        "CALL gds.leiden.stream($g, {relationshipWeightProperty: 'weight', gamma: 1.0, "
        "randomSeed: 42, concurrency: 1}) YIELD nodeId, communityId "
        "WITH communityId, gds.util.asNode(nodeId) AS a "
        "MATCH (a)-[:IN_COMMUNITY {run: $run}]->(c:Community) "
        "RETURN communityId AS leiden, c.id AS tierscope",
        g=f"tierscope-{detected}",
        run=detected,
    )
    assert len(placed) == agreement["accounts"]
    leiden_ids = [r["leiden"] for r in placed]
    tierscope_ids = [str(r["tierscope"]) for r in placed]
    expected = adjusted_rand_index(np.array(leiden_ids), np.array(tierscope_ids))
    assert agreement["ari"] == pytest.approx(expected, abs=1e-9)
    assert agreement["nmi"] == pytest.approx(_nmi(leiden_ids, tierscope_ids), abs=1e-9)
    assert agreement["leiden_communities"] == len(set(leiden_ids))


def test_community_edition_caps_concurrency_at_four(
    session_store: Store, detected: str, cli: CliRunner
):
    _query(cli, "gds_project", f"run={detected}")
    with pytest.raises(DatabaseError, match="concurrency=4"):
        _rows(
            session_store,
            "CALL gds.wcc.stream($g, {concurrency: 8}) YIELD nodeId RETURN count(*) AS n",
            g=f"tierscope-{detected}",
        )


def test_gds_drop_frees_the_graph(session_store: Store, detected: str, cli: CliRunner):
    _query(cli, "gds_project", f"run={detected}")
    (dropped,) = _query(cli, "gds_drop", f"run={detected}")
    assert dropped["graph"] == f"tierscope-{detected}" and dropped["accounts"] > 0
    assert _query(cli, "gds_drop", f"run={detected}") == []
    listed = _rows(session_store, "CALL gds.graph.list() YIELD graphName RETURN graphName")
    assert f"tierscope-{detected}" not in [r["graphName"] for r in listed]


def test_gds_queries_need_a_projection_first(detected: str, cli: CliRunner):
    _query(cli, "gds_drop", f"run={detected}")
    result = cli.invoke(app, ["query", "gds_leiden", "-p", f"run={detected}"])
    assert result.exit_code != 0
    assert f"tierscope-{detected}" in result.stderr and "does not exist" in result.stderr


def test_an_analysts_file_may_stream_gds_but_not_project(
    session_store: Store, detected: str, cli: CliRunner, tmp_path: Path
):
    (projected,) = _query(cli, "gds_project", f"run={detected}")
    mine = tmp_path / "mine.cypher"
    mine.write_text(
        "// param: graph: string\n"
        "CALL gds.pageRank.stream($graph) YIELD nodeId, score\n"
        "RETURN count(*) AS accounts, sum(score) > 0 AS scored"
    )
    result = cli.invoke(app, ["query", "--file", str(mine), "-p", f"graph={projected['graph']}"])
    assert result.exit_code == 0, result.output
    # the library's own gds_project, header and all, is refused from a file
    library = cypherlib.load("queries/gds_project").path
    assert library is not None
    mine.write_text(library.read_text())
    result = cli.invoke(app, ["query", "--file", str(mine), "-p", f"run={detected}"])
    assert result.exit_code == 2 and "refused CALL gds.graph.drop" in result.stderr
