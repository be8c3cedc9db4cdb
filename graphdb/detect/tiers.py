"""Tiers as tests: principals, core and amplifiers of each community, and the flow between them.

Everything here is measured on the amplification graph (retweeter -> author, retweet count,
self-retweets left out) against the **background**: every account outside the communities and
outside the amplifiers found so far. The background's rate r_x is the share of its retweets
that go to account x: how much of ordinary attention x draws. Each rule is a test against it:

1. **Targets** of a community C: authors that C's members retweet *as a body*. The statistic
   is the reach R (members other than x who retweet x); under the null each member m retweets
   x with probability 1 - (1 - r_x)^n_m, n_m its retweets, so the expected reach is their sum
   and the p-value the Poisson tail. A popular account draws a large expected reach, so its
   genuine audience inside C does not make it a target; the push of a core does.
2. **Principals** are the targets that amplify nothing but one another: the sink components of
   the graph "x amplifies y significantly" among C's targets. The core that pushes a principal
   is a target too when a second tier amplifies it, but it amplifies the principal, so it is
   not a sink.
3. Within C, a member that is not a principal is an **amplifier** when it amplifies the other
   members significantly and is not itself a target; otherwise it is **core**.
4. **External amplifiers** of an operation: accounts outside the communities whose retweets go
   to the operation's core (or, see ``direct``, to its principals) significantly more often
   than the background's rate, by a binomial test on their own retweet count (so an account of
   any activity is judged by its own volume). Benjamini–Hochberg over every account tested.
5. "x amplifies set S significantly" is the binomial test of x's retweets of S's accounts
   against the background's rate for S.

All p-values are compared with the run's false discovery rate (``fdr``) after
Benjamini–Hochberg over the family they belong to.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

import igraph
import numpy as np
import polars as pl
from scipy import sparse

from tierscope.graphdb.detect import stats
from tierscope.graphdb.detect.communities import OUTSIDE, Network, synchrony

# Pseudo-retweets every author starts with (Jeffreys' prior for a rate).
PRIOR = 0.5
# Retweets of one account that make a follower devoted, if they are also beyond its rate: one
# or two are what a genuine follower with little else to do gives; fake followers give many.
DEVOTED_RETWEETS = 3
# Rounds of setting devoted accounts aside; each round only adds to the set, so it settles.
MAX_ROUNDS = 20
# Accounts times communities held at once by the amplifier tests' families (64 MB of floats).
BLOCK_CELLS = 1 << 23
TIER_SCHEMA = {
    "account": pl.String,
    "community": pl.Int64,
    "tier": pl.String,
    "internal_share": pl.Float64,
    "synchrony": pl.Float64,
    "in_strength": pl.Float64,
    "out_strength": pl.Float64,
}
FEEDS_SCHEMA = {
    "source": pl.Int64,
    "target": pl.Int64,
    "weight": pl.Int64,
    "feeders": pl.Int64,
    "size": pl.Int64,
    "p_value": pl.Float64,
}
STRUCTURE_SCHEMA = {
    "community": pl.Int64,
    "p_fed": pl.Float64,
    "p_internal": pl.Float64,
    "p_feeds": pl.Float64,
    "p_structure": pl.Float64,
}
FEEDING_SCHEMA = {
    "source": pl.Int64,
    "target": pl.Int64,
    "feeders": pl.Int64,
    "size": pl.Int64,
    "p_value": pl.Float64,
}
_FOUND_SCHEMA = {"account": pl.String, "community": pl.Int64, "p_value": pl.Float64}
TARGET_SCHEMA = {
    "community": pl.Int64,
    "account": pl.String,
    "reach": pl.UInt32,
    "hits": pl.Int64,
    "expected": pl.Float64,
    "p_value": pl.Float64,
}


@dataclass(frozen=True)
class Flow:
    """The amplification graph and the background's rates, week by week.

    The rate r_x(t) is the share of the background's retweets in week t that go to x: what
    ordinary attention x draws *at that time*, so an operation active for a few weeks is
    compared with the background of those weeks, not of the whole archive. Every author has
    half a retweet's worth of rate to begin with (Jeffreys' prior): one the background never
    retweeted is unlikely to be retweeted, not impossible. The expected retweets of x by an
    account or community are the sum over weeks of its retweets that week times r_x(t).
    """

    retweets: pl.DataFrame  # retweeter, author, weight (over the whole archive)
    given: pl.DataFrame  # account, n
    weekly: pl.DataFrame  # account, week, n: each account's retweets per week
    excess: pl.DataFrame  # account, week, x: r_x(t) above the floor, where the background has any
    background: pl.DataFrame  # retweeter, author, week, weight: the retweets rates come from
    floor: float  # the rate of an account the background never retweeted
    authors: int  # distinct authors retweeted in the whole archive

    @classmethod
    def of(cls, weekly: pl.DataFrame, outside: pl.Series | None = None) -> Flow:
        """``weekly``: retweeter, author, week, weight. Rates from every retweeter except the
        accounts in ``outside``."""
        retweets = weekly.group_by("retweeter", "author").agg(weight=pl.col("weight").sum())
        flow = cls(
            retweets=retweets,
            given=retweets.group_by(account="retweeter").agg(n=pl.col("weight").sum()),
            weekly=weekly.group_by(account="retweeter", week="week").agg(n=pl.col("weight").sum()),
            excess=pl.DataFrame(),  # the rates: without() sets them
            background=weekly,
            floor=0.0,
            authors=retweets["author"].n_unique(),
        )
        return flow.without(outside)

    def without(self, outside: pl.Series | None) -> Flow:
        """The rates taken again from this flow's background less the retweets of
        ``outside``; the rest of the flow does not depend on who is left out."""
        background = self.background
        if outside is not None and len(outside):
            background = background.filter(~pl.col("retweeter").is_in(outside.implode()))
        authors = max(self.authors, 1)
        total = int(background["weight"].sum() or 0)
        return replace(
            self,
            excess=_excess(background, background, total, authors),
            background=background,
            floor=PRIOR / (total + PRIOR * authors),
        )

    def robust(self, authors: pl.Series, fdr: float) -> Flow:
        """The same flow with the rates of ``authors`` made robust to their devoted followers.

        An account devoted to x (at least ``DEVOTED_RETWEETS`` retweets of x, significant
        beyond x's rate at the false discovery rate ``fdr`` among x's retweeters) is set aside,
        with all its retweets, and x's rate estimated again, until nothing more is set aside.
        Otherwise thousands of fake followers of an ambassador make his rate so high that
        nothing about him looks unusual.
        """
        rows = (
            self.background.filter(pl.col("author").is_in(authors.implode()))
            .group_by("retweeter", "author")
            .agg(weight=pl.col("weight").sum())
            .join(self.given.rename({"account": "retweeter"}), on="retweeter")
        )
        if rows.is_empty():
            return self
        total = int(self.background["weight"].sum() or 0)
        n_authors = max(self.authors, 1)
        devoted = rows.select("retweeter", "author").clear()
        for _ in range(MAX_ROUNDS):
            rate = (
                rows.join(
                    devoted.with_columns(d=pl.lit(True)), on=["retweeter", "author"], how="left"
                )
                .group_by("author")
                .agg(
                    hits=pl.col("weight").filter(pl.col("d").is_null()).sum(),
                    aside=pl.col("n").filter(pl.col("d").is_not_null()).sum(),
                )
                .with_columns(
                    r=(pl.col("hits") + PRIOR) / (total - pl.col("aside") + PRIOR * n_authors)
                )
            )
            tested = rows.join(rate.select("author", "r"), on="author")
            p = stats.binom_sf(
                tested["weight"].to_numpy(), tested["n"].to_numpy(), tested["r"].to_numpy()
            )
            q = (
                tested.select("author")
                .with_columns(p=pl.Series(p))
                .with_columns(
                    q=pl.col("p")
                    .map_batches(lambda v: pl.Series(stats.benjamini_hochberg(v.to_numpy())))
                    .over("author")
                )["q"]
            )
            found = tested.filter((q <= fdr) & (pl.col("weight") >= DEVOTED_RETWEETS))
            again = pl.concat([devoted, found.select("retweeter", "author")])
            again = again.unique()
            if again.height == devoted.height:
                break
            devoted = again
        # The robust authors' weekly rates, without their devoted followers' retweets.
        ordinary = self.background.filter(pl.col("author").is_in(authors.implode())).join(
            devoted, on=["retweeter", "author"], how="anti"
        )
        robust = _excess(ordinary, self.background, total, n_authors, devoted)
        excess = pl.concat(
            [self.excess.filter(~pl.col("account").is_in(authors.implode())), robust]
        )
        return replace(self, excess=excess)

    def expected(
        self, who: pl.DataFrame, key: str, groups: pl.DataFrame, by: str, pairs: pl.DataFrame
    ) -> pl.DataFrame:
        """``key``, ``by``, expected for each row of ``pairs``: the retweets ``key`` (the
        accounts of ``who``: account, key) would give to group ``by`` (the accounts of
        ``groups``: account, by) at the background's weekly rates."""
        pairs = pairs.select(key, by).unique()
        who = who.filter(pl.col(key).is_in(pairs[key].implode()))
        volume = who.join(self.weekly, on="account").group_by(key, "week").agg(n=pl.col("n").sum())
        rates = groups.join(self.excess, on="account").group_by(by, "week").agg(x=pl.col("x").sum())
        sizes = groups.group_by(by).agg(size=pl.len())
        above = (
            pairs.join(volume, on=key)
            .join(rates, on=[by, "week"])
            .group_by(key, by)
            .agg(above=(pl.col("n") * pl.col("x")).sum())
        )
        totals = volume.group_by(key).agg(n_all=pl.col("n").sum())
        return (
            pairs.join(totals, on=key, how="left")
            .join(sizes, on=by, how="left")
            .join(above, on=[key, by], how="left")
            .select(
                key,
                by,
                expected=pl.col("n_all").fill_null(0) * pl.col("size").fill_null(0) * self.floor
                + pl.col("above").fill_null(0.0),
            )
        )


