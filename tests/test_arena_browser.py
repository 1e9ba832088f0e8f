"""The Elo tab in the real app, in Chromium: the demo matches, the leaderboard and its CSV, charts,
panels, a bad source, URL state, light and dark screenshots."""
from __future__ import annotations

import csv

import pytest

from tests.browser import open_page, running_app, screenshot

pytestmark = pytest.mark.browser


def wait_for_view(page, text: str) -> None:
    page.wait_for_function(f"() => document.querySelector('#elo-status')?.innerText.includes({text!r})")
    page.wait_for_selector("#elo-chart svg.marks, #elo-chart canvas")
    page.wait_for_selector("#elo-heatmap svg.marks, #elo-heatmap canvas")


def test_elo_tab_on_the_demo_matches(demo_data, tmp_path):
    with running_app(demo_data) as url:
        with open_page(url + "?tab=elo") as page:
            wait_for_view(page, "14 models")
            table = page.locator("#elo-table")
            assert "demo/writer-01" in table.inner_text()
            for panel in ("option_a", "option_b", "position", "length"):
                assert page.locator(f"#elo-panel-{panel}").inner_text().strip()
            assert "Separability score" in page.locator("#elo-panel-option_b").inner_text()
            page.wait_for_timeout(500)
            screenshot(page, "elo-overview")
            page.locator("#elo-heatmap").scroll_into_view_if_needed()
            page.wait_for_timeout(500)
            screenshot(page, "elo-charts")
            with page.expect_download() as download:
                page.locator("#elo-csv").click()
            path = tmp_path / "elo.csv"
            download.value.save_as(path)
            rows = list(csv.DictReader(path.open()))
            assert len(rows) == 14 and {"rank", "model", "elo", "plus_minus", "games", "win_rate"} <= set(rows[0])
            link = page.locator("#elo-link textarea, #elo-link input").first.input_value()
            assert "tab=elo" in link and "elo_ci=prompts" in link
            # A typed path: refused in one sentence (no server path read), the page stays usable.
            box = page.locator("#elo-source textarea, #elo-source input").first
            box.fill(str(tmp_path / "nowhere"))
            page.locator("#elo-load").click()
            page.wait_for_function("() => document.querySelector('#elo-status')?.innerText.includes('not available')")
        # URL state: intervals over matches, a 6-model heatmap.
        with open_page(url + "?tab=elo&elo_ci=matches&elo_top=6") as page:
            wait_for_view(page, "14 models")
            assert page.locator("#elo-ci input[value='matches']").is_checked()
            link = page.locator("#elo-link textarea, #elo-link input").first.input_value()
            assert "elo_ci=matches" in link and "elo_top=6" in link
        with open_page(url + "?tab=elo&__theme=dark", color_scheme="dark") as page:
            wait_for_view(page, "14 models")
            page.locator("#elo-heatmap").scroll_into_view_if_needed()
            page.wait_for_timeout(500)
            screenshot(page, "elo-dark")
