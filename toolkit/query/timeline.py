"""The timeline under one judge: each dated model's metric against its release date, and per
release month the unweighted mean of the models' values and the gap-aware EMA (3-month half-life),
overall and per lab: the same EMA as the lab index (lab_index.lab_trajectories, fed the chosen
metric), as SpeechMap's timeline draws it. No time window: every dated model counts; models without
a release date are left out, and the lab `unknown` has no line of its own (it is in the overall one).
"""
from __future__ import annotations

from typing import Sequence

import pandas as pd

from toolkit.core.filters import FilterInput
from toolkit.query.lab_index import lab_trajectories
from toolkit.query.scores import model_scores
from toolkit.storage.store import Store

METRICS = {"complete": "pct_complete", "evasive": "pct_evasive", "denial": "pct_denial",
           "error": "pct_error"}
POINT_COLUMNS = ["model", "lab", "lab_name", "release_date", "n", "value"]
MONTH_COLUMNS = ["series", "lab", "lab_name", "month", "month_mean", "models", "ema"]
OVERALL = "all"   # the series of every dated model; per-lab rows have series "lab"


def timeline_points(store: Store, judge: str, metric: str = "complete",
                    question_set: str | Sequence[str] | None = None,
                    filters: FilterInput = None) -> pd.DataFrame:
    """One row per model with a release date: its `metric` share (value, in %), by release date."""
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {', '.join(METRICS)}, not {metric!r}")
    scores = model_scores(store, judge, question_set, filters)
    points = scores[scores["release_date"].notna()].assign(value=scores[METRICS[metric]])
    return points.sort_values(["release_date", "model"])[POINT_COLUMNS].reset_index(drop=True)


def timeline_months(points: pd.DataFrame) -> pd.DataFrame:
    """Per release month (its first day): mean of the points' values, models, EMA after that month;
    first the overall series (lab None), then one per lab (MONTH_COLUMNS)."""
    if points.empty:
        return pd.DataFrame(columns=MONTH_COLUMNS)
    as_values = points.assign(pct_complete=points["value"])  # lab_trajectories averages pct_complete
    overall = lab_trajectories(as_values.assign(lab=OVERALL, lab_name="All models"))
    overall = overall.assign(series=OVERALL, lab=None)
    per_lab = lab_trajectories(as_values).assign(series="lab")
    return pd.concat([overall, per_lab], ignore_index=True)[MONTH_COLUMNS]
