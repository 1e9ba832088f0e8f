"""One model under one judge: its header facts and verdict mix, and its per-domain and per-theme
rows with SpeechMap's ranks (`_domain_model_ranks`).

Overall and in each domain (or theme), the models with at least one labelled row are ranked by
% COMPLETE rounded to 4 decimals, competition style (1, 2, 2, 4; the rule of
toolkit.stats.ranks.rank_and_ties): with s = round(., 4), rank = 1 + #{models: s > s(own)},
total = models ranked there, tied = #{models: s = s(own)} (itself included; the site's "N models
share this score" when tied > 1). The models ranked
are those the filters keep, so a lab filter ranks the model among its lab's models.
Honest numbers (the dashboard's, beside SpeechMap's): `ModelPage.honest` holds the overall 95%
Wilson interval of each share and the overall standing among the models with at least `min_n`
judged answers only (a model below it is not ranked).
"""
from __future__ import annotations

import dataclasses
import math
import threading
from collections import Counter, OrderedDict
from typing import Any, Sequence

import pandas as pd

from toolkit.core.filters import FilterInput, Filters
from toolkit.core.labels import CANONICAL, COMPLETE
from toolkit.query.inputs import conditions, model_metadata, store_constant
from toolkit.query.scores import (INTERVAL_COLUMNS, PCT, count_columns, scored_label_sql, with_intervals,
                                  with_percentages)
from toolkit.stats.ranks import SPEECHMAP_DECIMALS
from toolkit.storage.store import Store

BREAKDOWN_LEVELS = ("domain", "theme")
OVERALL = ("all", "")  # the standings key of the models' overall scores
OVERALL_BY_N = ("all", "by n")  # overall (rounded % COMPLETE, n) pairs: the base of a minimum n
HONEST_FIELDS = ["n", *INTERVAL_COLUMNS, "ranked", "rank", "total", "tied"]
NO_DOMAIN = "(none)"   # as scores.model_domain_scores names a missing domain
HEADER_FIELDS = ["model", "lab", "lab_name", "release_date", "reasoning", "n", *PCT.values(),
                 "rank", "total", "tied"]
# (level, domain or theme) -> {every model's % COMPLETE rounded to 4 decimals: how many models have it}
Standings = dict[tuple[str, str], Counter]


@dataclasses.dataclass(frozen=True)
class ModelPage:
    header: dict[str, Any]   # HEADER_FIELDS
    domain: pd.DataFrame     # per domain: n, shares, rank, total, tied
    theme: pd.DataFrame      # per theme (with its domain): the same
    honest: dict[str, Any] = dataclasses.field(default_factory=dict)  # HONEST_FIELDS (`honest_standing`)

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"header": pd.DataFrame([self.header]), "domain": self.domain, "theme": self.theme}


def model_page(store: Store, judge: str, model: str, question_set: str | Sequence[str] | None = None,
               filters: FilterInput = None, min_n: int = 0) -> ModelPage:
    """The header and both breakdowns, all models' scores read once (see `standings`), and the
    honest figures under `min_n` (`honest_standing`)."""
    filters = Filters.of(filters)
    ranked = standings(store, judge, question_set, filters)
    own = own_scores(store, judge, model, question_set, filters)
    return ModelPage(model_header(store, judge, model, question_set, filters, ranked, own),
                     *(model_breakdown(store, judge, model, level, question_set, filters, ranked, own)
                       for level in BREAKDOWN_LEVELS), honest_standing(own, ranked, min_n))


