"""The Judge explorer tab in the real app, in Chromium: two judges, Sankey and heatmap (a click on a
flow or a cell opens it), a cell's items page by page, the address bar that follows the view, the
phone layout, and untrusted texts that must run nothing and load nothing.

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

from tests.browser import link_box, open_page, reload_keeps, running_app, screenshot, url_params, wait_url_param
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


def wait_cell(page, source: str, target: str, total: int) -> None:
    """Wait until the page line names the cell source -> target with `total` items."""
    page.wait_for_function(
        "([s, t, n]) => { const info = document.querySelector('#xp-page-info')?.innerText || '';"
        " return info.includes(s + ' \u2192 ' + t) && info.includes('of ' + n); }", arg=[source, target, str(total)])


def smallest_svg_text(page) -> float:
    """The smallest rendered size (px) of the visible Sankey's 12 px text: SVGs are scaled to fit."""
    return page.evaluate("""() => Math.min(...[...document.querySelectorAll('#xp-sankey svg')]
        .filter(svg => svg.getBoundingClientRect().width > 0)
        .map(svg => 12 * svg.getBoundingClientRect().width / svg.viewBox.baseVal.width))""")


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
        wait_url_param(page, "j2", B)          # a control change writes the address bar
        assert link_box(page, "xp").startswith(url) and "j1=judge%2Fa" in link_box(page, "xp")  # absolute
        assert page.locator("#xp-sankey .xp-wide path.xp-flow").count() == 4  # C->D, E->E, E->C, D->D
        assert smallest_svg_text(page) >= 11
        # The model filter marks the models whose standing depends on the judge (all of them here).
        page.locator("#xp-filter-model input").click()
        # (lab0/model-0 answered q0, q6, ..., q54: 10 responses, all judged by both.)
        page.get_by_role("option", name="lab0/model-0 \u26a0 judge-dependent (10)", exact=True).wait_for()
        page.keyboard.press("Escape")
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
        wait_url_param(page, "to", "DENIAL")
        assert url_params(page)["from"] == "COMPLETE" and link_box(page, "xp").startswith(url)
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
        wait_url_param(page, "pg", "2")
        # A reload opens the same cell on the same page.
        reload_keeps(page, "() => document.querySelector('#xp-page-info')?.innerText.includes('items 26-45 of 45')")
        assert ids() == second_page and link_box(page, "xp").startswith(url)
        page.locator("#xp-prev").click()
        page.wait_for_function("() => document.querySelector('#xp-page-info')?.innerText.includes('items 1-25')")

        # A click on a heatmap cell opens it: EVASIVE -> COMPLETE holds r050-r052.
        page.locator('#xp-heatmap td[data-from="EVASIVE"][data-to="COMPLETE"]').click()
        wait_cell(page, "EVASIVE", "COMPLETE", 3)
        assert ids() == ["r050", "r051", "r052"]
        wait_url_param(page, "from", "EVASIVE")
        # A click on a Sankey flow opens it: DENIAL -> DENIAL holds r053-r059 (its band runs along the
        # bottom, so the middle of its box is on it).
        page.locator('#xp-sankey .xp-wide path[data-from="DENIAL"][data-to="DENIAL"]').click()
        wait_cell(page, "DENIAL", "DENIAL", 7)
        assert ids() == [f"r{i:03d}" for i in range(53, 60)]
        # Models whose standing depends on the judge are marked: r054 is lab0/model-0's, 8 of whose 10
        # responses (r000, r006, ..., r042) are COMPLETE under A and none under B: 80 points apart.
        assert "judge-dependent ⚠ 80 pts" in page.locator('#xp-items [data-response-id="r054"] .xp-model').inner_text()

        # Judge 2's raw labels: the HTML payload in a raw label shows as text in the Sankey.
        page.locator("#xp-kind2 label", has_text="raw label").click()
        page.wait_for_function(
            "() => document.querySelector('#xp-sankey svg')?.textContent.includes('onerror')")
        assert page.locator("#xp-sankey img").count() == 0
        page.wait_for_timeout(1000)
        no_payload_ran(page)
        assert remote_requests == []


def wait_options(page, elem_id: str, expected: list[str]) -> None:
    """Open a dropdown and wait until its options' labels are `expected` (Gradio renders only the
    open dropdown's options, and refreshes a filter's choices after the view)."""
    page.locator(f"#{elem_id} input").click()
    page.wait_for_function("(expected) => JSON.stringify([...document.querySelectorAll('[role=option]')]"
                           ".map(o => o.getAttribute('aria-label'))) === JSON.stringify(expected)", arg=expected)
    page.keyboard.press("Escape")


