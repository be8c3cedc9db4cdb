"""The scenario family: many random worlds instead of one (`tierscope generate --scenario family`).

A detector tuned on one synthetic world learns that world's quirks: a figure measured on the
generator's own scenario is a claim about that generator. The family draws every factor below
at random from the seed, so a quality benchmark runs many draws and reports the worst. Each
draw is written to one folder with ``truth.csv`` (``userid, role, op, kind``: ``kind`` tells
cells, direct amplifiers, hijacked, dormant and spike accounts apart; evaluation ignores it) and
``scenario.json``, which records every drawn value and the counts that came out.

The frame is seed2020's (posts from September 2019 to June 2020; the building blocks of
`synth`). What varies, and which weakness of a detector each factor probes:

- Form: the 31-column archive (``tweets.csv``, ``users.csv``; times to the minute) or twarc2
  API v2 pages (``tweets.jsonl``; times to the second, or rounded down to the minute in some
  draws). A detector must not depend on one input form or on sub-minute times.
- Background (role ``organic``): 18,000-38,000 accounts with lognormal activity (spread
  0.9-1.4) and popularity; originals, replies and retweets of one another. 3-12
  topic groups with homophily 0.3-0.8 (the share of an ordinary retweet that stays inside the
  author's topic group): genuine clusters of interest that community detection finds too.
  Languages: one language for everyone, or a nine-language mix. Sign-ups over twelve years with
  one or two organic spikes (0.5-2% of the background on one day: a creation-burst decoy).
  1-2% of ordinary accounts come back after more than a year of silence, with their old posts
  in the archive (a dormancy decoy). 2-6% of ordinary originals are common phrases ("good
  morning") posted word for word by many accounts (a duplicated-text decoy).
- Principals with genuine audiences: officials and state media, old and well followed
  (20,000 to 4 million followers, lognormal); ordinary accounts retweet each of their posts
  about 6 * (followers / 150,000) ** 0.8 times at 40,000 ordinary accounts, so the popular ones
  draw large organic crowds that are no part of any operation.
- Fans (role ``fan``, 200-1,000): retweet one celebrity within minutes (median lag 2-8
  minutes) and a lot (10-30% of them on each of her 100-250 posts), and chat like everyone
  else. Coordinated-looking, genuine.
- News-relay bots (role ``relay``, 20-60; the outlet is role ``outlet``): each retweets 20-60%
  of one outlet's posts (1-3 a day) 1 to 10-50 seconds after it posts, always inside the same
  minute; created over years; no originals. Tighter than any operation, and automated, yet no
  influence operation. The outlet has a genuine audience too.
- Operations, two or three of different shapes; shape C is always there, with A, B or both;
  op ids are shuffled over the shapes.

  - A, tiered cells: 3-6 principals; 2-5 core cells of 10-40 accounts, each pushing 2-4 of
    the principals (30-70% of their posts, 30-80% of the cell in each wave) and posting 10-30
    originals per account; 2-6 amplifier cells of 40-150 accounts, each retweeting the posts
    of 1-3 core cells (20-60 posts per amplifier) in looser bursts.
  - B, a look-alike ring: 30-80 accounts with handles like ``jamessmith8234`` (all role
    ``core``) that push 1-2 principals of their own and retweet one another's posts (15-50
    each).
  - C, the ambassador case: an ambassador and 1-2 other principals pushed by 1-2 small core
    cells, and 500-3,000 direct amplifiers that retweet the ambassador 5-40 times each and the
    core hardly at all (under 3% of their ambassador retweets); the ambassador also has a
    genuine audience. Amplifiers that never touch a core break tiering by flow.

  Per operation, at random: its start, October 2019 to February 2020 (it is active from then
  on); sign-ups with no batch (spread over three years), or one batch or 2-4 batches of 1-4
  days in the ten months before, plus a trickle of 0-25%; template text (copied originals,
  some with a hashtag or link added) or unique text; the background's languages or one or two
  others; hijacked accounts (3-12% of each crowd) none, with posts at least a year old in the
  archive, or without any; cover, 0-30% of the op accounts' retweets going to popular ordinary
  posts; core waves 1-60 minutes wide after an onset of 1-10 minutes, amplifier bursts spread
  over 5 minutes to 8 hours; working hours in any time zone. Operation accounts (principals
  included) make 2-15% of all accounts: the share is drawn, then met by sizing the direct
  amplifiers and the background within their ranges.

``--scale`` multiplies the crowds (background, fans, relays, cells, ring, direct amplifiers;
each with a floor) but not what one account does. At scale 1 a draw holds about 150,000 to
300,000 posts. The factors come from one random stream and the posts from another, both
seeded by the seed, so `family_factors` tells what a draw holds without generating it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from tierscope.graphdb.synth import (
    AMPLIFIERS,
    AR,
    CELEB,
    CELEBRITY,
    CHATTER,
    CORES,
    DAY,
    EN,
    END,
    ES,
    FAN,
    FAN_LANGS,
    FANPOST,
    FR,
    JA,
    KO,
    LANGS,
    NEWS,
    NEWS_OUTLET,
    OFFICE_HOURS,
    OFFICIAL,
    OP1_PRINCIPALS,
    OP2_PRINCIPALS,
    OP3_PRINCIPALS,
    ORGANIC,
    ORGANIC_LANGS,
    ORIGINAL,
    OUTLET,
    PHRASE,
    PRINCIPALS,
    PT,
    RELAY,
    REPLY,
    RETWEET,
    SPAM,
    STARPOST,
    TEMPLATE,
    WINDOW_START,
    WORLD_HOURS,
    ZH,
    Accounts,
    GenerateResult,
    Posts,
    Star,
    bursts,
    chatter,
    choice,
    crowd,
    each,
    hijack,
    iso_day,
    lags,
    lognormal,
    make_profiles,
    old_posts,
    op_texts,
    organic_days,
    post_langs,
    react,
    signup_days,
    star_accounts,
    times,
    waves,
    with_history,
    write_files,
)

__all__ = ["FamilyDraw", "OpDraw", "family", "family_factors"]

_STARS = OP1_PRINCIPALS + OP2_PRINCIPALS + OP3_PRINCIPALS
_AMBASSADORS = [i for i, star in enumerate(_STARS) if star.screen.startswith("Amb")]
_ONE_LANGUAGE = {EN: 0.4, ES: 0.15, PT: 0.1, FR: 0.05, JA: 0.1, AR: 0.08, ZH: 0.04, KO: 0.08}
_OTHER_LANGUAGES = (ES, PT, FR, JA, AR, ZH, KO)


@dataclass
class OpDraw:
    """One operation's drawn factors; crowd sizes are at the draw's scale."""

    op: str
    shape: str  # "A" tiered cells, "B" look-alike ring, "C" ambassador with direct amplifiers
    start: str  # first day of op activity
    principals: list[str]  # screen names; for C the ambassador first
    principal_posts: list[int]
    core_cells: list[int]  # sizes; B: the ring
    cell_principals: list[list[int]]  # per core cell, the principals (indices) it pushes
    amplifier_cells: list[int]  # A: sizes
    cell_feeds: list[list[int]]  # A: per amplifier cell, the core cells whose posts it retweets
    direct: int  # C: direct amplifiers
    core_posts: float  # originals per core account (times its busyness)
    push: float  # share of a principal's posts a core cell pushes
    wave_share: float  # share of a cell in one wave
    wave_onset: float  # minutes, median
    wave_minutes: int  # width of most of a wave
    burst_onset: float  # minutes, median
    burst_minutes: float  # median spread of an amplifier burst
    amplified: float  # A: core posts per amplifier; B: ring posts per member; C: 0
    core_touch: float  # C: direct amplifiers' core retweets per ambassador retweet
    creation: str  # "none", "one" or "several" batches
    batches: list[tuple[str, int]]  # (first day, days)
    trickle: float  # share of sign-ups outside the batches
    template: bool
    languages: str  # "same" as the background or "different"
    langs: dict[str, float]
    hijacked: str  # "none", "history" or "no_history"
    hijacked_share: float
    cover: float
    hours_shift: int  # office hours moved this many hours from Beijing's


@dataclass
class FamilyDraw:
    """All the factors of one draw (`scenario.json` without its counts)."""

    seed: int
    scale: float
    form: str  # "archive" or "twarc2"
    resolution: str  # "minute" or "second"
    share_target: float  # operation accounts / all accounts
    organic: int
    languages: str  # "one" or "mixed"
    language_mix: dict[str, float]
    topics: list[float]  # share of the background in each topic group
    homophily: float
    originals: float  # extra originals per ordinary account (times its busyness)
    busy_sigma: float
    spikes: list[tuple[str, int]]  # (day, sign-ups)
    dormant: float
    phrases: float
    fans: int
    celebrity_posts: int
    fan_rate: float
    fan_lag: float
    relays: int
    outlet_posts: int
    relay_rate: float
    relay_lag_seconds: int
    followers: dict[str, int]  # per principal
    ops: list[OpDraw] = field(default_factory=list)


# --- drawing the factors --------------------------------------------------------------------


def _uniform(rng: np.random.Generator, lo: float, hi: float) -> float:
    return round(float(rng.uniform(lo, hi)), 3)


def _log_uniform(rng: np.random.Generator, lo: float, hi: float) -> float:
    return round(float(np.exp(rng.uniform(np.log(lo), np.log(hi)))), 2)


def _int(rng: np.random.Generator, lo: int, hi: int) -> int:
    return int(rng.integers(lo, hi + 1))


def _iso(day: int) -> str:
    return str(np.datetime64(day, "D"))


def _scaled(n: float, scale: float, least: int) -> int:
    return max(least, round(n * scale))


def _mix(weights: dict[int, float]) -> dict[str, float]:
    total = sum(weights.values())
    return {LANGS[k]: round(v / total, 3) for k, v in weights.items()}


def _draw_op(
    rng: np.random.Generator,
    op: int,
    shape: str,
    stars: list[int],
    background: dict[int, float],
) -> OpDraw:
    """An op of `shape` whose principals are taken from the front of `stars` (star indices);
    its crowds at scale 1."""
    start = iso_day("2019-10-01") + _int(rng, 0, 150)
    n_principals = {"A": _int(rng, 3, 6), "B": _int(rng, 1, 2), "C": 1 + _int(rng, 1, 2)}[shape]
    principals = [_STARS[stars.pop(0)].screen for _ in range(n_principals)]
    posts = [_int(rng, 60, 200) for _ in principals]
    if shape == "C":
        posts[0] = _int(rng, 150, 400)
    if shape == "B":
        core_cells = [_int(rng, 30, 80)]
    else:
        core_cells = [
            _int(rng, 10, 40) for _ in range(_int(rng, 2, 5) if shape == "A" else _int(rng, 1, 2))
        ]
    if shape == "A":
        cell_principals = [
            sorted(rng.choice(n_principals, min(n_principals, _int(rng, 2, 4)), replace=False))
            for _ in core_cells
        ]
        # Every principal is pushed by some cell: an account nobody pushes is no principal.
        pushed = {int(i) for cell in cell_principals for i in cell}
        for k, missing in enumerate(i for i in range(n_principals) if i not in pushed):
            cell_principals[k % len(core_cells)] = sorted(
                [*cell_principals[k % len(core_cells)], missing]
            )
    else:
        cell_principals = [list(range(n_principals)) for _ in core_cells]
    amplifier_cells = [_int(rng, 40, 150) for _ in range(_int(rng, 2, 6))] if shape == "A" else []
    cell_feeds = [
        sorted(rng.choice(len(core_cells), min(len(core_cells), _int(rng, 1, 3)), replace=False))
        for _ in amplifier_cells
    ]
    creation = str(rng.choice(["none", "one", "several"]))
    batches = []
    if creation != "none":
        for _ in range(1 if creation == "one" else _int(rng, 2, 4)):
            batches.append((_iso(start - _int(rng, 5, 300)), _int(rng, 1, 4)))
    if rng.random() < 0.5:
        languages, langs = "same", _mix(background)
    else:
        others = [k for k in _OTHER_LANGUAGES if background.get(k, 0) < 0.2]
        chosen = rng.choice(others, _int(rng, 1, 2), replace=False)
        languages, langs = "different", _mix(dict(zip(chosen.tolist(), (0.7, 0.3), strict=False)))
    hijacked = str(rng.choice(["none", "history", "no_history"]))
    return OpDraw(
        op=f"op{op}",
        shape=shape,
        start=_iso(start),
        principals=principals,
        principal_posts=posts,
        core_cells=core_cells,
        cell_principals=[[int(i) for i in cell] for cell in cell_principals],
        amplifier_cells=amplifier_cells,
        cell_feeds=[[int(i) for i in cells] for cells in cell_feeds],
        direct=0,
        core_posts=_uniform(rng, 10, 30) if shape == "A" else _uniform(rng, 5, 20),
        push=_uniform(rng, 0.3, 0.7) if shape == "A" else _uniform(rng, 0.4, 0.9),
        wave_share=_uniform(rng, 0.3, 0.8),
        wave_onset=_uniform(rng, 1, 10),
        wave_minutes=round(_log_uniform(rng, 1, 60)),
        burst_onset=_uniform(rng, 5, 60),
        burst_minutes=_log_uniform(rng, 5, 480),
        amplified={"A": _uniform(rng, 20, 60), "B": _uniform(rng, 15, 50), "C": 0.0}[shape],
        core_touch=_uniform(rng, 0, 0.03) if shape == "C" else 0.0,
        creation=creation,
        batches=batches,
        trickle=_uniform(rng, 0, 0.25) if batches else 1.0,
        template=bool(rng.random() < 0.5),
        languages=languages,
        langs=langs,
        hijacked=hijacked,
        hijacked_share=_uniform(rng, 0.03, 0.12) if hijacked != "none" else 0.0,
        cover=_uniform(rng, 0, 0.3),
        hours_shift=_int(rng, 0, 23),
    )


def family_factors(seed: int, scale: float = 1.0) -> FamilyDraw:
    """The factors of draw `seed` at `scale`, without generating it."""
    rng = np.random.default_rng([seed, 0])
    form = str(rng.choice(["archive", "twarc2"]))
    resolution = "minute" if form == "archive" or rng.random() < 0.4 else "second"
    if rng.random() < 0.4:
        one = int(choice(rng, _ONE_LANGUAGE, 1)[0])
        languages, background = "one", {one: 1.0}
    else:
        languages, background = "mixed", dict(ORGANIC_LANGS)
    shapes = ["C", *(["A", "B"] if rng.random() < 0.5 else [str(rng.choice(["A", "B"]))])]
    op_ids = rng.permutation(len(shapes)) + 1
    # The ambassador of C first, then the other principals in random order.
    amb = int(rng.choice(_AMBASSADORS))
    stars = [amb, *(i for i in rng.permutation(len(_STARS)).tolist() if i != amb)]
    ops = [
        _draw_op(rng, int(op), shape, stars, background)
        for op, shape in zip(op_ids, shapes, strict=True)
    ]
    fans, relays = _int(rng, 200, 1000), _int(rng, 20, 60)
    # Size the direct amplifiers, then the background, to meet the drawn share of op accounts.
    share = _uniform(rng, 0.02, 0.15)
    others = fans + relays + 2
    rest = sum(sum(o.core_cells) + sum(o.amplifier_cells) + len(o.principals) for o in ops)
    target = share / (1 - share) * (_int(rng, 20_000, 40_000) + others)
    direct = int(np.clip(target - rest, 500, 3000))
    organic = int(np.clip((rest + direct) * (1 - share) / share - others, 18_000, 38_000))
    for o in ops:
        o.core_cells = [_scaled(n, scale, 8 if o.shape == "B" else 4) for n in o.core_cells]
        o.amplifier_cells = [_scaled(n, scale, 10) for n in o.amplifier_cells]
        o.direct = _scaled(direct, scale, 30) if o.shape == "C" else 0
    topics = rng.dirichlet(np.full(_int(rng, 3, 12), 2.0))
    spikes = [
        (
            _iso(iso_day("2012-01-01") + _int(rng, 0, 2700)),
            round(_uniform(rng, 0.005, 0.02) * organic),
        )
        for _ in range(_int(rng, 1, 2))
    ]
    followers = lognormal(rng, 150_000, 1.0, len(_STARS))
    return FamilyDraw(
        seed=seed,
        scale=scale,
        form=form,
        resolution=resolution,
        share_target=share,
        organic=_scaled(organic, scale, 800),
        languages=languages,
        language_mix=_mix(background),
        topics=[round(float(t), 3) for t in topics],
        homophily=_uniform(rng, 0.3, 0.8),
        originals=_uniform(rng, 0.4, 1.0),
        busy_sigma=_uniform(rng, 0.9, 1.4),
        spikes=[(day, _scaled(n, scale, 5)) for day, n in spikes],
        dormant=_uniform(rng, 0.01, 0.02),
        phrases=_uniform(rng, 0.02, 0.06),
        fans=_scaled(fans, scale, 20),
        celebrity_posts=_int(rng, 100, 250),
        fan_rate=_uniform(rng, 0.1, 0.3),
        fan_lag=_uniform(rng, 2, 8),
        relays=_scaled(relays, scale, 5),
        outlet_posts=_int(rng, 1, 3) * (END - WINDOW_START) // DAY,
        relay_rate=_uniform(rng, 0.2, 0.6),
        relay_lag_seconds=_int(rng, 10, 50),
        followers={
            star.screen: int(np.clip(f, 20_000, 4_000_000))
            for star, f in zip(_STARS, followers, strict=True)
            if any(star.screen in o.principals for o in ops)
        },
        ops=sorted(ops, key=lambda o: o.op),
    )


# --- the accounts ---------------------------------------------------------------------------


@dataclass
class _OpCast:
    """Where one op's accounts are (account indices)."""

    draw: OpDraw
    index: int  # 1, 2 or 3
    principals: np.ndarray  # in the order of draw.principals
    cells: list[np.ndarray]  # core cells; B: the ring
    amplifiers: list[np.ndarray]  # A: amplifier cells; C: the direct amplifiers


