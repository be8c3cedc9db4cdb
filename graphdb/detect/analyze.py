"""The detection pipeline over plain frames. Every decision is a test against a stated null,
thresholded at a false discovery rate (``fdr``, for the many ties and accounts) or a level
(``alpha``, for the few communities); ``docs/method.md`` explains and defends each.

1. **Projection** (CooRTweet): for each kind, pair shares of one object made within ``window``
   seconds by accounts with at least ``min_participation`` shares (``coordination.co_share``).
   co-retweet: the object is the retweeted post; co-hashtag, co-url: the tag or URL of a post;
   co-text: a non-retweet's normalised text.
2. **Ties** (``significance``): each pair is tested in the time view (meetings against a
   time shuffle within each object) and the overlap view (common objects against a weekly
   bipartite configuration model); the two are fused, kinds are fused the same way, and the
   ties with ``q_value <= fdr`` form the coordination network.
3. **Communities**: Leiden (modularity, ``resolution``, ``seed``), Louvain or Infomap on the
   network, each tie weighted by its evidence (-log10 p); communities of at least
   ``min_community`` accounts are kept.
4. **Tiers** (``tiers``): each community's targets, principals, core and amplifiers, outside
   amplifiers, the FEEDS flow and the structure tests.
5. **Evidence** (``evidence``): creation bursts, reaction time, dormancy, duplicated text,
   language, each a test against the background.
6. **Flag**: a community is flagged when it is coordinated beyond chance *and* it is an
   operation rather than a genuine audience: it has a tier structure, or at least two signs of
   inauthenticity (partial conjunction). Both must hold (intersection–union: the larger of the
   two p-values), and communities are flagged at ``alpha`` after Benjamini–Hochberg across
   them. A signal the data cannot carry is missing; when every operation signal is missing
   (shares without authors, text or profiles), coordination alone decides, and the report says
   so. Reaction time is reported, and ranked on, but does not flag.
7. **Operations**: flagged communities that feed one another significantly or share a
   principal; every unflagged community is an operation of its own. Communities are numbered by
   rank (flagged first, then by the Fisher combination of all their evidence), so community 1
   is the most suspicious and operation 1 holds it.
8. **Principal amplification**: for each principal, its posts, the retweets they drew, and how
   many came from flagged accounts.

The method follows CooRTweet (Righetti & Balluff) for the projection and Pacheco et al. (2021),
"Uncovering Coordinated Networks on Social Media", for the account network and its clusters.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from tierscope.graphdb.detect import stats
from tierscope.graphdb.detect.communities import (
    ALGORITHMS,
    Network,
    cluster,
    membership_frame,
    threshold_edges,
)
from tierscope.graphdb.detect.coordination import (
    EDGE_SCHEMA,
    CodedEdges,
    Shares,
    co_share,
    normalise_text,
)
from tierscope.graphdb.detect.evidence import (
    EVIDENCE_SCHEMA,
    INAUTHENTICITY,
    community_evidence,
)
from tierscope.graphdb.detect.inputs import DetectInputs, Posts
from tierscope.graphdb.detect.significance import (
    CODED_SCHEMA,
    TEST_SCHEMA,
    EdgeTests,
    test_pairs,
)
from tierscope.graphdb.detect.tiers import (
    FEEDS_SCHEMA,
    STRUCTURE_SCHEMA,
    Flow,
    Tiering,
    assign_tiers,
    operations,
    scores,
)
from tierscope.graphdb.errors import InputError

KINDS = ("co-retweet", "co-hashtag", "co-url", "co-text")
# Pairs summed per sorted batch in co_share: 128 MB batches keep a scale-4 run about 0.5 GB
# lighter than the default 512 MB, and merging more of them costs no time.
BATCH_PAIRS = 1 << 24
WEEK = 7 * 86_400
# -log10 of the smallest p-value a float carries; a tie's clustering weight is capped there.
MAX_EVIDENCE = 300.0

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
    "ties": pl.Int64,
    "p_coordination": pl.Float64,
    **{k: v for k, v in STRUCTURE_SCHEMA.items() if k != "community"},
    **{k: v for k, v in EVIDENCE_SCHEMA.items() if k != "community"},
    "p_inauthentic": pl.Float64,
    "p_operation": pl.Float64,
    "p_flag": pl.Float64,
    "q_flag": pl.Float64,
    "score": pl.Float64,
    "rank": pl.Int64,
    "flagged": pl.Boolean,
    "reason": pl.String,
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
EDGES_SCHEMA = {
    **{k: v for k, v in TEST_SCHEMA.items() if k not in ("p_time", "p_overlap")},
    "kind": pl.String,
}
# EDGES_SCHEMA as ``fuse`` holds it: account codes, the kind an Enum in sorted order.
KIND = pl.Enum(sorted(KINDS))
FUSED_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    **{k: v for k, v in CODED_SCHEMA.items() if k not in ("p_time", "p_overlap")},
    "kind": KIND,
}
# The p-values Fisher's method combines into the ranking score.
RANKED = ("p_coordination", "p_structure", "p_reaction", *INAUTHENTICITY)


@dataclass(frozen=True)
class DetectParams:
    """Options of a detection run; ``docs/method.md`` defends each default."""

    kind: tuple[str, ...] = ("co-retweet",)  # one or more of KINDS, fused
    window: int = 60  # seconds within which two shares of one object pair up
    min_participation: int = 2  # shares an account needs to take part (CooRTweet)
    edge_weight: float | None = None  # keep significant ties with at least this weight
    edge_quantile: float | None = None  # ... or above this weight quantile (CooRTweet)
    algorithm: str = "leiden"  # or louvain, infomap
    resolution: float = 1.0  # modularity resolution (leiden, louvain)
    seed: int = 42
    fdr: float = 0.01  # false discovery rate of ties, targets and amplifiers
    alpha: float = 0.01  # level at which communities are flagged
    min_community: int = 3  # accounts a community needs; a pair is a tie, not a community

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
        for name in ("fdr", "alpha"):
            value = getattr(self, name)
            if not 0 < value < 1:
                raise InputError(f"{name} must be between 0 and 1, got {value}")
        if self.min_community < 3:
            raise InputError(f"min_community must be at least 3, got {self.min_community}")


@dataclass(frozen=True)
class Detection:
    """The result of ``analyze``; every frame is empty (with its columns) when nothing is found.

    edges: every tested pair of each kind (EDGES_SCHEMA): CooRTweet's weight and mean delta,
      the expectations, the kind's p-value and the pair's fused q-value. Lazy: held in memory,
      or scanned from the Parquet file ``analyze`` spilled it to.
    accounts: members of every community and the principals and amplifiers of the flagged
      ones (ACCOUNT_SCHEMA). Tiers (principal, core, amplifier) are given in flagged
      communities only; members of the others have the tier ``member``.
    communities: COMMUNITY_SCHEMA: tier counts, every test's effect and p-value, the decision,
      its reason, the ranking score, rank (1 = most suspicious) and flag.
    feeds: source, target, weight, p_value: retweets by the source community's accounts of
      the target's, and how unlikely that share is at the background's rate.
    principals: PRINCIPAL_SCHEMA for the principals of flagged communities.
    timings: seconds per phase: projection, statistics (the tests of every pair), communities,
      tiers (evidence included).
    """

    edges: pl.LazyFrame
    accounts: pl.DataFrame
    communities: pl.DataFrame
    feeds: pl.DataFrame
    principals: pl.DataFrame
    timings: dict[str, float] = field(default_factory=dict)

    def tested_pairs(self) -> int:
        return int(self.edges.select(pl.len()).collect().item())


def shares(inputs: DetectInputs, kind: str) -> Shares | None:
    """The shares a projection kind pairs, or None when there are none.

    Non-retweet objects get a prefix so that a tag, URL or text can never equal a post id.
    """
    # Lazy, so the filters copy only the columns selected: at scale 4 an eager filter copied
    # every column, 0.14 GB against 0.07 GB.
    posts = inputs.posts.lazy()
    if kind == "co-retweet":
        frame = (
            posts.filter(pl.col("original").is_not_null())
            .select("account", obj="original", share="post", time="time")
            .collect()
        )
    elif kind == "co-text":
        frame = (
            posts.filter(pl.col("text").is_not_null())
            .select("account", obj=normalise_text(pl.col("text")), share="post", time="time")
            .filter(pl.col("obj") != "")
            .with_columns(obj="text:" + pl.col("obj"))
            .collect()
        )
    else:
        uses = inputs.hashtags if kind == "co-hashtag" else inputs.urls
        prefix = "#" if kind == "co-hashtag" else "url:"
        frame = uses.select("account", obj=prefix + pl.col("object"), share="post", time="time")
    if frame.is_empty():
        return None
    return Shares.from_ids(frame["account"], frame["obj"], frame["share"], frame["time"])


def project(inputs: DetectInputs, params: DetectParams) -> dict[str, tuple[Shares, CodedEdges]]:
    """The shares and co-share edges of every requested kind that has shares."""
    projected = {}
    for kind in params.kind:
        found = shares(inputs, kind)
        if found is not None:
            edges = co_share(
                found,
                params.window,
                params.min_participation,
                keep_pairs=False,
                batch_pairs=BATCH_PAIRS,
            ).coded
            # The tests need the codes alone: the post ids (0.06 GB at scale 4) can go.
            projected[kind] = (replace(found, posts=found.posts.clear()), edges)
    return projected


def fuse(tested: dict[str, EdgeTests]) -> tuple[pl.DataFrame, pl.Series]:
    """Every kind's pairs in one table (FUSED_SCHEMA) sorted by kind, a, b, and the sorted
    account ids its codes index. A pair's q-value (and p-value) is its smallest over the kinds
    times their number (Bonferroni across kinds)."""
    if not tested:
        return pl.DataFrame(schema=FUSED_SCHEMA), pl.Series(dtype=pl.String)
    ids = pl.concat([t.ids for t in tested.values()]).unique().sort()
    parts = []
    for kind, t in sorted(tested.items()):
        table = t.table
        if len(tested) > 1:  # each kind codes its own accounts: recode into the union
            recode = pl.Series(ids.search_sorted(t.ids), dtype=pl.UInt32)
            table = table.with_columns(a=recode.gather(table["a"]), b=recode.gather(table["b"]))
        parts.append(table.with_columns(kind=pl.lit(kind, dtype=KIND)))
    rows = pl.concat(parts)
    if len(tested) > 1:
        pair = pl.col("a").cast(pl.Int64) * len(ids) + pl.col("b")  # one key: 2.2 s -> 1.6 s
        rows = rows.with_columns(
            [
                pl.min_horizontal(pl.col(c).min().over(pair) * len(tested), 1.0).alias(c)
                for c in ("p_value", "q_value")
            ]
        )
    # Each kind's table is in account order already (EdgeTests).
    return rows.select([pl.col(n).cast(t) for n, t in FUSED_SCHEMA.items()]), ids


def decode(fused: pl.DataFrame, ids: pl.Series) -> pl.LazyFrame:
    """EDGES_SCHEMA from ``fuse``'s table, lazily: Parquet is written a slice at a time."""
    return fused.lazy().select(
        pl.lit(ids).gather("a").alias("account_a"),
        pl.lit(ids).gather("b").alias("account_b"),
        *[pl.col(n).cast(t) for n, t in list(EDGES_SCHEMA.items())[2:]],
    )


