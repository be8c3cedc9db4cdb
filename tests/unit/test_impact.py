"""What a takedown removes, on literal rows: direct and relayed loss, and their wording."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from test_report import sample  # the report tests' literal report

from tierscope.graphdb import impact
from tierscope.graphdb.errors import InputError
from tierscope.graphdb.impact import CoreRelay, assess
from tierscope.graphdb.report import render_html, render_markdown, to_json

# amb draws 10 retweets: c1 3, c2 1, a1 4, g1 2 (genuine), and one self-retweet that never
# counts. min draws c1 1, g1 1. c1 and c2 are core, a1 an amplifier.
RECEIVED = [
    ("amb", "c1", 3),
    ("amb", "c2", 1),
    ("amb", "a1", 4),
    ("amb", "g1", 2),
    ("amb", "amb", 5),
    ("min", "c1", 1),
    ("min", "g1", 1),
]
PRINCIPALS = [("amb", "ambassador", [1]), ("min", None, [1, 2])]
# c1's 4 own posts drew 8 amplifier retweets and 1 other; c2's drew 2; c3 retweets no principal.
RELAYS = [CoreRelay("c1", 4, 8, 1), CoreRelay("c2", 2, 2, 0), CoreRelay("c3", 1, 5, 0)]
REMOVED = {"c1": "core", "c2": "core", "c3": "core", "a1": "amplifier"}


def run(removed: dict[str, str], relays: list[CoreRelay] = RELAYS) -> impact.Impact:
    return assess(
        removed, PRINCIPALS, RECEIVED, relays, run="r1", scope="operation", target="1", tier="all"
    )


def test_direct_and_relayed_loss():
    result = run(REMOVED)
    amb, mn = result.principals
    assert (amb.account_id, amb.before, amb.direct, amb.after) == ("amb", 10, 8, 2)
    assert amb.share_lost == 0.8 and (amb.retweeters, amb.removed_retweeters) == (4, 3)
    assert (mn.before, mn.direct, mn.after, mn.share_lost) == (2, 1, 1, 0.5)
    # c1's 8 amplifier retweets split 3:1 over amb and min; c2's 2 go to amb; c3's 5 to no one.
    assert amb.relayed == 6 + 2 and mn.relayed == 2
    assert result.unattributed == 5
    assert (result.before, result.direct, result.after) == (12, 9, 3)
    assert (result.core_posts, result.relayed, result.relayed_other) == (7, 15, 1)
    assert result.removed == 4 and result.removed_by_tier == {"amplifier": 1, "core": 3}


def test_removing_amplifiers_only_relays_nothing():
    result = run({"a1": "amplifier"})
    assert [p.direct for p in result.principals] == [4, 0]
    assert result.relayed == 0 and result.core_posts == 0
    assert result.principals[1].sentence() == "No removed account retweeted min (2 retweets stay)."


def test_wording_fits_the_seed_case():
    received = [("amb", f"f{i}", 7 if i < 20_000 else 8) for i in range(27_000)]
    received += [("amb", f"g{i}", 1) for i in range(12_000)]
    removed = {f"f{i}": "amplifier" for i in range(27_000)}
    result = assess(
        removed,
        [("amb", "ambassador", [1])],
        received,
        [],
        run="r",
        scope="run",
        target="",
        tier="all",
    )
    (amb,) = result.principals
    assert amb.direct == 196_000 and amb.before == 208_000
    assert amb.sentence() == (
        "27,000 accounts gave @ambassador 196,000 retweets: 94 % of all it received (208,000); "
        "12,000 remain."
    )
    assert result.headline().startswith(
        "Removing every flagged account (27,000 accounts: 27,000 amplifier) takes 196,000 of the "
        "208,000 retweets its principal received (94 %), leaving 12,000."
    )


def test_no_principal_is_said_plainly():
    result = assess(
        {"c1": "core"},
        [],
        [],
        [CoreRelay("c1", 2, 0, 3)],
        run="r",
        scope="run",
        target="",
        tier="all",
    )
    assert result.headline() == (
        "Removing every flagged account (1 accounts: 1 core) takes nothing from any principal: "
        "the run found none in this scope (tiers need the authors of the retweeted posts). "
        "3 retweets of the removed core's own posts go too."
    )


def test_json_round_trips():
    result = run(REMOVED)
    data = json.loads(json.dumps(impact.to_json(result)))
    assert impact.from_json(data) == result
    assert data["sentences"][0].startswith("Removing operation 1 (4 accounts: ")


def test_accounts_file(tmp_path: Path):
    path = tmp_path / "ids.csv"
    path.write_text('account_id,tier\n"c1",core\n\n# a note\nc2\nc1\n')
    assert impact.read_accounts_file(path) == ["c1", "c2"]
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing\n")
    with pytest.raises(InputError, match="no account ids"):
        impact.read_accounts_file(empty)


def test_the_report_shows_a_before_after_chart_per_assessment():
    report = replace(sample(), impacts=[run(REMOVED), run({"a1": "amplifier"})])
    page = render_html(report)
    section = page.split('<h2 id="impact">')[1].split("<h2")[0]
    assert section.count("<svg") == 2 and section.count("<h3>") == 2
    assert "8 retweets: 80 % of all it received (10); 2 remain." in section
    assert "2 after (−80%)" in section
    md = render_markdown(report)
    assert "## What a takedown removes" in md
    assert "| @ambassador | 10 | 8 | 2 | 80.0% | 8 |" in md
    assert to_json(report)["impacts"][0]["principals"][0]["direct"] == 8
    # No assessment, no section.
    assert 'id="impact"' not in render_html(sample())
