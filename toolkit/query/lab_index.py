"""The lab index (SpeechMap's "Free Speech Index") and the labs' monthly trajectories.

Per lab (`unknown` and models without release date skipped), eligible when its latest release is
within 6 months of the as-of date; window = [latest release - 6 months, latest]; unweighted mean of
model % COMPLETE per release month; gap-aware EMA over those months with a 3-month half-life,
seeded by the first month (toolkit.stats.ema). Sorted by index, then peak, then lab; the rank is
the position in that order (SpeechMap's rule). Honest numbers: `answers` = judged answers behind
the index; a lab with fewer than `min_n` is listed but not ranked; `with_index_intervals` adds a
95% interval by a bootstrap over questions, `domain_index_intervals` the same per domain, and
`with_off_intervals` one for the pooled % COMPLETE of the labs off the leaderboard.
"""
from __future__ import annotations

import datetime as dt
import functools
import math
from dataclasses import dataclass, replace
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from toolkit.core.filters import FilterInput
from toolkit.core.schema import UNKNOWN_LAB
from toolkit.query.inputs import default_as_of, store_constant, to_date
from toolkit.core.labels import SCORED
from toolkit.query.scores import (PCT, PCT_INTERVAL, QuestionCounts, model_domain_scores, model_scores,
                                  question_counts)
from toolkit.stats.ema import HALF_LIFE_MONTHS, ema_alpha, gap_aware_ema, months_before
from toolkit.stats.intervals import (LEVEL, REPLICATES, SEED, bootstrap_ratios, bootstrap_weights,
                                     cluster_bootstrap_ratio, percentile_interval)
from toolkit.stats.ranks import SPEECHMAP_DECIMALS, competition_ranks, tie_counts
from toolkit.storage.store import Store

WINDOW_MONTHS = 6
OFF_INTERVAL = list(PCT_INTERVAL["COMPLETE"])   # pct_complete_low, pct_complete_high
# SpeechMap's columns, then ours (appended: the report's columns keep their order)
OFF_COLUMNS = ["lab", "lab_name", *PCT.values(), "models", "latest_release", "n", *OFF_INTERVAL]
LAB_COLUMNS = ["lab", "lab_name", "index", "peak", "models_in_window", "window_start", "window_end",
               "rank", "peak_model", "answers", "ranked"]
INDEX_INTERVAL = ["index_low", "index_high"]


@dataclass(frozen=True)
class _LabModel:
    model: str
    lab: str
    lab_name: str | None
    release: dt.date
    score: float
    n: float    # judged answers (NaN when the scores carry no n)


@dataclass(frozen=True)
class _LabWindow:
    lab: str
    name: str
    start: dt.date
    end: dt.date              # the anchor: the lab's latest release
    models: list[_LabModel]   # the lab's models released in [start, end]


def _lab_models(scores: pd.DataFrame, as_of: dt.date) -> dict[str, list[_LabModel]]:
    """Models that count for labs, per lab: a known lab (not `unknown`), a release date on or
    before as_of, a score. Plain Python: a few hundred rows, where pandas' per-group cost dominates."""
    names = scores["lab_name"] if "lab_name" in scores else [None] * len(scores)
    answers = scores["n"] if "n" in scores else [np.nan] * len(scores)
    labs: dict[str, list[_LabModel]] = {}
    for model, lab, name, release, score, n in zip(scores["model"], scores["lab"], names,
                                                    scores["release_date"], scores["pct_complete"], answers):
        release = to_date(release)
        if (lab is None or pd.isna(lab) or str(lab).strip().lower() == UNKNOWN_LAB or release is None
                or release > as_of or score is None or pd.isna(score)):
            continue
        name = None if name is None or pd.isna(name) else name
        labs.setdefault(str(lab), []).append(_LabModel(model, str(lab), name, release, float(score), float(n)))
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


