"""The read-only guard of `tierscope query`, on statement text alone (no server)."""

from pathlib import Path

import pytest
from neo4j.exceptions import ServiceUnavailable

from tierscope.graphdb import guard, queries
from tierscope.graphdb.errors import InputError
from tierscope.graphdb.server import free_ports
from tierscope.graphdb.settings import Connection
from tierscope.graphdb.store import Store

# (statement, what the one-line message must name)
REFUSED = [
    # writes, also inside CALL { } and scoped CALL () { }
    ("CALL { CREATE (n:X) }", "refused CREATE"),
    ("MATCH (a) CALL { WITH a MERGE (a)-[:R]->(:B) } RETURN a", "refused MERGE"),
    ("CALL () { MATCH (n) SET n.x = 1 } RETURN 1", "refused SET"),
    ("CALL { MATCH (n) DELETE n }", "refused DELETE"),
    ("CALL { MATCH (n) DETACH DELETE n }", "refused DETACH DELETE"),
    ("CALL { UNWIND [1] AS x FOREACH (y IN [x] | CREATE (:A)) }", "refused FOREACH"),
    ("MATCH (n) REMOVE n.x", "refused REMOVE"),
    ("INSERT (n:X)", "refused INSERT"),
    ("MATCH (n) RETURN n; CREATE (m)", "refused CREATE"),
    ("match (n) set n.x = 1", "refused SET"),
    # LOAD CSV reads the server's files and any URL
    ("LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line", "refused LOAD CSV"),
    ("CALL { LOAD CSV WITH HEADERS FROM 'http://x.example/a.csv' AS r RETURN r } RETURN r", "LOAD"),
    # procedures that write or administer, and any not on the list
    ("CALL db.createLabel('X')", "refused CALL db.createLabel"),
    ("CALL db.createProperty('x')", "refused CALL db.createProperty"),
    ("CALL db.index.fulltext.drop('i')", "refused CALL db.index.fulltext.drop"),
    ("CALL db.clearQueryCaches()", "refused CALL db.clearQueryCaches"),
    ("CALL dbms.listConfig()", "refused CALL dbms.listConfig"),
    ("CALL dbms.security.createUser('x', 'y')", "refused CALL dbms.security.createUser"),
    ("CALL dbms.components() YIELD name RETURN name", "refused CALL dbms.components"),
    ("CALL apoc.create.node(['X'], {})", "refused CALL apoc.create.node"),
    ("CALL apoc.load.json('file:///etc/passwd')", "refused CALL apoc.load.json"),
    # GDS: every mode but stream and stats, and the catalog (projections only from the library)
    ("CALL gds.wcc.write('g', {writeProperty: 'c'})", "refused CALL gds.wcc.write"),
    ("CALL gds.leiden.mutate('g', {mutateProperty: 'c'})", "refused CALL gds.leiden.mutate"),
    ("CALL gds.graph.nodeProperties.write('g', ['c'])", "gds.graph.nodeProperties.write"),
    ("CALL gds.graph.export('g', {dbName: 'copy'})", "refused CALL gds.graph.export"),
    ("CALL gds.graph.export.csv('g', {exportName: 'x'})", "refused CALL gds.graph.export.csv"),
    ("CALL gds.graph.filter('h', 'g', '*', '*')", "refused CALL gds.graph.filter"),
    ("CALL gds.graph.project('g', 'Account', '*')", "refused CALL gds.graph.project"),
    ("CALL gds.graph.drop('g')", "refused CALL gds.graph.drop: GDS graphs are projected"),
    ("MATCH (a)-->(b) RETURN gds.graph.project('g', a, b)", "refused function gds.graph.project"),
    # APOC: what writes, runs Cypher, reads files or URLs, exports or schedules
    ("CALL apoc.periodic.iterate('MATCH (n) RETURN n', 'DELETE n', {})", "apoc.periodic.iterate"),
    ("CALL apoc.cypher.run('MATCH (n) RETURN n', {})", "refused CALL apoc.cypher.run"),
    ("CALL apoc.export.csv.all('all.csv', {})", "refused CALL apoc.export.csv.all"),
    ("CALL apoc.refactor.rename.label('A', 'B')", "refused CALL apoc.refactor.rename.label"),
    ("CALL apoc.coll.zipToRows([1], [2])", "refused CALL apoc.coll.zipToRows"),
    ("RETURN apoc.cypher.runFirstColumnSingle('RETURN 1', {})", "refused function apoc.cypher"),
    ("RETURN apoc.cypher.runFirstColumnMany('LOAD CSV FROM $u AS l RETURN l', {})", "apoc.cypher"),
    ("RETURN `apoc.cypher.runFirstColumnSingle`('RETURN 1', {})", "refused function apoc.cypher"),
    ("RETURN apoc . cypher /* x */ . runFirstColumnSingle('RETURN 1')", "function apoc.cypher"),
    ("RETURN apoc.xml.parse('<!DOCTYPE x>')", "refused function apoc.xml.parse"),
    ("RETURN [x IN [1] | apoc.util.sleep(x)]", "refused function apoc.util.sleep"),
    ("RETURN my.own.function(1)", "refused function my.own.function"),
    ("CALL { CALL db.createLabel('X') }", "refused CALL db.createLabel"),
    ("OPTIONAL CALL db.createLabel('X')", "refused CALL db.createLabel"),
    ("CALL `db`.`createLabel`('X')", "refused CALL db.createLabel"),
    ("CALL db . createLabel('X')", "refused CALL db.createLabel"),
    ("CALL db./* hidden */createLabel('X')", "refused CALL db.createLabel"),
    # another database, or the system one
    ("USE system SHOW USERS", "refused USE system"),
    ("USE system MATCH (n) RETURN n", "refused USE system"),
    ("CALL { USE neo4j MATCH (n) RETURN n } RETURN n", "refused USE neo4j"),
    # administration and schema commands
    ("CREATE USER mallory SET PASSWORD 'secret123'", "refused CREATE USER"),
    ("CREATE OR REPLACE DATABASE x", "refused CREATE OR"),
    ("CREATE INDEX i FOR (n:A) ON (n.x)", "refused CREATE INDEX"),
    ("CREATE TEXT INDEX i FOR (n:A) ON (n.x)", "refused CREATE TEXT"),
    ("DROP INDEX i", "refused DROP INDEX"),
    ("ALTER USER neo4j SET PASSWORD 'x'", "refused ALTER USER"),
    ("GRANT ROLE admin TO mallory", "refused GRANT ROLE"),
    ("SHOW USERS", "refused SHOW USERS"),
    ("SHOW TRANSACTIONS", "refused SHOW TRANSACTIONS"),
    ("TERMINATE TRANSACTIONS 'neo4j-transaction-1'", "refused TERMINATE TRANSACTIONS"),
    ("STOP DATABASE neo4j", "refused STOP DATABASE"),
    ("CYPHER 5 SHOW USERS", "refused SHOW USERS"),
    # plans, not rows
    ("EXPLAIN MATCH (n) RETURN n", "refused EXPLAIN"),
    ("CYPHER runtime=slotted PROFILE MATCH (n) RETURN n", "refused PROFILE"),
    # Neo4j decodes \\u escapes before reading the statement, strings and comments included
    ("CR\\u0045ATE (n)", "refused CREATE"),
    ("LO\\u0041D CSV FROM 'file:///etc/passwd' AS l RETURN l", "refused LOAD CSV"),
    ("RETURN 'x\\u0027 AS a MERGE (n) RETURN 1 //'", "refused MERGE"),
    ("MATCH (n) RETURN n //\\u000aDETACH DELETE n", "refused DETACH DELETE"),
    ("RETURN '\\\\\\u0027 AS a MERGE (n) RETURN 1 //'", "refused MERGE"),
]

