"""Ranks, shares and spreads."""
from __future__ import annotations

import math
from collections import Counter
from typing import Any, Sequence

RANK_DECIMALS = 9       # values equal to 9 decimals are ties (floating noise must not split a tie)
SPEECHMAP_DECIMALS = 4  # SpeechMap ranks round(value, 4): values equal to 4 decimals tie


def competition_ranks(keys: Sequence[Any], descending: bool = True, decimals: int = RANK_DECIMALS) -> list[int]:
    """Standard competition ranks (1, 2, 2, 4): rank = 1 + number of keys strictly better.

    A key is a number or a tuple of numbers (compared in order); values equal to `decimals`
    decimals tie.
    """
    def norm(key: Any) -> tuple:
        parts = key if isinstance(key, tuple) else (key,)
        return tuple(round(float(p), decimals) for p in parts)

    normed = [norm(k) for k in keys]
    # rank = 1 + how many keys are strictly better = 1 + position of the key's first occurrence
    # when sorted best first
    ordered = sorted(normed, reverse=descending)
    first: dict[tuple, int] = {}
    for position, key in enumerate(ordered):
        first.setdefault(key, position)
    return [1 + first[key] for key in normed]


def percent(count: float, total: float) -> float:
    """count / total x 100 (NaN when total is 0)."""
    return count / total * 100.0 if total else math.nan


def tie_counts(ranks: Sequence[int]) -> list[int]:
    """How many entries share each entry's rank (1 = alone): with ranks 1, 2, 2, 4 -> 1, 2, 2, 1."""
    sizes: dict[int, int] = {}
    for rank in ranks:
        sizes[rank] = sizes.get(rank, 0) + 1
    return [sizes[rank] for rank in ranks]


def rank_and_ties(value: float, values: Sequence[float], decimals: int = SPEECHMAP_DECIMALS) -> tuple[int, int, int]:
    """(rank, total, tied) of `value` among `values` (which include it), higher is better, as
    SpeechMap's model pages show it: with s = round(., 4), rank = 1 + #{v : s(v) > s(value)}
    (the `competition_ranks` rule), total = #values, tied = #{v : s(v) = s(value)} (itself included)."""
    own = round(float(value), decimals)
    scores = Counter(round(float(v), decimals) for v in values)  # scores repeat a lot
    return 1 + sum(n for s, n in scores.items() if s > own), sum(scores.values()), scores[own]


def spread(values: Sequence[float]) -> float:
    """max - min (in the values' units: points for percentages); NaN for no values."""
    values = [float(v) for v in values]
    return max(values) - min(values) if values else math.nan
