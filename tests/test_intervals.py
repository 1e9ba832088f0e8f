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


# -- paired difference (Newcombe 1998, method 10) --------------------------------------------
# Newcombe (1998), "Improved confidence intervals for the difference between binomial proportions
# based on paired data", Statistics in Medicine 17:2635-2650, Table II, method 10, examples (a)-(d)
# as (a, b, c, d, low, high) with theta = (b - c) / n. The paper's text is not reachable from here:
# the figures are those its Table II gives as quoted by the propint R package's tests
# (m-Py/propint, tests/testthat/test_Two_Dependent_Props_CI.R); `test_paired_difference_by_hand`
# re-derives (b) step by step. Example (c) is all concordant, (d) all discordant.
NEWCOMBE_PAIRED = [(36, 12, 2, 0, 0.0569, 0.3404), (18, 12, 2, 18, 0.0562, 0.3290),
                   (53, 0, 0, 1, -0.0729, 0.0729), (0, 30, 0, 0, 0.8395, 1.0)]


def wilson_by_hand(successes: int, n: int) -> tuple[float, float]:
    """The Wilson formula written out again (not through the module), z = 1.959964."""
    z2, p = intervals.Z95 ** 2, successes / n
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = intervals.Z95 / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return centre - half, centre + half


@pytest.mark.parametrize("a, b, c, d, low, high", NEWCOMBE_PAIRED)
def test_paired_difference_matches_newcombe_table(a, b, c, d, low, high):
    assert intervals.paired_difference_interval(a, b, c, d) == pytest.approx((low, high), abs=5e-5)


def test_paired_difference_by_hand():
    # Newcombe's example (b): a, b, c, d = 18, 12, 2, 18; n = 50, p1 = 30/50 = 0.6, p2 = 20/50 = 0.4,
    # theta = 0.2. Wilson 30/50: z^2/n = 0.076829, centre = (0.6 + 0.038415) / 1.076829 = 0.592865,
    # half = 1.959964 / 1.076829 x sqrt(0.0048 + 0.000384) = 1.820142 x 0.072001 = 0.131052
    # -> (0.461813, 0.723917); 20/50 is its mirror image (0.276083, 0.538187).
    # phi: ad - bc = 324 - 24 = 300 > n/2, so (300 - 25) / sqrt(30 x 20 x 20 x 30) = 275 / 600 = 0.458333.
    # low  = 0.2 - sqrt(x^2 - 2 phi x x + x^2) with x = 0.6 - 0.461813 = 0.138187 (= 0.538187 - 0.4):
    #      = 0.2 - 0.138187 x sqrt(2 - 2 phi) = 0.2 - 0.138187 x 1.040833 = 0.056171;
    # high = 0.2 + 0.123917 x 1.040833 = 0.328977
    l1, u1 = wilson_by_hand(30, 50)
    l2, u2 = wilson_by_hand(20, 50)
    assert (l1, u1, l2, u2) == pytest.approx((0.461813, 0.723917, 0.276083, 0.538187), abs=2e-6)
    phi = 275 / 600
    low = 0.2 - math.sqrt((0.6 - l1) ** 2 - 2 * phi * (0.6 - l1) * (u2 - 0.4) + (u2 - 0.4) ** 2)
    high = 0.2 + math.sqrt((u1 - 0.6) ** 2 - 2 * phi * (u1 - 0.6) * (0.4 - l2) + (0.4 - l2) ** 2)
    assert (low, high) == pytest.approx((0.056171, 0.328977), abs=2e-6)
    assert (low, high) == pytest.approx((0.0562, 0.3290), abs=5e-5)   # the paper's figures
    assert intervals.paired_difference_interval(18, 12, 2, 18) == pytest.approx((low, high), abs=1e-12)