def test_filter_choices_narrow_and_count(explorer_data):
    # Theme i % 5 of questions 0-59: 12 each; Domain 0 holds q0, q3, ..., q57 (20), 4 per theme;
    # every response is judged by both A and B.
    with running_app(explorer_data) as url, open_page(url + f"?tab=explorer&j1={A}&j2={B}") as page:
        page.wait_for_selector("#xp-sankey svg")
        wait_options(page, "xp-filter-theme", [f"theme{i} (12)" for i in range(5)])
        wait_radio(page, "xp-reasoning", ["any (60)", "yes (30)", "no (30)"])
        box = page.locator("#xp-filter-domain input")
        box.click()
        box.fill("Domain 0")
        page.get_by_role("option", name="Domain 0 (20)", exact=True).click()
        page.keyboard.press("Escape")
        page.wait_for_function(
            "() => document.querySelector('#xp-agreement')?.innerText.includes('20 responses judged by both')")
        wait_options(page, "xp-filter-theme", [f"theme{i} (4)" for i in range(5)])
        # The domain filter itself is not narrowed by its own choice.
        wait_options(page, "xp-filter-domain", ["Domain 0 (20)", "Domain 1 (20)", "Domain 2 (20)"])
        # Reasoning: the lab1 models (odd responses) reason; Domain 0 holds 10 odd and 10 even ones.
        wait_radio(page, "xp-reasoning", ["any (20)", "yes (10)", "no (10)"])
        page.locator("#xp-reasoning label").filter(has_text="yes (10)").click()
        wait_url_param(page, "reasoning", "yes")   # the URL keeps the plain value
        page.wait_for_function(
            "() => document.querySelector('#xp-agreement')?.innerText.includes('10 responses judged by both')")
        # Its own choice does not narrow it; the domain filter now counts the reasoning responses only.
        wait_radio(page, "xp-reasoning", ["any (20)", "yes (10)", "no (10)"])
        wait_options(page, "xp-filter-domain", ["Domain 0 (10)", "Domain 1 (10)", "Domain 2 (10)"])


def wait_radio(page, elem_id: str, expected: list[str]) -> None:
    """Wait until a radio's choices read `expected`."""
    page.wait_for_function(f"(expected) => JSON.stringify([...document.querySelectorAll('#{elem_id} label')]"
                           ".map(o => o.innerText.trim())) === JSON.stringify(expected)", arg=expected)


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
            page.wait_for_function("() => new URL(location.href).searchParams.get('pg') === '2'")
            link = link_box(page, "xp")
            assert link.startswith(url) and "pg=2" in link and "lab=lab0" in link and "from=COMPLETE" in link
            assert "__theme=dark" in page.url
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


def test_explorer_on_a_phone(explorer_data):
    """390 px, dark: no page-level sideways scroll, the filters start collapsed, the narrow Sankey
    with text of at least 11 px, judge names whole, judge tables as cards, a tap on a flow opens it."""
    with running_app(explorer_data) as url, open_page(
            url + f"?tab=explorer&__theme=dark&j1={A}&j2={B}&from=COMPLETE&to=DENIAL",
            width=390, height=844, color_scheme="dark") as page:
        page.wait_for_function("() => document.querySelector('#xp-page-info')?.innerText.includes('of 45')")
        page.wait_for_function("() => !document.querySelector('#xp-filters > button.label-wrap.open')")
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
        assert page.locator("#xp-sankey .xp-narrow svg").is_visible()
        assert not page.locator("#xp-sankey .xp-wide svg").is_visible()
        assert smallest_svg_text(page) >= 11
        for box in ("#xp-judge1 input", "#xp-judge2 input"):  # the whole name fits its box
            assert page.locator(box).evaluate("e => e.scrollWidth <= e.clientWidth + 1"), box
        name = page.locator("#xp-items .xp-judge-name").first
        assert name.evaluate("e => e.getBoundingClientRect().height < 60")  # not one word per line
        page.locator("#xp-sankey").scroll_into_view_if_needed()
        screenshot(page, "explorer-phone-dark")
        page.locator('#xp-sankey .xp-narrow path[data-from="DENIAL"][data-to="DENIAL"]').click()
        wait_cell(page, "DENIAL", "DENIAL", 7)
        page.locator("#xp-items").scroll_into_view_if_needed()
        screenshot(page, "explorer-phone-items-dark")
