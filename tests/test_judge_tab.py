"""The Pairwise judge tab's plain parts: settings, input checks, the lazy loader, the result drawing."""
from __future__ import annotations

import math
import json
from pathlib import Path

import pytest

from tests.judge_fixtures import always_a_judge, tiny_judge  # noqa: F401 (fixtures)
from toolkit.judge import JudgeError, Judgement, Pair, combine, load_judge
from toolkit.judge.live import (DEFAULT_MAX_CHARS, LiveJudge, LiveSettings, append_log, input_problem,
                                live_settings, truncation_notes)
from toolkit.ui.common import plain
from toolkit.ui.pairwise import consistency_line, load_failure_markdown, model_status, result_html, warnings_for


def judgement(lp1, lp2, **extra) -> Judgement:
    base = dict(pair_id=None, truncated_1=False, truncated_2=False, model="m<x>", backend="transformers",
                template_hash="abc123abc123", latency_s=0.25, device="cpu", error=None)
    return Judgement(**{**combine(lp1, lp2), **base, **extra})


def test_model_setting_precedence(monkeypatch):
    monkeypatch.delenv("JUDGE_MODEL", raising=False)
    monkeypatch.delenv("JUDGE_MAX_CHARS", raising=False)
    assert live_settings({}).model == "selfhypnosis-ai/Qwen3.5-4B-Creative-Writing-Judge"
    assert live_settings({}).max_chars == DEFAULT_MAX_CHARS
    monkeypatch.setenv("JUDGE_MODEL", "/env/model")
    monkeypatch.setenv("JUDGE_MAX_CHARS", "200")
    assert live_settings({"judge_model": None}).model == "/env/model"
    assert live_settings({"judge_model": "/settings/model"}).model == "/settings/model"
    assert live_settings({}).max_chars == 200
    monkeypatch.setenv("JUDGE_MAX_CHARS", "lots")
    assert live_settings({}).max_chars == DEFAULT_MAX_CHARS


def test_input_problems():
    assert input_problem("Write", "one", "two") is None
    assert input_problem("", "one", "two") == \
        "The instruction is empty: fill in the instruction and both responses."
    assert input_problem("Write", "  ", None) == \
        "Response 1 and Response 2 are empty: fill in the instruction and both responses."
    assert input_problem("Write", "x" * 11, "two", max_input_chars=10) == \
        "Response 1 is 11 characters long; the limit is 10. Paste a shorter text."


def test_truncation_notes():
    j = judgement((-0.1, -2.0), (-2.0, -0.1), truncated_2=True)
    assert truncation_notes(j, "short", "x" * 1234, 200) == [
        "Response 2 is 1,234 characters long: the judge read only its first 200 "
        "(longer texts bring back the judge's verbosity bias)."]


def test_live_judge_loads_once_and_remembers_a_failure(tiny_judge):
    calls = []

    def loader(model, backend, **options):
        calls.append((model, backend, options))
        return load_judge(model, backend, **options)

    live = LiveJudge(LiveSettings(model=str(tiny_judge), max_chars=100), loader=loader)
    assert not live.loaded
    assert live.get() is live.get() and live.loaded and len(calls) == 1
    assert calls[0][2]["max_chars"] == 100 and live.load_seconds > 0
    broken = LiveJudge(LiveSettings(model=str(Path(tiny_judge) / "missing")), loader=loader)
    for _ in range(2):
        with pytest.raises(JudgeError, match="JUDGE_MODEL"):
            broken.get()
    assert len(calls) == 2  # the failure is not retried on every click
    assert "could not be loaded" in load_failure_markdown("why")


def test_result_html_shows_the_numbers():
    # pass 1: P(A) = .6 / .8; pass 2 mirrors it, so both orders prefer Response 1: P = .75, mass .8
    j = judgement((math.log(0.6), math.log(0.2)), (math.log(0.2), math.log(0.6)))
    page = result_html(j, ["a truncation note"], load_seconds=3.0)
    assert ">0.75<" in page and "Response 1 is better" in page and "width:75.0%" in page
    assert "Position-consistent: both orders prefer Response 1." in page
    assert "Response 1 shown as A" in page and "Response 1 shown as B" in page and "A/B mass: 80.0%" in page
    assert "m&lt;x&gt;" in page and "m<x>" not in page  # escaped
    assert "+ 3.0 s to load the model" in page and "a truncation note" in page
    assert "Low A/B mass" not in page


