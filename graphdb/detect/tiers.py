"""Tiers: principals, core and amplifiers of each coordinated community, and the FEEDS flow.

Inputs are the communities of the coordination network with each account's synchrony
(``communities.synchrony_frame``) and the amplification graph (retweeter -> author, retweet count;
``coordination.amplification``). Thresholds are fields of ``TierRules``; the rules, in order:

1. **Core** (tier 1): tightly synchronised members that take part in the community's
   amplification.

   a. *Synchronised*: the account met its community partners at least ``min_synchrony`` (2)
      times each on average. One meeting within the window is what chance gives two accounts
      that retweet the same popular post; coordination repeats.
   b. *Not a follower*: a synchronised account that gives at least ``amplifier_share`` (half) of
      its retweets to other synchronised accounts' posts, and is retweeted less than half as
      often as it retweets them, follows a core rather than leads one (a tightly run amplifier
      ring). It is left to the amplifier rule, so the tiers follow the flow of amplification.
   c. *Engaged*: the account retweets its community's principals, or is retweeted by the
      community, at least ``min_core_retweets`` (2) times, and gives the community's core and
      principals at least ``amplifier_share`` of its own retweets (if it retweets at all). This
      drops accounts that share the community's hashtags or links by chance but amplify
      something else.
   d. A community with at least ``min_core`` (3) core accounts is a *coordinated community*; a
      pair is not a community.

2. **Principals** (tier 0): accounts outside every core that at least ``principal_reach`` (half)
   of a community's core retweet. The community amplifies them as a body, which the cover
   retweets of popular posts by a few members never do, and they are not part of the
   coordination. Each principal belongs to the community whose core retweets it most.
3. **Amplifiers** (tier 2), found by what they amplify, not by synchrony: accounts outside the
   cores and principals that retweet core posts at least ``min_core_retweets`` (2) times and
   give the cores and principals at least ``amplifier_share`` (half) of all their retweets.
   The core condition matters: principals are popular public accounts, so retweeting them is
   what their genuine audience does too; a ring is told by amplifying the core, accounts nobody
   genuine follows. The share counts every community, so a core that clustering split in two
   keeps its ring; each amplifier joins the community it amplifies most.

   Principals and amplifiers are found from the synchronised accounts (1a, 1b), the engaged
   core (1c) is drawn from them, and principals and amplifiers are found again from that core.
4. **Scores**, per account and relative to its community: ``internal_share`` (share of its
   retweets that go to the community's accounts), ``synchrony`` (mean meetings with fellow
   members in the coordination network), ``in_strength`` (retweets received from the
   community), ``out_strength`` (retweets given to it).
5. **FEEDS**: community S feeds T with the retweets S's accounts give T's accounts (S != T).
   ``operations`` joins two flagged communities when one gives the other at least
   ``feeds_share`` (a tenth) of its retweets: communities working for one another form one
   operation, while a few stray retweets of another operation's principals do not.
"""

from __future__ import annotations

from dataclasses import dataclass

import igraph
import numpy as np
import polars as pl

from tierscope.graphdb.detect.communities import OUTSIDE, Network, synchrony

TIER_SCHEMA = {
    "account": pl.String,
    "community": pl.Int64,
    "tier": pl.String,
    "internal_share": pl.Float64,
    "synchrony": pl.Float64,
    "in_strength": pl.Float64,
    "out_strength": pl.Float64,
}
FEEDS_SCHEMA = {"source": pl.Int64, "target": pl.Int64, "weight": pl.Int64}


@dataclass(frozen=True)
class TierRules:
    """Thresholds of the tiering rules; the module docstring gives the reason for each."""

    min_synchrony: float = 2.0
    min_core: int = 3
    principal_reach: float = 0.5
    min_core_retweets: int = 2
    amplifier_share: float = 0.5
    feeds_share: float = 0.1


@dataclass(frozen=True)
class Tiering:
    """accounts: TIER_SCHEMA, one row per tiered account; feeds: FEEDS_SCHEMA."""

    accounts: pl.DataFrame
    feeds: pl.DataFrame


