"""Each evidence test against the background, its effect size, and when it is missing."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import polars as pl
import pytest

from tierscope.graphdb.detect.analyze import principal_amplification
from tierscope.graphdb.detect.evidence import (
    DAY,
    YEAR,
    community_evidence,
    creation_burst,
    dormancy,
    duplicate_text,
    followers,
    languages,
    reaction_time,
)
from tierscope.graphdb.detect.inputs import ACCOUNT_SCHEMA, POST_SCHEMA

T0 = 1_600_000_000
ALPHA = 0.01


def members(groups: dict[int, list[str]]) -> pl.DataFrame:
    return pl.DataFrame(
        [(a, c) for c, accounts in groups.items() for a in accounts],
        schema={"account": pl.String, "community": pl.Int64},
        orient="row",
    )


def accounts(
    created: Mapping[str, int | None], follows: Mapping[str, int] | None = None
) -> pl.DataFrame:
    names = list(created)
    return pl.DataFrame(
        {
            "account": names,
            "created_at": [created[n] for n in names],
            "lang": [None] * len(names),
            "followers": [(follows or {}).get(n) for n in names],
            "screen_name": names,
        },
        schema=ACCOUNT_SCHEMA,
    )


def posts(rows: Sequence[Mapping[str, object]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=POST_SCHEMA)


def by_community(frame: pl.DataFrame, column: str) -> dict[int, object]:
    return dict(zip(frame["community"], frame[column], strict=True))


def test_a_batch_is_a_creation_burst_and_a_spread_is_not() -> None:
    # Background: five sign-ups a day for 400 days, and a news day with 60 genuine sign-ups.
    created: dict[str, int | None] = {
        f"bg{d}-{k}": T0 + d * DAY + k for d in range(400) for k in range(5)
    }
    created |= {f"news{k}": T0 + 300 * DAY + k for k in range(60)}
    created |= {f"batch{i}": T0 + 50 * DAY + i for i in range(12)}
    created |= {f"spread{i}": T0 + (10 + 30 * i) * DAY for i in range(12)}
    # A genuine community signs up like the background: three of a hundred on the news day.
    created |= {f"late{i}": T0 + (300 if i < 3 else 4 * i) * DAY + 100 + i for i in range(100)}
    created |= {"unknown": None}
    groups = {
        1: [f"batch{i}" for i in range(12)] + ["unknown"],
        2: [f"spread{i}" for i in range(12)],
        3: [f"late{i}" for i in range(100)],
    }
    burst = creation_burst(members(groups), accounts(created), ALPHA)
    p = by_community(burst, "p_creation")
    share = by_community(burst, "creation_burst")
    assert p[1] < 1e-10 and share[1] == 1.0  # the unknown account counts neither way
    assert p[2] == 1.0 and share[2] == 0.0
    assert p[3] > ALPHA  # the news day's genuine crowd makes its three unremarkable


def test_creation_burst_is_missing_without_dates() -> None:
    burst = creation_burst(members({1: ["a", "b"]}), accounts({"a": None, "b": None}), ALPHA)
    assert burst["p_creation"].to_list() == [None]


def test_reaction_time_against_the_background() -> None:
    rows = []
    for i in range(50):  # the background reacts within hours
        rows.append({"account": f"bg{i}", "post": f"b{i}", "time": T0 + 3600 * (1 + i % 5),
                     "original": "o", "original_time": T0})  # fmt: skip
    for i in range(10):  # the community within a minute
        rows.append({"account": f"fast{i}", "post": f"f{i}", "time": T0 + 30 + i,
                     "original": "o", "original_time": T0})  # fmt: skip
    result = reaction_time(members({1: [f"fast{i}" for i in range(10)]}), posts(rows))
    assert result["median_reaction_s"][0] == pytest.approx(34.5)
    assert result["p_reaction"][0] < 1e-4


def test_dormancy_needs_a_year_of_archive() -> None:
    short = posts(
        [
            {"account": "a", "post": "p", "time": T0},
            {"account": "b", "post": "q", "time": T0 + 30 * DAY},
        ]
    )
    assert dormancy(members({1: ["a", "b"]}), short)["p_dormancy"].to_list() == [None]
    rows = [{"account": f"bg{i}", "post": f"b{i}-{k}", "time": T0 + k * 30 * DAY} for i in range(60)
            for k in range(15)]  # fmt: skip
    rows += [{"account": f"hijacked{i}", "post": f"h{i}-{k}", "time": T0 + k * 2 * YEAR}
             for i in range(8) for k in range(2)]  # fmt: skip
    result = dormancy(members({1: [f"hijacked{i}" for i in range(8)]}), posts(rows))
    assert result["dormant_share"][0] == 1.0
    assert result["p_dormancy"][0] < 1e-10


def test_copied_text_is_evidence_and_no_own_posts_is_missing() -> None:
    rows = [{"account": f"bg{i}", "post": f"b{i}", "time": T0, "text": f"my own words number {i}"}
            for i in range(80)]  # fmt: skip
    rows += [{"account": f"op{i}", "post": f"o{i}", "time": T0,
              "text": "The truth about the West" + (" #Truth" if i % 2 else " https://x.co/1")}
             for i in range(10)]  # fmt: skip
    rows += [{"account": "quiet", "post": "r", "time": T0, "original": "b1", "original_time": T0}]
    result = duplicate_text(members({1: [f"op{i}" for i in range(10)], 2: ["quiet"]}), posts(rows))
    assert by_community(result, "duplicate_text_share")[1] == 1.0
    assert by_community(result, "p_text")[1] < 1e-10
    assert 2 not in by_community(result, "p_text")  # no own posts: missing


def test_followers_fewer_than_the_background() -> None:
    rng = np.random.default_rng(0)
    follows = {f"bg{i}": int(rng.lognormal(5, 1)) for i in range(200)}
    follows |= {f"fake{i}": int(rng.integers(0, 10)) for i in range(30)}
    created = dict.fromkeys(follows, T0)
    result = followers(members({1: [f"fake{i}" for i in range(30)]}), accounts(created, follows))
    assert result["median_followers"][0] < 10
    assert result["p_followers"][0] < 1e-10


def test_language_against_the_background_and_missing_when_it_speaks_one() -> None:
    mixed = [{"account": f"bg{i}", "post": f"b{i}", "time": T0, "lang": ("en", "es", "fr")[i % 3]}
             for i in range(90)]  # fmt: skip
    op = [{"account": f"op{i}", "post": f"o{i}", "time": T0, "lang": "zh"} for i in range(15)]
    fans = [{"account": f"fan{i}", "post": f"f{i}", "time": T0, "lang": ("en", "es", "fr")[i % 3]}
            for i in range(15)]  # fmt: skip
    groups = members({1: [f"op{i}" for i in range(15)], 2: [f"fan{i}" for i in range(15)]})
    result = languages(groups, posts(mixed + op + fans))
    p = by_community(result, "p_language")
    assert p[1] < 1e-10 and p[2] > ALPHA
    assert by_community(result, "lang_top")[1] == "zh"
    one = [{**row, "lang": "en"} for row in mixed]
    assert languages(groups, posts(one + op))["p_language"].to_list() == [None]


def test_community_evidence_has_every_column() -> None:
    rows = [{"account": "a", "post": "p", "time": T0, "text": "hello", "lang": "en"}]
    result = community_evidence(
        members({1: ["a"]}), posts(rows), accounts({"a": T0}), members({}).select("account"), ALPHA
    )
    assert result.height == 1
    assert math.isnan(result["p_dormancy"][0] or math.nan)


def test_principal_amplification_counts_flagged_retweets() -> None:
    accounts_table = pl.DataFrame(
        {
            "account_id": ["boss", "c1", "a1", "fan"],
            "community_id": [1, 1, 1, 2],
            "operation_id": [1, 1, 1, 2],
            "tier": ["principal", "core", "amplifier", "member"],
            "flagged": [False, True, True, False],
        }
    )
    rows = [{"account": "boss", "post": f"b{i}", "time": T0} for i in range(3)]
    retweets = pl.DataFrame(
        {
            "retweeter": ["c1", "a1", "fan", "x"],
            "author": ["boss"] * 4,
            "week": [0, 0, 1, 1],
            "weight": [5, 3, 2, 10],
        }
    )
    table = principal_amplification(accounts_table, posts(rows), retweets)
    assert table.rows() == [("boss", 1, 1, 3, 20, 8, 0.4)]
