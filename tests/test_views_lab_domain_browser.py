"""The Lab and Domain tabs and the model tab's response lists in the real app, in Chromium: the lab view
opened from its URL, a click on one of its models to the model view, the model's responses paged,
a click on a domain to the domain view; each view's content checked against the query functions;
screenshots of the lab and domain views at 1440 px light and 390 px dark; an unknown lab in the URL
shows one plain sentence."""
from __future__ import annotations

import urllib.parse

import pytest

from tests.browser import (
    open_page,
    running_app,
    screenshot_folder,
    url_params,
    wait_url_param,
)
from toolkit.query.domain_view import domain_page
from toolkit.query.lab_index import labs_report
from toolkit.query.lab_view import lab_page, lab_standing
from toolkit.query.model_view import model_responses
from toolkit.query.scores import MIN_N
from toolkit.storage.store import Store
from toolkit.ui.columns import readable_theme

pytestmark = pytest.mark.browser

SIZES = [(1440, "light"), (390, "dark")]


def open_view(url: str, query: dict, width: int = 1440, scheme: str = "light"):
    if scheme == "dark":
        query = {**query, "__theme": "dark"}
    return open_page(f"{url}?{urllib.parse.urlencode(query)}", width=width, height=1000, color_scheme=scheme)


def wait_inner(page, selector: str, text: str) -> None:
    page.wait_for_function("([s, t]) => (document.querySelector(s)?.innerText || '').includes(t)",
                           arg=[selector, text])


def wait_value(page, elem_id: str, text: str) -> None:
    page.wait_for_function("""([id, t]) => { const el = document.querySelector(`#${id} textarea, #${id} input`);
                                             return el && el.value.includes(t); }""", arg=[elem_id, text])


def first_row(page, elem_id: str):
    page.locator(f"#{elem_id}").scroll_into_view_if_needed()
    return page.locator(f"#{elem_id} .virtual-row[data-index='0'] [role=gridcell]").first


def shoot(page, name: str) -> None:
    """A full-page screenshot (charts drawn, page at its top)."""
    page.evaluate("() => window.scrollTo(0, 0)")
    page.wait_for_timeout(800)
    page.screenshot(path=str(screenshot_folder() / f"{name}.png"), full_page=True)


def fits_the_width(page) -> bool:
    """No page-level horizontal scrolling (a table may scroll inside itself)."""
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_lab_and_domain_views_in_the_browser(demo_data):
    store = Store.open(demo_data)
    judge = store.default_judge()
    lab = labs_report(store, judge, "us_hard")["lab"].iat[0]
    page_data = lab_page(store, judge, lab, "us_hard")
    standing = lab_standing(store, judge, lab, "us_hard", min_n=MIN_N)
    domain = page_data.domains["domain"].iat[0]
    domain_data = domain_page(store, judge, domain, "us_hard")
    with running_app(demo_data) as url:
        for width, scheme in SIZES:
            with open_view(url, {"tab": "lab", "lab": lab, "judge": judge}, width, scheme) as page:
                wait_inner(page, "#lab-standing", f"rank {standing['rank']} of {standing['labs']} labs")
                assert (f"Lab index {standing['index']:.1f} (95% interval {standing['index_low']:.1f}–"
                        f"{standing['index_high']:.1f}, {standing['answers']:,} answers)") in \
                    page.locator("#lab-standing").inner_text()
                assert page.locator("#lab-name").inner_text() == (page_data.header["lab_name"] or lab)
                assert page_data.models["model"].iat[0] in first_row(page, "lab-models").inner_text()
                assert "% complete" in page.locator("#lab-models").inner_text()      # headers for people
                wait_value(page, "lab-judge-summary", "index runs from")
                page.wait_for_selector("#lab-judge-chart canvas, #lab-judge-chart svg.marks", state="attached")
                assert page.locator("#lab-judge-chart label:visible").count() == 0      # no label chip
                assert page.locator("#lab-coverage").count() == 0                   # the judge labelled all
                assert fits_the_width(page), width
                shoot(page, f"view-lab-{width}-{scheme}")
            with open_view(url, {"tab": "domain", "domain": domain, "judge": judge}, width, scheme) as page:
                wait_inner(page, "#dm-median", f"{domain_data.header['median_pct_complete']:.1f}%")
                assert page.locator("#dm-name").inner_text() == domain
                assert readable_theme(domain_data.themes["theme"].iat[0]) in first_row(page, "dm-themes").inner_text()
                assert "Models ranked" in page.locator("#dm-models").inner_text()
                assert fits_the_width(page), width
                shoot(page, f"view-domain-{width}-{scheme}")

        with open_view(url, {"tab": "lab", "lab": lab, "judge": judge}) as page:   # lab -> model -> domain
            wait_inner(page, "#lab-standing", "rank")
            model = first_row(page, "lab-models")
            name = model.inner_text().strip()
            model.click()
            page.wait_for_url(lambda u: "tab=model" in u)
            page.wait_for_function("(m) => document.querySelector('#md-name')?.innerText === m", arg=name)
            total = model_responses(store, judge, name, "COMPLETE", "us_hard", page_size=10)
            assert total.pages >= 2
            wait_value(page, "md-answers-status", f"page 1 of {total.pages}")
            assert page.locator("#md-answers-items article").count() == 10
            assert page.locator("#md-answers-items script, #md-answers-items img").count() == 0
            page.locator("#md-answers-next").click()
            wait_value(page, "md-answers-status", f"page 2 of {total.pages}")
            wait_url_param(page, "page", "2")
            assert url_params(page)["model"] == name
            wait_value(page, "md-disputed-status", "responses on which the judges' own labels differ")
            row = first_row(page, "md-domains")
            chosen_domain = row.inner_text().strip()
            row.click()
            page.wait_for_url(lambda u: "tab=domain" in u)
            page.wait_for_function("(d) => document.querySelector('#dm-name')?.innerText === d", arg=chosen_domain)

        human = store.judge_names("human")[0]      # a judge of a few responses: said above the numbers
        with open_view(url, {"tab": "lab", "lab": lab, "judge": human}, 390, "dark") as page:
            wait_inner(page, "#lab-coverage", "responses in this question set")
            assert fits_the_width(page)
            shoot(page, "view-lab-human-390-dark")

        with open_view(url, {"tab": "lab", "lab": "![x](http://127.0.0.1:9/x.png)"}) as page:
            wait_inner(page, "#lab-message", "This link names a lab that is not in this data")
            assert page.locator("#lab-header a, #lab-header img").count() == 0
