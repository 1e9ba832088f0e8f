"""The Leaderboard tab in the real app, in Chromium: judge switch, CSV download, the address bar following
the view (replaced on a change, absolute link, reload restores), human headers, the verdict bar in each
model row, and a 390 px phone (no page-level horizontal scroll, filters folded, score columns in view,
judge names whole); screenshots at 1440 px light and 390 px dark."""
from __future__ import annotations

import io
import urllib.parse

import pandas as pd
import pytest

from tests.browser import (link_box, open_page, pick, reload_keeps, running_app, screenshot_folder, url_params,
                           wait_url_param)
from toolkit.query import scores
from toolkit.query.lab_index import labs_report, off_leaderboard_report
from toolkit.query.migration import migration
from toolkit.storage.store import Store

pytestmark = pytest.mark.browser


FIRST_ROW = "#lb-models .virtual-row[data-index='0']"


def first_row(page) -> str:
    """The model table's first row (the table renders only the rows in view: scroll to it first)."""
    page.locator("#lb-models").scroll_into_view_if_needed()
    return page.locator(FIRST_ROW).inner_text()


def download_csv(page, button: str) -> pd.DataFrame:
    with page.expect_download() as info:
        page.locator(f"#{button}").click()
    return pd.read_csv(io.BytesIO(open(info.value.path(), "rb").read()))


def assert_same_scores(downloaded: pd.DataFrame, expected: pd.DataFrame) -> None:
    """The CSV holds the library's figures (rounded to 2 decimals for display), row for row."""
    assert downloaded["model"].tolist() == expected["model"].tolist()
    for column in ("n", "pct_complete", "pct_evasive", "pct_denial", "pct_error", "rank"):
        wanted = expected[column].astype(float).round(2).tolist()  # an unranked model's rank: empty (NaN)
        assert downloaded[column].tolist() == pytest.approx(wanted, abs=1e-9, nan_ok=True), column


def screenshot(page, name: str) -> None:
    """A 1400 x 1700 view from the top: filters, lab leaderboard and the trajectory chart."""
    page.set_viewport_size({"width": 1400, "height": 1700})
    page.evaluate("() => window.scrollTo(0, 0)")
    page.wait_for_timeout(1000)
    page.screenshot(path=str(screenshot_folder() / name))
    page.set_viewport_size({"width": 1400, "height": 1000})


def chart_width(page, elem_id: str) -> float:
    page.wait_for_selector(f"#{elem_id} canvas, #{elem_id} svg.marks", state="attached")
    return page.evaluate(f"""() => {{
        const el = document.querySelector('#{elem_id} canvas') || document.querySelector('#{elem_id} svg.marks');
        return el.getBoundingClientRect().width; }}""")


def shoot(page, name: str) -> None:
    """The whole page, from the top."""
    page.evaluate("() => window.scrollTo(0, 0)")
    page.wait_for_timeout(800)
    page.screenshot(path=str(screenshot_folder() / f"{name}.png"), full_page=True)


def headers(page, elem_id: str) -> list[str]:
    return [h.strip() for h in page.locator(f"#{elem_id} thead th").all_inner_texts()]


def assert_moves_show_their_interval(page) -> None:
    """The judge-change view: each move with n, its 95% interval and whether it is clear, explained
    above the tables; the CSV holds the interval's ends and clear_change agrees with them."""
    page.locator("#lb-movers").scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelector(\"#lb-movers .virtual-row[data-index='0']\")"
                           "?.innerText.includes(' to ')")
    movers = headers(page, "lb-movers")
    assert {"Answers (n)", "95% interval (points)", "Clear change?"} <= set(movers)
    assert {"Answers (n)", "95% interval (points)", "Clear change?"} <= set(headers(page, "lb-mig-models"))
    assert "Answers (n)" in headers(page, "lb-mig-labs")
    note = page.locator("#lb-change-note").inner_text()
    assert "excludes 0" in note and "includes 0" in note
    rows = download_csv(page, "lb-movers-csv")
    assert list(rows.columns)[-3:] == ["delta_complete_low", "delta_complete_high", "clear_change"] and len(rows)
    low, change, high = rows["delta_complete_low"], rows["delta_complete"], rows["delta_complete_high"]
    assert ((low <= change) & (change <= high)).all()
    assert (rows["clear_change"] == ((low > 0) | (high < 0))).all()


