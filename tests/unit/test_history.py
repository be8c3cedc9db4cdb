"""The history's pure parts on small literal data: windows, slicing, matching, tracks, events."""

from datetime import UTC, datetime

import polars as pl
import pytest

from tierscope.graphdb.detect.history import (
    MEMBER_SCHEMA,
    HistoryParams,
    assign_tracks,
    follow,
    match,
    slice_inputs,
    window_bounds,
)
from tierscope.graphdb.detect.inputs import ACCOUNT_SCHEMA, OBJECT_SCHEMA, POST_SCHEMA, DetectInputs
from tierscope.graphdb.errors import InputError


def ts(day: str) -> int:
    return int(datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp())


def days(bounds) -> list[str]:
    return [datetime.fromtimestamp(int(b), UTC).strftime("%Y-%m-%d") for b in bounds]


def test_windows_are_calendar_days_monday_weeks_and_months():
    first, last = ts("2020-01-08T13:00"), ts("2020-02-03T01:00")
    assert days(window_bounds(first, last, "week")) == [
        "2020-01-06", "2020-01-13", "2020-01-20", "2020-01-27", "2020-02-03", "2020-02-10"
    ]  # fmt: skip
    assert days(window_bounds(first, last, "month")) == ["2020-01-01", "2020-02-01", "2020-03-01"]
    daily = window_bounds(first, first + 3600, "day")
    assert days(daily) == ["2020-01-08", "2020-01-09"]
    with pytest.raises(InputError):
        HistoryParams(by="year")


def test_slice_keeps_every_account_and_cuts_posts_and_uses():
    posts = pl.DataFrame(
        {"account": ["a", "b", "c"], "post": ["1", "2", "3"], "time": [10, 20, 30]},
        schema_overrides={"time": pl.Int64},
    )
    rest = [pl.lit(None, t).alias(n) for n, t in POST_SCHEMA.items() if n not in posts.columns]
    posts = posts.with_columns(rest).select(list(POST_SCHEMA))
    accounts = pl.DataFrame({"account": ["a", "b", "c"]}).with_columns(
        [pl.lit(None, t).alias(n) for n, t in ACCOUNT_SCHEMA.items() if n != "account"]
    )
    tags = pl.DataFrame(
        {"account": ["a", "c"], "object": ["x", "x"], "post": ["1", "3"], "time": [10, 30]},
        schema=OBJECT_SCHEMA,
    )
    part = slice_inputs(DetectInputs(posts, accounts, tags, tags.clear()), 15, 30)
    assert part.posts["post"].to_list() == ["2"]
    assert part.hashtags.is_empty()
    assert part.accounts.height == 3


def members(rows: list[tuple[int, int, str, str, bool]]) -> pl.DataFrame:
    """(window, unit, account, tier, flagged); each unit is its own lead community."""
    return pl.DataFrame(
        [(w, u, u, a, t, f) for w, u, a, t, f in rows], schema=MEMBER_SCHEMA, orient="row"
    )


def op(window: int, unit: int, core: list[str], amps: list[str], flagged=True):
    return [(window, unit, a, "core", flagged) for a in core] + [
        (window, unit, a, "amplifier", flagged) for a in amps
    ]


CORE = [f"c{i}" for i in range(10)]
BATCH1 = [f"a{i}" for i in range(20)]
BATCH2 = [f"b{i}" for i in range(40)]
CROWD = [f"o{i}" for i in range(300)]


def test_a_threefold_growth_stays_linked_but_chance_overlap_does_not():
    before = members(op(0, 1, CORE, BATCH1))
    after = members(op(1, 1, CORE, BATCH1 + BATCH2))
    links = match(before, after, active=400, fdr=0.01, min_jaccard=0.1)
    (row,) = links.to_dicts()
    assert row["overlap"] == 30 and row["jaccard"] == pytest.approx(30 / 70)
    # A large audience holding a few of the operation's accounts: significant but tiny.
    audience = members([(1, 2, a, "member", False) for a in CROWD[:200] + CORE[:2]])
    links = match(before, audience, active=400, fdr=0.01, min_jaccard=0.1)
    assert links.is_empty()


def test_follow_gives_each_unit_one_successor_and_one_predecessor():
    links = pl.DataFrame(
        {"source": [1, 1, 2], "target": [5, 6, 5], "jaccard": [0.6, 0.3, 0.4]},
        schema={"source": pl.Int64, "target": pl.Int64, "jaccard": pl.Float64},
    )
    kept = follow(links).sort("source")
    assert kept.rows() == [(1, 5, 0.6)]


def history(rows, windows):
    frame = members(rows)
    links = [
        match(
            frame.filter(pl.col("window") == w - 1),
            frame.filter(pl.col("window") == w),
            400,
            0.01,
            0.1,
        )
        for w in range(1, windows)
    ]
    active = {w: set(frame.filter(pl.col("window") == w)["account_id"]) for w in range(windows)}
    active[windows - 1] = set(CORE[:3])  # the last window: a few of them still post
    return assign_tracks(frame, pl.concat(links), HistoryParams(), active, windows)


def test_events_of_an_operation_that_starts_small_grows_and_falls_silent():
    rows = (
        op(0, 1, CORE, BATCH1)
        + op(1, 1, CORE, BATCH1)
        + op(2, 1, CORE, BATCH1 + BATCH2)  # recruits a second batch
        + op(3, 1, CORE[:6], BATCH1 + BATCH2)  # four core accounts stop: not a new core
        + [(w, 2, a, "member", False) for w in range(5) for a in CROWD[:50]]  # a stable audience
    )
    units, followed, events = history(rows, 5)
    op_track = units.filter(pl.col("unit") == 1)["track"].unique().to_list()
    assert len(op_track) == 1
    mine = events.filter(pl.col("track") == op_track[0])
    assert mine.select("window", "event").rows() == [
        (0, "appears"),
        (2, "grows"),
        (4, "falls_silent"),
    ]
    assert "3 of its 66 accounts still posted" in mine["detail"][-1]
    assert units.filter(pl.col("window") == 2, pl.col("unit") == 1)["newcomers"].item() == 40
    assert followed.height == 3 + 4  # the operation's three steps, the audience's four


def test_a_replaced_core_is_a_core_change_and_a_stranger_appears():
    new_core = [f"n{i}" for i in range(10)]
    rows = (
        op(0, 1, CORE, BATCH1)
        + op(1, 1, new_core, BATCH1)  # same amplifiers, new core
        + op(1, 2, CROWD[:5], [], flagged=False)
    )
    units, _, events = history(rows, 2)
    assert ("core_changes", 1) in events.select("event", "window").rows()
    detail = events.filter(pl.col("event") == "core_changes")["detail"].item()
    assert "10 new to the operation, 10 gone from it" in detail
    assert units.filter(pl.col("unit") == 2)["track"].item() == 2
    assert events.filter(pl.col("track") == 2)["event"].to_list() == ["appears"]
