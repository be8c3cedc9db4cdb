"""The tier report's renderers and pictures, on a small literal report."""

from __future__ import annotations

import json
import re
from dataclasses import replace

from rich.console import Console

from tierscope.graphdb import plots
from tierscope.graphdb.report import (
    TESTS,
    Account,
    Community,
    Edge,
    Feed,
    Flow,
    Network,
    Node,
    Principal,
    RunInfo,
    Series,
    TierReport,
    drawing_quotas,
    render_html,
    render_markdown,
    render_table,
    to_json,
)

HOUR = 3_600
DAY = 86_400
T0 = 1_583_056_800  # 2020-03-01 10:00 UTC


def account(id: str, synchrony: float = 1.0, name: str | None = None) -> Account:
    return Account(
        id=id,
        screen_name=name or id,
        followers=10,
        flagged=True,
        internal_share=0.9,
        synchrony=synchrony,
        in_strength=3.0,
        out_strength=4.0,
    )


def community(id: int, flagged: bool, score: float) -> Community:
    return Community(
        id=id,
        rank=id,
        operation_id=id,
        flagged=flagged,
        score=score,
        size=7,
        principals=1,
        core=3,
        amplifiers=3,
        evidence={
            "synchrony": 3.2,
            "creation_burst": 0.75,
            "median_reaction_s": 95.0,
            "dormant_share": 0.05,
            "duplicate_text_share": 0.5,
            "lang_top": "zh",
            "lang_top_share": 0.8,
            "lang_entropy": 0.7,
            "median_followers": 12.0,
        },
        tests={name: (1e-12 if flagged else 0.4) for name in TESTS} | {"p_text": None},
        reason=f"{'flagged' if flagged else 'not flagged'}: because of community {id}",
        top={
            "principal": [account(f"p{id}", name=f"envoy{id}")],
            "core": [account(f"c{id}-{i}", 4.0 - i) for i in range(3)],
            "amplifier": [account(f"a{id}-{i}") for i in range(3)],
        },
    )


def sample() -> TierReport:
    communities = [community(1, True, 3.2), community(2, False, 0.4)]
    return TierReport(
        run=RunInfo(
            id="r1",
            kind="co-retweet",
            started_at="2024-02-01T00:00:00Z",
            finished_at="2024-02-01T00:01:00Z",
            params={"window": 60},
            communities=5,
            flagged_communities=1,
            operations=2,
            flagged_operations=1,
            principals=2,
            core=6,
            amplifiers=6,
            flagged_accounts=6,
        ),
        communities=communities,
        principals=[
            Principal("p1", "envoy1", 400_000, 1, 1, 228, 200_000, 170_000, 0.85, 30_000, 27_000),
            Principal("p2", "envoy2", 3_000_000, 2, 2, 200, 29_105, 0, 0.0, 3_964, 0),
        ],
        feeds=[Feed(2, 1, 12)],
        flows=[
            Flow(1, "core", 1, "principal", 40),
            Flow(1, "amplifier", 1, "core", 120),
            Flow(1, "amplifier", 1, "principal", 15),
            Flow(2, "amplifier", 1, "core", 12),
            Flow(2, "core", 2, "principal", 30),
            Flow(1, "core", 1, "core", 99),  # within a tier: not drawn
        ],
        timeline=[
            Series(1, "principal", [T0, T0 + DAY], [1, 2]),
            Series(1, "core", [T0, T0 + HOUR, T0 + DAY], [30, 5, 20]),
            Series(1, "amplifier", [T0 + HOUR, T0 + 2 * HOUR], [80, 40]),
            Series(2, "core", [T0 + 3 * DAY], [7]),
        ],
        creation=[
            Series(1, "core", [T0 - 60 * DAY], [3]),
            Series(1, "amplifier", [T0 - 59 * DAY, T0 - 10 * DAY], [2, 1]),
            Series(1, "principal", [T0 - 3000 * DAY], [1]),
            Series(2, "core", [T0 - 900 * DAY, T0 - 100 * DAY], [1, 2]),
        ],
        networks=[
            Network(
                1,
                [Node("p1", "@envoy1", "principal"), Node("c1-0", "@c1-0", "core")]
                + [Node(f"a1-{i}", f"@a1-{i}", "amplifier") for i in range(3)],
                [Edge("c1-0", "p1", 5)] + [Edge(f"a1-{i}", "c1-0", 2) for i in range(3)],
            ),
            Network(2, [], []),
        ],
    )


SECTIONS = (
    "Principal amplification",
    "Tier flow",
    "Communities ranked by evidence",
    "Why each community was or was not flagged",
    "Timeline of the bursts",
    "Account creation dates",
    "Community networks",
    "Communities in detail",
    "FEEDS between communities",
)


def test_markdown_sections_and_principal_table():
    md = render_markdown(sample())
    headings = re.findall(r"^## (.+)$", md, flags=re.M)
    assert headings == [
        "Principal amplification",
        "Communities ranked by evidence",
        "Why each community was or was not flagged",
        "Communities in detail",
        "FEEDS between communities",
    ]
    assert "- 27,000 flagged accounts gave @envoy1 170,000 retweets: 85% of the 200,000" in md
    assert "| @envoy1 | 1 | 1 | 400,000 | 228 | 200,000 | 170,000 | 85.0% | 30,000 | 27,000 |" in md
    row = "| 1 | 1 | 1 | yes | 3.20 | 1 | 3 | 3 | 3.20 | 75% | 1m 35s | 5% | 50% | 12 | zh 80% |"
    assert row in md
    assert "| 1 | yes | 1e-12 | 1e-12 |" in md and "| missing |" in md
    assert "- Community 2: not flagged: because of community 2" in md
    assert "### Community 2 (operation 2, not flagged, score 0.4)" in md
    assert "The top 2 of 5 communities." in md
    assert "| core | @c1-0 | 10 | 4.00 | 90% | 3 | 4 |" in md
    assert "| 2 | 1 | 12 |" in md


