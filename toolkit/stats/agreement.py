"""Agreement statistics over count matrices and rating tables (numpy only).

A count matrix M is k x k: rows judge 1 ("from"), columns judge 2 ("to"), n = sum of M. A rating
table has one row per item and one column per category, each cell the number of judges who put the
item in that category. Undefined figures (0/0) are NaN, never errors.
"""
from __future__ import annotations

import math

import numpy as np


def raw_agreement(matrix: np.ndarray) -> float:
    """p_o = trace(M) / n: the share of responses on the diagonal (NaN when n = 0)."""
    m = np.asarray(matrix, dtype=float)
    n = m.sum()
    return float(np.trace(m) / n) if n else math.nan


def expected_agreement(matrix: np.ndarray) -> float:
    """p_e = sum_i (r_i / n)(c_i / n), r and c the row and column sums: agreement by chance."""
    m = np.asarray(matrix, dtype=float)
    n = m.sum()
    return float((m.sum(axis=1) @ m.sum(axis=0)) / n**2) if n else math.nan


def cohen_kappa(matrix: np.ndarray) -> float:
    """Cohen's kappa = (p_o - p_e) / (1 - p_e).

    NaN when n = 0 or when p_e = 1 (both judges used one and the same label only: kappa is 0/0).
    """
    p_o, p_e = raw_agreement(matrix), expected_agreement(matrix)
    if math.isnan(p_o) or p_e >= 1.0:
        return math.nan
    return (p_o - p_e) / (1.0 - p_e)


def kappa_standard_error(matrix: np.ndarray) -> float:
    """Large-sample standard error of kappa (Fleiss, Cohen & Everitt 1969).

    With p_ij = M_ij / n, row sums p_i., column sums p_.j and kappa k:
        A = sum_i p_ii (1 - (p_i. + p_.i)(1 - k))^2
        B = (1 - k)^2 sum_{i != j} p_ij (p_.i + p_j.)^2
        C = (k - p_e (1 - k))^2
        SE = sqrt((A + B - C) / (n (1 - p_e)^2))
    """
    m = np.asarray(matrix, dtype=float)
    n = m.sum()
    kappa = cohen_kappa(m)
    if not n or math.isnan(kappa):
        return math.nan
    p = m / n
    rows, cols = p.sum(axis=1), p.sum(axis=0)
    p_e = float(rows @ cols)
    a = float(np.sum(np.diag(p) * (1 - (rows + cols) * (1 - kappa)) ** 2))
    off = p.copy()
    np.fill_diagonal(off, 0.0)
    b = (1 - kappa) ** 2 * float(np.sum(off * (cols[:, None] + rows[None, :]) ** 2))
    c = (kappa - p_e * (1 - kappa)) ** 2
    return math.sqrt(max(a + b - c, 0.0) / (n * (1 - p_e) ** 2))


def kappa_interval(matrix: np.ndarray, z: float = 1.959964) -> tuple[float, float]:
    """Analytic 95% interval: kappa +- z * SE, clipped to [-1, 1]."""
    kappa, se = cohen_kappa(matrix), kappa_standard_error(matrix)
    if math.isnan(kappa) or math.isnan(se):
        return (math.nan, math.nan)
    return (max(-1.0, kappa - z * se), min(1.0, kappa + z * se))