ALLOWED = [
    # write words as labels, types, properties, map keys, quoted names, strings, comments
    "MATCH (n:Set) RETURN n",
    "MATCH (n) RETURN n.set AS a, n.delete AS b, n.create",
    "MATCH (a)-[:CREATE|`DELETE`]->(b) RETURN b",
    "RETURN {create: 1, set: 2, load: 3} AS m",
    "MATCH (`SET`) RETURN `SET`",
    "RETURN 'CREATE (n) SET n.x = 1; LOAD CSV' AS text // DELETE everything",
    'RETURN "MERGE \\" DELETE" AS text',
    "/* CALL dbms.listConfig() */ RETURN 1",
    "RETURN $create AS value",
    # an escaped backslash is no \\u escape: the string stays whole
    "RETURN '\\\\u0027 AS a, MERGE' AS text",
    # read-only procedures, subqueries and CYPHER options
    "CALL db.labels()",
    "CALL db.labels() YIELD label RETURN label ORDER BY label",
    "CALL db.schema.visualization()",
    "CALL { MATCH (n) RETURN n } RETURN count(n)",
    "MATCH (a) CALL (a) { MATCH (a)--(b) RETURN b } RETURN a, b",
    "CYPHER 5 runtime=slotted MATCH (n) RETURN n",
    "MATCH (n) RETURN COUNT { (n)--() } AS degree, EXISTS { (n)-->() } AS out",
    # GDS's stream and stats modes, and its helpers; APOC's read-only functions; Cypher's own
    # namespaced functions
    "CALL gds.leiden.stream('g', {randomSeed: 1}) YIELD nodeId, communityId RETURN communityId",
    "CALL gds.wcc.stats('g') YIELD componentCount RETURN componentCount",
    "CALL gds.graph.nodeProperty.stream('g', 'c')",
    "CALL gds.graph.list() YIELD graphName RETURN graphName",
    "MATCH (a) RETURN gds.util.asNode(id(a)).id, gds.similarity.jaccard([1], [1]), gds.version()",
    "RETURN apoc.text.join(['a', 'b'], '-') AS s, apoc.coll.sum([1, 2]), apoc.map.merge({}, {})",
    "MATCH (a) RETURN apoc.agg.median(a.followers), apoc.node.degree(a)",
    "RETURN date.truncate('day', date()), duration.between(date(), date()), point.distance(p, q)",
    "RETURN datetime.fromepochmillis(0), vector.similarity.cosine([1.0], [1.0])",
    "RETURN count(x), toUpper('a'), coalesce(n.x, 1)",
    # words that are keywords only at the start of a command, and LOAD without CSV
    "WITH 1 AS start, 2 AS stop, 3 AS show, 4 AS load RETURN start, stop, show, load",
]


