"""`detect --by week` end to end on the real server: the history scenario's known events are
found, stored as windows and CONTINUES, and shown by `report history`, the named query and the
HTML report."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tierscope.cli.main import app
from tierscope.graphdb import cypherlib
from tierscope.graphdb.detect.analyze import DetectParams
from tierscope.graphdb.detect.history import HistoryParams
from tierscope.graphdb.detect.run import detect, edges_path, list_runs
from tierscope.graphdb.errors import InputError
from tierscope.graphdb.generate import generate
from tierscope.graphdb.load import load
from tierscope.graphdb.store import Store


def test_history_scenario_events_are_found(store: Store, cli: CliRunner, tmp_path: Path):
    out = generate(tmp_path / "world", "history", scale=0.5, seed=3).out_dir
    expected = json.loads((out / "history.json").read_text())
    load(store, [out / "tweets.csv", out / "users.csv"])
    summary = detect(store, DetectParams(), history=HistoryParams(by="week"))
    assert summary.history is not None and summary.history["operations"] >= 1

    # The plain readers see the whole-period run, as before.
    assert list_runs(store)[0]["id"] == summary.run_id
    result = cli.invoke(app, ["report", "tiers", "--format", "json"])
    assert result.exit_code == 0, result.output
    tiers = json.loads(result.output)
    assert tiers["run"]["communities"] == summary.communities

    result = cli.invoke(app, ["report", "history", "--format", "json"])
    assert result.exit_code == 0, result.output
    history = json.loads(result.output)
    assert history["by"] == "week"
    (track,) = [t for t in history["tracks"] if t["operation"] == 1]
    found = {(e["event"], e["window_start"]) for e in track["events"]}
    for e in expected["events"]:
        assert (e["event"], e["week_start"]) in found, (e, found)
    grown = [p for p in track["points"] if p["start"] >= track["points"][0]["start"]]
    assert max(p["amplifiers"] for p in grown) > 1.5 * grown[0]["amplifiers"]
    assert track["creation"]["amplifier"][0]  # creation dates are read for the chart

    # Stored: windows keyed apart from the run, CONTINUES between consecutive lead communities.
    (row,) = store.run(
        cypherlib.parse(
            "MATCH (r:DetectionRun {id: $run})-[:WINDOW]->(c:Community) "
            "OPTIONAL MATCH (c)-[k:CONTINUES {run: $run, continues: true}]->(d:Community) "
            "RETURN count(DISTINCT c) AS windows_communities, "
            "count(CASE WHEN c.run STARTS WITH $run + '@' THEN 1 END) > 0 AS keyed, "
            "min(k.jaccard) AS low, count(CASE WHEN d.window <> c.window + 1 THEN 1 END) AS skips"
        ),
        {"run": summary.run_id},
    )
    assert row["windows_communities"] > 0 and row["keyed"] and row["skips"] == 0
    assert row["low"] >= HistoryParams().min_jaccard

    result = cli.invoke(app, ["query", "operation_history", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert {r["track"] for r in rows} >= {track["track"]}
    assert any("grows" in " ".join(r["events"]) for r in rows)

    page = tmp_path / "report.html"
    result = cli.invoke(app, ["report", "tiers", "--format", "html", "-o", str(page)])
    assert result.exit_code == 0, result.output
    html = page.read_text()
    assert 'id="history"' in html and "falls silent" in html and "<svg" in html


def test_report_history_refuses_a_run_without_windows(store: Store, cli: CliRunner):
    store.run(
        cypherlib.parse(
            "CREATE (:DetectionRun {id: 'plain', started_at: datetime(), finished_at: datetime()})"
        ),
        mode="write",
    )
    result = cli.invoke(app, ["report", "history", "--run", "plain"])
    assert result.exit_code != 0
    assert "without --by" in result.output


def test_a_refused_history_leaves_no_run_behind(store: Store, tmp_path: Path):
    out = generate(tmp_path / "world", "history", scale=0.2, seed=3).out_dir
    load(store, [out / "tweets.csv", out / "users.csv"])
    runs = edges_path("x").parent.parent
    before = set(runs.iterdir()) if runs.exists() else set()
    runs_before = list_runs(store)
    with pytest.raises(InputError, match="choose a longer --by"):
        detect(store, DetectParams(), history=HistoryParams(by="day", max_windows=2))
    assert set(runs.iterdir()) == before  # the spilled edges went with the run
    assert list_runs(store) == runs_before
