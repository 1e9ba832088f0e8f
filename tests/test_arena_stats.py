"""Swiss invariants, separability, biases and the judge meta-evaluation on small hand-made arrays."""
from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from toolkit.arena.bias import length_bias, position_bias
from toolkit.arena.metaeval import candidate_pairs, meta_evaluate, pair_filter
from toolkit.arena.separability import (cliffs_delta, mean_abs_cliffs_delta, omega_squared, separability,
                                        separability_score)
from toolkit.arena.swiss import PairingError, SwissTournament, max_rounds


def play(n_players, rounds, seed=0):
    rng = np.random.default_rng(seed)
    skill = rng.normal(size=n_players)
    tournament = SwissTournament(n_players, np.random.default_rng(seed))
    history = []
    for _ in range(rounds):
        games, bye = tournament.next_round()
        a = np.array([g[0] for g in games])
        b = np.array([g[1] for g in games])
        tournament.record(games, 1 / (1 + np.exp(-(skill[a] - skill[b]))), bye)
        history.append((games, bye))
    return tournament, history


@pytest.mark.parametrize("n_players,rounds", [(30, 20), (31, 20), (7, 7), (101, 20)])
def test_swiss_invariants(n_players, rounds):
    _, history = play(n_players, rounds)
    met = set()
    byes = []
    for games, bye in history:
        seated = [p for g in games for p in g] + ([bye] if bye is not None else [])
        assert sorted(seated) == list(range(n_players))          # everyone plays (or has the bye)
        for a, b in games:
            assert frozenset((a, b)) not in met                   # no rematch
            met.add(frozenset((a, b)))
        if bye is not None:
            byes.append(bye)
    assert (bye_count := len(byes)) == (rounds if n_players % 2 else 0)
    assert len(set(byes)) == bye_count                            # at most one bye each


def test_swiss_is_seeded_and_pairs_by_score():
    assert play(20, 6, seed=3)[1] == play(20, 6, seed=3)[1]
    assert play(20, 6, seed=3)[1] != play(20, 6, seed=4)[1]
    tournament, history = play(16, 4, seed=1)
    # After round 1, games pair neighbours in the standings: opponents' scores are close.
    order = tournament.ranking()
    games, _ = tournament.next_round()
    gaps = [abs(order.index(a) - order.index(b)) for a, b in games]
    assert np.median(gaps) <= 2


def test_swiss_refuses_more_rounds_than_a_round_robin():
    assert max_rounds(8) == 7 and max_rounds(7) == 7
    tournament, _ = play(4, 3)
    with pytest.raises(PairingError, match="cannot play more than 3 rounds"):
        tournament.next_round()


def omega_squared_reference(groups):
    """From scipy's one-way ANOVA F: omega^2 = (k-1)(F-1) / ((k-1)F + N - k + 1)."""
    f = stats.f_oneway(*groups).statistic
    k, n = len(groups), sum(len(g) for g in groups)
    return (k - 1) * (f - 1) / ((k - 1) * f + n - k + 1)


def test_omega_squared_by_hand_and_against_scipy():
    groups = [np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0, 6.0])]
    # grand mean 3.5; SS_between = 3(2-3.5)^2 + 3(5-3.5)^2 = 13.5; SS_within = 2 + 2 = 4;
    # MS_within = 4 / 4 = 1; omega^2 = (13.5 - 1) / (17.5 + 1) = 12.5 / 18.5.
    assert omega_squared(groups) == pytest.approx(12.5 / 18.5)
    rng = np.random.default_rng(0)
    random_groups = [rng.normal(mu, 1.0, size) for mu, size in [(0, 8), (0.5, 10), (1.5, 7), (1.0, 9)]]
    assert omega_squared(random_groups) == pytest.approx(omega_squared_reference(random_groups))
    assert np.isnan(omega_squared([np.array([1.0])]))


def test_cliffs_delta_by_hand_and_against_mann_whitney():
    # x > y: (3,2), (3,2) -> 2; x < y: (1,2), (1,2), (1,4), (2,4), (3,4) -> 5; ties (2,2) x2. (2 - 5) / 9.
    assert cliffs_delta([1, 2, 3], [2, 2, 4]) == pytest.approx(-3 / 9)
    rng = np.random.default_rng(1)
    x, y = rng.integers(0, 6, 15).astype(float), rng.integers(1, 7, 11).astype(float)
    u = stats.mannwhitneyu(x, y).statistic  # #(x > y) + #(x == y) / 2
    assert cliffs_delta(x, y) == pytest.approx(2 * u / (len(x) * len(y)) - 1)
    brute = sum(np.sign(a - b) for a, b in itertools.product(x, y)) / (len(x) * len(y))
    assert cliffs_delta(x, y) == pytest.approx(brute)


