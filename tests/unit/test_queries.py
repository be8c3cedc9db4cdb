"""The query library's headers, the formatting helpers and docs/queries.md, without a server."""

import csv
import io
import json
import re
from datetime import UTC
from pathlib import Path

import neo4j.time
import pytest

from tierscope.graphdb import cypherlib, queries
from tierscope.graphdb.errors import InputError
from tierscope.graphdb.queries import QueryResult

DOC = Path(__file__).resolve().parents[2] / "docs" / "queries.md"
LIBRARY = queries.list_queries()
# What the issue asks the library to cover, by the query that covers it.
REQUIRED = {
    "community_summary",  # size by tier and the evidence
    "core_feeders",  # the core accounts that feed a given community
    "amplifier_fanout",  # the amplifier fan-out of one core account
    "principals_ranked",  # principals ranked by amplification share
    "amplification_paths",  # amplifier up to principal
    "feeds_flow",  # community-to-community FEEDS
    "post_burst",  # synchronised bursts on one post
    "creation_bursts",  # account-creation bursts within a community
    "dormant_candidates",  # hijacked or dormant accounts
    "community_content",  # hashtags and URLs a community pushes
    "community_timeline",  # a community's activity by day
    "neighbourhood",  # 2-hop neighbourhood of one account
    "compare_runs",  # two detection runs
}


def _body_params(text: str) -> set[str]:
    """$names in the Cypher, leaving out comments and string literals."""
    code = re.sub(r"//[^\n]*", "", text)
    code = re.sub(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"", "''", code)
    return set(re.findall(r"\$(\w+)", code))


def test_the_library_covers_the_issue():
    names = [q.name for q in LIBRARY]
    assert len(names) >= 12
    assert len(set(names)) == len(names)
    assert set(names) >= REQUIRED, REQUIRED - set(names)


@pytest.mark.parametrize("query", LIBRARY, ids=lambda q: q.name)
def test_every_query_has_a_complete_header(query: cypherlib.Query):
    assert query.path is not None and query.name == query.path.stem
    assert query.mode == "read"
    assert query.description and "\n" not in query.description
    assert query.example.startswith(f"tierscope query {query.name}")
    for p in query.params:
        assert p.help, f"{query.name}: parameter {p.name} has no help"
    # The example's -p values are enough: every required parameter is given and typed.
    queries.example_params(query)
    query.bind(queries.example_params(query))
    # One statement, so that Browser runs the file as it is.
    assert ";" not in query.text


@pytest.mark.parametrize("query", LIBRARY, ids=lambda q: q.name)
def test_params_are_declared_and_used(query: cypherlib.Query):
    declared = {p.name for p in query.params}
    used = _body_params(query.text)
    assert used == declared, f"{query.name}: undeclared {used - declared}, unused {declared - used}"


@pytest.mark.parametrize("query", LIBRARY, ids=lambda q: q.name)
def test_run_parameters_default_to_latest(query: cypherlib.Query):
    for p in query.params:
        if p.name == "run" or p.name.startswith("run_"):
            assert p.type == "string" and p.default in ("latest", "previous")
            if p.name == "run":
                assert "WHEN 'latest'" in query.text


def test_body_params_ignores_comments_and_strings():
    assert _body_params("// $x\nRETURN '$y', \"$z\", $w") == {"w"}


def test_get_query_suggests_close_names():
    assert queries.get_query("feeds_flow").name == "feeds_flow"
    with pytest.raises(InputError, match="did you mean feeds_flow"):
        queries.get_query("feed_flow")


class NoStore:
    """Stands in for a Store in checks that must fail before any database call."""

    def __getattr__(self, name: str):
        raise AssertionError(f"the database was used: {name}")


def test_run_query_checks_before_touching_the_database(tmp_path: Path):
    store = NoStore()
    with pytest.raises(InputError, match="not both"):
        queries.run_query(store, "runs", tmp_path / "x.cypher")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="not both"):
        queries.run_query(store, None, None)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="at least 1"):
        queries.run_query(store, "runs", limit=0)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="positive"):
        queries.run_query(store, "runs", timeout=0)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="limit must be int"):
        queries.run_query(store, "runs", params={"limit": "ten"})  # type: ignore[arg-type]
    with pytest.raises(InputError, match="unknown parameter"):
        queries.run_query(store, "runs", params={"nope": "1"})  # type: ignore[arg-type]
    with pytest.raises(InputError, match="ISO 8601"):
        queries.run_query(store, "community_timeline", params={"since": "yesterday"})  # type: ignore[arg-type]
    writer = tmp_path / "w.cypher"
    writer.write_text("// mode: write\nCREATE (:Account {id: 'x'})\n")
    with pytest.raises(InputError, match="read-only"):
        queries.run_query(store, None, writer)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="missing.cypher"):
        queries.run_query(store, None, tmp_path / "missing.cypher")  # type: ignore[arg-type]