def coordination_network(edges: pl.DataFrame, params: DetectParams) -> pl.DataFrame:
    """account_a, account_b, weight (evidence), meetings, p_value of the significant ties."""
    ties = (
        edges.filter(pl.col("q_value") <= params.fdr)
        .group_by("account_a", "account_b")
        .agg(
            p_value=pl.col("p_value").min(),
            meetings=pl.col("weight").sum(),
            q_value=pl.col("q_value").first(),
        )
    )
    if params.edge_weight is not None or params.edge_quantile is not None:
        ties = threshold_edges(
            ties.rename({"meetings": "weight"}), params.edge_weight, params.edge_quantile
        ).rename({"weight": "meetings"})
    evidence = (-pl.col("p_value").clip(lower_bound=1e-300).log10()).clip(0.0, MAX_EVIDENCE)
    return ties.with_columns(weight=evidence).sort("account_a", "account_b")


def retweet_amplification(posts: Posts) -> pl.DataFrame:
    """retweeter, author, week, weight: retweets of posts with a known author, less
    self-retweets, per week of the retweet (weeks counted from the first post)."""
    return (
        posts.lazy()
        .with_columns(week=(pl.col("time") - pl.col("time").min()) // WEEK)
        .filter(
            pl.col("original_account").is_not_null()
            & (pl.col("account") != pl.col("original_account"))
        )
        .group_by(retweeter="account", author="original_account", week="week")
        .agg(weight=pl.len().cast(pl.Int64))
        .collect()
    )


def _communities(ties: pl.DataFrame, params: DetectParams) -> tuple[Network, pl.DataFrame]:
    if ties.is_empty():
        empty = Network.from_edges(pl.DataFrame(schema=EDGE_SCHEMA))
        return empty, pl.DataFrame(schema={"account": pl.String, "community": pl.Int64})
    network = Network.from_edges(ties)
    members = membership_frame(
        network, cluster(network, params.algorithm, params.resolution, params.seed)
    )
    members = members.filter(pl.len().over("community") >= params.min_community)
    return network, members


def _untiered(members: pl.DataFrame, network: Network, flow: Flow) -> Tiering:
    """Shares without original authors: no amplification to tier by; every member is core
    and the structure is missing."""
    accounts = scores(members.with_columns(tier=pl.lit("core")), network, flow)
    structure = members.select("community").unique()
    structure = structure.with_columns(
        [pl.lit(None, dtype).alias(n) for n, dtype in STRUCTURE_SCHEMA.items() if n != "community"]
    )
    return Tiering(
        accounts=accounts,
        pushes=pl.DataFrame(schema={"account": pl.String, "community": pl.Int64}),
        structure=structure,
        feeds=pl.DataFrame(schema=FEEDS_SCHEMA),
        flow=flow,
    )


def _without_authors(
    structure: pl.DataFrame, members: pl.DataFrame, inputs: DetectInputs
) -> pl.DataFrame:
    """The structure tests are missing for a community whose retweets mostly name no original
    author (CooRTweet's shares form): they cannot see whom it amplifies."""
    coverage = (
        inputs.posts.lazy()
        .filter(pl.col("original").is_not_null())
        .join(members.lazy(), on="account")
        .group_by("community")
        .agg(known=pl.col("original_account").is_not_null().mean())
        .collect()
    )
    blind = coverage.filter(pl.col("known") < 0.5)["community"].implode()
    tests = [c for c in structure.columns if c != "community"]
    return structure.with_columns(
        [
            pl.when(pl.col("community").is_in(blind)).then(None).otherwise(pl.col(c)).alias(c)
            for c in tests
        ]  # fmt: skip
    )


def coordination(members: pl.DataFrame, ties: pl.DataFrame) -> pl.DataFrame:
    """community, ties, p_coordination: a community's significant internal ties, and the
    smallest q-value among them (the ties were tested as one family of every pair of active
    accounts, so this is the evidence that the community's accounts meet beyond chance)."""
    inside = (
        ties.join(members.select(account_a="account", community="community"), on="account_a")
        .join(members.select(account_b="account", c2="community"), on="account_b")
        .filter(pl.col("community") == pl.col("c2"))
    )
    return inside.group_by("community").agg(ties=pl.len(), p_coordination=pl.col("q_value").min())


def analyze(
    inputs: DetectInputs,
    params: DetectParams = DetectParams(),
    progress: Callable[[str], None] | None = None,
    spill: Path | None = None,
) -> Detection:
    """Run the whole pipeline (module docstring) on ``inputs``.

    With ``spill``, every tested pair is written there as Parquet (lz4) once the ties are
    known, and ``Detection.edges`` scans it: the table is the largest thing a run holds
    (0.6 GB for scale 4's 7.6M pairs), and nothing after the ties needs more than them.
    """
    say = progress or (lambda _: None)
    timings: dict[str, float] = {}

    start = time.perf_counter()
    projected = project(inputs, params)
    timings["projection"] = time.perf_counter() - start
    start = time.perf_counter()
    tested = {}
    for kind in list(projected):  # popped: test_pairs can release the edges as it goes
        tested[kind] = test_pairs(*projected.pop(kind), params.window, params.min_participation)
    fused, ids = fuse(tested)
    del tested
    edges = decode(fused, ids)
    ties = coordination_network(edges.filter(pl.col("q_value") <= params.fdr).collect(), params)
    count = fused.height
    if spill is None:
        kept = edges.collect().lazy()
    else:
        # lz4: 2 s -> 1.3 s for scale 4's 7.6M pairs, 25 % more bytes than the default zstd.
        edges.sink_parquet(spill, compression="lz4")
        kept = pl.scan_parquet(spill)
    del fused, edges
    timings["statistics"] = time.perf_counter() - start
    say(f"ties: {ties.height:,} of {count:,} tested pairs at FDR {params.fdr:g}")

    start = time.perf_counter()
    network, members = _communities(ties, params)
    timings["communities"] = time.perf_counter() - start
    say(f"communities: {members['community'].n_unique():,} of {params.min_community}+ accounts")

    start = time.perf_counter()
    retweets = retweet_amplification(inputs.posts)
    if retweets.height:
        tiering = assign_tiers(members, network, retweets, params.fdr, params.alpha)
        tiering = replace(tiering, structure=_without_authors(tiering.structure, members, inputs))
    else:
        tiering = _untiered(members, network, Flow.of(retweets))
    principal_ids = tiering.accounts.filter(pl.col("tier") == "principal").select("account")
    evidence = community_evidence(
        tiering.accounts.filter(pl.col("tier") != "principal").select("account", "community"),
        inputs.posts,
        inputs.accounts,
        principal_ids,
        params.alpha,
    )
    decided = decide(members, tiering, evidence, coordination(members, ties), params)
    detection = _assemble(kept, members, tiering, decided, retweets, inputs, params)
    timings["tiers"] = time.perf_counter() - start
    flagged = detection.communities.filter("flagged")
    say(
        f"tiers: {detection.communities.height} communities, {flagged.height} flagged, "
        f"{detection.accounts['flagged'].sum():,} flagged accounts"
    )
    return replace(detection, timings=timings)


def _fmt(p: float | None) -> str:
    return "missing" if p is None or np.isnan(p) else f"p={p:.2g}"


def _reason(row: dict[str, Any], alpha: float) -> str:
    """One sentence a reviewer can check: which tests decided, and their p-values."""
    coordinated = f"coordinated beyond chance ({_fmt(row['p_coordination'])})"
    structure, inauthentic = row["p_structure"], row["p_inauthentic"]
    signs = ", ".join(f"{name.removeprefix('p_')} {_fmt(row[name])}" for name in INAUTHENTICITY)
    if row["joined"] is not None:
        return (
            f"flagged: {coordinated}, and it pushes a principal of flagged community "
            f"{row['joined']}: the same push, one operation"
        )
    if structure is None and inauthentic is None:
        basis = "every operation signal is missing from the data, so coordination alone decides"
        return f"{'flagged' if row['flagged'] else 'not flagged'}: {coordinated}; {basis}"
    if row["flagged"]:
        why = []
        if structure is not None and structure <= alpha:
            why.append(f"a tier structure ({_fmt(structure)})")
        if inauthentic is not None and inauthentic <= alpha:
            why.append(f"two or more signs of inauthenticity ({signs})")
        return f"flagged: {coordinated}, with " + " and ".join(why or ["its combined evidence"])
    if row["p_coordination"] is None or row["p_coordination"] > alpha:
        return f"not flagged: coordination not beyond chance ({_fmt(row['p_coordination'])})"
    return (
        f"not flagged: {coordinated}, but it looks like a genuine audience: no tier structure "
        f"({_fmt(structure)}) and fewer than two signs of inauthenticity ({signs})"
    )


def _joined(table: pl.DataFrame, pushes: pl.DataFrame, alpha: float) -> pl.DataFrame:
    """community, joined: an unflagged but coordinated community that pushes a principal of a
    flagged one joins it (the same push is one operation; its own second tier may have gone
    to its sister cell). ``joined`` is the flagged community, or null."""
    flagged = table.filter("flagged").select("community")
    candidates = table.filter(~pl.col("flagged") & (pl.col("p_coordination") <= alpha))
    links = (
        pushes.join(flagged, on="community")
        .join(pushes.rename({"community": "other"}), on="account")
        .join(candidates.select(other="community"), on="other")
        .group_by(community="other")
        .agg(joined=pl.col("community").min())
    )
    return table.select("community").join(links, on="community", how="left")


def decide(
    members: pl.DataFrame,
    tiering: Tiering,
    evidence: pl.DataFrame,
    coordinated: pl.DataFrame,
    params: DetectParams,
) -> pl.DataFrame:
    """One row per community: counts, every p-value, the flag, its reason and the score."""
    counts = tiering.accounts.group_by("community").agg(
        size=pl.len(),
        principals=(pl.col("tier") == "principal").sum(),
        core=(pl.col("tier") == "core").sum(),
        amplifiers=(pl.col("tier") == "amplifier").sum(),
        synchrony=pl.col("synchrony").filter(pl.col("tier") == "core").median(),
    )
    table = (
        members.select("community")
        .unique()
        .join(counts, on="community", how="left")
        .join(coordinated, on="community", how="left")
        .join(tiering.structure, on="community", how="left")
        .join(evidence, on="community", how="left")
        .sort("community")
    )
    if table.is_empty():
        return table.with_columns(
            [
                pl.lit(None, COMMUNITY_SCHEMA[n]).alias(n)
                for n in ("p_inauthentic", "p_operation", "p_flag", "q_flag", "score")
            ],
            flagged=pl.lit(False),
            reason=pl.lit(""),
        )
    signs = table.select(INAUTHENTICITY).to_numpy().astype(np.float64)
    inauthentic = stats.partial_conjunction(signs, 2)
    structure = table["p_structure"].cast(pl.Float64).to_numpy()
    operation = stats.bonferroni_min(np.column_stack([structure, inauthentic]))
    coord = table["p_coordination"].cast(pl.Float64).fill_null(1.0).to_numpy()
    # Intersection–union: coordinated and an operation; coordination alone when the data
    # carries no operation signal at all.
    p_flag = np.where(np.isnan(operation), coord, np.maximum(coord, operation))
    q_flag = stats.benjamini_hochberg(p_flag)
    score = -np.log10(
        np.clip(stats.fisher(table.select(RANKED).to_numpy().astype(np.float64)), 1e-300, 1)
    )
    table = table.with_columns(
        p_inauthentic=pl.Series(inauthentic),
        p_operation=pl.Series(operation),
        p_flag=pl.Series(p_flag),
        q_flag=pl.Series(q_flag),
        flagged=pl.Series(q_flag <= params.alpha),
        score=pl.Series(np.nan_to_num(score, nan=0.0)),
    ).with_columns(pl.col("p_inauthentic", "p_operation", "score").fill_nan(None))
    table = table.join(_joined(table, tiering.pushes, params.alpha), on="community").with_columns(
        flagged=pl.col("flagged") | pl.col("joined").is_not_null()
    )
    reasons = [_reason(row, params.alpha) for row in table.iter_rows(named=True)]
    return table.with_columns(reason=pl.Series(reasons, dtype=pl.String)).drop("joined")


def _assemble(
    edges: pl.LazyFrame,
    members: pl.DataFrame,
    tiering: Tiering,
    decided: pl.DataFrame,
    retweets: pl.DataFrame,
    inputs: DetectInputs,
    params: DetectParams,
) -> Detection:
    """Rank and number the communities, group operations, and build the output frames."""
    ranked = (
        decided.sort(
            ["flagged", "score", "size", "community"], descending=[True, True, True, False]
        )
        .with_row_index("rank", offset=1)
        .with_columns(pl.col("rank").cast(pl.Int64))
    )
    renumber = ranked.select("community", community_id=pl.col("rank"))
    feeds = (
        tiering.feeds.join(
            renumber.rename({"community": "source", "community_id": "s"}), on="source"
        )
        .join(renumber.rename({"community": "target", "community_id": "t"}), on="target")
        .select("weight", "feeders", "size", "p_value", source="s", target="t")
        .sort("source", "target")
    )
    tiered = tiering.accounts.join(renumber, on="community").drop("community")
    # Communities that share a principal: the same push, so the same operation.
    principal = tiering.pushes.join(renumber, on="community").select("account", "community_id")
    shared = (
        principal.join(principal, on="account", suffix="_b")
        .filter(pl.col("community_id") != pl.col("community_id_b"))
        .select(source="community_id", target="community_id_b")
    )
    ops = operations(ranked["rank"], ranked["flagged"], feeds, shared, params.alpha)
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
        # Tiers belong to operations; the members of an unflagged community are only members,
        # and its principals and outside amplifiers are not listed.
        .filter(pl.col("c_flag") | pl.col("account_id").is_in(members["account"].implode()))
        .with_columns(
            tier=pl.when(pl.col("c_flag")).then(pl.col("tier")).otherwise(pl.lit("member")),
            flagged=pl.col("c_flag") & (pl.col("tier") != "principal"),
        )
        .select([pl.col(n).cast(t) for n, t in ACCOUNT_SCHEMA.items()])
        .sort("community_id", "tier", "account_id")
    )
    # The counts of what is listed: an unflagged community lists its members only.
    counts = accounts.group_by("community_id").agg(
        size=pl.len(),
        principals=(pl.col("tier") == "principal").sum(),
        core=(pl.col("tier") == "core").sum(),
        amplifiers=(pl.col("tier") == "amplifier").sum(),
    )
    communities = communities.update(counts, on="community_id")
    return Detection(
        edges=edges,
        accounts=accounts,
        communities=communities,
        feeds=feeds.select([pl.col(n).cast(t) for n, t in FEEDS_SCHEMA.items()]),
        principals=principal_amplification(accounts, inputs.posts, retweets),
    )


def principal_amplification(
    accounts: pl.DataFrame, posts: Posts, retweets: pl.DataFrame
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
        posts.lazy()
        .join(principals.lazy().select(account="account_id"), on="account")
        .filter(pl.col("original").is_null())
        .group_by(account_id="account")
        .agg(posts=pl.len())
        .collect()
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
