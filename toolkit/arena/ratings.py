"""Ratings from pairwise soft outcomes: online Elo and the Bradley-Terry maximum-likelihood fit.

A comparison between models a and b carries a soft outcome p = P(a's text is better), in [0, 1].

- Online Elo (order dependent): E = 1 / (1 + 10^((Rb - Ra) / 400)); Ra += K (p - E); Rb -= K (p - E).
- Bradley-Terry on soft outcomes (order independent; FastChat's loss with alpha = ln 10, scale 400):
  P(a beats b) = sigma(theta_a - theta_b), maximise
      LL(theta) = sum_i w_i [p_i log sigma(theta_a - theta_b) + (1 - p_i) log sigma(theta_b - theta_a)]
  and report Elo = 400 / ln 10 * theta, shifted so that the mean (or a named anchor model) sits at
  the anchor value (1000 by default).

The log-likelihood only depends on each unordered pair's totals (N = sum of weights, W = soft wins
of the first model), so everything here works on aggregated `PairCounts`, and many fits (bootstrap
replicates, one per tournament) are solved at once as a batch.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.special import expit, log_expit
from threadpoolctl import threadpool_limits

ELO_SCALE = 400.0
NAT_TO_ELO = ELO_SCALE / math.log(10)  # one natural log-odds unit in Elo points (~173.7)
DEFAULT_ANCHOR_VALUE = 1000.0
_DENSE_LIMIT = 4_000_000  # pairs x models below which the incidence matrix is kept dense
_NUMERICAL_RIDGE = 1e-9  # keeps the information matrix invertible when a model has no games


def expected_score(rating_a, rating_b):
    """E = 1 / (1 + 10^((Rb - Ra) / 400)): the Elo-expected score of a against b."""
    return 1.0 / (1.0 + np.power(10.0, (np.asarray(rating_b, float) - np.asarray(rating_a, float)) / ELO_SCALE))


def online_elo(a: np.ndarray, b: np.ndarray, p: np.ndarray, n_models: int, k: float = 32.0,
               initial: float = DEFAULT_ANCHOR_VALUE) -> np.ndarray:
    """Sequential Elo over the comparisons in the order given: Ra += K (p - E), Rb -= K (p - E)."""
    ratings = np.full(n_models, float(initial))
    for i, j, s in zip(np.asarray(a).tolist(), np.asarray(b).tolist(), np.asarray(p, float).tolist()):
        delta = k * (s - 1.0 / (1.0 + 10.0 ** ((ratings[j] - ratings[i]) / ELO_SCALE)))
        ratings[i] += delta
        ratings[j] -= delta
    return ratings


def elo_round_update(ratings: np.ndarray, a: np.ndarray, b: np.ndarray, p: np.ndarray,
                     k: float = 32.0) -> np.ndarray:
    """One Swiss round of online Elo at once (each model plays at most once, so order is moot)."""
    delta = k * (np.asarray(p, float) - expected_score(ratings[a], ratings[b]))
    updated = ratings.astype(float).copy()
    np.add.at(updated, a, delta)
    np.add.at(updated, b, -delta)
    return updated


@dataclass(frozen=True)
class PairIndex:
    """The unordered pairs (u < v) met in a list of comparisons, and where each comparison falls."""

    u: np.ndarray             # (P,) first model of each pair
    v: np.ndarray             # (P,) second model, u < v
    pair_of: np.ndarray       # (n,) pair index of each comparison
    outcome_u: np.ndarray     # (n,) soft outcome from u's point of view (p if a == u else 1 - p)
    n_models: int

    @property
    def n_pairs(self) -> int:
        return len(self.u)

    def incidence(self):
        """E (P x M): +1 at u, -1 at v, so theta_u - theta_v = theta @ E^T and the gradient is r @ E.

        Dense while small (BLAS matrix products beat gathers), sparse beyond _DENSE_LIMIT cells.
        """
        rows = np.repeat(np.arange(self.n_pairs), 2)
        cols = np.column_stack([self.u, self.v]).ravel()
        data = np.tile([1.0, -1.0], self.n_pairs)
        matrix = sparse.csr_matrix((data, (rows, cols)), shape=(self.n_pairs, self.n_models))
        return matrix.toarray() if self.n_pairs * self.n_models <= _DENSE_LIMIT else matrix


def pair_index(a: np.ndarray, b: np.ndarray, p: np.ndarray, n_models: int) -> PairIndex:
    """Map comparisons (a, b, p) to unordered pairs; raises on a self-comparison."""
    a = np.asarray(a, np.int64)
    b = np.asarray(b, np.int64)
    p = np.asarray(p, float)
    if np.any(a == b):
        raise ValueError("a comparison of a model with itself cannot be rated")
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    codes, pair_of = np.unique(lo * n_models + hi, return_inverse=True)
    return PairIndex(u=codes // n_models, v=codes % n_models, pair_of=pair_of.ravel(),
                     outcome_u=np.where(a == lo, p, 1.0 - p), n_models=n_models)


def pair_totals(index: PairIndex, weights: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """N_p = sum of weights of pair p's comparisons, W_p = sum of weight * outcome for u."""
    w = np.ones(len(index.pair_of)) if weights is None else np.asarray(weights, float)
    n = np.bincount(index.pair_of, weights=w, minlength=index.n_pairs)
    wins = np.bincount(index.pair_of, weights=w * index.outcome_u, minlength=index.n_pairs)
    return n, wins


