"""The interval formulas of toolkit.stats.intervals against published values, hand arithmetic and a
simulation whose truth is known."""
from __future__ import annotations

import math

import numpy as np
import pytest

from toolkit.stats import intervals


# -- Wilson ----------------------------------------------------------------------------------
# Newcombe (1998), "Two-sided confidence intervals for the single proportion", Statistics in
# Medicine 17:857-872, Table I, method 3 (score interval without continuity correction).
NEWCOMBE = [(81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611), (1, 29, 0.0061, 0.1718)]


@pytest.mark.parametrize("successes, n, low, high", NEWCOMBE)
def test_wilson_matches_newcombe_table(successes, n, low, high):
    assert intervals.wilson_interval(successes, n) == pytest.approx((low, high), abs=5e-5)


def test_wilson_by_hand():
    # 3 of 10, z = 2 (round numbers): p = 0.3, z^2/n = 0.4, denominator 1.4;
    # centre = (0.3 + 0.2) / 1.4 = 0.3571429; half = 2 / 1.4 x sqrt(0.021 + 0.01) = 1.4285714 x 0.1760682 = 0.2515260
    centre, half = 0.5 / 1.4, 2 / 1.4 * math.sqrt(0.031)
    assert intervals.wilson_interval(3, 10, z=2.0) == pytest.approx((centre - half, centre + half))
    assert (centre - half, centre + half) == pytest.approx((0.1056169, 0.6086689), abs=1e-7)


def test_wilson_agrees_with_scipy():
    scipy_stats = pytest.importorskip("scipy.stats")
    for successes, n in [(0, 1), (1, 1), (7, 9), (500, 2000), (1999, 2000)]:
        reference = scipy_stats.binomtest(successes, n).proportion_ci(method="wilson")
        assert intervals.wilson_interval(successes, n) == pytest.approx((reference.low, reference.high), abs=1e-12)


def test_wilson_edges():
    # 0 / n: low is exactly 0, high = z^2/n / (1 + z^2/n) (centre + half with p = 0)
    z2 = intervals.Z95 ** 2
    assert intervals.wilson_interval(0, 5) == (0.0, pytest.approx((z2 / 5) / (1 + z2 / 5)))
    low, high = intervals.wilson_interval(5, 5)
    assert (low, high) == (pytest.approx(1 - (z2 / 5) / (1 + z2 / 5)), 1.0)
    assert all(math.isnan(v) for v in intervals.wilson_interval(0, 0))


def test_wilson_bounds_is_element_wise():
    lows, highs = intervals.wilson_bounds([81, 0, 0], [263, 20, 0])
    assert lows[:2] == pytest.approx([0.2553, 0.0], abs=5e-5)
    assert highs[:2] == pytest.approx([0.3662, 0.1611], abs=5e-5)
    assert math.isnan(lows[2]) and math.isnan(highs[2])


# -- bootstrap over clusters -----------------------------------------------------------------
def test_weights_draw_every_cluster_count_with_replacement():
    weights = intervals.bootstrap_weights(7, replicates=50, seed=1)
    assert weights.shape == (50, 7)
    assert (weights.sum(axis=1) == 7).all() and (weights >= 0).all()
    assert (weights == 0).any()  # with replacement: some clusters are left out of some replicates


def test_ratios_by_hand():
    # replicate draws cluster 0 twice and cluster 2 once: (2 x 1 + 1) / (2 x 2 + 1) = 3/5;
    # second column: (2 x 0 + 0) / (2 x 0 + 0): no draw with a total -> NaN
    successes = np.array([[1, 0], [0, 1], [1, 0]])
    totals = np.array([[2, 0], [1, 1], [1, 0]])
    ratios = intervals.bootstrap_ratios(successes, totals, np.array([[2, 0, 1]]))
    assert ratios[0, 0] == pytest.approx(0.6)
    assert math.isnan(ratios[0, 1])


def test_percentile_interval_by_hand():
    samples = np.arange(101, dtype=float)  # quantiles by linear interpolation: 2.5% -> 2.5, 97.5% -> 97.5
    low, high = intervals.percentile_interval(samples)
    assert (float(low), float(high)) == pytest.approx((2.5, 97.5))
    with_nan = np.column_stack([samples, np.full(101, np.nan)])
    low, high = intervals.percentile_interval(with_nan)
    assert low[0] == pytest.approx(2.5) and math.isnan(low[1]) and math.isnan(high[1])


def test_bootstrap_is_reproducible_with_a_seed():
    rng = np.random.default_rng(5)
    totals = rng.integers(1, 4, size=(60, 3))
    successes = rng.binomial(totals, 0.4)
    first = intervals.cluster_bootstrap_ratio(successes, totals, replicates=100, seed=11)
    again = intervals.cluster_bootstrap_ratio(successes, totals, replicates=100, seed=11)
    other = intervals.cluster_bootstrap_ratio(successes, totals, replicates=100, seed=12)
    assert np.array_equal(first[0], again[0]) and np.array_equal(first[1], again[1])
    assert not np.array_equal(first[0], other[0])


def test_bootstrap_of_identical_clusters_has_zero_width():
    totals = np.full((30, 2), 4)
    successes = np.column_stack([np.full(30, 4), np.full(30, 1)])  # 100% and 25% in every cluster
    low, high = intervals.cluster_bootstrap_ratio(successes, totals)
    assert low.tolist() == [1.0, 0.25] and high.tolist() == [1.0, 0.25]


def test_bootstrap_covers_the_truth_about_95_percent_of_the_time():
    # 400 independent data sets (columns) of 200 clusters (questions) x 4 answers; each cluster has
    # its own rate p_q ~ Beta(3, 7) (mean 0.3), so answers within a cluster are correlated and a
    # bootstrap over answers would be too narrow. The truth, the expected ratio, is 0.3.
    rng = np.random.default_rng(2024)
    rates = rng.beta(3, 7, size=(200, 400))
    successes = rng.binomial(4, rates)
    totals = np.full_like(successes, 4)
    low, high = intervals.cluster_bootstrap_ratio(successes, totals, replicates=500, seed=3)
    coverage = float(np.mean((low <= 0.3) & (0.3 <= high)))
    assert 0.90 <= coverage <= 0.98, coverage
