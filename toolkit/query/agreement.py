"""Agreement between judges: transition matrices, kappa and friends, and the items behind each cell.

Everything reads `response_view` (one row per response, one label column per judge), so a
transition matrix is one GROUP BY over one table, never a self-join of the assessments. Because the
view already holds one label per (response, judge), a judge with duplicate rows counts once, and a
judge compared with itself (on the same or on two label columns) is an ordinary query.

A *side* of a comparison is a judge plus a label column: `label` (canonical: COMPLETE, EVASIVE,
DENIAL, ERROR, UNKNOWN) or `label_raw` (as found, e.g. ERROR_ORIGINAL_MODERATION or REBUTTAL). A
response counts for a pair when both judges judged it (their canonical labels are not null); a
judged response without a raw label shows as `(none)` in a raw column.

Rows of a matrix are judge 1 ("from"), columns judge 2 ("to"). The statistics are small pure
functions over count matrices, each with its formula below.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from toolkit.core.labels import order_key
from toolkit.storage.store import Store, where_clause

LABEL_KINDS = ("label", "label_raw")
MISSING_RAW = "(none)"
# Filters the explorer offers (a subset of store.FILTER_COLUMNS).
FILTERS = ("question_set", "domain", "theme", "model", "lab", "family", "provider", "reasoning")
MAX_PAGE_SIZE = 500


@dataclass(frozen=True)
class Side:
    """One side of a comparison: a judge and which of its label columns."""
    judge: str
    kind: str = "label"


# -- filters ----------------------------------------------------------------------------------
class NoMatch(Exception):
    """A filter value that no row can have (e.g. reasoning='maybe'): the result is empty."""


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "1", "reasoning"):
        return True
    if text in ("false", "no", "0", "non-reasoning"):
        return False
    raise NoMatch(f"reasoning must be yes or no, not {str(value)[:40]!r}")


def clean_filters(filters: Mapping[str, Any] | None) -> dict[str, Any]:
    """Drop empty filters and coerce typed ones, so that any user value is safe to bind.

    String columns take any text (it is bound as a parameter, so quotes or SQL fragments simply
    match nothing). `reasoning` takes yes/no/true/false; `variation` an integer; anything else
    raises NoMatch (an empty result), never a database conversion error.
    """
    cleaned: dict[str, Any] = {}
    for name, value in (filters or {}).items():
        if value is None or value == "" or (isinstance(value, (list, tuple, set)) and not value):
            continue
        values = list(value) if isinstance(value, (list, tuple, set)) else [value]
        if name == "reasoning":
            values = sorted({_as_bool(v) for v in values})
        elif name == "variation":
            try:
                values = [int(v) for v in values]
            except (TypeError, ValueError):
                raise NoMatch(f"variation must be a number, not {str(values)[:40]!r}") from None
        else:
            values = [str(v) for v in values]
        cleaned[name] = values if len(values) > 1 else values[0]
    where_clause(cleaned)  # raises ValueError on an unknown filter name
    return cleaned


# -- SQL fragments (identifiers come from the store, never from user text) ---------------------
def _value_sql(store: Store, side: Side) -> str:
    column = store.judge_column(side.judge, side.kind)
    return column if side.kind == "label" else f"coalesce({column}, '{MISSING_RAW}')"


def _both_judged_sql(store: Store, side1: Side, side2: Side) -> str:
    columns = {store.judge_column(s.judge, "label") for s in (side1, side2)}
    return " AND ".join(f"{c} IS NOT NULL" for c in sorted(columns))


# -- transition matrix ------------------------------------------------------------------------
def transition_rows(store: Store, side1: Side, side2: Side,
                    filters: Mapping[str, Any] | None = None) -> list[tuple[str, str, int]]:
    """(from_label, to_label, n) over the responses both judges judged, filtered: one GROUP BY."""
    try:
        where, params = where_clause(clean_filters(filters))
    except NoMatch:
        return []
    return store.rows(
        f"SELECT {_value_sql(store, side1)} AS from_label, {_value_sql(store, side2)} AS to_label, "
        f"count(*)::BIGINT AS n FROM response_view WHERE {_both_judged_sql(store, side1, side2)}{where} "
        "GROUP BY ALL",
        params,
    )


def transition_counts(store: Store, side1: Side, side2: Side, filters: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Long counts (from_label, to_label, n) over the responses both judges judged, filtered."""
    rows = transition_rows(store, side1, side2, filters)
    return pd.DataFrame({"from_label": pd.Series([str(r[0]) for r in rows], dtype=str),
                         "to_label": pd.Series([str(r[1]) for r in rows], dtype=str),
                         "n": pd.Series([int(r[2]) for r in rows], dtype="int64")})


