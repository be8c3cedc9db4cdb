"""Tiering rules on a toy operation, the FEEDS flow and the grouping into operations."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from tierscope.graphdb.detect import coordination
from tierscope.graphdb.detect.analyze import DetectParams, analyze, retweet_amplification
from tierscope.graphdb.detect.communities import Network
from tierscope.graphdb.detect.coordination import EDGE_SCHEMA
from tierscope.graphdb.detect.inputs import ACCOUNT_SCHEMA, OBJECT_SCHEMA, POST_SCHEMA, DetectInputs
from tierscope.graphdb.detect.tiers import TierRules, assign_tiers, feeds, operations

T0 = 1_600_000_000
DAY = 86_400
CORE = [f"core{i}" for i in range(4)]
PRINCIPALS = ["minister", "news"]
AMPLIFIERS = [f"amp{i:02d}" for i in range(12)]
ORGANIC = [f"person{i}" for i in range(10)]


class Posts:
    """Rows of the posts frame, added by hand."""

    def __init__(self) -> None:
        self.rows: list[dict[str, object]] = []
        self.author: dict[str, str] = {}
        self.time: dict[str, int] = {}

    def original(self, account: str, time: int) -> str:
        post = f"{account}/{len(self.rows)}"
        self.rows.append(
            {"account": account, "post": post, "time": time, "lang": "en", "text": post}
        )
        self.author[post], self.time[post] = account, time
        return post

    def retweet(self, account: str, original: str, delay: int) -> None:
        self.rows.append(
            {
                "account": account,
                "post": f"{account}/rt{len(self.rows)}",
                "time": self.time[original] + delay,
                "lang": "en",
                "original": original,
                "original_account": self.author[original],
                "original_time": self.time[original],
            }
        )

    def frame(self) -> pl.DataFrame:
        return pl.DataFrame(self.rows, schema=POST_SCHEMA)


def toy() -> DetectInputs:
    """4 core accounts retweet 2 principals in tight waves; 12 amplifiers retweet the core's
    posts loosely; 10 organic accounts retweet each other and, now and then, the same posts."""
    rng = np.random.default_rng(0)
    posts = Posts()
    led = [
        posts.original(p, T0 + k * DAY + i * 40_000)
        for k in range(10)
        for i, p in enumerate(PRINCIPALS)
    ]
    for post in led:
        for i, account in enumerate(CORE):
            posts.retweet(account, post, 60 + 10 * i)
    fed = [
        posts.original(c, T0 + k * DAY + 20_000 + i * 900)
        for k in range(5)
        for i, c in enumerate(CORE)
    ]
    for j, account in enumerate(AMPLIFIERS):
        for m in range(8):
            posts.retweet(account, fed[(j + 2 * m) % len(fed)], int(rng.integers(600, 18_000)))
        posts.retweet(account, led[j], int(rng.integers(1_800, 7_200)))
    chatter = [
        posts.original(o, T0 + k * DAY + 5_000 * i) for k in range(3) for i, o in enumerate(ORGANIC)
    ]
    for account in ORGANIC:
        for post in rng.choice(len(chatter), 3, replace=False):
            if posts.author[chatter[post]] != account:
                posts.retweet(account, chatter[post], int(rng.integers(60, 20_000)))
        for post in rng.choice(len(led), 2, replace=False):
            posts.retweet(account, led[post], int(rng.integers(60, 20_000)))
    posts.retweet(ORGANIC[0], fed[0], 4_000)
    everyone = CORE + PRINCIPALS + AMPLIFIERS + ORGANIC
    accounts = pl.DataFrame({"account": everyone}).with_columns(
        created_at=pl.lit(T0 - 400 * DAY), lang=pl.lit("en")
    )
    return DetectInputs(
        posts=posts.frame(),
        accounts=accounts.select(
            pl.col(name).cast(dtype)
            if name in accounts.columns
            else pl.lit(None, dtype).alias(name)
            for name, dtype in ACCOUNT_SCHEMA.items()
        ),
        hashtags=pl.DataFrame(schema=OBJECT_SCHEMA),
        urls=pl.DataFrame(schema=OBJECT_SCHEMA),
    )


@pytest.fixture(scope="module")
def detection() -> pl.DataFrame:
    # Every community flagged, so the test sees the tiers whatever the evidence says.
    return analyze(toy(), DetectParams(min_evidence=0.0)).accounts


def test_toy_tiers(detection: pl.DataFrame) -> None:
    tiers = dict(zip(detection["account_id"], detection["tier"], strict=True))
    assert {a for a, t in tiers.items() if t == "core"} == set(CORE)
    assert {a for a, t in tiers.items() if t == "principal"} == set(PRINCIPALS)
    assert {a for a, t in tiers.items() if t == "amplifier"} == set(AMPLIFIERS)
    assert not set(ORGANIC) & set(tiers)
    assert detection["community_id"].n_unique() == 1


def test_flagged_are_core_and_amplifiers(detection: pl.DataFrame) -> None:
    flagged = set(detection.filter("flagged")["account_id"])
    assert flagged == set(CORE) | set(AMPLIFIERS)


def test_scores_explain_the_tiers(detection: pl.DataFrame) -> None:
    by_tier = detection.group_by("tier").agg(
        pl.col("synchrony", "internal_share", "in_strength", "out_strength").mean()
    )
    score = {row["tier"]: row for row in by_tier.iter_rows(named=True)}
    # Each core pair met on all 20 principal posts.
    assert score["core"]["synchrony"] == 20.0
    assert score["amplifier"]["synchrony"] < 2
    assert score["amplifier"]["internal_share"] == 1.0
    assert score["core"]["internal_share"] == 1.0
    # Each core account retweets 20 principal posts and draws 24 of the amplifiers' retweets.
    assert score["core"]["out_strength"] == 20.0
    assert score["core"]["in_strength"] == 24.0
    assert score["amplifier"]["in_strength"] == 0.0
    assert score["principal"]["in_strength"] > score["principal"]["out_strength"]


def membership(rows: dict[str, tuple[int, float]]) -> pl.DataFrame:
    """account -> (community, synchrony)."""
    return pl.DataFrame(
        {
            "account": list(rows),
            "community": [c for c, _ in rows.values()],
            "synchrony": [s for _, s in rows.values()],
        },
        schema={"account": pl.String, "community": pl.Int64, "synchrony": pl.Float64},
    )


def retweets(rows: list[tuple[str, str, int]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={"retweeter": pl.String, "author": pl.String, "weight": pl.Int64},
        orient="row",
    )


def no_edges() -> Network:
    return Network.from_edges(pl.DataFrame(schema=EDGE_SCHEMA))


def test_a_synchronised_ring_that_feeds_a_core_is_amplifiers() -> None:
    core, ring = ["c1", "c2", "c3"], ["r1", "r2", "r3"]
    sync = membership({**{a: (0, 5.0) for a in core}, **{a: (1, 5.0) for a in ring}})
    amplification = retweets(
        [(c, "boss", 10) for c in core] + [(r, c, 6) for r in ring for c in core]
    )
    tiers = assign_tiers(sync, no_edges(), amplification).accounts
    assert dict(zip(tiers["account"], tiers["tier"], strict=True)) == {
        "boss": "principal",
        **{c: "core" for c in core},
        **{r: "amplifier" for r in ring},
    }
    assert tiers["community"].unique().to_list() == [0]


def test_synchronised_accounts_outside_the_amplification_are_not_core() -> None:
    # Three accounts met often (a shared hashtag, say) but retweet unrelated, different posts.
    sync = membership({a: (0, 4.0) for a in ("x", "y", "z")})
    amplification = retweets([("x", "p", 3), ("y", "q", 3), ("z", "r", 3)])
    assert assign_tiers(sync, no_edges(), amplification).accounts.is_empty()


def test_without_authors_the_synchronised_accounts_are_the_core() -> None:
    # CooRTweet's shares form names no original authors: nothing to tell principals or
    # amplifiers by, but the synchronised community is still reported as its core.
    sync = membership({**{a: (0, 4.0) for a in ("x", "y", "z")}, "w": (0, 1.0)})
    tiers = assign_tiers(sync, no_edges(), retweets([])).accounts
    assert dict(zip(tiers["account"], tiers["tier"], strict=True)) == {
        "x": "core",
        "y": "core",
        "z": "core",
    }


def test_a_pair_is_not_a_community() -> None:
    sync = membership({"a": (0, 9.0), "b": (0, 9.0)})
    amplification = retweets([("a", "p", 5), ("b", "p", 5)])
    assert assign_tiers(sync, no_edges(), amplification).accounts.is_empty()


def test_principal_needs_half_the_core() -> None:
    core = ["c1", "c2", "c3", "c4"]
    sync = membership({a: (0, 3.0) for a in core})
    amplification = retweets(
        [(c, "boss", 5) for c in core]
        + [("c1", "popular", 9), ("c2", "popular", 1)]
        + [("c1", "cover", 50)]
    )
    rules = TierRules(amplifier_share=0.0)  # c1 gives most of its retweets elsewhere
    tiers = assign_tiers(sync, no_edges(), amplification, rules).accounts
    principals = set(tiers.filter(pl.col("tier") == "principal")["account"])
    # Half the core (2 of 4) is enough however few retweets; one member is not, however many.
    assert principals == {"boss", "popular"}


def test_amplifier_needs_the_core_not_only_principals() -> None:
    core = ["c1", "c2", "c3"]
    sync = membership({a: (0, 3.0) for a in core})
    amplification = retweets(
        [(c, "boss", 5) for c in core]
        + [("fan_of_boss", "boss", 9)]  # the principal's genuine audience
        + [("ring", "c1", 2), ("ring", "boss", 1)]
        + [("busy", "c1", 2), ("busy", "c2", 1), ("busy", "elsewhere", 4)]  # 3 of 7
    )
    tiers = assign_tiers(sync, no_edges(), amplification).accounts
    amplifiers = set(tiers.filter(pl.col("tier") == "amplifier")["account"])
    assert amplifiers == {"ring"}


def test_feeds_weights_are_retweets_between_communities() -> None:
    members = pl.DataFrame(
        {"account": ["a", "b", "c", "d"], "community": [1, 1, 2, 3]},
        schema={"account": pl.String, "community": pl.Int64},
    )
    amplification = retweets(
        [("a", "c", 3), ("b", "c", 2), ("c", "a", 1), ("a", "b", 7), ("d", "a", 4), ("x", "a", 5)]
    )
    assert feeds(members, amplification).rows() == [(1, 2, 5), (2, 1, 1), (3, 1, 4)]


def test_operations_are_components_of_strong_feeds_between_flagged_communities() -> None:
    ids = pl.Series([1, 2, 3, 4, 5])
    flagged = pl.Series([True, True, True, False, True])
    feeds_table = pl.DataFrame(
        {"source": [2, 3, 4, 5], "target": [1, 1, 1, 3], "weight": [50, 2, 90, 30]},
        schema={"source": pl.Int64, "target": pl.Int64, "weight": pl.Int64},
    )
    given = pl.DataFrame(
        {"community": [1, 2, 3, 4, 5], "retweets": [100, 100, 100, 100, 100]},
        schema={"community": pl.Int64, "retweets": pl.Int64},
    )
    ops = operations(ids, flagged, feeds_table, given, feeds_share=0.1)
    # 2 -> 1 is strong; 3 -> 1 is 2% of 3's retweets; 4 is not flagged; 5 -> 3 is strong.
    assert ops["operation"].to_list() == [1, 1, 2, 3, 2]


def test_retweet_amplification_is_coordinations() -> None:
    posts = toy().posts
    rts = posts.filter(pl.col("original_account").is_not_null())
    expected = coordination.amplification(
        rts["account"], rts["original_account"], rts["time"]
    ).select("retweeter", "author", "weight")
    assert retweet_amplification(posts).sort("retweeter", "author").equals(expected)
