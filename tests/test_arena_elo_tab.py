"""The Elo tab's pure functions (no server): URL state, the view of the demo matches, errors."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from toolkit.arena.matches_source import MatchesPolicy
from toolkit.ui.common import plain
from toolkit.ui.elo import (DEMO, EloState, elo_view, heatmap_chart, leaderboard_table, panel_texts,
                            state_from_query)


def test_state_from_query_falls_back_on_bad_values():
    assert state_from_query({}) == EloState(DEMO, "prompts", 12)
    assert state_from_query({}, "/data/run") == EloState("/data/run", "prompts", 12)
    assert state_from_query({"elo_matches": "x/y", "elo_ci": "matches", "elo_top": "5"}) == EloState("x/y", "matches", 5)
    assert state_from_query({"elo_ci": "bogus", "elo_top": "many"}) == EloState(DEMO, "prompts", 12)
    assert state_from_query({"elo_top": "500"}).top == 30
    assert EloState("d", "matches", 7).query() == {"elo_matches": "d", "elo_ci": "matches", "elo_top": 7}


def test_demo_view(tmp_path):
    view = elo_view(EloState(top=5), tmp_path)
    assert view.status.startswith("14 models · 10 prompts")
    table = view.table
    assert list(table.columns)[:4] == ["rank", "rank_range", "model", "elo"]
    assert pd.api.types.is_numeric_dtype(table["elo"]) and pd.api.types.is_numeric_dtype(table["win_rate"])
    assert table["elo"].is_monotonic_decreasing
    assert ((table["elo"] - table["lower"]).round(1) >= 0).all()
    for key in ("option_a", "option_b", "position", "length"):
        assert view.panels[key].count("*") >= 4            # a bold figure and an italic explanation
    assert "Position A preferred in **5" in view.panels["position"]   # the demo's simulated bias (> 50%)
    spec = json.loads(view.heatmap.to_json())
    values = next(iter(spec["datasets"].values()))
    assert len(values) == 5 * 4                              # top 5, without the diagonal
    # P(a beats b) + P(b beats a) = 1 in the heatmap.
    lookup = {(v["model"], v["opponent"]): v["p"] for v in values}
    assert all(abs(p + lookup[(o, m)] - 1) < 1e-12 for (m, o), p in lookup.items())


def test_heatmap_probabilities_by_hand():
    board = pd.DataFrame({"model": ["x", "y"], "elo": [1200.0, 1000.0]})
    values = next(iter(json.loads(heatmap_chart(board, 2).to_json())["datasets"].values()))
    p = {(v["model"], v["opponent"]): v["p"] for v in values}
    assert p[("x", "y")] == pytest.approx(1 / (1 + 10 ** (-0.5)))


def test_bad_sources_give_a_message(tmp_path):
    policy = MatchesPolicy(folder=tmp_path)
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "matches.parquet").write_text("not parquet")
    status = elo_view(EloState(source="bad"), tmp_path, policy).status
    assert status.startswith("⚠️") and "cannot read matches.parquet as parquet" in status.replace("\\", "")
    assert str(tmp_path) not in status.replace("\\", "")
    pd.DataFrame({"x": [1]}).to_parquet(tmp_path / "other.parquet")
    assert "missing column" in elo_view(EloState(source="other.parquet"), tmp_path, policy).status


def test_typed_paths_are_refused_alike(tmp_path, monkeypatch):
    """A server path, a missing one, a way out of the folder and an unlisted Hub id all get the same
    sentence, and no Hub download starts for an id that is not on the allow-list."""
    from toolkit.arena import matches_source

    downloads = []
    monkeypatch.setattr(matches_source, "_from_hub", lambda repo: downloads.append(repo) or tmp_path / "x")
    policy = MatchesPolicy(folder=tmp_path, hub_ids=frozenset({"org/listed"}))
    refused = {elo_view(EloState(source=value), tmp_path, policy).status
               for value in ("/etc/passwd", "/", str(tmp_path / "absent"), "../", "bad/../../etc", "someone/matches")}
    assert refused == {"⚠️ " + plain(matches_source.REFUSED)}
    assert downloads == []
    assert policy.resolve("org/listed") == tmp_path / "x" and downloads == ["org/listed"]


def test_policy_from_the_environment(tmp_path):
    policy = MatchesPolicy.from_env("cfg", {"SPEECHMAP_MATCHES_DIR": str(tmp_path),
                                            "SPEECHMAP_MATCHES_HUB": " a/b, c/d ,"})
    assert policy == MatchesPolicy(tmp_path.resolve(), frozenset({"a/b", "c/d"}), "cfg")
    assert MatchesPolicy.from_env(None, {}) == MatchesPolicy()


def test_panels_without_data_say_so():
    texts = panel_texts({"option_a": None, "option_b": None, "position_bias": None, "length_bias": None})
    assert "Not in this matches file" in texts["option_a"] and "No text lengths" in texts["length"]


def test_leaderboard_table_rounds_but_keeps_numbers():
    board = pd.DataFrame({"rank": [1], "rank_range": ["1"], "model": ["m"], "elo": [1000.123], "plus_minus": [3.456],
                          "lower": [990.04], "upper": [1010.06], "games": [4], "win_rate": [0.12345]})
    table = leaderboard_table(board)
    assert table.loc[0, "elo"] == 1000.1 and table.loc[0, "win_rate"] == 0.123 and np.issubdtype(table["elo"].dtype, np.floating)
