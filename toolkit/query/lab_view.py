"""One lab under one judge: its models, its lab index per domain, and its lab index under every judge.

The lab index and its per-domain twin are SpeechMap's (toolkit.query.lab_index: window = the 6
months up to the lab's latest release on or before as-of, gap-aware EMA of the monthly means of
model % COMPLETE; per domain the same window, a model counting only where it has responses). Labs
are ranked among every lab the filters keep, so a lab filter is not needed (and would rank the lab
alone). Per domain, the mix is SpeechMap's: the four shares pooled over the lab's window models'
responses in that domain (response-weighted, not the EMA). Per judge: the index, its rank and the
number of labs ranked, from every model's score under every judge read in one GROUP BY. What does
not depend on the lab (every lab's index, overall, per domain, per judge) is kept per store
(model_view.remembered): the next lab under the same judge only picks its rows.
Honest numbers (the dashboard's, beside SpeechMap's): `lab_standing` gives the lab's index with its
95% bootstrap interval over questions, the answers behind it, and its rank among the labs with at
least `min_n` answers (lab_index.lab_index's min_n, lab_index.with_index_intervals); per domain, the
lab's index has its own 95% bootstrap interval over that domain's questions
(lab_index.domain_index_intervals, computed for the lab shown only) beside the answers behind it (n).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import math
from typing import Any, Sequence

import pandas as pd

from toolkit.core.filters import FilterInput, Filters
from toolkit.core.labels import SCORED
from toolkit.query.inputs import default_as_of, model_metadata, to_date
from toolkit.query.lab_index import (INDEX_INTERVAL, domain_index_intervals, domain_lab_index, lab_index,
                                     window_models, with_index_intervals)
from toolkit.query.model_view import plain_value, remembered, view_key
from toolkit.query.scores import (PCT, QuestionCounts, model_domain_scores, model_scores, question_counts,
                                  with_percentages)
from toolkit.query.sensitivity import judge_scores
from toolkit.storage.store import Store

HEADER_FIELDS = ["lab", "lab_name", "models", "n", *PCT.values(), "index", "rank", "labs", "peak", "peak_model",
                 "models_in_window", "window_start", "window_end", "as_of"]
MODEL_COLUMNS = ["model", "release_date", "reasoning", "n", *PCT.values(), "rank", "total", "tied", "in_window"]
DOMAIN_COLUMNS = ["domain", "index", "rank", "labs", "tied", "models_in_window", "n", *PCT.values(), *INDEX_INTERVAL]
JUDGE_COLUMNS = ["judge", "index", "rank", "labs", "models_in_window", "peak"]
STANDING_FIELDS = ["index", "index_low", "index_high", "answers", "ranked", "rank", "labs"]


@dataclasses.dataclass(frozen=True)
class LabPage:
    header: dict[str, Any]   # HEADER_FIELDS (index fields None when the lab is not in the index)
    models: pd.DataFrame     # the lab's models (MODEL_COLUMNS), newest release first
    domains: pd.DataFrame    # the lab's index per domain with its interval (DOMAIN_COLUMNS), domains alphabetical
    judges: pd.DataFrame     # the lab's index under every judge (JUDGE_COLUMNS)

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"header": pd.DataFrame([self.header]), "models": self.models, "domains": self.domains,
                "judges": self.judges}


def lab_names(store: Store) -> list[str]:
    """Every lab that has a model with responses, sorted."""
    return sorted(str(lab) for lab in model_metadata(store)["lab"].dropna().unique())


def lab_page(store: Store, judge: str, lab: str, question_set: str | Sequence[str] | None = None,
             filters: FilterInput = None, as_of: dt.date | str | None = None) -> LabPage:
    """Header, models, per-domain index and per-judge index of one lab (see the module docstring)."""
    if lab not in lab_names(store):
        raise KeyError(f"unknown lab {lab!r}: no model of it has responses in this data")
    filters = Filters.of(filters)
    as_of = to_date(as_of) if as_of is not None else default_as_of(store)
    every = every_lab(store, judge, question_set, filters, as_of)
    standing = every.labs[every.labs["lab"] == lab]
    header = lab_header(store, lab, every.scores, standing, len(every.labs), as_of)
    counts = window_counts(store, judge, question_set, filters, as_of)   # kept: the next lab reuses them
    intervals = domain_index_intervals(store, judge, every.scores, every.model_domains, [lab], question_set,
                                       filters, as_of, counts=counts)
    return LabPage(header, lab_models(every.scores, lab, standing),
                   lab_domains(lab, every, intervals),
                   lab_judges(store, lab, question_set, filters, as_of))


@dataclasses.dataclass(frozen=True)
class EveryLab:
    scores: pd.DataFrame       # every model's score (scores.model_scores)
    labs: pd.DataFrame         # the lab index (lab_index.lab_index)
    per_domain: pd.DataFrame   # the lab index per domain (lab_index.domain_lab_index) with `labs` ranked there
    model_domains: pd.DataFrame  # every model's counts per domain (scores.model_domain_scores)


def every_lab(store: Store, judge: str, question_set: str | Sequence[str] | None, filters: Filters,
              as_of: dt.date | None) -> EveryLab:
    """Every lab's standing under one judge, kept per store (it does not depend on the lab shown)."""
    def compute() -> EveryLab:
        model_domains = model_domain_scores(store, judge, question_set, filters)
        scores = model_scores(store, judge, question_set, filters, per_domain=model_domains)
        labs = lab_index(scores, as_of) if as_of is not None else pd.DataFrame(columns=["lab"])
        per_domain = domain_lab_index(store, judge, question_set, filters, as_of, scores, model_domains)
        per_domain = per_domain.assign(labs=per_domain.groupby("domain")["lab"].transform("size"))
        return EveryLab(scores, labs, per_domain, model_domains)
    return remembered(store, "labs", view_key(judge, question_set, filters, as_of), compute)


