"""The Leaderboard tab's pure parts, without a server: the verdict bar, the trajectories over each
lab's own index window, the charts' axes and labels. Expected values are counted by hand."""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from toolkit.query.lab_index import lab_index
from toolkit.ui import leaderboard as tab
from toolkit.ui import leaderboard_charts as charts


def test_verdict_bar_carries_the_numbers_and_symbols():
    bar = tab.verdict_bar({"COMPLETE": 85.333, "EVASIVE": 8.667, "DENIAL": 6.0, "ERROR": 0.0})
    assert "title='✓ complete 85.3% · ~ evasive 8.7% · ✕ denial 6.0% · ! error 0.0%'" in bar
    assert bar.count("<span") == 3   # no empty segment for 0% error
    assert "width:85.33%;background:#10b981" in bar


def hand_models() -> pd.DataFrame:
    # lab a: one model long before its window, two inside; lab b: one model
    return pd.DataFrame({
        "model": ["a-old", "a-may", "a-june", "b-one"],
        "lab": ["a", "a", "a", "b"], "lab_name": ["A", "A", "A", "B"],
        "release_date": [dt.date(2024, 10, 15), dt.date(2025, 5, 10), dt.date(2025, 6, 20), dt.date(2025, 3, 1)],
        "pct_complete": [50.0, 60.0, 80.0, 40.0]})


def test_trajectories_cover_the_index_window_only_and_end_at_the_index():
    models = hand_models()
    labs = lab_index(models, dt.date(2025, 6, 30))
    lines = tab.window_trajectories(models, labs, dt.date(2025, 6, 30))
    a = lines[lines["lab"] == "a"]
    # window of a: [2024-12-20, 2025-06-20]: the October 2024 model is out
    assert [str(m) for m in a["month"]] == ["2025-05-01", "2025-06-01"]
    # EMA seeded by May (60); June: 60 + (1 - 0.5^(1/3)) x (80 - 60) = 60 + 0.2063 x 20 = 64.126
    assert a["ema"].tolist() == pytest.approx([60.0, 64.126], abs=1e-3)
    assert a["ema"].iat[-1] == pytest.approx(labs.set_index("lab").loc["a", "index"])
    assert lines[lines["lab"] == "b"]["ema"].tolist() == [40.0]


def layers(chart) -> list[dict]:
    return json.loads(chart.to_json())["layer"]


def test_trajectory_months_are_labelled_once_each():
    models = hand_models()
    labs = lab_index(models, dt.date(2025, 6, 30))
    chart = charts.trajectory_chart(tab.window_trajectories(models, labs, None), labs, {"a": "#111111", "b": "#222222"})
    axis = layers(chart)[1]["encoding"]["x"]["axis"]
    # windows from Sep 2024 (b: 2024-09-01..2025-03-01) to Jun 2025: 10 months, a label every 2nd
    assert axis["format"] == "%b %Y" and axis["tickCount"] == {"interval": "month", "step": 2}


def test_rank_axis_is_whole_numbers_and_every_shift_bar_is_labelled():
    labs = pd.DataFrame({"lab": ["a", "b", "c"], "rank_from": [1, 2, 3], "rank_to": [2, 1, 3]})
    ranks = layers(charts.rank_chart(labs, {"a": "#111111", "b": "#222222", "c": "#333333"}, "old", "new"))
    assert ranks[0]["encoding"]["y"]["axis"]["values"] == [1, 2, 3]
    aggregate = pd.DataFrame({"label": ["COMPLETE", "EVASIVE"], "n_from": [10, 5], "n_to": [8, 7],
                              "share_from": [66.7, 33.3], "share_to": [53.3, 46.7], "change_points": [-13.4, 13.4]})
    shift = layers(charts.shift_chart(aggregate, "old", "new"))
    filters = [layer["transform"][0]["filter"] for layer in shift if layer.get("mark", {}).get("type") == "text"]
    assert filters == ["datum.change_points >= 0", "datum.change_points < 0"]  # rises and falls both labelled


def test_a_link_with_only_a_judge_compares_it_with_another_judge(demo_data):
    from toolkit.storage.store import Store

    store = Store.open(demo_data)
    other = next(j for j in store.judge_names("llm") if j != store.default_judge())
    state = tab.state_from_query(store, {"judge": other})
    assert state.new == other and state.baseline not in (None, other)
    assert tab.state_from_query(store, {"judge": other, "from": other}).baseline == other  # asked for: kept


