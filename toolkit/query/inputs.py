"""What every score query starts from: the question set default, the filters' WHERE clause, each
model's metadata and the as-of day. Per-store values are computed once (the store is read-only)."""
from __future__ import annotations

import dataclasses
import datetime as dt
import weakref
from typing import Any, Sequence

import pandas as pd

from toolkit.core.filters import FilterInput, Filters
from toolkit.storage.store import Store, where_clause

DEFAULT_QUESTION_SET = "us_hard"
ALL_SETS = "all"

# Per-store constants (the store is read-only): computed once, not on every judge switch.
_CONSTANTS: "weakref.WeakKeyDictionary[Store, dict[str, Any]]" = weakref.WeakKeyDictionary()


def store_constant(store: Store, name: str, compute) -> Any:
    """compute() once per store and name."""
    cache = _CONSTANTS.setdefault(store, {})
    if name not in cache:
        cache[name] = compute()
    return cache[name]


def model_metadata(store: Store) -> pd.DataFrame:
    """One row per model that has responses: model, lab (`unknown` when missing), lab_name,
    release_date (a date or None), reasoning. Joined to the per-model counts after the GROUP BY,
    so that the scans group by model only."""
    def compute() -> pd.DataFrame:
        frame = store.query(
            "SELECT model, any_value(lab) AS lab, any_value(lab_name) AS lab_name, "
            "any_value(release_date) AS release_date, any_value(reasoning) AS reasoning "
            "FROM response_view GROUP BY model")
        frame["release_date"] = frame["release_date"].map(to_date).astype(object)
        frame["reasoning"] = frame["reasoning"].astype("boolean")
        return frame
    return store_constant(store, "model_metadata", compute)


def resolve_question_set(store: Store, question_set: str | Sequence[str] | None) -> str | list[str] | None:
    """None -> us_hard, or all sets (None) where the data has no us_hard; "all" -> all sets."""
    if question_set is None:
        has_default = store_constant(store, "has_default_set", lambda: bool(store.scalar(
            "SELECT count(*) FROM response_view WHERE question_set = ?", [DEFAULT_QUESTION_SET])))
        return DEFAULT_QUESTION_SET if has_default else None
    if question_set == ALL_SETS:
        return None
    wanted = [question_set] if isinstance(question_set, str) else list(question_set)
    known = store_constant(store, "question_sets", lambda: set(store.distinct("question_set")))
    unknown = [name for name in wanted if name not in known]
    if unknown:  # an empty table would look like an answer
        raise ValueError(f"unknown question set {unknown[0][:80]!r}; the data has: {', '.join(sorted(known))}")
    return question_set if isinstance(question_set, str) else wanted


def conditions(store: Store, question_set: Any, filters: FilterInput,
               keep_skipped: bool = False) -> tuple[str, list[Any]]:
    """The WHERE conditions (' AND ...') and parameters of a score query.

    The question set is its own argument (it has a default, see `resolve_question_set`), so
    `filters` must not carry one. Models with SpeechMap's `skip` flag are left out, unless
    `keep_skipped` (a comparison of judges, not a SpeechMap score).
    """
    filters = Filters.of(filters)
    if filters.question_set:
        raise ValueError("pass the question set as question_set, not as a filter")
    chosen = resolve_question_set(store, question_set)
    sets = () if chosen is None else (chosen,) if isinstance(chosen, str) else tuple(chosen)
    where, params = where_clause(dataclasses.replace(filters, question_set=sets))
    return where + (" AND NOT skip" if store.has_skip and not keep_skipped else ""), params


def default_as_of(store: Store) -> dt.date | None:
    """The newest release date among the models that have responses (the lab index's default day)."""
    return store_constant(store, "as_of", lambda: to_date(store.scalar(
        "SELECT max(release_date) FROM response_view WHERE NOT skip")))


def lab_colors(store: Store) -> dict[str, str]:
    """Lab -> colour from the model metadata (labs without a colour are absent)."""
    def compute() -> dict[str, str]:
        frame = store.query(
            "SELECT lab, any_value(lab_color) AS color FROM models "
            "WHERE lab IS NOT NULL AND lab_color IS NOT NULL GROUP BY lab")
        return dict(zip(frame["lab"], frame["color"]))
    return dict(store_constant(store, "lab_colors", compute))


def to_date(value: Any) -> dt.date | None:
    """A date from a date, datetime, timestamp or ISO string; None for missing values."""
    if value is None or value is pd.NaT or (not isinstance(value, (str, dt.date)) and pd.isna(value)):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, pd.Timestamp):
        return value.date()
    return dt.date.fromisoformat(str(value)[:10])
