"""Tie tests on small worlds whose answer is known by hand, and on pure-chance worlds."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from chance import chance_world
from scipy import sparse

from tierscope.graphdb.detect import significance
from tierscope.graphdb.detect.analyze import analyze, shares
from tierscope.graphdb.detect.coordination import Shares, co_share


def pairs_of(rows: list[tuple[str, str, int]], window: int = 60, **kw: int) -> pl.DataFrame:
    """Test a shares table of (account, object, time) rows."""
    account = [r[0] for r in rows]
    found = Shares.from_ids(
        account, [r[1] for r in rows], [f"s{i}" for i in range(len(rows))], [r[2] for r in rows]
    )
    edges = co_share(found, window, 2, keep_pairs=False).edges
    return significance.test_edges(found, edges, window, 2, **kw).frame()


def pair(table: pl.DataFrame, a: str, b: str) -> dict[str, object]:
    (row,) = table.filter((pl.col("account_a") == a) & (pl.col("account_b") == b)).rows(named=True)
    return row


def poisson_tail_3(mean: float) -> float:
    return 1 - math.exp(-mean) * (1 + mean + mean**2 / 2)


def test_expected_meetings_under_the_time_shuffle() -> None:
    # Three posts, each shared by a, b, c, d at 0, 10, 100 and 1000 s: one pair of the six
    # falls within 60 s, so f = 1/6; a and b meet on all three.
    rows = [
        (acc, f"o{k}", 10_000 * k + t)
        for k in range(3)
        for acc, t in (("a", 0), ("b", 10), ("c", 100), ("d", 1000))
    ]
    row = pair(pairs_of(rows), "a", "b")
    assert row["weight"] == 3
    assert row["expected"] == pytest.approx(0.5)
    assert row["p_time"] == pytest.approx(poisson_tail_3(0.5))
    # Pairs that met fewer than twice are not tested in the time view.
    assert pair(pairs_of(rows), "a", "c")["p_time"] == 1.0


def test_expected_common_objects_under_the_configuration_model() -> None:
    # x and y share three posts nobody else shares; six others share two posts each, alone.
    # All in one week: M = 18 shares, s_x = 3 (each post has one other sharer), k_y = 3, so
    # lambda = 3 * 3 / 18 = 0.5.
    rows = [(acc, f"r{k}", 1000 * k + (5000 if acc == "y" else 0)) for k in range(3) for acc in
            ("x", "y")]  # fmt: skip
    rows += [(f"z{i}", f"q{i}-{j}", 100 * i + j) for i in range(6) for j in range(2)]
    row = pair(pairs_of(rows), "x", "y")
    assert row["weight"] == 0  # never within the window
    assert row["common"] == 3
    assert row["expected_common"] == pytest.approx(0.5)
    assert row["p_overlap"] == pytest.approx(poisson_tail_3(0.5))
    assert row["p_value"] == pytest.approx(2 * poisson_tail_3(0.5))


def test_viral_objects_beyond_the_budget_leave_the_overlap_view() -> None:
    viral = [(f"v{i}", "viral", 7 * i) for i in range(30)] + [
        (f"v{i}", f"own{i}", 50_000) for i in range(30)
    ]
    rows = viral + [(acc, f"r{k}", 1000 * k) for k in range(3) for acc in ("x", "y")]
    # 435 pairs of the viral post's sharers do not fit a budget of 100 pairs.
    row = pair(pairs_of(rows, pair_budget=100), "x", "y")
    assert row["common"] == 3
    table = pairs_of(rows, pair_budget=100)
    assert table.filter(pl.col("account_a").str.starts_with("v"))["common"].is_null().all()


@pytest.mark.parametrize("way", ["rows", "bitsets"])
def test_viral_meetings_are_the_same_in_slices_of_any_size(
    monkeypatch: pytest.MonkeyPatch, way: str
) -> None:
    # Two viral posts shared by 30 accounts within seconds: their expected meetings are summed
    # outside the budget's sparse product, slice by slice.
    rows = [(f"v{i}", f"viral{k}", 1000 * k + 3 * i) for k in range(2) for i in range(30)]
    if way == "rows":
        monkeypatch.setattr(significance, "BITSET_BUDGET", 0)
    whole = pairs_of(rows, pair_budget=100)
    monkeypatch.setattr(significance, "VIRAL_ENTRIES", 1)
    monkeypatch.setattr(significance, "VIRAL_BYTES", 1)
    sliced = pairs_of(rows, pair_budget=100)
    assert sliced["expected"].null_count() < sliced.height
    assert sliced.equals(whole)
    # The table is in account order (fuse relies on it).
    assert whole.equals(whole.sort("account_a", "account_b"))


@pytest.mark.parametrize("seed", range(4))
def test_viral_meetings_by_bitsets_are_the_rows_products(
    monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    """Bitsets with bit planes for n > 1 give what multiplying the sparse rows gives, for any
    number of objects (not only whole bytes) and in slices of any size."""
    rng = np.random.default_rng(seed)
    accounts, objects = 40, int(rng.integers(1, 30))
    cells = rng.random((accounts, objects)) < 0.3
    account, obj = np.nonzero(cells)
    viral = pl.DataFrame(
        {
            "account": account,
            "obj": obj * 7 + 3,  # object codes need not be 0..objects-1
            "n": rng.integers(1, 6 if seed % 2 else 2, account.size),
            "f": rng.random(objects)[obj],
        }
    )
    found = significance._Viral.of(viral, accounts)
    a, b = np.triu_indices(accounts, 1)
    n = np.zeros((accounts, objects))
    n[account, obj] = viral["n"].to_numpy()
    f = np.zeros(objects)
    f[obj] = viral["f"].to_numpy()
    truth = ((n[a] * n[b]) * f).sum(axis=1)
    monkeypatch.setattr(significance, "VIRAL_ENTRIES", 1 + seed * 50)
    monkeypatch.setattr(significance, "VIRAL_BYTES", 1 + seed * 50)
    assert found.by_rows(a, b) == pytest.approx(truth, rel=1e-12)
    assert found.by_bitsets(a, b) == pytest.approx(truth, rel=1e-12)


def test_each_view_has_its_own_family() -> None:
    assert significance.hypotheses(4) == 6
    # a, b, c, d share three posts: 6 pairs share an object, and 6 pairs of 4 accounts exist.
    rows = [
        (acc, f"o{k}", 10_000 * k + t)
        for k in range(3)
        for acc, t in (("a", 0), ("b", 10), ("c", 100), ("d", 1000))
    ]
    row = pair(pairs_of(rows), "a", "b")
    expected = 2 * min(row["p_time"] * 6, 1.0)
    assert row["q_value"] == pytest.approx(min(expected, 1.0))


@pytest.mark.parametrize("seed", range(5))
def test_chance_ties_are_rare(seed: int) -> None:
    """In a pure-chance world the tie p-values are conservative: few ties pass even a lax
    raw 1 % level, and none passes the FDR."""
    inputs = chance_world(seed)
    found = shares(inputs, "co-retweet")
    assert found is not None
    edges = co_share(found, 60, 2, keep_pairs=False).edges
    result = significance.test_edges(found, edges, 60, 2)
    pairs = significance.hypotheses(result.accounts)
    assert (result.table["p_value"] <= 0.01).sum() <= 0.01 * pairs
    assert (result.table["q_value"] <= 0.01).sum() == 0


def test_a_pure_chance_world_flags_nothing_in_99_of_100_draws() -> None:
    flagged = [analyze(chance_world(seed)).communities["flagged"].any() for seed in range(100)]
    assert sum(flagged) <= 1


def test_upper_keeps_the_entries_above_the_diagonal() -> None:
    square = sparse.csr_matrix(
        np.array([[5, 1, 0, 2], [1, 0, 3, 0], [0, 3, 7, 4], [2, 0, 4, 0]], dtype=np.float64)
    )
    upper = significance._upper(square)
    assert (upper != sparse.triu(square, k=1)).nnz == 0
    assert upper.nnz == 4 and upper.shape == square.shape
