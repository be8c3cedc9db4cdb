"""The tier report on a small hand-made detected graph in the real Neo4j, and its HTML page
rendered by headless Chromium."""

from __future__ import annotations

import json
import re
import struct
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tierscope.cli.main import app
from tierscope.graphdb import cypherlib
from tierscope.graphdb.report import Flow, build_report
from tierscope.graphdb.store import Store

# Run r1 (the latest) has two communities:
# 1 (rank 1, flagged): principals amb and news, core c1-c4, amplifiers a1-a6;
# 2 (rank 2, not flagged): principal star, core d1-d3, amplifiers e1-e2.
# amb's posts drew 8 retweets from others: c1-c4 and a1-a3 (flagged) and o1; its self-retweet
# does not count. news's drew 3, all flagged (c1 twice, a1 once); star's 4, none flagged.
# Run r0, older, flags o1: its results must not leak into r1's.
SEED = """// mode: write
CREATE (amb:Account {id: 'amb', screen_name: 'ambassador', followers: 400000,
                     created_at: datetime('2010-05-01T00:00:00Z')})
CREATE (news:Account {id: 'news', screen_name: 'statenews', followers: 900000,
                      created_at: datetime('2011-05-01T00:00:00Z')})
CREATE (star:Account {id: 'star', screen_name: 'popstar', followers: 3000000,
                      created_at: datetime('2012-05-01T00:00:00Z')})
CREATE (o1:Account {id: 'o1', created_at: datetime('2015-01-01T00:00:00Z')})
CREATE (o2:Account {id: 'o2', created_at: datetime('2016-01-01T00:00:00Z')})
WITH *
UNWIND range(1, 4) AS i
CREATE (:Account {id: 'c' + i, screen_name: 'core' + i, followers: i,
                  created_at: datetime('2020-01-01T00:00:00Z') + duration({hours: i})})
WITH DISTINCT amb, news, star, o1, o2
UNWIND range(1, 6) AS i
CREATE (:Account {id: 'a' + i, screen_name: 'amp' + i,
                  created_at: datetime('2020-01-02T00:00:00Z') + duration({hours: i})})
WITH DISTINCT amb, news, star, o1, o2
UNWIND ['d1', 'd2', 'd3', 'e1', 'e2'] AS id
CREATE (:Account {id: id, created_at: datetime('2014-06-01T00:00:00Z')})
WITH DISTINCT amb, news, star, o1, o2
CREATE (amb)-[:POSTED]->(:Post {id: 'amb1', created_at: datetime('2020-03-01T10:00:00Z')})
CREATE (amb)-[:POSTED]->(:Post {id: 'amb2', created_at: datetime('2020-03-02T10:00:00Z')})
CREATE (news)-[:POSTED]->(:Post {id: 'news1', created_at: datetime('2020-03-01T11:00:00Z')})
CREATE (news)-[:POSTED]->(:Post {id: 'news2', created_at: datetime('2020-03-01T12:00:00Z')})
CREATE (star)-[:POSTED]->(:Post {id: 'star1', created_at: datetime('2020-03-01T09:00:00Z')})
CREATE (o2)-[:POSTED]->(:Post {id: 'o2p', created_at: datetime('2020-02-01T09:00:00Z')})
WITH *
MATCH (c1:Account {id: 'c1'})
CREATE (c1)-[:POSTED]->(:Post {id: 'c1p', created_at: datetime('2020-03-01T10:30:00Z')})
WITH *
UNWIND [
  ['c1', 'amb1', 1], ['c2', 'amb1', 1], ['c3', 'amb1', 2], ['c4', 'amb1', 2],
  ['a1', 'amb1', 30], ['a2', 'amb1', 40], ['a3', 'amb1', 50], ['o1', 'amb1', 90],
  ['amb', 'amb1', 5], ['amb', 'o2p', 5],
  ['c1', 'news1', 1], ['c1', 'news2', 1], ['a1', 'news1', 20],
  ['a4', 'c1p', 10], ['a5', 'c1p', 11], ['a6', 'c1p', 12], ['e1', 'c1p', 13],
  ['d1', 'star1', 3], ['d2', 'star1', 3], ['d3', 'star1', 4], ['o2', 'star1', 60]
] AS rt
MATCH (who:Account {id: rt[0]}), (original:Post {id: rt[1]})
CREATE (who)-[:POSTED]->(:Post {id: rt[0] + '-rt-' + rt[1],
                               created_at: original.created_at + duration({minutes: rt[2]})})
       -[:RETWEET_OF]->(original)
WITH count(*) AS retweets
CREATE (r0:DetectionRun {id: 'r0', kind: 'co-retweet', params: '{}',
                         started_at: datetime('2024-01-01T00:00:00Z'),
                         finished_at: datetime('2024-01-01T00:01:00Z'), summary: '{}'})
CREATE (r1:DetectionRun {id: 'r1', kind: 'co-retweet', params: '{"window": 60}',
                         started_at: datetime('2024-02-01T00:00:00Z'),
                         finished_at: datetime('2024-02-01T00:01:00Z'), summary: '{}'})
CREATE (r0)-[:FOUND]->(old:Community {run: 'r0', id: 1, operation_id: 1, size: 3,
  principals: 0, core: 3, amplifiers: 0, score: 2.5, rank: 1, flagged: true})
CREATE (r1)-[:FOUND]->(k1:Community {run: 'r1', id: 1, operation_id: 1, size: 12,
  principals: 2, core: 4, amplifiers: 6, synchrony: 3.5, creation_burst: 1.0,
  median_reaction_s: 90.0, dormant_share: 0.0, duplicate_text_share: 0.8, lang_top: 'zh',
  lang_top_share: 0.9, lang_entropy: 0.4, score: 3.1, rank: 1, flagged: true})
CREATE (r1)-[:FOUND]->(k2:Community {run: 'r1', id: 2, operation_id: 2, size: 6,
  principals: 1, core: 3, amplifiers: 2, synchrony: 2.1, creation_burst: 0.0,
  median_reaction_s: 200.0, dormant_share: 0.0, duplicate_text_share: 0.0, lang_top: 'en',
  lang_top_share: 0.5, lang_entropy: 2.0, score: 0.8, rank: 2, flagged: false})
CREATE (k2)-[:FEEDS {run: 'r1', weight: 1}]->(k1)
WITH *
MATCH (o1:Account {id: 'o1'})
CREATE (o1)-[:IN_COMMUNITY {run: 'r0', tier: 'core', operation_id: 1, flagged: true,
  internal_share: 1.0, synchrony: 2.0, in_strength: 0.0, out_strength: 0.0}]->(old)
WITH *
UNWIND [
  ['amb', 1, 'principal', 0.0, 9.0, 0.0], ['news', 1, 'principal', 0.0, 3.0, 0.0],
  ['c1', 1, 'core', 4.0, 3.0, 3.0], ['c2', 1, 'core', 3.0, 0.0, 1.0],
  ['c3', 1, 'core', 2.0, 0.0, 1.0], ['c4', 1, 'core', 1.0, 0.0, 1.0],
  ['a1', 1, 'amplifier', 1.0, 0.0, 2.0], ['a2', 1, 'amplifier', 1.0, 0.0, 1.0],
  ['a3', 1, 'amplifier', 1.0, 0.0, 1.0], ['a4', 1, 'amplifier', 1.0, 0.0, 1.0],
  ['a5', 1, 'amplifier', 1.0, 0.0, 1.0], ['a6', 1, 'amplifier', 1.0, 0.0, 1.0],
  ['star', 2, 'principal', 0.0, 3.0, 0.0], ['d1', 2, 'core', 2.0, 0.0, 1.0],
  ['d2', 2, 'core', 2.5, 0.0, 1.0], ['d3', 2, 'core', 3.0, 0.0, 1.0],
  ['e1', 2, 'amplifier', 1.0, 0.0, 0.0], ['e2', 2, 'amplifier', 1.0, 0.0, 0.0]
] AS m
MATCH (a:Account {id: m[0]})
MATCH (c:Community {run: 'r1', id: m[1]})
CREATE (a)-[:IN_COMMUNITY {run: 'r1', tier: m[2], operation_id: c.operation_id,
  flagged: c.flagged AND m[2] <> 'principal', internal_share: 1.0, synchrony: m[3],
  in_strength: m[4], out_strength: m[5]}]->(c)
WITH DISTINCT 1 AS one
UNWIND [['c1', 'c2', 5], ['c1', 'c3', 4], ['c2', 'c4', 3], ['d1', 'd2', 2]] AS e
MATCH (a:Account {id: e[0]}), (b:Account {id: e[1]})
CREATE (a)-[:COORDINATED_WITH {run: 'r1', kind: 'co-retweet', weight: e[2], mean_delta: 10.0}]->(b)
"""