def kappa_bootstrap_interval(matrix: np.ndarray, replicates: int = 2000, seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap 95% interval (2.5th and 97.5th percentiles of kappa).

    Resampling n responses with replacement is a multinomial draw over the cells with p_ij = M_ij / n,
    so the replicates need the matrix only. Replicates where kappa is undefined are dropped.
    """
    m = np.asarray(matrix, dtype=float)
    n = int(m.sum())
    if not n:
        return (math.nan, math.nan)
    k = m.shape[0]
    draws = np.random.default_rng(seed).multinomial(n, (m / n).ravel(), size=replicates).reshape(replicates, k, k)
    p_o = np.trace(draws, axis1=1, axis2=2) / n
    p_e = np.einsum("bi,bi->b", draws.sum(axis=2), draws.sum(axis=1)) / n**2
    defined = p_e < 1.0
    if not defined.any():
        return (math.nan, math.nan)
    kappas = (p_o[defined] - p_e[defined]) / (1 - p_e[defined])
    low, high = np.percentile(kappas, [2.5, 97.5])
    return (float(low), float(high))


def per_label_scores(matrix: np.ndarray) -> dict[str, np.ndarray]:
    """Judge 2 scored against judge 1 as the reference, per label L (one entry per row of M):

        precision = M[L, L] / (column sum of L)   (of what judge 2 called L, judge 1 agreed)
        recall    = M[L, L] / (row sum of L)      (of what judge 1 called L, judge 2 found)
        F1        = 2 P R / (P + R)
    support = row sum (judge 1's count), predicted = column sum (judge 2's count). 0/0 is NaN.
    """
    m = np.asarray(matrix, dtype=float)
    hits = np.diag(m)
    support, predicted = m.sum(axis=1), m.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(predicted > 0, hits / predicted, np.nan)
        recall = np.where(support > 0, hits / support, np.nan)
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), np.nan)
    f1 = np.where(np.isnan(precision) | np.isnan(recall), np.nan, f1)
    return {"support": support.astype("int64"), "predicted": predicted.astype("int64"),
            "precision": precision, "recall": recall, "f1": f1}


def fleiss_kappa(ratings: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Fleiss' kappa for N items each rated by the same number r of raters.

    ratings[i, j] = how many raters put item i in category j (each row sums to r). weights[i]
    repeats item i (so grouped rows count as many items). With N_w = sum_i w_i:
        P_i = (sum_j n_ij^2 - r) / (r (r - 1))      P_bar = sum_i w_i P_i / N_w
        p_j = sum_i w_i n_ij / (N_w r)             P_e = sum_j p_j^2
        kappa = (P_bar - P_e) / (1 - P_e)
    NaN with no items, fewer than two raters, or P_e = 1.
    """
    table = np.asarray(ratings, dtype=float)
    if table.size == 0:
        return math.nan
    w = np.ones(len(table)) if weights is None else np.asarray(weights, dtype=float)
    raters = table.sum(axis=1)
    if w.sum() == 0 or raters.min() != raters.max() or raters[0] < 2:
        return math.nan
    r = raters[0]
    p_item = ((table**2).sum(axis=1) - r) / (r * (r - 1))
    p_bar = float(w @ p_item / w.sum())
    p_cat = (w @ table) / (w.sum() * r)
    p_e = float(np.sum(p_cat**2))
    return (p_bar - p_e) / (1 - p_e) if p_e < 1 else math.nan


def krippendorff_alpha_nominal(values: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Krippendorff's alpha for nominal data; items may have any number of judgements.

    values[u, c] = how many judges gave item u the label c (m_u = row sum); items with m_u < 2
    are not pairable and are dropped. weights[u] repeats item u. Coincidences:
        o_cc = sum_u w_u n_uc (n_uc - 1) / (m_u - 1)       n_c = sum_u w_u n_uc     n = sum_c n_c
        alpha = 1 - (n - 1) (n - sum_c o_cc) / (n^2 - sum_c n_c^2)
    NaN when nothing is pairable or every value is the same (no expected disagreement).
    """
    table = np.asarray(values, dtype=float)
    if table.size == 0:
        return math.nan
    w = np.ones(len(table)) if weights is None else np.asarray(weights, dtype=float)
    m_u = table.sum(axis=1)
    keep = m_u >= 2
    table, w, m_u = table[keep], w[keep], m_u[keep]
    if not len(table):
        return math.nan
    o_diag = float(w @ ((table * (table - 1)).sum(axis=1) / (m_u - 1)))
    n_c = w @ table
    n = float(n_c.sum())
    expected = n**2 - float(np.sum(n_c**2))
    if expected <= 0:
        return math.nan
    return 1 - (n - 1) * (n - o_diag) / expected


def pair_counts(codes: np.ndarray, weights: np.ndarray, a: int, b: int, k: int) -> np.ndarray:
    """k x k matrix M[i, j] = sum of weights of the rows where column a has code i and column b code j
    (codes: -1 = not judged; rows where either is -1 are left out)."""
    both = (codes[:, a] >= 0) & (codes[:, b] >= 0)
    cells = codes[both, a] * k + codes[both, b]
    return np.bincount(cells, weights=weights[both], minlength=k * k).reshape(k, k)


def category_counts(codes: np.ndarray, k: int) -> np.ndarray:
    """The rating table of coded rows: table[u, c] = how many columns of row u hold code c (-1 = none)."""
    table = np.zeros((len(codes), k))
    for column in codes.T:
        judged = column >= 0
        np.add.at(table, (np.nonzero(judged)[0], column[judged]), 1)
    return table