def _excess(
    rows: pl.DataFrame,
    background: pl.DataFrame,
    total: int,
    authors: int,
    devoted: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """account, week, x: each author's weekly rate above the floor, from ``rows`` (retweeter,
    author, week, weight) out of the ``background``'s weekly retweets; accounts ``devoted``
    to an author (retweeter, author) leave that author's denominator too."""
    week_totals = background.group_by("week").agg(b=pl.col("weight").sum())
    # r_x(t) = (b_x(t) + PRIOR * B(t) / B) / (B(t) * (1 + PRIOR * A / B)); x is what the
    # hits add to the floor PRIOR / (B + PRIOR * A).
    scale = 1 + PRIOR * authors / max(total, 1)
    hits = rows.group_by(account="author", week="week").agg(h=pl.col("weight").sum())
    frame = hits.join(week_totals, on="week")
    if devoted is not None and devoted.height:
        gone = (
            background.join(devoted.rename({"author": "of"}), on="retweeter")
            .group_by(account="of", week="week")
            .agg(d=pl.col("weight").sum())
        )
        frame = frame.join(gone, on=["account", "week"], how="left").with_columns(
            b=pl.col("b") - pl.col("d").fill_null(0)
        )
    return frame.select("account", "week", x=pl.col("h") / (pl.max_horizontal("b", 1) * scale))


def _bh(frame: pl.DataFrame, fdr: float, hypotheses: int | None = None) -> pl.DataFrame:
    """The rows significant at ``fdr`` after Benjamini–Hochberg over ``hypotheses``: every
    candidate, including those never tested because they retweeted nothing of the group (a
    family of only the accounts that did would be chosen by the outcome)."""
    p = frame["p_value"].to_numpy()
    q = stats.benjamini_hochberg(p, max(hypotheses or 0, len(p)))
    return frame.with_columns(q_value=pl.Series(q, dtype=pl.Float64)).filter(
        pl.col("q_value") <= fdr
    )


def _binomial(tested: pl.DataFrame) -> np.ndarray:
    """P(X >= hits) for X ~ Binomial(n, expected / n). The weekly rates make the count a sum
    of trials with different chances, which is more concentrated than the binomial of their
    mean chance (Hoeffding 1956), so this tail errs on the side of no discovery."""
    n = tested["n"].to_numpy()
    chance = np.divide(tested["expected"].to_numpy(), n, out=np.zeros(len(n)), where=n > 0)
    return stats.binom_sf(tested["hits"].to_numpy(), n, chance)


def targets(members: pl.DataFrame, flow: Flow, as_body: bool = True) -> pl.DataFrame:
    """TARGET_SCHEMA: every author that at least half of a community's members retweet (any
    author with ``as_body=False``), with the community's retweets of it (reach counts the
    members), the number the background's weekly rates predict from the members' own retweets
    (``Flow.expected``), and the binomial p-value (``_binomial``)."""
    sizes = members.group_by("community").agg(size=pl.len())
    pushed = (
        flow.retweets.join(members.rename({"account": "retweeter"}), on="retweeter")
        .filter(pl.col("retweeter") != pl.col("author"))
        .group_by("community", account="author")
        .agg(reach=pl.len(), hits=pl.col("weight").sum())
        .join(sizes, on="community")
        # Amplified as a body: most of the community, not a few members' cover retweets.
        .filter(2 * pl.col("reach") >= pl.col("size") if as_body else pl.lit(True))
    )
    if pushed.is_empty():
        return pl.DataFrame(schema=TARGET_SCHEMA)
    expected = flow.expected(
        members,
        "community",
        pushed.select("account", target="account").unique(),
        "target",
        pushed.select("community", target="account"),
    )
    volume = members.join(flow.given, on="account").group_by("community").agg(n=pl.col("n").sum())
    tested = pushed.join(expected.rename({"target": "account"}), on=["community", "account"]).join(
        volume, on="community"
    )
    p = _binomial(tested)
    return tested.with_columns(p_value=pl.Series(p, dtype=pl.Float64)).select(list(TARGET_SCHEMA))


def amplifies(
    retweeters: pl.DataFrame, groups: pl.DataFrame, flow: Flow, by: str = "community"
) -> pl.DataFrame:
    """account, ``by``, hits, expected, p_value: for each account of ``retweeters`` (account)
    and each group of ``groups`` (account, ``by``) it retweets, the binomial test of its
    retweets of the group's accounts (itself excluded) against what the background's weekly
    rates predict from its own retweets (``Flow.expected``)."""
    hits = (
        flow.retweets.join(retweeters.select(retweeter="account"), on="retweeter")
        .join(groups.select(author="account", group=by), on="author")
        .filter(pl.col("retweeter") != pl.col("author"))
        .group_by(account="retweeter", group="group")
        .agg(hits=pl.col("weight").sum())
    )
    expected = flow.expected(
        retweeters.select("account", who="account"),
        "who",
        groups.select("account", group=by),
        "group",
        hits.select(who="account", group="group"),
    )
    tested = hits.join(expected.rename({"who": "account"}), on=["account", "group"]).join(
        flow.given, on="account"
    )
    p = _binomial(tested)
    return tested.with_columns(p_value=pl.Series(p, dtype=pl.Float64)).rename({"group": by})


def principals(members: pl.DataFrame, found: pl.DataFrame, flow: Flow, fdr: float) -> pl.DataFrame:
    """account, community: the significant targets of each community (``found``, with
    q-values) that amplify nothing but one another (sink components; module docstring) and
    that ordinary accounts retweet too."""
    if found.is_empty():
        return pl.DataFrame(schema={"account": pl.String, "community": pl.Int64})
    pairs = amplifies(
        found.select("account"),
        found.select("account", group="account"),
        flow,
        by="group",
    ).filter(pl.col("account") != pl.col("group"))
    links = _bh(pairs, fdr).select(source="account", sink="group")
    names = found["account"].unique().sort()
    index = {name: i for i, name in enumerate(names.to_list())}
    graph = igraph.Graph(
        n=len(names),
        edges=[(index[s], index[t]) for s, t in links.iter_rows()],
        directed=True,
    )
    parts = graph.connected_components(mode="strong")
    leaves = {i for i, out in enumerate(parts.cluster_graph().outdegree()) if out == 0}
    sinks = names.filter(pl.Series([parts.membership[i] in leaves for i in range(len(names))]))
    # A principal has an ordinary audience too: an account that only the operation amplifies
    # is its core or its cover, not an official or outlet it pushes.
    audience = flow.background.filter(pl.col("author").is_in(sinks.implode()))["author"].unique()
    return found.filter(pl.col("account").is_in(audience.implode())).select("account", "community")


def split_members(
    members: pl.DataFrame, principal: pl.DataFrame, found: pl.DataFrame, flow: Flow, fdr: float
) -> pl.DataFrame:
    """account, community, tier (core or amplifier) of the members that are not principals.

    An amplifier amplifies the members its community pushes as a body (the core a second tier
    inside the community feeds on) and is not amplified by the community itself. In a ring,
    where members amplify one another, every member is core.
    """
    rest = members.join(principal, on=["account", "community"], how="anti")
    targeted = found.join(rest, on=["account", "community"]).select("account", "community")
    pushing = _bh(
        amplifies(rest.select("account"), targeted, flow)
        .join(rest.select("account", mine="community"), on="account")
        .filter(pl.col("community") == pl.col("mine")),
        fdr,
        rest.height,
    ).select("account")
    amplified = _bh(
        targets(rest, flow, as_body=False).join(rest, on=["account", "community"]),
        fdr,
        rest.height,
    ).select("account")
    amplifier = pushing.join(amplified, on="account", how="anti")
    return rest.with_columns(
        tier=pl.when(pl.col("account").is_in(amplifier["account"].implode()))
        .then(pl.lit("amplifier"))
        .otherwise(pl.lit("core"))
    )


def feeding(members: pl.DataFrame, tiered: pl.DataFrame, flow: Flow, alpha: float) -> pl.DataFrame:
    """FEEDING_SCHEMA: does community ``source`` amplify the core of community ``target``?
    The count test (``_count_test``) of source's members whose retweets of the target's core
    are significant at ``alpha``: ``feeders`` of its ``size`` members are."""
    own = tiered.filter(pl.col("tier") != "principal").join(members.select("account"), on="account")
    core = tiered.filter(pl.col("tier") == "core").select("account", "community")
    across = (
        amplifies(own.select("account"), core, flow)
        .join(own.select("account", source="community"), on="account")
        .filter(pl.col("community") != pl.col("source"))
        .rename({"community": "target"})
    )
    if across.is_empty():
        return pl.DataFrame(schema=FEEDING_SCHEMA)
    sizes = own.group_by("community").agg(m=pl.len())
    pool = (
        across.select("source", "target")
        .unique()
        .join(sizes.rename({"community": "source"}), on="source")
    )
    tested = _count_test(
        across.with_columns(pair=pl.struct("source", "target")),
        "pair",
        "p",
        alpha,
        pool.select(pl.struct("source", "target").alias("pair"), "m"),
    )
    return tested.select(
        source=pl.col("pair").struct.field("source"),
        target=pl.col("pair").struct.field("target"),
        feeders=pl.col("k").cast(pl.Int64),
        size=pl.col("m").cast(pl.Int64),
        p_value="p",
    )


def amplifier_communities(fed: pl.DataFrame, alpha: float, groups: int) -> pl.Series:
    """Communities that feed another's core (Bonferroni over the community pairs) that does
    not feed them back: a second tier, whose members are amplifiers of the one they feed."""
    strong = fed.filter(pl.col("p_value") * max(groups, 1) <= alpha).select("source", "target")
    mutual = strong.join(
        strong.rename({"source": "target", "target": "source"}), on=["source", "target"]
    )
    return strong.join(mutual, on=["source", "target"], how="anti")["source"].unique()


def feeds(tiered: pl.DataFrame, flow: Flow, fed: pl.DataFrame) -> pl.DataFrame:
    """FEEDS_SCHEMA: retweets by source's accounts of target's accounts (source != target),
    with the p-value that source's members amplify target's core (``feeding``; 1 when the
    target has no core)."""
    return (
        flow.retweets.join(tiered.select(retweeter="account", source="community"), on="retweeter")
        .join(tiered.select(author="account", target="community"), on="author")
        .filter(pl.col("source") != pl.col("target"))
        .group_by("source", "target")
        .agg(weight=pl.col("weight").sum().cast(pl.Int64))
        .join(fed, on=["source", "target"], how="left")
        .with_columns(pl.col("p_value").fill_null(1.0), pl.col("feeders", "size").fill_null(0))
        .select(list(FEEDS_SCHEMA))
        .sort("source", "target")
    )


def operations(
    communities: pl.Series,
    flagged: pl.Series,
    feeds_table: pl.DataFrame,
    shared: pl.DataFrame,
    alpha: float,
) -> pl.DataFrame:
    """community, operation: flagged communities that share a principal, or of which one is
    the second tier of the other, form one operation; an unflagged community is an operation
    of its own.

    A community joins the community it feeds with the most members (the count test significant
    at ``alpha`` after Bonferroni over the pairs), so a mixed community whose few members feed
    another operation does not merge the two.
    ``shared`` holds (source, target) pairs of communities with a common principal. Operations
    are numbered in the order of their first community in ``communities`` (pass them ranked,
    so operation 1 holds the most suspicious community).
    """
    index = pl.DataFrame({"community": communities, "flagged": flagged}).with_row_index("at")
    pairs = max(len(communities) ** 2, 1)
    flagged_ids = index.filter("flagged")["community"].implode()
    strongest = (
        feeds_table.filter(
            (pl.col("p_value") * pairs <= alpha)
            & pl.col("source").is_in(flagged_ids)
            & pl.col("target").is_in(flagged_ids)
        )
        # The community a second tier feeds most: a few of its members that also feed another
        # operation do not merge the two.
        .sort(["source", "feeders", "p_value"], descending=[False, True, False])
        .unique("source", keep="first")
        .select("source", "target")
    )
    ends = (
        pl.concat([strongest, shared.select("source", "target")])
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
    _, first = np.unique(component, return_index=True)
    number = np.empty(len(first), dtype=np.int64)
    number[np.argsort(first)] = np.arange(1, len(first) + 1)
    return pl.DataFrame({"community": communities, "operation": number[component]})


def _count_test(
    tested: pl.DataFrame, by: str, name: str, alpha: float, pool: int | pl.DataFrame
) -> pl.DataFrame:
    """``by``, ``name``: is a tier there? Of the m candidate accounts of a group (``pool``: a
    number, or a frame of ``by``, m), K were significant at ``alpha``; under the null
    K ~ Binomial(m, alpha), so one stray account that amplifies a fan is not a tier, while a
    hundred amplifiers out of two hundred are."""
    counts = tested.group_by(by).agg(k=(pl.col("p_value") <= alpha).sum(), tested=pl.len())
    if isinstance(pool, pl.DataFrame):
        counts = counts.join(pool, on=by, how="left")
    else:
        counts = counts.with_columns(m=pl.lit(pool))
    counts = counts.with_columns(m=pl.max_horizontal(pl.col("m").fill_null(0), "tested"))
    p = stats.binom_sf(counts["k"].to_numpy(), counts["m"].to_numpy(), alpha)
    return counts.select(by, "k", "m", pl.Series(name, p, dtype=pl.Float64))


def external_amplifiers(
    outside: pl.DataFrame, tiered: pl.DataFrame, flow: Flow, fdr: float, alpha: float
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Accounts of ``outside`` that amplify a community beyond the background's rate.

    Returns (account, community, p_value) of the significant ones, each with the community it
    amplifies most surely, and (community, p_fed): the count test of the second tier.
    An account amplifies a community when its retweets of the core, or of the principals (a
    *direct* amplifier, like the fake followers of an ambassador), are significant.

    p_fed counts the accounts that amplify the core. Direct amplifiers are tiered but are no
    evidence of an operation: every popular principal has a devoted genuine following, and a
    celebrity's fans are more devoted than an ambassador's fake followers. What tells the fakes
    apart is their inauthenticity (``evidence``), not their devotion.
    """
    found, fed = [], None
    for tier in ("core", "principal"):
        pushed = tiered.filter(pl.col("tier") == tier).select("account", "community")
        tested = amplifies(outside, pushed, flow)
        if tier == "core":
            fed = _count_test(tested, "community", "p_fed", alpha, outside.height)
        # Benjamini–Hochberg within each community: one operation's thousands of amplifiers
        # must not lower the bar for another's. The family is every outside account that
        # could have reached significance at all (``testable``).
        families = {c: stats.testable(low, fdr) for c, low in _lowest_p(outside, pushed, flow)}
        for (community,), group in tested.group_by("community"):
            found.append(_bh(group, fdr, families[community]))
    significant = pl.concat(found) if found else pl.DataFrame(schema=_FOUND_SCHEMA)
    best = significant.sort(["account", "p_value", "community"]).unique("account", keep="first")
    assert fed is not None
    return best.select(list(_FOUND_SCHEMA)), fed.select("community", "p_fed")


def _lowest_p(
    accounts: pl.DataFrame, groups: pl.DataFrame, flow: Flow
) -> Iterator[tuple[int, np.ndarray]]:
    """Each community of ``groups``, with the smallest p-value the test of each account of
    ``accounts`` that retweets at all could have given, had all its retweets gone to the
    community (chance ** n). Every account against every community, so the expected retweets
    (``Flow.expected``) are one product of the accounts' weekly volumes and the communities'
    weekly rates, taken a block of communities at a time to bound the memory."""
    given = accounts.select("account").join(flow.given, on="account")
    volume = flow.weekly.join(given.with_row_index("row"), on="account")
    rates = groups.join(flow.excess, on="account").group_by("community", "week").agg(x=pl.sum("x"))
    communities = np.sort(groups["community"].unique().to_numpy())
    weeks = np.unique(np.concatenate([volume["week"].to_numpy(), rates["week"].to_numpy()]))
    by_week = sparse.csr_matrix(
        (
            volume["n"].to_numpy().astype(np.float64),
            (volume["row"].to_numpy(), np.searchsorted(weeks, volume["week"].to_numpy())),
        ),
        shape=(given.height, len(weeks)),
    )
    rate = np.zeros((len(weeks), len(communities)))
    rate[
        np.searchsorted(weeks, rates["week"].to_numpy()),
        np.searchsorted(communities, rates["community"].to_numpy()),
    ] = rates["x"].to_numpy()
    sizes = groups.group_by("community").agg(size=pl.len()).sort("community")["size"].to_numpy()
    n = given["n"].to_numpy()[:, None]
    step = max(1, BLOCK_CELLS // max(given.height, 1))
    for start in range(0, len(communities), step):
        block = slice(start, start + step)
        expected = n * sizes[None, block] * flow.floor + by_week @ rate[:, block]
        lowest = np.clip(expected / n, 0.0, 1.0) ** n
        for j, community in enumerate(communities[block]):
            yield int(community), lowest[:, j]


def direct_communities(pushes: pl.DataFrame, shape: pl.DataFrame, alpha: float) -> pl.Series:
    """Communities that are the direct amplifiers of another's principal: with no second tier
    of their own (not fed, no internal amplification, at ``alpha``), they push a single principal
    that another community pushes along with others. Like the fake followers of an
    ambassador: a crowd that pushes him alone, while the core pushes him and the rest of the
    operation's principals."""
    counts = pushes.group_by("community").agg(n=pl.len())
    subsets = (
        pushes.join(pushes.rename({"community": "other"}), on="account")
        .filter(pl.col("community") != pl.col("other"))
        .group_by("community", "other")
        .agg(shared=pl.len())
        .join(counts, on="community")
        .join(counts.rename({"community": "other", "n": "n_other"}), on="other")
        .filter((pl.col("n") == 1) & (pl.col("shared") == 1) & (pl.col("n_other") > 1))
    )
    # Feeding another community's core is what an amplifier does; being fed is what it is not.
    alone = shape.filter((pl.col("p_fed") > alpha) & (pl.col("p_internal") > alpha))
    return subsets.join(alone.select("community"), on="community")["community"].unique()


def structure(
    members: pl.DataFrame,
    tiered: pl.DataFrame,
    fed: pl.DataFrame,
    fed_by: pl.DataFrame,
    flow: Flow,
    alpha: float,
) -> pl.DataFrame:
    """STRUCTURE_SCHEMA: is there a second tier? Three count tests (``_count_test``):

    p_fed: accounts that amplify the community's core, outside accounts (``fed``) or another
    community's members, the smaller of the two times two. p_internal: members that amplify
    the community's other members (an amplifier tier inside it, or a ring). p_feeds: members
    that amplify another community's core (the community is itself a second tier), the
    smallest over the other communities times their number. ``p_structure`` is the smallest
    of the three times three.
    """
    rest = tiered.filter(pl.col("tier") != "principal").select("account", "community")
    own = rest.filter(pl.col("account").is_in(members["account"].implode()))
    pushes = amplifies(own.select("account"), rest, flow).join(
        own.select("account", mine="community"), on="account"
    )
    sizes = own.group_by("community").agg(m=pl.len())
    internal = _count_test(
        pushes.filter(pl.col("community") == pl.col("mine")),
        "community",
        "p_internal",
        alpha,
        sizes,
    )
    p_feeds = fed_by.group_by(community="source").agg(
        p_feeds=pl.min_horizontal(pl.col("p_value").min() * pl.len(), 1.0)
    )
    # Fed by outside accounts, or by another community's members (a second tier that is a
    # community of its own): the smaller of the two, times two.
    by_community = fed_by.group_by(community="target").agg(
        p_by=pl.min_horizontal(pl.col("p_value").min() * pl.len(), 1.0)
    )
    fed = (
        fed.join(by_community, on="community", how="full", coalesce=True)
        .with_columns(pl.col("p_fed", "p_by").fill_null(1.0))
        .select("community", p_fed=pl.min_horizontal(2 * pl.min_horizontal("p_fed", "p_by"), 1.0))
    )
    table = (
        members.select("community")
        .unique()
        .join(fed, on="community", how="left")
        .join(internal, on="community", how="left")
        .join(p_feeds, on="community", how="left")
        .with_columns(pl.col("p_fed", "p_internal", "p_feeds").fill_null(1.0))
    )
    tests = ("p_fed", "p_internal", "p_feeds")
    return table.with_columns(
        p_structure=pl.min_horizontal(len(tests) * pl.min_horizontal(*tests), 1.0)
    ).select(list(STRUCTURE_SCHEMA))


def member_synchrony(network: Network, members: pl.DataFrame) -> pl.DataFrame:
    """account, synchrony: mean meetings with the members of one's own community."""
    at = members.join(
        pl.DataFrame({"account": network.accounts}).with_row_index("at"), on="account"
    )
    community = np.full(len(network.accounts), OUTSIDE, dtype=np.int64)
    community[at["at"].to_numpy()] = at["community"].to_numpy()
    mean, _ = synchrony(network, community)
    return at.select("account", synchrony=pl.Series(mean[at["at"].to_numpy()]))


def scores(tiered: pl.DataFrame, network: Network, flow: Flow) -> pl.DataFrame:
    """TIER_SCHEMA: internal_share, synchrony, in_strength and out_strength of each account."""
    inside = (
        flow.retweets.join(tiered.select(retweeter="account", c_from="community"), on="retweeter")
        .join(tiered.select(author="account", c_to="community"), on="author")
        .filter(pl.col("c_from") == pl.col("c_to"))
    )
    out_strength = inside.group_by(account="retweeter").agg(out_strength=pl.col("weight").sum())
    in_strength = inside.group_by(account="author").agg(in_strength=pl.col("weight").sum())
    return (
        tiered.join(out_strength, on="account", how="left")
        .join(in_strength, on="account", how="left")
        .join(flow.given, on="account", how="left")
        .join(
            member_synchrony(network, tiered.select("account", "community")),
            on="account",
            how="left",
        )
        .with_columns(
            pl.col("out_strength", "in_strength", "n").fill_null(0).cast(pl.Float64),
            pl.col("synchrony").fill_null(0.0),
        )
        .with_columns(
            internal_share=pl.when(pl.col("n") > 0)
            .then(pl.col("out_strength") / pl.col("n"))
            .otherwise(0.0)
        )
        .select(list(TIER_SCHEMA))
        .sort("community", "account")
    )


@dataclass(frozen=True)
class Tiering:
    """accounts: TIER_SCHEMA for every member, principal and external amplifier of every
    community (a principal listed once, with the community that pushes it most surely);
    pushes: (account, community) of every community that pushes each principal; structure:
    STRUCTURE_SCHEMA; feeds: FEEDS_SCHEMA; flow: the final rates."""

    accounts: pl.DataFrame
    pushes: pl.DataFrame
    structure: pl.DataFrame
    feeds: pl.DataFrame
    flow: Flow


def assign_tiers(
    members: pl.DataFrame, network: Network, retweets: pl.DataFrame, fdr: float, alpha: float
) -> Tiering:
    """Tier every community of ``members`` (account, community), in two passes: the second
    takes the amplifiers found by the first out of the background, so that an operation's own
    amplifiers do not raise the rates its core is judged against."""
    outside = (
        retweets.select(account="retweeter")
        .unique()
        .join(members.select("account"), on="account", how="anti")
    )
    amplifiers = pl.DataFrame(schema=_FOUND_SCHEMA)
    # Rates without the members' retweets; the second pass leaves out the amplifiers too.
    base = Flow.of(retweets, members["account"])
    for _ in range(2):
        flow = base.without(amplifiers["account"]) if amplifiers.height else base
        # The rates of accounts a community pushes as a body are made robust: those are the
        # ones fake followers would hide.
        flow = flow.robust(targets(members, flow)["account"].unique(), fdr)
        tested = targets(members, flow, as_body=False)
        # Within each community, as for amplifiers: many true targets of one must not lower
        # the bar for another. The family is every author of the archive: any of them could
        # have been the community's target.
        found = pl.concat(
            [_bh(g, fdr, flow.authors) for _, g in tested.group_by("community")]
            or [tested.with_columns(q_value=pl.lit(0.0))]
        )
        principal = principals(members, found, flow, fdr)
        # A member that any community pushes as a principal is a principal of its own.
        inside = members.filter(pl.col("account").is_in(principal["account"].implode()))
        inner = split_members(members, inside, found, flow, fdr)
        second = amplifier_communities(
            feeding(members, inner, flow, alpha), alpha, members["community"].n_unique() ** 2
        )
        # What a second tier pushes is the core it feeds, or its cover: no principals.
        principal = principal.filter(~pl.col("community").is_in(second.implode()))
        inside = members.filter(pl.col("account").is_in(principal["account"].implode()))
        inner = split_members(members, inside, found, flow, fdr).with_columns(
            tier=pl.when(pl.col("community").is_in(second.implode()))
            .then(pl.lit("amplifier"))
            .otherwise(pl.col("tier"))
        )
        # An outside principal belongs to the community that pushes it most surely.
        outer = (
            principal.join(found, on=["account", "community"])
            .join(members.select("account"), on="account", how="anti")
            .sort(["account", "p_value", "community"])
            .unique("account", keep="first")
            .select("account", "community")
        )
        tiered = pl.concat(
            [
                inside.with_columns(tier=pl.lit("principal")),
                outer.with_columns(tier=pl.lit("principal")),
                inner,
            ]
        )
        candidates = outside.join(outer.select("account"), on="account", how="anti")
        amplifiers, fed = external_amplifiers(candidates, tiered, flow, fdr, alpha)
    tiered = pl.concat(
        [tiered, amplifiers.select("account", "community", tier=pl.lit("amplifier"))]
    )
    fed_by = feeding(members, tiered, flow, alpha)
    shape = structure(members, tiered, fed, fed_by, flow, alpha)
    direct = direct_communities(principal, shape, alpha)
    tiered = tiered.with_columns(
        tier=pl.when(pl.col("community").is_in(direct.implode()) & (pl.col("tier") == "core"))
        .then(pl.lit("amplifier"))
        .otherwise(pl.col("tier"))
    )
    return Tiering(
        accounts=scores(tiered, network, flow),
        pushes=principal,
        structure=shape,
        feeds=feeds(tiered, flow, fed_by),
        flow=flow,
    )
