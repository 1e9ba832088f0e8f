"""The Judge explorer tab in the real app, in Chromium: two judges, Sankey and heatmap, a cell's items
page by page, URL state, and untrusted texts that must run nothing and load nothing.

The data folder is made by hand: judges A and B on 60 responses, human H on 10.
    A:  r000-r044 COMPLETE, r045-r052 EVASIVE, r053-r059 DENIAL
    B:  r000-r044 DENIAL,   r045-r049 EVASIVE, r050-r052 COMPLETE, r053-r059 DENIAL
so the cell COMPLETE -> DENIAL holds 45 items (two pages of 25). r000 (first in its cell) carries
script, event-handler, remote-image and template payloads in its response, question and analysis;
B's raw label on r059 is itself an HTML payload.
"""
from __future__ import annotations

import re

import pandas as pd
import pytest

from tests.browser import open_page, running_app, screenshot
from toolkit.core.tables import write_tables

pytestmark = pytest.mark.browser

A, B, H = "judge/a", "judge/b", "human/h"
REMOTE = "http://127.0.0.1:9/pixel.png"  # nothing listens there; any request to it is a failure
PAYLOAD = (
    "Sure. <script>window.__xss = 1</script>\n\n"
    '<img src=x onerror="window.__xss = 2"> and <img src="' + REMOTE + '">\n\n'
    f"![tracker]({REMOTE}) [click](javascript:window.__xss=3) <svg onload=\"window.__xss = 4\"></svg>\n\n"
    "${window.__xss = 5} {{constructor.constructor('window.__xss = 6')()}}\n\n"
    "**Bold markdown still renders.**"
)


def label_a(i: int) -> str:
    return "COMPLETE" if i < 45 else "EVASIVE" if i < 53 else "DENIAL"


def label_b(i: int) -> str:
    return "DENIAL" if i < 45 else "EVASIVE" if i < 50 else "COMPLETE" if i < 53 else "DENIAL"


@pytest.fixture(scope="module")
def explorer_data(tmp_path_factory):
    questions = [{"question_uid": f"q{i}", "question_id": f"theme{i % 5}{i % 4 + 1}", "question_set": "us_hard",
                  "domain": f"Domain {i % 3}", "theme": f"theme{i % 5}", "variation": i % 4 + 1,
                  "text": f"Question number {i}"} for i in range(60)]
    questions[0]["text"] = "<b>Is this bold?</b> <script>window.__xss = 8</script>"
    responses = [{"response_id": f"r{i:03d}", "question_uid": f"q{i}", "question_id": questions[i]["question_id"],
                  "question_set": "us_hard", "model": f"lab{i % 2}/model-{i % 3}", "timestamp": "2025-01-01",
                  "provider": "Provider", "content": f"Plain response {i}."} for i in range(60)]
    responses[0]["content"] = PAYLOAD
    rows = []
    for i in range(60):
        rid = f"r{i:03d}"
        rows.append({"assessment_id": f"a{i}", "response_id": rid, "judge": A, "judge_raw": A, "judge_type": "llm",
                     "label": label_a(i), "label_raw": label_a(i), "analysis": f"A thinks {label_a(i)}",
                     "timestamp": "2025-02-01"})
        raw_b = '<img src=x onerror="window.__xss = 7">DENIAL' if i == 59 else label_b(i)
        rows.append({"assessment_id": f"b{i}", "response_id": rid, "judge": B, "judge_raw": B, "judge_type": "llm",
                     "label": label_b(i), "label_raw": raw_b, "analysis": f"B thinks {label_b(i)}",
                     "timestamp": "2025-02-01"})
        if i < 10:
            rows.append({"assessment_id": f"h{i}", "response_id": rid, "judge": H, "judge_raw": H,
                         "judge_type": "human", "label": "DENIAL", "label_raw": "DENIAL",
                         "analysis": "gold", "timestamp": "2025-03-01"})
    rows[1]["analysis"] = '<script>window.__xss = 9</script><img src=x onerror="window.__xss = 10">'
    models = [{"model": f"lab{i % 2}/model-{i % 3}", "lab": f"lab{i % 2}", "family": "fam", "reasoning": i % 2 == 1}
              for i in range(6)]
    return write_tables(tmp_path_factory.mktemp("explorer") / "data", {
        "questions": pd.DataFrame(questions), "responses": pd.DataFrame(responses),
        "assessments": pd.DataFrame(rows), "models": pd.DataFrame(models).drop_duplicates("model")})


def choose(page, elem_id: str, value: str) -> None:
    """Pick a value in a Gradio dropdown by typing it and clicking the option."""
    box = page.locator(f"#{elem_id} input")
    box.click()
    box.fill(value)
    page.locator(f'[role=option][aria-label="{value}"]').first.click()


def page_info(page) -> str:
    return page.locator("#xp-page-info").inner_text()


def no_payload_ran(page) -> None:
    assert page.evaluate("() => window.__xss === undefined"), "a payload in the data ran in the page"


