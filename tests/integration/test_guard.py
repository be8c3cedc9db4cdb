"""The read-only guard of `tierscope query --file` against the real Neo4j: each kind of
statement it must refuse, refused with one clear line and nothing changed; the EXPLAIN layer
on its own; and `-p` values that cannot change the statement."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from tierscope.cli.main import app
from tierscope.graphdb import cypherlib, guard, queries
from tierscope.graphdb.errors import DatabaseError, InputError
from tierscope.graphdb.store import Store

SEED = "CREATE (:Account {id: 'g1', screen_name: 'genuine'})-[:POSTED]->(:Post {id: 'P1'})"
COUNT = (
    "RETURN COUNT { MATCH (n) } AS nodes, COUNT { MATCH (p:Pwned) } AS pwned, "
    "COUNT { CALL gds.graph.list() YIELD graphName RETURN graphName } AS gds_graphs"
)

# (file body, what the message names): the cases the issue lists, one file each.
REFUSED = [
    ("MATCH (a:Account) CALL (a) { CREATE (:Pwned {id: a.id}) } RETURN a.id", "refused CREATE"),
    ("CALL { MERGE (p:Pwned {id: 1}) RETURN p } RETURN p", "refused MERGE"),
    ("CALL { MATCH (a:Account) SET a:Pwned RETURN a } RETURN a.id", "refused SET"),
    ("CALL { MATCH (p:Post) DETACH DELETE p } RETURN 1 AS done", "refused DETACH DELETE"),
    ("CALL { FOREACH (i IN [1] | CREATE (:Pwned)) } RETURN 1 AS done", "refused FOREACH"),
    ("LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line", "refused LOAD CSV"),
    ("CALL db.createLabel('X')", "refused CALL db.createLabel"),
    ("CALL dbms.listConfig() YIELD name, value RETURN name, value", "refused CALL dbms.listConfig"),
    ("CALL dbms.security.createUser('mallory', 'secret123', false)", "dbms.security.createUser"),
    ("USE system SHOW USERS", "refused USE system"),
    ("CREATE USER mallory SET PASSWORD 'secret123' CHANGE NOT REQUIRED", "refused CREATE USER"),
    # GDS and APOC on the managed server: writes, projections, Cypher run from a string
    ("CALL gds.graph.project('pwned', 'Account', '*')", "refused CALL gds.graph.project"),
    (
        "MATCH (a:Account)-->(p) RETURN gds.graph.project('pwned', a, p).nodeCount AS n",
        "refused function gds.graph.project",
    ),
    ("CALL gds.wcc.write('pwned', {writeProperty: 'pwned'})", "refused CALL gds.wcc.write"),
    ("CALL gds.wcc.mutate('pwned', {mutateProperty: 'pwned'})", "refused CALL gds.wcc.mutate"),
    ("CALL apoc.periodic.iterate('MATCH (n) RETURN n', 'DETACH DELETE n', {})", "apoc.periodic"),
    ("RETURN apoc.cypher.runFirstColumnSingle('CREATE (p:Pwned) RETURN p', {})", "apoc.cypher"),
]


@pytest.fixture
def seeded(store: Store) -> Store:
    store.run(cypherlib.parse(SEED), mode="write")
    return store


def _count(store: Store) -> dict[str, int]:
    return store.run(cypherlib.parse(COUNT))[0]


def _users(store: Store) -> list[str]:
    with store.driver.session(database="system") as session:
        return sorted(r["user"] for r in session.run("SHOW USERS"))


def _query(cli: CliRunner, *args: str) -> Result:
    return cli.invoke(app, ["query", *args], prog_name="tierscope")


@pytest.mark.parametrize(("body", "named"), REFUSED, ids=[n for _, n in REFUSED])
def test_refused_with_a_clear_line_and_nothing_changes(
    seeded: Store, cli: CliRunner, tmp_path: Path, body: str, named: str
):
    before, users = _count(seeded), _users(seeded)
    path = tmp_path / "mine.cypher"
    path.write_text(f"// name: mine\n{body}\n")
    result = _query(cli, "--file", str(path))
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"Error: {path}: refused ")
    assert named in result.stderr
    assert _count(seeded) == before
    assert _users(seeded) == users == ["neo4j"]


# Statements the text check refuses, given straight to the EXPLAIN check, which must refuse
# them on its own: Neo4j plans them without running anything.
PLAN_REFUSED = [
    ("MATCH (a:Account) SET a:Pwned", "plans as a write"),
    ("CALL { MATCH (a:Account) SET a.x = 1 } RETURN 1 AS one", "plans as a read and write"),
    ("CR\\u0045ATE (:Pwned)", "plans as a write"),
    ("LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line", "refused LOAD CSV"),
    ("LO\\u0041D CSV FROM 'file:///etc/passwd' AS line RETURN line", "refused LOAD CSV"),
    ("CALL dbms.listConfig()", "plans as a schema or DBMS change"),
    ("CALL db.createLabel('X')", "plans as a write"),
    ("SHOW USERS", "plans as a schema or DBMS change"),
    ("CREATE USER mallory SET PASSWORD 'secret123'", "plans as a schema or DBMS change"),
    ("CREATE INDEX pwned FOR (n:Pwned) ON (n.id)", "plans as a schema or DBMS change"),
    ("TERMINATE TRANSACTIONS 'neo4j-transaction-1'", "TerminateTransactions"),
    ("SHOW TRANSACTIONS", "ShowTransactions"),
    # GDS plans every mode but write as a read, so the plan's names decide
    ("CALL gds.wcc.mutate('pwned', {mutateProperty: 'pwned'})", "refused CALL gds.wcc.mutate"),
    ("CALL gds.wcc.write('pwned', {writeProperty: 'pwned'})", "plans as a read and write"),
    ("CALL gds.graph.export('pwned', {dbName: 'pwned'})", "refused CALL gds.graph.export"),
    ("CALL gds.graph.drop('pwned')", "refused CALL gds.graph.drop"),
    (
        "MATCH (a:Account)-->(p) RETURN gds.graph.project('pwned', a, p).nodeCount AS n",
        "refused function gds.graph.project",
    ),
]


@pytest.mark.parametrize(("text", "named"), PLAN_REFUSED, ids=[t for t, _ in PLAN_REFUSED])
def test_explain_layer_refuses_on_its_own(seeded: Store, text: str, named: str):
    before = _count(seeded)
    summary = seeded.explain(cypherlib.parse(text, name="mine"))
    with pytest.raises(InputError, match="refused") as refused:
        guard.check_plan(summary.query_type, summary.plan, "mine")
    assert named in str(refused.value)
    assert _count(seeded) == before and _users(seeded) == ["neo4j"]


@pytest.mark.parametrize("query", queries.list_queries(), ids=lambda q: q.name)
def test_explain_layer_passes_every_library_query(seeded: Store, query: cypherlib.Query):
    summary = seeded.explain(query, query.bind(queries.example_params(query)))
    guard.check_plan(summary.query_type, summary.plan, query.name, library=True)


def test_read_only_apoc_functions_run_from_a_file(seeded: Store, cli: CliRunner, tmp_path: Path):
    path = tmp_path / "apoc.cypher"
    path.write_text(
        "MATCH (a:Account) RETURN apoc.text.join([a.id, a.screen_name], '/') AS name, "
        "apoc.coll.sum([1, 2]) AS total, apoc.node.degree(a) AS degree"
    )
    result = _query(cli, "--file", str(path), "-f", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [{"name": "g1/genuine", "total": 3, "degree": 1}]


def test_the_read_transaction_is_the_last_line(seeded: Store):
    with pytest.raises(DatabaseError, match="tries to write, but it runs in a read transaction"):
        seeded.read_values(cypherlib.parse("CREATE (:Pwned) RETURN 1 AS one"), {}, 10)
    assert _count(seeded)["pwned"] == 0


ECHO = """// name: echo
// param: who: string -- an account id
// param: ids: list = [] -- account ids
MATCH (a:Account)
WHERE a.id = $who OR a.id IN $ids
RETURN a.id AS id
UNION ALL
RETURN $who AS id
"""

# Values written to break out of the statement if they were pasted into its text.
HOSTILE_VALUES = [
    "x' OR 1=1 //",
    "g1' OR true WITH a MATCH (n) DETACH DELETE n //",
    '"}) MERGE (:Pwned) //',
    "x\\u0027 }) CREATE (:Pwned) //",
    "$who",
    "'; CREATE USER mallory SET PASSWORD 'secret123'; //",
]


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_param_values_travel_only_as_parameters(
    seeded: Store, cli: CliRunner, tmp_path: Path, value: str
):
    before = _count(seeded)
    path = tmp_path / "echo.cypher"
    path.write_text(ECHO)
    result = _query(
        cli, "--file", str(path), "-p", f"who={value}", "-p", f"ids={value},g0", "-f", "json"
    )
    assert result.exit_code == 0, result.output
    # no account matched, and the value came back to the letter
    assert json.loads(result.stdout) == [{"id": value}]
    assert _count(seeded) == before and _users(seeded) == ["neo4j"]
