"""Elo, Bradley-Terry and bootstrap intervals against hand-computed values and a scipy reference fit."""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import minimize
from scipy.special import expit, log_expit

from toolkit.arena.bootstrap import (bootstrap_elo, percentile_interval, rank_with_intervals, resample_matches,
                                     resample_prompts)
from toolkit.arena.ratings import (NAT_TO_ELO, bt_elo, elo_round_update, expected_score, fit_bt, online_elo, pair_index, pair_totals, to_elo, win_probability)


def random_comparisons(n_models=12, n=3000, seed=0):
    rng = np.random.default_rng(seed)
    skill = rng.normal(0, 1, n_models)
    a = rng.integers(0, n_models, n)
    b = (a + rng.integers(1, n_models, n)) % n_models
    p = expit(skill[a] - skill[b] + rng.normal(0, 0.7, n))
    return a, b, p


def lbfgs_elo(a, b, p, n_models):
    """Reference: FastChat-style loss on every comparison, minimised by scipy's L-BFGS."""
    def loss(theta):
        d = theta[a] - theta[b]
        r = p - expit(d)
        grad = np.zeros(n_models)
        np.add.at(grad, a, -r)
        np.add.at(grad, b, r)
        return -(p * log_expit(d) + (1 - p) * log_expit(-d)).sum(), grad
    theta = minimize(loss, np.zeros(n_models), jac=True, method="L-BFGS-B",
                     options={"gtol": 1e-12, "ftol": 1e-15, "maxiter": 5000}).x
    return to_elo(theta)


def test_expected_score_and_online_elo_by_hand():
    assert expected_score(1100, 1000) == pytest.approx(1 / (1 + 10 ** (-0.25)))
    # One win of 0 over 1 from 1000 each: E = 0.5, K = 32 -> 1016 / 984; then 1 beats 0 with p = 0.25.
    ratings = online_elo(np.array([0]), np.array([1]), np.array([1.0]), 2, k=32)
    assert ratings.tolist() == [1016.0, 984.0]
    e = 1 / (1 + 10 ** ((984 - 1016) / 400))
    ratings = online_elo(np.array([0, 1]), np.array([1, 0]), np.array([1.0, 0.25]), 2, k=32)
    assert ratings[1] == pytest.approx(984 + 32 * (0.25 - (1 - e)))
    # A Swiss round's vectorised update equals the sequential one when nobody plays twice.
    a, b, p = np.array([0, 2]), np.array([1, 3]), np.array([0.9, 0.2])
    start = np.array([1000.0, 1050.0, 990.0, 1010.0])
    sequential = start.copy()
    for i, j, s in zip(a, b, p):
        delta = 32 * (s - expected_score(sequential[i], sequential[j]))
        sequential[i] += delta
        sequential[j] -= delta
    assert elo_round_update(start, a, b, p).tolist() == pytest.approx(sequential.tolist())


def test_bradley_terry_two_models_by_hand():
    # Model 0 beats model 1 with soft outcome 0.75 every time: theta_0 - theta_1 = logit(0.75) = ln 3,
    # so the Elo gap is 400 log10(3) = 190.85, centred on 1000.
    a, b, p = np.zeros(10, int), np.ones(10, int), np.full(10, 0.75)
    elo = bt_elo(a, b, p, 2)
    assert elo[0] - elo[1] == pytest.approx(400 * math.log10(3), abs=1e-6)
    assert elo.mean() == pytest.approx(1000)
    # The same games written from the other side give the same ratings (order and side independent).
    assert bt_elo(b, a, 1 - p, 2) == pytest.approx(elo)
    # A named anchor sits at the anchor value.
    assert bt_elo(a, b, p, 2, anchor=1, anchor_value=1200)[1] == pytest.approx(1200)


def test_bradley_terry_matches_lbfgs_and_is_order_independent():
    a, b, p = random_comparisons()
    elo = bt_elo(a, b, p, 12)
    assert np.abs(elo - lbfgs_elo(a, b, p, 12)).max() < 0.01
    order = np.random.default_rng(1).permutation(len(a))
    assert bt_elo(a[order], b[order], p[order], 12) == pytest.approx(elo, abs=1e-6)


def test_chord_bootstrap_fit_equals_newton_per_replicate():
    a, b, p = random_comparisons(seed=3)
    index = pair_index(a, b, p, 12)
    n, wins = pair_totals(index)
    theta = fit_bt(index, n, wins)
    boot_n, boot_w = resample_prompts(index, np.arange(len(a)) % 20, 25, np.random.default_rng(0))
    newton = fit_bt(index, boot_n, boot_w)
    chord = fit_bt(index, boot_n, boot_w, start=theta, chord=True)
    assert np.abs(newton - chord).max() * NAT_TO_ELO < 1e-3


def test_resampling_matches_keeps_totals_and_means():
    a, b, p = random_comparisons(n=2000, seed=4)
    index = pair_index(a, b, p, 12)
    n, wins = pair_totals(index)
    boot_n, boot_w = resample_matches(index, 400, np.random.default_rng(0))
    assert (boot_n.sum(axis=1) == len(a)).all()          # n draws each time
    assert (boot_w >= 0).all() and (boot_w <= boot_n).all()
    assert boot_n.mean(axis=0) == pytest.approx(n, rel=0.1)
    assert boot_w.sum(axis=0).sum() / boot_n.sum() == pytest.approx(wins.sum() / n.sum(), abs=0.01)


