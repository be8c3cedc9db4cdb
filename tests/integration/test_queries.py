"""Every analyst query on a small hand-made graph whose answers are known row by row.

The seed is a miniature of what loading and detection write: 13 accounts (two principals,
two cores of three, four amplifiers, one genuine user), 26 posts, all on 2020-03-01 but one
in 2013, two finished detection runs r1 and r2 that differ on purpose, and an unfinished r3
that `latest` must skip. In r1 both communities are flagged and form operation 1; in r2
community 2 is not flagged, amp_old (a3) has gone and core_six (c6) is an amplifier.
"""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from tierscope.cli.main import app
from tierscope.graphdb import cypherlib, queries
from tierscope.graphdb.detect.analyze import DetectParams, analyze
from tierscope.graphdb.detect.run import detect, read_inputs
from tierscope.graphdb.errors import DatabaseError, InputError
from tierscope.graphdb.generate import generate
from tierscope.graphdb.load import load
from tierscope.graphdb.store import Store

SEED = """
UNWIND [
  ['p1', 'minister', '2010-01-01T00:00:00Z', 'en', 90000],
  ['p2', 'statemedia', '2011-01-01T00:00:00Z', 'ru', 50000],
  ['c1', 'core_one', '2019-12-01T10:00:00Z', 'en', 120],
  ['c2', 'core_two', '2019-12-01T11:00:00Z', 'en', 110],
  ['c3', 'core_three', '2019-12-01T12:00:00Z', 'en', 100],
  ['c4', 'core_four', '2019-12-05T10:00:00Z', 'ru', 90],
  ['c5', 'core_five', '2019-12-05T11:00:00Z', 'ru', 80],
  ['c6', 'core_six', '2019-12-06T10:00:00Z', 'ru', 70],
  ['a1', 'amp_one', '2020-01-10T10:00:00Z', 'en', 5],
  ['a2', 'amp_two', '2020-01-10T11:00:00Z', 'en', 4],
  ['a3', 'amp_old', '2012-06-01T00:00:00Z', 'en', 300],
  ['a4', 'amp_four', '2016-01-11T00:00:00Z', 'ru', 3],
  ['g1', 'genuine', '2015-05-05T00:00:00Z', 'en', 250]
] AS r
CREATE (:Account {id: r[0], screen_name: r[1], created_at: datetime(r[2]), lang: r[3],
                  followers: r[4]});

UNWIND [
  ['P1', 'p1', '2020-03-01T10:00:00Z', 'en', 'Vote for us', null, null],
  ['R1a', 'c1', '2020-03-01T10:01:00Z', 'en', null, 'RETWEET_OF', 'P1'],
  ['R1b', 'c2', '2020-03-01T10:01:00Z', 'en', null, 'RETWEET_OF', 'P1'],
  ['R1c', 'c3', '2020-03-01T10:02:00Z', 'en', null, 'RETWEET_OF', 'P1'],
  ['R1d', 'c4', '2020-03-01T10:05:00Z', 'en', null, 'RETWEET_OF', 'P1'],
  ['R1e', 'g1', '2020-03-01T14:00:00Z', 'en', null, 'RETWEET_OF', 'P1'],
  ['P2', 'c1', '2020-03-01T10:30:00Z', 'en', 'Freedom now #vote', null, null],
  ['R2a', 'a1', '2020-03-01T10:31:00Z', 'en', null, 'RETWEET_OF', 'P2'],
  ['R2b', 'a2', '2020-03-01T10:31:00Z', 'en', null, 'RETWEET_OF', 'P2'],
  ['R2c', 'a3', '2020-03-01T10:32:00Z', 'en', null, 'RETWEET_OF', 'P2'],
  ['P3', 'p2', '2020-03-01T11:00:00Z', 'ru', 'Official news', null, null],
  ['R3a', 'c4', '2020-03-01T11:01:00Z', 'ru', null, 'RETWEET_OF', 'P3'],
  ['R3b', 'c5', '2020-03-01T11:01:00Z', 'ru', null, 'RETWEET_OF', 'P3'],
  ['R3c', 'c6', '2020-03-01T11:02:00Z', 'ru', null, 'RETWEET_OF', 'P3'],
  ['P4', 'c4', '2020-03-01T11:30:00Z', 'ru', 'Freedom now', null, null],
  ['R4a', 'a4', '2020-03-01T11:31:00Z', 'ru', null, 'RETWEET_OF', 'P4'],
  ['R4b', 'c1', '2020-03-01T11:40:00Z', 'ru', null, 'RETWEET_OF', 'P4'],
  ['P5', 'c2', '2020-03-01T12:00:00Z', 'en', 'Vote', null, null],
  ['R5a', 'a1', '2020-03-01T12:01:00Z', 'en', null, 'RETWEET_OF', 'P5'],
  ['R5c', 'c1', '2020-03-01T12:02:00Z', 'en', null, 'RETWEET_OF', 'P5'],
  ['R5b', 'c5', '2020-03-01T12:03:00Z', 'en', null, 'RETWEET_OF', 'P5'],
  ['P6', 'g1', '2020-03-01T13:00:00Z', 'en', 'Really?', 'REPLY_TO', 'P1'],
  ['Q1', 'a2', '2020-03-01T13:30:00Z', 'en', 'Agreed', 'QUOTES', 'P2'],
  ['P8', 'c1', '2020-03-01T15:00:00Z', 'en', 'More freedom', null, null],
  ['R8a', 'a1', '2020-03-01T15:02:00Z', 'en', null, 'RETWEET_OF', 'P8'],
  ['P0', 'a3', '2013-05-01T09:00:00Z', 'en', 'hello world', null, null]
] AS r
MATCH (a:Account {id: r[1]})
CREATE (a)-[:POSTED]->(p:Post {id: r[0], created_at: datetime(r[2]), lang: r[3]})
SET p.text = r[4]
WITH p, r WHERE r[5] IS NOT NULL
MATCH (o:Post {id: r[6]})
FOREACH (_ IN CASE r[5] WHEN 'RETWEET_OF' THEN [1] ELSE [] END | CREATE (p)-[:RETWEET_OF]->(o))
FOREACH (_ IN CASE r[5] WHEN 'REPLY_TO' THEN [1] ELSE [] END | CREATE (p)-[:REPLY_TO]->(o))
FOREACH (_ IN CASE r[5] WHEN 'QUOTES' THEN [1] ELSE [] END | CREATE (p)-[:QUOTES]->(o));

UNWIND [['P1', 'vote'], ['P2', 'vote'], ['P2', 'freedom'], ['P3', 'news'], ['P4', 'freedom'],
        ['P5', 'vote'], ['P8', 'freedom']] AS r
MATCH (p:Post {id: r[0]})
MERGE (h:Hashtag {tag: r[1]})
CREATE (p)-[:TAGS]->(h);

UNWIND [['P1', 'http://x.example/a'], ['P2', 'http://news.example/1'],
        ['P5', 'http://x.example/a']] AS r
MATCH (p:Post {id: r[0]})
MERGE (u:Url {url: r[1]})
CREATE (p)-[:LINKS]->(u);

MATCH (p:Post {id: 'P6'}), (a:Account {id: 'c1'}) CREATE (p)-[:MENTIONS]->(a);

UNWIND [
  ['r1', '2020-04-01T00:00:00Z', '2020-04-01T00:05:00Z'],
  ['r2', '2020-05-01T00:00:00Z', '2020-05-01T00:05:00Z'],
  ['r3', '2020-06-01T00:00:00Z', null]
] AS r
CREATE (run:DetectionRun {id: r[0], kind: 'co-retweet', params: '{"window": 60}',
                          started_at: datetime(r[1])})
SET run.finished_at = datetime(r[2]);

UNWIND [
  ['r1', 1, 1, true, 3.2, 1, 2.5, 1.0, 60.0, 0.33, 0.5, 'en', 1.0, 0.0],
  ['r1', 2, 1, true, 2.1, 2, 2.0, 0.0, 60.0, 0.0, 0.5, 'ru', 1.0, 0.0],
  ['r2', 1, 1, true, 2.5, 1, 2.5, 1.0, 60.0, 0.0, 0.5, 'en', 1.0, 0.0],
  ['r2', 2, 2, false, 1.0, 2, 2.0, 0.0, 60.0, 0.0, 0.5, 'ru', 1.0, 0.0],
  ['r3', 1, 1, false, 0.0, 1, 0.0, 0.0, 0.0, 0.0, 0.0, 'en', 1.0, 0.0]
] AS r
MATCH (run:DetectionRun {id: r[0]})
CREATE (run)-[:FOUND]->(:Community {
  run: r[0], id: r[1], operation_id: r[2], flagged: r[3], score: r[4], rank: r[5],
  synchrony: r[6], creation_burst: r[7], median_reaction_s: r[8], dormant_share: r[9],
  duplicate_text_share: r[10], lang_top: r[11], lang_top_share: r[12], lang_entropy: r[13],
  ties: 3, p_coordination: 0.001, p_structure: 0.01, p_creation: 0.5, p_inauthentic: 0.04,
  p_flag: 0.001, q_flag: 0.002, reason: 'flagged: coordinated beyond chance (p=0.001)'});

UNWIND [
  ['r1', 'p1', 1, 'principal'], ['r1', 'c1', 1, 'core'], ['r1', 'c2', 1, 'core'],
  ['r1', 'c3', 1, 'core'], ['r1', 'a1', 1, 'amplifier'], ['r1', 'a2', 1, 'amplifier'],
  ['r1', 'a3', 1, 'amplifier'], ['r1', 'p2', 2, 'principal'], ['r1', 'c4', 2, 'core'],
  ['r1', 'c5', 2, 'core'], ['r1', 'c6', 2, 'core'], ['r1', 'a4', 2, 'amplifier'],
  ['r2', 'p1', 1, 'principal'], ['r2', 'c1', 1, 'core'], ['r2', 'c2', 1, 'core'],
  ['r2', 'c3', 1, 'core'], ['r2', 'a1', 1, 'amplifier'], ['r2', 'a2', 1, 'amplifier'],
  ['r2', 'p2', 2, 'principal'], ['r2', 'c4', 2, 'core'], ['r2', 'c5', 2, 'core'],
  ['r2', 'c6', 2, 'amplifier'], ['r2', 'a4', 2, 'amplifier'],
  ['r3', 'c1', 1, 'core']
] AS r
MATCH (a:Account {id: r[1]})
MATCH (c:Community {run: r[0], id: r[2]})
CREATE (a)-[:IN_COMMUNITY {run: r[0], tier: r[3], operation_id: c.operation_id,
                           flagged: c.flagged AND r[3] <> 'principal',
                           internal_share: 0.5, synchrony: 2.0, in_strength: 1.0,
                           out_strength: 1.0}]->(c);

UNWIND [['r1', 2, 1, 2, 2, 0.01], ['r1', 1, 2, 1, 1, 0.2], ['r2', 2, 1, 2, 2, 0.01]] AS r
MATCH (s:Community {run: r[0], id: r[1]}), (t:Community {run: r[0], id: r[2]})
CREATE (s)-[:FEEDS {run: r[0], weight: r[3], feeders: r[4], p_value: r[5]}]->(t);

UNWIND [
  ['r2@2020-04-27', 1, '2020-04-27T00:00:00Z', '2020-05-04T00:00:00Z', 3, 0, ['appears']],
  ['r2@2020-05-04', 1, '2020-05-04T00:00:00Z', '2020-05-11T00:00:00Z', 5, 2, ['grows']]
] AS w
MATCH (run:DetectionRun {id: 'r2'})
CREATE (run)-[:WINDOW]->(:Community {
  run: w[0], id: w[1], history: 'r2', lead: true, operation_track: true, track: 1,
  window_start: datetime(w[2]), window_end: datetime(w[3]), flagged: true, op_size: w[4],
  op_principals: 1, op_core: 2, op_amplifiers: w[4] - 3, op_newcomers: w[5], events: w[6]});

MATCH (a:Community {run: 'r2@2020-04-27', id: 1}), (b:Community {run: 'r2@2020-05-04', id: 1})
CREATE (a)-[:CONTINUES {run: 'r2', jaccard: 0.6, continues: true}]->(b);

UNWIND [
  ['r1', 'c1', 'c2', 1, 0.0], ['r1', 'c1', 'c3', 1, 60.0], ['r1', 'c2', 'c3', 1, 60.0],
  ['r1', 'c4', 'c5', 1, 0.0], ['r1', 'c4', 'c6', 1, 60.0], ['r1', 'c5', 'c6', 1, 60.0],
  ['r1', 'a1', 'a2', 1, 0.0], ['r2', 'c1', 'c2', 2, 30.0]
] AS r
MATCH (a:Account {id: r[1]}), (b:Account {id: r[2]})
CREATE (a)-[:COORDINATED_WITH {run: r[0], kind: 'co-retweet', weight: r[3], mean_delta: r[4]}]->(b)
"""


