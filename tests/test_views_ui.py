"""The four per-view tabs (judges, model, themes, timeline) without a browser: values from the URL
that name nothing in the data are refused with one plain sentence that does not repeat them, each
view computes only through the app's lazy loader, and computing a view writes no CSV file."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import gradio as gr
import pytest

from toolkit.storage.store import Store
from toolkit.ui import judges, model, themes, timeline
from toolkit.ui.app import LazyTab
from toolkit.ui.common import FAILED, Rejected
from toolkit.ui.context import AppContext

HOSTILE = "![x](http://127.0.0.1:9/x.png)"
VIEWS = {"judges": judges, "model": model, "themes": themes, "timeline": timeline}


@pytest.fixture(scope="module")
def store(demo_data) -> Store:
    return Store.open(demo_data)


def request(**params: str) -> SimpleNamespace:
    return SimpleNamespace(query_params=params, headers={"host": "example.org"})


@pytest.mark.parametrize("module, key", [
    (model, "model"), (model, "judge"), (model, "set"), (themes, "theme"), (themes, "window"),
    (themes, "judge"), (themes, "verdict"), (timeline, "metric"), (timeline, "judge"), (timeline, "ghost"),
    (judges, "judges"), (judges, "set")])
def test_an_unknown_url_value_is_refused_in_one_plain_sentence(store, module, key):
    value = HOSTILE if key != "judges" else f"{store.judge_names()[0]},{HOSTILE}"
    with pytest.raises(Rejected) as refused:
        module.state_from_query(store, {key: value})
    sentence = str(refused.value)
    assert sentence.endswith(".") and sentence.count(". ") == 0 and "\n" not in sentence
    assert HOSTILE not in sentence and "http" not in sentence


def test_missing_url_values_open_the_default_view(store):
    state = model.state_from_query(store, {})
    assert (state.model, state.judge) == (store.distinct("model")[0], store.default_judge())
    assert themes.state_from_query(store, {"theme": ""}).theme is None
    assert timeline.state_from_query(store, {}).metric == "complete"


def built(module, store: Store, demo_data: Path, tab_id: str) -> LazyTab:
    lazy = LazyTab(tab_id, tab_id)
    with gr.Blocks(), gr.Tabs(), gr.Tab(tab_id):
        module.build(lazy, AppContext(store, "demo", demo_data, "demo"))
    return lazy


@pytest.mark.parametrize("tab_id", list(VIEWS))
def test_each_view_loads_lazily_and_writes_no_csv(store, demo_data, tab_id, tmp_path, monkeypatch):
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(tmp_path))
    lazy = built(VIEWS[tab_id], store, demo_data, tab_id)
    assert len(lazy.loaders) == 1                     # one loader, run by the app when the tab shows
    load, inputs, outputs, _ = lazy.loaders[0]
    assert inputs is None
    values = load(request(tab=tab_id))
    assert len(values) == len(outputs)
    assert not any(isinstance(v, str) and FAILED in v for v in values)
    assert any(f"tab={tab_id}" in str(v) for v in values)          # the share link: it computed
    assert not list(tmp_path.rglob("*.csv"))


@pytest.mark.parametrize("tab_id, params", [
    ("model", {"model": HOSTILE}), ("themes", {"theme": HOSTILE}), ("timeline", {"metric": "nope"}),
    ("judges", {"set": HOSTILE})])
def test_a_bad_url_shows_one_sentence_in_the_view(store, demo_data, tab_id, params):
    lazy = built(VIEWS[tab_id], store, demo_data, tab_id)
    values = lazy.loaders[0][0](request(tab=tab_id, **params))
    shown = [v for v in values if isinstance(v, str)]
    assert len(shown) == 1 and "not in this data" in shown[0]
    assert "http" not in shown[0] and "Traceback" not in shown[0]


def test_about_writes_just_its_tab_and_shows_no_server_path(store, demo_data):
    from toolkit.ui import about

    lazy = built(about, store, demo_data, "about")
    assert len(lazy.loaders) == 1
    assert lazy.loaders[0][0](request(tab="about")) == "?tab=about"


def test_the_elo_table_shows_the_win_rate_in_percent():
    import pandas as pd

    from toolkit.ui.elo import TABLE_COLUMNS, shown_table

    board = pd.DataFrame([[1, "1", "m", 1000.4, 3.2, 990.0, 1010.0, 4, 0.25]], columns=TABLE_COLUMNS)
    shown = shown_table(board).value            # the scores beside the model, the machine table untouched
    assert shown["headers"] == ["Rank", "Model", "Elo", "±", "Rank range", "Elo low", "Elo high", "Games",
                                "Win rate (%)"]
    assert shown["metadata"]["display_value"] == [["1", "m", "1,000", "3", "1", "990", "1,010", "4", "25.0"]]
    assert board.loc[0, "win_rate"] == 0.25