def window_counts(store: Store, judge: str, question_set: str | Sequence[str] | None, filters: Filters,
                  as_of: dt.date | None) -> QuestionCounts:
    """Per-question counts of every lab's window models (the bootstrap's input for the lab index's
    interval, overall and per domain), kept per store: they do not depend on the lab shown."""
    def compute() -> QuestionCounts:
        scores = every_lab(store, judge, question_set, filters, as_of).scores
        return question_counts(store, judge, question_set, filters, window_models(scores, as_of))
    return remembered(store, "window_counts", view_key(judge, question_set, filters, as_of), compute)


def lab_standing(store: Store, judge: str, lab: str, question_set: str | Sequence[str] | None = None,
                 filters: FilterInput = None, as_of: dt.date | str | None = None,
                 min_n: int = 0) -> dict[str, Any] | None:
    """STANDING_FIELDS of the lab in the lab index with `min_n` and its 95% interval (None when the lab
    has no index); labs = labs ranked (answers >= min_n). Every lab's interval is kept per store."""
    filters = Filters.of(filters)
    as_of = to_date(as_of) if as_of is not None else default_as_of(store)

    def compute() -> pd.DataFrame:
        scores = every_lab(store, judge, question_set, filters, as_of).scores
        labs = lab_index(scores, as_of, min_n=min_n) if as_of is not None else pd.DataFrame(columns=["lab"])
        if not len(labs):
            return labs
        counts = window_counts(store, judge, question_set, filters, as_of)
        return with_index_intervals(store, judge, scores, labs, question_set, filters, as_of, counts=counts)
    labs = remembered(store, "lab_intervals", view_key(judge, question_set, filters, as_of, min_n), compute)
    row = labs[labs["lab"] == lab]
    if row.empty:
        return None
    figures = {f: plain_value(row[f].iat[0]) for f in STANDING_FIELDS if f != "labs"}
    return {**figures, "ranked": bool(figures["ranked"]), "labs": int(labs["ranked"].sum())}


def lab_header(store: Store, lab: str, scores: pd.DataFrame, standing: pd.DataFrame, labs: int,
               as_of: dt.date | None) -> dict[str, Any]:
    """Name, models scored, all-time shares pooled over its models' responses (pct = sum n_label /
    sum n x 100, as SpeechMap's off-the-leaderboard table), and its lab-index row if it has one."""
    meta = model_metadata(store)
    names = meta.loc[(meta["lab"] == lab) & meta["lab_name"].notna(), "lab_name"]
    own = scores[scores["lab"] == lab]
    n = int(own["n"].sum())
    shares = {PCT[label]: (float(own[f"n_{label.lower()}"].sum()) / n * 100.0 if n else math.nan)
              for label in SCORED}
    header = {"lab": lab, "lab_name": names.iat[0] if len(names) else None, "models": len(own), "n": n, **shares,
              "labs": labs, "as_of": as_of}
    fields = ["index", "rank", "peak", "peak_model", "models_in_window", "window_start", "window_end"]
    row = standing.iloc[0] if len(standing) else None
    header.update({f: (plain_value(row[f]) if row is not None else None) for f in fields})
    return {f: header[f] for f in HEADER_FIELDS}


