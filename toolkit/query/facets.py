"""Facet counts: how many responses each filter value still has under the other filters.

A filter's choices narrow by the *other* filters' selection (its own selection is dropped, so a
visitor can add a second value of the same filter), and count the population the transition
matrix counts: responses both judges judged (canonical labels not null, as in
toolkit.query.agreement). One GROUP BY per filter over `response_view`; the reasoning filter's
three choices (any, yes, no) from one more query.
"""
from __future__ import annotations

import dataclasses
from typing import Iterable

from toolkit.core.filters import FILTER_COLUMNS, REASONING_CHOICES, FilterInput, Filters, NoMatch
from toolkit.query.agreement import Side, both_judged_sql
from toolkit.storage.store import Store, where_clause


def filter_counts(store: Store, side1: Side, side2: Side, filters: FilterInput,
                  names: Iterable[str]) -> dict[str, list[tuple[str, int]]]:
    """Filter name -> [(value, responses)], sorted by value: the values with responses under the
    other filters, plus every selected value of that filter (with 0 when it has none), so that a
    choice never silently disappears."""
    try:
        filters = Filters.of(filters)
    except NoMatch:
        return {name: [] for name in names}
    return {name: _one_filter(store, side1, side2, filters, name) for name in names}


def _one_filter(store: Store, side1: Side, side2: Side, filters: Filters, name: str) -> list[tuple[str, int]]:
    column = FILTER_COLUMNS[name]
    others = dataclasses.replace(filters, **{name: () if name != "reasoning" else None})
    where, params = where_clause(others)
    rows = store.rows(
        f"SELECT {column} AS v, count(*)::BIGINT AS n FROM response_view "
        f"WHERE {both_judged_sql(store, side1, side2)} AND {column} IS NOT NULL{where} GROUP BY ALL",
        params)
    counts = {value: int(n) for value, n in rows}
    chosen = getattr(filters, name)
    for value in (chosen if isinstance(chosen, tuple) else ()):
        counts.setdefault(value, 0)
    return sorted(counts.items(), key=lambda item: str(item[0]))


def reasoning_counts(store: Store, side1: Side, side2: Side, filters: FilterInput) -> list[tuple[str, int]]:
    """[(choice, responses)] for the reasoning filter's choices any, yes, no (REASONING_CHOICES) under
    the other filters: any = every response there (models of unknown reasoning included), yes = of
    reasoning models, no = of the others. All three are listed, with 0 where none is left."""
    try:
        others = dataclasses.replace(Filters.of(filters), reasoning=None)
    except NoMatch:
        return [(choice, 0) for choice in REASONING_CHOICES]
    where, params = where_clause(others)
    column = FILTER_COLUMNS["reasoning"]
    counts = store.rows(
        f"SELECT count(*)::BIGINT, count(*) FILTER (WHERE {column})::BIGINT, "
        f"count(*) FILTER (WHERE NOT {column})::BIGINT FROM response_view "
        f"WHERE {both_judged_sql(store, side1, side2)}{where}", params)[0]
    return [(choice, int(n)) for choice, n in zip(REASONING_CHOICES, counts)]
