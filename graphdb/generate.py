"""Synthetic information-operation archives for tests and benchmarks (`tierscope generate`).

`generate` writes a scenario: ``seed2020``, one fixed world described here, or ``family``, one
random draw of a family of worlds (see `scenarios`), which tells a detector tuned on seed2020
what it learnt about seed2020 alone. Both are built from the blocks in `synth`.

For seed2020 `generate` writes three files: ``tweets.csv`` in the 31-column format of Twitter's
2018 information-operations release (every field quoted, minute-resolution UTC times),
``users.csv`` with its 10 user columns, and ``truth.csv`` (``userid, role, op``) to score a
detector against.

``seed2020`` is modelled on the June 2020 takedown: 23,750 core accounts fed
about 150,000 amplifiers, 27,000 accounts retweeted one ambassador about 200,000 times, a batch
of look-alike "British citizens" produced 16,000 retweets, some genuine accounts had been
hijacked, and diplomats and state media drew huge retweet counts.

Structure at scale 1 (about 600,000 posts). The crowds (core, amplifiers, fans, organic) scale
linearly; the principals, the celebrity and the posts they write do not, so what one crowd
account does (how many posts it retweets, how often two core accounts meet on one post) is the
same at every scale.

- op1, the main operation: 8 principals (an ambassador who draws the most amplification, officials,
  state media; old genuine accounts with many followers that post originals and coordinate with
  nobody); 600 core accounts that retweet the principals' posts in tight waves (most of a wave
  inside two consecutive minutes) and post template text of their own; 3,600 amplifiers (6 per
  core account) that retweet the core's posts, and some of the principals', in loose bursts over
  minutes to hours, each touching only some of the core's posts.
- op2, the look-alike ring: 2 principals of its own, 30 core and 180 amplifiers with handles
  like ``jamessmith8234``, all created in one two-day batch; about 16,000 retweets, almost none
  of op1's posts.
- The fan community: one celebrity and 800 fans who retweet her fast and a lot.
- The organic background: 40,000 accounts with heavy-tailed (lognormal) activity and
  popularity, posting originals and replies and retweeting each other, and now and then the
  principals, the celebrity and even a core post.

Signals planted, and the decoys that stop any one of them from settling the question alone:

- Synchrony: op1 pushes about 40% of its principals' posts (60% of the ambassador's) with a
  core wave: about 30% of the core retweet the post, 85% of them within two consecutive
  minutes, the rest straggling in later. Two op1 core accounts meet within a minute on about 14
  posts, at any scale. Fans also pile onto the celebrity's posts within minutes (two fans meet
  about twice), and popular organic posts draw chance same-minute retweets.
- Tiers: amplifiers retweet core posts (nearly 90% of their op retweets), core accounts retweet
  principals; principals retweet each other only a little, and slowly. Op accounts also retweet
  a few popular organic posts, as cover, and organic accounts now and then retweet a core post.
- Creation bursts: 85% of op1 accounts come from three bursts of a few days, the rest trickle in
  over the eight months before; op2 is one two-day batch. Organic and fan accounts sign up over
  twelve years, so the burst days hold background sign-ups too.
- Reaction time (median per account): core about 5 minutes, fans about 6, amplifiers about an
  hour, organic accounts an hour and a half with a long tail.
- Dormancy: 5% of op1 core and 2% of op1 amplifiers are hijacked genuine accounts (created
  2011-2016, a few posts, silent for more than a year, then op activity); about 1.5% of organic
  accounts also come back after more than a year away. Fans are never dormant.
- Duplicated text: core and amplifier originals come from small template pools (exact copies,
  or copies with a hashtag or link added); organic and fan text is unique.
- Language mix: op1 is zh/en, op2 en; fans and organic accounts span nine languages.
- Also: op originals keep Beijing office hours on weekdays, op clients lean to the web app, op
  posts get few likes for their retweets, and op accounts have few followers (hijacked ones keep
  their old profile). None of these is clean: organic accounts have the same clients, zh
  speakers and default-style handles too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tierscope.graphdb.errors import InputError
from tierscope.graphdb.growth import history_world
from tierscope.graphdb.scenarios import family
from tierscope.graphdb.sources.archive import TWEET_COLUMNS, USER_COLUMNS
from tierscope.graphdb.synth import (
    AMP1,
    AMP2,
    CELEB,
    CELEBRITY,
    CHATTER,
    CORE1,
    CORE2,
    DAY,
    EN,
    END,
    FAN,
    FAN_LANGS,
    FANPOST,
    KO,
    OFFICE_HOURS,
    OFFICIAL,
    OP1_PRINCIPALS,
    OP2_PRINCIPALS,
    OP_GROUPS,
    ORGANIC,
    ORGANIC_LANGS,
    ORIGINAL,
    P1,
    P2,
    REPLY,
    RETWEET,
    ROLES,
    SPAM,
    STARPOST,
    TEMPLATE,
    TRUTH_COLUMNS,
    WINDOW_START,
    WORLD_HOURS,
    ZH,
    Accounts,
    GenerateResult,
    Posts,
    bursts,
    chatter,
    crowd,
    each,
    hijack,
    iso_day,
    lags,
    lognormal,
    make_profiles,
    old_posts,
    organic_days,
    react,
    signup_days,
    star_accounts,
    times,
    waves,
    with_history,
    write_files,
)

__all__ = [
    "ROLES",
    "SCENARIOS",
    "TRUTH_COLUMNS",
    "TWEET_COLUMNS",
    "USER_COLUMNS",
    "GenerateResult",
    "generate",
]

SCENARIOS = ("seed2020", "family", "history")

OP1_START = iso_day("2019-12-01") * DAY
OP2_START = iso_day("2020-02-24") * DAY

# Sign-ups of op accounts as (first day, days, share): op1 has three bursts of a few days and a
# trickle over eight months, so creation dates alone do not find all of it; op2 is one batch.
_OP1_SIGNUPS = (
    ("2019-06-01", 245, 0.15),
    ("2019-08-12", 4, 0.30),
    ("2019-10-28", 3, 0.25),
    ("2020-01-06", 5, 0.30),
)
_OP2_SIGNUPS = (("2020-02-17", 2, 1.0),)


@dataclass(frozen=True)
class _Sizes:
    organic: int
    fans: int
    core1: int
    amp1: int
    core2: int
    amp2: int

    @classmethod
    def at(cls, scale: float) -> _Sizes:
        def n(base: int, least: int) -> int:
            return max(least, round(base * scale))

        core1, core2 = n(600, 10), n(30, 5)
        return cls(n(40_000, 400), n(800, 40), core1, 6 * core1, core2, 6 * core2)


_STAR_TABLES = {P1: OP1_PRINCIPALS, P2: OP2_PRINCIPALS, CELEB: (CELEBRITY,)}
_PRINCIPAL_POSTS = {P1: 800, P2: 120}
_CELEBRITY_POSTS = 200


def _accounts(rng: np.random.Generator, sizes: _Sizes) -> Accounts:
    # (group, size, languages, op sign-ups or None for background ones,
    #  followers and following as (median, sigma), spread of busyness, share hijacked)
    crowds = (
        (CORE1, sizes.core1, {ZH: 0.6, EN: 0.4}, _OP1_SIGNUPS, (40, 1.0), (90, 0.7), 0.5, 0.05),
        (AMP1, sizes.amp1, {ZH: 0.7, EN: 0.3}, _OP1_SIGNUPS, (4, 1.2), (45, 0.8), 0.7, 0.02),
        (CORE2, sizes.core2, {EN: 1.0}, _OP2_SIGNUPS, (60, 0.8), (180, 0.6), 0.5, 0.0),
        (AMP2, sizes.amp2, {EN: 1.0}, _OP2_SIGNUPS, (8, 1.0), (70, 0.7), 0.7, 0.0),
        (FAN, sizes.fans, FAN_LANGS, None, (220, 1.2), (400, 0.8), 0.8, 0.0),
        (ORGANIC, sizes.organic, ORGANIC_LANGS, None, (150, 1.6), (250, 1.0), 1.2, 0.0),
    )
    parts = [star_accounts(group, table) for group, table in _STAR_TABLES.items()]
    for group, n, langs, signups, followers, following, busy, hijacked in crowds:
        days = organic_days(rng, n) if signups is None else signup_days(rng, n, signups)
        part = crowd(rng, n, group, langs, days, followers, following, busy)
        hijack(rng, part, hijacked)
        parts.append(part)
    # People coming back after more than a year away: dormancy alone does not prove hijacking.
    organic = parts[-1]
    old = np.flatnonzero(organic.created < iso_day("2017-01-01") * DAY)
    with_history(rng, organic, old[rng.random(len(old)) < 0.02])
    return Accounts.concat(parts)


def _op_langs(rng: np.random.Generator, langs: np.ndarray, op: int) -> np.ndarray:
    """op1 writes Chinese and English (hijacked accounts switch to them); op2 English."""
    if op == 2:
        return np.full(len(langs), EN)
    base = np.where(langs == ZH, ZH, EN)
    stay = rng.random(len(langs)) < np.where(base == ZH, 0.85, 0.6)
    return np.where(stay, base, ZH + EN - base)


@dataclass
class _Targets:
    """The originals each stream of reactions draws on."""

    principal: dict[int, np.ndarray]  # per op
    core: dict[int, np.ndarray]  # per op
    star: np.ndarray
    chatter: np.ndarray  # organic and fan originals inside the window


def _originals(rng: np.random.Generator, acc: Accounts, posts: Posts) -> _Targets:
    principal, core = {}, {}
    for op, (group, start) in enumerate(((P1, OP1_START), (P2, OP2_START)), start=1):
        who = acc.members(group)
        author = np.repeat(who, rng.multinomial(_PRINCIPAL_POSTS[group], acc.weight[who]))
        lo = np.maximum(start, acc.created[author] + DAY)
        minute = times(rng, lo, END - 2 * DAY, OFFICE_HOURS)
        lang = _op_langs(rng, acc.lang[author], op)
        principal[op] = posts.add(author, minute, ORIGINAL, lang, OFFICIAL)

    celebrity = np.repeat(acc.members(CELEB), _CELEBRITY_POSTS)
    minute = times(rng, np.full(len(celebrity), WINDOW_START), END - 2 * DAY, WORLD_HOURS)
    lang = np.where(rng.random(len(celebrity)) < 0.6, EN, KO)
    star = posts.add(celebrity, minute, ORIGINAL, lang, STARPOST)

    # Core accounts write many posts from a few templates; amplifiers a handful of one-liners.
    for op, group, mean, start, kind in (
        (1, CORE1, 30.0, OP1_START, TEMPLATE),
        (2, CORE2, 25.0, OP2_START, TEMPLATE),
        (1, AMP1, 1.5, OP1_START, SPAM),
        (2, AMP2, 1.5, OP2_START, SPAM),
    ):
        who = acc.members(group)
        author = each(rng, who, mean * acc.weight[who])
        lo = np.maximum(start, acc.created[author] + DAY)
        minute = times(rng, lo, END, OFFICE_HOURS, weekdays=True)
        made = posts.add(author, minute, ORIGINAL, _op_langs(rng, acc.lang[author], op), kind)
        if kind == TEMPLATE:
            core[op] = made

    everyday = [
        chatter(rng, acc, posts, ORGANIC, 1.9, CHATTER),
        chatter(rng, acc, posts, FAN, 6.0, FANPOST),
    ]
    old_posts(rng, acc, posts)
    return _Targets(principal, core, star, np.concatenate(everyday))


def _reactions(
    rng: np.random.Generator, acc: Accounts, posts: Posts, t: _Targets, sizes: _Sizes
) -> None:
    author = posts.col("author")
    pushed = np.zeros(len(acc.group))
    reach = np.zeros(len(acc.group))
    for group, table in _STAR_TABLES.items():
        rows = acc.members(group)
        pushed[rows] = [table[i].pushed for i in acc.star[rows]]
        reach[rows] = [table[i].reach for i in acc.star[rows]]

    # (op, core, amplifiers, share of the core in a wave, amplifiers' rate on principal posts,
    # core posts each amplifier retweets)
    for op, core_group, amp_group, core_rate, amp_rate, per_amp in (
        (1, CORE1, AMP1, 0.3, 0.01, 40.0),
        (2, CORE2, AMP2, 0.45, 0.2, 70.0),
    ):
        # The op pushes some of a principal's posts hard: a core wave, then amplifiers.
        led = t.principal[op]
        push = (rng.random(len(led)) < pushed[author[led]]) * rng.uniform(0.6, 1.4, len(led))
        core = acc.members(core_group)
        counts = rng.binomial(len(core), np.clip(core_rate * push, 0, 0.9))
        react(rng, acc, posts, led, counts, core, acc.weight[core], waves(rng, len(led)))
        amps = acc.members(amp_group)
        counts = rng.binomial(len(amps), np.clip(amp_rate * (0.2 + push), 0, 0.9))
        react(rng, acc, posts, led, counts, amps, acc.weight[amps], bursts(rng, len(led), 30, 60))
        fed = t.core[op]
        pull = lognormal(rng, 1.0, 0.6, len(fed))
        counts = rng.poisson(len(amps) * per_amp * pull / pull.sum())
        react(rng, acc, posts, fed, counts, amps, acc.weight[amps], bursts(rng, len(fed), 15, 30))
    # The ring leans on op1's principals only a little.
    amps = acc.members(AMP2)
    led = t.principal[1]
    counts = rng.binomial(len(amps), 0.001, len(led))
    react(rng, acc, posts, led, counts, amps, acc.weight[amps], bursts(rng, len(led), 30, 60))

    fans = acc.members(FAN)
    counts = rng.binomial(len(fans), np.clip(0.2 * rng.uniform(0.5, 1.5, len(t.star)), 0, 0.9))
    react(rng, acc, posts, t.star, counts, fans, acc.weight[fans], lags(rng, 5, 1.0))

    # The background: popular accounts' posts draw most retweets and replies.
    crowd = acc.members(ORGANIC, FAN)
    keen = (
        acc.weight[crowd]
        * rng.beta(1.2, 2.0, len(crowd))
        * np.where(acc.group[crowd] == FAN, 0.5, 1.0)
    )
    appeal = acc.followers[author[t.chatter]] ** 0.7 * lognormal(rng, 1.0, 1.0, len(t.chatter))
    appeal /= appeal.sum()
    for share, kind, median in ((0.42, RETWEET, 90.0), (0.08, REPLY, 45.0)):
        counts = rng.poisson(share * len(t.chatter) * appeal)
        react(rng, acc, posts, t.chatter, counts, crowd, keen, lags(rng, median, 1.6), kind)
    organic = acc.members(ORGANIC)
    keen = keen[acc.group[crowd] == ORGANIC]
    famous = np.concatenate([t.principal[1], t.principal[2], t.star])
    counts = rng.poisson(reach[author[famous]] * sizes.organic / 40_000)
    react(rng, acc, posts, famous, counts, organic, keen, lags(rng, 40, 1.4))
    fed = np.concatenate([t.core[1], t.core[2]])
    counts = rng.poisson(0.03, len(fed))
    react(rng, acc, posts, fed, counts, organic, keen, lags(rng, 120, 1.5))

    # Cover: op accounts retweet a few popular organic posts too.
    ops = acc.members(*OP_GROUPS)
    counts = rng.poisson(1.2 * len(ops) * appeal)
    react(rng, acc, posts, t.chatter, counts, ops, np.ones(len(ops)), lags(rng, 120, 1.5))

    # Principals of one op retweet each other now and then, slowly.
    for op, group in ((1, P1), (2, P2)):
        led = t.principal[op]
        peers = acc.members(group)
        counts = rng.poisson(0.4, len(led))
        react(rng, acc, posts, led, counts, peers, np.ones(len(peers)), lags(rng, 120, 1.2))


def generate(
    out_dir: Path,
    scenario: str = "seed2020",
    scale: float = 1.0,
    seed: int = 7,
    progress: Callable[[str], None] | None = None,
) -> GenerateResult:
    """Write `scenario` at `scale` into `out_dir`: tweets.csv, users.csv and truth.csv for
    seed2020; for the family, the files of one draw (see `scenarios`) and scenario.json.

    The same scenario, scale and seed always give the same bytes.
    """
    if scenario not in SCENARIOS:
        raise InputError(f"unknown scenario {scenario!r}; known: {', '.join(SCENARIOS)}")
    if not scale > 0:
        raise InputError(f"scale must be positive, not {scale}")
    say = progress or (lambda _: None)
    if scenario == "family":
        return family(out_dir, scale, seed, say)
    if scenario == "history":
        return history_world(out_dir, scale, seed, say)
    rng = np.random.default_rng(seed)
    sizes = _Sizes.at(scale)
    acc = _accounts(rng, sizes)
    posts = Posts()
    _reactions(rng, acc, posts, _originals(rng, acc, posts), sizes)
    say(f"{scenario} at scale {scale}: {len(acc.group):,} accounts, {posts.size:,} posts")
    profiles = make_profiles(rng, acc, _STAR_TABLES, np.isin(acc.group, (CORE2, AMP2)))
    ms = posts.col("minute") * 60_000 + rng.integers(0, 60_000, posts.size)
    result = write_files(out_dir, rng, acc, posts, profiles, ms)
    say(f"wrote tweets.csv, users.csv and truth.csv to {out_dir}")
    return result
