"""The lab index (SpeechMap's "Free Speech Index") and the labs' monthly trajectories.

Per lab (`unknown` and models without release date skipped), eligible when its latest release is
within 6 months of the as-of date; window = [latest release - 6 months, latest]; unweighted mean of
model % COMPLETE per release month; gap-aware EMA over those months with a 3-month half-life,
seeded by the first month (toolkit.stats.ema). Sorted by index, then peak, then lab.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Sequence

import pandas as pd

from toolkit.core.filters import FilterInput
from toolkit.core.schema import UNKNOWN_LAB
from toolkit.query.inputs import default_as_of, model_metadata, to_date
from toolkit.query.scores import model_domain_scores, model_scores
from toolkit.stats.ema import HALF_LIFE_MONTHS, ema_alpha, gap_aware_ema, months_before
from toolkit.stats.ranks import competition_ranks
from toolkit.storage.store import Store

WINDOW_MONTHS = 6
LAB_COLUMNS = ["lab", "lab_name", "index", "peak", "models_in_window", "window_start", "window_end",
               "rank", "peak_model"]


@dataclass(frozen=True)
class _LabModel:
    model: str
    lab: str
    lab_name: str | None
    release: dt.date
    score: float


def _lab_models(scores: pd.DataFrame, as_of: dt.date) -> dict[str, list[_LabModel]]:
    """Models that count for labs, per lab: a known lab (not `unknown`), a release date on or
    before as_of, a score. Plain Python: a few hundred rows, where pandas' per-group cost dominates."""
    names = scores["lab_name"] if "lab_name" in scores else [None] * len(scores)
    labs: dict[str, list[_LabModel]] = {}
    for model, lab, name, release, score in zip(scores["model"], scores["lab"], names,
                                                 scores["release_date"], scores["pct_complete"]):
        release = to_date(release)
        if (lab is None or pd.isna(lab) or str(lab).strip().lower() == UNKNOWN_LAB or release is None
                or release > as_of or score is None or pd.isna(score)):
            continue
        name = None if name is None or pd.isna(name) else name
        labs.setdefault(str(lab), []).append(_LabModel(model, str(lab), name, release, float(score)))
    return labs


def _monthly_means(models: list[_LabModel]) -> list[tuple[dt.date, float, int]]:
    """(first day of release month, unweighted mean of model % COMPLETE, models) in month order."""
    months: dict[dt.date, list[float]] = {}
    for m in models:
        months.setdefault(dt.date(m.release.year, m.release.month, 1), []).append(m.score)
    return [(month, sum(values) / len(values), len(values)) for month, values in sorted(months.items())]


def _as_of_or_newest(scores: pd.DataFrame, as_of: dt.date | str | None) -> dt.date | None:
    if as_of is not None:
        return to_date(as_of)
    dates = [d for d in map(to_date, scores["release_date"]) if d is not None] if len(scores) else []
    return max(dates) if dates else None


def _lab_name(models: list[_LabModel]) -> str:
    return next((m.lab_name for m in models if m.lab_name), models[0].lab)


def lab_index(scores: pd.DataFrame, as_of: dt.date | str | None = None,
              window_months: int = WINDOW_MONTHS, half_life_months: float = HALF_LIFE_MONTHS) -> pd.DataFrame:
    """The lab index from model scores (columns model, lab, lab_name, release_date, pct_complete).

    For each lab except `unknown`, over models with a release date on or before as_of (default:
    the newest release date in `scores`): eligible when the latest release >= as_of - window;
    window = [latest - window, latest]; index = gap-aware EMA (half-life `half_life_months`) of
    the monthly unweighted means of % COMPLETE in the window; peak = best model score in the
    window. Sorted by index (desc), peak (desc), lab; rank = competition rank of (index, peak).
    """
    as_of = _as_of_or_newest(scores, as_of)
    if as_of is None:
        return pd.DataFrame(columns=LAB_COLUMNS)
    alpha = ema_alpha(half_life_months)
    eligible_from = months_before(as_of, window_months)
    rows = []
    for lab, models in _lab_models(scores, as_of).items():
        latest = max(m.release for m in models)
        if latest < eligible_from:
            continue
        start = months_before(latest, window_months)
        window = [m for m in models if start <= m.release <= latest]
        ema = gap_aware_ema([(month, mean) for month, mean, _ in _monthly_means(window)], alpha)[-1]
        best = max(window, key=lambda m: (m.score, m.release, m.model))
        rows.append({"lab": lab, "lab_name": _lab_name(models), "index": ema, "peak": best.score,
                     "models_in_window": len(window), "window_start": start, "window_end": latest,
                     "peak_model": best.model})
    if not rows:
        return pd.DataFrame(columns=LAB_COLUMNS)
    rows.sort(key=lambda r: (-r["index"], -r["peak"], r["lab"]))
    for row, rank in zip(rows, competition_ranks([(r["index"], r["peak"]) for r in rows])):
        row["rank"] = rank
    return pd.DataFrame(rows, columns=LAB_COLUMNS)


def lab_trajectories(scores: pd.DataFrame, as_of: dt.date | str | None = None,
                     half_life_months: float = HALF_LIFE_MONTHS) -> pd.DataFrame:
    """Each lab's monthly trajectory over all its dated models up to as_of: month, monthly mean of
    % COMPLETE, models that month, and the gap-aware EMA after that month (no window)."""
    columns = ["lab", "lab_name", "month", "month_mean", "models", "ema"]
    as_of = _as_of_or_newest(scores, as_of)
    if as_of is None:
        return pd.DataFrame(columns=columns)
    alpha = ema_alpha(half_life_months)
    rows = []
    for lab, models in sorted(_lab_models(scores, as_of).items()):
        monthly = _monthly_means(models)
        series = gap_aware_ema([(m, mean) for m, mean, _ in monthly], alpha)
        name = _lab_name(models)
        rows += [(lab, name, m, mean, k, e) for (m, mean, k), e in zip(monthly, series)]
    return pd.DataFrame(rows, columns=columns)


def labs_report(store: Store, judge: str, question_set: str | Sequence[str] | None = None,
                filters: FilterInput = None, as_of: dt.date | str | None = None) -> pd.DataFrame:
    """The lab index under one judge; as_of defaults to the store's newest release date."""
    scores = model_scores(store, judge, question_set, filters)
    return lab_index(scores, as_of if as_of is not None else default_as_of(store))


def domain_lab_index(store: Store, judge: str, question_set: str | Sequence[str] | None = None,
                     filters: FilterInput = None, as_of: dt.date | str | None = None) -> pd.DataFrame:
    """The lab index computed separately on each domain's model scores (one GROUP BY)."""
    as_of = as_of if as_of is not None else default_as_of(store)
    per_domain = model_domain_scores(store, judge, question_set, filters)
    if per_domain.empty:
        return pd.DataFrame(columns=["domain", *LAB_COLUMNS])
    meta = model_metadata(store)[["model", "lab_name", "release_date"]]
    per_domain = per_domain.merge(meta, on="model", how="left")
    frames = [lab_index(group, as_of).assign(domain=domain)
              for domain, group in per_domain.groupby("domain", sort=True)]
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=["domain", *LAB_COLUMNS])
    return pd.concat(frames, ignore_index=True)[["domain", *LAB_COLUMNS]]