DROP_GDS_GRAPHS = """
CALL gds.graph.list() YIELD graphName
CALL gds.graph.drop(graphName) YIELD graphName AS dropped
RETURN count(dropped) AS dropped
"""


@pytest.fixture
def seeded(store: Store) -> Iterator[Store]:
    for statement in cypherlib.parse(SEED, name="seed").statements():
        store.run(cypherlib.parse(statement, name="seed"), mode="write")
    yield store
    store.run(cypherlib.parse(DROP_GDS_GRAPHS, name="drop_gds_graphs"))


def _project_for(store: Store, query: cypherlib.Query) -> None:
    """The other gds_* queries read (or drop) the graph gds_project makes of the same run."""
    if query.name.startswith("gds_") and query.name != "gds_project":
        run = queries.example_params(query).get("run", "latest")
        queries.run_query(store, "gds_project", params={"run": run})


@pytest.fixture
def qcli(cli: CliRunner, seeded: Store) -> CliRunner:
    """The CLI, on the seeded graph."""
    return cli


def invoke(qcli: CliRunner, *args: str) -> Result:
    return qcli.invoke(app, ["query", *args], prog_name="tierscope")


def rows(qcli: CliRunner, name: str, *params: str) -> list[dict[str, Any]]:
    """A query's rows through the CLI as JSON; params are key=value."""
    args = [name, "--format", "json"]
    for p in params:
        args += ["-p", p]
    result = invoke(qcli, *args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert isinstance(data, list)
    return data


def pick(data: list[dict[str, Any]], *columns: str) -> list[tuple[Any, ...]]:
    return [tuple(row[c] for c in columns) for row in data]


# One test per query: the exact rows it returns on the seed.


def test_community_summary(qcli: CliRunner):
    latest = rows(qcli, "community_summary")
    assert [r["run"] for r in latest] == ["r2", "r2"]  # r3 never finished
    r1 = rows(qcli, "community_summary", "run=r1")
    assert pick(r1, "community_id", "operation_id", "rank", "flagged", "size") == [
        (1, 1, 1, True, 7),
        (2, 1, 2, True, 5),
    ]
    assert pick(r1, "principals", "core", "amplifiers") == [(1, 3, 3), (1, 3, 1)]
    assert r1[0] == {
        "run": "r1",
        "community_id": 1,
        "operation_id": 1,
        "rank": 1,
        "flagged": True,
        "score": 3.2,
        "size": 7,
        "principals": 1,
        "core": 3,
        "amplifiers": 3,
        "synchrony": 2.5,
        "creation_burst": 1.0,
        "median_reaction_s": 60.0,
        "dormant_share": 0.33,
        "duplicate_text_share": 0.5,
        "lang_top": "en",
        "lang_top_share": 1.0,
        "lang_entropy": 0.0,
        "ties": 3,
        "p_coordination": 0.001,
        "p_structure": 0.01,
        "p_creation": 0.5,
        "p_reaction": None,  # a test the data could not carry is missing, not zero
        "p_dormancy": None,
        "p_text": None,
        "p_followers": None,
        "p_language": None,
        "p_inauthentic": 0.04,
        "p_flag": 0.001,
        "q_flag": 0.002,
        "reason": "flagged: coordinated beyond chance (p=0.001)",
    }
    flagged = rows(qcli, "community_summary", "run=r2", "flagged_only=true")
    assert pick(flagged, "community_id", "size", "core", "amplifiers") == [(1, 6, 3, 2)]


def test_core_feeders(qcli: CliRunner):
    data = rows(qcli, "core_feeders", "run=r1", "community=1")
    assert pick(data, "account_id", "home_community", "own_core", "retweets", "accounts_fed") == [
        ("c1", 1, True, 2, 2),  # retweets minister and core_two
        ("c2", 1, True, 1, 1),
        ("c3", 1, True, 1, 1),
        ("c4", 2, False, 1, 1),  # community 2's core retweets minister
        ("c5", 2, False, 1, 1),  # and core_two
    ]
    feeding_two = rows(qcli, "core_feeders", "run=r1", "community=2")
    assert pick(feeding_two, "account_id", "home_community", "own_core", "retweets") == [
        ("c1", 1, False, 1),  # core_one retweets core_four
        ("c4", 2, True, 1),
        ("c5", 2, True, 1),
        ("c6", 2, True, 1),
    ]


def test_amplifier_fanout(qcli: CliRunner):
    data = rows(qcli, "amplifier_fanout", "account=core_one", "run=r1")
    assert pick(data, "account_id", "community_id", "retweets", "posts_retweeted") == [
        ("a1", 1, 2, 2),
        ("a2", 1, 1, 1),
        ("a3", 1, 1, 1),
    ]
    assert pick(data, "median_delay_s", "first_retweet", "last_retweet") == [
        (90.0, "2020-03-01T10:31:00Z", "2020-03-01T15:02:00Z"),
        (60.0, "2020-03-01T10:31:00Z", "2020-03-01T10:31:00Z"),
        (120.0, "2020-03-01T10:32:00Z", "2020-03-01T10:32:00Z"),
    ]
    # By id as well as screen name; in r2 amp_old is no longer an amplifier.
    assert [r["account_id"] for r in rows(qcli, "amplifier_fanout", "account=c1")] == ["a1", "a2"]


def test_principals_ranked(qcli: CliRunner):
    r1 = rows(qcli, "principals_ranked", "run=r1")
    columns = ("account_id", "posts", "retweets", "flagged_retweets", "community_retweets")
    assert pick(r1, *columns, "amplification_share") == [
        ("p2", 1, 3, 3, 3, 1.0),
        ("p1", 1, 5, 4, 3, 0.8),  # genuine's retweet is not the operation's
    ]
    r2 = rows(qcli, "principals_ranked")  # community 2 is not flagged in r2
    assert pick(r2, "account_id", "flagged_retweets", "amplification_share") == [
        ("p1", 3, 0.6),
        ("p2", 0, 0.0),
    ]


def test_amplification_paths(qcli: CliRunner):
    data = rows(qcli, "amplification_paths", "account=amp_one", "run=r1")
    assert pick(data, "path", "amplifier_retweets", "core_retweets", "strength") == [
        (["amp_one", "core_one", "minister"], 2, 1, 1),
        (["amp_one", "core_two", "minister"], 1, 1, 1),
    ]
    across = rows(qcli, "amplification_paths", "account=a4", "run=r1")
    assert pick(across, "core_id", "core_community", "principal_id", "principal_community") == [
        ("c4", 2, "p1", 1),
        ("c4", 2, "p2", 2),
    ]
    one = rows(qcli, "amplification_paths", "account=a4", "run=r1", "principal=statemedia")
    assert pick(one, "principal_id") == [("p2",)]


def test_feeds_flow(qcli: CliRunner):
    r1 = rows(qcli, "feeds_flow", "run=r1")
    assert r1 == [
        {
            "source_community": 2,
            "source_operation": 1,
            "source_flagged": True,
            "target_community": 1,
            "target_operation": 1,
            "target_flagged": True,
            "weight": 2,
            "share_of_source": 1.0,
            "same_operation": True,
            "feeders": 2,
            "p_value": 0.01,
        },
        {
            "source_community": 1,
            "source_operation": 1,
            "source_flagged": True,
            "target_community": 2,
            "target_operation": 1,
            "target_flagged": True,
            "weight": 1,
            "share_of_source": 1.0,
            "same_operation": True,
            "feeders": 1,
            "p_value": 0.2,
        },
    ]
    r2 = rows(qcli, "feeds_flow")
    assert pick(r2, "source_community", "target_community", "weight", "same_operation") == [
        (2, 1, 2, False)
    ]


def test_post_burst(qcli: CliRunner):
    data = rows(qcli, "post_burst", "post=P1", "run=r1")
    columns = ("burst", "burst_size", "position", "account_id", "retweeted_at")
    assert pick(data, *columns) == [
        (1, 3, 1, "c1", "2020-03-01T10:01:00Z"),
        (1, 3, 2, "c2", "2020-03-01T10:01:00Z"),
        (1, 3, 3, "c3", "2020-03-01T10:02:00Z"),
    ]
    assert pick(data, "seconds_after_post", "seconds_after_previous", "tier", "community_id") == [
        (60, None, "core", 1),
        (60, 0, "core", 1),
        (120, 60, "core", 1),
    ]
    every = rows(qcli, "post_burst", "post=P1", "min_burst=1", "run=r1")
    assert pick(every, "burst", "burst_size", "account_id", "seconds_after_previous", "tier") == [
        (1, 3, "c1", None, "core"),
        (1, 3, "c2", 0, "core"),
        (1, 3, "c3", 60, "core"),
        (2, 1, "c4", 180, "core"),
        (3, 1, "g1", 14100, None),
    ]
    wider = rows(qcli, "post_burst", "post=P1", "window=180")
    assert pick(wider, "burst_size", "account_id") == [(4, a) for a in ("c1", "c2", "c3", "c4")]
    assert rows(qcli, "post_burst", "post=no-such-post") == []


def test_creation_bursts(qcli: CliRunner):
    data = rows(qcli, "creation_bursts", "run=r1")
    assert data == [
        {
            "community_id": 1,
            "created_on": "2019-12-01",
            "accounts": 3,
            "share_of_community": 0.5,
            "core": 3,
            "amplifiers": 0,
            "screen_names": ["core_one", "core_two", "core_three"],
        },
        {
            "community_id": 1,
            "created_on": "2020-01-10",
            "accounts": 2,
            "share_of_community": pytest.approx(1 / 3),
            "core": 0,
            "amplifiers": 2,
            "screen_names": ["amp_one", "amp_two"],
        },
        {
            "community_id": 2,
            "created_on": "2019-12-05",
            "accounts": 2,
            "share_of_community": 0.5,
            "core": 2,
            "amplifiers": 0,
            "screen_names": ["core_four", "core_five"],
        },
    ]
    three = rows(qcli, "creation_bursts", "run=r1", "community=1", "min_accounts=3")
    assert pick(three, "created_on", "accounts") == [("2019-12-01", 3)]


def test_dormant_candidates(qcli: CliRunner):
    data = rows(qcli, "dormant_candidates", "run=r1")
    assert data == [
        {
            "account_id": "a3",
            "screen_name": "amp_old",
            "tier": "amplifier",
            "community_id": 1,
            "reasons": ["silence"],
            "longest_silence_days": 2496,  # 2013-05-01 09:00 to 2020-03-01 10:32
            "woke_at": "2020-03-01T10:32:00Z",
            "posts_after_silence": 1,
            "days_to_first_post": 334,
            "created_at": "2012-06-01T00:00:00Z",
            "first_post": "2013-05-01T09:00:00Z",
            "posts": 2,
        },
        {
            "account_id": "a4",
            "screen_name": "amp_four",
            "tier": "amplifier",
            "community_id": 2,
            "reasons": ["late start"],
            "longest_silence_days": None,
            "woke_at": None,
            "posts_after_silence": None,
            "days_to_first_post": 1511,  # created 2016-01-11, first post 2020-03-01
            "created_at": "2016-01-11T00:00:00Z",
            "first_post": "2020-03-01T11:31:00Z",
            "posts": 1,
        },
    ]
    both = rows(qcli, "dormant_candidates", "run=r1", "min_days=300", "community=1")
    assert pick(both, "account_id", "reasons") == [("a3", ["silence", "late start"])]
    principals = rows(qcli, "dormant_candidates", "run=r1", "tiers=principal")
    assert pick(principals, "account_id", "days_to_first_post") == [("p1", 3712), ("p2", 3347)]


def test_community_content(qcli: CliRunner):
    data = rows(qcli, "community_content", "run=r1", "community=1")
    assert pick(data, "kind", "value", "posts", "accounts") == [
        ("hashtag", "#vote", 10, 6),
        ("hashtag", "#freedom", 7, 4),
        ("url", "http://x.example/a", 6, 4),
        ("url", "http://news.example/1", 4, 4),
    ]
    assert [r["share_of_accounts"] for r in data] == pytest.approx([1.0, 2 / 3, 2 / 3, 2 / 3])
    two = rows(qcli, "community_content", "run=r1", "community=2", "limit=1")
    assert pick(two, "kind", "value", "posts", "accounts") == [("hashtag", "#news", 3, 3)]


def test_community_timeline(qcli: CliRunner):
    data = rows(qcli, "community_timeline", "run=r1")
    assert data == [
        {
            "day": "2013-05-01",
            "posts": 1,
            "retweets": 0,
            "originals": 1,
            "active_accounts": 1,
            "principal_posts": 0,
            "core_posts": 0,
            "amplifier_posts": 1,
        },
        {
            "day": "2020-03-01",
            "posts": 15,
            "retweets": 10,
            "originals": 5,
            "active_accounts": 7,
            "principal_posts": 1,
            "core_posts": 8,
            "amplifier_posts": 6,
        },
    ]
    window = rows(
        qcli,
        "community_timeline",
        "run=r1",
        "since=2020-03-01T10:30:00Z",
        "until=2020-03-01T12:00:00Z",
    )
    # P2, R2a, R2b, R2c, R4b
    assert pick(window, "day", "posts", "retweets", "core_posts", "amplifier_posts") == [
        ("2020-03-01", 5, 4, 2, 3)
    ]


def test_neighbourhood(qcli: CliRunner):
    data = rows(qcli, "neighbourhood", "account=core_one", "run=r1")
    assert pick(data, "hop", "account_id", "relations", "interactions", "via") == [
        (1, "a1", ["retweet"], 2, []),
        (1, "a2", ["retweet", "quote"], 2, []),
        (1, "c2", ["retweet", "coordinated"], 2, []),
        (1, "a3", ["retweet"], 1, []),
        (1, "c3", ["coordinated"], 1, []),
        (1, "c4", ["retweet"], 1, []),
        (1, "g1", ["mention"], 1, []),
        (1, "p1", ["retweet"], 1, []),
        (2, "c5", ["retweet", "coordinated"], 2, ["c2", "c4"]),
        (2, "a4", ["retweet"], 1, ["c4"]),
        (2, "c6", ["coordinated"], 1, ["c4"]),
        (2, "p2", ["retweet"], 1, ["c4"]),
    ]
    assert pick(data[:1] + data[-1:], "tier", "community_id") == [
        ("amplifier", 1),
        ("principal", 2),
    ]
    assert data[6]["tier"] is None  # genuine is in no community
    # r2 has a single coordination edge, c1-c2; expanding from the strongest neighbour only.
    narrow = rows(qcli, "neighbourhood", "account=c1", "expand=1", "limit=100")
    assert pick(narrow, "hop", "account_id") == [
        (1, "a1"),
        (1, "a2"),
        (1, "c2"),
        (1, "a3"),
        (1, "c4"),
        (1, "g1"),
        (1, "p1"),
    ]


def test_compare_runs(qcli: CliRunner):
    expected = [
        ("a3", "gone", "amplifier", None, True, None),
        ("c6", "tier", "core", "amplifier", True, False),
        ("a4", "flag", "amplifier", "amplifier", True, False),
        ("c4", "flag", "core", "core", True, False),
        ("c5", "flag", "core", "core", True, False),
        ("p2", "operation", "principal", "principal", False, False),
    ]
    columns = ("account_id", "change", "tier_a", "tier_b", "flagged_a", "flagged_b")
    assert pick(rows(qcli, "compare_runs"), *columns) == expected  # previous vs latest
    assert pick(rows(qcli, "compare_runs", "run_a=r1", "run_b=r2"), *columns) == expected
    backwards = rows(qcli, "compare_runs", "run_a=latest", "run_b=previous")
    assert pick(backwards, "account_id", "change")[0] == ("a3", "new")
    everyone = rows(qcli, "compare_runs", "changed_only=false")
    assert len(everyone) == 12
    assert {r["change"] for r in everyone[6:]} == {"same"}


def test_runs_and_community_members(qcli: CliRunner):
    listed = rows(qcli, "runs")
    assert pick(listed, "run", "finished_at", "communities", "flagged_communities", "accounts") == [
        ("r3", None, 1, 0, 1),
        ("r2", "2020-05-01T00:05:00Z", 2, 1, 11),
        ("r1", "2020-04-01T00:05:00Z", 2, 2, 12),
    ]
    members = rows(qcli, "community_members", "run=r2", "community=2")
    assert pick(members, "account_id", "tier", "flagged") == [
        ("p2", "principal", False),
        ("c4", "core", False),
        ("c5", "core", False),
        ("a4", "amplifier", False),
        ("c6", "amplifier", False),
    ]
    core = rows(qcli, "community_members", "tiers=core,amplifier", "community=1")
    assert [r["account_id"] for r in core] == ["c1", "c2", "c3", "a1", "a2"]


# Every query as Browser and the examples run it.


@pytest.mark.parametrize("query", queries.list_queries(), ids=lambda q: q.name)
def test_each_file_runs_unchanged_as_browser_runs_it(seeded: Store, query: cypherlib.Query):
    """The whole file, header comments included, with the `:param` values the docs give."""
    assert query.path is not None
    params = query.bind(queries.example_params(query))
    raw = cypherlib.Query(name=query.name, text=query.path.read_text(encoding="utf-8"), mode="read")
    _project_for(seeded, query)
    from_browser = seeded.run(raw, params)
    assert from_browser, f"{query.name}'s example finds nothing on the seed"
    _project_for(seeded, query)
    through_cli = queries.run_query(seeded, query.name, params=queries.example_params(query))
    assert list(from_browser[0]) == through_cli.columns
    assert len(from_browser) == len(through_cli.rows)


@pytest.mark.parametrize("query", queries.list_queries(), ids=lambda q: q.name)
def test_each_example_runs_from_the_cli(qcli: CliRunner, seeded: Store, query: cypherlib.Query):
    _project_for(seeded, query)
    words = query.example.split()
    assert words[:2] == ["tierscope", "query"]
    result = qcli.invoke(app, [*words[1:], "--format", "json"], prog_name="tierscope")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)