@dataclass
class _Cast:
    acc: Accounts
    kind: np.ndarray  # the truth's `kind` of each account
    topic: np.ndarray  # an ordinary account's topic group, else -1
    reach: np.ndarray  # organic retweets per post at 40,000 ordinary accounts
    ops: list[_OpCast]
    stars: dict[int, list[Star]]  # profiles of principals, celebrity and outlet, per group


class _Roster:
    """Accounts added part by part, each part with the truth's `kind` of its accounts."""

    def __init__(self) -> None:
        self.parts: list[Accounts] = []
        self.kinds: list[np.ndarray] = []
        self.size = 0

    def add(self, part: Accounts, kind: str | Sequence[str] | np.ndarray) -> np.ndarray:
        n = len(part.group)
        self.parts.append(part)
        self.kinds.append(np.broadcast_to(np.asarray(kind, dtype=object), n))
        self.size += n
        return np.arange(self.size - n, self.size)


def _langs(mix: dict[str, float]) -> dict[int, float]:
    return {LANGS.index(lang): share for lang, share in mix.items()}


def _op_cast(
    rng: np.random.Generator, roster: _Roster, o: OpDraw, d: FamilyDraw, table: list[Star]
) -> _OpCast:
    index = int(o.op[2:])
    part = star_accounts(PRINCIPALS[index], table)
    part.followers = np.array([d.followers[star.screen] for star in table])
    part.following = part.followers // 900 + 40
    principals = roster.add(
        part, ["ambassador" if o.shape == "C" else ""] + [""] * (len(table) - 1)
    )
    # Sign-ups: a spread over the three years before the op starts, and the batches.
    start = iso_day(o.start)
    spread = (_iso(start - 3 * 365), 3 * 365 - 3, o.trickle)
    batches = [(day, days, (1 - o.trickle) / len(o.batches)) for day, days in o.batches]
    sizes = [*o.core_cells, *o.amplifier_cells, *([o.direct] if o.direct else [])]
    days = signup_days(rng, sum(sizes), [spread, *batches])
    cells: list[np.ndarray] = []
    amplifiers: list[np.ndarray] = []
    for i, n in enumerate(sizes):
        core = i < len(o.core_cells)
        if core:
            group, followers, following, busy = CORES[index], (40, 1.0), (90, 0.7), 0.5
            kind = "ring" if o.shape == "B" else f"cell{i + 1}"
        else:
            group, followers, following, busy = AMPLIFIERS[index], (4, 1.2), (45, 0.8), 0.7
            kind = "direct" if o.shape == "C" else f"ampcell{i - len(o.core_cells) + 1}"
        first = sum(sizes[:i])
        part = crowd(
            rng, n, group, _langs(o.langs), days[first : first + n], followers, following, busy
        )
        hijack(rng, part, o.hijacked_share, o.hijacked == "history", _langs(d.language_mix))
        (cells if core else amplifiers).append(roster.add(part, kind))
    return _OpCast(o, index, principals, cells, amplifiers)


