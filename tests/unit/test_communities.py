"""Communities of the coordination network: clustering, determinism, thresholds, synchrony."""

from __future__ import annotations

import itertools
import random

import numpy as np
import polars as pl
import pytest

from tierscope.graphdb.detect.communities import (
    ALGORITHMS,
    OUTSIDE,
    Network,
    cluster,
    find_communities,
    synchrony,
    synchrony_frame,
    threshold_edges,
)
from tierscope.graphdb.detect.coordination import EDGE_SCHEMA


def edge_table(rows: list[tuple[str, str, int]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "account_a": [min(a, b) for a, b, _ in rows],
            "account_b": [max(a, b) for a, b, _ in rows],
            "weight": [w for _, _, w in rows],
            "mean_delta": [10.0] * len(rows),
        },
        schema=EDGE_SCHEMA,
    )


def cliques() -> pl.DataFrame:
    """Two heavy cliques (6 and 4 accounts) joined by one light edge."""
    big = [f"a{i}" for i in range(6)]
    small = [f"b{i}" for i in range(4)]
    rows = [(x, y, 5) for x, y in itertools.combinations(big, 2)]
    rows += [(x, y, 4) for x, y in itertools.combinations(small, 2)]
    return edge_table([*rows, ("a0", "b0", 1)])


def noisy(seed: int) -> pl.DataFrame:
    """A random sparse network where the partition depends on the random draws."""
    rng = np.random.default_rng(seed)
    a, b = rng.integers(0, 300, (2, 1500))
    keep = a != b
    frame = pl.DataFrame(
        {
            "x": [f"u{i:03d}" for i in a[keep]],
            "y": [f"u{i:03d}" for i in b[keep]],
        }
    )
    return (
        frame.select(account_a=pl.min_horizontal("x", "y"), account_b=pl.max_horizontal("x", "y"))
        .unique()
        .with_columns(weight=pl.lit(1, pl.Int64), mean_delta=pl.lit(0.0))
        .sort("account_a", "account_b")
    )


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_two_cliques_are_two_communities(algorithm: str) -> None:
    membership = find_communities(cliques(), algorithm=algorithm)
    groups = membership.group_by("community").agg(pl.col("account").sort()).sort("community")
    # Community 0 is the largest.
    assert groups["account"].to_list() == [
        [f"a{i}" for i in range(6)],
        [f"b{i}" for i in range(4)],
    ]


def test_leiden_is_deterministic_for_a_seed() -> None:
    edges = noisy(3)
    first = find_communities(edges, seed=42)
    again = find_communities(edges, seed=42)
    assert first.equals(again)
    others = [find_communities(edges, seed=s) for s in range(1, 6)]
    assert any(not first.equals(other) for other in others)


def test_seeding_leaves_the_global_generator_alone() -> None:
    random.seed(5)
    expected = random.random()
    random.seed(5)
    find_communities(noisy(1), seed=42)
    assert random.random() == expected


def test_resolution_splits_communities() -> None:
    edges = noisy(7)
    coarse = find_communities(edges, resolution=0.2)["community"].n_unique()
    fine = find_communities(edges, resolution=3.0)["community"].n_unique()
    assert fine > coarse


def test_unknown_algorithm() -> None:
    with pytest.raises(ValueError, match="unknown algorithm"):
        find_communities(cliques(), algorithm="spectral")


def test_no_edges_no_communities() -> None:
    empty = pl.DataFrame(schema=EDGE_SCHEMA)
    assert find_communities(empty).is_empty()
    network = Network.from_edges(empty)
    assert synchrony_frame(network, cluster(network)).is_empty()


def test_network_is_coded_against_the_accounts() -> None:
    edges = edge_table([("x", "y", 3), ("y", "z", 1)])
    network = Network.from_edges(edges, accounts=pl.Series(["w", "x", "y", "z"]))
    assert network.a.tolist() == [1, 2] and network.b.tolist() == [2, 3]
    assert network.weight.tolist() == [3.0, 1.0]
    assert sorted(network.graph().get_edgelist()) == [(1, 2), (2, 3)]
    # An account without edges is in no community.
    assert cluster(network)[0] == OUTSIDE


def test_absolute_threshold() -> None:
    edges = edge_table([("a", "b", 1), ("b", "c", 2), ("c", "d", 3), ("d", "e", 4)])
    kept = threshold_edges(edges, weight=3)
    assert kept["weight"].to_list() == [3, 4]


def test_quantile_threshold_is_coortweets() -> None:
    edges = edge_table([("a", "b", 1), ("b", "c", 2), ("c", "d", 3), ("d", "e", 4)])
    # The median is 2.5: strictly above it.
    assert threshold_edges(edges, quantile=0.5)["weight"].to_list() == [3, 4]
    # The 0.75 quantile is 3.25.
    assert threshold_edges(edges, quantile=0.75)["weight"].to_list() == [4]


def test_no_threshold_keeps_everything() -> None:
    edges = cliques()
    assert threshold_edges(edges).equals(edges)
    with pytest.raises(ValueError, match="exactly one"):
        threshold_edges(edges, weight=2, quantile=0.5)


def test_synchrony_is_the_mean_weight_inside_the_community() -> None:
    edges = edge_table([("a", "b", 6), ("a", "c", 2), ("b", "c", 4), ("c", "x", 1)])
    network = Network.from_edges(edges)
    community = np.array([0, 0, 0, 1])  # a b c | x
    mean, partners = synchrony(network, community)
    assert mean.tolist() == [4.0, 5.0, 3.0, 0.0]
    assert partners.tolist() == [2, 2, 2, 0]
    frame = synchrony_frame(network, np.array([0, 0, OUTSIDE, 1]))
    assert frame.rows() == [("a", 0, 6.0, 1), ("b", 0, 6.0, 1), ("x", 1, 0.0, 0)]