# How queries run.


def test_a_write_through_file_fails_read_only_and_writes_nothing(qcli: CliRunner, tmp_path: Path):
    sneaky = tmp_path / "sneaky.cypher"
    sneaky.write_text("MATCH (a:Account {id: 'g1'}) SET a.hacked = true RETURN a.id AS id\n")
    result = invoke(qcli, "--file", str(sneaky))
    assert result.exit_code == 2, result.output
    assert "refused SET: tierscope query only reads the graph" in result.stderr
    declared = tmp_path / "declared.cypher"
    declared.write_text("// mode: write\nCREATE (:Account {id: 'new'})\n")
    result = invoke(qcli, "--file", str(declared))
    assert result.exit_code == 2
    assert "runs read-only queries" in result.stderr
    untouched = invoke(
        qcli,
        "--file",
        str(_file(tmp_path, "MATCH (a:Account) WHERE a.hacked OR a.id = 'new' RETURN a")),
        "-f",
        "json",
    )
    assert json.loads(untouched.stdout) == []


def _file(tmp_path: Path, text: str, name: str = "mine.cypher") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_own_file_with_typed_params(qcli: CliRunner, tmp_path: Path):
    mine = _file(
        tmp_path,
        "// name: busy\n"
        "// param: since: datetime\n"
        "// param: top: int = 2\n"
        "MATCH (a:Account)-[:POSTED]->(p:Post) WHERE p.created_at >= datetime($since)\n"
        "RETURN a.screen_name AS account, count(p) AS posts\n"
        "ORDER BY posts DESC, account LIMIT $top\n",
    )
    result = invoke(qcli, "--file", str(mine), "-p", "since=2020-01-01T00:00:00Z", "-f", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {"account": "core_one", "posts": 5},
        {"account": "amp_one", "posts": 3},
    ]
    missing = invoke(qcli, "--file", str(mine))
    assert missing.exit_code == 2 and "since (datetime) is required" in missing.stderr
    undeclared = invoke(qcli, "--file", str(mine), "-p", "since=2020-01-01", "-p", "x=1")
    assert undeclared.exit_code == 2 and "unknown parameter" in undeclared.stderr