def _background(rng: np.random.Generator, d: FamilyDraw) -> tuple[Accounts, np.ndarray, np.ndarray]:
    """The ordinary accounts, their `kind` and their topic groups."""
    n = d.organic
    acc = crowd(
        rng,
        n,
        ORGANIC,
        _langs(d.language_mix),
        organic_days(rng, n),
        (150, 1.6),
        (250, 1.0),
        d.busy_sigma,
    )
    topic = choice(rng, dict(enumerate(d.topics)), n)
    kind = np.array([f"topic{t + 1}" for t in topic], dtype=object)
    # Sign-up spikes: many genuine accounts made on one day.
    chosen = rng.permutation(n)
    first = 0
    for day, count in d.spikes:
        rows = chosen[first : first + count]
        first += count
        acc.created[rows] = iso_day(day) * DAY + rng.integers(0, DAY, len(rows))
        kind[rows] += "+spike"
    # Accounts back after more than a year away, their old posts in the archive.
    old = np.flatnonzero(acc.created < iso_day("2017-01-01") * DAY)
    back = np.sort(rng.choice(old, min(len(old), round(d.dormant * n)), replace=False))
    with_history(rng, acc, back)
    kind[back] += "+dormant"
    return acc, kind, topic


def _cast(rng: np.random.Generator, d: FamilyDraw) -> _Cast:
    roster = _Roster()
    by_screen = {star.screen: star for star in _STARS}
    stars: dict[int, list[Star]] = {CELEB: [CELEBRITY], OUTLET: [NEWS_OUTLET]}
    ops = []
    for o in d.ops:
        table = [by_screen[screen] for screen in o.principals]
        ops.append(_op_cast(rng, roster, o, d, table))
        stars[PRINCIPALS[ops[-1].index]] = table
    celebrity = roster.add(star_accounts(CELEB, [CELEBRITY]), "")
    outlet = roster.add(star_accounts(OUTLET, [NEWS_OUTLET]), "")
    fan_langs = _langs(d.language_mix) if d.languages == "one" else FAN_LANGS
    fans = crowd(
        rng, d.fans, FAN, fan_langs, organic_days(rng, d.fans), (220, 1.2), (400, 0.8), 0.8
    )
    roster.add(fans, "")
    relays = crowd(
        rng,
        d.relays,
        RELAY,
        _langs(d.language_mix),
        organic_days(rng, d.relays),
        (300, 1.0),
        (150, 0.8),
        0.3,
    )
    roster.add(relays, "")
    organic, kind, topic = _background(rng, d)
    background = roster.add(organic, kind)
    acc = Accounts.concat(roster.parts)
    kinds = np.concatenate(roster.kinds)
    kinds = np.where(acc.hijacked, kinds + "+hijacked", kinds)
    topics = np.full(len(acc.group), -1)
    topics[background] = topic
    reach = np.zeros(len(acc.group))
    for oc in ops:
        reach[oc.principals] = 6 * (acc.followers[oc.principals] / 150_000) ** 0.8
    reach[celebrity], reach[outlet] = CELEBRITY.reach, NEWS_OUTLET.reach
    return _Cast(acc, kinds, topics, reach, ops, stars)