@pytest.mark.parametrize(("statement", "named"), REFUSED, ids=[s for s, _ in REFUSED])
def test_refused_with_one_clear_line(statement: str, named: str):
    with pytest.raises(InputError) as refused:
        guard.check_text(statement, "mine.cypher")
    message = str(refused.value)
    assert message.startswith("mine.cypher: refused ")
    assert named in message
    assert "\n" not in message


def test_refused_before_anything_is_sent(tmp_path: Path):
    """Through a store with no server behind it: any statement sent would fail to connect, so
    the guard's InputError shows that nothing was."""
    (port,) = free_ports(1)
    nowhere = Connection(f"bolt://127.0.0.1:{port}", "neo4j", "x", None, managed=False)
    with Store(nowhere) as store:
        with pytest.raises(ServiceUnavailable):
            store.driver.verify_connectivity()
        for n, (statement, named) in enumerate(REFUSED):
            path = tmp_path / f"q{n}.cypher"
            path.write_text(statement)
            with pytest.raises(InputError, match=named):
                queries.run_query(store, None, path)


@pytest.mark.parametrize("statement", ALLOWED)
def test_reads_pass(statement: str):
    guard.check_text(statement)


@pytest.mark.parametrize("query", queries.list_queries(), ids=lambda q: q.name)
def test_every_library_query_passes(query):
    guard.check_text(query.text, query.name, library=True)


def test_every_allowed_procedure_and_function_passes():
    for name in guard.ALLOWED_PROCEDURES:
        guard.check_text(f"CALL {name.replace('*', 'any')}()")
    for name in guard.ALLOWED_FUNCTIONS:
        guard.check_text(f"RETURN {name.replace('*', 'any')}(1)")


@pytest.mark.parametrize(
    "statement",
    [
        "MATCH (a)-->(b) RETURN gds.graph.project('g', a, b) AS g",
        "CALL gds.graph.project('g', 'Account', '*')",
        "CALL gds.graph.drop('g', false) YIELD graphName RETURN graphName",
    ],
)
def test_only_library_queries_project_and_drop_gds_graphs(statement: str):
    with pytest.raises(InputError, match="gds_project and gds_drop queries only"):
        guard.check_text(statement, "mine.cypher")
    guard.check_text(statement, "gds_project", library=True)


