"""The page on a phone (390 px wide, dark), in Chromium: every tab opened by its URL fits the screen
(no page-level horizontal scrolling: the document is no wider than the window, and nothing is cut
at its right edge unless it sits in a box that scrolls sideways, like a wide table); in every table
each name is read in full (long text wraps, no "…") while the column beside the names stays in view,
and no header is squeezed to a letter a line; and every tab's filters (accordions marked
"phone-collapsed") start closed there and open on a desktop."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.browser import open_page, running_app
from toolkit.ui.app import PHONE_COLLAPSED, TABS

pytestmark = pytest.mark.browser

PHONE = 390
TAB_IDS = [tab_id for tab_id, _, _ in TABS]
# A tab has computed once its link box holds the absolute URL (every tab has one) - or, for a tab
# without one, once the page has settled.
COMPUTED = "() => [...document.querySelectorAll('.view-link textarea, .view-link input')].some(b => b.value.includes('tab='))"
WIDTHS = "() => [document.documentElement.scrollWidth, window.innerWidth]"
# Visible elements that reach past the window's right edge with no sideways-scrolling box around
# them (Gradio clips the page, so these would be cut, not scrolled). Gradio's hidden copy of the
# tab bar (measured for its overflow menu) is left out.
CUT = """() => { const w = window.innerWidth + 1; const cut = [];
  for (const el of document.querySelectorAll('.gradio-container *')) {
    if (el.closest('.visually-hidden') || !el.checkVisibility({visibilityProperty: true})) continue;
    const r = el.getBoundingClientRect(); if (r.width === 0 || r.height === 0 || r.right <= w) continue;
    let box = el.parentElement, scrolls = false;
    for (; box && box !== document.body; box = box.parentElement) {
      const o = getComputedStyle(box).overflowX;
      if ((o === 'auto' || o === 'scroll') && box.getBoundingClientRect().right <= w) { scrolls = true; break; } }
    if (!scrolls) cut.push(`${el.tagName.toLowerCase()}#${el.id} ${String(el.getAttribute('class')).slice(0, 40)}`);
  } return cut.slice(0, 5); }"""
# In every Gradio table shown: the text of a body or header cell that is cut (wider than its box:
# Gradio's default cuts it with "..."), a header more than three lines tall (a long header such as
# "% complete, demo-labs/judge-legacy-2024" takes three lines at 45% of a phone; a header squeezed to
# its longest word, or to one letter a line, takes more), and a table whose second column starts
# past the screen's right edge (the names would hide the scores).
TABLE_TEXT = """() => { const cut = [], tall = [], hidden = []; const w = window.innerWidth;
  const lines = (span) => { const style = getComputedStyle(span);
    const line = parseFloat(style.lineHeight) || 1.5 * parseFloat(style.fontSize);
    return Math.round(span.getBoundingClientRect().height / line); };
  for (const table of document.querySelectorAll('.table-wrap')) {
    if (!table.checkVisibility()) continue;
    const id = table.closest('[id]')?.id;
    const spans = table.querySelectorAll('.body-cell .cell-wrap > span, .header-cell .header-content > span');
    for (const span of spans) if (span.scrollWidth > span.clientWidth + 1) cut.push(`${id}: ${span.textContent}`);
    for (const span of table.querySelectorAll('.header-cell .header-content > span'))
      if (lines(span) > 3) tall.push(`${id}: ${span.textContent} (${lines(span)} lines)`);
    const second = table.querySelectorAll('.header-cell')[1];
    if (second && second.getBoundingClientRect().left >= w) hidden.push(id);
  } return {cut, tall, hidden}; }"""
# Each tab's filters: (tab, accordion, a control inside it).
FILTERS = [("leaderboard", "lb-filters", "lb-judge"), ("themes", "th-options", "th-judge"),
           ("timeline", "tl-options", "tl-metric"), ("judges", "jd-options", "jd-set"),
           ("explorer", "xp-filters", "xp-reasoning"), ("elo", "elo-options", "elo-source")]


@pytest.fixture(scope="module")
def app_url(demo_data):
    with running_app(demo_data) as url:
        yield url


@contextmanager
def tab_on_a_phone(app_url: str, tab_id: str) -> Iterator:
    """The tab at 390 px, dark, once it has computed and drawn."""
    with open_page(f"{app_url}?tab={tab_id}&__theme=dark", width=PHONE, height=844, color_scheme="dark") as page:
        try:
            page.wait_for_function(COMPUTED, timeout=30_000)
        except Exception:  # noqa: BLE001 - a tab without a link box: give it time to draw
            pass
        page.wait_for_timeout(1500)         # charts draw after the values arrive
        yield page


@pytest.mark.parametrize("tab_id", TAB_IDS)
def test_every_tab_fits_a_phone(app_url, tab_id):
    """No page-level sideways scroll, nothing cut at the right edge, names in tables whole (one page
    load a tab checks all three: the machine that runs these is small)."""
    with tab_on_a_phone(app_url, tab_id) as page:
        scroll_width, window_width = page.evaluate(WIDTHS)
        assert scroll_width <= window_width + 1, f"{tab_id}: the page is {scroll_width} px wide on a {window_width} px screen"
        assert page.evaluate(CUT) == [], f"{tab_id}: cut at the right edge"
        if tab_id != "pairwise":                           # every other tab shows tables
            assert page.locator(".table-wrap .body-cell").count() > 0, f"{tab_id}: no table drawn"
        found = page.evaluate(TABLE_TEXT)
        assert found["cut"] == [], f"{tab_id}: text cut in a table"
        assert found["tall"] == [], f"{tab_id}: a header squeezed"
        assert found["hidden"] == [], f"{tab_id}: only the names column in view"


@pytest.mark.parametrize("width, closed", [(PHONE, True), (1440, False)])
@pytest.mark.parametrize("tab_id, accordion, control", FILTERS)
def test_filters_start_collapsed_on_a_phone_only(app_url, width, closed, tab_id, accordion, control):
    with open_page(f"{app_url}?tab={tab_id}", width=width, height=900) as page:
        page.wait_for_function(COMPUTED)
        box = page.locator(f".{PHONE_COLLAPSED}#{accordion}")
        page.wait_for_timeout(500)
        assert ("open" not in (box.locator("button.label-wrap").first.get_attribute("class") or "")) == closed
        assert page.locator(f"#{control}").is_visible() != closed
        if closed:                                         # one tap opens them
            box.locator("button.label-wrap").first.click()
            page.locator(f"#{control}").wait_for(state="visible")
