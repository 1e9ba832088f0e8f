"""Judge meta-evaluation on pairs whose reference scores say which text is better.

Pairs are kept when |s1 - s2| lies in the score-difference window [min_diff, max_diff] and the
length ratio max(len) / min(len) is at most `max_length_ratio` (the model card: 5-10 points, bounded
ratio). On those pairs:
- strict accuracy: the hard verdict is right in both orders (pass 1 prefers the better text's
  position and so does pass 2);
- positional consistency: both passes prefer the same text, right or wrong;
- mean probability on the better text: mean of the swap-averaged P(better text is better).
"""
from __future__ import annotations

import numpy as np
import pandas as pd


def pair_filter(score_1, score_2, len_1, len_2, min_diff: float = 0.0, max_diff: float = np.inf,
                max_length_ratio: float = np.inf) -> np.ndarray:
    """Mask of pairs with min_diff <= |s1 - s2| <= max_diff and max(len)/min(len) <= max_length_ratio."""
    diff = np.abs(np.asarray(score_1, float) - np.asarray(score_2, float))
    len_1 = np.asarray(len_1, float)
    len_2 = np.asarray(len_2, float)
    shorter = np.minimum(len_1, len_2)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(shorter > 0, np.maximum(len_1, len_2) / shorter, np.inf)
    return np.isfinite(diff) & (diff > 0) & (diff >= min_diff) & (diff <= max_diff) & (ratio <= max_length_ratio)


def meta_evaluate(frame: pd.DataFrame, min_diff: float = 0.0, max_diff: float = np.inf,
                  max_length_ratio: float = np.inf) -> dict:
    """Strict accuracy, positional consistency and mean P(better) on the pairs passing the filters.

    `frame` has the matches columns: p_a, pass1_p_a, pass2_p_a (P(position A) in each pass; pass 1
    shows model_a's text in A, pass 2 in B), score_a, score_b, len_a, len_b. Invalid rows are skipped.
    """
    valid = frame["valid"].fillna(False).astype(bool).to_numpy() if "valid" in frame else np.ones(len(frame), bool)
    keep = valid & pair_filter(frame["score_a"], frame["score_b"], frame["len_a"], frame["len_b"],
                               min_diff, max_diff, max_length_ratio)
    rows = frame[keep]
    a_better = (rows["score_a"] > rows["score_b"]).to_numpy()
    pass1 = rows["pass1_p_a"].to_numpy(float)
    pass2 = rows["pass2_p_a"].to_numpy(float)
    # Pass 1 shows text a in A, pass 2 shows it in B.
    right_1 = np.where(a_better, pass1 > 0.5, pass1 < 0.5)
    right_2 = np.where(a_better, pass2 < 0.5, pass2 > 0.5)
    p_better = np.where(a_better, rows["p_a"].to_numpy(float), 1.0 - rows["p_a"].to_numpy(float))
    n = int(keep.sum())
    return {
        "pairs": n,
        "strict_accuracy": float(np.mean(right_1 & right_2)) if n else float("nan"),
        "positional_consistency": float(np.mean((pass1 > 0.5) != (pass2 > 0.5))) if n else float("nan"),
        "mean_p_better": float(p_better.mean()) if n else float("nan"),
        "min_diff": min_diff,
        "max_diff": None if np.isinf(max_diff) else max_diff,
        "max_length_ratio": None if np.isinf(max_length_ratio) else max_length_ratio,
    }


def candidate_pairs(outputs: pd.DataFrame, min_diff: float = 5.0, max_diff: float = 10.0,
                    max_length_ratio: float = 1.5, limit: int | None = None, seed: int = 0) -> pd.DataFrame:
    """Pairs of outputs to the same prompt that pass the filters (for judging, then `meta_evaluate`).

    `outputs` has columns prompt_id, model, text, score (toolkit.arena.tournament.load_outputs).
    Returns prompt_id, model_a, model_b, score_a, score_b, len_a, len_b, a random sample of `limit`.
    """
    scored = outputs.dropna(subset=["score"]).assign(length=lambda d: d["text"].str.len())
    left = scored[["prompt_id", "model", "score", "length"]]
    pairs = left.merge(left, on="prompt_id", suffixes=("_a", "_b"))
    pairs = pairs[pairs["model_a"] < pairs["model_b"]]
    keep = pair_filter(pairs["score_a"], pairs["score_b"], pairs["length_a"], pairs["length_b"],
                       min_diff, max_diff, max_length_ratio)
    pairs = pairs[keep].rename(columns={"length_a": "len_a", "length_b": "len_b"})
    if limit is not None and len(pairs) > limit:
        pairs = pairs.sample(n=limit, random_state=seed)
    return pairs.reset_index(drop=True)
