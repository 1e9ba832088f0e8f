"""The judge-sensitivity, model, themes and timeline tabs in the real app, in Chromium: each opened by
its URL, its content checked against the query functions, a click from the sensitivity table to a
model and from the theme summary to a theme's grid; screenshots at 1440 px light and 390 px dark.
Safe in public: an unknown value in the URL shows one plain sentence, a markdown image in the URL
loads nothing (a local server counts requests), and CSV files are written only on download."""
from __future__ import annotations

import urllib.parse
from pathlib import Path

import pytest

from tests.browser import link_box, open_page, pick, url_params, reload_keeps, running_app, screenshot_folder, wait_url_param
from tests.test_public_browser import Counter, listener  # noqa: F401 - the request-counting server
from toolkit.query.migration import overlap_partner
from toolkit.query.model_view import model_page
from toolkit.query.scores import MIN_N
from toolkit.query.sensitivity import sensitivity
from toolkit.query.themes import theme_summary
from toolkit.query.timeline import timeline_points
from toolkit.storage.store import Store
from toolkit.ui.columns import readable_theme

pytestmark = pytest.mark.browser

SIZES = [(1440, "light"), (390, "dark")]


def text_of(page, elem_id: str) -> str:
    return page.locator(f"#{elem_id} textarea, #{elem_id} input").first.input_value()


def wait_text(page, elem_id: str, part: str) -> None:
    page.wait_for_function(
        """([id, part]) => { const el = document.querySelector(`#${id} textarea, #${id} input`);
                             return el && el.value.includes(part); }""", arg=[elem_id, part])


def row(page, elem_id: str, index: int = 0):
    page.locator(f"#{elem_id}").scroll_into_view_if_needed()
    return page.locator(f"#{elem_id} .virtual-row[data-index='{index}']")


def rows(page, elem_id: str) -> int:
    page.locator(f"#{elem_id}").scroll_into_view_if_needed()
    return page.locator(f"#{elem_id} .virtual-row[data-index]").count()


def shoot(page, name: str) -> None:
    page.evaluate("() => window.scrollTo(0, 0)")
    page.wait_for_timeout(800)
    page.screenshot(path=str(screenshot_folder() / f"{name}.png"), full_page=True)


def open_view(url: str, query: dict, width: int = 1440, scheme: str = "light"):
    if scheme == "dark":
        query = {**query, "__theme": "dark"}
    return open_page(f"{url}?{urllib.parse.urlencode(query)}", width=width, height=1000, color_scheme=scheme)


def check_judges(url: str, store: Store) -> None:
    llm = store.judge_names("llm")
    report = sensitivity(store, "us_hard", judges=llm)
    top = report.models["model"].iat[0]
    for width, scheme in SIZES:
        with open_view(url, {"tab": "judges"}, width, scheme) as page:
            wait_text(page, "jd-status", f"{len(report.models)} models scored by {len(llm)} judges")
            assert top in row(page, "jd-scores").inner_text()
            assert rows(page, "jd-pairs") == len(llm) * (len(llm) - 1) // 2
            page.wait_for_selector("#jd-chart canvas, #jd-chart svg.marks", state="attached")
            shoot(page, f"view-judges-{width}-{scheme}")
    with open_view(url, {"tab": "leaderboard"}) as page:  # computed when the tab is first shown
        page.get_by_role("tab", name="Judge sensitivity").click()
        wait_text(page, "jd-status", f"{len(report.models)} models scored by {len(llm)} judges")
    with open_view(url, {"tab": "judges"}) as page:  # a click on a model opens its model view
        wait_text(page, "jd-status", "models scored by")
        row(page, "jd-scores").locator("[role=gridcell]").first.click()
        page.wait_for_url(lambda u: "tab=model" in u)
        page.wait_for_function("(m) => document.querySelector('#md-name')?.innerText === m", arg=top)


def fits_the_width(page) -> bool:
    """No page-level horizontal scrolling (a table may scroll inside itself)."""
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