def test_graph_values_come_back_json_friendly(seeded: Store, tmp_path: Path):
    mine = _file(
        tmp_path,
        "MATCH path = (a:Account {id: 'a1'})-[r:POSTED]->(p:Post {id: 'R2a'})-[:RETWEET_OF]->(o)\n"
        "RETURN a, r, path, p.created_at AS at, date(p.created_at) AS day,\n"
        "       duration.between(o.created_at, p.created_at) AS delay\n",
    )
    result = queries.run_query(seeded, None, mine)
    assert result.columns == ["a", "r", "path", "at", "day", "delay"]
    (row,) = result.records()
    assert row["a"] == {
        "id": "a1",
        "screen_name": "amp_one",
        "created_at": "2020-01-10T10:00:00Z",
        "lang": "en",
        "followers": 5,
    }
    assert row["r"] == {"type": "POSTED", "start": "a1", "end": "R2a", "properties": {}}
    assert row["path"] == ["a1", "R2a", "P2"]
    assert (row["at"], row["day"], row["delay"]) == ("2020-03-01T10:31:00Z", "2020-03-01", "PT1M")
    json.dumps(result.records())


def test_limit_truncates_and_says_so(qcli: CliRunner, seeded: Store):
    cut = queries.run_query(seeded, "runs", limit=2)
    assert cut.truncated and [r[0] for r in cut.rows] == ["r3", "r2"]
    whole = queries.run_query(seeded, "runs", limit=3)
    assert not whole.truncated and len(whole.rows) == 3
    result = invoke(qcli, "runs", "--limit", "1", "-f", "json")
    assert result.exit_code == 0
    assert [r["run"] for r in json.loads(result.stdout)] == ["r3"]
    assert "there are more" in result.stderr
    table = invoke(qcli, "runs", "--limit", "2")
    assert "2 rows; there are more: raise --limit above 2" in table.stderr
    assert invoke(qcli, "runs", "--limit", "0").exit_code == 2


