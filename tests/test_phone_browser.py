"""The page on a phone (390 px wide, dark), in Chromium: every tab opened by its URL fits the screen
(no page-level horizontal scrolling: the document is no wider than the window, and nothing is cut
at its right edge unless it sits in a box that scrolls sideways, like a wide table), and a tab's
filters (accordions marked "phone-collapsed") start closed there and open on a desktop."""
from __future__ import annotations

import pytest

from tests.browser import open_page, running_app
from toolkit.ui.app import PHONE_COLLAPSED, TABS

pytestmark = pytest.mark.browser

PHONE = 390
# Tabs whose phone layout other branches fix; the integrator removes these marks after the merge.
OTHERS = {"leaderboard", "explorer", "pairwise"}
TAB_IDS = [pytest.param(tab_id, marks=pytest.mark.xfail(strict=False, reason=f"the {tab_id} tab's phone layout "
                                                        "is another branch's work"))
           if tab_id in OTHERS else tab_id for tab_id, _, _ in TABS]
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


@pytest.fixture(scope="module")
def app_url(demo_data):
    with running_app(demo_data) as url:
        yield url


@pytest.mark.parametrize("tab_id", TAB_IDS)
def test_no_page_level_horizontal_scroll_on_a_phone(app_url, tab_id):
    with open_page(f"{app_url}?tab={tab_id}&__theme=dark", width=PHONE, height=844, color_scheme="dark") as page:
        try:
            page.wait_for_function(COMPUTED, timeout=30_000)
        except Exception:  # noqa: BLE001 - a tab without a link box: give it time to draw
            pass
        page.wait_for_timeout(1500)         # charts draw after the values arrive
        scroll_width, window_width = page.evaluate(WIDTHS)
        assert scroll_width <= window_width + 1, f"{tab_id}: the page is {scroll_width} px wide on a {window_width} px screen"
        assert page.evaluate(CUT) == [], f"{tab_id}: cut at the right edge"


@pytest.mark.parametrize("width, closed", [(PHONE, True), (1440, False)])
def test_filters_start_collapsed_on_a_phone_only(app_url, width, closed):
    with open_page(f"{app_url}?tab=timeline", width=width, height=900) as page:
        page.wait_for_function(COMPUTED)
        box = page.locator(f".{PHONE_COLLAPSED}#tl-options")
        page.wait_for_timeout(500)
        assert ("open" not in (box.locator("button.label-wrap").first.get_attribute("class") or "")) == closed
        assert page.locator("#tl-metric").is_visible() != closed
        if closed:                                         # one tap opens them
            box.locator("button.label-wrap").first.click()
            page.locator("#tl-metric").wait_for(state="visible")
