"""Agreement statistics against hand-computed values, textbook examples and scikit-learn."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score, precision_recall_fscore_support

from toolkit.query import agreement as ag
from toolkit.stats import agreement as st

# Rows judge 1, columns judge 2. n = 50, p_o = 35/50 = 0.7,
# p_e = (25*30 + 25*20) / 50^2 = 0.5, kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4.
TINY = np.array([[20, 5], [10, 15]])


def test_raw_agreement_and_kappa_by_hand():
    assert st.raw_agreement(TINY) == pytest.approx(0.7)
    assert st.expected_agreement(TINY) == pytest.approx(0.5)
    assert st.cohen_kappa(TINY) == pytest.approx(0.4)


def test_kappa_standard_error_by_hand():
    # p = [[.4,.1],[.2,.3]], rows (.5,.5), cols (.6,.4), k = .4:
    # A = .4(1-1.1*.6)^2 + .3(1-.9*.6)^2 = .10972; B = .36(.1*1.1^2 + .2*.9^2) = .10188;
    # C = (.4 - .5*.6)^2 = .01; var = (A + B - C) / (50 * .25) = .016128.
    assert st.kappa_standard_error(TINY) == pytest.approx(math.sqrt(0.016128), rel=1e-9)
    low, high = st.kappa_interval(TINY)
    assert (low, high) == pytest.approx((0.4 - 1.959964 * 0.126996, 0.4 + 1.959964 * 0.126996), abs=1e-5)


def _labels_from_matrix(matrix: np.ndarray, names: list[str]) -> tuple[list[str], list[str]]:
    y1, y2 = [], []
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            y1 += [a] * int(matrix[i, j])
            y2 += [b] * int(matrix[i, j])
    return y1, y2


@pytest.mark.parametrize("matrix", [
    TINY,
    np.array([[1143, 6, 0], [10, 16, 0], [0, 2, 23]]),
    np.array([[5, 0, 0, 1], [3, 7, 2, 0], [0, 1, 9, 0], [0, 0, 2, 4]]),
])
def test_kappa_matches_scikit_learn(matrix):
    names = [f"L{i}" for i in range(len(matrix))]
    y1, y2 = _labels_from_matrix(matrix, names)
    assert st.cohen_kappa(matrix) == pytest.approx(cohen_kappa_score(y1, y2), rel=1e-12)


def test_per_label_scores_match_scikit_learn():
    names = ["COMPLETE", "DENIAL"]
    frame = pd.DataFrame(TINY, index=names, columns=names)
    scores = ag.per_label_table(frame).set_index("label")
    # By hand: COMPLETE precision 20/30, recall 20/25; DENIAL precision 15/20, recall 15/25.
    assert scores.loc["COMPLETE", "precision"] == pytest.approx(2 / 3)
    assert scores.loc["COMPLETE", "recall"] == pytest.approx(0.8)
    assert scores.loc["DENIAL", "f1"] == pytest.approx(2 * 0.75 * 0.6 / 1.35)
    y1, y2 = _labels_from_matrix(TINY, names)
    precision, recall, f1, support = precision_recall_fscore_support(y1, y2, labels=names, zero_division=np.nan)
    assert scores["precision"].tolist() == pytest.approx(list(precision))
    assert scores["recall"].tolist() == pytest.approx(list(recall))
    assert scores["f1"].tolist() == pytest.approx(list(f1))
    assert scores["support"].tolist() == list(support)


def test_undefined_figures_are_nan_not_errors():
    assert math.isnan(st.cohen_kappa(np.zeros((2, 2))))
    assert math.isnan(st.raw_agreement(np.zeros((0, 0))))
    # Both judges only ever say COMPLETE: p_o = p_e = 1, kappa 0/0.
    assert math.isnan(st.cohen_kappa(np.array([[7]])))
    assert st.raw_agreement(np.array([[7]])) == 1.0
    assert st.kappa_interval(np.zeros((3, 3))) == (pytest.approx(math.nan, nan_ok=True),) * 2
    # Judge 1 never says A, judge 2 never says B: recall of A and precision of B are 0/0.
    scores = ag.per_label_table(pd.DataFrame([[0, 0], [3, 0]], index=["A", "B"], columns=["A", "B"]))
    assert scores["precision"].iloc[0] == 0.0 and math.isnan(scores["precision"].iloc[1])
    assert math.isnan(scores["recall"].iloc[0]) and scores["recall"].iloc[1] == 0.0
    assert scores["f1"].isna().all()


def test_bootstrap_interval_brackets_kappa_and_agrees_with_analytic():
    matrix = np.array([[1143, 6, 0], [10, 16, 0], [0, 2, 23]])
    low, high = st.kappa_bootstrap_interval(matrix, replicates=4000, seed=1)
    kappa = st.cohen_kappa(matrix)
    assert low < kappa < high
    a_low, a_high = st.kappa_interval(matrix)
    assert (high - low) == pytest.approx(a_high - a_low, rel=0.2)
    assert st.kappa_bootstrap_interval(matrix, 500, seed=3) == st.kappa_bootstrap_interval(matrix, 500, seed=3)


def test_fleiss_kappa_textbook_example():
    # Fleiss (1971) as reproduced on Wikipedia: 10 items, 14 raters, 5 categories, kappa = 0.210.
    table = np.array([
        [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
    ])
    assert st.fleiss_kappa(table) == pytest.approx(0.20993, abs=5e-5)
    # Grouped rows with weights give the same figure as repeated rows.
    assert st.fleiss_kappa(table[[0, 1, 1, 2]]) == pytest.approx(st.fleiss_kappa(table[[0, 1, 2]], [1, 2, 1]))


def test_fleiss_kappa_with_two_raters_is_scotts_pi():
    # Two raters: Fleiss' kappa equals Scott's pi = (p_o - p_e') / (1 - p_e'), p_e' from pooled marginals.
    y1 = ["a", "a", "b", "b", "a", "c", "c", "a"]
    y2 = ["a", "b", "b", "b", "a", "c", "a", "a"]
    cats = ["a", "b", "c"]
    table = np.array([[(x == c) + (y == c) for c in cats] for x, y in zip(y1, y2)])
    p_o = np.mean([x == y for x, y in zip(y1, y2)])
    pooled = np.array([(y1 + y2).count(c) / 16 for c in cats])
    pi = (p_o - np.sum(pooled**2)) / (1 - np.sum(pooled**2))
    assert st.fleiss_kappa(table) == pytest.approx(pi)


def test_krippendorff_alpha_textbook_example():
    # Krippendorff (2011), "Computing Krippendorff's alpha-reliability": 4 coders, 12 units,
    # missing values; nominal alpha = 0.743.
    coders = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
        [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
    ]
    values = np.array([[sum(c[u] == v for c in coders) for v in range(1, 6)] for u in range(12)])
    assert st.krippendorff_alpha_nominal(values) == pytest.approx(0.743, abs=5e-4)


def test_many_judge_agreement_on_a_joint_table():
    # Three judges; r4 judged by two only (counts for alpha, not for Fleiss).
    joint = pd.DataFrame({
        "A": ["COMPLETE", "DENIAL", "COMPLETE", "EVASIVE"],
        "B": ["COMPLETE", "DENIAL", "DENIAL", None],
        "C": ["COMPLETE", "DENIAL", "COMPLETE", "EVASIVE"],
        "n": [3, 1, 1, 2],
    })
    summary = ag.many_judge_agreement(joint)
    assert summary["n_all_judged"] == 5 and summary["n_pairable"] == 7
    table = np.array([[3, 0, 0]] * 3 + [[0, 0, 3]] + [[2, 0, 1]])  # COMPLETE, EVASIVE, DENIAL
    assert summary["fleiss_kappa"] == pytest.approx(st.fleiss_kappa(table))
    alpha_rows = np.array([[3, 0, 0]] * 3 + [[0, 0, 3]] + [[2, 0, 1]] + [[0, 2, 0]] * 2)
    assert summary["krippendorff_alpha"] == pytest.approx(st.krippendorff_alpha_nominal(alpha_rows))
    pairs = ag.pairwise_kappa(joint).set_index(["judge_a", "judge_b"])
    assert pairs.loc[("A", "B"), "n"] == 5 and pairs.loc[("A", "C"), "n"] == 7
    assert pairs.loc[("A", "B"), "agreement"] == pytest.approx(4 / 5)
    assert pairs.loc[("A", "A"), "kappa"] == pytest.approx(1.0)
    gold = ag.gold_accuracy(joint, ["C"]).set_index("judge")
    assert gold.loc["A", "accuracy"] == pytest.approx(1.0) and gold.loc["B", "accuracy"] == pytest.approx(4 / 5)

