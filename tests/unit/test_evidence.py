"""Each evidence measure, the score and flag built on them, and principal amplification."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import polars as pl
import pytest

from tierscope.graphdb.detect.analyze import principal_amplification
from tierscope.graphdb.detect.evidence import (
    DAY,
    community_evidence,
    creation_burst,
    dormancy,
    duplicate_text,
    languages,
    reaction_time,
)
from tierscope.graphdb.detect.inputs import ACCOUNT_SCHEMA, POST_SCHEMA

T0 = 1_600_000_000


def members(groups: dict[int, list[str]]) -> pl.DataFrame:
    return pl.DataFrame(
        [(a, c) for c, accounts in groups.items() for a in accounts],
        schema={"account": pl.String, "community": pl.Int64},
        orient="row",
    )


def accounts(created: Mapping[str, int | None]) -> pl.DataFrame:
    return pl.DataFrame(
        {"account": list(created), "created_at": list(created.values())},
        schema={"account": pl.String, "created_at": pl.Int64},
    ).with_columns(
        pl.lit(None, dtype).alias(name)
        for name, dtype in ACCOUNT_SCHEMA.items()
        if name not in ("account", "created_at")
    )


def posts(rows: Sequence[Mapping[str, object]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=POST_SCHEMA)


def test_creation_burst_against_the_background() -> None:
    # Background: one sign-up a day for 200 days. A batch of 6 on one day is a burst; 6 spread
    # over the background's days, or 2 on one day (a coincidence), are not.
    created: dict[str, int | None] = {f"bg{d}": T0 + d * DAY for d in range(200)}
    created |= {f"batch{i}": T0 + 50 * DAY + i for i in range(6)}
    created |= {f"spread{i}": T0 + (10 + 30 * i) * DAY for i in range(6)}
    created |= {"pair0": T0 + 70 * DAY, "pair1": T0 + 70 * DAY + 5, "pair2": T0 + 150 * DAY}
    created |= {"unknown": None}
    groups = {
        1: [f"batch{i}" for i in range(6)] + ["unknown"],
        2: [f"spread{i}" for i in range(6)],
        3: ["pair0", "pair1", "pair2"],
    }
    burst = creation_burst(members(groups), accounts(created)).sort("community")
    # Accounts of unknown age do not count either way.
    assert burst.rows() == [(1, 1.0), (2, 0.0), (3, 0.0)]


def test_partial_burst_share() -> None:
    created = {f"bg{d}": T0 + d * DAY for d in range(100)}
    created |= {f"b{i}": T0 + 5 * DAY for i in range(8)}
    created |= {f"t{i}": T0 + (20 + 7 * i) * DAY for i in range(2)}
    groups = {1: [f"b{i}" for i in range(8)] + ["t0", "t1"]}
    assert creation_burst(members(groups), accounts(created))["creation_burst"][0] == 0.8


def test_median_reaction_time() -> None:
    rows = [
        {"account": "a", "post": "r1", "time": T0 + 30, "original": "o", "original_time": T0},
        {"account": "a", "post": "r2", "time": T0 + 600, "original": "o", "original_time": T0},
        {"account": "b", "post": "r3", "time": T0 + 90, "original": "o", "original_time": T0},
        # Retweets of posts outside the archive have no original time.
        {"account": "b", "post": "r4", "time": T0 + 9, "original": "x"},
        {"account": "c", "post": "r5", "time": T0 + 5000, "original": "o", "original_time": T0},
    ]
    frame = reaction_time(members({1: ["a", "b"]}), posts(rows))
    assert frame.rows() == [(1, 90.0)]


def test_dormant_accounts() -> None:
    year = 365 * DAY
    rows = [
        # Silent for more than a year, then active again: a hijacked account.
        {"account": "old", "post": "1", "time": T0},
        {"account": "old", "post": "2", "time": T0 + year + DAY},
        {"account": "old", "post": "3", "time": T0 + year + 2 * DAY},
        {"account": "busy", "post": "4", "time": T0},
        {"account": "busy", "post": "5", "time": T0 + 200 * DAY},
        {"account": "busy", "post": "6", "time": T0 + 400 * DAY},
        {"account": "once", "post": "7", "time": T0},
        {"account": "new", "post": "8", "time": T0 + 2 * year},
    ]
    frame = dormancy(members({1: ["old", "busy", "once", "new"]}), posts(rows))
    assert frame.rows() == [(1, 0.25)]


def test_duplicated_text_ignores_tags_links_and_case() -> None:
    rows = [
        {"account": "a", "post": "1", "time": T0, "text": "The facts speak for themselves."},
        {"account": "b", "post": "2", "time": T0, "text": "the facts speak for themselves #Truth"},
        {
            "account": "c",
            "post": "3",
            "time": T0,
            "text": "THE FACTS speak for themselves https://t.co/x",
        },
        {"account": "a", "post": "4", "time": T0, "text": "my own words today"},
        # The same account repeating itself is not copying another.
        {"account": "b", "post": "5", "time": T0, "text": "again and again"},
        {"account": "b", "post": "6", "time": T0, "text": "Again and again!"},
        {"account": "b", "post": "7", "time": T0, "original": "1"},
    ]
    frame = duplicate_text(members({1: ["a", "b"]}), posts(rows))
    assert frame.rows() == [(1, 2 / 5)]


def test_language_mix() -> None:
    rows = [
        {"account": "a", "post": str(i), "time": T0, "lang": lang}
        for i, lang in enumerate(["zh", "zh", "en", "en", None, "zh", "zh", "zh"])
    ]
    rows[5]["account"] = rows[6]["account"] = rows[7]["account"] = "outsider"
    frame = languages(members({1: ["a"]}), posts(rows))
    assert frame.rows() == [(1, "en", 0.5, 1.0)]  # ties go to the first name


def scenario() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """A batch-made, copy-pasting, zh-only ring (1), a fast fan base (2) and a background."""
    langs = ["en", "es", "fr", "pt", "ja", "ko"]
    created = {f"bg{i}": T0 - (i % 300) * DAY for i in range(600)}
    created |= {f"op{i}": T0 - 40 * DAY for i in range(20)}
    created |= {f"fan{i}": T0 - (7 * i + 3) * DAY for i in range(18)}
    rows: list[dict[str, object]] = []

    def post(account: str, time: int, lang: str, text: str) -> None:
        rows.append({"account": account, "post": account, "time": time, "lang": lang, "text": text})

    def retweet(account: str, time: int, lang: str, original: str, original_time: int) -> None:
        rows.append(
            {"account": account, "post": f"rt-{account}", "time": time, "lang": lang,
             "original": original, "original_time": original_time}
        )  # fmt: skip

    for i in range(600):
        post(f"bg{i}", T0 + i * 100, langs[i % 6], f"words of my own number {i}")
        nxt = (i + 1) % 600
        retweet(f"bg{i}", T0 + i * 100 + 5_400, langs[i % 6], f"bg{nxt}", T0 + nxt * 100)
    for i in range(20):
        post(f"op{i}", T0 + i, "zh", "Western media keep spreading rumours")
        retweet(f"op{i}", T0 + 3_000, "zh", "bg0", T0)
    for i in range(18):  # six languages evenly, as in the background
        post(f"fan{i}", T0 + i, langs[i % 6], f"love her so much {i}")
        retweet(f"fan{i}", T0 + 120, langs[i % 6], "bg1", T0 + 100)
    groups = members({1: [f"op{i}" for i in range(20)], 2: [f"fan{i}" for i in range(18)]})
    return groups, posts(rows), accounts(created)


def test_score_sums_the_signals_and_ranks_the_ring_above_the_fans() -> None:
    groups, post_frame, account_frame = scenario()
    evidence = community_evidence(groups, post_frame, account_frame, window=60).sort("community")
    ring, fans = evidence.row(0, named=True), evidence.row(1, named=True)
    assert ring["creation_burst"] == 1.0
    assert ring["duplicate_text_share"] == 1.0
    assert ring["lang_top"] == "zh" and ring["lang_entropy"] == 0.0
    assert ring["median_reaction_s"] == 3000.0
    assert fans["creation_burst"] == 0.0 and fans["duplicate_text_share"] == 0.0
    assert fans["median_reaction_s"] == 20.0
    # Background: retweets 5,300 s after the original (the next account's post, 100 s later),
    # six languages evenly, no copies.
    fast_fans = 1.0  # faster than the window
    fast_ring = math.log(5_300 / 3_000) / math.log(5_300 / 60)
    assert fans["score"] == pytest.approx(fast_fans)
    assert ring["score"] == pytest.approx(1 + 1 + 1 + fast_ring)
    assert ring["score"] >= 2.0 > fans["score"]


def test_principal_amplification_table() -> None:
    detected = pl.DataFrame(
        {
            "account_id": ["amb", "tv", "c1", "a1", "fan"],
            "operation_id": [1, 1, 1, 1, 2],
            "community_id": [1, 1, 1, 1, 2],
            "tier": ["principal", "principal", "core", "amplifier", "core"],
            "flagged": [False, False, True, True, False],
        }
    )
    post_frame = posts(
        [
            {"account": "amb", "post": "p1", "time": T0},
            {"account": "amb", "post": "p2", "time": T0},
            {"account": "tv", "post": "p3", "time": T0},
            {"account": "amb", "post": "p4", "time": T0, "original": "p3"},
        ]
    )
    retweets = pl.DataFrame(
        {
            "retweeter": ["c1", "a1", "fan", "someone", "amb"],
            "author": ["amb", "amb", "amb", "amb", "tv"],
            "weight": [5, 3, 2, 10, 1],
        }
    )
    table = principal_amplification(detected, post_frame, retweets)
    assert table.rows() == [
        ("amb", 1, 1, 2, 20, 8, 0.4),
        ("tv", 1, 1, 1, 1, 0, 0.0),
    ]
