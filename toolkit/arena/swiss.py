"""Swiss pairing: each round pairs players of similar standing who have not met yet.

Round 1 is a seeded random order. Later rounds sort by score (sum of soft game scores), then by
online Elo rating, then by a fresh random key, and pair neighbours: the first unpaired player meets
the next one down the list they have not played, backtracking when the rest cannot be paired. With
an odd number of players one sits out (a bye): the lowest-ranked player who has not had one yet.
When the constraints bite (late rounds), the most constrained players are paired first.
Invariants: no rematch, everyone plays every round except the one bye, at most one bye each.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .ratings import DEFAULT_ANCHOR_VALUE, elo_round_update

_SEARCH_BUDGET = 200_000  # backtracking steps before a round is declared impossible


class PairingError(RuntimeError):
    """No pairing satisfies the Swiss rules (too many rounds for the number of players)."""


def max_rounds(n_players: int) -> int:
    """A round robin's length: n - 1 rounds for an even field, n for an odd one (one bye each)."""
    return n_players - 1 if n_players % 2 == 0 else n_players


def _pair_greedily(order: list[int], played: np.ndarray) -> list[tuple[int, int]] | None:
    """Top-down: each unpaired player meets the next unpaired one below not met yet; None if stuck."""
    unpaired = list(order)
    pairs = []
    while unpaired:
        first = unpaired.pop(0)
        other = next((q for q in unpaired if not played[first, q]), None)
        if other is None:
            return None
        unpaired.remove(other)
        pairs.append((first, other))
    return pairs


def _pair_in_order(order: list[int], played: np.ndarray) -> list[tuple[int, int]] | None:
    """Pair all of `order` without rematches, preferring neighbours in the order; None if impossible.

    Top-down neighbour pairing when it works; otherwise a depth-first search: pair next the unpaired
    player with the fewest possible opponents (ties: the best ranked), trying opponents nearest in
    the order first; prune when someone is left with no possible opponent.
    """
    greedy = _pair_greedily(order, played)
    if greedy is not None:
        return greedy
    rank = np.empty(played.shape[0], np.int64)
    rank[order] = np.arange(len(order))
    available = ~played
    budget = [_SEARCH_BUDGET]

    def solve(unpaired: np.ndarray) -> list[tuple[int, int]] | None:
        players = np.flatnonzero(unpaired)
        if len(players) == 0:
            return []
        degrees = available[np.ix_(players, players)].sum(axis=1)
        if degrees.min() == 0:
            return None
        first = players[np.lexsort((rank[players], degrees))[0]]
        others = players[available[first, players]]
        for other in others[np.argsort(np.abs(rank[others] - rank[first]), kind="stable")].tolist():
            budget[0] -= 1
            if budget[0] < 0:
                return None
            rest = unpaired.copy()
            rest[[first, other]] = False
            tail = solve(rest)
            if tail is not None:
                return [(first, other) if rank[first] < rank[other] else (other, first)] + tail
        return None

    unpaired = np.zeros(played.shape[0], bool)
    unpaired[order] = True
    pairs = solve(unpaired)
    return None if pairs is None else sorted(((int(a), int(b)) for a, b in pairs), key=lambda pair: rank[pair[0]])


def pair_round(order: list[int], played: np.ndarray, had_bye: np.ndarray) -> tuple[list[tuple[int, int]], int | None]:
    """Pairs for one round given the ranking `order` (best first); returns (pairs, bye or None)."""
    if len(order) % 2 == 0:
        pairs = _pair_in_order(order, played)
        if pairs is None:
            raise PairingError(f"no pairing of {len(order)} players avoids a rematch")
        return pairs, None
    for bye in reversed(order):
        if had_bye[bye]:
            continue
        pairs = _pair_in_order([p for p in order if p != bye], played)
        if pairs is not None:
            return pairs, bye
    raise PairingError(f"no pairing of {len(order)} players avoids a rematch and a second bye")


@dataclass
class SwissTournament:
    """The state of one Swiss tournament among `n_players` (indices 0..n-1)."""

    n_players: int
    rng: np.random.Generator
    k_factor: float = 32.0
    bye_score: float = 0.5
    scores: np.ndarray = field(init=False)
    ratings: np.ndarray = field(init=False)
    played: np.ndarray = field(init=False)
    had_bye: np.ndarray = field(init=False)
    rounds_played: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        if self.n_players < 2:
            raise ValueError("a tournament needs at least two players")
        self.scores = np.zeros(self.n_players)
        self.ratings = np.full(self.n_players, DEFAULT_ANCHOR_VALUE)
        self.played = np.zeros((self.n_players, self.n_players), bool)
        np.fill_diagonal(self.played, True)
        self.had_bye = np.zeros(self.n_players, bool)

    def ranking(self) -> list[int]:
        """Order for pairing: random in round 1, then score, rating, random key (all descending)."""
        key = self.rng.random(self.n_players)
        if self.rounds_played == 0:
            return np.argsort(key).tolist()
        return np.lexsort((key, -self.ratings, -self.scores)).tolist()

    def next_round(self) -> tuple[list[tuple[int, int]], int | None]:
        """The next round's games (positions A/B shuffled) and the bye; raises PairingError."""
        if self.rounds_played >= max_rounds(self.n_players):
            raise PairingError(f"{self.n_players} players cannot play more than "
                               f"{max_rounds(self.n_players)} rounds without a rematch")
        pairs, bye = pair_round(self.ranking(), self.played, self.had_bye)
        flips = self.rng.random(len(pairs)) < 0.5
        return [(b, a) if flip else (a, b) for (a, b), flip in zip(pairs, flips)], bye

    def record(self, games: list[tuple[int, int]], p_a: np.ndarray, bye: int | None) -> None:
        """Add a round's results: score += p for A and 1 - p for B, Elo update, bye scores bye_score."""
        p_a = np.asarray(p_a, float)
        if games:
            a = np.array([g[0] for g in games])
            b = np.array([g[1] for g in games])
            np.add.at(self.scores, a, p_a)
            np.add.at(self.scores, b, 1.0 - p_a)
            self.ratings = elo_round_update(self.ratings, a, b, p_a, self.k_factor)
            self.played[a, b] = True
            self.played[b, a] = True
        if bye is not None:
            self.had_bye[bye] = True
            self.scores[bye] += self.bye_score
        self.rounds_played += 1