# --- the posts ------------------------------------------------------------------------------


@dataclass
class _Targets:
    """The originals each stream of reactions draws on."""

    principal: dict[int, np.ndarray]  # per op
    cells: dict[int, list[np.ndarray]]  # per op, each core cell's posts (B: the ring's)
    star: np.ndarray  # the celebrity's
    news: np.ndarray  # the outlet's
    chatter: np.ndarray  # ordinary and fan originals inside the window


def _op_posts(
    rng: np.random.Generator,
    acc: Accounts,
    posts: Posts,
    who: np.ndarray,
    mean: float,
    kind: int,
    o: OpDraw,
) -> np.ndarray:
    """Poisson(mean * busyness) originals by each of `who`, in op `o`'s languages and office
    hours on weekdays."""
    author = each(rng, who, mean * acc.weight[who])
    lo = np.maximum(iso_day(o.start) * DAY, acc.created[author] + DAY)
    minute = times(rng, lo, END, np.roll(OFFICE_HOURS, o.hours_shift), weekdays=True)
    return posts.add(author, minute, ORIGINAL, choice(rng, _langs(o.langs), len(author)), kind)


def _originals(rng: np.random.Generator, cast: _Cast, d: FamilyDraw, posts: Posts) -> _Targets:
    acc = cast.acc
    principal, cells = {}, {}
    for oc in cast.ops:
        o = oc.draw
        start = iso_day(o.start) * DAY
        hours = np.roll(OFFICE_HOURS, o.hours_shift)
        author = np.repeat(oc.principals, o.principal_posts)
        lo = np.maximum(start, acc.created[author] + DAY)
        minute = times(rng, lo, END - 2 * DAY, hours)
        principal[oc.index] = posts.add(author, minute, ORIGINAL, acc.lang[author], OFFICIAL)

        # Core accounts write the posts amplifiers retweet; amplifiers a few one-liners.
        cells[oc.index] = [
            _op_posts(rng, acc, posts, cell, o.core_posts, TEMPLATE if o.template else CHATTER, o)
            for cell in oc.cells
        ]
        for amps in oc.amplifiers:
            _op_posts(rng, acc, posts, amps, 1.0, SPAM if o.template else CHATTER, o)

    celebrity = np.repeat(acc.members(CELEB), d.celebrity_posts)
    minute = times(rng, np.full(len(celebrity), WINDOW_START), END - 2 * DAY, WORLD_HOURS)
    lang = np.where(rng.random(len(celebrity)) < 0.6, EN, KO)
    star = posts.add(celebrity, minute, ORIGINAL, lang, STARPOST)
    outlet = np.repeat(acc.members(OUTLET), d.outlet_posts)
    minute = times(rng, np.full(len(outlet), WINDOW_START), END - DAY, WORLD_HOURS)
    lang = choice(rng, _langs(d.language_mix), len(outlet))
    news = posts.add(outlet, minute, ORIGINAL, lang, NEWS)

    everyday = [chatter(rng, acc, posts, ORGANIC, d.originals, CHATTER)]
    everyday.append(chatter(rng, acc, posts, FAN, 6.0, FANPOST))
    # Common phrases, word for word from many ordinary accounts; nobody retweets them.
    organic = acc.members(ORGANIC)
    n = round(d.phrases / (1 - d.phrases) * len(everyday[0]))
    author = organic[rng.choice(len(organic), n, p=acc.weight[organic] / acc.weight[organic].sum())]
    minute = times(rng, np.maximum(WINDOW_START, acc.created[author] + DAY), END, WORLD_HOURS)
    posts.add(author, minute, ORIGINAL, post_langs(rng, acc.lang[author]), PHRASE)
    old_posts(rng, acc, posts)
    return _Targets(principal, cells, star, news, np.concatenate(everyday))