def lab_models(scores: pd.DataFrame, lab: str, standing: pd.DataFrame) -> pd.DataFrame:
    """The lab's models with their overall rank among all models (total = models ranked) and
    whether each is inside the lab index's window; newest release first, undated last."""
    own = scores[scores["lab"] == lab].assign(total=len(scores))
    start, end = ((standing["window_start"].iat[0], standing["window_end"].iat[0]) if len(standing)
                  else (None, None))
    dates = [to_date(d) for d in own["release_date"]]
    own = own.assign(in_window=[bool(start and d and start <= d <= end) for d in dates],
                     _sort=[d or dt.date.min for d in dates])
    own = own.sort_values(["_sort", "model"], ascending=[False, True])
    return own[MODEL_COLUMNS].reset_index(drop=True)


def lab_domains(lab: str, every: EveryLab, intervals: pd.DataFrame) -> pd.DataFrame:
    """The lab's per-domain index, rank among the labs with an index there (labs, tied), the domain's
    mix pooled over the lab's window models' responses there (their per-domain counts), and the
    index's interval (`intervals`: lab_index.domain_index_intervals' rows; NaN where it has none)."""
    own = every.per_domain[every.per_domain["lab"] == lab]
    if own.empty:
        return pd.DataFrame(columns=DOMAIN_COLUMNS)
    start, end = own["window_start"].iat[0], own["window_end"].iat[0]   # one window for every domain
    models = every.scores.loc[(every.scores["lab"] == lab)
                              & every.scores["release_date"].map(lambda d: start <= (to_date(d) or dt.date.min) <= end),
                              "model"]
    counts = ["n", *(f"n_{label.lower()}" for label in SCORED)]
    mix = every.model_domains[every.model_domains["model"].isin(set(models))].groupby("domain")[counts].sum()
    own = own.merge(with_percentages(mix.reset_index())[["domain", "n", *PCT.values()]], on="domain", how="left")
    ends = intervals[intervals["lab"] == lab].set_index("domain")
    own = own.assign(**{end: own["domain"].map(ends[end]).astype(float) for end in INDEX_INTERVAL})
    return own.sort_values("domain")[DOMAIN_COLUMNS].reset_index(drop=True)


def lab_judges(store: Store, lab: str, question_set: str | Sequence[str] | None, filters: Filters,
               as_of: dt.date | None) -> pd.DataFrame:
    """The lab's index, rank, labs ranked, window models and peak under every judge (None where the
    lab has no index under that judge): how much its standing depends on the judge."""
    rows = []
    for judge, labs in labs_by_judge(store, question_set, filters, as_of).items():
        row = labs[labs["lab"] == lab] if len(labs) else labs
        values = ({c: plain_value(row[c].iat[0]) for c in ("index", "rank", "models_in_window", "peak")}
                  if len(row) else dict.fromkeys(("index", "rank", "models_in_window", "peak")))
        rows.append({"judge": judge, "labs": len(labs), **values})
    return pd.DataFrame(rows, columns=JUDGE_COLUMNS)


def labs_by_judge(store: Store, question_set: str | Sequence[str] | None, filters: Filters,
                  as_of: dt.date | None) -> dict[str, pd.DataFrame]:
    """judge -> the lab index under it, from every model's score under every judge (one GROUP BY),
    kept per store."""
    def compute() -> dict[str, pd.DataFrame]:
        scores = judge_scores(store, question_set, filters)
        scores = scores.merge(model_metadata(store)[["model", "lab_name", "release_date"]], on="model", how="left")
        return {judge: (lab_index(scores[scores["judge"] == judge], as_of) if as_of is not None
                        else pd.DataFrame(columns=["lab"])) for judge in store.judge_names()}
    return remembered(store, "labs_by_judge", view_key(None, question_set, filters, as_of), compute)

