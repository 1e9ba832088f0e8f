"""One domain under one judge: its themes and its models, with SpeechMap's medians.

Themes: the theme summary (toolkit.query.themes) of the domain's questions, least answered first.
Models: each model's shares over its responses in the domain, ranked among the models with
responses there (competition ranks on % COMPLETE rounded to 4 decimals, as `_domain_model_ranks`;
total = models ranked, tied = models sharing the rank), most willing first. Medians (SpeechMap's
domain page): the domain median is the median of those models' % COMPLETE in the domain; the global
median is the median of every model's overall % COMPLETE over all domains (with an even count, the
mean of the two middle values); gap = domain median - global median, in points. The models counted
are those the filters keep (other filters apply to the global median too; the domain does not).
The global median does not depend on the domain: it is kept per store (model_view.remembered).
"""
from __future__ import annotations

import dataclasses
import statistics
from typing import Any, Sequence

import pandas as pd

from toolkit.core.filters import FilterInput, Filters
from toolkit.query.inputs import model_metadata
from toolkit.query.model_view import remembered, view_key
from toolkit.query.scores import PCT, model_domain_scores, model_scores
from toolkit.query.themes import theme_summary
from toolkit.storage.store import Store

HEADER_FIELDS = ["domain", "themes", "models", "n", "median_pct_complete", "global_median_pct_complete", "gap"]
THEME_COLUMNS = ["theme", "n", "models", *PCT.values()]
MODEL_COLUMNS = ["model", "lab", "release_date", "n", *PCT.values(), "rank", "total", "tied"]


@dataclasses.dataclass(frozen=True)
class DomainPage:
    header: dict[str, Any]   # HEADER_FIELDS
    themes: pd.DataFrame     # THEME_COLUMNS, least answered first
    models: pd.DataFrame     # MODEL_COLUMNS, most willing first

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"header": pd.DataFrame([self.header]), "themes": self.themes, "models": self.models}


def median(values: Sequence[float]) -> float | None:
    """The middle value, the mean of the two middle ones for an even count; None for no values."""
    return statistics.median(values) if len(values) else None


def overall_median(store: Store, judge: str, question_set: str | Sequence[str] | None, filters: Filters) -> float | None:
    """The median of every model's overall % COMPLETE (scores.model_scores), kept per store."""
    return remembered(store, "overall_median", view_key(judge, question_set, filters),
                      lambda: median(model_scores(store, judge, question_set, filters)["pct_complete"].tolist()))


def domain_page(store: Store, judge: str, domain: str, question_set: str | Sequence[str] | None = None,
                filters: FilterInput = None) -> DomainPage:
    """Header (counts, medians), themes and ranked models of one domain (see the module docstring)."""
    if domain not in store.distinct("domain"):
        raise KeyError(f"unknown domain {domain!r}: no question of this data has it")
    filters = Filters.of(filters)
    inside = dataclasses.replace(filters, domain=(domain,))
    themes = theme_summary(store, judge, question_set, inside)[THEME_COLUMNS].reset_index(drop=True)
    models = model_domain_scores(store, judge, question_set, inside)
    models = models.merge(model_metadata(store)[["model", "release_date"]], on="model", how="left")
    models = models.assign(total=len(models))[MODEL_COLUMNS].reset_index(drop=True)
    domain_median = median(models["pct_complete"].tolist())
    global_median = overall_median(store, judge, question_set, dataclasses.replace(filters, domain=()))
    gap = domain_median - global_median if domain_median is not None and global_median is not None else None
    header = {"domain": domain, "themes": len(themes), "models": len(models), "n": int(models["n"].sum()),
              "median_pct_complete": domain_median, "global_median_pct_complete": global_median, "gap": gap}
    return DomainPage(header, themes, models)