SLOW = "UNWIND range(1, 1000000000) AS x WITH x WHERE x % 7 = 0 RETURN count(x) AS n\n"


def test_timeout_stops_the_query(qcli: CliRunner, seeded: Store, tmp_path: Path):
    slow = _file(tmp_path, SLOW, "slow.cypher")
    with pytest.raises(DatabaseError, match="ran past its timeout"):
        queries.run_query(seeded, None, slow, timeout=0.5)
    result = invoke(qcli, "--file", str(slow), "--timeout", "0.5")
    assert result.exit_code == 4
    assert "ran past its timeout" in result.stderr
    quick = invoke(qcli, "runs", "--timeout", "30", "-f", "json")
    assert quick.exit_code == 0 and len(json.loads(quick.stdout)) == 3


def test_bad_parameters_are_clear(qcli: CliRunner):
    bad_type = invoke(qcli, "creation_bursts", "-p", "community=one")
    assert bad_type.exit_code == 2
    assert "parameter community must be int, got 'one'" in bad_type.stderr
    bad_bool = invoke(qcli, "community_summary", "-p", "flagged_only=maybe")
    assert "flagged_only must be bool" in bad_bool.stderr
    no_value = invoke(qcli, "post_burst")
    assert no_value.exit_code == 2 and "post (string) is required" in no_value.stderr
    bad_pair = invoke(qcli, "runs", "-p", "limit")
    assert bad_pair.exit_code == 2 and "key=value" in bad_pair.stderr
    no_run = invoke(qcli, "feeds_flow", "-p", "run=r9")
    assert no_run.exit_code == 2 and "no detection run 'r9'" in no_run.stderr
    unknown = invoke(qcli, "feed_flow")
    assert unknown.exit_code == 2 and "did you mean feeds_flow" in unknown.stderr
    nothing = invoke(qcli)
    assert nothing.exit_code == 2
    assert invoke(qcli, "runs", "--format", "xml").exit_code == 2


