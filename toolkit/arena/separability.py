"""How well a judge separates models: omega^2, Cliff's delta and the combined score.

Input: for every model, a distribution of ratings (Option A: one Elo per prompt; Option B: one Elo
per bootstrap tournament).

- omega^2 = (SS_between - (k - 1) MS_within) / (SS_total + MS_within), MS_within = SS_within / (N - k)
  (k groups, N values): the share of rating variance explained by which model it is.
- Cliff's delta(X, Y) = (#(x > y) - #(x < y)) / (n_x n_y), averaged in absolute value over model
  pairs: all pairs, or rank neighbours (consecutive models when sorted by mean rating).
- combined score = ((0.5 omega^2 + 0.5 |delta|) / 0.75) x 100 (the model card's formula; it can
  exceed 100).
"""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

PAIRS = ("all", "neighbours")


def omega_squared(groups: Sequence[np.ndarray]) -> float:
    """omega^2 of a one-way layout; nan with fewer than two groups or no within-group freedom."""
    groups = [np.asarray(g, float) for g in groups if len(g)]
    k = len(groups)
    values = np.concatenate(groups) if groups else np.empty(0)
    n = len(values)
    if k < 2 or n <= k:
        return float("nan")
    grand = values.mean()
    ss_between = sum(len(g) * (g.mean() - grand) ** 2 for g in groups)
    ss_within = sum(((g - g.mean()) ** 2).sum() for g in groups)
    ms_within = ss_within / (n - k)
    ss_total = ss_between + ss_within
    denominator = ss_total + ms_within
    return float((ss_between - (k - 1) * ms_within) / denominator) if denominator > 0 else float("nan")


def cliffs_delta(x: np.ndarray, y: np.ndarray) -> float:
    """(#(x > y) - #(x < y)) / (n_x n_y) over all (x, y) pairs, counted by binary search."""
    x = np.asarray(x, float)
    y = np.sort(np.asarray(y, float))
    if len(x) == 0 or len(y) == 0:
        return float("nan")
    below = np.searchsorted(y, x, side="left").sum()            # y < x
    above = (len(y) - np.searchsorted(y, x, side="right")).sum()  # y > x
    return float((below - above) / (len(x) * len(y)))


def mean_abs_cliffs_delta(groups: Sequence[np.ndarray], pairs: str = "all") -> float:
    """Mean |Cliff's delta| over all model pairs, or over rank neighbours (sorted by group mean)."""
    if pairs not in PAIRS:
        raise ValueError(f"pairs must be one of {PAIRS}, not {pairs!r}")
    groups = [np.asarray(g, float) for g in groups if len(g)]
    if len(groups) < 2:
        return float("nan")
    if pairs == "neighbours":
        ordered = sorted(groups, key=lambda g: g.mean())
        deltas = [cliffs_delta(a, b) for a, b in zip(ordered, ordered[1:])]
    else:
        deltas = [cliffs_delta(groups[i], groups[j]) for i in range(len(groups)) for j in range(i + 1, len(groups))]
    return float(np.mean(np.abs(deltas)))


def separability_score(omega2: float, abs_delta: float) -> float:
    """((0.5 omega^2 + 0.5 |delta|) / 0.75) x 100."""
    return (0.5 * omega2 + 0.5 * abs_delta) / 0.75 * 100.0


def separability(ratings_by_model: Mapping[str, np.ndarray], pairs: str = "all") -> dict:
    """omega^2, mean |Cliff's delta| and the combined score of per-model rating distributions."""
    groups = [np.asarray(v, float) for v in ratings_by_model.values()]
    omega2 = omega_squared(groups)
    delta = mean_abs_cliffs_delta(groups, pairs)
    sizes = [len(g) for g in groups]
    return {
        "omega_squared": omega2,
        "cliffs_delta": delta,
        "score": separability_score(omega2, delta),
        "pairs": pairs,
        "models": len(groups),
        "values_per_model": float(np.mean(sizes)) if sizes else 0.0,
        "mean_sd": float(np.mean([g.std(ddof=1) for g in groups if len(g) > 1])) if groups else float("nan"),
    }
