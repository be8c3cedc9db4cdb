"""A world with a known history (`tierscope generate --scenario history`), to test
`tierscope detect --by week`.

Twelve weeks from Monday 2020-01-06, in the 31-column archive form. One operation:

- 3 principals (op1's officials and state media) post throughout, office hours, and draw a
  genuine organic audience;
- week 2 (from 2020-01-13): the operation **appears**. A core cell (30 accounts signed up in
  one November 2019 batch) retweets about 60% of the principals' posts in tight waves and
  posts template originals; a first amplifier batch (60 accounts, one December batch)
  retweets the core's posts in loose bursts;
- week 6 (from 2020-02-10): it **grows**. A second amplifier batch (150 accounts, signed up
  in three days at the end of January) joins, retweeting the core's posts too;
- week 10 (from 2020-03-09): it **falls silent**. Core and amplifiers post nothing more;
  the principals and the background carry on.

The background is 3,000 organic accounts (at scale 1) with heavy-tailed activity, posting
and retweeting one another with slow, independent lags. ``truth.csv`` has ``userid, role, op,
kind`` (kind: ``cell``, ``batch1``, ``batch2``, or the role), and ``history.json`` the
expected events and the week each falls in. Accounts scale with ``scale``; what one account
does does not.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl

from tierscope.graphdb.synth import (
    AMP1,
    CHATTER,
    CORE1,
    DAY,
    EN,
    OFFICE_HOURS,
    OFFICIAL,
    OP1_PRINCIPALS,
    ORGANIC,
    ORGANIC_LANGS,
    ORIGINAL,
    P1,
    SPAM,
    TEMPLATE,
    WORLD_HOURS,
    ZH,
    Accounts,
    GenerateResult,
    Posts,
    bursts,
    crowd,
    each,
    iso_day,
    lags,
    lognormal,
    make_profiles,
    post_langs,
    react,
    signup_days,
    star_accounts,
    times,
    waves,
    write_files,
)

WEEK = 7 * DAY
START = iso_day("2020-01-06") * DAY  # a Monday
WEEKS = 12
STOP = START + WEEKS * WEEK
APPEARS, GROWS, SILENT = 1, 5, 9  # 0-based weeks
EXPECTED = ("appears", APPEARS), ("grows", GROWS), ("falls_silent", SILENT)
_PRINCIPALS = 3
_PRINCIPAL_POSTS = 1200


def _week_iso(week: int) -> str:
    return str(np.datetime64((START + week * WEEK) * 60, "s").astype("datetime64[D]"))


def _accounts(rng: np.random.Generator, scale: float) -> tuple[Accounts, np.ndarray]:
    def n(base: int, least: int) -> int:
        return max(least, round(base * scale))

    organic_days = iso_day("2009-01-01") + (
        rng.beta(1.6, 1.0, n(5000, 500)) * (iso_day("2019-12-15") - iso_day("2009-01-01"))
    ).astype(np.int64)
    op_langs = {ZH: 0.6, EN: 0.4}
    parts = [
        (star_accounts(P1, OP1_PRINCIPALS[:_PRINCIPALS]), "principal"),
        (
            crowd(rng, n(30, 10), CORE1, op_langs,
                  signup_days(rng, n(30, 10), (("2019-11-04", 4, 1.0),)),
                  (40, 1.0), (90, 0.7), 0.4),
            "cell",
        ),
        (
            crowd(rng, n(60, 20), AMP1, op_langs,
                  signup_days(rng, n(60, 20), (("2019-12-02", 4, 1.0),)),
                  (4, 1.2), (45, 0.8), 0.5),
            "batch1",
        ),
        (
            crowd(rng, n(150, 50), AMP1, op_langs,
                  signup_days(rng, n(150, 50), (("2020-01-28", 3, 1.0),)),
                  (4, 1.2), (45, 0.8), 0.5),
            "batch2",
        ),
        (
            crowd(rng, len(organic_days), ORGANIC, ORGANIC_LANGS, organic_days,
                  (150, 1.6), (250, 1.0), 1.2),
            "organic",
        ),
    ]  # fmt: skip
    kinds = np.concatenate([np.full(len(p.group), k, dtype=object) for p, k in parts])
    return Accounts.concat([p for p, _ in parts]), kinds


def _posts(rng: np.random.Generator, acc: Accounts, kinds: np.ndarray) -> Posts:
    posts = Posts()
    week0 = START + APPEARS * WEEK
    grows, silent = START + GROWS * WEEK, START + SILENT * WEEK

    principals = acc.members(P1)
    author = np.repeat(principals, rng.multinomial(_PRINCIPAL_POSTS, acc.weight[principals]))
    minute = times(rng, np.full(len(author), START), STOP, OFFICE_HOURS)
    led = posts.add(author, minute, ORIGINAL, acc.lang[author], OFFICIAL)

    organic = acc.members(ORGANIC)
    author = np.concatenate([organic, each(rng, organic, 6.0 * acc.weight[organic])])
    lo = np.maximum(START, acc.created[author] + DAY)
    minute = times(rng, lo, STOP, WORLD_HOURS)
    chatter = posts.add(author, minute, ORIGINAL, post_langs(rng, acc.lang[author]), CHATTER)

    core = acc.members(CORE1)
    author = each(rng, core, 40.0 * acc.weight[core])
    minute = times(rng, np.full(len(author), week0), silent, OFFICE_HOURS, weekdays=True)
    fed = posts.add(author, minute, ORIGINAL, acc.lang[author], TEMPLATE)
    amps = acc.members(AMP1)
    author = each(rng, amps, 1.0 * acc.weight[amps])
    minute = times(rng, np.full(len(author), week0), silent, OFFICE_HOURS, weekdays=True)
    posts.add(author, minute, ORIGINAL, acc.lang[author], SPAM)

    # The core pushes the principals' posts of its active weeks in waves.
    at = posts.col("minute")
    active = led[(at[led] >= week0) & (at[led] < silent)]
    push = rng.random(len(active)) < 0.6
    counts = rng.binomial(len(core), 0.5 * push)
    react(rng, acc, posts, active, counts, core, acc.weight[core], waves(rng, len(active)))
    # Each amplifier batch retweets the core's posts of its own weeks in bursts.
    pull = lognormal(rng, 1.0, 0.6, len(fed))
    for batch, lo_w in (("batch1", week0), ("batch2", grows)):
        who = amps[kinds[amps] == batch]
        mine = (at[fed] >= lo_w) & (at[fed] < silent)
        share = np.where(mine, pull, 0.0)
        # about 15 core posts a week per amplifier
        weeks = (silent - lo_w) / WEEK
        counts = rng.poisson(len(who) * 15 * weeks * share / share.sum())
        react(rng, acc, posts, fed, counts, who, acc.weight[who], bursts(rng, len(fed), 3, 2))

    # The background: popular organic posts draw slow retweets; the principals a real audience.
    crowd_ = organic
    keen = acc.weight[crowd_] * rng.beta(1.2, 2.0, len(crowd_))
    appeal = acc.followers[posts.col("author")[chatter]] ** 0.7 * lognormal(
        rng, 1.0, 1.0, len(chatter)
    )
    counts = rng.poisson(1.5 * len(chatter) * appeal / appeal.sum())
    react(rng, acc, posts, chatter, counts, crowd_, keen, lags(rng, 90, 1.6))
    counts = rng.poisson(6 * len(organic) / 5000, len(led))
    react(rng, acc, posts, led, counts, crowd_, keen, lags(rng, 40, 1.4))
    # Cover: op accounts retweet a few popular organic posts too, in their active weeks.
    op = np.concatenate([core, amps])
    recent = (at[chatter] >= week0) & (at[chatter] < silent)
    counts = rng.poisson(
        3 * len(op) * (silent - week0) / WEEK * appeal * recent / appeal[recent].sum()
    )
    react(rng, acc, posts, chatter, counts, op, np.ones(len(op)), lags(rng, 120, 1.5))
    return posts


def history_world(
    out_dir: Path, scale: float, seed: int, say: Callable[[str], None]
) -> GenerateResult:
    """Write the history scenario (module docstring) into ``out_dir``."""
    rng = np.random.default_rng(seed)
    acc, kinds = _accounts(rng, scale)
    posts = _posts(rng, acc, kinds)
    say(f"history at scale {scale}: {len(acc.group):,} accounts, {posts.size:,} posts")
    profiles = make_profiles(rng, acc, {P1: OP1_PRINCIPALS}, np.zeros(len(acc.group), bool))
    ms = posts.col("minute") * 60_000 + rng.integers(0, 60_000, posts.size)
    result = write_files(
        out_dir, rng, acc, posts, profiles, ms, kinds=pl.Series(kinds, dtype=pl.String)
    )
    expected = {
        "by": "week",
        "first_week": _week_iso(0),
        "weeks": WEEKS,
        "operation": "op1",
        "events": [
            {"event": event, "window": week, "week_start": _week_iso(week)}
            for event, week in EXPECTED
        ],
        "batches": {k: int((kinds == k).sum()) for k in ("cell", "batch1", "batch2")},
    }
    (out_dir / "history.json").write_text(json.dumps(expected, indent=2) + "\n")
    say(f"wrote tweets.csv, users.csv, truth.csv and history.json to {out_dir}")
    return result