def judge_shown(judge: str) -> str:
    return f"() => document.querySelector('#lb-judge input')?.value === {judge!r}"


def test_leaderboard_tab(demo_data):
    store = Store.open(demo_data)
    judges = store.judge_names("llm")
    default, other = store.default_judge(), next(j for j in judges if j != store.default_judge())
    with running_app(demo_data) as url:
        with open_page(url + "?tab=leaderboard", width=1440) as page:
            before = first_row(page)
            assert page.locator("#lb-judge input").input_value() == default
            wait_url_param(page, "judge", default)            # the loaded view writes its state
            assert headers(page, "lb-models")[:6] == ["Model", "Rank", "% complete", "95% interval", "Verdicts",
                                                     "Answers (n)"]
            top = scores.model_scores(store, default).iloc[0]
            bar = page.locator(f"{FIRST_ROW} .lb-bar").get_attribute("title")
            assert bar.startswith(f"✓ complete {top['pct_complete']:.1f}% · ~ evasive {top['pct_evasive']:.1f}%")
            page.evaluate("() => window.scrollTo(0, 0)")
            # readable charts: Altair fills the block's width (not the 0-width inline container)
            assert chart_width(page, "lb-trajectory") > 400, \
                "Altair charts collapse: the app CSS needs `.vega-embed {width: 100%}`"
            shoot(page, "view-leaderboard-1440-light")
            screenshot(page, "leaderboard-light.png")

            history = page.evaluate("() => history.length")
            pick(page, "lb-judge", other)
            wait_url_param(page, "judge", other)               # the address bar follows the control
            assert page.evaluate("() => history.length") == history  # replaced, not pushed
            page.wait_for_function("([sel, old]) => document.querySelector(sel)?.innerText !== old",
                                   arg=[FIRST_ROW, before])
            assert first_row(page) != before
            assert_same_scores(download_csv(page, "lb-models-csv"), scores.model_scores(store, other, min_n=scores.MIN_N))
            link = link_box(page, "lb")
            assert link.startswith(url) and "judge=" + urllib.parse.quote(other, safe="") in link  # absolute

            labs = download_csv(page, "lb-labs-csv")
            expected_labs = labs_report(store, other, min_n=scores.MIN_N)
            assert labs["lab"].tolist() == expected_labs["lab"].tolist()
            for column in ("index", "index_low", "index_high"):   # the index and its bootstrap interval
                assert labs[column].tolist() == pytest.approx(expected_labs[column].round(2).tolist(), abs=1e-9)
            # off the leaderboard: pooled % complete with its interval and the answers behind it
            assert headers(page, "lb-off")[:4] == ["Lab", "% complete", "95% interval", "Answers (n)"]
            off = download_csv(page, "lb-off-csv")
            expected_off = off_leaderboard_report(store, other)
            assert off["lab"].tolist() == expected_off["lab"].tolist()
            assert off["n"].tolist() == expected_off["n"].tolist()
            for column in ("pct_complete_low", "pct_complete_high"):
                assert off[column].tolist() == pytest.approx(expected_off[column].round(2).tolist(), abs=1e-9)

            pick(page, "lb-from", judges[-1] if judges[-1] != other else judges[0])
            wait_url_param(page, "from", judges[-1] if judges[-1] != other else judges[0])
            page.locator("#lb-scatter").scroll_into_view_if_needed()
            page.wait_for_timeout(500)
            page.screenshot(path=str(screenshot_folder() / "leaderboard-judge-change.png"))
            assert_moves_show_their_interval(page)

            reload_keeps(page, judge_shown(other))              # a reload brings the same view back
            assert url_params(page)["judge"] == other
            assert first_row(page) != before

        domain = store.distinct("domain")[0]
        query = urllib.parse.urlencode({"tab": "leaderboard", "judge": other, "set": "us_hard",
                                        # an old link's spelling: the tab now writes reasoning=yes
                                        "domain": domain, "reasoning": "reasoning", "from": default, "to": other})
        with open_page(f"{url}?{query}") as page:
            first_row(page)
            page.wait_for_function(judge_shown(other))
            assert page.locator("#lb-domain input").input_value() == domain
            assert page.locator("#lb-reasoning input[value=yes]").is_checked()
            expected = scores.model_scores(store, other, "us_hard", {"domain": domain, "reasoning": True},
                                           min_n=scores.MIN_N)
            assert_same_scores(download_csv(page, "lb-models-csv"), expected)
            transitions = download_csv(page, "lb-transitions-csv")
            report = migration(store, default, other, "us_hard", {"domain": domain, "reasoning": True})
            assert transitions["n"].sum() == report.summary.iloc[0]["compared"] > 0
            wait_url_param(page, "reasoning", "yes")
            assert url_params(page)["domain"] == domain and "reasoning=yes" in link_box(page, "lb")

        human = next(j for j in store.judge_names() if j not in judges)   # labels a few hundred responses
        with open_page(f"{url}?tab=leaderboard&judge={urllib.parse.quote(human)}") as page:
            first_row(page)
            page.wait_for_function("() => document.querySelector('#lb-coverage')?.innerText.includes('labelled')")
            assert human in page.locator("#lb-coverage").inner_text()
            assert "Shown but not ranked" in page.locator("#lb-unranked").inner_text()
            assert "95% interval" in headers(page, "lb-models") and "95% interval" in headers(page, "lb-labs")
            page.locator("#lb-min-n input").fill("5")
            wait_url_param(page, "min_n", "5")
            reload_keeps(page, "() => document.querySelector('#lb-min-n input')?.value === '5'")
            assert url_params(page)["judge"] == human

        with open_page(url + "?tab=leaderboard&__theme=dark", color_scheme="dark") as page:
            first_row(page)
            page.evaluate("() => window.scrollTo(0, 0)")
            assert chart_width(page, "lb-trajectory") > 400
            screenshot(page, "leaderboard-dark.png")