def test_mean_abs_cliffs_delta_all_pairs_and_neighbours():
    groups = [np.array([1.0, 2.0]), np.array([1.5, 3.0]), np.array([10.0, 11.0])]
    d01 = cliffs_delta(groups[0], groups[1])   # (1 vs 1.5, 3: <,<), (2 vs 1.5, 3: >,<) -> (1 - 3) / 4
    assert d01 == pytest.approx(-0.5)
    assert mean_abs_cliffs_delta(groups, "all") == pytest.approx((0.5 + 1 + 1) / 3)
    assert mean_abs_cliffs_delta(groups, "neighbours") == pytest.approx((0.5 + 1) / 2)
    with pytest.raises(ValueError):
        mean_abs_cliffs_delta(groups, "some")


def test_combined_score_reproduces_the_cards_figure():
    assert separability_score(0.6811, 0.6377) == pytest.approx(87.92, abs=0.005)
    assert separability_score(0.9020, 0.8188) == pytest.approx(114.72, abs=0.005)
    result = separability({"a": np.array([1.0, 2.0, 3.0]), "b": np.array([4.0, 5.0, 6.0])})
    assert result["omega_squared"] == pytest.approx(12.5 / 18.5)
    assert result["cliffs_delta"] == pytest.approx(1.0)


def test_position_bias_by_hand():
    # Pass 1 shows text 1 in A, pass 2 in B. Passes preferring A: 0.8, 0.6, 0.7 -> 3 of 6; 0.5 counts half.
    result = position_bias(np.array([0.8, 0.6, 0.5]), np.array([0.7, 0.1, 0.2]))
    assert result["share_position_a"] == pytest.approx(3.5 / 6)
    assert result["mean_p_a"] == pytest.approx((0.8 + 0.6 + 0.5 + 0.7 + 0.1 + 0.2) / 6)
    # Consistent = both passes prefer the same text: pair 1 text 1 then text 2 (no), pair 2 text 1
    # twice (yes), pair 3 a tie then text 1 (no).
    assert result["consistency"] == pytest.approx(1 / 3)
    assert result["passes"] == 6


def test_length_bias_by_hand():
    len_a, len_b = np.array([100, 50, 80, 60]), np.array([50, 100, 80, 30])
    p_a = np.array([0.9, 0.6, 0.5, 0.4])
    # Longer text's P: 0.9, 0.4 (b longer), -, 0.4 -> wins 1 of 3; mean 1.7/3; equal lengths skipped.
    result = length_bias(len_a, len_b, p_a, np.array([70, 60, 50, 40]), np.array([60, 70, 50, 45]))
    assert result["comparisons"] == 3
    assert result["win_rate_longer"] == pytest.approx(1 / 3)
    assert result["mean_p_longer"] == pytest.approx(1.7 / 3)
    assert result["margin"] == pytest.approx(2 * 1.7 / 3 - 1)
    # Reference: longer text's score higher in row 1 (70>60) and row 2 (70>60), lower in row 4 (40<45).
    assert result["reference_win_rate_longer"] == pytest.approx(2 / 3)


def test_meta_evaluation_by_hand():
    frame = pd.DataFrame({
        "score_a": [80, 70, 60, 50, 90], "score_b": [72, 77, 54, 50, 60],
        "len_a": [1000, 1000, 1000, 1000, 1000], "len_b": [1100, 900, 3000, 1000, 1000],
        # pass 1: text a in A; pass 2: text a in B.
        "pass1_p_a": [0.7, 0.6, 0.8, 0.5, 0.9], "pass2_p_a": [0.4, 0.3, 0.1, 0.5, 0.1],
        "p_a": [0.65, 0.65, 0.85, 0.5, 0.9], "valid": [True, True, True, True, True],
    })
    # Window 5-10 and ratio <= 1.5 keeps rows 0 (diff 8) and 1 (diff 7); row 2 fails the ratio,
    # row 3 has no difference, row 4 (diff 30) is outside the window.
    assert pair_filter(frame.score_a, frame.score_b, frame.len_a, frame.len_b, 5, 10, 1.5).tolist() == \
        [True, True, False, False, False]
    result = meta_evaluate(frame, 5, 10, 1.5)
    # Row 0: a better; pass 1 prefers A (=a) right, pass 2 prefers B (=a) right -> strict right.
    # Row 1: b better; pass 1 prefers A (=a) wrong; pass 2 prefers B (=a) wrong -> consistent but wrong.
    assert result == {"pairs": 2, "strict_accuracy": 0.5, "positional_consistency": 1.0,
                      "mean_p_better": pytest.approx((0.65 + 0.35) / 2), "min_diff": 5, "max_diff": 10,
                      "max_length_ratio": 1.5}


def test_candidate_pairs_respect_the_filters():
    outputs = pd.DataFrame({"prompt_id": ["p"] * 3 + ["q"] * 2, "model": ["m1", "m2", "m3", "m1", "m2"],
                            "text": ["x" * 100, "x" * 110, "x" * 400, "y" * 100, "y" * 100],
                            "score": [80, 73, 75, 60, 61]})
    pairs = candidate_pairs(outputs, 5, 10, 1.5)
    assert pairs[["prompt_id", "model_a", "model_b"]].values.tolist() == [["p", "m1", "m2"]]
