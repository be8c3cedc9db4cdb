"""Tiers as tests, on small worlds built by hand: who is principal, core and amplifier, and
what joins communities into operations."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from tierscope.graphdb.detect import stats
from tierscope.graphdb.detect.communities import Network
from tierscope.graphdb.detect.coordination import EDGE_SCHEMA
from tierscope.graphdb.detect.tiers import Flow, _lowest_p, assign_tiers, operations

FDR = ALPHA = 0.01


class World:
    """Retweets (retweeter, author, week, weight), added by hand or at random."""

    def __init__(self, seed: int = 0) -> None:
        self.rows: list[tuple[str, str, int, int]] = []
        self.rng = np.random.default_rng(seed)

    def retweet(self, retweeter: str, author: str, times: int = 1, week: int = 0) -> None:
        self.rows.append((retweeter, author, week, times))

    def background(self, people: int = 400, stars: tuple[str, ...] = ("star",)) -> None:
        """Ordinary accounts retweeting one another, and now and then the stars."""
        names = [f"person{i:03d}" for i in range(people)]
        for name in names:
            for _ in range(int(self.rng.integers(2, 9))):
                other = names[int(self.rng.integers(people))]
                if other != name:
                    self.retweet(name, other, week=int(self.rng.integers(4)))
            if self.rng.random() < 0.3:
                star = stars[int(self.rng.integers(len(stars)))]
                self.retweet(name, star, week=int(self.rng.integers(4)))

    def frame(self) -> pl.DataFrame:
        frame = pl.DataFrame(
            self.rows,
            schema={
                "retweeter": pl.String,
                "author": pl.String,
                "week": pl.Int64,
                "weight": pl.Int64,
            },
            orient="row",
        )
        return frame.group_by("retweeter", "author", "week").agg(pl.col("weight").sum())


def members(groups: dict[int, list[str]]) -> pl.DataFrame:
    return pl.DataFrame(
        [(a, c) for c, accounts in groups.items() for a in accounts],
        schema={"account": pl.String, "community": pl.Int64},
        orient="row",
    )


def no_edges() -> Network:
    return Network.from_edges(pl.DataFrame(schema=EDGE_SCHEMA))


def tiers_of(world: World, groups: dict[int, list[str]]) -> dict[str, str]:
    tiering = assign_tiers(members(groups), no_edges(), world.frame(), FDR, ALPHA)
    return dict(zip(tiering.accounts["account"], tiering.accounts["tier"], strict=True))


CORE = [f"core{i}" for i in range(12)]
AMPLIFIERS = [f"amp{i:02d}" for i in range(40)]


def operation(world: World, principals: tuple[str, ...] = ("minister", "news")) -> None:
    """A core that pushes the principals, and amplifiers that feed on the core's posts."""
    for account in CORE:
        for principal in principals:
            world.retweet(account, principal, 15, week=1)
    for account in AMPLIFIERS:
        for target in world.rng.choice(CORE, 6, replace=False):
            world.retweet(account, str(target), 3, week=1)


@pytest.fixture(scope="module")
def tiered() -> dict[str, str]:
    world = World()
    world.background(stars=("minister", "news", "star"))
    operation(world)
    # Principals retweet each other now and then: still principals.
    world.retweet("minister", "news", 4)
    world.retweet("news", "minister", 3)
    return tiers_of(world, {0: CORE})


def test_principals_core_and_amplifiers(tiered: dict[str, str]) -> None:
    assert {a for a, t in tiered.items() if t == "principal"} == {"minister", "news"}
    assert {a for a, t in tiered.items() if t == "core"} == set(CORE)
    assert {a for a, t in tiered.items() if t == "amplifier"} == set(AMPLIFIERS)


def test_the_genuine_audience_is_not_tiered(tiered: dict[str, str]) -> None:
    # 30 % of the background retweet the principals and the star; none of them is a tier.
    assert not [a for a in tiered if a.startswith("person") or a == "star"]


def test_a_second_tier_community_feeds_the_core_and_joins_its_operation() -> None:
    world = World(1)
    world.background(stars=("minister", "news"))
    operation(world)
    tiering = assign_tiers(members({0: CORE, 1: AMPLIFIERS}), no_edges(), world.frame(), FDR, ALPHA)
    tier = dict(zip(tiering.accounts["account"], tiering.accounts["tier"], strict=True))
    assert {tier[a] for a in AMPLIFIERS} == {"amplifier"}
    assert {tier[a] for a in CORE} == {"core"}
    fed = tiering.structure.filter(pl.col("community") == 0)["p_fed"][0]
    assert fed < ALPHA
    none = pl.DataFrame(schema={"source": pl.Int64, "target": pl.Int64})
    ops = operations(pl.Series([0, 1]), pl.Series([True, True]), tiering.feeds, none, ALPHA)
    assert ops["operation"].n_unique() == 1


def test_a_crowd_pushing_only_the_ambassador_is_his_direct_amplifier_tier() -> None:
    world = World(2)
    world.background(stars=("ambassador", "news"))
    operation(world, ("ambassador", "news"))
    crowd = [f"fake{i:02d}" for i in range(30)]
    for account in crowd:
        world.retweet(account, "ambassador", 12, week=1)
    tier = tiers_of(world, {0: CORE, 1: crowd})
    assert {tier[a] for a in crowd} == {"amplifier"}
    assert tier["ambassador"] == "principal"


