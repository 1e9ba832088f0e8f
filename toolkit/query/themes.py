"""Themes under one judge: SpeechMap's question-theme summary, its release windows, the theme grid.

A theme is a question id without its final digit (four variations in us_hard). Per theme: n = rows
the judge labelled, models = distinct models among them, pct_<label> = n_label / n x 100 with
UNKNOWN in n only (as SpeechMap's `calculate_summaries`). Sorted as the site sorts: ascending by
(pct_complete, theme), the least answered first.

Release windows (SpeechMap's `save_question_theme_bins`): only models released on or after
as_of - N months (day clamped to the month's end, toolkit.stats.ema.months_before); there is no
upper bound, so a model released after as_of still counts. Models without a release date are out.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Sequence

import pandas as pd

from toolkit.core.filters import FilterInput, Filters
from toolkit.core.labels import COMPLETE, DENIAL, ERROR
from toolkit.query.inputs import conditions, default_as_of, to_date
from toolkit.query.scores import PCT, count_columns, scored_label_sql, with_percentages
from toolkit.stats.ema import months_before
from toolkit.storage.store import Store

RELEASE_WINDOWS = (3, 6, 12, 18, 24)   # months, as the site offers them
THEME_COLUMNS = ["theme", "domain", "n", "models", *PCT.values()]
VERDICT_BUCKETS = {COMPLETE: "Answered everything", DENIAL: "Refused everything", ERROR: "Errors only"}
MIXED = "Mixed"


def release_cutoff(store: Store, released_within: int, as_of: dt.date | str | None = None) -> dt.date:
    """The first release day inside the window: as_of - N months (as_of: the newest release date)."""
    day = to_date(as_of) if as_of is not None else default_as_of(store)
    if day is None:
        raise ValueError("no model has a release date: pass --as-of or drop --released-within")
    if released_within < 0:
        raise ValueError(f"the release window must be a number of months >= 0, not {released_within}")
    return months_before(day, released_within)


def _window_conditions(store: Store, question_set, filters: FilterInput, released_within: int | None,
                       as_of) -> tuple[str, list]:
    where, params = conditions(store, question_set, filters)
    if released_within is not None:
        where += " AND release_date >= ?"
        params.append(release_cutoff(store, released_within, as_of))
    return where, params


def theme_summary(store: Store, judge: str, question_set: str | Sequence[str] | None = None,
                  filters: FilterInput = None, released_within: int | None = None,
                  as_of: dt.date | str | None = None) -> pd.DataFrame:
    """One row per theme (THEME_COLUMNS), least answered first (see the module docstring)."""
    label = store.judge_column(judge)
    where, params = _window_conditions(store, question_set, filters, released_within, as_of)
    frame = store.query(
        f"""
        SELECT theme, min(domain) AS domain, count(DISTINCT model) AS models, {count_columns(store, judge)}
        FROM response_view WHERE {label} IS NOT NULL {where}
        GROUP BY theme
        """,
        params,
    )
    frame = with_percentages(frame).sort_values(["pct_complete", "theme"], kind="stable")
    return frame[THEME_COLUMNS].reset_index(drop=True)


def model_theme_scores(store: Store, judge: str, question_set: str | Sequence[str] | None = None,
                       filters: FilterInput = None) -> pd.DataFrame:
    """One row per (theme, model): domain, n, n_<label> counts and % per label (the theme-level
    twin of scores.model_domain_scores)."""
    label = store.judge_column(judge)
    where, params = conditions(store, question_set, filters)
    frame = store.query(
        f"""
        SELECT theme, min(domain) AS domain, model, {count_columns(store, judge)}
        FROM response_view WHERE {label} IS NOT NULL {where}
        GROUP BY theme, model
        """,
        params,
    )
    return with_percentages(frame).sort_values(["theme", "model"]).reset_index(drop=True)


def verdict_bucket(labels: Sequence[str]) -> str:
    """SpeechMap's per-theme verdict of one model: all COMPLETE, all DENIAL or all ERROR name the
    bucket; anything else (any EVASIVE or UNKNOWN, or a mix) is Mixed."""
    distinct = set(labels)
    return VERDICT_BUCKETS.get(distinct.pop(), MIXED) if len(distinct) == 1 else MIXED


GRID_COLUMNS = ["model", "lab", "variation", "question_id", "response_id", "label"]
THEME_MODEL_COLUMNS = ["model", "lab", "n", *PCT.values(), "verdict"]


@dataclasses.dataclass(frozen=True)
class ThemeView:
    grid: pd.DataFrame     # one row per labelled response: model x variation (GRID_COLUMNS)
    models: pd.DataFrame   # one row per model (THEME_MODEL_COLUMNS), least answered first


def theme_view(store: Store, judge: str, theme: str, question_set: str | Sequence[str] | None = None,
               filters: FilterInput = None) -> ThemeView:
    """Every model's verdicts on one theme's variations (the scored label: a moderated response is
    ERROR), and per model its shares and verdict bucket, sorted ascending by (pct_complete, model) as SpeechMap's theme page lists them."""
    label = store.judge_column(judge)
    filters = dataclasses.replace(Filters.of(filters), theme=(theme,))
    where, params = conditions(store, question_set, filters)
    grid = store.query(
        f"""
        SELECT model, lab, variation, question_id, response_id, {scored_label_sql(store, judge)} AS label
        FROM response_view WHERE {label} IS NOT NULL {where}
        ORDER BY model, variation, question_id, response_id
        """,
        params,
    )
    verdicts = grid.groupby("model")["label"].agg(lambda labels: verdict_bucket(labels.tolist()))
    labs = grid.groupby("model")["lab"].first()
    models = model_theme_scores(store, judge, question_set, filters)
    models = models.assign(lab=models["model"].map(labs), verdict=models["model"].map(verdicts))
    models = models.sort_values(["pct_complete", "model"], kind="stable").reset_index(drop=True)
    return ThemeView(grid[GRID_COLUMNS], models[THEME_MODEL_COLUMNS])