def lab_anchors(scores: pd.DataFrame, as_of: dt.date | str | None = None) -> dict[str, dt.date]:
    """Each lab's latest release on or before as_of among the models in `scores` (the window's end)."""
    as_of = _as_of_or_newest(scores, as_of)
    if as_of is None:
        return {}
    return {lab: max(m.release for m in models) for lab, models in _lab_models(scores, as_of).items()}


def _lab_windows(scores: pd.DataFrame, as_of: dt.date, window_months: int,
                 anchors: Mapping[str, dt.date] | None) -> list[_LabWindow]:
    """The eligible labs' windows (see `lab_index`): anchor >= as_of - window and a model in
    [anchor - window, anchor]."""
    windows = []
    for lab, models in _lab_models(scores, as_of).items():
        latest = max(m.release for m in models) if anchors is None else anchors.get(lab)
        if latest is None or latest < months_before(as_of, window_months):
            continue
        start = months_before(latest, window_months)
        window = [m for m in models if start <= m.release <= latest]
        if window:
            windows.append(_LabWindow(lab, _lab_name(models), start, latest, window))
    return windows


def lab_index(scores: pd.DataFrame, as_of: dt.date | str | None = None,
              window_months: int = WINDOW_MONTHS, half_life_months: float = HALF_LIFE_MONTHS,
              anchors: Mapping[str, dt.date] | None = None, min_n: int = 0) -> pd.DataFrame:
    """The lab index from model scores (columns model, lab, lab_name, release_date, pct_complete; n).

    For each lab except `unknown`, over models with a release date on or before as_of (default:
    the newest release date in `scores`): anchor = the lab's latest release (or `anchors[lab]`,
    e.g. its overall latest when `scores` is one domain's); eligible when anchor >= as_of - window;
    window = [anchor - window, anchor]; index = gap-aware EMA (half-life `half_life_months`) of the
    monthly unweighted means of % COMPLETE in the window; peak = best model score in the window;
    answers = sum of the window models' n. A lab without a model in its window has no index.
    Sorted by index (desc), peak (desc), lab; rank = the position in that order (SpeechMap's: ties
    get distinct ranks in tie-break order). With min_n > 0 a lab with answers < min_n is listed
    after the others, ranked = False, rank <NA>; the others are numbered 1.. among themselves.
    """
    as_of = _as_of_or_newest(scores, as_of)
    if as_of is None:
        return pd.DataFrame(columns=LAB_COLUMNS)
    alpha = ema_alpha(half_life_months)
    return _index_frame([_lab_row(window, alpha, min_n)
                         for window in _lab_windows(scores, as_of, window_months, anchors)])