def test_warnings_and_consistency_lines():
    low = judgement((math.log(0.1), math.log(0.05)), (math.log(0.3), math.log(0.3)))
    assert warnings_for(low, [])[0].startswith("Low A/B mass in pass 1: A and B hold only 15.0%")
    assert len(warnings_for(low, [])) == 1  # pass 2 holds 60%
    biased = judgement((math.log(0.9), math.log(0.05)), (math.log(0.9), math.log(0.05)))
    assert consistency_line(biased).startswith("Not position-consistent: each order prefers the response shown as A")
    failed = judgement((None, None), (None, None), error="timeout")
    assert warnings_for(failed, []) == ["The judge failed: timeout"]
    assert consistency_line(failed) == "Position consistency: n/a (no valid verdict)."
    assert ">—<" in result_html(failed, []) and "No verdict" in result_html(failed, [])
    assert "Uncertain" in result_html(low, []) and "Response 1 is better" not in result_html(low, [])
    assert "Uncertain" in result_html(biased, []) and "is better" not in result_html(biased, [])


def test_model_status_before_any_typing(tiny_judge, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    local = LiveSettings(model=str(tiny_judge), backend="transformers", max_chars=100, options={}, log_path=None)
    status = model_status(local, LiveJudge(local))
    assert "can be loaded" in status and plain(tiny_judge.name) in status and str(tiny_judge.parent) not in status
    assert "not available" in model_status(local, LiveJudge(local), failed=True)
    absent = LiveSettings(model="nobody/no-model", backend="transformers", max_chars=100, options={}, log_path=None)
    text = model_status(absent, LiveJudge(absent))
    assert "not available" in text and "JUDGE_MODEL" in text


def test_always_a_model_in_the_tab(always_a_judge, tmp_path):
    judge = load_judge(str(always_a_judge))
    pair = Pair("Write", "one", "two")
    [j] = judge.judge([pair])
    page = result_html(j, [])
    # Each order prefers A: the passes disagree, so no response is named better.
    assert ">0.50<" in page and "Uncertain: the two orders disagree" in page and "Not position-consistent" in page
    append_log(tmp_path / "log.jsonl", pair, j)
    append_log(tmp_path / "log.jsonl", pair, j)
    rows = [json.loads(line) for line in (tmp_path / "log.jsonl").read_text().splitlines()]
    assert len(rows) == 2 and rows[0]["text_1"] == "one" and rows[0]["p_text1_better"] == 0.5


def test_pairwise_state_in_the_url_is_bounded():
    from toolkit.ui.pairwise import URL_TEXT_LIMIT, PairwiseState, state_from_query

    short = PairwiseState("Write", "one", "two")
    assert short.query() == {"instruction": "Write", "text_1": "one", "text_2": "two"} and short.link_note() == ""
    long = PairwiseState("Write", "x" * (URL_TEXT_LIMIT + 1), "two")
    assert long.query() == {"instruction": "Write", "text_2": "two"}
    assert long.link_note() == "Response 1 is longer than 2,000 characters, so the link to this view leaves it out."
    both = PairwiseState("Write", "x" * 2001, "y" * 2001)
    assert both.link_note().startswith("Response 1 and Response 2 are longer") and both.link_note().endswith("them out.")
    assert PairwiseState("Write", "x" * 2001, "", "r1", "r2").query() == {"response_a": "r1", "response_b": "r2"}
    typed = state_from_query(None, {"instruction": "Write", "text_1": "a" * 5000, "text_2": "b"})
    assert (typed.instruction, len(typed.text_1), typed.text_2) == ("Write", URL_TEXT_LIMIT, "b")


def test_pairwise_state_from_two_responses_of_the_data(demo_data):
    from toolkit.query.answers import answer, other_answers
    from toolkit.storage.store import Store
    from toolkit.ui.pairwise import state_from_query

    store = Store.open(demo_data)
    first = store.rows("SELECT response_id FROM response_view ORDER BY response_id LIMIT 1")[0][0]
    others = other_answers(store, first)
    state = state_from_query(store, {"response_a": first})
    assert state.response_a == first and state.response_b == others["response_id"].iat[0]  # the first other
    assert state.instruction == answer(store, first).question and state.text_1 == answer(store, first).content
    named = others["response_id"].iat[-1]
    assert state_from_query(store, {"response_a": first, "response_b": named}).response_b == named
    assert state_from_query(store, {"response_a": first, "response_b": first}).response_b == others["response_id"].iat[0]
    assert "not in this data" in state_from_query(store, {"response_a": "nope"}).note