SECTIONS = (
    "Principal amplification",
    "What a takedown removes",
    "Tier flow",
    "Communities ranked by evidence",
    "Why each community was or was not flagged",
    "Timeline of the bursts",
    "Account creation dates",
    "Community networks",
    "Communities in detail",
    "FEEDS between communities",
)


@pytest.fixture
def seeded(store: Store) -> Store:
    store.run(cypherlib.parse(SEED))
    return store


def test_report_reads_the_latest_run(seeded: Store):
    report = build_report(seeded)
    assert report.run.id == "r1"
    assert report.run.params == {"window": 60}
    assert (report.run.communities, report.run.flagged_communities) == (2, 1)
    assert (report.run.principals, report.run.core, report.run.amplifiers) == (3, 7, 8)
    assert report.run.flagged_accounts == 10

    assert [(c.rank, c.id, c.flagged) for c in report.communities] == [(1, 1, True), (2, 2, False)]
    first, second = report.communities
    assert (first.principals, first.core, first.amplifiers) == (2, 4, 6)
    assert (second.principals, second.core, second.amplifiers) == (1, 3, 2)
    assert first.evidence["creation_burst"] == 1.0 and first.evidence["lang_top"] == "zh"
    # Core by synchrony, principals by retweets received from the community.
    assert [a.id for a in first.top["core"]] == ["c1", "c2", "c3", "c4"]
    assert [a.id for a in first.top["principal"]] == ["amb", "news"]
    assert [a.id for a in second.top["core"]] == ["d3", "d2", "d1"]
    assert len(first.top["amplifier"]) == 5  # SHOWN_PER_TIER
    assert first.top["core"][0].name == "@core1"


