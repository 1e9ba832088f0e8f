"""The Leaderboard tab's pure parts, without a server: the verdict bar, the trajectories over each
lab's own index window, the charts' axes and labels. Expected values are counted by hand."""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from toolkit.query.lab_index import lab_index
from toolkit.ui import leaderboard as tab


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
    chart = tab.trajectory_chart(tab.window_trajectories(models, labs, None), labs, {"a": "#111111", "b": "#222222"})
    axis = layers(chart)[1]["encoding"]["x"]["axis"]
    # windows from Sep 2024 (b: 2024-09-01..2025-03-01) to Jun 2025: 10 months, a label every 2nd
    assert axis["format"] == "%b %Y" and axis["tickCount"] == {"interval": "month", "step": 2}


def test_rank_axis_is_whole_numbers_and_every_shift_bar_is_labelled():
    labs = pd.DataFrame({"lab": ["a", "b", "c"], "rank_from": [1, 2, 3], "rank_to": [2, 1, 3]})
    ranks = layers(tab.rank_chart(labs, {"a": "#111111", "b": "#222222", "c": "#333333"}, "old", "new"))
    assert ranks[0]["encoding"]["y"]["axis"]["values"] == [1, 2, 3]
    aggregate = pd.DataFrame({"label": ["COMPLETE", "EVASIVE"], "n_from": [10, 5], "n_to": [8, 7],
                              "share_from": [66.7, 33.3], "share_to": [53.3, 46.7], "change_points": [-13.4, 13.4]})
    shift = layers(tab.shift_chart(aggregate, "old", "new"))
    filters = [layer["transform"][0]["filter"] for layer in shift if layer.get("mark", {}).get("type") == "text"]
    assert filters == ["datum.change_points >= 0", "datum.change_points < 0"]  # rises and falls both labelled


def test_a_link_with_only_a_judge_compares_it_with_another_judge(demo_data):
    from toolkit.storage.store import Store

    store = Store.open(demo_data)
    other = next(j for j in store.judge_names("llm") if j != store.default_judge())
    state = tab.state_from_query(store, {"judge": other})
    assert state.new == other and state.baseline not in (None, other)
    assert tab.state_from_query(store, {"judge": other, "from": other}).baseline == other  # asked for: kept