def honest_standing(own: pd.DataFrame, ranked: Standings, min_n: int = 0) -> dict[str, Any]:
    """HONEST_FIELDS of the model's overall row of `own_scores`: n, the 95% Wilson interval of each
    share (scores.with_intervals), and (rank, total, tied) among the models with n >= min_n
    (`overall_standing`); ranked = False and rank, tied None when its own n < min_n (or 0)."""
    overall = own[own["level"] == OVERALL[0]]
    kept = overall_standing(ranked, min_n)
    if overall.empty:
        return {"n": 0, **dict.fromkeys(INTERVAL_COLUMNS, math.nan), "ranked": False, "rank": None,
                "total": sum(kept.values()), "tied": None}
    row = with_intervals(overall).iloc[0]
    n = int(row["n"])
    figures = {"n": n, **{c: float(row[c]) for c in INTERVAL_COLUMNS}}
    if n < max(min_n, 1):
        return {**figures, "ranked": False, "rank": None, "total": sum(kept.values()), "tied": None}
    rank, total, tied = placed(row["pct_complete"], kept)
    return {**figures, "ranked": True, "rank": rank, "total": total, "tied": tied}


def overall_standing(ranked: Standings, min_n: int = 0) -> Counter:
    """The overall standing (rounded % COMPLETE -> models) of the models with n >= min_n only."""
    if min_n <= 0:
        return ranked.get(OVERALL, Counter())
    kept: Counter = Counter()
    for (score, n), models in ranked.get(OVERALL_BY_N, Counter()).items():
        if n >= min_n:
            kept[score] += models
    return kept


KEPT = 32   # results kept per store and kind (judge x question set x filters), least recently used out
_KEPT_LOCK = threading.Lock()


def kept(store: Store, kind: str) -> OrderedDict:
    """The store's kept results of one kind, least recently used first (a benchmark clears them to
    time a first visit)."""
    return store_constant(store, f"kept_{kind}", OrderedDict)


def remembered(store: Store, kind: str, key: tuple, compute) -> Any:
    """compute(), kept per store under (kind, key) for the next call: what a view computes over all
    models does not depend on the model (or lab, or domain) it shows, and the store is read-only, so
    a kept result never goes stale. Callers must not modify it."""
    results = kept(store, kind)
    with _KEPT_LOCK:
        if key in results:
            results.move_to_end(key)
            return results[key]
    value = compute()
    with _KEPT_LOCK:
        results[key] = value
        while len(results) > KEPT:
            results.popitem(last=False)
    return value


def view_key(judge: str | None, question_set: str | Sequence[str] | None, filters: FilterInput, *rest) -> tuple:
    """A hashable key of a view's inputs."""
    sets = question_set if question_set is None or isinstance(question_set, str) else tuple(question_set)
    return (judge, sets, Filters.of(filters), *rest)


def standings(store: Store, judge: str, question_set: str | Sequence[str] | None = None,
              filters: FilterInput = None) -> Standings:
    """Every model's % COMPLETE overall, per domain and per theme (`scan_standings`), kept per store
    (`remembered`): the next model page under the same judge and filters only reads its own rows."""
    return remembered(store, "standings", view_key(judge, question_set, filters),
                      lambda: scan_standings(store, judge, question_set, filters))


def scan_standings(store: Store, judge: str, question_set: str | Sequence[str] | None = None,
                   filters: FilterInput = None) -> Standings:
    """Every model's % COMPLETE overall, per domain and per theme, in one scan (grouping sets). The
    models' (n, n_complete) pairs come back counted, a few per theme instead of one row per model,
    so that ranking one model does not ship the models x themes table to pandas."""
    label = store.judge_column(judge)
    where, params = conditions(store, question_set, filters)
    pairs = store.rows(
        f"""
        WITH per AS (
            SELECT GROUPING(theme, domain) AS level, theme, domain, model, count(*) AS n,
                   count(*) FILTER (WHERE {scored_label_sql(store, judge)} = '{COMPLETE}') AS k
            FROM response_view WHERE {label} IS NOT NULL {where}
            GROUP BY GROUPING SETS ((theme, model), (domain, model), (model)))
        SELECT level, theme, domain, n, k, count(*) AS models FROM per GROUP BY ALL
        """,
        params,
    )
    # GROUPING(theme, domain) is 1 for the (theme, model) set, 2 for (domain, model), 3 for (model).
    # Rounded once per distinct (n, k) pair, not once per model: ranking is then a few dict lookups.
    ranked: Standings = {}
    for level, theme, domain, n, k, models in pairs:
        key = {1: ("theme", theme), 2: ("domain", domain or NO_DOMAIN), 3: OVERALL}[level]
        ranked.setdefault(key, Counter())[_rounded(k / n * 100.0)] += models  # as scores.with_percentages
        if key == OVERALL:
            ranked.setdefault(OVERALL_BY_N, Counter())[(_rounded(k / n * 100.0), n)] += models
    return ranked