def check_model(url: str, store: Store) -> None:
    judge = store.judge_names("llm")[1]
    model = store.distinct("model")[3]
    honest = model_page(store, judge, model, "us_hard", min_n=MIN_N).honest
    for width, scheme in SIZES:
        with open_view(url, {"tab": "model", "model": model, "judge": judge}, width, scheme) as page:
            page.wait_for_function("(m) => document.querySelector('#md-name')?.innerText === m", arg=model)
            assert page.locator("#md-judge input").input_value() == judge
            shown = page.locator("#md-header").inner_text()
            assert f"rank {honest['rank']} of {honest['total']}" in shown
            assert f"(95% interval {honest['pct_complete_low']:.1f}–{honest['pct_complete_high']:.1f})" in shown
            assert rows(page, "md-judges") == len(store.judge_names())
            assert "Rank shared by" in page.locator("#md-themes").inner_text()
            assert "% complete" in page.locator("#md-domains").inner_text()      # headers for people
            page.wait_for_selector("#md-judge-chart canvas, #md-judge-chart svg.marks", state="attached")
            page.wait_for_selector("#md-verdicts canvas, #md-verdicts svg.marks", state="attached")
            chips = page.locator("#md-verdicts label:visible, #md-judge-chart label:visible")
            assert chips.count() == 0                                             # no label chip over a chart
            assert fits_the_width(page), width
            shoot(page, f"view-model-{width}-{scheme}")
    human = store.judge_names("human")[0]           # a judge of a few responses: not ranked, a warning
    with open_view(url, {"tab": "model", "model": model, "judge": human}) as page:
        page.wait_for_function("(m) => document.querySelector('#md-name')?.innerText === m", arg=model)
        if model_page(store, human, model, "us_hard").header["n"]:
            assert f"not ranked (n < {MIN_N}" in page.locator("#md-header").inner_text()
        assert "responses in this question set" in page.locator("#md-coverage").inner_text()
    with open_view(url, {"tab": "model", "model": model, "judge": judge}) as page:   # a theme, in words,
        theme = row(page, "md-themes").locator("[role=gridcell]").first          # opens its grid by id
        page.wait_for_function("(el) => el.innerText.trim().length > 0", arg=theme.element_handle())
        shown_name = theme.inner_text().strip()
        assert "_" not in shown_name
        theme.click()
        page.wait_for_url(lambda u: "tab=themes" in u)
        assert readable_theme(url_params(page)["theme"]) == shown_name


def check_themes(url: str, store: Store) -> None:
    judge = store.default_judge()
    least = theme_summary(store, judge, "us_hard", released_within=6)["theme"].iat[0]
    for width, scheme in SIZES:
        with open_view(url, {"tab": "themes", "window": "6"}, width, scheme) as page:
            wait_text(page, "th-status", "released in the last 6 months")
            first = row(page, "th-summary")
            assert readable_theme(least) in first.inner_text()     # themes by their readable names
            first.locator("[role=gridcell]").first.click()  # opens the theme's grid
            wait_text(page, "th-theme-status", f"{readable_theme(least)}:")
            page.wait_for_selector("#th-grid canvas, #th-grid svg.marks", state="attached")
            assert f"theme={least}" in text_of(page, "th-link")
            assert rows(page, "th-models") > 0
            shoot(page, f"view-themes-{width}-{scheme}")
            page.locator("#th-verdict label", has_text="DENIAL").click()  # the answers the judge refused
            page.wait_for_function("() => document.querySelector('#th-answers-count')?.innerText.includes('DENIAL')")
            assert page.locator("#th-answers article").count() > 0
            assert page.locator("#th-answers script, #th-answers img").count() == 0
    with open_view(url, {"tab": "themes", "theme": least}) as page:  # a model on the theme opens its view
        wait_text(page, "th-theme-status", f"{readable_theme(least)}:")
        model = row(page, "th-models").locator("[role=gridcell]").first
        name = model.inner_text().strip()
        model.click()
        page.wait_for_url(lambda u: "tab=model" in u)
        page.wait_for_function("(m) => document.querySelector('#md-name')?.innerText === m", arg=name)


def check_timeline(url: str, store: Store) -> None:
    judge = store.default_judge()
    points = timeline_points(store, judge, "denial", "us_hard")
    partner = overlap_partner(store, judge, "us_hard")
    for width, scheme in SIZES:
        with open_view(url, {"tab": "timeline", "metric": "denial"}, width, scheme) as page:
            wait_text(page, "tl-status", f"{len(points)} models with a release date")
            if width < 640:                                   # the options start closed on a phone
                page.locator("#tl-options button.label-wrap").click()
            assert page.locator("#tl-metric input[value=denial]").is_checked()
            assert page.locator("#tl-ghost input").input_value() == partner
            page.wait_for_selector("#tl-chart canvas, #tl-chart svg.marks", state="attached")
            shoot(page, f"view-timeline-{width}-{scheme}")


def test_views_by_url(demo_data):
    store = Store.open(demo_data)
    with running_app(demo_data) as url:
        check_judges(url, store)
        check_model(url, store)
        check_themes(url, store)
        check_timeline(url, store)


# Where each view shows a refused value's sentence.
MESSAGES = {"model": "#md-header", "themes": "#th-status", "timeline": "#tl-status", "judges": "#jd-status"}
UNKNOWN = "This link names a {} that is not in this data; pick one from the list."


def shown_text(page, selector: str) -> str:
    return page.evaluate("""(s) => { const el = document.querySelector(s);
        const box = el && el.querySelector('textarea, input'); return box ? box.value : el ? el.innerText : ''; }""",
                         selector)


def wait_sentence(page, tab: str, sentence: str) -> None:
    page.wait_for_function("""([s, part]) => { const el = document.querySelector(s); if (!el) return false;
        const box = el.querySelector('textarea, input'); return (box ? box.value : el.innerText).includes(part); }""",
                           arg=[MESSAGES[tab], sentence])
    assert shown_text(page, MESSAGES[tab]).strip() == sentence
    assert page.locator(f"{MESSAGES[tab]} a, {MESSAGES[tab]} img").count() == 0


