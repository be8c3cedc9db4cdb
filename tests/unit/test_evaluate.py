"""Evaluation metrics against planted truth, on cases small enough to compute by hand."""

from __future__ import annotations

import igraph
import numpy as np
import polars as pl
import pytest

from tierscope.graphdb.detect.evaluate import adjusted_rand_index, evaluate


def truth() -> pl.DataFrame:
    return pl.DataFrame(
        [
            ("p1", "principal", "op1"),
            ("c1", "core", "op1"),
            ("c2", "core", "op1"),
            ("a1", "amplifier", "op1"),
            ("a2", "amplifier", "op1"),
            ("a3", "amplifier", "op1"),
            ("c3", "core", "op2"),
            ("o1", "organic", ""),
            ("o2", "organic", ""),
            ("star", "celebrity", ""),
            ("f1", "fan", ""),
        ],
        schema=["userid", "role", "op"],
        orient="row",
    )


def detected() -> pl.DataFrame:
    rows = [
        # account, operation, community, tier, flagged
        ("p1", 1, 1, "principal", False),
        ("c1", 1, 1, "core", True),
        ("c2", 1, 1, "amplifier", True),  # wrong tier
        ("a1", 1, 1, "amplifier", True),
        ("a2", 1, 1, "amplifier", True),
        # a3 missed
        ("c3", 2, 2, "core", True),
        ("o1", 1, 1, "amplifier", True),  # false positive
        ("star", 3, 3, "principal", False),
        ("f1", 3, 3, "core", False),  # the fan community, not flagged
    ]
    frame = pl.DataFrame(
        rows,
        schema=["account_id", "operation_id", "community_id", "tier", "flagged"],
        orient="row",
    )
    return frame.with_columns(
        pl.lit(0.0).alias(name)
        for name in ("internal_share", "synchrony", "in_strength", "out_strength")
    )


def test_hand_computed_scores() -> None:
    result = evaluate(truth(), detected())
    # Flagged: c1 c2 a1 a2 c3 o1; members: c1 c2 c3 a1 a2 a3; five in common.
    assert result.precision == pytest.approx(5 / 6)
    assert result.recall == pytest.approx(5 / 6)
    assert result.f1 == pytest.approx(5 / 6)
    assert (result.flagged, result.members) == (6, 6)
    # Tiers over p1 c1 c2 c3 a1 a2 a3: right for p1 c1 c3 a1 a2.
    assert result.tier_accuracy == pytest.approx(5 / 7)
    principal_f1, core_f1, amplifier_f1 = 1.0, 0.8, 2 / 3
    assert result.tier_macro_f1 == pytest.approx((principal_f1 + core_f1 + amplifier_f1) / 3)
    assert result.principal_recall == 1.0
    # Found op1 accounts are all operation 1, c3 is operation 2: the same partition.
    assert result.ari == 1.0
    assert result.fan_rank is None and result.fan_below_ops is None


def test_principal_of_an_unflagged_community_is_not_found() -> None:
    frame = detected().with_columns(
        flagged=pl.when(pl.col("community_id") == 1).then(False).otherwise(pl.col("flagged"))
    )
    result = evaluate(truth(), frame)
    assert result.principal_recall == 0.0
    assert result.recall == pytest.approx(1 / 6)


def test_merged_operations_lower_the_ari() -> None:
    merged = detected().with_columns(operation_id=pl.lit(1))
    result = evaluate(truth(), merged)
    # p1 c1 c2 a1 a2 (op1) and c3 (op2) in one found operation.
    assert result.ari == 0.0


def test_ranks_with_the_communities_table() -> None:
    communities = pl.DataFrame(
        {"community_id": [1, 2, 3], "rank": [2, 1, 3], "flagged": [True, True, False]}
    )
    result = evaluate(truth(), detected(), communities)
    assert result.fan_rank == 3
    assert result.op_ranks == {"op1": 2, "op2": 1}
    assert result.fan_below_ops is True
    swapped = communities.with_columns(rank=pl.Series([2, 3, 1]))
    assert evaluate(truth(), detected(), swapped).fan_below_ops is False


def test_truth_read_as_text_with_empty_ops() -> None:
    text = truth().with_columns(pl.col("op").replace("", None))
    assert evaluate(text, detected()) == evaluate(truth(), detected())


def test_ari_by_hand() -> None:
    # Pairs together: a: {0,1}, {2,3}; b: {0,1}; both: {0,1}. Index 1, expected 2*1/6 = 1/3,
    # maximum (2+1)/2: ARI = (1 - 1/3) / (3/2 - 1/3) = 4/7.
    assert adjusted_rand_index(np.array([0, 0, 1, 1]), np.array([5, 5, 6, 7])) == pytest.approx(
        4 / 7
    )
    assert adjusted_rand_index(np.array([0, 0, 1, 1]), np.array(["x", "x", "y", "y"])) == 1.0
    assert adjusted_rand_index(np.array([1, 1, 1]), np.array([2, 2, 2])) == 1.0


def test_ari_matches_igraph() -> None:
    rng = np.random.default_rng(4)
    a, b = rng.integers(0, 4, 200), rng.integers(0, 5, 200)
    b[:120] = a[:120]
    expected = igraph.compare_communities(a.tolist(), b.tolist(), method="adjusted_rand")
    assert adjusted_rand_index(a, b) == pytest.approx(expected)