def _rounded(score: float) -> float:
    return round(float(score), SPEECHMAP_DECIMALS)


def placed(score: float, scores: Counter) -> tuple[int, int, int]:
    """(rank, total, tied) of `score` among the rounded scores of a standing (see the module
    docstring; the same figures as toolkit.stats.ranks.rank_and_ties over the expanded values)."""
    own = _rounded(score)
    return 1 + sum(n for s, n in scores.items() if s > own), sum(scores.values()), scores[own]


def model_header(store: Store, judge: str, model: str, question_set: str | Sequence[str] | None = None,
                 filters: FilterInput = None, ranked: Standings | None = None,
                 own: pd.DataFrame | None = None) -> dict[str, Any]:
    """Lab, release date, reasoning, and the model's overall n, shares and standing among all
    models the filters keep (n = 0 and NaN shares when the judge labelled none of its rows)."""
    meta = model_metadata(store)
    row = meta[meta["model"] == model]
    if row.empty:
        raise KeyError(f"unknown model {model!r}: no responses in this data")
    facts = {k: plain_value(v) for k, v in row.iloc[0].items() if k in HEADER_FIELDS}
    own = own if own is not None else own_scores(store, judge, model, question_set, filters)
    own = own[own["level"] == OVERALL[0]]
    ranked = ranked if ranked is not None else standings(store, judge, question_set, filters)
    if own.empty:
        return {**facts, "n": 0, **{c: math.nan for c in PCT.values()},
                "rank": None, "total": sum(ranked.get(OVERALL, Counter()).values()), "tied": None}
    rank, total, tied = placed(own["pct_complete"].iloc[0], ranked[OVERALL])
    shares = {c: float(own[c].iloc[0]) for c in PCT.values()}
    return {**facts, "n": int(own["n"].iloc[0]), **shares, "rank": rank, "total": total, "tied": tied}


