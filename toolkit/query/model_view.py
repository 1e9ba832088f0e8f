"""One model under one judge: its header facts and verdict mix, and its per-domain and per-theme
rows with SpeechMap's ranks (`_domain_model_ranks`).

In each domain (or theme), the models with at least one labelled row are ranked by % COMPLETE
rounded to 4 decimals, competition style (1, 2, 2, 4; toolkit.stats.standing.rank_and_ties):
rank = 1 + models strictly above, total = models ranked there, tied = models with the same rounded
score (itself included; the site's "N models share this score" when tied > 1). The models ranked
are those the filters keep, so a lab filter ranks the model among its lab's models.
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import pandas as pd

from toolkit.core.filters import FilterInput
from toolkit.query.inputs import model_metadata
from toolkit.query.scores import PCT, model_domain_scores, model_scores
from toolkit.query.themes import model_theme_scores
from toolkit.stats.standing import rank_and_ties
from toolkit.storage.store import Store

BREAKDOWN_LEVELS = ("domain", "theme")
HEADER_FIELDS = ["model", "lab", "lab_name", "release_date", "reasoning", "n", *PCT.values(),
                 "rank", "total", "tied"]


def model_header(store: Store, judge: str, model: str, question_set: str | Sequence[str] | None = None,
                 filters: FilterInput = None) -> dict[str, Any]:
    """Lab, release date, reasoning, and the model's overall n, shares and standing among all
    models the filters keep (n = 0 and NaN shares when the judge labelled none of its rows)."""
    meta = model_metadata(store)
    row = meta[meta["model"] == model]
    if row.empty:
        raise KeyError(f"unknown model {model!r}: no responses in this data")
    facts = {k: _plain(v) for k, v in row.iloc[0].items() if k in HEADER_FIELDS}
    scores = model_scores(store, judge, question_set, filters)
    own = scores[scores["model"] == model]
    if own.empty:
        return {**facts, "n": 0, **{c: math.nan for c in PCT.values()},
                "rank": None, "total": len(scores), "tied": None}
    rank, total, tied = rank_and_ties(own["pct_complete"].iloc[0], scores["pct_complete"])
    shares = {c: float(own[c].iloc[0]) for c in PCT.values()}
    return {**facts, "n": int(own["n"].iloc[0]), **shares, "rank": rank, "total": total, "tied": tied}


def model_breakdown(store: Store, judge: str, model: str, level: str = "domain",
                    question_set: str | Sequence[str] | None = None,
                    filters: FilterInput = None) -> pd.DataFrame:
    """One row per domain (or theme) where the judge labelled the model's rows: n, % per label,
    rank, total, tied (see the module docstring); sorted by domain (or theme)."""
    if level not in BREAKDOWN_LEVELS:
        raise ValueError(f"breakdown level must be domain or theme, not {level!r}")
    per_model = (model_domain_scores if level == "domain" else model_theme_scores)(
        store, judge, question_set, filters)
    keys = [level] + (["domain"] if level == "theme" else [])
    columns = [*keys, "n", *PCT.values(), "rank", "total", "tied"]
    own = per_model[per_model["model"] == model].sort_values(level)
    if own.empty:
        return pd.DataFrame(columns=columns)
    scores = {key: group.to_numpy() for key, group in per_model.groupby(level)["pct_complete"]}
    standing = [rank_and_ties(score, scores[key]) for key, score in zip(own[level], own["pct_complete"])]
    own = own.assign(rank=[s[0] for s in standing], total=[s[1] for s in standing],
                     tied=[s[2] for s in standing])
    return own[columns].reset_index(drop=True)


def _plain(value: Any) -> Any:
    """A pandas/numpy scalar as plain Python (None for missing)."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.item() if hasattr(value, "item") else value