def _ordered(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`_lab_row`s in the lab index's order, with the rank of each ranked row (see `lab_index`)."""
    rows = sorted(rows, key=lambda r: (not r["ranked"], -r["index"], -r["peak"], r["lab"]))
    for position, row in enumerate(rows, start=1):
        row["rank"] = position if row["ranked"] else pd.NA
    return rows


def _index_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    if not rows:
        return pd.DataFrame(columns=LAB_COLUMNS)
    frame = pd.DataFrame(_ordered(rows), columns=LAB_COLUMNS)
    if not frame["ranked"].all():
        frame["rank"] = frame["rank"].astype("Int64")
    return frame


def _lab_row(window: _LabWindow, alpha: float, min_n: int) -> dict[str, Any]:
    """One lab's index over its window models (see `lab_index`)."""
    models = window.models
    ema = gap_aware_ema([(month, mean) for month, mean, _ in _monthly_means(models)], alpha)[-1]
    best = max(models, key=lambda m: (m.score, m.release, m.model))
    answers = sum(m.n for m in models)
    answers = answers if math.isnan(answers) else int(answers)
    return {"lab": window.lab, "lab_name": window.name, "index": ema, "peak": best.score,
            "models_in_window": len(models), "window_start": window.start, "window_end": window.end,
            "peak_model": best.model, "answers": answers, "ranked": min_n <= 0 or answers >= min_n}


def lab_index_replicates(scores: pd.DataFrame, counts: QuestionCounts, weights: np.ndarray,
                         as_of: dt.date | str | None = None, window_months: int = WINDOW_MONTHS,
                         half_life_months: float = HALF_LIFE_MONTHS,
                         anchors: Mapping[str, dt.date] | None = None) -> dict[str, np.ndarray]:
    """Each lab's index in each bootstrap replicate over questions (one value per row of `weights`,
    toolkit.stats.intervals.bootstrap_weights over `counts.questions`).

    Replicate b: every model's % COMPLETE = 100 x sum_q W[b, q] complete[q, m] / sum_q W[b, q] n[q, m];
    then `lab_index`'s windows (fixed: they depend on release dates only), monthly means and EMA
    from those. A model that drew none of its questions is left out of its month's mean (NaN), a
    month with no model left is skipped (the next month's gap spans it), as `lab_index` does.
    """
    as_of = _as_of_or_newest(scores, as_of)
    if as_of is None:
        return {}
    windows = _lab_windows(scores, as_of, window_months, anchors)
    return _window_replicates(windows, counts, weights, ema_alpha(half_life_months))


def _window_replicates(windows: list[_LabWindow], counts: QuestionCounts, weights: np.ndarray,
                       alpha: float) -> dict[str, np.ndarray]:
    replicate_scores = 100.0 * bootstrap_ratios(counts.complete, counts.n, weights)
    column = {model: i for i, model in enumerate(counts.models)}
    return {window.lab: _replicate_ema(window.models, column, replicate_scores, alpha) for window in windows}


def _replicate_ema(models: list[_LabModel], column: Mapping[str, int], replicate_scores: np.ndarray,
                   alpha: float) -> np.ndarray:
    """`gap_aware_ema` of the monthly means, for all replicates at once (NaN-aware, see above)."""
    replicates = replicate_scores.shape[0]
    ema, previous = np.full(replicates, np.nan), np.zeros(replicates)
    by_month: dict[dt.date, list[int]] = {}
    for m in models:
        by_month.setdefault(dt.date(m.release.year, m.release.month, 1), []).append(column.get(m.model, -1))
    for month, columns in sorted(by_month.items()):
        drawn = replicate_scores[:, [c for c in columns if c >= 0]]
        counted = (~np.isnan(drawn)).sum(axis=1)
        mean = np.where(counted > 0, np.nansum(drawn, axis=1) / np.maximum(counted, 1), np.nan)
        number = month.year * 12 + month.month
        weight = 1.0 - (1.0 - alpha) ** np.maximum(number - previous, 1)   # alpha_d, toolkit.stats.ema
        updated = np.where(np.isnan(ema), mean, ema * (1.0 - weight) + mean * weight)
        ema = np.where(np.isnan(mean), ema, updated)
        previous = np.where(np.isnan(mean), previous, number)
    return ema


def lab_index_intervals(scores: pd.DataFrame, counts: QuestionCounts, as_of: dt.date | str | None = None,
                        window_months: int = WINDOW_MONTHS, half_life_months: float = HALF_LIFE_MONTHS,
                        anchors: Mapping[str, dt.date] | None = None, replicates: int = REPLICATES,
                        seed: int = SEED, level: float = LEVEL) -> pd.DataFrame:
    """lab, index_low, index_high: the percentile interval (`level`, default 95%) of each lab's
    `lab_index_replicates` over `replicates` resamplings of the questions (seeded: reproducible)."""
    weights = bootstrap_weights(len(counts.questions), replicates, seed)
    per_lab = lab_index_replicates(scores, counts, weights, as_of, window_months, half_life_months, anchors)
    return _interval_frame(per_lab, level)


def _interval_frame(per_lab: Mapping[str, np.ndarray], level: float) -> pd.DataFrame:
    if not per_lab:
        return pd.DataFrame(columns=["lab", *INDEX_INTERVAL])
    low, high = percentile_interval(np.column_stack(list(per_lab.values())), level)
    return pd.DataFrame({"lab": list(per_lab), "index_low": low, "index_high": high})


def with_index_intervals(store: Store, judge: str, scores: pd.DataFrame, labs: pd.DataFrame,
                         question_set: str | Sequence[str] | None = None, filters: FilterInput = None,
                         as_of: dt.date | str | None = None, replicates: int = REPLICATES,
                         seed: int = SEED, level: float = LEVEL,
                         counts: QuestionCounts | None = None) -> pd.DataFrame:
    """`labs` (a `lab_index` of `scores`, both under judge, question_set, filters and as_of) with
    index_low and index_high (`lab_index_intervals`, SpeechMap's 6-month window and 3-month
    half-life; NaN with replicates = 0). Reads the per-question counts of the window models only,
    unless `counts` holds them already (`window_models`' question_counts under the same arguments)."""
    as_of = _as_of_or_newest(scores, as_of)
    windows = _lab_windows(scores, as_of, WINDOW_MONTHS, None) if as_of and replicates > 0 and len(labs) else []
    if not windows:
        return labs.assign(index_low=np.nan, index_high=np.nan)  # replaces any older interval
    models = sorted({m.model for window in windows for m in window.models})
    if counts is None:
        counts = question_counts(store, judge, question_set, filters, models)
    counts = _columns_of(counts, models)
    weights = bootstrap_weights(len(counts.questions), replicates, seed)
    per_lab = _window_replicates(windows, counts, weights, ema_alpha(HALF_LIFE_MONTHS))
    intervals = _interval_frame(per_lab, level).set_index("lab")
    return labs.assign(index_low=labs["lab"].map(intervals["index_low"]),   # map: merge costs 10x on 30 rows
                       index_high=labs["lab"].map(intervals["index_high"]))


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
                filters: FilterInput = None, as_of: dt.date | str | None = None, min_n: int = 0,
                replicates: int = REPLICATES, seed: int = SEED) -> pd.DataFrame:
    """The lab index under one judge (`lab_index`, with min_n) and its 95% interval
    (`with_index_intervals`); as_of defaults to the store's newest release date."""
    scores = model_scores(store, judge, question_set, filters)
    as_of = as_of if as_of is not None else default_as_of(store)
    labs = lab_index(scores, as_of, min_n=min_n)
    return with_index_intervals(store, judge, scores, labs, question_set, filters, as_of, replicates, seed)