def test_paired_difference_of_a_mid_sized_table_by_hand():
    # a, b, c, d = 8, 5, 4, 9; n = 26, p1 = 13/26 = 0.5, p2 = 12/26 = 0.461538, theta = 1/26 = 0.038462.
    # Wilson 13/26 = (0.320605, 0.679395), 12/26 = (0.287558, 0.645420);
    # phi = (72 - 20 - 13) / sqrt(13 x 13 x 12 x 14) = 39 / 168.499 = 0.231455;
    # low  = 0.038462 - sqrt(0.179395^2 - 2 phi 0.179395 x 0.183882 + 0.183882^2) = 0.038462 - 0.225224
    # high = 0.038462 + sqrt(0.179395^2 - 2 phi 0.179395 x 0.173980 + 0.173980^2) = 0.038462 + 0.219098
    # (A brief for this work quoted (-0.2079, 0.2745) for this table; neither phi with nor without the
    # n/2 term gives that, and the n/2 form is the one that reproduces the paper's Table II above.)
    assert wilson_by_hand(13, 26) == pytest.approx((0.320605, 0.679395), abs=1e-6)
    assert wilson_by_hand(12, 26) == pytest.approx((0.287558, 0.645420), abs=1e-6)
    assert intervals.paired_difference_interval(8, 5, 4, 9) == pytest.approx((-0.186762, 0.257560), abs=5e-6)


def test_paired_difference_edges():
    z2 = intervals.Z95 ** 2
    # n = 0: no interval
    assert all(math.isnan(v) for v in intervals.paired_difference_interval(0, 0, 0, 0))
    # n = 1, the unit positive under both: p1 = p2 = 1, Wilson 1/1 = (1 / (1 + z^2), 1), phi = 0
    # (margins of 0) -> theta -/+ (1 - 1 / (1 + z^2)) = -/+ z^2 / (1 + z^2) = -/+ 0.793451
    assert intervals.paired_difference_interval(1, 0, 0, 0) == pytest.approx((-z2 / (1 + z2), z2 / (1 + z2)))
    assert z2 / (1 + z2) == pytest.approx(0.793451, abs=1e-6)
    # n = 1, positive under the first only: p1 = 1, p2 = 0; low = 1 - sqrt(2) x 0.793451 = -0.122109, high = 1
    assert intervals.paired_difference_interval(0, 1, 0, 0) == pytest.approx((1 - math.sqrt(2) * z2 / (1 + z2), 1.0))
    # all concordant, all positive: 10 of 10 under both; Wilson 10/10 = (10 / (10 + z^2), 1), phi = 0
    # -> -/+ z^2 / (10 + z^2) = -/+ 0.277533: the judges never disagree, yet the interval is not [0, 0]
    assert intervals.paired_difference_interval(10, 0, 0, 0) == pytest.approx((-z2 / (10 + z2), z2 / (10 + z2)))
    # all concordant in both cells, 5 + 5: phi = (25 - 5) / sqrt(5^4) = 0.8, Wilson 5/10 half-width h:
    # -/+ h sqrt(2 - 1.6)
    h = wilson_by_hand(5, 10)[1] - 0.5
    assert intervals.paired_difference_interval(5, 0, 0, 5) == pytest.approx((-h * math.sqrt(0.4), h * math.sqrt(0.4)))


def test_paired_difference_turns_with_the_table():
    # swapping the two measurements (b <-> c) negates the difference and mirrors the interval
    for a, b, c, d, _, _ in NEWCOMBE_PAIRED:
        low, high = intervals.paired_difference_interval(a, b, c, d)
        assert intervals.paired_difference_interval(a, c, b, d) == pytest.approx((-high, -low))


def test_paired_difference_bounds_is_element_wise():
    table = np.array([row[:4] for row in NEWCOMBE_PAIRED] + [(0, 0, 0, 0)])
    lows, highs = intervals.paired_difference_bounds(*table.T)
    assert lows[:4] == pytest.approx([row[4] for row in NEWCOMBE_PAIRED], abs=5e-5)
    assert highs[:4] == pytest.approx([row[5] for row in NEWCOMBE_PAIRED], abs=5e-5)
    assert math.isnan(lows[4]) and math.isnan(highs[4])


def test_excludes():
    assert intervals.excludes([0.1, -0.3, -0.2, np.nan, 0.0], [0.4, -0.1, 0.2, 0.1, 0.3]).tolist() == \
        [True, True, False, False, False]


def test_paired_difference_covers_the_truth_about_95_percent_of_the_time():
    # 4,000 paired samples of n = 60 with cell probabilities (both, first only, second only, neither)
    # = (0.45, 0.12, 0.05, 0.38): the truth is p1 - p2 = 0.12 - 0.05 = 0.07.
    counts = np.random.default_rng(7).multinomial(60, [0.45, 0.12, 0.05, 0.38], size=4000)
    low, high = intervals.paired_difference_bounds(*counts.T)
    coverage = float(np.mean((low <= 0.07) & (0.07 <= high)))
    assert 0.93 <= coverage <= 0.98, coverage