def _retweet_totals(amplification: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    given = amplification.group_by("retweeter").agg(retweets=pl.col("weight").sum())
    received = amplification.group_by("author").agg(retweeted=pl.col("weight").sum())
    return (
        given.rename({"retweeter": "account"}),
        received.rename({"author": "account"}),
    )


def _synchronised(
    sync: pl.DataFrame, amplification: pl.DataFrame, rules: TierRules
) -> pl.DataFrame:
    """account, community of the synchronised accounts that do not follow a core."""
    candidates = sync.filter(pl.col("synchrony") >= rules.min_synchrony).select(
        "account", "community"
    )
    given, received = _retweet_totals(amplification)
    follows = (
        amplification.join(candidates.select(author="account"), on="author")
        .group_by("retweeter")
        .agg(to_core=pl.col("weight").sum())
        .rename({"retweeter": "account"})
    )
    followers = (
        candidates.join(follows, on="account")
        .join(given, on="account")
        .join(received, on="account", how="left")
        .with_columns(pl.col("retweeted").fill_null(0))
        .filter(
            (pl.col("to_core") >= rules.amplifier_share * pl.col("retweets"))
            & (pl.col("retweeted") < pl.col("to_core") / 2)
        )
    )
    return _communities_of(
        candidates.join(followers.select("account"), on="account", how="anti"), rules
    )


def _communities_of(core: pl.DataFrame, rules: TierRules) -> pl.DataFrame:
    return core.filter(pl.len().over("community") >= rules.min_core)


def _engaged(
    core: pl.DataFrame,
    principals: pl.DataFrame,
    amplifiers: pl.DataFrame,
    amplification: pl.DataFrame,
    rules: TierRules,
) -> pl.DataFrame:
    """The core accounts that take part in their community's amplification.

    Each must push the community's principals or be retweeted by the community at least
    ``min_core_retweets`` times, and give the community's core and principals at least
    ``amplifier_share`` of its own retweets, if it retweets at all.
    """
    targets = pl.concat(
        [
            core.with_columns(principal=pl.lit(False)),
            principals.with_columns(principal=pl.lit(True)),
        ]
    )
    members = pl.concat([core, principals, amplifiers])
    given, _ = _retweet_totals(amplification)
    out = (
        amplification.join(core.rename({"account": "retweeter"}), on="retweeter")
        .join(targets.rename({"account": "author"}), on=["author", "community"])
        .group_by(account="retweeter")
        .agg(
            internal=pl.col("weight").sum(),
            pushes=pl.col("weight").filter(pl.col("principal")).sum(),
        )
    )
    received = (
        amplification.join(members.rename({"account": "retweeter"}), on="retweeter")
        .join(core.rename({"account": "author"}), on=["author", "community"])
        .group_by(account="author")
        .agg(received=pl.col("weight").sum())
    )
    engaged = (
        core.join(out, on="account", how="left")
        .join(received, on="account", how="left")
        .join(given, on="account", how="left")
        .fill_null(0)
        .filter(
            (pl.col("pushes") + pl.col("received") >= rules.min_core_retweets)
            & (pl.col("internal") >= rules.amplifier_share * pl.col("retweets"))
        )
    )
    return _communities_of(engaged.select("account", "community"), rules)


def _principals(core: pl.DataFrame, amplification: pl.DataFrame, rules: TierRules) -> pl.DataFrame:
    """account, community of each principal: the community whose core retweets it most."""
    by_core = (
        amplification.join(core.rename({"account": "retweeter"}), on="retweeter")
        .join(core.select(author="account"), on="author", how="anti")
        .group_by("community", "author")
        .agg(retweets=pl.col("weight").sum(), reach=pl.len())
        .join(core.group_by("community").agg(size=pl.len()), on="community")
        .filter(pl.col("reach") >= rules.principal_reach * pl.col("size"))
    )
    return (
        by_core.sort(["author", "retweets", "community"], descending=[False, True, False])
        .unique("author", keep="first")
        .select(account="author", community="community")
    )


def _amplifiers(
    core: pl.DataFrame,
    principals: pl.DataFrame,
    amplification: pl.DataFrame,
    rules: TierRules,
) -> pl.DataFrame:
    """account, community of each amplifier: the community whose accounts it retweets most."""
    targets = pl.concat(
        [
            core.with_columns(is_core=pl.lit(True)),
            principals.with_columns(is_core=pl.lit(False)),
        ]
    ).rename({"account": "author"})
    given, _ = _retweet_totals(amplification)
    to_community = (
        amplification.join(targets, on="author")
        .group_by("retweeter", "community")
        .agg(
            to_targets=pl.col("weight").sum(),
            to_core=pl.col("weight").filter(pl.col("is_core")).sum(),
        )
        .rename({"retweeter": "account"})
        .join(targets.select(account="author"), on="account", how="anti")
        # The ring as a whole: a core split over several communities still counts as one.
        .with_columns(
            all_targets=pl.col("to_targets").sum().over("account"),
            all_core=pl.col("to_core").sum().over("account"),
        )
        .filter(pl.col("all_core") >= rules.min_core_retweets)
        .join(given, on="account")
        .filter(pl.col("all_targets") >= rules.amplifier_share * pl.col("retweets"))
    )
    return (
        to_community.sort(
            ["account", "to_targets", "to_core", "community"],
            descending=[False, True, True, False],
        )
        .unique("account", keep="first")
        .select("account", "community")
    )


def _member_synchrony(network: Network, members: pl.DataFrame) -> pl.DataFrame:
    """account, synchrony: mean meetings with the members of one's own community."""
    at = members.join(
        pl.DataFrame({"account": network.accounts}).with_row_index("at"), on="account"
    )
    community = np.full(len(network.accounts), OUTSIDE, dtype=np.int64)
    community[at["at"].to_numpy()] = at["community"].to_numpy()
    mean, _ = synchrony(network, community)
    return at.select("account", synchrony=pl.Series(mean[at["at"].to_numpy()]))


def _scores(members: pl.DataFrame, network: Network, amplification: pl.DataFrame) -> pl.DataFrame:
    """internal_share, synchrony, in_strength and out_strength of every member."""
    inside = (
        amplification.join(members.select(retweeter="account", c_from="community"), on="retweeter")
        .join(members.select(author="account", c_to="community"), on="author")
        .filter(pl.col("c_from") == pl.col("c_to"))
    )
    out_strength = inside.group_by(account="retweeter").agg(out_strength=pl.col("weight").sum())
    in_strength = inside.group_by(account="author").agg(in_strength=pl.col("weight").sum())
    given, _ = _retweet_totals(amplification)
    return (
        members.join(out_strength, on="account", how="left")
        .join(in_strength, on="account", how="left")
        .join(given, on="account", how="left")
        .join(_member_synchrony(network, members), on="account", how="left")
        .with_columns(
            pl.col("out_strength", "in_strength", "retweets").fill_null(0).cast(pl.Float64),
            pl.col("synchrony").fill_null(0.0),
        )
        .with_columns(
            internal_share=pl.when(pl.col("retweets") > 0)
            .then(pl.col("out_strength") / pl.col("retweets"))
            .otherwise(0.0)
        )
        .select(list(TIER_SCHEMA))
        .sort("community", "account")
    )


def feeds(members: pl.DataFrame, amplification: pl.DataFrame) -> pl.DataFrame:
    """source, target, weight: retweets by the source community's accounts of the target's."""
    return (
        amplification.join(members.select(retweeter="account", source="community"), on="retweeter")
        .join(members.select(author="account", target="community"), on="author")
        .filter(pl.col("source") != pl.col("target"))
        .group_by("source", "target")
        .agg(weight=pl.col("weight").sum().cast(pl.Int64))
        .sort("source", "target")
    )


def assign_tiers(
    sync: pl.DataFrame,
    network: Network,
    amplification: pl.DataFrame,
    rules: TierRules = TierRules(),
) -> Tiering:
    """Tier every account of a coordinated community.

    ``sync``: account, community, synchrony (``communities.synchrony_frame``); ``network``: the
    network the communities were found on; ``amplification``: retweeter, author, weight.
    """
    core = _synchronised(sync, amplification, rules)
    principals = _principals(core, amplification, rules)
    amplifiers = _amplifiers(core, principals, amplification, rules)
    # A synchronised account that takes no part in its community's amplification is not core;
    # without it the principals and amplifiers are drawn again. Shares data that names no
    # original authors (CooRTweet's form) has no amplification to judge by: there the
    # synchronised accounts stay the core, and no principal or amplifier can be told.
    if amplification.height:
        core = _engaged(core, principals, amplifiers, amplification, rules)
        principals = _principals(core, amplification, rules)
        amplifiers = _amplifiers(core, principals, amplification, rules)
    members = pl.concat(
        [
            principals.with_columns(tier=pl.lit("principal")),
            core.with_columns(tier=pl.lit("core")),
            amplifiers.with_columns(tier=pl.lit("amplifier")),
        ]
    )
    return Tiering(
        accounts=_scores(members, network, amplification),
        feeds=feeds(members, amplification),
    )


def operations(
    communities: pl.Series,
    flagged: pl.Series,
    feeds_table: pl.DataFrame,
    given: pl.DataFrame,
    feeds_share: float = TierRules.feeds_share,
) -> pl.DataFrame:
    """community, operation: flagged communities joined by strong FEEDS edges share one.

    An edge is strong when it carries at least ``feeds_share`` of the source community's
    retweets (``given``: community, retweets). Operations are the connected components of the
    strong edges between flagged communities; an unflagged community is an operation of its
    own. Operations are numbered in the order of their first community in ``communities`` (pass
    them ranked, so operation 1 holds the most suspicious community).
    """
    index = pl.DataFrame({"community": communities, "flagged": flagged}).with_row_index("at")
    ends = (
        feeds_table.join(given.rename({"community": "source"}), on="source")
        .filter(pl.col("weight") >= feeds_share * pl.col("retweets"))
        .join(index.select(source="community", a="at", fa="flagged"), on="source")
        .join(index.select(target="community", b="at", fb="flagged"), on="target")
        .filter(pl.col("fa") & pl.col("fb"))
        .select("a", "b")
        .to_numpy()
        .astype(np.int64)
        .reshape(-1, 2)
    )
    graph = igraph.Graph(n=index.height, edges=ends, directed=False)
    component = np.asarray(graph.connected_components().membership, dtype=np.int64)
    # Number the components by their first community in the given order.
    _, first = np.unique(component, return_index=True)
    number = np.empty(len(first), dtype=np.int64)
    number[np.argsort(first)] = np.arange(1, len(first) + 1)
    return pl.DataFrame({"community": communities, "operation": number[component]})