def domain_lab_index(store: Store, judge: str, question_set: str | Sequence[str] | None = None,
                     filters: FilterInput = None, as_of: dt.date | str | None = None,
                     scores: pd.DataFrame | None = None, per_domain: pd.DataFrame | None = None) -> pd.DataFrame:
    """The lab index computed separately on each domain's model scores (SpeechMap's rule).

    Every domain's window is anchored on the lab's overall latest release (over all its models
    with responses), not on its latest model with responses in that domain; a model without
    responses in a domain is left out of it (not counted as 0). Per domain, rank = competition rank
    of the index rounded to 4 decimals (1, 2, 2, 4) and tied = how many labs share it. `scores` and
    `per_domain`: the same arguments' `model_scores` and `model_domain_scores` when the caller has
    them already (the anchors come from `scores`).
    """
    as_of = as_of if as_of is not None else default_as_of(store)
    columns = ["domain", *LAB_COLUMNS, "tied"]
    if per_domain is None:
        per_domain = model_domain_scores(store, judge, question_set, filters)
    if scores is None:
        scores = model_scores(store, judge, question_set, filters)
    as_of = _as_of_or_newest(scores, as_of)
    if per_domain.empty or as_of is None:
        return pd.DataFrame(columns=columns)
    windows = _lab_windows(scores, as_of, WINDOW_MONTHS, None)   # anchored on each lab's overall latest
    rows = []   # plain rows, one frame at the end: a frame per domain costs 3x the whole computation
    for domain, domain_windows in _domain_windows(windows, per_domain).items():
        ordered = _ordered([_lab_row(w, ema_alpha(HALF_LIFE_MONTHS), 0) for w in domain_windows])
        ranks = competition_ranks([row["index"] for row in ordered], decimals=SPEECHMAP_DECIMALS)
        rows += [{**row, "domain": domain, "rank": rank, "tied": tied}
                 for row, rank, tied in zip(ordered, ranks, tie_counts(ranks))]
    return pd.DataFrame(rows, columns=columns)