def sort_labels(labels: Iterable[str]) -> list[str]:
    """Canonical order first (COMPLETE, EVASIVE, ... UNKNOWN), then the rest alphabetically."""
    return sorted(set(labels), key=lambda label: (order_key(label), label))


def matrix_from_counts(counts: pd.DataFrame) -> pd.DataFrame:
    """A square count matrix: rows judge 1 (from), columns judge 2 (to), labels of both sides.

    Square (the union of both sides' labels) so that the diagonal is agreement and kappa is defined.
    """
    return _square(list(zip(counts["from_label"], counts["to_label"], counts["n"])))


def _square(rows: list[tuple[str, str, int]]) -> pd.DataFrame:
    labels = sort_labels([r[0] for r in rows] + [r[1] for r in rows])
    index = {label: i for i, label in enumerate(labels)}
    m = np.zeros((len(labels), len(labels)), dtype="int64")
    for source, target, n in rows:
        m[index[source], index[target]] += int(n)
    return pd.DataFrame(m, index=pd.Index(labels, name="from"), columns=pd.Index(labels, name="to"))


def transition_matrix(store: Store, side1: Side, side2: Side, filters: Mapping[str, Any] | None = None) -> pd.DataFrame:
    return _square(transition_rows(store, side1, side2, filters))


def row_percentages(matrix: pd.DataFrame) -> pd.DataFrame:
    """pct[i, j] = 100 * m[i, j] / sum_j m[i, j] (0 for an empty row)."""
    totals = matrix.sum(axis=1).replace(0, np.nan)
    return (matrix.div(totals, axis=0) * 100).fillna(0.0)


# -- two-judge statistics ---------------------------------------------------------------------
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


def per_label_scores(matrix: pd.DataFrame) -> pd.DataFrame:
    """Judge 2 scored against judge 1 as the reference, per label L:

        precision = M[L, L] / (column sum of L)   (of what judge 2 called L, judge 1 agreed)
        recall    = M[L, L] / (row sum of L)      (of what judge 1 called L, judge 2 found)
        F1        = 2 P R / (P + R)
    support = row sum (judge 1's count), predicted = column sum (judge 2's count). 0/0 is NaN.
    """
    m = matrix.to_numpy(dtype=float)
    hits = np.diag(m)
    support, predicted = m.sum(axis=1), m.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(predicted > 0, hits / predicted, np.nan)
        recall = np.where(support > 0, hits / support, np.nan)
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), np.nan)
    f1 = np.where(np.isnan(precision) | np.isnan(recall), np.nan, f1)
    return pd.DataFrame({
        "label": list(matrix.index), "support": support.astype("int64"), "predicted": predicted.astype("int64"),
        "precision": precision, "recall": recall, "f1": f1,
    })


# -- many-judge statistics --------------------------------------------------------------------
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


