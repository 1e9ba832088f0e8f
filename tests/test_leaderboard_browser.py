"""The Leaderboard tab in the real app, in Chromium: judge switch, CSV download, URL state, themes."""
from __future__ import annotations

import io
import urllib.parse

import pandas as pd
import pytest

from tests.browser import SCREENSHOTS, open_page, running_app
from toolkit.query import scores
from toolkit.query.lab_index import labs_report
from toolkit.query.migration import migration
from toolkit.storage.store import Store

pytestmark = pytest.mark.browser


FIRST_ROW = "#lb-models .virtual-row[data-index='0']"


def first_row(page) -> str:
    """The model table's first row (the table renders only the rows in view: scroll to it first)."""
    page.locator("#lb-models").scroll_into_view_if_needed()
    return page.locator(FIRST_ROW).inner_text()


def pick(page, dropdown: str, option: str) -> None:
    page.locator(f"#{dropdown} input").click()
    page.get_by_role("option", name=option, exact=True).click()


def download_csv(page, button: str) -> pd.DataFrame:
    with page.expect_download() as info:
        page.locator(f"#{button}").click()
    return pd.read_csv(io.BytesIO(open(info.value.path(), "rb").read()))


def assert_same_scores(downloaded: pd.DataFrame, expected: pd.DataFrame) -> None:
    """The CSV holds the library's figures (rounded to 2 decimals for display), row for row."""
    assert downloaded["model"].tolist() == expected["model"].tolist()
    for column in ("n", "pct_complete", "pct_evasive", "pct_denial", "pct_error", "rank"):
        assert downloaded[column].tolist() == pytest.approx(expected[column].round(2).tolist(), abs=1e-9), column


def screenshot(page, name: str) -> None:
    """A 1400 x 1700 view from the top: filters, lab leaderboard and the trajectory chart."""
    page.set_viewport_size({"width": 1400, "height": 1700})
    page.evaluate("() => window.scrollTo(0, 0)")
    page.wait_for_timeout(1000)
    page.screenshot(path=str(SCREENSHOTS / name))
    page.set_viewport_size({"width": 1400, "height": 1000})


def chart_width(page, elem_id: str) -> float:
    page.wait_for_selector(f"#{elem_id} canvas, #{elem_id} svg.marks", state="attached")
    return page.evaluate(f"""() => {{
        const el = document.querySelector('#{elem_id} canvas') || document.querySelector('#{elem_id} svg.marks');
        return el.getBoundingClientRect().width; }}""")


def test_leaderboard_tab(demo_data):
    store = Store.open(demo_data)
    judges = store.judge_names("llm")
    default, other = store.default_judge(), next(j for j in judges if j != store.default_judge())
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with running_app(demo_data) as url:
        with open_page(url + "?tab=leaderboard") as page:
            before = first_row(page)
            assert page.locator("#lb-judge input").input_value() == default
            page.evaluate("() => window.scrollTo(0, 0)")
            # readable charts: Altair fills the block's width (not the 0-width inline container)
            assert chart_width(page, "lb-trajectory") > 400, \
                "Altair charts collapse: the app CSS needs `.vega-embed {width: 100%}`"
            screenshot(page, "leaderboard-light.png")

            pick(page, "lb-judge", other)
            page.wait_for_function("([sel, old]) => document.querySelector(sel)?.innerText !== old",
                                   arg=[FIRST_ROW, before])
            assert first_row(page) != before
            assert_same_scores(download_csv(page, "lb-models-csv"), scores.model_scores(store, other))
            assert "judge=" + urllib.parse.quote(other, safe="") in page.locator("#lb-link textarea, #lb-link input").first.input_value()

            labs = download_csv(page, "lb-labs-csv")
            expected_labs = labs_report(store, other)
            assert labs["lab"].tolist() == expected_labs["lab"].tolist()
            assert labs["index"].tolist() == pytest.approx(expected_labs["index"].round(2).tolist(), abs=1e-9)

            page.locator("#lb-scatter").scroll_into_view_if_needed()
            page.wait_for_timeout(500)
            page.screenshot(path=str(SCREENSHOTS / "leaderboard-judge-change.png"))

        domain = store.distinct("domain")[0]
        query = urllib.parse.urlencode({"tab": "leaderboard", "judge": other, "set": "us_hard",
                                        # an old link's spelling: the tab now writes reasoning=yes
                                        "domain": domain, "reasoning": "reasoning", "from": default, "to": other})
        with open_page(f"{url}?{query}") as page:
            first_row(page)
            page.wait_for_function("(v) => document.querySelector('#lb-judge input').value === v", arg=other)
            assert page.locator("#lb-domain input").input_value() == domain
            assert page.locator("#lb-reasoning input[value=yes]").is_checked()
            expected = scores.model_scores(store, other, "us_hard", {"domain": domain, "reasoning": True})
            assert_same_scores(download_csv(page, "lb-models-csv"), expected)
            transitions = download_csv(page, "lb-transitions-csv")
            report = migration(store, default, other, "us_hard", {"domain": domain, "reasoning": True})
            assert transitions["n"].sum() == report.summary.iloc[0]["compared"] > 0
            link = page.locator("#lb-link textarea, #lb-link input").first.input_value()
            assert "reasoning=yes" in link and "domain=" in link

        with open_page(url + "?tab=leaderboard&__theme=dark", color_scheme="dark") as page:
            first_row(page)
            page.evaluate("() => window.scrollTo(0, 0)")
            assert chart_width(page, "lb-trajectory") > 400
            screenshot(page, "leaderboard-dark.png")