def domain_index_intervals(store: Store, judge: str, scores: pd.DataFrame, per_domain: pd.DataFrame,
                           labs: Sequence[str], question_set: str | Sequence[str] | None = None,
                           filters: FilterInput = None, as_of: dt.date | str | None = None,
                           replicates: int = REPLICATES, seed: int = SEED, level: float = LEVEL,
                           counts: QuestionCounts | None = None) -> pd.DataFrame:
    """domain, lab, index_low, index_high: the 95% bootstrap interval over questions of `labs`' index
    in each domain (`domain_lab_index`'s windows; `scores` and `per_domain` as there).

    A question belongs to one domain, so each domain's interval resamples that domain's questions
    only (`replicates` draws, seeded), and every replicate recomputes the domain's model scores,
    monthly means and EMA as `lab_index_replicates` does. `counts`: the `question_counts` of (at
    least) the labs' window models under the same arguments, e.g. kept for every lab
    (`window_models`); else they are read for these labs' window models."""
    columns = ["domain", "lab", *INDEX_INTERVAL]
    as_of = _as_of_or_newest(scores, as_of)
    windows = [w for w in _lab_windows(scores, as_of, WINDOW_MONTHS, None) if w.lab in set(labs)] if as_of else []
    if not windows or replicates <= 0 or per_domain.empty:
        return pd.DataFrame(columns=columns)
    models = sorted({m.model for window in windows for m in window.models})
    if counts is None:
        counts = question_counts(store, judge, question_set, filters, models)
    counts = _columns_of(counts, models)
    domain_of = question_domains(store)
    questions = np.array(counts.questions, dtype=object)
    question_domain = np.array([domain_of[question] for question in counts.questions], dtype=object)
    names, replicated = [], []
    kept = per_domain[per_domain["model"].isin(models)]   # the other models' rows would only be skipped
    for domain, domain_windows in _domain_windows(windows, kept).items():
        rows = question_domain == domain
        inside = QuestionCounts(list(questions[rows]), counts.models, counts.n[rows], counts.complete[rows])
        weights = _bootstrap_weights(int(rows.sum()), replicates, seed)
        for lab, values in _window_replicates(domain_windows, inside, weights, ema_alpha(HALF_LIFE_MONTHS)).items():
            names.append((domain, lab))
            replicated.append(values)
    if not names:
        return pd.DataFrame(columns=columns)
    low, high = percentile_interval(np.column_stack(replicated), level)
    return pd.DataFrame({"domain": [d for d, _ in names], "lab": [lab for _, lab in names],
                         "index_low": low, "index_high": high})


_bootstrap_weights = functools.lru_cache(maxsize=64)(bootstrap_weights)   # by (questions, replicates, seed): read-only


def window_models(scores: pd.DataFrame, as_of: dt.date | str | None = None) -> list[str]:
    """The models in every eligible lab's window (`lab_index`'s, SpeechMap's 6 months), sorted: the
    columns `with_index_intervals` and `domain_index_intervals` read."""
    as_of = _as_of_or_newest(scores, as_of)
    windows = _lab_windows(scores, as_of, WINDOW_MONTHS, None) if as_of else []
    return sorted({m.model for window in windows for m in window.models})


def _columns_of(counts: QuestionCounts, models: Sequence[str]) -> QuestionCounts:
    """`counts` restricted to `models` (those it has) and to the questions they answered: what
    `question_counts` reads for `models` alone (the bootstrap's clusters)."""
    column = {model: i for i, model in enumerate(counts.models)}
    picked = [column[m] for m in models if m in column]
    n = counts.n[:, picked]
    answered = n.sum(axis=1) > 0
    return QuestionCounts([q for q, keep in zip(counts.questions, answered) if keep],
                          [counts.models[i] for i in picked], n[answered], counts.complete[answered][:, picked])


