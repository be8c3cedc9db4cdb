"""The test primitives against textbook values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tierscope.graphdb.detect import stats


def test_poisson_tail() -> None:
    # P(X >= 2) for mean 1: 1 - e^-1 (1 + 1)
    assert stats.poisson_sf(2, 1.0) == pytest.approx(1 - 2 / math.e)
    assert stats.poisson_sf(0, 3.0) == 1.0
    assert stats.poisson_sf(1, 0.0) == 0.0
    assert stats.poisson_sf([1, 3], [0.5, 0.5]).tolist() == pytest.approx(
        [1 - math.exp(-0.5), 1 - math.exp(-0.5) * (1 + 0.5 + 0.125)]
    )


def test_binomial_tail() -> None:
    # P(X >= 2) for n = 3, p = 1/2: 4/8
    assert stats.binom_sf(2, 3, 0.5) == pytest.approx(0.5)
    assert stats.binom_sf(0, 3, 0.5) == 1.0
    assert stats.binom_sf(4, 3, 0.5) == 0.0
    assert stats.binom_sf(1, 10, 0.0) == 0.0


def test_benjamini_hochberg_matches_the_step_up_rule() -> None:
    p = np.array([0.01, 0.04, 0.03, 0.005, 0.5])
    q = stats.benjamini_hochberg(p)
    # sorted: .005 .01 .03 .04 .5 -> .025 .025 .05 .05 .5
    assert q.tolist() == pytest.approx([0.025, 0.05, 0.05, 0.025, 0.5])
    # Untested hypotheses (p = 1) count in the family.
    assert stats.benjamini_hochberg(np.array([0.001]), hypotheses=100)[0] == pytest.approx(0.1)
    with pytest.raises(ValueError):
        stats.benjamini_hochberg(p, hypotheses=2)


def test_benjamini_hochberg_in_place_gives_the_same_q_values() -> None:
    p = np.random.default_rng(3).random(1_000) ** 3
    q = stats.benjamini_hochberg(p, hypotheses=5_000)
    again = p.copy()
    out = stats.benjamini_hochberg(again, hypotheses=5_000, overwrite=True)
    assert out is again and np.array_equal(out, q)
    # Not float64: a new array, the input untouched.
    p32 = p.astype(np.float32)
    assert stats.benjamini_hochberg(p32, overwrite=True) is not p32


def test_argsort_is_numpys_order_in_half_the_memory() -> None:
    values = np.random.default_rng(4).integers(0, 50, 10_000)
    order = stats.argsort(values, stable=True)
    assert order.dtype == np.int32
    assert np.array_equal(order, np.argsort(values, kind="stable"))
    assert np.array_equal(values[stats.argsort(values)], np.sort(values))


def test_bonferroni_min_ignores_missing_signals() -> None:
    p = np.array([[0.01, np.nan, 0.5], [np.nan, np.nan, np.nan], [0.2, 0.3, np.nan]])
    out = stats.bonferroni_min(p)
    assert out[0] == pytest.approx(0.02)
    assert math.isnan(out[1])
    assert out[2] == pytest.approx(0.4)


def test_partial_conjunction_needs_u_signals() -> None:
    p = np.array([[1e-9, 0.5, 0.9], [1e-9, 1e-4, np.nan], [1e-3, np.nan, np.nan]])
    out = stats.partial_conjunction(p, 2)
    # two of three present: (3 - 2 + 1) * second smallest
    assert out[0] == pytest.approx(1.0)
    assert out[1] == pytest.approx(1e-4)
    assert math.isnan(out[2])


def test_fisher_combination() -> None:
    # one p-value: Fisher's method returns it
    assert stats.fisher(np.array([[0.03]]))[0] == pytest.approx(0.03)
    combined = stats.fisher(np.array([[0.05, 0.05, np.nan]]))[0]
    statistic = -2 * 2 * math.log(0.05)
    # chi-square with 4 degrees of freedom: e^(-x/2) (1 + x/2)
    assert combined == pytest.approx(math.exp(-statistic / 2) * (1 + statistic / 2))


def test_p_values_are_uniform_or_conservative_under_the_null() -> None:
    """Binomial tails of null draws: P(p <= a) <= a for every level."""
    rng = np.random.default_rng(1)
    n = rng.integers(1, 60, 20_000)
    rate = rng.uniform(0.001, 0.3, 20_000)
    p = stats.binom_sf(rng.binomial(n, rate), n, rate)
    for level in (0.001, 0.01, 0.05, 0.2):
        assert (p <= level).mean() <= level * 1.1
