"""The detection pipeline over plain frames: projection, communities, tiers, evidence, operations.

1. **Projection** (CooRTweet): for each kind, pair shares of one object made within ``window``
   seconds by accounts with at least ``min_participation`` shares (``coordination.co_share``).
   co-retweet: the object is the retweeted post, the share the retweet; co-hashtag, co-url: the
   tag or URL of a post; co-text: a non-retweet's normalised text. Several kinds are summed into
   one network (``coordination.combine``).
2. **Communities**: weak ties optionally removed (``edge_weight`` absolute, or ``edge_quantile``
   as CooRTweet's ``edge_weight``), then Leiden (modularity, ``resolution``, ``seed``), or
   Louvain or Infomap (``communities``).
3. **Tiers**: core, principals and amplifiers of each coordinated community, the scores that
   explain them and the FEEDS flow between communities (``tiers``). Amplification always comes
   from retweets, whatever the projection kind.
4. **Evidence**: creation bursts, reaction time, dormancy, duplicated text and language mix,
   summed into a score that ranks the communities; a community is flagged at ``min_evidence``
   (``evidence``). Flagged accounts are the core and amplifiers of flagged communities; a
   principal is never flagged (it is the genuine account the operation pushes).
5. **Operations**: flagged communities joined by strong FEEDS edges form one operation (weakly
   connected components of FEEDS); every unflagged community is an operation of its own.
   Communities and operations are numbered by rank: community 1 is the most suspicious, and
   operation 1 holds it.
6. **Principal amplification**: for each principal, its posts, the retweets they drew, and how
   many of those came from flagged accounts.

The method follows CooRTweet (Righetti & Balluff) for the projection and Pacheco et al. (2021),
"Uncovering Coordinated Networks on Social Media", for the account network and its clusters.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import polars as pl

from tierscope.graphdb.detect.communities import (
    ALGORITHMS,
    Network,
    cluster,
    synchrony_frame,
    threshold_edges,
)
from tierscope.graphdb.detect.coordination import (
    EDGE_SCHEMA,
    Shares,
    co_share,
    combine,
    normalise_text,
)
from tierscope.graphdb.detect.evidence import EVIDENCE_SCHEMA, MIN_EVIDENCE, community_evidence
from tierscope.graphdb.detect.inputs import DetectInputs
from tierscope.graphdb.detect.tiers import FEEDS_SCHEMA, TierRules, assign_tiers, operations
from tierscope.graphdb.errors import InputError

KINDS = ("co-retweet", "co-hashtag", "co-url", "co-text")
# Pairs summed per sorted batch in co_share: 128 MB batches keep a scale-4 run about 0.5 GB
# lighter than the default 512 MB, and merging more of them costs no time.
BATCH_PAIRS = 1 << 24
_RULES = TierRules()

ACCOUNT_SCHEMA = {
    "account_id": pl.String,
    "operation_id": pl.Int64,
    "community_id": pl.Int64,
    "tier": pl.String,
    "flagged": pl.Boolean,
    "internal_share": pl.Float64,
    "synchrony": pl.Float64,
    "in_strength": pl.Float64,
    "out_strength": pl.Float64,
}
COMMUNITY_SCHEMA = {
    "community_id": pl.Int64,
    "operation_id": pl.Int64,
    "size": pl.Int64,
    "principals": pl.Int64,
    "core": pl.Int64,
    "amplifiers": pl.Int64,
    "synchrony": pl.Float64,
    # the evidence columns, score included, as evidence.py computes them
    **{k: v for k, v in EVIDENCE_SCHEMA.items() if k != "community"},
    "rank": pl.Int64,
    "flagged": pl.Boolean,
}
PRINCIPAL_SCHEMA = {
    "account_id": pl.String,
    "community_id": pl.Int64,
    "operation_id": pl.Int64,
    "posts": pl.Int64,
    "retweets": pl.Int64,
    "flagged_retweets": pl.Int64,
    "flagged_share": pl.Float64,
}
EDGES_SCHEMA = {**EDGE_SCHEMA, "kind": pl.String}


@dataclass(frozen=True)
class DetectParams:
    """Options of a detection run. The tier thresholds are explained in ``tiers``, the evidence
    threshold in ``evidence``."""

    kind: tuple[str, ...] = ("co-retweet",)  # one or more of KINDS, summed into one network
    window: int = 60  # seconds within which two shares of one object pair up
    min_participation: int = 2  # shares an account needs to take part (CooRTweet)
    edge_weight: float | None = None  # keep edges with at least this weight
    edge_quantile: float | None = None  # keep edges above this weight quantile (CooRTweet)
    algorithm: str = "leiden"  # or louvain, infomap
    resolution: float = 1.0  # modularity resolution (leiden, louvain)
    seed: int = 42
    min_synchrony: float = _RULES.min_synchrony  # mean meetings per partner of a core account
    min_core: int = _RULES.min_core  # core accounts of a coordinated community
    principal_reach: float = _RULES.principal_reach  # share of a core retweeting a principal
    min_core_retweets: int = _RULES.min_core_retweets  # core retweets an amplifier makes
    amplifier_share: float = _RULES.amplifier_share  # share of its retweets an amplifier gives
    feeds_share: float = _RULES.feeds_share  # share of retweets that joins two communities
    min_evidence: float = MIN_EVIDENCE  # evidence score that flags a community

    def __post_init__(self) -> None:
        unknown = [k for k in self.kind if k not in KINDS]
        if not self.kind or unknown:
            raise InputError(f"kind must be one or more of {', '.join(KINDS)}; got {self.kind}")
        if self.algorithm not in ALGORITHMS:
            raise InputError(f"algorithm must be one of {', '.join(ALGORITHMS)}")
        if self.edge_weight is not None and self.edge_quantile is not None:
            raise InputError("give edge_weight or edge_quantile, not both")
        if self.window < 0:
            raise InputError(f"window must be >= 0 seconds, got {self.window}")

    def rules(self) -> TierRules:
        return TierRules(
            min_synchrony=self.min_synchrony,
            min_core=self.min_core,
            principal_reach=self.principal_reach,
            min_core_retweets=self.min_core_retweets,
            amplifier_share=self.amplifier_share,
            feeds_share=self.feeds_share,
        )


@dataclass(frozen=True)
class Detection:
    """The result of ``analyze``; every frame is empty (with its columns) when nothing is found.

    edges: the projection before any threshold, one row per kind and account pair
      (EDGES_SCHEMA); the clustered network is their ``combine``.
    accounts: every tiered account (ACCOUNT_SCHEMA); a principal has the community that
      amplifies it most; ``flagged`` marks the core and amplifiers of flagged communities.
    communities: coordinated communities (COMMUNITY_SCHEMA): tier counts, the median synchrony
      of the core, the evidence measures, score, rank (1 = most suspicious) and flag.
    feeds: source, target, weight: retweets by the source community's accounts of posts by the
      target's.
    principals: PRINCIPAL_SCHEMA: each principal's own posts (not retweets), the retweets they
      drew, how many came from flagged accounts and what share of the retweets that is.
    timings: seconds per phase: projection, communities, tiers (evidence included).
    """

    edges: pl.DataFrame
    accounts: pl.DataFrame
    communities: pl.DataFrame
    feeds: pl.DataFrame
    principals: pl.DataFrame
    timings: dict[str, float] = field(default_factory=dict)


def shares(inputs: DetectInputs, kind: str) -> Shares | None:
    """The shares a projection kind pairs, or None when there are none.

    Non-retweet objects get a prefix so that a tag, URL or text can never equal a post id.
    """
    posts = inputs.posts
    if kind == "co-retweet":
        frame = posts.filter(pl.col("original").is_not_null()).select(
            "account", obj="original", share="post", time="time"
        )
    elif kind == "co-text":
        frame = (
            posts.filter(pl.col("text").is_not_null())
            .select("account", obj=normalise_text(pl.col("text")), share="post", time="time")
            .filter(pl.col("obj") != "")
            .with_columns(obj="text:" + pl.col("obj"))
        )
    else:
        uses = inputs.hashtags if kind == "co-hashtag" else inputs.urls
        prefix = "#" if kind == "co-hashtag" else "url:"
        frame = uses.select("account", obj=prefix + pl.col("object"), share="post", time="time")
    if frame.is_empty():
        return None
    return Shares.from_ids(frame["account"], frame["obj"], frame["share"], frame["time"])


def project(inputs: DetectInputs, params: DetectParams) -> dict[str, pl.DataFrame]:
    """The co-share edges (EDGE_SCHEMA) of every requested kind that has shares."""
    tables = {}
    for kind in params.kind:
        found = shares(inputs, kind)
        if found is not None:
            tables[kind] = co_share(
                found,
                params.window,
                params.min_participation,
                keep_pairs=False,
                batch_pairs=BATCH_PAIRS,
            ).edges
    return tables


def _accounts(inputs: DetectInputs) -> pl.Series:
    """Every account that can be in a projection, sorted: the network's vertices."""
    return (
        pl.concat([inputs.posts["account"], inputs.hashtags["account"], inputs.urls["account"]])
        .unique()
        .sort()
    )