def csv_files(folder: Path) -> list[Path]:
    return list(folder.rglob("*.csv"))


def test_views_are_safe_in_public(demo_data, listener, tmp_path):  # noqa: F811 - the fixture imported above
    downloads = tmp_path / "gradio"
    image = f"![x]({listener}/x.png)"
    Counter.hits.clear()
    bad = [("model", {"model": image}, "model"), ("model", {"model": "no/such-model"}, "model"),
           ("themes", {"theme": image}, "theme"), ("themes", {"window": "5"}, "release window"),
           ("timeline", {"metric": image}, "metric"), ("timeline", {"judge": "nobody"}, "judge"),
           ("judges", {"judges": f"{image},nobody"}, "judge")]
    with running_app(demo_data, env={"GRADIO_TEMP_DIR": str(downloads)}) as url:
        for tab, params, what in bad:
            with open_view(url, {"tab": tab, **params}) as page:
                wait_sentence(page, tab, UNKNOWN.format(what))
                page.wait_for_timeout(300)
        with open_view(url, {"tab": "leaderboard"}) as page:     # another tab: these views compute nothing
            page.wait_for_function("() => document.querySelector('#lb-models .virtual-row')")
            assert not shown_text(page, "#md-header").strip() and not shown_text(page, "#th-status").strip()
            assert not shown_text(page, "#tl-status").strip() and not shown_text(page, "#jd-status").strip()
        for tab, status in (("judges", "jd-status"), ("themes", "th-status"), ("timeline", "tl-status")):
            with open_view(url, {"tab": tab}) as page:         # opened by URL: shown, still no file
                wait_text(page, status, " ")
        with open_view(url, {"tab": "model"}) as page:
            page.wait_for_selector("#md-name")
            assert not csv_files(downloads)                   # nothing written until someone downloads
            with page.expect_download() as download:
                page.locator("#md-judges-csv").click()
            assert download.value.suggested_filename.startswith("judges_")
        assert len(csv_files(downloads)) == 1
    assert Counter.hits == []


# Each tab's address bar follows a control: (tab, how to change it, the URL parameter and value it
# writes, what holds after a reload). The human annotator is not compared by default.
def tick_human(page) -> None:
    page.locator("#jd-judges label", has_text="human-annotator").click()


SMALL_JUDGE = "demo-labs/judge-small"   # not the default judge (the one with the most assessments)
URL_CASES = [
    ("timeline", "tl", lambda page: page.locator("#tl-metric label", has_text="denial").click(), "metric", "denial",
     "() => document.querySelector('#tl-metric input[value=denial]')?.checked"),
    ("judges", "jd", tick_human, "judges", None,
     "() => [...document.querySelectorAll('#jd-judges input:checked')].length === 4"),
    ("elo", "elo", lambda page: page.locator("#elo-ci label", has_text="matches").click(), "elo_ci", "matches",
     "() => document.querySelector('#elo-ci input[value=matches]')?.checked"),
    ("model", "md", lambda page: page.locator("#md-verdict label", has_text="DENIAL").click(), "verdict", "DENIAL",
     "() => document.querySelector('#md-verdict input[value=DENIAL]')?.checked"),
    ("lab", "lab", lambda page: pick(page, "lab-judge", SMALL_JUDGE), "judge", SMALL_JUDGE,
     f"() => document.querySelector('#lab-judge input')?.value === {SMALL_JUDGE!r}"),
    ("domain", "dm", lambda page: pick(page, "dm-judge", SMALL_JUDGE), "judge", SMALL_JUDGE,
     f"() => document.querySelector('#dm-judge input')?.value === {SMALL_JUDGE!r}"),
]


def test_each_view_writes_its_state_into_the_address_bar(demo_data):
    store = Store.open(demo_data)
    everyone = ",".join([*sensitivity_judges(store), "demo/human-annotator"])
    with running_app(demo_data) as url:
        for tab, prefix, change, name, value, restored in URL_CASES:
            with open_view(url, {"tab": tab}) as page:
                page.wait_for_function(f"() => document.querySelector('#{prefix}-link textarea, #{prefix}-link input')"
                                       "?.value.includes('tab=')")       # the view computed and wrote its URL
                change(page)
                wait_url_param(page, name, value or everyone)
                assert link_box(page, prefix).startswith(url), link_box(page, prefix)   # absolute
                assert f"{name}=" in link_box(page, prefix)
                reload_keeps(page, restored)
                wait_url_param(page, name, value or everyone)
        with open_view(url, {"tab": "leaderboard"}) as page:   # About: just the tab
            page.get_by_role("tab", name="About the data").click()
            wait_url_param(page, "tab", "about")
            page.wait_for_function("() => document.querySelector('#about-link textarea, #about-link input')"
                                   "?.value.endsWith('?tab=about')")
            assert link_box(page, "about").startswith(url)
            reload_keeps(page, "() => document.querySelector('#about-verdicts')?.checkVisibility()")


def sensitivity_judges(store: Store) -> list[str]:
    from toolkit.query.sensitivity import flag_judges
    return list(flag_judges(store))