def _operation(
    rng: np.random.Generator,
    acc: Accounts,
    posts: Posts,
    oc: _OpCast,
    t: _Targets,
    appeal: np.ndarray,
) -> None:
    o = oc.draw
    author = posts.col("author")
    before = posts.size
    led = t.principal[oc.index]
    fed = t.cells[oc.index]
    # Each core cell pushes a share of its principals' posts, each post in a wave of its own.
    for cell, pushing in zip(oc.cells, o.cell_principals, strict=True):
        mine = led[np.isin(author[led], oc.principals[pushing])]
        push = (rng.random(len(mine)) < o.push) * rng.uniform(0.6, 1.4, len(mine))
        counts = rng.binomial(len(cell), np.clip(o.wave_share * push, 0, 0.95))
        delay = waves(rng, len(mine), o.wave_onset, o.wave_minutes)
        react(rng, acc, posts, mine, counts, cell, acc.weight[cell], delay)
    # The posts the amplifiers (A) or the ring itself (B) retweet, in looser bursts.
    if o.shape == "A":
        feeding = [
            (amps, np.concatenate([fed[c] for c in cells]))
            for amps, cells in zip(oc.amplifiers, o.cell_feeds, strict=True)
        ]
    else:
        feeding = [(oc.cells[0], fed[0])] if o.shape == "B" else []
    for amps, posted in feeding:
        pull = lognormal(rng, 1.0, 0.6, len(posted))
        counts = rng.poisson(len(amps) * o.amplified * pull / pull.sum())
        delay = bursts(rng, len(posted), o.burst_onset, o.burst_minutes)
        react(rng, acc, posts, posted, counts, amps, acc.weight[amps], delay)
    if o.shape == "C":
        # Direct amplifiers: 5-40 retweets of the ambassador each, hardly any of the core.
        direct = oc.amplifiers[0]
        wanted = rng.integers(5, 41, len(direct)).astype(float)
        own = led[author[led] == oc.principals[0]]
        core = np.concatenate(fed)
        pull = lognormal(rng, 1.0, 0.8, len(own))
        counts = rng.multinomial(wanted.sum(), pull / pull.sum())
        delay = bursts(rng, len(own), o.burst_onset, o.burst_minutes)
        react(rng, acc, posts, own, counts, direct, wanted, delay)
        counts = rng.multinomial(
            rng.binomial(wanted.sum(), o.core_touch), np.full(len(core), 1 / len(core))
        )
        delay = bursts(rng, len(core), o.burst_onset, o.burst_minutes)
        react(rng, acc, posts, core, counts, direct, wanted, delay)
    # Cover: popular ordinary posts of the op's time, by each op account in proportion to its
    # op retweets.
    members = np.concatenate([*oc.cells, *oc.amplifiers])
    made = np.bincount(posts.col("author")[before:], minlength=len(acc.group))[members]
    recent = posts.col("minute")[t.chatter] >= iso_day(o.start) * DAY
    counts = rng.multinomial(
        round(o.cover / (1 - o.cover) * made.sum()), appeal * recent / appeal[recent].sum()
    )
    react(rng, acc, posts, t.chatter, counts, members, made + 0.5, lags(rng, 120, 1.5))
    # Principals retweet each other now and then, slowly.
    counts = rng.poisson(0.3, len(led))
    react(
        rng,
        acc,
        posts,
        led,
        counts,
        oc.principals,
        np.ones(len(oc.principals)),
        lags(rng, 120, 1.2),
    )