def retweet_amplification(posts: pl.DataFrame) -> pl.DataFrame:
    """retweeter, author, weight: retweets of posts with a known author, less self-retweets.

    The table of ``coordination.amplification`` without its first and last times, grouped
    lazily straight from the posts: a third of the memory and a fifth of the time at scale 4.
    """
    return (
        posts.lazy()
        .filter(
            pl.col("original_account").is_not_null()
            & (pl.col("account") != pl.col("original_account"))
        )
        .group_by(retweeter="account", author="original_account")
        .agg(weight=pl.len().cast(pl.Int64))
        .collect()
    )


def analyze(
    inputs: DetectInputs,
    params: DetectParams = DetectParams(),
    progress: Callable[[str], None] | None = None,
) -> Detection:
    """Run the whole pipeline (module docstring) on ``inputs``."""
    say = progress or (lambda _: None)
    timings: dict[str, float] = {}

    start = time.perf_counter()
    by_kind = project(inputs, params)
    edges = (
        pl.concat([table.with_columns(kind=pl.lit(kind)) for kind, table in by_kind.items()])
        if by_kind
        else pl.DataFrame(schema=EDGES_SCHEMA)
    )
    tables = list(by_kind.values())
    # One kind needs no summing, and combine() would copy every edge to group them.
    network = tables[0] if len(tables) == 1 else combine(tables)
    timings["projection"] = time.perf_counter() - start
    say(f"projection: {edges.height:,} edges ({', '.join(params.kind)})")

    start = time.perf_counter()
    kept = threshold_edges(network, params.edge_weight, params.edge_quantile)
    coded = Network.from_edges(kept, _accounts(inputs))
    del network, kept, tables, by_kind
    community = cluster(coded, params.algorithm, params.resolution, params.seed)
    sync = synchrony_frame(coded, community)
    timings["communities"] = time.perf_counter() - start
    say(f"communities: {sync['community'].n_unique():,} over {len(coded.a):,} edges")

    start = time.perf_counter()
    retweets = retweet_amplification(inputs.posts)
    tiering = assign_tiers(sync, coded, retweets, params.rules())
    members = tiering.accounts.filter(pl.col("tier") != "principal").select("account", "community")
    evidence = community_evidence(members, inputs.posts, inputs.accounts, params.window)
    detection = _assemble(
        edges, tiering.accounts, tiering.feeds, evidence, retweets, inputs, params
    )
    timings["tiers"] = time.perf_counter() - start
    flagged = detection.communities.filter("flagged")
    say(
        f"tiers: {detection.communities.height} communities, {flagged.height} flagged, "
        f"{detection.accounts['flagged'].sum():,} flagged accounts"
    )
    return replace(detection, timings=timings)


