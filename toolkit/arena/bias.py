"""A judge's position and length biases, measured on its judgements.

- Position bias: over single passes, the share that preferred position A (P(A) > 1/2; exactly 1/2
  counts half) and the mean P(A). Every pair is judged in both orders, so content is balanced over
  the positions and an unbiased judge scores 0.5. Also the positional consistency: the share of
  pairs whose two passes prefer the same text.
- Length bias: over comparisons of texts of different lengths, the win rate of the longer text
  (P(longer better) > 1/2, ties half), its mean probability P(longer better) and the margin
  mean(P(longer) - P(shorter)) = 2 mean P(longer) - 1. With reference scores, the same win rate under
  the reference, so that a judge preferring longer texts can be told from longer texts being better.
"""
from __future__ import annotations

import numpy as np


def _preference_share(p: np.ndarray) -> float:
    """Share of p > 1/2, counting p = 1/2 as half."""
    return float(np.mean((p > 0.5) + 0.5 * (p == 0.5))) if len(p) else float("nan")


def position_bias(pass1_p_a: np.ndarray, pass2_p_a: np.ndarray) -> dict:
    """Share of single passes preferring position A, mean P(A), consistency of the two passes."""
    first = np.asarray(pass1_p_a, float)
    second = np.asarray(pass2_p_a, float)
    keep = np.isfinite(first) & np.isfinite(second)
    first, second = first[keep], second[keep]
    passes = np.concatenate([first, second])
    # Pass 1 has text 1 in A, pass 2 has it in B: consistent when pass 1 prefers A and pass 2 B, or vice versa.
    consistent = (first > 0.5) != (second > 0.5)
    return {
        "share_position_a": _preference_share(passes),
        "mean_p_a": float(passes.mean()) if len(passes) else float("nan"),
        "consistency": float(consistent.mean()) if len(first) else float("nan"),
        "passes": int(len(passes)),
    }


def length_bias(len_a: np.ndarray, len_b: np.ndarray, p_a: np.ndarray,
                score_a: np.ndarray | None = None, score_b: np.ndarray | None = None) -> dict:
    """Win rate, mean P and margin of the longer text; the reference's win rate for it when scores exist."""
    len_a = np.asarray(len_a, float)
    len_b = np.asarray(len_b, float)
    p_a = np.asarray(p_a, float)
    keep = (len_a != len_b) & np.isfinite(p_a)
    a_longer = len_a[keep] > len_b[keep]
    p_longer = np.where(a_longer, p_a[keep], 1.0 - p_a[keep])
    result = {
        "win_rate_longer": _preference_share(p_longer),
        "mean_p_longer": float(p_longer.mean()) if len(p_longer) else float("nan"),
        "margin": float(2.0 * p_longer.mean() - 1.0) if len(p_longer) else float("nan"),
        "comparisons": int(len(p_longer)),
        "reference_win_rate_longer": None,
    }
    if score_a is not None and score_b is not None:
        s_a = np.asarray(score_a, float)[keep]
        s_b = np.asarray(score_b, float)[keep]
        scored = np.isfinite(s_a) & np.isfinite(s_b)
        diff = np.where(a_longer, s_a - s_b, s_b - s_a)[scored]
        if len(diff):
            result["reference_win_rate_longer"] = float(np.mean((diff > 0) + 0.5 * (diff == 0)))
    return result