def joint_labels(store: Store, judges: list[str] | None = None, filters: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """The joint distribution of the judges' canonical labels: one row per combination, with `n`.

    Columns are the judge names (null = not judged) and n. One scan of response_view serves the
    pairwise kappa matrix, Fleiss' kappa, Krippendorff's alpha and gold accuracy.
    """
    judges = list(judges if judges is not None else store.judge_names())
    rows = _joint_rows(store, judges, filters)
    if not rows:
        return pd.DataFrame({**{j: pd.Series(dtype=object) for j in judges}, "n": pd.Series(dtype="int64")})
    # Labels as plain objects (None = not judged): the statistics index them, nothing else.
    frame = pd.DataFrame.from_records(rows, columns=judges + ["n"]).astype({j: object for j in judges})
    return frame.astype({"n": "int64"})


def _joint_rows(store: Store, judges: list[str], filters: Mapping[str, Any] | None) -> list[tuple]:
    """(label of each judge or None, ..., n) per combination: the rows of `joint_labels`."""
    columns = [store.judge_column(j, "label") for j in judges]
    if not columns:
        return []
    try:
        where, params = where_clause(clean_filters(filters))
    except NoMatch:
        return []
    any_judged = " OR ".join(f"{c} IS NOT NULL" for c in columns)
    return store.rows(
        f"SELECT {', '.join(columns)}, count(*)::BIGINT AS n FROM response_view "
        f"WHERE ({any_judged}){where} GROUP BY ALL",
        params,
    )


def _row_codes(rows: list[tuple], judges: list[str]) -> tuple[np.ndarray, int, np.ndarray]:
    """Joint rows (label or None per judge, ..., n) as integer codes (-1 = not judged) with one
    code book shared by all judges, the number of labels k, and the weights n."""
    labels = sort_labels(v for row in rows for v in row[:-1] if v is not None)
    index = {label: i for i, label in enumerate(labels)}
    codes = np.array([[-1 if v is None else index[v] for v in row[:-1]] for row in rows], dtype=np.int64)
    return codes.reshape(len(rows), len(judges)), len(labels), np.array([row[-1] for row in rows], dtype=float)


def _codes(joint: pd.DataFrame, judges: list[str]) -> tuple[np.ndarray, int]:
    """The judges' labels as integer codes (-1 = not judged), columns in `judges` order, and k.

    One shared code book over all judges, so any two columns index the same k x k matrix.
    """
    values = joint[judges].to_numpy(dtype=object) if judges else np.zeros((len(joint), 0), dtype=object)
    rows = [(*(v if pd.notna(v) else None for v in row), 0) for row in values]
    codes, k, _ = _row_codes(rows, judges)
    return codes, k


def _pair_counts(codes: np.ndarray, weights: np.ndarray, a: int, b: int, k: int) -> np.ndarray:
    """k x k matrix of column a's codes (rows) against column b's, weighted by n, both judged."""
    both = (codes[:, a] >= 0) & (codes[:, b] >= 0)
    cells = codes[both, a] * k + codes[both, b]
    return np.bincount(cells, weights=weights[both], minlength=k * k).reshape(k, k)


def pairwise_kappa(joint: pd.DataFrame) -> pd.DataFrame:
    """Long table (judge_a, judge_b, n, agreement, kappa) for every ordered pair, diagonal included."""
    judges = [c for c in joint.columns if c != "n"]
    codes, k = _codes(joint, judges)
    return pd.DataFrame(_pairwise_rows(codes, joint["n"].to_numpy(dtype=float), judges, k),
                        columns=["judge_a", "judge_b", "n", "agreement", "kappa"])


def _pairwise_rows(codes: np.ndarray, weights: np.ndarray, judges: list[str], k: int) -> list[dict[str, Any]]:
    rows = []
    for i, a in enumerate(judges):
        for j, b in enumerate(judges):
            m = _pair_counts(codes, weights, i, j, k)
            rows.append({"judge_a": a, "judge_b": b, "n": int(m.sum()),
                         "agreement": raw_agreement(m), "kappa": cohen_kappa(m)})
    return rows


def _label_counts(codes: np.ndarray, k: int) -> np.ndarray:
    """Per joint row, how many judges gave each of the k labels (codes: -1 = not judged)."""
    table = np.zeros((len(codes), k))
    for column in codes.T:
        judged = column >= 0
        np.add.at(table, (np.nonzero(judged)[0], column[judged]), 1)
    return table


def many_judge_agreement(joint: pd.DataFrame) -> dict[str, Any]:
    """Fleiss' kappa over the responses judged by every judge, Krippendorff's alpha over all
    responses judged by at least two (alpha tolerates missing judgements)."""
    judges = [c for c in joint.columns if c != "n"]
    codes, k = _codes(joint, judges)
    return _many_judge_agreement(codes, k, joint["n"].to_numpy(dtype=float), judges)


def _many_judge_agreement(codes: np.ndarray, k: int, weights: np.ndarray, judges: list[str]) -> dict[str, Any]:
    table = _label_counts(codes, k)
    judged = (codes >= 0).sum(axis=1)
    everyone = judged == len(judges)
    return {
        "judges": judges,
        "n_all_judged": int(weights[everyone].sum()),
        "fleiss_kappa": fleiss_kappa(table[everyone], weights[everyone]) if len(judges) >= 2 else math.nan,
        "n_pairable": int(weights[judged >= 2].sum()) if judges else 0,
        "krippendorff_alpha": krippendorff_alpha_nominal(table, weights),
    }


def gold_accuracy(joint: pd.DataFrame, human_judges: Iterable[str]) -> pd.DataFrame:
    """Each judge against each human (gold) judge: n both judged, accuracy = p_o, and kappa."""
    judges = [c for c in joint.columns if c != "n"]
    codes, k = _codes(joint, judges)
    return pd.DataFrame(_gold_rows(codes, joint["n"].to_numpy(dtype=float), judges, k, human_judges),
                        columns=["gold", "judge", "n", "accuracy", "kappa"])


def _gold_rows(codes: np.ndarray, weights: np.ndarray, judges: list[str], k: int,
               human_judges: Iterable[str]) -> list[dict[str, Any]]:
    rows = []
    for gold in human_judges:
        if gold not in judges:
            continue
        for j, judge in enumerate(judges):
            if judge == gold:
                continue
            m = _pair_counts(codes, weights, judges.index(gold), j, k)
            if m.sum():
                rows.append({"gold": gold, "judge": judge, "n": int(m.sum()),
                             "accuracy": raw_agreement(m), "kappa": cohen_kappa(m)})
    return rows


# -- reports ----------------------------------------------------------------------------------
def _number(value: Any) -> Any:
    """JSON-friendly: NaN -> None, numpy scalars -> Python."""
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else round(float(value), 6)
    return value


def empty_message(side1: Side, side2: Side, filters: Mapping[str, Any] | None) -> str:
    active = {k: v for k, v in (filters or {}).items() if v not in (None, "", [])}
    where = f" under the filters {json.dumps(active, default=str)}" if active else ""
    return f"No response was judged by both {side1.judge} and {side2.judge}{where}."


def matrix_dict(matrix: pd.DataFrame) -> dict[str, dict[str, int]]:
    return {str(f): {str(t): int(matrix.at[f, t]) for t in matrix.columns} for f in matrix.index}


def agreement_report(store: Store, side1: Side, side2: Side, filters: Mapping[str, Any] | None = None,
                     bootstrap: int = 0, seed: int = 0) -> dict[str, Any]:
    """Everything about one pair: n, agreement, kappa with its interval(s), matrix, per-label scores."""
    return report_from_matrix(transition_matrix(store, side1, side2, filters), side1, side2, filters, bootstrap, seed)


def report_from_matrix(matrix: pd.DataFrame, side1: Side, side2: Side, filters: Mapping[str, Any] | None = None,
                       bootstrap: int = 0, seed: int = 0) -> dict[str, Any]:
    """The report of `agreement_report` from a matrix already counted (the tab reuses its matrix)."""
    m = matrix.to_numpy()
    n = int(m.sum())
    report: dict[str, Any] = {
        "judge1": side1.judge, "label1": side1.kind, "judge2": side2.judge, "label2": side2.kind,
        "filters": {k: v for k, v in (filters or {}).items() if v not in (None, "", [])},
        "n": n,
        "agreement": _number(raw_agreement(m)),
        "cohen_kappa": _number(cohen_kappa(m)),
        "kappa_se": _number(kappa_standard_error(m)),
        "kappa_ci95": [_number(x) for x in kappa_interval(m)],
    }
    if bootstrap:
        report["kappa_ci95_bootstrap"] = [_number(x) for x in kappa_bootstrap_interval(m, bootstrap, seed)]
    report["matrix"] = matrix_dict(matrix)
    report["per_label"] = [{k: _number(v) for k, v in row.items()} for row in per_label_scores(matrix).to_dict("records")]
    if not n:
        report["message"] = empty_message(side1, side2, filters)
    return report


def all_judges_report(store: Store, filters: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Pairwise kappa over all judges, Fleiss' kappa / Krippendorff's alpha, gold accuracy."""
    judges = store.judge_names()
    codes, k, weights = _row_codes(_joint_rows(store, judges, filters), judges)
    return {
        "pairwise": [{k: _number(v) for k, v in r.items()} for r in _pairwise_rows(codes, weights, judges, k)],
        **{k: _number(v) for k, v in _many_judge_agreement(codes, k, weights, judges).items()},
        "gold_accuracy": [{k: _number(v) for k, v in r.items()}
                          for r in _gold_rows(codes, weights, judges, k, store.judge_names("human"))],
    }


# -- drill-down -------------------------------------------------------------------------------
@dataclass
class CellPage:
    total: int                      # items in the cell (no cap)
    page: int                       # 1-based, clamped to [1, pages]
    pages: int
    page_size: int
    items: pd.DataFrame             # one row per response of this page
    judgements: pd.DataFrame = field(default_factory=pd.DataFrame)  # every judge's label and analysis

    def judgements_of(self, response_id: str) -> pd.DataFrame:
        return self.judgements[self.judgements["response_id"] == response_id]


ITEM_COLUMNS = ["response_id", "question_set", "question_id", "theme", "domain", "question", "model",
                "provider", "content", "from_label", "to_label"]


def _cell_sql(store: Store, side1: Side, side2: Side, filters: Mapping[str, Any] | None) -> tuple[str, list[Any]]:
    where, params = where_clause(clean_filters(filters))
    sql = (f"FROM response_view WHERE {_both_judged_sql(store, side1, side2)} "
           f"AND {_value_sql(store, side1)} = ? AND {_value_sql(store, side2)} = ?{where}")
    return sql, params


ITEM_ORDER = "response_id"


def cell_page(store: Store, side1: Side, side2: Side, from_label: str, to_label: str,
              filters: Mapping[str, Any] | None = None, page: int = 1, page_size: int = 50,
              total: int | None = None) -> CellPage:
    """One page of the responses in cell (from_label, to_label), ordered by response id (stable).

    Paged on the server with LIMIT/OFFSET over the in-memory response_view: any page of any cell
    is reachable, there is no cap. The texts are then fetched for the page's ids only. `total`, the
    cell's count, may be given by a caller that has the transition matrix (it is then not counted
    again); it must come from the same judges, label columns and filters.
    """
    page_size = max(1, min(int(page_size), MAX_PAGE_SIZE))
    empty = CellPage(0, 1, 1, page_size, pd.DataFrame(columns=ITEM_COLUMNS),
                     pd.DataFrame(columns=["response_id", "judge", "judge_type", "label", "label_raw", "analysis"]))
    try:
        cell, params = _cell_sql(store, side1, side2, filters)
    except NoMatch:
        return empty
    params = [str(from_label), str(to_label)] + params
    if total is None:  # a caller that has the transition matrix already knows it
        total = int(store.scalar(f"SELECT count(*) {cell}", params))
    if not total:
        return empty
    pages = max(1, math.ceil(total / page_size))
    page = max(1, min(int(page), pages))
    # Sort only the ids (a top-N over one column), then read the page's 50 rows by id. Small results
    # are handled as tuples: data frames are built once, at the end (Python time is what a busy
    # explorer runs out of first).
    ids = [row[0] for row in store.rows(f"SELECT response_id {cell} ORDER BY {ITEM_ORDER} LIMIT ? OFFSET ?",
                                        params + [page_size, (page - 1) * page_size])]
    marks = ", ".join("?" for _ in ids)
    rows = store.rows(
        f"""
        SELECT v.response_id, v.question_set, v.question_id, v.theme, v.domain, q.text AS question, v.model,
               v.provider, {_value_sql(store, side1)} AS from_label, {_value_sql(store, side2)} AS to_label
        FROM response_view v LEFT JOIN questions q USING (question_uid)
        WHERE v.response_id BETWEEN ? AND ? AND v.response_id IN ({marks})
        ORDER BY v.{ITEM_ORDER}
        """,
        [min(ids), max(ids), *ids],
    )
    ids = [row[0] for row in rows]
    contents = {r["response_id"]: r["content"] for r in store.records_by_response_id("responses", ["content"], ids)}
    items = pd.DataFrame([(*row[:8], contents.get(row[0]), *row[8:]) for row in rows], columns=ITEM_COLUMNS,
                         dtype=object)
    return CellPage(total, page, pages, page_size, items, judgements_for(store, ids))


JUDGEMENT_COLUMNS = ["response_id", "judge", "judge_type", "label", "label_raw", "analysis"]


def judgements_for(store: Store, response_ids: list[str]) -> pd.DataFrame:
    """Every judge's label and analysis for these responses: a judge's newest row (ties: the largest
    assessment id), the row the store keeps in response_view."""
    rows = store.records_by_response_id("assessments", JUDGEMENT_COLUMNS + ["timestamp", "assessment_id"],
                                        response_ids)
    newest: dict[tuple[str, str], dict] = {}
    for row in rows:
        key = (row["response_id"], row["judge"])
        rank = (row["timestamp"] or "", row["assessment_id"])
        if key not in newest or rank > (newest[key]["timestamp"] or "", newest[key]["assessment_id"]):
            newest[key] = row
    kept = [newest[key] for key in sorted(newest)]
    return pd.DataFrame([[row[c] for c in JUDGEMENT_COLUMNS] for row in kept], columns=JUDGEMENT_COLUMNS,
                        dtype=object)


def cell_items_frame(store: Store, side1: Side, side2: Side, from_label: str, to_label: str,
                     filters: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """All items of a cell as one flat table (the CSV download): the item columns plus both judges'
    analyses. No cap, so a huge cell gives a huge file."""
    try:
        cell, params = _cell_sql(store, side1, side2, filters)
    except NoMatch:
        return pd.DataFrame(columns=ITEM_COLUMNS)
    frame = store.query(
        f"""
        WITH ids AS (SELECT response_id, question_uid, question_set, question_id, theme, domain, model, provider,
                            {_value_sql(store, side1)} AS from_label, {_value_sql(store, side2)} AS to_label {cell})
        SELECT ids.response_id, ids.question_set, ids.question_id, ids.theme, ids.domain, q.text AS question,
               ids.model, ids.provider, r.content, ids.from_label, ids.to_label
        FROM ids LEFT JOIN questions q USING (question_uid) LEFT JOIN responses r USING (response_id)
        ORDER BY ids.response_id
        """,
        [str(from_label), str(to_label)] + params,
    )[ITEM_COLUMNS]
    # Judgements joined on the server, so that a huge cell does not bind millions of ids.
    judgements = store.query(
        f"""SELECT response_id, judge, analysis FROM assessments
            WHERE response_id IN (SELECT response_id {cell})
            QUALIFY row_number() OVER (PARTITION BY response_id, judge
                                       ORDER BY coalesce(timestamp, '') DESC, assessment_id DESC) = 1""",
        [str(from_label), str(to_label)] + params,
    )
    for side, name in ((side1, "judge1"), (side2, "judge2")):
        mine = judgements[judgements["judge"] == side.judge][["response_id", "analysis"]]
        frame = frame.merge(mine.rename(columns={"analysis": f"{name}_analysis"}), on="response_id", how="left")
    frame.insert(frame.columns.get_loc("from_label"), "judge1", side1.judge)
    frame.insert(frame.columns.get_loc("to_label"), "judge2", side2.judge)
    return frame