def test_principal_amplification_is_recomputed_from_the_graph(seeded: Store):
    rows = {p.account_id: p for p in build_report(seeded).principals}
    assert list(rows) == ["amb", "news", "star"]  # most flagged retweets first
    amb = rows["amb"]
    assert (amb.posts, amb.retweets, amb.flagged_retweets) == (2, 8, 7)
    assert amb.flagged_share == pytest.approx(7 / 8)
    assert (amb.retweeters, amb.flagged_retweeters) == (8, 7)
    assert (amb.community_id, amb.operation_id, amb.followers) == (1, 1, 400000)
    news = rows["news"]
    assert (news.posts, news.retweets, news.flagged_retweets, news.flagged_share) == (2, 3, 3, 1.0)
    assert (news.retweeters, news.flagged_retweeters) == (2, 2)
    star = rows["star"]
    assert (star.retweets, star.flagged_retweets, star.flagged_share) == (4, 0, 0.0)


def test_flows_feeds_and_series(seeded: Store):
    report = build_report(seeded)
    assert set(report.flows) == {
        Flow(1, "amplifier", 1, "core", 3),
        Flow(1, "amplifier", 1, "principal", 4),
        Flow(1, "core", 1, "principal", 6),
        Flow(2, "amplifier", 1, "core", 1),
        Flow(2, "core", 2, "principal", 3),
    }
    assert [(f.source, f.target, f.weight) for f in report.feeds] == [(2, 1, 1)]
    created = {(s.community, s.tier): s for s in report.creation}
    core = created[(1, "core")]
    assert core.times == [1577836800] and core.counts == [4]  # 2020-01-01, four accounts
    timeline = {(s.community, s.tier): s for s in report.timeline}
    # The principals' own posts, the others' retweets, per hour.
    assert sum(timeline[(1, "principal")].counts) == 4
    assert sum(timeline[(1, "core")].counts) == 6
    assert sum(timeline[(1, "amplifier")].counts) == 7
    network = {n.community: n for n in report.networks}[1]
    assert {n.id for n in network.nodes} >= {"amb", "c1", "c2", "c3", "c4", "a1"}
    weights = {(e.source, e.target): e.weight for e in network.edges}
    assert weights[("c1", "c2")] == 5
    assert weights[("amb", "c1")] == 1  # c1 retweeted amb1 once