def _differences(theta, incidence):
    """theta_u - theta_v for every pair, (B x P), C-contiguous like the pair totals it meets."""
    if sparse.issparse(incidence):
        return np.ascontiguousarray((incidence @ theta.T).T)
    return theta @ incidence.T


def _scatter(residual, incidence):
    """sum over pairs of residual * E: +r to u, -r to v, (B x M)."""
    if sparse.issparse(incidence):
        return np.asarray((incidence.T @ residual.T).T)
    return residual @ incidence


def _log_likelihood(theta, incidence, n, wins, penalty):
    d = _differences(theta, incidence)
    return (wins * log_expit(d) + (n - wins) * log_expit(-d)).sum(axis=1) - 0.5 * penalty * (theta**2).sum(axis=1)


def _gradient(theta, incidence, n, wins, penalty):
    residual = wins - n * expit(_differences(theta, incidence))
    return _scatter(residual, incidence) - penalty * theta


def _information(theta, index, incidence, n, penalty):
    """Observed information (minus the Hessian): a weighted graph Laplacian, batched (B x M x M)."""
    q = expit(_differences(theta, incidence))
    h = n * q * (1.0 - q)
    batch, m = theta.shape
    info = np.zeros((batch, m, m))
    info[:, index.u, index.v] = -h
    info[:, index.v, index.u] = -h
    info[:, np.arange(m), np.arange(m)] = _scatter(h, abs(incidence)) + penalty + _NUMERICAL_RIDGE
    # The likelihood does not move when every theta shifts together: adding 11^T/M pins the mean.
    return info + 1.0 / m


def _line_search(theta, step, incidence, n, wins, penalty):
    """Halve the step of each replicate whose log-likelihood would drop (at most 30 times)."""
    current = _log_likelihood(theta, incidence, n, wins, penalty)
    scale = np.ones(len(theta))
    for _ in range(30):
        trial = _log_likelihood(theta + scale[:, None] * step, incidence, n, wins, penalty)
        worse = trial < current - 1e-9 * np.abs(current)
        if not worse.any():
            break
        scale[worse] *= 0.5
    return theta + scale[:, None] * step


def fit_bt(index: PairIndex, n: np.ndarray, wins: np.ndarray, prior_sd_elo: float | None = None,
           start: np.ndarray | None = None, chord: bool = False, tol: float = 1e-7,
           max_iter: int = 100) -> np.ndarray:
    """Bradley-Terry MLE; see `_fit_bt`. BLAS runs single-threaded here: the batched small (M x M)
    inversions and solves are several times slower with OpenBLAS threads on a busy machine."""
    with threadpool_limits(limits=1, user_api="blas"):
        return _fit_bt(index, n, wins, prior_sd_elo, start, chord, tol, max_iter)