def question_domains(store: Store) -> dict[str, str]:
    """question_uid -> its domain ('(none)' when missing, as in model_domain_scores), read once per store."""
    return store_constant(store, "question_domains", lambda: dict(store.rows(
        "SELECT DISTINCT question_uid, coalesce(domain, '(none)') FROM response_view")))


def _domain_windows(windows: list[_LabWindow], per_domain: pd.DataFrame) -> dict[str, list[_LabWindow]]:
    """domain -> each lab's window restricted to the window models with responses in that domain,
    each model's score and n its domain's (`lab_index` on one domain's scores with the overall
    anchors gives the same windows: the window depends on release dates only). Domains sorted."""
    in_domain: dict[str, dict[str, tuple[float, float]]] = {}
    for domain, model, score, n in zip(per_domain["domain"], per_domain["model"], per_domain["pct_complete"],
                                       per_domain["n"]):
        if not pd.isna(score):
            in_domain.setdefault(domain, {})[model] = (float(score), float(n))
    by_domain: dict[str, list[_LabWindow]] = {}
    for domain, models in sorted(in_domain.items()):
        for window in windows:
            kept = [replace(m, score=models[m.model][0], n=models[m.model][1])
                    for m in window.models if m.model in models]
            if kept:
                by_domain.setdefault(domain, []).append(replace(window, models=kept))
    return by_domain


def _real_lab(lab: Any) -> bool:
    """A creator SpeechMap lists off the leaderboard: truthy and not `unknown` (whitespace counts)."""
    return isinstance(lab, str) and bool(lab) and lab.strip().lower() != UNKNOWN_LAB


def off_leaderboard(scores: pd.DataFrame, labs: pd.DataFrame) -> pd.DataFrame:
    """SpeechMap's "Off the Leaderboard": labs with a real creator (`_real_lab`) absent from the lab
    index `labs` (not eligible, or no dated model), from model scores with n and n_<label> counts.

    Per lab, all-time and response-weighted over its models: pct_label = sum(pct_label x n) / sum(n)
    = sum(n_label) / sum(n) x 100 (pooled counts); models = how many; latest_release = newest release
    date (None when none is dated); n = the pooled responses. Sorted by pct_complete (desc), then lab.
    The interval columns are NaN here: `with_off_intervals` fills them.
    """
    listed = set(labs["lab"])
    off = scores[[_real_lab(lab) and lab not in listed for lab in scores["lab"]]]
    if off.empty:
        return pd.DataFrame(columns=OFF_COLUMNS)
    counts = [f"n_{label.lower()}" for label in SCORED]
    names = off["lab_name"].where(off["lab_name"].notna(), None) if "lab_name" in off else None
    grouped = off.assign(lab_name=names, release=[to_date(d) for d in off["release_date"]]).groupby("lab")
    frame = grouped[["n", *counts]].sum()
    for label, count in zip(SCORED, counts):
        frame[PCT[label]] = frame[count] / frame["n"] * 100.0
    frame["lab_name"] = grouped["lab_name"].agg(lambda v: next((x for x in v if x), None))
    frame["models"] = grouped.size()
    frame["latest_release"] = grouped["release"].agg(lambda v: max((d for d in v if d), default=None))
    frame = frame.reset_index().sort_values(["pct_complete", "lab"], ascending=[False, True])
    return frame.assign(**dict.fromkeys(OFF_INTERVAL, np.nan)).reset_index(drop=True)[OFF_COLUMNS]