def test_explorer_in_the_browser(explorer_data):
    remote_requests: list[str] = []
    with running_app(explorer_data) as url, open_page(url + "?tab=explorer") as page:
        page.on("request", lambda request: remote_requests.append(request.url)
                if request.url.startswith(REMOTE) or request.url.endswith("/x") else None)
        page.wait_for_selector("#xp-sankey svg")
        choose(page, "xp-judge1", A)
        choose(page, "xp-judge2", B)
        page.wait_for_function(
            "() => document.querySelector('#xp-agreement')?.innerText.includes('60 responses judged by both')")
        assert page.locator("#xp-sankey .xp-wide path.xp-flow").count() == 4  # C->D, E->E, E->C, D->D
        page.wait_for_selector("#xp-heatmap table.xp-heat")
        page.wait_for_selector("#xp-kappa table.xp-heat")
        assert "Cohen's kappa" in page.locator("#xp-agreement").inner_text()
        screenshot(page, "explorer-overview")

        # Open the cell COMPLETE -> DENIAL by clicking the counts table (row COMPLETE, column DENIAL).
        header = [h.strip() for h in page.locator("#xp-matrix thead th").all_inner_texts()]
        column = header.index("DENIAL")
        row = page.locator("#xp-matrix [role=row][data-index]").filter(has_text="COMPLETE").first
        row.locator(f"[role=gridcell][aria-colindex='{column + 1}']").click()
        page.wait_for_function("() => document.querySelector('#xp-page-info')?.innerText.includes('of 45')")
        assert re.search(r"items 1-25 of 45 · page 1 of 2", page_info(page))
        assert page.locator("#xp-items article.xp-item").count() == 25

        first = page.locator("#xp-items article.xp-item").first
        text = first.inner_text()
        assert "<script>window.__xss = 1</script>" in text and 'onerror="window.__xss = 2"' in text
        assert "<b>Is this bold?</b>" in text  # the question is shown as text, not as markup
        assert first.locator(".xp-response strong").inner_text() == "Bold markdown still renders."
        assert page.locator("#xp-items img, #xp-items script, #xp-items svg, #xp-items [onerror]").count() == 0
        assert page.locator("#xp-items a[href^='javascript']").count() == 0
        assert "A thinks COMPLETE" in text and "human/h" in text
        assert '<script>window.__xss = 9</script><img src=x onerror="window.__xss = 10">' in text  # B's analysis
        page.locator("#xp-page-info").scroll_into_view_if_needed()
        screenshot(page, "explorer-cell")

        ids = lambda: page.locator("#xp-items article.xp-item").evaluate_all(  # noqa: E731
            "items => items.map(item => item.dataset.responseId)")
        first_page = ids()
        page.locator("#xp-next").click()
        page.wait_for_function("() => document.querySelector('#xp-page-info')?.innerText.includes('items 26-45')")
        second_page = ids()
        assert len(second_page) == 20 and not set(first_page) & set(second_page)
        assert set(first_page) | set(second_page) == {f"r{i:03d}" for i in range(45)}
        page.locator("#xp-prev").click()
        page.wait_for_function("() => document.querySelector('#xp-page-info')?.innerText.includes('items 1-25')")

        # Judge 2's raw labels: the HTML payload in a raw label shows as text in the Sankey.
        page.locator("#xp-kind2 label", has_text="raw label").click()
        page.wait_for_function(
            "() => document.querySelector('#xp-sankey svg')?.textContent.includes('onerror')")
        assert page.locator("#xp-sankey img").count() == 0
        page.wait_for_timeout(1000)
        no_payload_ran(page)
        assert remote_requests == []


def test_explorer_state_from_url_and_dark_theme(explorer_data):
    with running_app(explorer_data) as url:
        query = f"?tab=explorer&__theme=dark&j1={A}&j2={B}&from=COMPLETE&to=DENIAL&pg=2&size=20&lab=lab0"
        with open_page(url + query, color_scheme="dark") as page:
            page.wait_for_function("() => document.querySelector('#xp-page-info')?.innerText.includes('page 2')")
            # lab0 models hold the even responses: 23 of the 45 in the cell; page 2 of 20 = items 21-23.
            assert "items 21-23 of 23" in page_info(page)
            assert page.locator("#xp-items article.xp-item").count() == 3
            page.wait_for_selector("#xp-heatmap table.xp-heat")
            page.wait_for_timeout(1500)
            screenshot(page, "explorer-dark")
            no_payload_ran(page)
            link = page.locator("#xp-link textarea, #xp-link input").first.input_value()
            assert "pg=2" in link and "lab=lab0" in link and "from=COMPLETE" in link
        # Several values of one filter are joined by "|" (domain names contain commas).
        with open_page(url + f"?tab=explorer&j1={A}&j2={B}&from=COMPLETE&to=DENIAL"
                       "&model=lab0/model-0|lab0/model-2") as page:
            # model-0 and model-2 of lab0: responses i % 6 in (0, 2), 16 of them below 45.
            page.wait_for_function("() => document.querySelector('#xp-page-info')?.innerText.includes('of 16')")
        hostile = "?tab=explorer&j1=nobody&model=%27%20OR%201%3D1%20--&question_set=" + "x" * 3000
        with open_page(url + hostile) as page:
            page.wait_for_function(
                "() => document.querySelector('#xp-status')?.innerText.includes('No response was judged')")
            assert page.locator("#xp-sankey").inner_text().startswith("Nothing to draw")