def _fit_bt(index: PairIndex, n: np.ndarray, wins: np.ndarray, prior_sd_elo: float | None = None,
           start: np.ndarray | None = None, chord: bool = False, tol: float = 1e-7,
           max_iter: int = 100) -> np.ndarray:
    """Bradley-Terry MLE (natural units, mean zero) for one or a batch of pair totals.

    n, wins: (P,) or (B, P). Newton's method on the concave log-likelihood, theta += I^-1 g, with a
    backtracking line search. An optional Gaussian prior theta ~ N(0, s^2), s = prior_sd_elo / (400/ln 10),
    adds -theta^2 / (2 s^2) (it keeps ratings finite when a model won every game outright).
    `chord=True` (bootstrap replicates, started at the full-data fit): each replicate's information
    matrix is computed and inverted once, at `start`, and reused, theta += I_b(start)^-1 g. The
    information depends mostly on the replicate's counts and little on theta, so this converges in a
    few cheap steps; replicates whose steps stop shrinking finish with Newton.
    """
    single = np.ndim(n) == 1
    n2 = np.atleast_2d(np.asarray(n, float))
    w2 = np.atleast_2d(np.asarray(wins, float))
    batch, m = len(n2), index.n_models
    penalty = 0.0 if prior_sd_elo is None else (NAT_TO_ELO / prior_sd_elo) ** 2
    incidence = index.incidence()
    theta = np.zeros((batch, m)) if start is None else np.array(np.broadcast_to(start, (batch, m)), float)
    active = np.arange(batch)
    if chord:
        # All replicates step together (row subsets would copy the B x P totals every step);
        # a row stops moving once converged, or goes to Newton if its step stops shrinking.
        inverse = np.linalg.inv(_information(theta, index, incidence, n2, penalty))
        previous = np.full(batch, np.inf)
        moving = np.ones(batch, bool)
        to_newton = np.zeros(batch, bool)
        for _ in range(30):
            step = np.einsum("bij,bj->bi", inverse, _gradient(theta, incidence, n2, w2, penalty))
            size = np.abs(step).max(axis=1)
            to_newton |= moving & (size > previous)
            moving &= ~to_newton
            theta[moving] += step[moving]
            previous = size
            moving &= size > tol
            if not moving.any():
                break
        active = np.flatnonzero(to_newton | moving)
    for _ in range(max_iter):
        if len(active) == 0:
            break
        sub = theta[active]
        grad = _gradient(sub, incidence, n2[active], w2[active], penalty)
        step = np.linalg.solve(_information(sub, index, incidence, n2[active], penalty), grad[..., None])[..., 0]
        theta[active] = _line_search(sub, step, incidence, n2[active], w2[active], penalty)
        active = active[np.abs(step).max(axis=1) > tol]
    theta -= theta.mean(axis=1, keepdims=True)
    return theta[0] if single else theta


def to_elo(theta: np.ndarray, anchor: int | None = None,
           anchor_value: float = DEFAULT_ANCHOR_VALUE) -> np.ndarray:
    """Elo = 400/ln 10 * theta, shifted so the mean (anchor=None) or model `anchor` equals anchor_value."""
    elo = np.asarray(theta, float) * NAT_TO_ELO
    reference = elo.mean(axis=-1, keepdims=True) if anchor is None else elo[..., anchor:anchor + 1]
    return elo - reference + anchor_value


def win_probability(elo: np.ndarray) -> np.ndarray:
    """Head-to-head matrix P[i, j] = 1 / (1 + 10^((R_j - R_i) / 400))."""
    elo = np.asarray(elo, float)
    return expected_score(elo[:, None], elo[None, :])


def bt_elo(a: np.ndarray, b: np.ndarray, p: np.ndarray, n_models: int, anchor: int | None = None,
           anchor_value: float = DEFAULT_ANCHOR_VALUE, prior_sd_elo: float | None = None) -> np.ndarray:
    """Convenience: the Bradley-Terry Elo of every model from raw comparisons (a, b, p)."""
    index = pair_index(a, b, p, n_models)
    n, wins = pair_totals(index)
    return to_elo(fit_bt(index, n, wins, prior_sd_elo=prior_sd_elo), anchor, anchor_value)