def test_fans_of_a_celebrity_have_no_tier_structure() -> None:
    world = World(3)
    world.background(stars=("celebrity",))
    fans = [f"fan{i:02d}" for i in range(40)]
    for fan in fans:
        world.retweet(fan, "celebrity", 10, week=2)
    tiering = assign_tiers(members({0: fans}), no_edges(), world.frame(), FDR, ALPHA)
    assert tiering.structure["p_structure"][0] > ALPHA
    principal = tiering.accounts.filter(pl.col("tier") == "principal")["account"].to_list()
    assert principal == ["celebrity"]


def test_in_a_ring_everyone_is_core() -> None:
    world = World(4)
    world.background(stars=("leader",))
    ring = [f"ring{i:02d}" for i in range(20)]
    for account in ring:
        world.retweet(account, "leader", 8, week=1)
        for other in world.rng.choice(ring, 6, replace=False):
            if other != account:
                world.retweet(account, str(other), 2, week=1)
    tier = tiers_of(world, {0: ring})
    assert {tier[a] for a in ring} == {"core"}
    assert tier["leader"] == "principal"


def test_robust_rates_set_aside_devoted_followers_only() -> None:
    world = World(5)
    world.background(stars=("ambassador",))
    for i in range(300):  # fake followers: nothing but the ambassador, many times
        world.retweet(f"fake{i:03d}", "ambassador", 20)
    flow = Flow.of(world.frame())
    robust = flow.robust(pl.Series(["ambassador"]), FDR)

    def week_zero(f: Flow) -> float:
        return float(
            f.excess.filter((pl.col("account") == "ambassador") & (pl.col("week") == 0))["x"][0]
        )

    assert week_zero(robust) < week_zero(flow) / 5
    # the genuine audience, a retweet or two each, stays in
    assert week_zero(robust) > 0


def test_an_account_only_active_in_one_week_is_compared_with_that_week() -> None:
    world = World(6)
    for i in range(200):  # "topic" is popular in week 3 only
        world.retweet(f"person{i:03d}", "topic" if i % 2 else "other", 5, week=3)
        world.retweet(f"person{i:03d}", "elsewhere", 15, week=0)
    world.retweet("late", "x", 10, week=3)
    flow = Flow.of(world.frame(), pl.Series(["late"]))
    expected = flow.expected(
        pl.DataFrame({"account": ["late"], "who": ["late"]}),
        "who",
        pl.DataFrame({"account": ["topic"], "group": ["topic"]}),
        "group",
        pl.DataFrame({"who": ["late"], "group": ["topic"]}),
    )["expected"][0]
    # In week 3 half of ordinary retweets go to "topic"; over the whole archive an eighth.
    assert expected == pytest.approx(10 * 0.5, rel=0.02)


@pytest.mark.parametrize("block", [1 << 23, 4])  # every community at once, or one by one
def test_lowest_p_is_chance_to_the_power_n_of_every_account_against_every_community(
    block: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tierscope.graphdb.detect.tiers.BLOCK_CELLS", block)
    world = World(7)
    world.background(people=60, stars=("star", "ambassador"))
    world.retweet("quiet", "star", week=2)
    flow = Flow.of(world.frame())
    groups = members({1: ["star", "person001"], 2: ["ambassador"], 3: ["person002", "person003"]})
    accounts = pl.DataFrame({"account": ["quiet", "person004", "person005", "nobody"]})
    lowest = dict(_lowest_p(accounts, groups, flow))
    assert sorted(lowest) == [1, 2, 3]
    # The definition, pair by pair; "nobody" retweets nothing and has no test.
    pairs = accounts.join(groups.select("community").unique(), how="cross")
    expected = flow.expected(
        accounts.select("account", who="account"),
        "who",
        groups,
        "community",
        pairs.select(who="account", community="community"),
    ).join(flow.given.rename({"account": "who"}), on="who")
    for community, got in lowest.items():
        want = expected.filter(pl.col("community") == community)
        chance = (want["expected"] / want["n"]).clip(0.0, 1.0).to_numpy()
        assert np.sort(got) == pytest.approx(np.sort(chance ** want["n"].to_numpy()), rel=1e-12)
        assert len(got) == 3


def test_testable_counts_only_tests_that_can_be_significant() -> None:
    lowest = np.array([1e-9] * 5 + [0.5] * 1_000)
    assert stats.testable(lowest, 0.01) == 5
    assert stats.testable(np.array([0.001] * 100), 0.01) == 10
    assert stats.testable(np.array([]), 0.01) == 1


def test_operations_join_by_shared_principal_and_strongest_feed() -> None:
    feeds = pl.DataFrame(
        {
            "source": [3, 3, 4],
            "target": [1, 2, 2],
            "weight": [500, 40, 100],
            "feeders": [60, 5, 30],
            "size": [70, 70, 30],
            "p_value": [1e-30, 1e-5, 1e-20],
        }
    )
    shared = pl.DataFrame(
        {"source": [1], "target": [5]}, schema={"source": pl.Int64, "target": pl.Int64}
    )
    ops = operations(
        pl.Series([1, 2, 3, 4, 5, 6]),
        pl.Series([True, True, True, True, True, False]),
        feeds,
        shared,
        ALPHA,
    )
    op = dict(zip(ops["community"], ops["operation"], strict=True))
    # 3 feeds 1 with most of its members and 2 with a few: it joins 1 only.
    assert op[3] == op[1] == op[5]
    assert op[4] == op[2] != op[1]
    assert len(set(op.values())) == 3