def _reactions(
    rng: np.random.Generator, cast: _Cast, d: FamilyDraw, posts: Posts, t: _Targets
) -> None:
    acc = cast.acc
    author = posts.col("author")
    appeal = acc.followers[author[t.chatter]] ** 0.7 * lognormal(rng, 1.0, 1.0, len(t.chatter))
    appeal /= appeal.sum()
    for oc in cast.ops:
        _operation(rng, acc, posts, oc, t, appeal)

    # Ordinary retweets and replies: popular posts draw most, inside a topic group more often.
    crowd_ = acc.members(ORGANIC, FAN)
    keen = np.zeros(len(acc.group))
    keen[crowd_] = (
        acc.weight[crowd_]
        * rng.beta(1.2, 2.0, len(crowd_))
        * np.where(acc.group[crowd_] == FAN, 0.5, 1.0)
    )
    topic = cast.topic[author[t.chatter]]
    for share, kind, median in ((0.42, RETWEET, 90.0), (0.08, REPLY, 45.0)):
        counts = rng.poisson(share * len(t.chatter) * appeal)
        inside = rng.binomial(counts, d.homophily * (topic >= 0))
        delay = lags(rng, median, 1.6)
        react(rng, acc, posts, t.chatter, counts - inside, crowd_, keen[crowd_], delay, kind)
        for k in range(len(d.topics)):
            rows = np.flatnonzero(topic == k)
            group = np.flatnonzero(cast.topic == k)
            react(rng, acc, posts, t.chatter[rows], inside[rows], group, keen[group], delay, kind)

    # The genuine audiences of principals, celebrity and outlet, as large as they are popular.
    organic = acc.members(ORGANIC)
    famous = np.concatenate([*t.principal.values(), t.star, t.news])
    counts = rng.poisson(cast.reach[author[famous]] * len(organic) / 40_000)
    react(rng, acc, posts, famous, counts, organic, keen[organic], lags(rng, 40, 1.4))
    core = np.concatenate([posted for cells in t.cells.values() for posted in cells])
    counts = rng.poisson(0.03, len(core))
    react(rng, acc, posts, core, counts, organic, keen[organic], lags(rng, 120, 1.5))
    fans = acc.members(FAN)
    rate = np.clip(d.fan_rate * rng.uniform(0.5, 1.5, len(t.star)), 0, 0.9)
    react(
        rng,
        acc,
        posts,
        t.star,
        rng.binomial(len(fans), rate),
        fans,
        acc.weight[fans],
        lags(rng, d.fan_lag, 1.0),
    )
    # Relay bots repost the outlet within seconds (`_milliseconds` places them in the minute).
    relays = acc.members(RELAY)
    counts = rng.binomial(len(relays), d.relay_rate, len(t.news))
    react(
        rng,
        acc,
        posts,
        t.news,
        counts,
        relays,
        np.ones(len(relays)),
        lambda which: np.zeros(len(which), dtype=np.int64),
    )


