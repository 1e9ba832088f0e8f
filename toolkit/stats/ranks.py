"""Ranks and shares."""
from __future__ import annotations

import math
from typing import Any, Sequence

RANK_DECIMALS = 9  # values equal to 9 decimals are ties (floating noise must not split a tie)


def competition_ranks(keys: Sequence[Any], descending: bool = True) -> list[int]:
    """Standard competition ranks (1, 2, 2, 4): rank = 1 + number of keys strictly better.

    A key is a number or a tuple of numbers (compared in order); values equal to 9 decimals tie.
    """
    def norm(key: Any) -> tuple:
        parts = key if isinstance(key, tuple) else (key,)
        return tuple(round(float(p), RANK_DECIMALS) for p in parts)

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