def test_json_round_trips():
    data = to_json(sample())
    assert json.loads(json.dumps(data)) == data
    assert data["principals"][0]["flagged_share"] == 0.85
    assert data["communities"][0]["top"]["core"][0]["id"] == "c1-0"
    assert data["timeline"][0] == {
        "community": 1,
        "tier": "principal",
        "times": [T0, T0 + DAY],
        "counts": [1, 2],
    }


def test_html_is_self_contained_with_every_picture():
    page = render_html(sample())
    assert page.startswith("<!DOCTYPE html>")
    assert re.findall(r'<h2 id="[^"]+">(.*?)</h2>', page) == list(SECTIONS)
    assert "http://" not in page and "https://" not in page
    assert "<script" not in page and "<img" not in page and "<link" not in page
    sections = dict(zip(SECTIONS, re.split(r'<h2 id="[^"]+">', page)[1:], strict=True))
    assert sections["Principal amplification"].count("<svg") == 1
    assert sections["Tier flow"].count("<svg") == 1
    assert sections["Timeline of the bursts"].count("<svg") == 1
    assert sections["Account creation dates"].count("<svg") == 2  # one per community
    assert sections["Community networks"].count("<svg") == 2
    for colour in plots.TIER_COLOURS.values():
        assert colour in sections["Tier flow"] and colour in sections["Community networks"]
    assert '<table class="prominent">' in sections["Principal amplification"]


def test_an_empty_run_still_renders():
    empty = replace(
        sample(), communities=[], principals=[], feeds=[], flows=[], timeline=[], creation=[]
    )
    page = render_html(replace(empty, networks=[]))
    assert "no retweets between tiers" in page and "no retweets" in page
    assert "## Principal amplification" in render_markdown(empty)


def test_html_escapes_account_names():
    report = sample()
    evil = replace(report.principals[0], screen_name="<b>x</b>&")
    page = render_html(replace(report, principals=[evil]))
    assert "<b>x</b>" not in page and "@&lt;b&gt;x&lt;/b&gt;&amp;" in page


def test_table_for_the_terminal():
    console = Console(record=True, width=200)
    console.print(render_table(sample()))
    text = console.export_text()
    assert text.index("Principal amplification") < text.index("Communities ranked by evidence")
    assert "@envoy1" in text and "170,000" in text and "85.0%" in text
    assert "Community 1 (operation 1, flagged, score 3.2)" in text


def test_tier_flow_draws_only_flows_up_the_tiers():
    svg = plots.tier_flow(
        [(1, "amplifier", 1, "core", 10), (1, "core", 1, "core", 50)],
        {(1, "amplifier"): 6, (1, "core"): 3},
    )
    assert svg.count("<path") == 1
    assert "C1 amplifier → C1 core: 10 retweets" in svg
    assert "no retweets between tiers" in plots.tier_flow([], {})


def test_network_drawing_is_reproducible():
    nodes = [("a", "@a", "core"), ("b", "@b", "core"), ("c", "@c", "amplifier")]
    edges = [("a", "b", 3), ("c", "a", 1)]
    first = plots.network("t", nodes, edges)
    assert first == plots.network("t", nodes, edges)
    assert first.count("<circle") == 3 and first.count('class="edge"') == 2


def test_time_bins_and_ticks():
    edges, name = plots.time_bins(T0, T0 + 5 * HOUR, 300)
    assert name == "hour" and edges[0] == T0 and edges[-1] >= T0 + 5 * HOUR
    _, name = plots.time_bins(T0, T0 + 200 * DAY, 300)
    assert name == "day"
    edges, name = plots.time_bins(T0 - 3000 * DAY, T0, 60, min_width=DAY)
    assert name == "2 months" and len(edges) <= 61
    assert plots.time_ticks(T0, T0 + 3 * DAY, 4)[0][1] == "2020-03-02"
    assert [label for _, label in plots.time_ticks(T0, T0 + 365 * DAY, 4)][:2] == [
        "2020-04",
        "2020-07",
    ]


def test_nice_ticks():
    assert plots.nice_ticks(31_791, 5) == [0, 10_000, 20_000, 30_000, 40_000]
    assert plots.nice_ticks(4, 2) == [0, 2, 4]
    assert plots.nice_ticks(0) == [0.0, 1.0]


def test_drawing_quotas_keep_every_tier_in_view():
    assert drawing_quotas({"principal": 8, "core": 600, "amplifier": 3600}) == {
        "principal": 8,
        "core": 27,
        "amplifier": 114,
    }
    small = {"principal": 2, "core": 4, "amplifier": 6}
    assert drawing_quotas(small) == small
    assert drawing_quotas({"principal": 1, "core": 100, "amplifier": 100}, cap=21) == {
        "principal": 1,
        "core": 10,
        "amplifier": 10,
    }
