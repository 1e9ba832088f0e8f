"""95% intervals: Wilson's score interval for a proportion, and a bootstrap over clusters (questions).

Proportions here are fractions in [0, 1]; the query layer turns them into percentages.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

Z95 = 1.959963984540054   # the standard normal's 97.5% quantile: a two-sided 95% interval
LEVEL = 0.95
REPLICATES = 200          # bootstrap replicates: the percentile ends move by < 1 point past ~200 here
SEED = 0                  # fixed: the same data gives the same interval on every page load


def wilson_interval(successes: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Wilson's score interval for the proportion successes / n, as fractions (low, high).

    With p = s / n: centre = (p + z^2 / 2n) / (1 + z^2 / n),
    half-width = z / (1 + z^2 / n) x sqrt(p (1 - p) / n + z^2 / 4n^2).
    0 / n gives low = 0, n / n gives high = 1; n = 0 gives (nan, nan).
    """
    low, high = wilson_bounds(np.array([successes], float), np.array([n], float), z)
    return float(low[0]), float(high[0])


def wilson_bounds(successes, n, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """`wilson_interval` element-wise over arrays of counts: (lows, highs) as fractions, NaN where n = 0."""
    s = np.asarray(successes, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = s / n
        denominator = 1.0 + z * z / n
        centre = (p + z * z / (2.0 * n)) / denominator
        half = z / denominator * np.sqrt(p * (1.0 - p) / n + z * z / (4.0 * n * n))
    # exact ends at 0 / n and n / n, where floating noise would give 1e-17 or 0.99999...
    low = np.where(s == 0, 0.0, np.clip(centre - half, 0.0, 1.0))
    high = np.where(s == n, 1.0, np.clip(centre + half, 0.0, 1.0))
    return np.where(n > 0, low, np.nan), np.where(n > 0, high, np.nan)


def bootstrap_weights(clusters: int, replicates: int = REPLICATES, seed: int = SEED) -> np.ndarray:
    """How often each cluster is drawn in each replicate: a (replicates, clusters) integer matrix
    whose row b counts `clusters` draws with replacement (uniform), i.e. is Multinomial(clusters,
    1 / clusters each). A statistic that is a sum over clusters is then `weights @ per-cluster values`."""
    draws = np.random.default_rng(seed).integers(0, clusters, size=(replicates, clusters)) if clusters else None
    if draws is None:
        return np.zeros((replicates, 0), dtype=np.int64)
    # one bincount for all rows: row b's draws are offset by b x clusters
    offsets = np.arange(replicates)[:, None] * clusters
    return np.bincount((draws + offsets).ravel(), minlength=replicates * clusters).reshape(replicates, clusters)


def bootstrap_ratios(successes, totals, weights: np.ndarray) -> np.ndarray:
    """Each replicate's ratio of sums per column: R[b, m] = sum_q W[b, q] S[q, m] / sum_q W[b, q] T[q, m],
    from per-cluster counts S and T (clusters x columns) and `bootstrap_weights` W; NaN where the
    replicate drew none of a column's clusters with T > 0."""
    # float32 products: exact for counts below 2^24, and 4x faster than float64 at 200 x 2,000 x 300
    weights = np.asarray(weights, dtype=np.float32)
    drawn_successes = (weights @ np.asarray(successes, dtype=np.float32)).astype(float)
    drawn_totals = (weights @ np.asarray(totals, dtype=np.float32)).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(drawn_totals > 0, drawn_successes / drawn_totals, np.nan)


def percentile_interval(samples, level: float = LEVEL, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The percentile interval of bootstrap samples along `axis`: the (1 - level) / 2 and
    (1 + level) / 2 quantiles (2.5% and 97.5% for 95%), NaN samples ignored (all NaN -> NaN)."""
    samples = np.asarray(samples, dtype=float)
    tail = (1.0 - level) / 2.0 * 100.0
    if samples.size == 0 or np.isnan(samples).all(axis=axis).all():
        shape = np.delete(np.array(samples.shape), axis)
        return np.full(shape, math.nan), np.full(shape, math.nan)
    with warnings.catch_warnings():  # a column without draws is NaN on purpose ("All-NaN slice")
        warnings.simplefilter("ignore", RuntimeWarning)
        low, high = np.nanpercentile(samples, [tail, 100.0 - tail], axis=axis)
    return low, high


def cluster_bootstrap_ratio(successes, totals, replicates: int = REPLICATES, seed: int = SEED,
                            level: float = LEVEL) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval of each column's ratio sum(S) / sum(T) under a bootstrap over clusters
    (rows): `bootstrap_weights`, `bootstrap_ratios`, `percentile_interval`, as fractions."""
    weights = bootstrap_weights(np.shape(successes)[0], replicates, seed)
    return percentile_interval(bootstrap_ratios(successes, totals, weights), level)


def paired_difference_bounds(both, first_only, second_only, neither,
                             z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """95% interval of p1 - p2, two proportions measured on the same n units (a paired 2x2 table),
    element-wise over arrays of counts: (lows, highs) as fractions, NaN where n = 0.

    Newcombe (1998), "Improved confidence intervals for the difference between binomial proportions
    based on paired data", Stat Med 17:2635-2650, method 10 (hybrid score, no continuity correction).
    With a = both, b = first_only, c = second_only, d = neither, n = a + b + c + d:
    p1 = (a + b) / n, p2 = (a + c) / n, theta = p1 - p2 = (b - c) / n;
    (l1, u1), (l2, u2) = Wilson intervals of p1 and p2 (`wilson_bounds`);
    phi = A / sqrt((a + b)(c + d)(a + c)(b + d)) with A = ad - bc, except that A = max(ad - bc - n/2, 0)
    when ad > bc, and phi = 0 when a margin is 0;
    low  = theta - sqrt((p1 - l1)^2 - 2 phi (p1 - l1)(u2 - p2) + (u2 - p2)^2),
    high = theta + sqrt((u1 - p1)^2 - 2 phi (u1 - p1)(p2 - l2) + (p2 - l2)^2).
    The n/2 in phi is the paper's own (its Table II figures, e.g. a, b, c, d = 18, 12, 2, 18 ->
    0.0562 to 0.3290, need it); it keeps an all-concordant table (b = c = 0) from a zero-width interval.
    Chosen over a bootstrap over questions for one model's change between two judges: each question
    holds one answer of the model, so that bootstrap resamples answers, and it collapses to [0, 0]
    when the judges never disagree on the model and is erratic with few disagreements; this closed
    form keeps near-95% coverage in the paper's simulations, down to small n, from the four counts.
    """
    a, b, c, d = (np.asarray(x, dtype=float) for x in (both, first_only, second_only, neither))
    n = a + b + c + d
    first_low, first_high = wilson_bounds(a + b, n, z)
    second_low, second_high = wilson_bounds(a + c, n, z)
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p2 = (a + b) / n, (a + c) / n
        phi = _paired_phi(a, b, c, d, n)
        below = _root_sum(p1 - first_low, second_high - p2, phi)
        above = _root_sum(first_high - p1, p2 - second_low, phi)
    theta = p1 - p2
    return np.clip(theta - below, -1.0, 1.0), np.clip(theta + above, -1.0, 1.0)


def _paired_phi(a, b, c, d, n) -> np.ndarray:
    """Newcombe's phi of a paired 2x2 table (see `paired_difference_bounds`)."""
    margins = (a + b) * (c + d) * (a + c) * (b + d)
    cross = a * d - b * c
    cross = np.where(cross > 0, np.maximum(cross - n / 2.0, 0.0), cross)
    return np.where(margins > 0, cross / np.sqrt(np.where(margins > 0, margins, 1.0)), 0.0)


def _root_sum(x, y, phi) -> np.ndarray:
    """sqrt(x^2 - 2 phi x y + y^2), never below 0 (rounding could take it to -1e-18)."""
    return np.sqrt(np.maximum(x * x - 2.0 * phi * x * y + y * y, 0.0))


def paired_difference_interval(both: float, first_only: float, second_only: float, neither: float,
                               z: float = Z95) -> tuple[float, float]:
    """`paired_difference_bounds` for one table: (low, high) of p1 - p2 as fractions, (nan, nan) when n = 0."""
    low, high = paired_difference_bounds([both], [first_only], [second_only], [neither], z)
    return float(low[0]), float(high[0])


def excludes(lows, highs, value: float = 0.0) -> np.ndarray:
    """Whether each interval lies wholly above or below `value` (False where an end is NaN)."""
    lows, highs = np.asarray(lows, dtype=float), np.asarray(highs, dtype=float)
    return (lows > value) | (highs < value)