def test_runs_that_are_missing_or_unfinished_are_noted(qcli: CliRunner, seeded: Store):
    partial = invoke(qcli, "community_summary", "-p", "run=r3", "-f", "json")
    assert partial.exit_code == 0
    assert "did not finish" in partial.stderr
    assert [r["community_id"] for r in json.loads(partial.stdout)] == [1]
    seeded.run(cypherlib.parse("MATCH (r:DetectionRun) DETACH DELETE r"), mode="write")
    result = invoke(qcli, "post_burst", "-p", "post=P1", "-f", "json")
    assert result.exit_code == 0
    assert "no finished detection run yet" in result.stderr
    assert [(r["account_id"], r["tier"]) for r in json.loads(result.stdout)] == [
        ("c1", None),
        ("c2", None),
        ("c3", None),
    ]


def test_each_format(qcli: CliRunner, tmp_path: Path):
    args = ("feeds_flow", "-p", "run=r1")
    table = invoke(qcli, *args)
    assert table.exit_code == 0
    assert "source_community" in table.stdout and "2 rows" in table.stderr
    as_json = json.loads(invoke(qcli, *args, "--format", "json").stdout)
    assert pick(as_json, "source_community", "target_community") == [(2, 1), (1, 2)]
    as_csv = invoke(qcli, *args, "--format", "csv").stdout.splitlines()
    assert as_csv[0].startswith("source_community,source_operation,source_flagged,")
    assert as_csv[1:] == [
        "2,1,true,1,1,true,2,1.0,true,2,0.01",
        "1,1,true,2,1,true,1,1.0,true,1,0.2",
    ]
    as_md = invoke(qcli, *args, "--format", "md").stdout.splitlines()
    assert as_md[0].startswith("| source_community | source_operation |")
    assert as_md[2] == "| 2 | 1 | true | 1 | 1 | true | 2 | 1.0 | true | 2 | 0.01 |"
    out = tmp_path / "flow.csv"
    written = invoke(qcli, *args, "-o", str(out))
    assert written.exit_code == 0 and "2 rows written to" in written.stderr
    assert out.read_text().splitlines() == as_csv
    assert invoke(qcli, *args, "-o", str(tmp_path / "flow.txt")).exit_code == 2