def test_library_queries_may_not_write_with_gds_either():
    for statement in (
        "CALL gds.wcc.write('g', {writeProperty: 'c'})",
        "CALL gds.graph.export('g')",
    ):
        with pytest.raises(InputError, match="refused CALL gds"):
            guard.check_text(statement, "gds_project", library=True)


def test_library_gds_queries_are_the_ones_that_project():
    """Only gds_project and gds_drop use the library's exception; no other query needs it."""
    needing = []
    for query in queries.list_queries():
        try:
            guard.check_text(query.text, query.name)
        except InputError:
            needing.append(query.name)
    assert needing == ["gds_drop", "gds_project"]


def test_tokens_set_aside_comments_strings_and_quoted_names():
    toks = guard.tokens("MATCH (`a b`) // SET\nRETURN 'DELETE', $p /* x */")
    assert [(t.kind, t.text) for t in toks] == [
        ("word", "MATCH"),
        ("other", "("),
        ("quoted", "a b"),
        ("other", ")"),
        ("word", "RETURN"),
        ("string", "'DELETE'"),
        ("other", ","),
        ("param", "$p"),
    ]


PLAN_READ = {
    "operatorType": "ProduceResults@neo4j",
    "args": {"Details": "label"},
    "children": [
        {"operatorType": "ProcedureCall@neo4j", "args": {"Details": "db.labels() :: (label)"}}
    ],
}


def _plan(operator: str, details: str = "") -> dict:
    return {
        "operatorType": "ProduceResults@neo4j",
        "children": [{"operatorType": operator, "args": {"Details": details}}],
    }


def test_plan_check_passes_a_plain_read():
    guard.check_plan("r", PLAN_READ)


@pytest.mark.parametrize(
    ("query_type", "plan", "named"),
    [
        ("w", _plan("Create@neo4j"), "plans as a write"),
        ("rw", _plan("SetProperty@neo4j"), "plans as a read and write"),
        ("s", _plan("CreateIndex@neo4j"), "plans as a schema or DBMS change"),
        ("r", _plan("LoadCSV@neo4j", "l"), "refused LOAD CSV"),
        ("r", _plan("TerminateTransactions@neo4j"), "TerminateTransactions"),
        ("r", _plan("ShowTransactions@neo4j"), "ShowTransactions"),
        ("r", _plan("ProcedureCall@neo4j", "apoc.load.json($x) :: (value)"), "apoc.load.json"),
        # GDS plans mutate, export and drop as reads: the names decide
        ("r", _plan("ProcedureCall@neo4j", "gds.wcc.mutate($g, $c) :: (x)"), "gds.wcc.mutate"),
        ("r", _plan("ProcedureCall@neo4j", "gds.graph.export($g, $c) :: (x)"), "gds.graph.export"),
        ("r", _plan("ProcedureCall@neo4j", "gds.graph.drop($g) :: (x)"), "gds.graph.drop"),
        (
            "r",
            _plan("EagerAggregation@neo4j", "gds.graph.project($g, a, b) AS g"),
            "function gds.graph.project",
        ),
        (
            "r",
            _plan("Projection@neo4j", "apoc.cypher.runFirstColumnSingle($q, $p) AS x"),
            "function apoc.cypher.runFirstColumnSingle",
        ),
        (
            "r",
            _plan("ProcedureCall@neo4j", "gds.wcc.stream(apoc.cypher.runFirstColumnSingle($q))"),
            "function apoc.cypher.runFirstColumnSingle",
        ),
        (None, None, "plans as type None"),
    ],
)
def test_plan_check_refuses(query_type, plan, named: str):
    with pytest.raises(InputError, match="refused") as refused:
        guard.check_plan(query_type, plan, "mine.cypher")
    assert named in str(refused.value)


def test_plan_check_passes_gds_streams_and_read_only_functions():
    plan = {
        "operatorType": "ProduceResults@neo4j",
        "children": [
            {
                "operatorType": "Projection@neo4j",
                "args": {"Details": "gds.util.asNode(nodeId).id AS id, apoc.text.join(x, $s)"},
                "children": [
                    {
                        "operatorType": "ProcedureCall@neo4j",
                        "args": {"Details": "gds.wcc.stream($g) :: (nodeId :: INTEGER)"},
                    }
                ],
            }
        ],
    }
    guard.check_plan("r", plan)
    library = _plan("EagerAggregation@neo4j", "gds.graph.project($g, a, b) AS g")
    guard.check_plan("r", library, "gds_project", library=True)