def _assemble(
    edges: pl.DataFrame,
    tiered: pl.DataFrame,
    feeds: pl.DataFrame,
    evidence: pl.DataFrame,
    retweets: pl.DataFrame,
    inputs: DetectInputs,
    params: DetectParams,
) -> Detection:
    """Rank, flag and number the communities, group operations, and build the output frames."""
    counts = tiered.group_by("community").agg(
        size=pl.len(),
        principals=(pl.col("tier") == "principal").sum(),
        core=(pl.col("tier") == "core").sum(),
        amplifiers=(pl.col("tier") == "amplifier").sum(),
        synchrony=pl.col("synchrony").filter(pl.col("tier") == "core").median(),
    )
    ranked = (
        counts.join(evidence, on="community", how="left")
        .with_columns(pl.col("score").fill_null(0.0))
        .sort(["score", "core", "community"], descending=[True, True, False])
        .with_row_index("rank", offset=1)
        .with_columns(
            pl.col("rank").cast(pl.Int64),
            flagged=pl.col("score") >= params.min_evidence,
        )
    )
    # Community ids follow the rank, so community 1 is the most suspicious.
    renumber = ranked.select("community", community_id=pl.col("rank"))
    feeds = (
        feeds.join(renumber.rename({"community": "source", "community_id": "s"}), on="source")
        .join(renumber.rename({"community": "target", "community_id": "t"}), on="target")
        .select(source="s", target="t", weight="weight")
        .sort("source", "target")
    )
    tiered = tiered.join(renumber, on="community").drop("community")
    given = _given(retweets, tiered)
    ops = operations(ranked["rank"], ranked["flagged"], feeds, given, params.feeds_share)
    communities = (
        ranked.with_columns(community_id=pl.col("rank"))
        .join(
            ops.rename({"community": "community_id", "operation": "operation_id"}),
            on="community_id",
        )
        .select([pl.col(n).cast(t) for n, t in COMMUNITY_SCHEMA.items()])
        .sort("community_id")
    )
    accounts = (
        tiered.rename({"account": "account_id"})
        .join(
            communities.select("community_id", "operation_id", c_flag="flagged"), on="community_id"
        )
        .with_columns(flagged=pl.col("c_flag") & (pl.col("tier") != "principal"))
        .select([pl.col(n).cast(t) for n, t in ACCOUNT_SCHEMA.items()])
        .sort("community_id", "tier", "account_id")
    )
    return Detection(
        edges=edges.select([pl.col(n).cast(t) for n, t in EDGES_SCHEMA.items()]),
        accounts=accounts,
        communities=communities,
        feeds=feeds.select([pl.col(n).cast(t) for n, t in FEEDS_SCHEMA.items()]),
        principals=principal_amplification(accounts, inputs.posts, retweets),
    )


