"""Where one value stands among others, as SpeechMap's model and domain pages show it.

Scores are rounded to 4 decimals first (SpeechMap's `round(k / c x 100, 4)`), so that values that
differ only in floating noise, or below display precision, share a rank.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

STANDING_DECIMALS = 4


def rounded(values: Sequence[float], decimals: int = STANDING_DECIMALS) -> np.ndarray:
    """Python's round(v, decimals) of each value (correctly rounded, unlike numpy's scaled round);
    rounded once per distinct value, since scores repeat a lot."""
    array = np.asarray(values, dtype=float)
    distinct, inverse = np.unique(array, return_inverse=True)
    return np.array([round(float(v), decimals) for v in distinct])[inverse.reshape(-1)]


def rank_and_ties(value: float, values: Sequence[float]) -> tuple[int, int, int]:
    """(rank, total, tied) of `value` among `values` (which include it), higher is better:

    with s = round(., 4): rank = 1 + #{v : s(v) > s(value)} (competition ranking, 1, 2, 2, 4),
    total = #values, tied = #{v : s(v) = s(value)} (itself included).
    """
    scores = rounded(values)
    own = round(float(value), STANDING_DECIMALS)
    return 1 + int((scores > own).sum()), len(scores), int((scores == own).sum())


def spread(values: Sequence[float]) -> float:
    """max - min (in the values' units: points for percentages); NaN for no values."""
    array = np.asarray(values, dtype=float)
    return float(array.max() - array.min()) if array.size else float("nan")
