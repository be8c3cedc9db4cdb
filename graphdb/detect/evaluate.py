"""Score a detection against planted truth (``truth.csv``: userid, role, op).

- ``precision`` and ``recall``: flagged accounts (core and amplifiers of flagged communities)
  against the truth's operation members (roles core and amplifier).
- ``tier_accuracy`` and ``tier_macro_f1``: over the truth's principals, core and amplifiers, the
  predicted tier against the true role; an account that is not flagged, or a principal whose
  community is not flagged, is predicted "none". The macro F1 averages the three roles' F1.
- ``principal_recall``: truth principals found as principals of a flagged community.
- ``ari``: adjusted Rand index (Hubert & Arabie 1985) between the operation found and the
  operation planted, over the truth's operation accounts (principals included) that the
  detection placed in a flagged community. Missed accounts are left out rather than made a class
  of their own, so the index measures how well the operations are kept apart and recall
  measures how much of them is found. It is 0 when fewer than two such accounts are found.
- ``decoys_flagged``: the share of the truth's fans and news-relay bots (roles ``fan`` and
  ``relay``) that are flagged; None when the truth has none.
- ``ordinary_tiered``: the share of the truth's ordinary accounts (role ``organic``) given any
  tier (principal, core or amplifier), flagged or not; None when the truth has none.
- With the communities table: ``fan_rank``, the rank of the community holding most of the
  truth's fans and celebrity (None when none is found), ``op_ranks``, the best rank of a
  community holding members of each planted operation, and ``fan_below_ops``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import polars as pl

ROLES = ("principal", "core", "amplifier")
MEMBER_ROLES = ("core", "amplifier")
GENUINE_CROWD = ("fan", "celebrity")
DECOY_ROLES = ("fan", "relay")
ORDINARY_ROLE = "organic"


@dataclass(frozen=True)
class Evaluation:
    precision: float
    recall: float
    f1: float
    tier_accuracy: float
    tier_macro_f1: float
    principal_recall: float
    ari: float
    flagged: int
    members: int
    decoys_flagged: float | None = None
    ordinary_tiered: float | None = None
    fan_rank: int | None = None
    op_ranks: dict[str, int] = field(default_factory=dict)
    fan_below_ops: bool | None = None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _ratio(num: float, den: float) -> float:
    return num / den if den else 0.0


def adjusted_rand_index(labels_a: np.ndarray, labels_b: np.ndarray) -> float:
    """ARI of two labelings of the same items; 1.0 for identical partitions, ~0 for chance."""
    n = len(labels_a)
    if n != len(labels_b):
        raise ValueError("labelings differ in length")
    if n < 2:
        return 1.0
    _, a = np.unique(labels_a, return_inverse=True)
    _, b = np.unique(labels_b, return_inverse=True)
    _, cells = np.unique(a * (b.max() + 1) + b, return_counts=True)

    def pairs(counts: np.ndarray) -> float:
        return float((counts * (counts - 1) // 2).sum())

    index = pairs(cells)
    rows, cols = pairs(np.bincount(a)), pairs(np.bincount(b))
    expected = rows * cols / (n * (n - 1) / 2)
    most = (rows + cols) / 2
    if most == expected:  # both partitions trivial (one class, or all singletons)
        return 1.0
    return (index - expected) / (most - expected)


def _predicted(truth: pl.DataFrame, accounts: pl.DataFrame) -> pl.DataFrame:
    """Truth rows with the tier and operation the detection gives them ("none" when it misses)."""
    communities = accounts.group_by("community_id").agg(c_flagged=pl.col("flagged").any())
    found = accounts.join(communities, on="community_id").select(
        userid="account_id",
        found_tier=pl.when(
            pl.col("flagged") | ((pl.col("tier") == "principal") & pl.col("c_flagged"))
        )
        .then(pl.col("tier"))
        .otherwise(pl.lit("none")),
        operation="operation_id",
    )
    return truth.join(found, on="userid", how="left").with_columns(
        pl.col("found_tier").fill_null("none")
    )


def _ranks(
    truth: pl.DataFrame, accounts: pl.DataFrame, communities: pl.DataFrame
) -> tuple[int | None, dict[str, int], bool | None]:
    placed = (
        accounts.select(userid="account_id", community_id="community_id")
        .join(truth, on="userid")
        .join(communities.select("community_id", "rank"), on="community_id")
    )
    crowd = (
        placed.filter(pl.col("role").is_in(GENUINE_CROWD))
        .group_by("community_id", "rank")
        .agg(n=pl.len())
        .sort(["n", "rank"], descending=[True, False])
    )
    fan_rank = int(crowd["rank"][0]) if crowd.height else None
    ops = (
        placed.filter(pl.col("op").is_not_null() & (pl.col("op") != ""))
        .group_by("op")
        .agg(best=pl.col("rank").min())
        .sort("op")
    )
    op_ranks = {str(op): int(rank) for op, rank in ops.iter_rows()}
    planted = truth.filter(pl.col("op").is_not_null() & (pl.col("op") != ""))["op"].n_unique()
    if len(op_ranks) < planted:
        return fan_rank, op_ranks, None
    below = fan_rank is None or fan_rank > max(op_ranks.values(), default=0)
    return fan_rank, op_ranks, below


def evaluate(
    truth: pl.DataFrame, accounts: pl.DataFrame, communities: pl.DataFrame | None = None
) -> Evaluation:
    """Compare ``accounts`` (the ``Detection.accounts`` shape) with ``truth``."""
    truth = truth.select(
        pl.col("userid").cast(pl.String), pl.col("role").cast(pl.String), pl.col("op")
    ).with_columns(pl.col("op").cast(pl.String).fill_null(""))
    members = set(truth.filter(pl.col("role").is_in(MEMBER_ROLES))["userid"].to_list())
    flagged = set(accounts.filter("flagged")["account_id"].to_list())
    hits = len(flagged & members)
    precision, recall = _ratio(hits, len(flagged)), _ratio(hits, len(members))

    scored = _predicted(truth.filter(pl.col("role").is_in(ROLES)), accounts)
    true, found = scored["role"].to_numpy(), scored["found_tier"].to_numpy()
    f1s = []
    for role in ROLES:
        tp = float(np.sum((true == role) & (found == role)))
        p = _ratio(tp, float(np.sum(found == role)))
        r = _ratio(tp, float(np.sum(true == role)))
        f1s.append(_ratio(2 * p * r, p + r))
    principals = true == "principal"

    placed = scored.filter((pl.col("found_tier") != "none") & (pl.col("op") != ""))
    ari = (
        adjusted_rand_index(placed["operation"].to_numpy(), placed["op"].to_numpy())
        if placed.height >= 2
        else 0.0
    )
    decoys = set(truth.filter(pl.col("role").is_in(DECOY_ROLES))["userid"].to_list())
    ordinary = set(truth.filter(pl.col("role") == ORDINARY_ROLE)["userid"].to_list())
    tiered = set(accounts.filter(pl.col("tier").is_in(ROLES))["account_id"].to_list())
    fan_rank, op_ranks, below = (
        _ranks(truth, accounts, communities) if communities is not None else (None, {}, None)
    )
    return Evaluation(
        precision=precision,
        recall=recall,
        f1=_ratio(2 * precision * recall, precision + recall),
        tier_accuracy=_ratio(float(np.sum(true == found)), len(true)),
        tier_macro_f1=float(np.mean(f1s)),
        principal_recall=_ratio(
            float(np.sum(found[principals] == "principal")), float(principals.sum())
        ),
        ari=ari,
        flagged=len(flagged),
        members=len(members),
        decoys_flagged=_ratio(len(flagged & decoys), len(decoys)) if decoys else None,
        ordinary_tiered=_ratio(len(tiered & ordinary), len(ordinary)) if ordinary else None,
        fan_rank=fan_rank,
        op_ranks=op_ranks,
        fan_below_ops=below,
    )