def with_off_intervals(store: Store, judge: str, off: pd.DataFrame, scores: pd.DataFrame,
                       question_set: str | Sequence[str] | None = None, filters: FilterInput = None,
                       replicates: int = REPLICATES, seed: int = SEED, level: float = LEVEL,
                       counts: QuestionCounts | None = None) -> pd.DataFrame:
    """`off` (an `off_leaderboard` of `scores`, both under judge, question_set and filters) with the
    95% interval of each lab's pooled % COMPLETE (pct_complete_low/_high; NaN with replicates = 0).
    `counts`: question_counts of (at least) the off labs' models, when read already.

    A bootstrap over questions, not Wilson's interval: a lab's pooled responses are its models'
    answers to the same questions, and those move together (a question one model refuses, its
    siblings tend to refuse too), so counting them as independent draws would make the interval
    too narrow. Each replicate resamples the questions (`replicates`, seeded) and recomputes
    sum_q W[b, q] complete[q, lab] / sum_q W[b, q] n[q, lab] (`pooled_question_counts`); the
    interval is its 2.5th-97.5th percentile. With one answer per question (one model) and many
    questions it comes near Wilson's; its width is 0 when every answer agrees."""
    if off.empty or replicates <= 0:
        return off.assign(**dict.fromkeys(OFF_INTERVAL, np.nan))
    pooled = pooled_question_counts(store, judge, scores, off["lab"].tolist(), question_set, filters, counts)
    low, high = cluster_bootstrap_ratio(pooled.complete, pooled.n, replicates, seed, level)
    ends = dict(zip(pooled.models, zip(low * 100.0, high * 100.0)))
    return off.assign(**{end: [ends.get(lab, (np.nan, np.nan))[i] for lab in off["lab"]]
                         for i, end in enumerate(OFF_INTERVAL)})


def pooled_question_counts(store: Store, judge: str, scores: pd.DataFrame, labs: Sequence[str],
                           question_set: str | Sequence[str] | None = None,
                           filters: FilterInput = None, counts: QuestionCounts | None = None) -> QuestionCounts:
    """`question_counts` of the labs' models in `scores` (or `counts` restricted to them), summed over
    each lab's models: its columns (`models`) are the labs, n[q, lab] and complete[q, lab] the lab's
    answers to question q."""
    members = scores[scores["lab"].isin(set(labs))]
    models = sorted(members["model"])
    counts = (question_counts(store, judge, question_set, filters, models) if counts is None
              else _columns_of(counts, models))
    lab_of = dict(zip(members["model"], members["lab"]))
    labs = list(labs)
    membership = np.zeros((len(counts.models), len(labs)))   # model x lab: 1 where the model is the lab's
    for row, model in enumerate(counts.models):
        membership[row, labs.index(lab_of[model])] = 1.0
    return QuestionCounts(counts.questions, labs, counts.n @ membership, counts.complete @ membership)


def index_and_off(store: Store, judge: str, scores: pd.DataFrame, question_set: str | Sequence[str] | None = None,
                  filters: FilterInput = None, as_of: dt.date | str | None = None,
                  min_n: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The lab index of `scores` (with `min_n`) and the labs off it, each with its 95% interval
    (`with_index_intervals`, `with_off_intervals`), from one read of the per-question counts: the
    index's window models and the off labs' models."""
    labs = lab_index(scores, as_of, min_n=min_n)
    off = off_leaderboard(scores, labs)
    read = {*window_models(scores, as_of), *scores.loc[scores["lab"].isin(set(off["lab"])), "model"]}
    counts = question_counts(store, judge, question_set, filters, sorted(read)) if read else None
    return (with_index_intervals(store, judge, scores, labs, question_set, filters, as_of, counts=counts),
            with_off_intervals(store, judge, off, scores, question_set, filters, counts=counts))


def off_leaderboard_report(store: Store, judge: str, question_set: str | Sequence[str] | None = None,
                           filters: FilterInput = None, as_of: dt.date | str | None = None,
                           replicates: int = REPLICATES, seed: int = SEED) -> pd.DataFrame:
    """`off_leaderboard` under one judge (scores by `model_scores`: skipped models out, moderated
    responses ERROR) with its intervals (`with_off_intervals`); the index it complements uses as_of,
    default the store's newest release date."""
    scores = model_scores(store, judge, question_set, filters)
    off = off_leaderboard(scores, lab_index(scores, as_of if as_of is not None else default_as_of(store)))
    return with_off_intervals(store, judge, off, scores, question_set, filters, replicates, seed)