def model_breakdown(store: Store, judge: str, model: str, level: str = "domain",
                    question_set: str | Sequence[str] | None = None, filters: FilterInput = None,
                    ranked: Standings | None = None, own: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per domain (or theme) where the judge labelled the model's rows: n, % per label,
    rank, total, tied (see the module docstring); sorted by domain (or theme)."""
    if level not in BREAKDOWN_LEVELS:
        raise ValueError(f"breakdown level must be domain or theme, not {level!r}")
    keys = [level] + (["domain"] if level == "theme" else [])
    columns = [*keys, "n", *PCT.values(), "rank", "total", "tied"]
    own = own if own is not None else own_scores(store, judge, model, question_set, filters)
    own = own[own["level"] == level].assign(**{level: lambda f: f["key"]})
    if own.empty:
        return pd.DataFrame(columns=columns)
    ranked = ranked if ranked is not None else standings(store, judge, question_set, filters)
    placed_rows = [placed(score, ranked[(level, key)]) for key, score in zip(own[level], own["pct_complete"])]
    own = own.assign(rank=[p[0] for p in placed_rows], total=[p[1] for p in placed_rows],
                     tied=[p[2] for p in placed_rows])
    return own.sort_values(level)[columns].reset_index(drop=True)


def own_scores(store: Store, judge: str, model: str, question_set: str | Sequence[str] | None = None,
               filters: FilterInput = None) -> pd.DataFrame:
    """The model's label counts and % per label overall (level `all`), per domain and per theme
    (level, key; a theme's domain in `domain`), in one scan; empty when the filters leave it out."""
    filters = Filters.of(filters)
    if filters.model and model not in filters.model:
        return pd.DataFrame(columns=["level", "key", "domain", "n", *PCT.values()])
    label = store.judge_column(judge)
    where, params = conditions(store, question_set, dataclasses.replace(filters, model=(model,)))
    frame = store.query(
        f"""
        SELECT GROUPING(theme, domain) AS grouping_set, CAST(theme AS VARCHAR) AS theme_key,
               CAST(domain AS VARCHAR) AS domain_key, CAST(min(domain) AS VARCHAR) AS theme_domain,
               {count_columns(store, judge)}
        FROM response_view WHERE {label} IS NOT NULL {where}
        GROUP BY GROUPING SETS ((theme), (domain), ())
        """,
        params,
    )
    # GROUPING(theme, domain): 1 for the (theme) set, 2 for (domain), 3 for ()
    frame["level"] = frame["grouping_set"].map({1: "theme", 2: "domain", 3: OVERALL[0]})
    frame["key"] = [theme if g == 1 else (domain or NO_DOMAIN) if g == 2 else OVERALL[1]
                    for g, theme, domain in zip(frame["grouping_set"], frame["theme_key"], frame["domain_key"])]
    return with_percentages(frame.rename(columns={"theme_domain": "domain"}))


def plain_value(value: Any) -> Any:
    """A pandas/numpy scalar as plain Python (None for missing)."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    return value.item() if hasattr(value, "item") else value


# -- the model's responses, by verdict, and where the judges disagree about it -------------------
RESPONSE_COLUMNS = ["response_id", "question_id", "theme", "domain", "variation", "question", "content", "label"]
DISAGREEMENT_COLUMNS = ["response_id", "question_id", "theme", "domain", "question", "content"]
MAX_PAGE_SIZE = 100


@dataclasses.dataclass(frozen=True)
class ResponsePage:
    total: int            # responses that match (no cap)
    page: int             # 1-based, clamped to [1, pages]
    pages: int
    page_size: int
    items: pd.DataFrame   # one row per response of this page, ordered by question id, then response id


def page_bounds(total: int, page: Any, page_size: Any) -> tuple[int, int, int]:
    """(page, pages, page_size): page_size clamped to [1, MAX_PAGE_SIZE], pages = ceil(total /
    page_size) (at least 1), page clamped to [1, pages] (a non-number is page 1)."""
    size = max(1, min(int(page_size), MAX_PAGE_SIZE))
    pages = max(1, math.ceil(total / size))
    try:
        wanted = int(page)
    except (TypeError, ValueError):
        wanted = 1
    return max(1, min(wanted, pages)), pages, size


def verdict_counts(store: Store, judge: str, model: str, question_set: str | Sequence[str] | None = None,
                   filters: FilterInput = None) -> dict[str, int]:
    """How many of the model's responses carry each scored label (moderated -> ERROR), every label
    of CANONICAL present (0 when none)."""
    where, params = conditions(store, question_set, dataclasses.replace(Filters.of(filters), model=(model,)))
    scored = scored_label_sql(store, judge)
    counts = dict(store.rows(f"SELECT CAST({scored} AS VARCHAR), count(*) FROM response_view "
                             f"WHERE {store.judge_column(judge)} IS NOT NULL {where} GROUP BY 1", params))
    return {label: int(counts.get(label, 0)) for label in CANONICAL}


def model_responses(store: Store, judge: str, model: str, verdict: str,
                    question_set: str | Sequence[str] | None = None, filters: FilterInput = None,
                    page: Any = 1, page_size: int = 10) -> ResponsePage:
    """One page of the model's responses whose scored label (the label its score counts: a moderated
    response is ERROR) is `verdict`, with question and answer text; the same rows as its score."""
    if verdict not in CANONICAL:
        raise ValueError(f"verdict must be one of {', '.join(CANONICAL)}, not {verdict!r}")
    where, params = conditions(store, question_set, dataclasses.replace(Filters.of(filters), model=(model,)))
    scored = scored_label_sql(store, judge)
    matching = f"FROM response_view WHERE {store.judge_column(judge)} IS NOT NULL AND {scored} = ? {where}"
    params = [verdict, *params]
    total = int(store.scalar(f"SELECT count(*) {matching}", params))
    page, pages, size = page_bounds(total, page, page_size)
    rows = store.rows(
        f"""
        WITH picked AS (SELECT response_id, question_uid, question_id, theme, domain, variation {matching}
                        ORDER BY question_id, response_id LIMIT ? OFFSET ?)
        SELECT p.response_id, p.question_id, p.theme, p.domain, p.variation, q.text
        FROM picked p LEFT JOIN questions q USING (question_uid) ORDER BY p.question_id, p.response_id
        """,
        [*params, size, (page - 1) * size],
    )
    items = [(*row, content, verdict) for row, content in zip(rows, _contents(store, rows))]
    return ResponsePage(total, page, pages, size, pd.DataFrame(items, columns=RESPONSE_COLUMNS, dtype=object))


def judge_disagreements(store: Store, model: str, judges: Sequence[str] | None = None,
                        question_set: str | Sequence[str] | None = None, filters: FilterInput = None,
                        page: Any = 1, page_size: int = 10) -> ResponsePage:
    """One page of the model's responses on which the judges disagree: at least two distinct labels
    among the judges (default: all) that labelled it. Each judge's own label (before the moderation
    rule, as the explorer compares judges), one column per judge named after it; skipped models are
    included (a comparison of judges, not a score)."""
    judges = list(judges) if judges else store.judge_names()
    labels = [f"CAST({store.judge_column(j)} AS VARCHAR)" for j in judges]
    where, params = conditions(store, question_set, dataclasses.replace(Filters.of(filters), model=(model,)),
                               keep_skipped=True)
    matching = f"FROM response_view WHERE len(list_distinct([{', '.join(labels)}])) > 1 {where}"
    total = int(store.scalar(f"SELECT count(*) {matching}", params)) if len(judges) > 1 else 0
    page, pages, size = page_bounds(total, page, page_size)
    if not total:
        return ResponsePage(0, page, pages, size, pd.DataFrame(columns=[*DISAGREEMENT_COLUMNS, *judges]))
    rows = store.rows(
        f"""
        WITH picked AS (SELECT response_id, question_uid, question_id, theme, domain, {', '.join(labels)} {matching}
                        ORDER BY question_id, response_id LIMIT ? OFFSET ?)
        SELECT p.* EXCLUDE (question_uid), q.text FROM picked p LEFT JOIN questions q USING (question_uid)
        ORDER BY p.question_id, p.response_id
        """,
        [*params, size, (page - 1) * size],
    )
    # (id, question_id, theme, domain, *labels, question) -> the DISAGREEMENT_COLUMNS, then the labels
    items = [(*row[:4], row[-1], content, *row[4:-1]) for row, content in zip(rows, _contents(store, rows))]
    return ResponsePage(total, page, pages, size,
                        pd.DataFrame(items, columns=[*DISAGREEMENT_COLUMNS, *judges], dtype=object))



def _contents(store: Store, rows: list[tuple]) -> list[Any]:
    """The answer text of each row's response (row[0] its id), read by id: only the row groups that
    hold the page's ids (the explorer's fast path)."""
    ids = [row[0] for row in rows]
    texts = {r["response_id"]: r["content"] for r in store.records_by_response_id("responses", ["content"], ids)}
    return [texts.get(response_id) for response_id in ids]