def exact_match_resample(index, n_boot, rng):
    """The bootstrap by definition: n comparisons redrawn with replacement, one count per comparison."""
    n = len(index.pair_of)
    counts = rng.multinomial(n, np.full(n, 1.0 / n), size=n_boot).astype(float)
    member = np.zeros((n, index.n_pairs))
    member[np.arange(n), index.pair_of] = 1.0
    return counts @ member, counts @ (member * index.outcome_u[:, None])


def test_match_intervals_are_as_wide_as_the_exact_bootstrap_at_six_games_per_pair():
    """Known truth: 8 models with fixed skills, every pair plays 6 games with hard (0/1) outcomes. The
    intervals from resample_matches must be as wide as those of redrawing the 168 comparisons one by one
    (the normal draw clipped to [0, N] made them 4-8% narrow at this size; on this data 4.6%)."""
    rng = np.random.default_rng(1)
    skill = rng.normal(0, 0.5, 8)
    u, v = np.triu_indices(8, 1)
    a, b = np.repeat(u, 6), np.repeat(v, 6)
    p = (rng.random(len(a)) < expit(skill[a] - skill[b])).astype(float)
    index = pair_index(a, b, p, 8)
    n, wins = pair_totals(index)
    theta = fit_bt(index, n, wins)

    def widths(resample, seed):
        boot_n, boot_w = resample(index, 10_000, np.random.default_rng(seed))
        replicates = to_elo(fit_bt(index, boot_n, boot_w, start=theta, chord=True, tol=1e-5))
        lower, upper = percentile_interval(replicates)
        return upper - lower

    ratio = (widths(resample_matches, 201) / widths(exact_match_resample, 101)).mean()
    assert ratio == pytest.approx(1.0, abs=0.025)


def test_few_soft_games_are_resampled_game_by_game():
    # One pair, two games with outcomes 0.2 and 0.9: a resample of N draws sums to 0.2 c + 0.9 (N - c).
    index = pair_index(np.array([0, 0]), np.array([1, 1]), np.array([0.2, 0.9]), 2)
    boot_n, boot_w = resample_matches(index, 500, np.random.default_rng(0))
    c = (0.9 * boot_n[:, 0] - boot_w[:, 0]) / 0.7
    assert np.allclose(c, np.round(c)) and (c >= 0).all() and (c <= boot_n[:, 0]).all()
    assert set(boot_n[:, 0].tolist()) <= {0.0, 1.0, 2.0}
    # Hard outcomes: a binomial count of wins.
    hard = pair_index(np.array([0, 0, 0]), np.array([1, 1, 1]), np.array([1.0, 0.0, 1.0]), 2)
    _, hard_w = resample_matches(hard, 500, np.random.default_rng(0))
    assert np.array_equal(hard_w, np.round(hard_w))


def test_resampling_prompts_moves_whole_prompts():
    # Two prompts with different outcomes: every replicate is 0, 1 or 2 copies of each prompt's totals.
    a, b = np.array([0, 0, 0, 0]), np.array([1, 1, 1, 1])
    p = np.array([1.0, 1.0, 0.0, 0.0])
    index = pair_index(a, b, p, 2)
    boot_n, boot_w = resample_prompts(index, np.array(["x", "x", "y", "y"]), 50, np.random.default_rng(0))
    assert set(boot_n[:, 0].tolist()) == {4.0}
    assert set(boot_w[:, 0].tolist()) <= {0.0, 2.0, 4.0}


def test_intervals_and_rank_by_hand():
    replicates = np.arange(1, 101, dtype=float)[:, None] * np.ones((1, 2))
    lower, upper = percentile_interval(replicates)
    assert lower[0] == pytest.approx(np.percentile(np.arange(1, 101), 2.5))
    assert upper[0] == pytest.approx(np.percentile(np.arange(1, 101), 97.5))
    # Model 2's interval lies below model 0's lower bound only; model 1 overlaps both.
    lower = np.array([1100.0, 1040.0, 990.0])
    upper = np.array([1150.0, 1110.0, 1050.0])
    assert rank_with_intervals(lower, upper).tolist() == [1, 1, 2]


def test_bootstrap_interval_covers_the_point_and_shrinks_with_data():
    a, b, p = random_comparisons(n=1000, seed=5)
    small_point, small = bootstrap_elo(pair_index(a, b, p, 12), n_boot=200, over="matches", seed=1)
    a2, b2, p2 = random_comparisons(n=16000, seed=5)
    _, large = bootstrap_elo(pair_index(a2, b2, p2, 12), n_boot=200, over="matches", seed=1)
    lower, upper = percentile_interval(small)
    assert ((lower <= small_point) & (small_point <= upper)).all()
    assert large.std(axis=0).mean() < 0.5 * small.std(axis=0).mean()  # 16x the data: about 1/4 the spread
    with pytest.raises(ValueError, match="prompts"):
        bootstrap_elo(pair_index(a, b, p, 12), over="prompts")


def test_win_probability_matrix():
    chance = win_probability(np.array([1200.0, 1000.0]))
    assert chance[0, 1] == pytest.approx(1 / (1 + 10 ** (-0.5)))
    assert chance[0, 1] + chance[1, 0] == pytest.approx(1.0)
    assert chance[0, 0] == pytest.approx(0.5)


def test_self_comparison_is_refused():
    with pytest.raises(ValueError, match="itself"):
        pair_index(np.array([0]), np.array([0]), np.array([0.5]), 2)
