"""A public deployment in Chromium: values from the URL and the data show as plain text and load
nothing (a local HTTP server counts the requests it gets), typed server paths in the Elo source are
refused alike, verdict badges have readable contrast, page numbers clamp, a judge change clears the
drill-down, and CSV files are written only on download.

Data made by hand: judges A and HOSTILE (a markdown image as its name) on 12 responses;
A says COMPLETE on r00-r07 and DENIAL on r08-r11, HOSTILE says DENIAL everywhere, so the cell
COMPLETE -> DENIAL holds 6 items (one page; r01 is EVASIVE and r02 ERROR under A). One model's name is a markdown link.
"""
from __future__ import annotations

import http.server
import re
import threading
from pathlib import Path
from urllib.parse import quote

import pandas as pd
import pytest

from tests.browser import free_port, open_page, running_app, screenshot
from tests.test_explorer_browser import choose
from toolkit.arena.matches_source import REFUSED
from toolkit.core.tables import write_tables
from toolkit.ui.texts import PICK_CELL

pytestmark = pytest.mark.browser

A = "judge/a"


class Counter(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 - the http.server name
        Counter.hits.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def listener():
    """A local HTTP server on a free port that records every request it gets."""
    port = free_port()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Counter)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()


@pytest.fixture(scope="module")
def hostile_data(tmp_path_factory, listener):
    hostile_judge = f"![j]({listener}/judge.png)"
    hostile_model = f"[Session expired - log in again]({listener}/login)"
    questions = [{"question_uid": f"q{i}", "question_id": f"t{i % 3}{i % 4 + 1}", "question_set": "us_hard",
                  "domain": "D", "theme": f"t{i % 3}", "variation": i % 4 + 1, "text": f"Question {i}"}
                 for i in range(12)]
    models = ["lab/plain", hostile_model]
    responses = [{"response_id": f"r{i:02d}", "question_uid": f"q{i}", "question_id": questions[i]["question_id"],
                  "question_set": "us_hard", "model": models[i % 2], "timestamp": "2025-01-01",
                  "provider": "P", "content": f"Answer {i}."} for i in range(12)]
    rows = []
    for i in range(12):
        label = "COMPLETE" if i < 8 else "DENIAL"
        for judge, verdict in ((A, label), (hostile_judge, "DENIAL")):
            rows.append({"assessment_id": f"{len(rows)}", "response_id": f"r{i:02d}", "judge": judge,
                         "judge_raw": judge, "judge_type": "llm", "label": verdict, "label_raw": verdict,
                         "analysis": "why", "timestamp": "2025-02-01"})
    rows[2]["label"] = rows[2]["label_raw"] = "EVASIVE"      # r01 under A: an EVASIVE badge too
    rows[4]["label"] = rows[4]["label_raw"] = "ERROR"        # r02 under A: an ERROR badge
    meta = pd.DataFrame({"model": models, "lab": ["lab", "lab"], "family": ["f", "f"], "reasoning": [False, True]})
    folder = write_tables(tmp_path_factory.mktemp("public") / "data", {
        "questions": pd.DataFrame(questions), "responses": pd.DataFrame(responses),
        "assessments": pd.DataFrame(rows), "models": meta})
    return folder, hostile_judge, hostile_model


def text_of(page, selector: str) -> str:
    return page.locator(selector).inner_text()


def no_links_or_images(page, selector: str) -> None:
    assert page.locator(f"{selector} img, {selector} a").count() == 0, page.locator(selector).inner_html()


def test_values_from_the_url_and_the_data_are_plain_text(hostile_data, listener):
    folder, hostile_judge, hostile_model = hostile_data
    Counter.hits.clear()
    image = f"![x]({listener}/elo.png)"
    with running_app(folder) as url:
        with open_page(url + "?tab=elo&elo_matches=" + quote(image)) as page:
            page.wait_for_function("() => document.querySelector('#elo-status')?.innerText.includes('not available')")
            assert text_of(page, "#elo-status").strip() == "⚠️ " + REFUSED
            no_links_or_images(page, "#elo-status")
        question_set = f"![q]({listener}/set.png)"
        with open_page(url + "?tab=explorer&question_set=" + quote(question_set)) as page:
            page.wait_for_function("() => document.querySelector('#xp-status')?.innerText.includes('No response')")
            assert question_set in text_of(page, "#xp-status")
            no_links_or_images(page, "#xp-status")
            no_links_or_images(page, "#xp-agreement")
        with open_page(url + "?tab=explorer&model=" + quote(hostile_model, safe="")) as page:
            page.wait_for_function("() => document.querySelector('#xp-agreement')?.innerText.includes('responses')")
        with open_page(url + f"?tab=leaderboard&from={quote(A)}&to={quote(hostile_judge)}") as page:
            page.wait_for_function(
                "() => document.querySelector('#lb-mig-status')?.innerText.includes('responses judged by both')")
            assert hostile_judge in text_of(page, "#lb-mig-status")        # the name as it is, not an image
            no_links_or_images(page, "#lb-mig-status")
        with open_page(url + f"?tab=explorer&j1={quote(A)}&j2={quote(hostile_judge)}&from=COMPLETE&to=DENIAL"
                       f"&model={quote(hostile_model, safe='')}") as page:
            page.wait_for_function("() => document.querySelector('#xp-page-info')?.innerText.includes('of')")
            assert hostile_model in text_of(page, "#xp-items")
            # no link or image but the explorer's own "compare" links
            assert page.locator("#xp-items a:not(.xp-compare), #xp-items img").count() == 0
            assert page.locator("#xp-items a.xp-compare").count() == 3   # r03, r05, r07
            page.wait_for_timeout(1000)
    assert Counter.hits == []


