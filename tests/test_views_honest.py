"""The honest numbers of the model, lab and domain views (issue 13), on the hand-made store of
tests/test_views_handmade.py: every model has n = 6 answers under judge/one; judge/two leaves m5
out. Expected values are counted by hand (the Wilson ends from the formula on a calculator)."""
from __future__ import annotations

from collections import Counter

import pytest

from tests.test_views_handmade import ONE, TWO, write_store
from toolkit.query.lab_view import lab_standing
from toolkit.query.model_view import OVERALL, OVERALL_BY_N, model_page, overall_standing
from toolkit.storage.store import Store
from toolkit.ui import lab, model
from toolkit.ui.domain import coverage_html

AS_OF = "2025-06-30"   # alpha's window holds m2 (6 answers, 50%), beta's m3 (6 answers, 33.3%)


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    return Store.open(write_store(tmp_path_factory.mktemp("honest") / "data"))


def test_model_shares_carry_wilson_intervals_and_a_minimum_n(store):
    page = model_page(store, ONE, "m3", min_n=6)        # m3: C C E D X X -> 2 COMPLETE, 1 EVASIVE of 6
    honest = page.honest
    assert honest["n"] == 6
    assert (honest["pct_complete_low"], honest["pct_complete_high"]) == pytest.approx((9.6771, 70.0007), abs=1e-3)
    assert (honest["pct_evasive_low"], honest["pct_evasive_high"]) == pytest.approx((3.0053, 56.3503), abs=1e-3)
    assert (honest["ranked"], honest["rank"], honest["total"], honest["tied"]) == (True, 4, 5, 1)
    assert (page.header["rank"], page.header["total"]) == (4, 5)      # SpeechMap's rank, unchanged
    below = model_page(store, ONE, "m3", min_n=7).honest            # nobody has 7 answers
    assert (below["ranked"], below["rank"], below["total"], below["tied"]) == (False, None, 0, None)
    assert model_page(store, ONE, "m3", min_n=7).header["rank"] == 4


def test_the_overall_standing_keeps_the_models_with_enough_answers():
    ranked = {OVERALL: Counter({83.3333: 1, 50.0: 2, 33.3333: 1}),
              OVERALL_BY_N: Counter({(83.3333, 6): 1, (50.0, 40): 1, (50.0, 2): 1, (33.3333, 40): 1})}
    assert overall_standing(ranked, 0) == ranked[OVERALL]
    assert overall_standing(ranked, 5) == Counter({83.3333: 1, 50.0: 1, 33.3333: 1})
    assert overall_standing(ranked, 10) == Counter({50.0: 1, 33.3333: 1})


def test_the_model_header_says_not_ranked_below_the_minimum(store):
    page = model_page(store, ONE, "m3", min_n=7)
    text = model.header_text(page.header, page.honest, ONE)
    assert "33.3% complete (95% interval 9.7–70.0) on 6 responses, not ranked (n &lt; 30" in text
    assert "~ evasive 16.7% (3.0–56.4)" in text and "rank" not in text.split("not ranked")[0]


def test_the_lab_index_has_an_interval_its_answers_and_a_minimum_n(store):
    beta = lab_standing(store, ONE, "beta", as_of=AS_OF, min_n=6)
    assert (beta["index"], beta["answers"], beta["ranked"], beta["rank"], beta["labs"]) == (
        pytest.approx(200 / 6), 6, True, 2, 2)
    assert 0 <= beta["index_low"] <= beta["index"] <= beta["index_high"] <= 100
    below = lab_standing(store, ONE, "beta", as_of=AS_OF, min_n=7)
    assert (below["ranked"], below["rank"], below["labs"]) == (False, None, 0)
    assert lab_standing(store, ONE, "gamma", as_of=AS_OF) is None         # no model in its window
    assert "not ranked, fewer than 30 answers" in lab.standing_text(below)
    assert "Lab index 33.3 (95% interval" in lab.standing_text(below)


def test_a_judge_that_covers_part_of_the_data_is_announced(store):
    assert coverage_html(store, ONE, "us_hard", "x") == ""                  # 30 of 30
    warning = coverage_html(store, TWO, "us_hard", "x")                     # m5 not judged: 24 of 30
    assert "labelled 24 of 30 responses" in warning and "(80.0%)" in warning