# -- honest numbers on a hand-made store: judge "all" labels every response, "some" only model m1's
C, D = "COMPLETE", "DENIAL"
HAND = {"m1": ("alpha", "2025-06-01", [C, C, C, D], [C, C, C, D]),
        "m2": ("beta", "2025-05-01", [C, D, D, D], [None, None, None, None])}


@pytest.fixture(scope="module")
def hand_store(tmp_path_factory):
    from tests.raw_layout import build_store, openai_response
    from tests.test_scores_handmade import QUESTIONS
    from toolkit.storage.store import Store

    questions = [{"id": qid, "category": "us_hard", "domain": dom, "question": f"question {qid}"}
                 for qid, _theme, _variation, dom in QUESTIONS]
    responses, judgements = [], []
    for name, (_lab, _release, every, some) in HAND.items():
        for (qid, *_), one, two in zip(QUESTIONS, every, some):
            responses.append({"question_id": qid, "category": "us_hard", "model": name,
                              "timestamp": "2025-01-01T00:00:00", "response": openai_response("text")})
            judgements += [{"question_id": qid, "category": "us_hard", "model": name, "judge_model": judge,
                            "compliance": label, "timestamp": "2025-02-01T00:00:00"}
                           for judge, label in (("all", one), ("some", two)) if label]
    metadata = [{"model_identifier": name, "creator": lab, "release_date": release, "reasoning_model": False}
                for name, (lab, release, *_labels) in HAND.items()]
    folder = build_store(tmp_path_factory.mktemp("lb"), questions, responses, judgements, metadata=metadata)
    return Store.open(folder)


def test_min_n_unranks_but_shows_and_the_interval_is_beside_the_score(hand_store):
    state = tab.LeaderboardState(judge="all", question_set="us_hard", baseline="some", new="all", min_n=5)
    view = tab.leaderboard_view(hand_store, state)
    # 4 answers each < 5: both shown, neither ranked; m1 75% (3 of 4), m2 25% (1 of 4)
    assert view["models"]["model"].tolist() == ["m1", "m2"] and not view["models"]["ranked"].any()
    assert view["unranked"] == ("**Shown but not ranked**, fewer than 5 judged answers: 2 models: m1 (n = 4), "
                                "m2 (n = 4); 2 labs: alpha (n = 4), beta (n = 4).")
    shown = tab.shown_models(view["models"])
    # Wilson 95% for 3 of 4: (p + z²/2n ± z√(p(1-p)/n + z²/4n²)) / (1 + z²/n), z = 1.96 -> 30.1%..95.4%
    assert shown["pct_complete_interval"].tolist()[0] == "30.1–95.4"
    assert shown["rank"].isna().all()
    ranked = tab.leaderboard_view(hand_store, tab.LeaderboardState(judge="all", question_set="us_hard", min_n=4))
    assert ranked["models"]["rank"].tolist() == [1, 2] and ranked["unranked"] == ""


def test_a_judge_of_part_of_the_data_is_flagged(hand_store):
    partial = tab.leaderboard_view(hand_store, tab.LeaderboardState(judge="some", question_set="us_hard"))
    assert partial["coverage"].startswith("⚠ **some** labelled 4 of the 8 responses under these filters (50.0%)")
    assert tab.leaderboard_view(hand_store, tab.LeaderboardState(judge="all", question_set="us_hard"))["coverage"] == ""


def test_min_n_travels_in_the_url(hand_store):
    assert tab.state_from_query(hand_store, {"min_n": "5"}).min_n == 5
    assert tab.LeaderboardState(judge="all", question_set="us_hard", min_n=5).query()["min_n"] == 5
    assert "min_n" not in tab.LeaderboardState(judge="all", question_set="us_hard").query()  # the default
    for wrong in ("-1", "2.5", "x", "1e9"):
        assert tab.state_from_query(hand_store, {"min_n": wrong}).min_n == tab.scores.MIN_N
    with pytest.raises(tab.Rejected):
        tab.checked_state(hand_store, {"judge": "all", "question_set": "us_hard", "domain": None, "reasoning": None,
                                       "baseline": None, "new": None, "model": None, "min_n": -3})