def _milliseconds(
    rng: np.random.Generator, acc: Accounts, posts: Posts, news: np.ndarray, lag: int
) -> np.ndarray:
    """Each post's millisecond from the epoch: anywhere in its minute, but the outlet posts in
    the first seconds of a minute (scheduled) and relay bots repost it 1 to `lag` seconds
    later, inside the same minute."""
    offset = rng.integers(0, 60_000, posts.size)
    offset[news] = rng.integers(0, 8_000, len(news))
    kind, target, author = posts.col("kind"), posts.col("target"), posts.col("author")
    relayed = np.flatnonzero((kind == RETWEET) & (acc.group[author] == RELAY))
    offset[relayed] = offset[target[relayed]] + rng.integers(1_000, lag * 1_000, len(relayed))
    return posts.col("minute") * 60_000 + offset


def family(out_dir: Path, scale: float, seed: int, say: Callable[[str], None]) -> GenerateResult:
    """Write draw `seed` of the family at `scale` into `out_dir`, with scenario.json."""
    d = family_factors(seed, scale)
    rng = np.random.default_rng([seed, 1])
    cast = _cast(rng, d)
    acc = cast.acc
    posts = Posts()
    _reactions(rng, cast, d, posts, _originals(rng, cast, d, posts))
    shapes = ", ".join(f"{o.op} {o.shape}" for o in d.ops)
    say(f"family draw {seed} at scale {scale} ({shapes}, {d.form}): {posts.size:,} posts")
    ring = [oc.cells[0] for oc in cast.ops if oc.draw.shape == "B"]
    lookalike = np.isin(
        np.arange(len(acc.group)), np.concatenate([np.zeros(0, dtype=np.int64), *ring])
    )
    profiles = make_profiles(rng, acc, cast.stars, lookalike)
    ms = _milliseconds(
        rng, acc, posts, np.flatnonzero(posts.col("text") == NEWS), d.relay_lag_seconds
    )
    texts = {oc.index: op_texts(oc.index, rng, list(_langs(oc.draw.langs))) for oc in cast.ops}
    result = write_files(
        out_dir,
        rng,
        acc,
        posts,
        profiles,
        ms,
        texts,
        form=d.form,
        seconds=d.resolution == "second",
        kinds=pl.Series(cast.kind, dtype=pl.String),
    )
    in_ops = sum(result.truth.get(role, 0) for role in ("principal", "core", "amplifier"))
    counts = {
        "accounts": result.accounts,
        "posts": result.tweets,
        "retweets": result.retweets,
        "roles": result.truth,
        "op_share": round(in_ops / result.accounts, 4),
    }
    files = ["tweets.csv", "users.csv"] if d.form == "archive" else ["tweets.jsonl"]
    record = {"scenario": "family", **asdict(d), "files": [*files, "truth.csv"], "counts": counts}
    # Written last: a folder with scenario.json holds a whole draw.
    (out_dir / "scenario.json").write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    say(f"wrote {', '.join(files)}, truth.csv and scenario.json to {out_dir}")
    return result