def test_to_plain_times():
    utc = UTC
    assert queries.to_plain(neo4j.time.DateTime(2020, 3, 1, 10, 31, 0, tzinfo=utc)) == (
        "2020-03-01T10:31:00Z"
    )
    with_nanos = neo4j.time.DateTime(2020, 3, 1, 10, 31, 0, 123456789, tzinfo=utc)
    assert queries.to_plain(with_nanos) == "2020-03-01T10:31:00.123456789Z"
    assert queries.to_plain(neo4j.time.DateTime(2020, 3, 1, 10, 31)) == "2020-03-01T10:31:00"
    assert queries.to_plain(neo4j.time.Date(2020, 3, 1)) == "2020-03-01"
    assert queries.to_plain(neo4j.time.Duration(seconds=90)) == "PT1M30S"
    nested = {"at": [neo4j.time.Date(2020, 1, 2)], "x": (1, float("nan"))}
    assert queries.to_plain(nested) == {"at": ["2020-01-02"], "x": [1, None]}
    json.dumps(queries.to_plain(nested))


RESULT = QueryResult(
    columns=["name", "n", "share", "flag", "tags", "meta", "missing"],
    rows=[
        ["a|b", 3, 0.123456789, True, ["x", "y"], {"k": 1}, None],
        ["line\nbreak", 0, 1.0, False, [], {}, None],
        ["ünï", -1, 2.5, None, ["z"], {"k": [2]}, None],
    ],
)


def test_to_json_is_one_object_per_row():
    data = json.loads(queries.to_json(RESULT))
    assert data[0] == {
        "name": "a|b",
        "n": 3,
        "share": 0.123456789,
        "flag": True,
        "tags": ["x", "y"],
        "meta": {"k": 1},
        "missing": None,
    }
    assert [r["name"] for r in data] == ["a|b", "line\nbreak", "ünï"]
    assert queries.to_json(QueryResult(["a"], [])) == "[]\n"


def test_to_csv_keeps_full_precision_and_json_cells():
    rows = list(csv.reader(io.StringIO(queries.to_csv(RESULT))))
    assert rows[0] == RESULT.columns
    assert rows[1] == ["a|b", "3", "0.123456789", "true", '["x", "y"]', '{"k": 1}', ""]
    assert rows[2][0] == "line\nbreak"
    assert rows[3][:4] == ["ünï", "-1", "2.5", ""]
    assert queries.to_csv(QueryResult(["a", "b"], [])) == "a,b\n"


def test_to_markdown_escapes_pipes_and_newlines():
    lines = queries.to_markdown(RESULT).splitlines()
    assert lines[0] == "| name | n | share | flag | tags | meta | missing |"
    assert lines[1] == "|---|---|---|---|---|---|---|"
    assert lines[2] == '| a\\|b | 3 | 0.1235 | true | ["x","y"] | {"k":1} |  |'
    assert lines[3].startswith("| line<br>break | 0 | 1.0 | false | [] | {} |")
    assert len(lines) == 5


def test_format_result_rejects_unknown_formats():
    assert queries.format_result(RESULT, "csv") == queries.to_csv(RESULT)
    with pytest.raises(InputError, match="format"):
        queries.format_result(RESULT, "xml")


def test_cell():
    assert queries.cell(None) == ""
    assert queries.cell(False) == "false"
    assert queries.cell(1 / 3) == "0.3333333333333333"
    assert queries.cell(1 / 3, compact=True) == "0.3333"
    assert queries.cell(["a", 1], compact=True) == '["a",1]'


def test_browser_params_come_from_the_example_and_defaults():
    q = queries.get_query("dormant_candidates")
    assert queries.example_params(q) == {"min_days": "365", "tiers": "core,amplifier"}
    assert queries.browser_params(q) == [
        ":param run => 'latest'",
        ":param community => -1",
        ":param min_days => 365",
        ":param tiers => ['core', 'amplifier']",
        ":param limit => 100",
    ]
    assert queries.cypher_literal("it's") == "'it\\'s'"
    assert queries.cypher_literal([True, None, 1.5]) == "[true, null, 1.5]"


def test_docs_queries_md_is_current():
    assert DOC.read_text(encoding="utf-8") == queries.markdown_reference(), (
        "docs/queries.md is stale: run `python -m tierscope.graphdb.queries > docs/queries.md`"
    )


def test_reference_has_every_query_with_its_params_and_body():
    text = queries.markdown_reference()
    for q in LIBRARY:
        assert f"## `{q.name}`" in text
        assert q.example in text
        assert q.text in text
        for p in q.params:
            assert f"| `{p.name}` | {p.type} |" in text
