"""Kendall's tau-b rank correlation, ties handled as scipy.stats.kendalltau's default (variant 'b').

Over the n(n-1)/2 pairs (i, j), i < j: P = pairs ordered the same way by x and y (concordant),
Q = pairs ordered oppositely (discordant), T_x = pairs tied in x only, T_y = pairs tied in y only
(pairs tied in both count in neither). Then

    tau_b = (P - Q) / sqrt((P + Q + T_x) (P + Q + T_y))

Values tie when exactly equal. NaN when there are fewer than 2 items or when x or y is constant
(a zero denominator), as scipy returns.
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np


def kendall_tau_b(x: Sequence[float], y: Sequence[float]) -> float:
    """tau_b of two equally long sequences (see the module docstring)."""
    a, b = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError("kendall_tau_b needs two 1-d sequences of the same length")
    upper = np.triu_indices(len(a), k=1)  # every pair once; n is a few hundred models at most
    sign_x = np.sign(a[:, None] - a[None, :])[upper]
    sign_y = np.sign(b[:, None] - b[None, :])[upper]
    score = float((sign_x * sign_y).sum())                   # P - Q
    untied_x = float(np.count_nonzero(sign_x))               # P + Q + T_y
    untied_y = float(np.count_nonzero(sign_y))               # P + Q + T_x
    if untied_x == 0 or untied_y == 0:
        return math.nan
    return score / math.sqrt(untied_x * untied_y)
