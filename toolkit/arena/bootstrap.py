"""Bootstrap confidence intervals for Bradley-Terry ratings, over matches or over prompts.

A bootstrap replicate redraws n comparisons (or the prompts, with all their comparisons) with
replacement. The BT likelihood only needs each pair's totals, so a replicate is a vector of
multinomial counts turned into pair totals:
    over matches:  N_b ~ Mult(n, N_p / n) per pair, W_bp = the sum of N_bp draws of that pair's outcomes
    over prompts:  N_b = k_b @ N_prompt,  W_b = k_b @ W_prompt,  k_b ~ Mult(n_prompts, 1/n_prompts)
where N_prompt, W_prompt (prompts x pairs) are the per-prompt totals. All replicates are then
fitted as one batch (chord iterations from the full-data fit, see ratings.fit_bt), to 1e-5 log-odds
(0.002 Elo).
Intervals are the 2.5 / 97.5 percentiles; rank_i = 1 + #{j : lower_j > upper_i}.
"""
from __future__ import annotations

import numpy as np

from .ratings import PairIndex, fit_bt, pair_totals, to_elo

GAME_BY_GAME = 32  # soft-outcome pairs with at most this many comparisons are resampled exactly


def resample_matches(index: PairIndex, n_boot: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Pair totals (N, W), each (n_boot, P), of n_boot resamples of the n comparisons.

    N_b ~ Multinomial(n, N_p / n) is exact (how many of the n draws fall in each pair). Given N_bp,
    W_bp is the sum of N_bp draws with replacement from pair p's n_p outcomes x (mean m_p, variance
    s_p^2 = mean(x^2) - m_p^2; for hard outcomes s_p^2 = m_p (1 - m_p), not 0):
      every outcome 0 or 1:       W_bp ~ Binomial(N_bp, m_p), exact;
      soft, n_p <= GAME_BY_GAME:  W_bp = c @ x with c ~ Multinomial(N_bp, 1/n_p) over the pair's games, exact;
      soft, more games:           the normal with mean N_bp m_p and variance N_bp s_p^2, clipped to
                                  [0, N_bp] (an approximation: B x P draws instead of B x n_p).
    """
    n_pair, wins = pair_totals(index)
    counts = rng.multinomial(len(index.pair_of), n_pair / n_pair.sum(), size=n_boot)
    mean = wins / n_pair
    soft_games = (index.outcome_u != 0.0) & (index.outcome_u != 1.0)
    hard = np.bincount(index.pair_of, weights=soft_games, minlength=index.n_pairs) == 0
    few = ~hard & (n_pair <= GAME_BY_GAME)
    many = ~hard & ~few
    sums = np.zeros(counts.shape)
    sums[:, hard] = rng.binomial(counts[:, hard], mean[hard])
    sums[:, few] = game_by_game_sums(index, counts[:, few], np.flatnonzero(few), rng)
    squares = np.bincount(index.pair_of, weights=index.outcome_u**2, minlength=index.n_pairs)[many]
    variance = np.maximum(squares / n_pair[many] - mean[many] ** 2, 0.0)
    noise = rng.standard_normal(counts[:, many].shape) * np.sqrt(counts[:, many] * variance)
    sums[:, many] = np.clip(counts[:, many] * mean[many] + noise, 0.0, counts[:, many])
    return counts.astype(float), sums


def game_by_game_sums(index: PairIndex, counts: np.ndarray, pairs: np.ndarray,
                      rng: np.random.Generator) -> np.ndarray:
    """(B, len(pairs)): for each pair, the sum of counts[:, j] outcomes drawn with replacement from its games.

    Pairs with the same number of games k are drawn together: c ~ Multinomial(N_bp, 1/k), W_bp = c @ x.
    """
    games = np.argsort(index.pair_of, kind="stable")                  # comparisons grouped by pair
    sizes = np.bincount(index.pair_of, minlength=index.n_pairs)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    sums = np.zeros(counts.shape)
    for k in np.unique(sizes[pairs]):
        columns = np.flatnonzero(sizes[pairs] == k)
        outcomes = index.outcome_u[games[starts[pairs[columns], None] + np.arange(k)]]   # (G, k)
        draws = rng.multinomial(counts[:, columns], np.full(k, 1.0 / k))               # (B, G, k)
        sums[:, columns] = (draws * outcomes).sum(axis=-1)
    return sums


def resample_prompts(index: PairIndex, prompt_of: np.ndarray, n_boot: int,
                     rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Pair totals (N, W), each (n_boot, P), of n_boot resamples of the prompts (clusters)."""
    prompt_codes, prompt_of = np.unique(np.asarray(prompt_of), return_inverse=True)
    n_prompts = len(prompt_codes)
    cells = prompt_of.ravel() * index.n_pairs + index.pair_of
    size = n_prompts * index.n_pairs
    per_prompt_n = np.bincount(cells, minlength=size).reshape(n_prompts, -1).astype(float)
    per_prompt_w = np.bincount(cells, weights=index.outcome_u, minlength=size).reshape(n_prompts, -1)
    counts = rng.multinomial(n_prompts, np.full(n_prompts, 1.0 / n_prompts), size=n_boot).astype(float)
    return counts @ per_prompt_n, counts @ per_prompt_w


def bootstrap_elo(index: PairIndex, n_boot: int = 1000, over: str = "matches",
                  prompt_of: np.ndarray | None = None, seed: int = 0, anchor: int | None = None,
                  anchor_value: float = 1000.0, prior_sd_elo: float | None = None
                  ) -> tuple[np.ndarray, np.ndarray]:
    """(point estimate (M,), replicates (n_boot, M)) of the BT Elo, resampling `over` matches or prompts."""
    if over not in ("matches", "prompts"):
        raise ValueError(f"bootstrap over 'matches' or 'prompts', not {over!r}")
    if over == "prompts" and prompt_of is None:
        raise ValueError("a bootstrap over prompts needs the prompt of every comparison")
    n, wins = pair_totals(index)
    theta = fit_bt(index, n, wins, prior_sd_elo=prior_sd_elo)
    point = to_elo(theta, anchor, anchor_value)
    if n_boot <= 0:
        return point, np.empty((0, index.n_models))
    rng = np.random.default_rng(seed)
    if over == "matches":
        boot_n, boot_w = resample_matches(index, n_boot, rng)
    else:
        boot_n, boot_w = resample_prompts(index, prompt_of, n_boot, rng)
    replicates = fit_bt(index, boot_n, boot_w, prior_sd_elo=prior_sd_elo, start=theta, chord=True, tol=1e-5)
    return point, to_elo(replicates, anchor, anchor_value)


def percentile_interval(replicates: np.ndarray, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """The (1 - level)/2 and (1 + level)/2 percentiles of each column (2.5 / 97.5 for 95%)."""
    tail = (1.0 - level) / 2.0 * 100.0
    return np.percentile(replicates, tail, axis=0), np.percentile(replicates, 100.0 - tail, axis=0)


def rank_with_intervals(lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """rank_i = 1 + #{j : lower_j > upper_i} (models clearly better than i)."""
    lower = np.asarray(lower, float)
    upper = np.asarray(upper, float)
    return 1 + (lower[None, :] > upper[:, None]).sum(axis=1)