def test_leaderboard_on_a_phone(demo_data):
    store = Store.open(demo_data)
    longest = max(store.judge_names(), key=len)
    with running_app(demo_data) as url, \
            open_page(f"{url}?tab=leaderboard&__theme=dark&judge={urllib.parse.quote(longest)}",
                      width=390, height=844, color_scheme="dark") as page:
        first_row(page)
        wait_url_param(page, "judge", longest)
        page.wait_for_function("() => !document.querySelector('#lb-filters button.label-wrap.open')")  # folded
        assert page.locator("#lb-judge").bounding_box() is None or not page.locator("#lb-judge").is_visible()
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390   # no page-level scroll
        complete = page.locator("#lb-models thead th").nth(2)
        assert complete.inner_text().strip() == "% complete"
        box = complete.bounding_box()
        assert box["x"] + box["width"] <= 390                  # the score column is in view
        shoot(page, "view-leaderboard-390-dark")

        page.locator("#lb-filters button.label-wrap").click()  # the visitor opens the filters
        page.wait_for_selector("#lb-judge input", state="visible")
        assert page.evaluate("""() => { const i = document.querySelector('#lb-judge input');
                                        return i.scrollWidth <= i.clientWidth; }"""), "judge name cut"
        for pair in ("lb-from", "lb-to"):
            assert page.evaluate(f"""() => {{ const i = document.querySelector('#{pair} input');
                                             return i.scrollWidth <= i.clientWidth; }}"""), pair