def _given(retweets: pl.DataFrame, tiered: pl.DataFrame) -> pl.DataFrame:
    """community, retweets: all retweets given by each community's accounts."""
    return (
        retweets.join(tiered.select(retweeter="account", community="community_id"), on="retweeter")
        .group_by("community")
        .agg(retweets=pl.col("weight").sum())
    )


def principal_amplification(
    accounts: pl.DataFrame, posts: pl.DataFrame, retweets: pl.DataFrame
) -> pl.DataFrame:
    """PRINCIPAL_SCHEMA: each principal's posts, retweets drawn, and those by flagged accounts."""
    principals = accounts.filter(pl.col("tier") == "principal").select(
        "account_id", "community_id", "operation_id"
    )
    flagged = accounts.filter("flagged").select(retweeter="account_id", by_flagged=pl.lit(True))
    drawn = (
        retweets.join(principals.select(author="account_id"), on="author")
        .join(flagged, on="retweeter", how="left")
        .group_by(account_id="author")
        .agg(
            retweets=pl.col("weight").sum(),
            flagged_retweets=pl.col("weight").filter(pl.col("by_flagged")).sum(),
        )
    )
    authored = (
        posts.join(principals.select(account="account_id"), on="account")
        .filter(pl.col("original").is_null())
        .group_by(account_id="account")
        .agg(posts=pl.len())
    )
    return (
        principals.join(authored, on="account_id", how="left")
        .join(drawn, on="account_id", how="left")
        .with_columns(pl.col("posts", "retweets", "flagged_retweets").fill_null(0))
        .with_columns(
            flagged_share=pl.when(pl.col("retweets") > 0)
            .then(pl.col("flagged_retweets") / pl.col("retweets"))
            .otherwise(0.0)
        )
        .select([pl.col(n).cast(t) for n, t in PRINCIPAL_SCHEMA.items()])
        .sort(["flagged_retweets", "account_id"], descending=[True, False])
    )
