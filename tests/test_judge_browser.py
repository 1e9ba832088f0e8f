"""The Pairwise judge tab in the real app, in Chromium, with the tiny judge model."""
from __future__ import annotations

import re

import pytest
import torch

from tests.browser import link_box, open_page, reload_keeps, running_app, screenshot, url_params, wait_url_param
from tests.judge_fixtures import tiny_judge  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser


def fill(page, instruction: str, first: str, second: str) -> None:
    page.locator("#pw-instruction textarea").fill(instruction)
    page.locator("#pw-response-1 textarea").fill(first)
    page.locator("#pw-response-2 textarea").fill(second)


def probability(page) -> float:
    """The full-precision P(Response 1 better) of the result shown (the big number has 2 decimals)."""
    page.wait_for_function("() => { const e = document.querySelector('#pw-p'); return e && e.dataset.p; }")
    shown, exact = page.locator("#pw-p").inner_text(), float(page.locator("#pw-p").get_attribute("data-p"))
    assert shown == f"{exact:.2f}"
    return exact


def test_pairwise_tab_judges_swaps_and_explains(demo_data, tiny_judge):
    env = {"JUDGE_MODEL": str(tiny_judge), "JUDGE_MAX_CHARS": "200"}
    with running_app(demo_data, env=env) as url, open_page(url + "?tab=pairwise") as page:
        page.locator("#pw-judge").wait_for()
        # The model's status before any typing, by its folder's name: no server path on the page.
        assert f"{tiny_judge.name}: can be loaded" in page.locator("#pw-model-status").inner_text()
        assert str(tiny_judge.parent) not in page.locator("body").inner_text()

        # empty input: a message, no result
        page.locator("#pw-judge").click()
        page.get_by_text("Response 2 are empty: fill in the instruction and both responses").wait_for()
        assert page.locator("#pw-p").count() == 0

        # fill, judge, see the result with both passes and the provenance
        fill(page, "Write a haiku about the sea.", "Waves fold into foam;\nthe gull writes its name in wind.",
             "The sea is big. The sea is big and wet.")
        page.locator("#pw-judge").click()
        p = probability(page)
        assert 0 <= p <= 1
        result = page.locator("#pw-result").inner_text()
        assert "Pass 1" in result and "Pass 2" in result and "Response 1 shown as B" in result
        assert re.search(r"(Position-consistent|Not position-consistent)", result)
        device = "cuda" if torch.cuda.is_available() else "cpu"  # the tab loads the judge on the default device
        assert "backend transformers" in result and f"device {device}" in result and "load the model" in result
        assert "Low A/B mass" in result  # a random tiny model spreads its mass over the whole vocabulary
        page.locator("#pw-result").scroll_into_view_if_needed()
        screenshot(page, "pairwise-result")

        # swap: the texts trade places and the judge runs again; P becomes 1 - P
        page.locator("#pw-swap").click()
        page.wait_for_function("() => document.querySelector('#pw-response-1 textarea').value.startsWith('The sea')")
        assert page.locator("#pw-response-2 textarea").input_value().startswith("Waves fold")
        assert probability(page) == pytest.approx(1 - p, abs=1e-6)
        screenshot(page, "pairwise-swapped")

        page.wait_for_function("() => document.querySelector('#pw-model-status')?.innerText.includes('loaded.')")
        # an over-long response is truncated with a notice; typing clears the old verdict first
        page.locator("#pw-response-2 textarea").fill(("A very long answer. " * 30)[:-1])
        page.locator("#pw-response-2 textarea").press_sequentially(" ")  # a keystroke, as a visitor types
        page.wait_for_function("() => !document.querySelector('#pw-p')")
        page.locator("#pw-judge").click()
        page.get_by_text("Response 2 is 600 characters long: the judge read only its first 200").wait_for()
        page.locator("#pw-result").scroll_into_view_if_needed()
        screenshot(page, "pairwise-truncated")


def test_pairwise_tab_without_a_model_says_why_and_the_app_keeps_running(demo_data):
    env = {"JUDGE_MODEL": ""}  # the default Hub model, which is not here (running_app sets HF_HUB_OFFLINE=1)
    with running_app(demo_data, env=env) as url, open_page(url + "?tab=pairwise") as page:
        before = page.locator("#pw-model-status").inner_text()
        assert "not available" in before and "JUDGE_MODEL" in before
        fill(page, "Write a haiku.", "one", "two")
        page.locator("#pw-judge").click()
        status = page.locator("#pw-status")
        page.get_by_text("The judge model could not be loaded").wait_for()
        text = status.inner_text()
        assert "Qwen3.5-4B-Creative-Writing-Judge" in text and "offline" in text and "JUDGE_MODEL" in text
        status.scroll_into_view_if_needed()
        screenshot(page, "pairwise-no-model")
        # the rest of the app still answers
        page.get_by_role("tab", name="About the data").click()
        page.locator("#about-tables").wait_for()


def test_pairwise_state_in_the_address_bar_and_from_the_explorer(demo_data):
    """A drill-down item's "compare" link opens the tab with the question and two models' answers
    (ids in the URL, texts from the data); another answer can be chosen; typed texts go into the
    URL up to 2,000 characters each, with a note beyond; a reload brings the texts back."""
    from toolkit.query.answers import answer, other_answers
    from toolkit.storage.store import Store

    store = Store.open(demo_data)
    with running_app(demo_data, env={"JUDGE_MODEL": ""}) as url, open_page(
            url + "?tab=explorer&from=DENIAL&to=DENIAL") as page:
        page.wait_for_selector("#xp-items a.xp-compare")
        first = page.locator("#xp-items article.xp-item").first.get_attribute("data-response-id")
        page.locator("#xp-items a.xp-compare").first.click()
        others = other_answers(store, first)
        wait_url_param(page, "response_b", others["response_id"].iat[0])       # the first other model
        assert url_params(page)["response_a"] == first and link_box(page, "pw").startswith(url)
        assert page.locator("#pw-instruction textarea").input_value() == answer(store, first).question
        assert page.locator("#pw-response-1 textarea").input_value() == answer(store, first).content
        assert page.locator("#pw-response-2 textarea").input_value() == answer(store, others["response_id"].iat[0]).content
        assert answer(store, first).model in page.locator("#pw-source").inner_text()
        assert page.locator("#pw-p").count() == 0                               # no verdict in a URL
        screenshot(page, "pairwise-from-explorer")

        last_model, last_id = others["model"].iat[-1], others["response_id"].iat[-1]
        page.locator("#pw-other input").click()
        page.get_by_role("option", name=last_model, exact=True).click()
        wait_url_param(page, "response_b", last_id)
        assert page.locator("#pw-response-2 textarea").input_value() == answer(store, last_id).content

        page.locator("#pw-response-1 textarea").fill("My own answer.")
        page.locator("#pw-response-1 textarea").press_sequentially("!")       # a keystroke, as a visitor types
        wait_url_param(page, "text_1", "My own answer.!")
        assert "response_a" not in url_params(page) and link_box(page, "pw").startswith(url)
        page.locator("#pw-response-2 textarea").fill("y" * 2500)
        page.locator("#pw-response-2 textarea").press_sequentially("y")
        page.wait_for_function("() => !new URL(location.href).searchParams.has('text_2')")
        assert "Response 2 is longer than 2,000 characters" in page.locator("#pw-link-note").inner_text()
        reload_keeps(page, "() => document.querySelector('#pw-response-1 textarea')?.value === 'My own answer.!'")
        assert page.locator("#pw-instruction textarea").input_value() == answer(store, first).question
        assert page.locator("#pw-response-2 textarea").input_value() == ""      # too long for the link