def test_an_older_run_by_id(seeded: Store):
    report = build_report(seeded, "r0", top=5)
    assert report.run.id == "r0"
    assert [c.id for c in report.communities] == [1]
    assert report.principals == []


def test_top_limits_the_communities(seeded: Store):
    report = build_report(seeded, top=1)
    assert [c.id for c in report.communities] == [1]
    assert report.run.communities == 2


def test_cli_formats(seeded: Store, cli: CliRunner, tmp_path: Path, monkeypatch):
    table = cli.invoke(app, ["report", "tiers"])
    assert table.exit_code == 0, table.output
    assert "Principal amplification" in table.stdout and "@ambassador" in table.stdout

    md = cli.invoke(app, ["report", "tiers", "--format", "md", "--run", "r1"])
    assert md.exit_code == 0, md.output
    assert md.stdout.startswith("# Tier report: run r1")

    as_json = cli.invoke(app, ["report", "tiers", "-f", "json", "--top", "1"])
    assert as_json.exit_code == 0, as_json.output
    data = json.loads(as_json.stdout)
    assert [c["id"] for c in data["communities"]] == [1]
    assert data["principals"][0]["flagged_retweets"] == 7

    monkeypatch.chdir(tmp_path)
    html = cli.invoke(app, ["report", "tiers", "--format", "html"])
    assert html.exit_code == 0, html.output
    assert (tmp_path / "report.html").read_text().startswith("<!DOCTYPE html>")
    assert "report.html" in html.stderr

    missing = cli.invoke(app, ["report", "tiers", "--run", "nope"])
    assert missing.exit_code == 2
    assert "no finished detection run 'nope'" in missing.stderr


def test_html_renders_in_headless_chromium(seeded: Store, cli: CliRunner, chromium, tmp_path: Path):
    page = tmp_path / "tiers.html"
    result = cli.invoke(app, ["report", "tiers", "-f", "html", "-o", str(page)])
    assert result.exit_code == 0, result.output
    dom = chromium.dump_dom(page)
    headings = re.findall(r"<h2[^>]*>(.*?)</h2>", dom)
    assert headings == list(SECTIONS)
    # Principal bars, the takedown's before/after bars (the whole run's, none being stored),
    # tier flow, timeline, then a histogram and a network per community.
    assert dom.count("<svg") == 4 + 2 * 2
    assert "http://" not in dom and "https://" not in dom

    shot = tmp_path / "tiers.png"
    chromium.run(f"--screenshot={shot}", "--window-size=1280,4000", page.as_uri())
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png[16:24]) == (1280, 4000)
    # A blank page of this size compresses to a few kilobytes.
    assert len(png) > 50_000
