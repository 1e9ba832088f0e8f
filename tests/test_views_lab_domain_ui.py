"""The Lab and Domain tabs and the model tab's response lists, without a browser: URL values that name
nothing in the data are refused in one plain sentence that does not repeat them, each view computes
only through the app's lazy loader and writes no CSV, page numbers clamp, and what comes from the
data is escaped in the HTML the tabs write."""
from __future__ import annotations

from types import SimpleNamespace

import gradio as gr
import pytest

from toolkit.storage.store import Store
from toolkit.ui import app, domain, lab, model
from toolkit.ui.app import LazyTab
from toolkit.ui.common import FAILED, Rejected
from toolkit.ui.context import AppContext

HOSTILE = "![x](http://127.0.0.1:9/x.png)"
VIEWS = {"lab": lab, "domain": domain, "model": model}


@pytest.fixture(scope="module")
def store(demo_data) -> Store:
    return Store.open(demo_data)


def request(**params: str) -> SimpleNamespace:
    return SimpleNamespace(query_params=params, headers={"host": "example.org"})


def built(module, store: Store, demo_data, tab_id: str) -> LazyTab:
    lazy = LazyTab(tab_id, tab_id)
    with gr.Blocks(), gr.Tabs(), gr.Tab(tab_id):
        module.build(lazy, AppContext(store, "demo", demo_data, "demo"))
    return lazy


def test_the_tabs_are_registered_after_the_model_tab():
    ids = [tab_id for tab_id, _, _ in app.TABS]
    assert ids[ids.index("model") + 1: ids.index("model") + 3] == ["lab", "domain"]


@pytest.mark.parametrize("module, key", [(lab, "lab"), (lab, "judge"), (lab, "set"), (domain, "domain"),
                                         (domain, "judge"), (domain, "set"), (model, "verdict")])
def test_an_unknown_url_value_is_refused_in_one_plain_sentence(store, module, key):
    with pytest.raises(Rejected) as refused:
        module.state_from_query(store, {key: HOSTILE})
    sentence = str(refused.value)
    assert sentence.endswith(".") and "\n" not in sentence and HOSTILE not in sentence and "http" not in sentence


def test_page_numbers_from_the_url():
    assert [model.page_number(v) for v in (None, "", "3", "0", "-2", "x", "2.7", "1e400")] == [1, 1, 3, 1, 1, 1, 2, 1]


@pytest.mark.parametrize("tab_id", list(VIEWS))
def test_each_view_loads_lazily_and_writes_no_csv(store, demo_data, tab_id, tmp_path, monkeypatch):
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(tmp_path))
    lazy = built(VIEWS[tab_id], store, demo_data, tab_id)
    assert len(lazy.loaders) == 1
    load, inputs, outputs, _ = lazy.loaders[0]
    assert inputs is None
    values = load(request(tab=tab_id))
    assert len(values) == len(outputs)
    assert not any(isinstance(v, str) and FAILED in v for v in values)
    assert any(str(v).startswith(f"?tab={tab_id}") for v in values)       # the URL state: it computed
    assert not list(tmp_path.rglob("*.csv"))


@pytest.mark.parametrize("tab_id, params", [("lab", {"lab": HOSTILE}), ("domain", {"domain": HOSTILE}),
                                            ("model", {"verdict": "nope"})])
def test_a_bad_url_shows_one_sentence_in_the_view(store, demo_data, tab_id, params):
    values = built(VIEWS[tab_id], store, demo_data, tab_id).loaders[0][0](request(tab=tab_id, **params))
    shown = [v for v in values if isinstance(v, str)]
    assert len(shown) == 1 and "not in this data" in shown[0] and "http" not in shown[0]


def test_model_responses_page_clamps_to_the_last_page(store):
    name = store.distinct("model")[0]
    state = model.state_from_query(store, {"model": name, "verdict": "COMPLETE", "page": "100000"})
    shown = model.responses_view(store, state)
    assert shown["page"] > 1 and f"page {shown['page']} of {shown['page']}." in shown["status"]
    assert shown["html"].count("<article") >= 1 and "<script" not in shown["html"]
    assert dict((value, text) for text, value in shown["choices"])["COMPLETE"].startswith("COMPLETE (")


def test_headers_escape_what_comes_from_the_data():
    header = {"lab": "<b>x</b>", "lab_name": None, "models": 1, "n": 0, "index": None, "as_of": None}
    shown = lab.header_text(header, None, "<i>j</i>")
    assert "<b>" not in shown and "&lt;i&gt;" in shown
    row = {"question_id": "<q>", "theme": "t", "domain": "d", "question": "<script>x</script>",
           "content": "<img src=http://127.0.0.1:9/x.png> **bold**"}
    rendered = model.answer_html(row, model.badge("<DENIAL>"))
    assert "<script" not in rendered and "<img" not in rendered and "<strong>bold</strong>" in rendered
    assert "&lt;q&gt;" in rendered and "&lt;DENIAL&gt;" in rendered
    assert lab.lab_link("a&b", "j") == "?tab=lab&lab=a%26b&judge=j"
    assert domain.domain_link("Civil & X", None, "us_hard") == "?tab=domain&domain=Civil+%26+X&set=us_hard"


def test_the_tables_show_every_column_of_the_query_scores_first():
    from toolkit.query import domain_view, lab_view

    assert sorted(lab.SHOWN_MODELS) == sorted(lab_view.MODEL_COLUMNS)
    assert sorted(domain.SHOWN_MODELS) == sorted(domain_view.MODEL_COLUMNS)
    assert sorted(domain.SHOWN_THEMES) == sorted(domain_view.THEME_COLUMNS)
    assert sorted(model.SHOWN_BREAKDOWN) == sorted(c for c in model.BREAKDOWN if c != "tied")   # tied: in words
    assert sorted(model.SHOWN_JUDGE_TABLE) == sorted(model.JUDGE_TABLE)
    for shown in (lab.SHOWN_MODELS, domain.SHOWN_MODELS, domain.SHOWN_THEMES, model.SHOWN_JUDGE_TABLE):
        assert shown[1] == "pct_complete"                 # beside the name, in view on a phone
