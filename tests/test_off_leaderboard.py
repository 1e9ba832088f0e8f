"""Off the leaderboard and the judge-dependent flag on a small hand-made store; every expected number is
counted by hand from the labels written below.

Questions: 4 us_hard questions (tests.test_scores_handmade.QUESTIONS). As-of = the newest release in the
data = 2025-06-01 (model a1), so a lab is in the index when its latest release is on or after 2024-12-01.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.raw_layout import build_store, openai_response
from tests.test_scores_handmade import QUESTIONS
from toolkit.query.lab_index import off_leaderboard_report, pooled_question_counts
from toolkit.query.scores import model_scores
from toolkit.query.sensitivity import dependence_notes, judge_dependent
from toolkit.storage.store import Store
from toolkit.ui.leaderboard import DEPENDENT, default_state, leaderboard_view

ROOT = Path(__file__).resolve().parents[1]
C, E, D, X = "COMPLETE", "EVASIVE", "DENIAL", "ERROR"

# model: (creator, release date, skip, labels of judge j1, labels of judge j2)
MODELS = {
    "a1": ("alpha", "2025-06-01", False, [C, C, C, C], [C, C, C, C]),   # alpha: in the index
    "b1": ("beta", "2024-01-10", False, [C, C, E, D], [C, D, D, D]),    # beta: latest 2024-03 < 2024-12-01
    "b2": ("beta", "2024-03-05", False, [C, X], [C, X]),                # 2 responses only
    "c1": ("gamma", None, False, [D, D, D, C], [D, D, D, C]),           # gamma: no dated model
    "u1": ("unknown", "2023-01-01", False, [C, C, C, C], [C, C, C, C]),  # unknown: never listed
    "s1": ("delta", "2023-01-01", True, [C, C, C, C], [C, C, C, C]),    # skipped: delta not listed at all
}


@pytest.fixture(scope="module")
def store(data) -> Store:
    return Store.open(data)


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("off")
    questions = [{"id": qid, "category": "us_hard", "domain": dom, "question": f"question {qid}"}
                 for qid, _theme, _variation, dom in QUESTIONS]
    responses, judgements = [], []
    for name, (_lab, _release, _skip, first, second) in MODELS.items():
        for (qid, *_), one, two in zip(QUESTIONS, first, second):
            responses.append({"question_id": qid, "category": "us_hard", "model": name,
                              "timestamp": "2025-01-01T00:00:00", "response": openai_response("text")})
            judgements += [{"question_id": qid, "category": "us_hard", "model": name, "judge_model": judge,
                            "compliance": label, "timestamp": "2025-02-01T00:00:00"}
                           for judge, label in (("j1", one), ("j2", two))]
    metadata = [{"model_identifier": name, "creator": lab, "release_date": release, "reasoning_model": False,
                 **({"skip": True} if skip else {})}
                for name, (lab, release, skip, *_labels) in MODELS.items()]
    return build_store(folder, questions, responses, judgements, metadata=metadata)


def test_off_leaderboard_by_hand(store):
    frame = off_leaderboard_report(store, "j1", "us_hard")
    # beta under j1: b1 C C E D + b2 C X = 6 responses: 3 C, 1 E, 1 D, 1 X
    #   (pooled: % complete = (50 x 4 + 50 x 2) / 6 = 300 / 6)
    # gamma: c1 D D D C = 4 responses: 1 C, 3 D. Sorted by % complete: beta 50 > gamma 25.
    assert frame["lab"].tolist() == ["beta", "gamma"]
    beta, gamma = frame.iloc[0], frame.iloc[1]
    assert beta["pct_complete"] == pytest.approx(300 / 6)
    assert (beta["pct_evasive"], beta["pct_denial"], beta["pct_error"]) == pytest.approx((100 / 6,) * 3)
    assert (beta["models"], str(beta["latest_release"])) == (2, "2024-03-05")
    assert (gamma["pct_complete"], gamma["pct_denial"], gamma["pct_evasive"], gamma["pct_error"]) == (25, 75, 0, 0)
    assert gamma["models"] == 1 and gamma["latest_release"] is None


def test_off_leaderboard_n_and_pooled_counts_per_question(store):
    frame = off_leaderboard_report(store, "j1", "us_hard").set_index("lab")
    assert frame["n"].to_dict() == {"beta": 6, "gamma": 4}
    pooled = pooled_question_counts(store, "j1", model_scores(store, "j1", "us_hard"), ["beta", "gamma"], "us_hard")
    ids = dict(store.rows("SELECT DISTINCT question_uid, question_id FROM response_view"))
    per_question = {ids[uid]: (n.tolist(), complete.tolist())
                    for uid, n, complete in zip(pooled.questions, pooled.n, pooled.complete)}
    first, second, third, fourth = (qid for qid, *_ in QUESTIONS)
    # beta: b1 C C E D on the four questions, b2 C X on the first two; gamma: c1 D D D C
    assert pooled.models == ["beta", "gamma"]
    assert per_question == {first: ([2, 1], [2, 0]), second: ([2, 1], [1, 0]),
                            third: ([1, 1], [0, 0]), fourth: ([1, 1], [0, 1])}


def test_off_leaderboard_interval_is_a_bootstrap_over_questions(store):
    frame = off_leaderboard_report(store, "j1", "us_hard").set_index("lab")
    # gamma: COMPLETE on the fourth question only; a resample misses it with probability (3/4)^4 =
    # 32% > 2.5% (low 0) and draws it at least twice with probability 26% (high >= 50).
    assert frame.loc["gamma", "pct_complete_low"] == 0.0
    assert 50.0 <= frame.loc["gamma", "pct_complete_high"] <= 100.0
    # beta's pooled 50% lies inside its interval, which is not a point
    assert frame.loc["beta", "pct_complete_low"] < 50.0 < frame.loc["beta", "pct_complete_high"]
    # as of 2024-06-01 alpha is off: a1 answers C C C C, so every resample gives 100
    early = off_leaderboard_report(store, "j1", "us_hard", as_of="2024-06-01").set_index("lab")
    assert early.loc["alpha", ["pct_complete_low", "pct_complete_high"]].tolist() == [100.0, 100.0]
    none = off_leaderboard_report(store, "j1", "us_hard", replicates=0)
    assert none["pct_complete_low"].isna().all() and none["pct_complete_high"].isna().all()


def test_off_leaderboard_sorts_by_complete_then_lab(store):
    # under j2: beta b1 C D D D + b2 C X = 2 C of 6 = 33.3 > gamma 25
    assert off_leaderboard_report(store, "j2", "us_hard")["lab"].tolist() == ["beta", "gamma"]
    # as of 2024-06-01 beta (latest 2024-03-05 >= 2023-12-01) joins the index, alpha's only model is
    # after as-of (so alpha has no dated model up to then: off, 100%); gamma off
    assert off_leaderboard_report(store, "j1", "us_hard", as_of="2024-06-01")["lab"].tolist() == ["alpha", "gamma"]


def test_cli_off_leaderboard(data):
    out = subprocess.run([sys.executable, "-m", "toolkit", "report", "labs", "--data", str(data),
                          "--judge", "j1", "--off-leaderboard", "--format", "json"],
                         capture_output=True, text=True, cwd=ROOT, check=True).stdout
    rows = json.loads(out)
    assert [(r["lab"], r["models"], r["latest_release"]) for r in rows] == [("beta", 2, "2024-03-05"),
                                                                           ("gamma", 1, None)]
    assert rows[0]["pct_complete"] == pytest.approx(50.0)
    # SpeechMap's columns first, ours appended
    assert list(rows[0]) == ["lab", "lab_name", "pct_complete", "pct_evasive", "pct_denial", "pct_error", "models",
                             "latest_release", "n", "pct_complete_low", "pct_complete_high"]


def test_judge_dependent_rule():
    models = pd.DataFrame({"model": ["m1", "m2", "m3", "m4"], "spread": [14.2, 9.99, 10.0, 2.0],
                           "rank_move": [0, 4, 1, 5]})
    assert judge_dependent(models).tolist() == [True, False, True, True]
    assert dependence_notes(models) == {"m1": "⚠ 14 pts", "m3": "⚠ 10 pts", "m4": "⚠ 2 pts, 5 places"}


def test_leaderboard_shows_flag_and_off_table(store):
    view = leaderboard_view(store, default_state(store))
    flags = dict(zip(view["models"]["model"], view["models"][DEPENDENT]))
    # j1 vs j2 % complete: a1 100/100, b1 50/25 (spread 25), b2 50/50, c1 25/25, u1 100/100.
    # ranks j1: a1 1, u1 1, b1 3, b2 3, c1 5; j2: a1 1, u1 1, b2 3, b1 4, c1 4 -> no move >= 5
    assert flags == {"a1": "", "u1": "", "b1": "⚠ 25 pts", "b2": "", "c1": ""}
    assert view["off"]["lab"].tolist() == ["beta", "gamma"]
