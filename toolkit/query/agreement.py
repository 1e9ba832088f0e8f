"""Agreement between judges: transition matrices, joint labels and the agreement reports.

Everything reads `response_view` (one row per response, one label column per judge), so a
transition matrix is one GROUP BY over one table, never a self-join of the assessments. Because the
view already holds one label per (response, judge), a judge with duplicate rows counts once, and a
judge compared with itself (on the same or on two label columns) is an ordinary query.

A *side* of a comparison is a judge plus a label column: `label` (canonical: COMPLETE, EVASIVE,
DENIAL, ERROR, UNKNOWN) or `label_raw` (as found, e.g. ERROR_ORIGINAL_MODERATION or REBUTTAL). A
response counts for a pair when both judges judged it (their canonical labels are not null); a
judged response without a raw label shows as `(none)` in a raw column.

Rows of a matrix are judge 1 ("from"), columns judge 2 ("to"). The statistics are pure functions
over count matrices (toolkit.stats.agreement); this module runs the SQL and shapes the reports. The
items behind a cell are in toolkit.query.pages.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any, Iterable

import numpy as np
import pandas as pd

from toolkit.core.filters import FilterInput, Filters, NoMatch
from toolkit.core.labels import order_key
from toolkit.stats.agreement import (
    category_counts,
    cohen_kappa,
    fleiss_kappa,
    kappa_bootstrap_interval,
    kappa_interval,
    kappa_standard_error,
    krippendorff_alpha_nominal,
    pair_counts,
    per_label_scores,
    raw_agreement,
)
from toolkit.storage.store import Store, where_clause

LABEL_KINDS = ("label", "label_raw")
MISSING_RAW = "(none)"


@dataclass(frozen=True)
class Side:
    """One side of a comparison: a judge and which of its label columns."""
    judge: str
    kind: str = "label"


# -- SQL fragments (identifiers come from the store, never from user text) ---------------------
def value_sql(store: Store, side: Side) -> str:
    column = store.judge_column(side.judge, side.kind)
    return column if side.kind == "label" else f"coalesce({column}, '{MISSING_RAW}')"


def both_judged_sql(store: Store, side1: Side, side2: Side) -> str:
    columns = {store.judge_column(s.judge, "label") for s in (side1, side2)}
    return " AND ".join(f"{c} IS NOT NULL" for c in sorted(columns))


# -- transition matrix ------------------------------------------------------------------------
def transition_rows(store: Store, side1: Side, side2: Side,
                    filters: FilterInput = None) -> list[tuple[str, str, int]]:
    """(from_label, to_label, n) over the responses both judges judged, filtered: one GROUP BY."""
    try:
        where, params = where_clause(Filters.of(filters))
    except NoMatch:
        return []
    return store.rows(
        f"SELECT {value_sql(store, side1)} AS from_label, {value_sql(store, side2)} AS to_label, "
        f"count(*)::BIGINT AS n FROM response_view WHERE {both_judged_sql(store, side1, side2)}{where} "
        "GROUP BY ALL",
        params,
    )


def transition_counts(store: Store, side1: Side, side2: Side, filters: FilterInput = None) -> pd.DataFrame:
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


def transition_matrix(store: Store, side1: Side, side2: Side, filters: FilterInput = None) -> pd.DataFrame:
    return _square(transition_rows(store, side1, side2, filters))


def row_percentages(matrix: pd.DataFrame) -> pd.DataFrame:
    """pct[i, j] = 100 * m[i, j] / sum_j m[i, j] (0 for an empty row)."""
    totals = matrix.sum(axis=1).replace(0, np.nan)
    return (matrix.div(totals, axis=0) * 100).fillna(0.0)


def per_label_table(matrix: pd.DataFrame) -> pd.DataFrame:
    """`per_label_scores` of a labelled matrix, one row per label (judge 2 scored against judge 1)."""
    return pd.DataFrame({"label": list(matrix.index), **per_label_scores(matrix.to_numpy())})


# -- joint labels of all judges ---------------------------------------------------------------
def joint_labels(store: Store, judges: list[str] | None = None, filters: FilterInput = None) -> pd.DataFrame:
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


def _joint_rows(store: Store, judges: list[str], filters: FilterInput) -> list[tuple]:
    """(label of each judge or None, ..., n) per combination: the rows of `joint_labels`."""
    columns = [store.judge_column(j, "label") for j in judges]
    if not columns:
        return []
    try:
        where, params = where_clause(Filters.of(filters))
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
            m = pair_counts(codes, weights, i, j, k)
            rows.append({"judge_a": a, "judge_b": b, "n": int(m.sum()),
                         "agreement": raw_agreement(m), "kappa": cohen_kappa(m)})
    return rows


def many_judge_agreement(joint: pd.DataFrame) -> dict[str, Any]:
    """Fleiss' kappa over the responses judged by every judge, Krippendorff's alpha over all
    responses judged by at least two (alpha tolerates missing judgements)."""
    judges = [c for c in joint.columns if c != "n"]
    codes, k = _codes(joint, judges)
    return _many_judge_agreement(codes, k, joint["n"].to_numpy(dtype=float), judges)


def _many_judge_agreement(codes: np.ndarray, k: int, weights: np.ndarray, judges: list[str]) -> dict[str, Any]:
    table = category_counts(codes, k)
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
            m = pair_counts(codes, weights, judges.index(gold), j, k)
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


def shown_filters(filters: FilterInput) -> dict[str, Any]:
    """The active filters as the user gave them (a mapping), or by name for a Filters: for echoes."""
    if isinstance(filters, Filters):
        return filters.as_dict()
    return {k: v for k, v in (filters or {}).items() if v not in (None, "", [])}


def empty_message(side1: Side, side2: Side, filters: FilterInput) -> str:
    active = shown_filters(filters)
    where = f" under the filters {json.dumps(active, default=str)}" if active else ""
    return f"No response was judged by both {side1.judge} and {side2.judge}{where}."


def matrix_dict(matrix: pd.DataFrame) -> dict[str, dict[str, int]]:
    return {str(f): {str(t): int(matrix.at[f, t]) for t in matrix.columns} for f in matrix.index}


def agreement_report(store: Store, side1: Side, side2: Side, filters: FilterInput = None,
                     bootstrap: int = 0, seed: int = 0) -> dict[str, Any]:
    """Everything about one pair: n, agreement, kappa with its interval(s), matrix, per-label scores."""
    return report_from_matrix(transition_matrix(store, side1, side2, filters), side1, side2, filters, bootstrap, seed)


def report_from_matrix(matrix: pd.DataFrame, side1: Side, side2: Side, filters: FilterInput = None,
                       bootstrap: int = 0, seed: int = 0) -> dict[str, Any]:
    """The report of `agreement_report` from a matrix already counted (the tab reuses its matrix)."""
    m = matrix.to_numpy()
    n = int(m.sum())
    report: dict[str, Any] = {
        "judge1": side1.judge, "label1": side1.kind, "judge2": side2.judge, "label2": side2.kind,
        "filters": shown_filters(filters),
        "n": n,
        "agreement": _number(raw_agreement(m)),
        "cohen_kappa": _number(cohen_kappa(m)),
        "kappa_se": _number(kappa_standard_error(m)),
        "kappa_ci95": [_number(x) for x in kappa_interval(m)],
    }
    if bootstrap:
        report["kappa_ci95_bootstrap"] = [_number(x) for x in kappa_bootstrap_interval(m, bootstrap, seed)]
    report["matrix"] = matrix_dict(matrix)
    report["per_label"] = [{k: _number(v) for k, v in row.items()} for row in per_label_table(matrix).to_dict("records")]
    if not n:
        report["message"] = empty_message(side1, side2, filters)
    return report


def all_judges_report(store: Store, filters: FilterInput = None) -> dict[str, Any]:
    """Pairwise kappa over all judges, Fleiss' kappa / Krippendorff's alpha, gold accuracy."""
    judges = store.judge_names()
    codes, k, weights = _row_codes(_joint_rows(store, judges, filters), judges)
    return {
        "pairwise": [{k: _number(v) for k, v in r.items()} for r in _pairwise_rows(codes, weights, judges, k)],
        **{k: _number(v) for k, v in _many_judge_agreement(codes, k, weights, judges).items()},
        "gold_accuracy": [{k: _number(v) for k, v in r.items()}
                          for r in _gold_rows(codes, weights, judges, k, store.judge_names("human"))],
    }