def relative_luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG 2 relative luminance of an sRGB colour (0-255 channels)."""
    def linear(c: float) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fore: str, back: str) -> float:
    values = [tuple(float(v) for v in re.findall(r"[\d.]+", colour)[:3]) for colour in (fore, back)]
    high, low = sorted((relative_luminance(v) for v in values), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_verdict_badges_are_readable_and_carry_a_symbol(hostile_data, scheme):
    folder, hostile_judge, _ = hostile_data
    theme = "&__theme=dark" if scheme == "dark" else ""
    seen = {}
    with running_app(folder) as url:
        for source in ("COMPLETE", "EVASIVE", "ERROR"):
            query = f"?tab=explorer{theme}&j1={quote(A)}&j2={quote(hostile_judge)}&from={source}&to=DENIAL"
            with open_page(url + query, color_scheme=scheme) as page:
                page.wait_for_function("() => document.querySelectorAll('#xp-items .xp-badge').length > 0")
                badges = page.locator("#xp-items .xp-badge").evaluate_all(
                    "els => els.map(e => [e.innerText, getComputedStyle(e).color, getComputedStyle(e).backgroundColor])")
                for text, fore, back in badges:
                    symbol, label = text.split(" ", 1)
                    seen[label] = symbol
                    assert contrast(fore, back) >= 4.5, (text, fore, back, contrast(fore, back))
                if source == "COMPLETE":
                    page.locator("#xp-items").scroll_into_view_if_needed()
                    screenshot(page, f"public-badges-{scheme}")
    assert seen == {"COMPLETE": "✓", "EVASIVE": "~", "DENIAL": "✕", "ERROR": "!"}


def test_page_numbers_clamp_and_a_judge_change_clears_the_cell(hostile_data):
    folder, hostile_judge, _ = hostile_data
    with running_app(folder) as url:
        log = Path(__import__("os").environ.get("TMPDIR", "/tmp")) / f"app-{url.rstrip('/').rsplit(':', 1)[1]}.log"
        with open_page(url + f"?tab=explorer&j1={quote(A)}&j2={quote(hostile_judge)}&from=COMPLETE&to=DENIAL") as page:
            page.wait_for_function("() => document.querySelector('#xp-page-info')?.innerText.includes('of 6')")
            for typed in ("0", "-3"):
                box = page.locator("#xp-page input")
                box.fill(typed)
                box.press("Enter")
                page.wait_for_function("() => document.querySelector('#xp-page input')?.value === '1'")
                assert "page 1 of 1" in text_of(page, "#xp-page-info")
            assert page.locator(".error, [data-testid='error']").count() == 0
            # A judge change: the old cell's items and line go.
            choose(page, "xp-judge2", A)
            page.wait_for_function(f"() => document.querySelector('#xp-page-info')?.innerText.includes({PICK_CELL[:20]!r})")
            assert page.locator("#xp-items article").count() == 0
        assert "Traceback" not in log.read_text()


def test_typed_server_paths_are_refused_alike(hostile_data, tmp_path):
    folder, _, _ = hostile_data
    downloads = tmp_path / "gradio"
    with running_app(folder, env={"GRADIO_TEMP_DIR": str(downloads)}) as url, open_page(url + "?tab=elo") as page:
        page.wait_for_function("() => document.querySelector('#elo-status')?.innerText.includes('14 models')")
        answers = []
        for typed in ("/etc/passwd", "/", "/nonexistent/matches.parquet", "someone/dataset"):
            box = page.locator("#elo-source textarea, #elo-source input").first
            box.fill(typed)
            page.locator("#elo-load").click()
            page.wait_for_function("() => document.querySelector('#elo-status')?.innerText.includes('not available')")
            answers.append(text_of(page, "#elo-status").strip())
            page.locator("#elo-source textarea, #elo-source input").first.fill("demo")
            page.locator("#elo-load").click()
            page.wait_for_function("() => document.querySelector('#elo-status')?.innerText.includes('14 models')")
        assert set(answers) == {"⚠️ " + REFUSED}
        assert not list(downloads.rglob("*.csv"))             # nothing written until someone downloads
        with page.expect_download() as download:
            page.locator("#elo-csv").click()
        assert download.value.suggested_filename.endswith(".csv")
        assert len(list(downloads.rglob("*.csv"))) == 1