def test_wide_tables_fold_into_one_block_per_row(qcli: CliRunner):
    result = qcli.invoke(app, ["query", "community_summary", "-p", "run=r1"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert "row 1" in result.stdout and "row 2" in result.stdout
    assert "duplicate_text_share" in result.stdout


def test_query_list(qcli: CliRunner):
    table = invoke(qcli, "list")
    assert table.exit_code == 0
    for q in queries.list_queries():
        assert q.name in table.stdout
    listed = json.loads(invoke(qcli, "list", "--format", "json").stdout)
    assert [q["name"] for q in listed] == [q.name for q in queries.list_queries()]
    burst = next(q for q in listed if q["name"] == "post_burst")
    assert burst["parameters"] == "post, window=60, min_burst=2, run=latest"
    assert burst["example"].startswith("tierscope query post_burst")


def test_library_errors_for_a_missing_query(seeded: Store):
    with pytest.raises(InputError, match="no query named"):
        queries.run_query(seeded, "nope")


# The same queries on what loading and detection really write.


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("scenario")
    generate(out, scale=0.05, seed=3)
    return out


def _one(store: Store, cypher: str, **params: Any) -> Any:
    found = store.run(cypherlib.parse(cypher), params)
    assert found, cypher
    return found[0]["x"]


def test_every_query_on_a_loaded_and_detected_scenario(store: Store, scenario: Path):
    load(store, [scenario / "users.csv", scenario / "tweets.csv"])
    summary = detect(store, DetectParams())
    run = summary.run_id

    def result(name: str, **params: Any) -> list[dict[str, Any]]:
        given = {"run": run, **{k: str(v) for k, v in params.items()}}
        if name == "runs":
            given = {}
        elif name == "compare_runs":
            given = {"run_a": run, "run_b": run, "changed_only": "false", "limit": "100000"}
        found = queries.run_query(store, name, params=given, limit=100_000)
        assert not found.truncated and not found.notes
        assert found.rows, f"{name} {given} found nothing"
        return found.records()

    # Tier counts agree with what detection wrote on each community; flagged ones have evidence.
    communities = result("community_summary")
    assert len(communities) == summary.communities
    assert sum(c["size"] for c in communities) == summary.accounts
    stored = store.run(
        cypherlib.parse("MATCH (c:Community {run: $run}) RETURN c {.*} AS c ORDER BY c.id"),
        {"run": run},
    )
    for mine, theirs in zip(communities, (s["c"] for s in stored), strict=True):
        for column in ("size", "principals", "core", "amplifiers", "score", "creation_burst"):
            assert mine[column] == theirs[column], column
        if mine["flagged"]:
            assert mine["median_reaction_s"] is not None and mine["lang_top"]

    # Principal amplification agrees with the analytics' own table.
    analysis = analyze(read_inputs(store, ("co-retweet",)), DetectParams())
    expected = {
        r["account_id"]: (r["retweets"], r["flagged_retweets"])
        for r in analysis.principals.iter_rows(named=True)
    }
    ranked = result("principals_ranked", limit=1000)
    assert {r["account_id"]: (r["retweets"], r["flagged_retweets"]) for r in ranked} == expected
    shares = [r["amplification_share"] for r in ranked]
    assert shares == sorted(shares, reverse=True)

    core = _one(
        store,
        "MATCH (a:Account)-[:IN_COMMUNITY {run: $run, tier: 'core'}]->() "
        "RETURN a.id AS x ORDER BY COUNT { (a)-[:POSTED]->()<-[:RETWEET_OF]-() } DESC, x LIMIT 1",
        run=run,
    )
    amplifier = _one(
        store,
        "MATCH (a:Account)-[:IN_COMMUNITY {run: $run, tier: 'amplifier'}]->() "
        "WHERE EXISTS { (a)-[:POSTED]->()-[:RETWEET_OF]->()<-[:POSTED]-(c:Account) "
        "  WHERE EXISTS { (c)-[:IN_COMMUNITY {run: $run, tier: 'core'}]->() } "
        "  AND EXISTS { (c)-[:POSTED]->()-[:RETWEET_OF]->()<-[:POSTED]-(p:Account) "
        "    WHERE EXISTS { (p)-[:IN_COMMUNITY {run: $run, tier: 'principal'}]->() } } } "
        "RETURN a.id AS x ORDER BY x LIMIT 1",
        run=run,
    )
    post = _one(
        store,
        "MATCH (p:Post)<-[r:RETWEET_OF]-() WITH p, count(r) AS n "
        "RETURN p.id AS x ORDER BY n DESC, x LIMIT 1",
    )
    retweets = _one(
        store, "MATCH (:Post {id: $id})<-[r:RETWEET_OF]-() RETURN count(r) AS x", id=post
    )

    burst = result("post_burst", post=post, min_burst=1)
    assert [r["position"] for r in burst] == list(range(1, retweets + 1))
    times = [r["retweeted_at"] for r in burst]
    assert times == sorted(times)
    fanout = result("amplifier_fanout", account=core, limit=100_000)
    assert {r["community_id"] for r in fanout} <= {c["community_id"] for c in communities}
    paths = result("amplification_paths", account=amplifier)
    assert all(p["amplifier_id"] == amplifier and p["strength"] >= 1 for p in paths)
    flow = result("feeds_flow", limit=1000)
    assert all(f["source_community"] != f["target_community"] for f in flow)
    same = result("compare_runs")
    assert len(same) == summary.accounts and {r["change"] for r in same} == {"same"}
    top = communities[0]["community_id"]
    members = result("community_members", community=top)
    assert len(members) == communities[0]["size"]
    assert result("core_feeders", community=top)
    assert result("community_content", community=top)
    timeline = result("community_timeline", community=top)
    assert sum(d["posts"] for d in timeline) > 0
    assert result("creation_bursts")
    assert result("dormant_candidates")
    hood = result("neighbourhood", account=core)
    assert {r["hop"] for r in hood} == {1, 2}
    assert result("runs")[0]["run"] == run


def test_operation_history(qcli: CliRunner):
    history = rows(qcli, "operation_history")
    assert pick(history, "track", "accounts", "new_accounts", "jaccard_with_before", "events") == [
        (1, 3, 0, None, ["appears"]),
        (1, 5, 2, 0.6, ["grows"]),
    ]
