"""The address bar follows the view (toolkit.ui.url_state), shown on the Themes tab in Chromium: a
control change replaces the URL, the link box holds the absolute URL, a reload brings the same view
back, clicking another tab pushes its URL and Back returns to the view before."""
from __future__ import annotations

import pytest

from tests.browser import link_box, open_page, pick, reload_keeps, running_app, url_params, wait_url_param
from toolkit.query.themes import theme_summary
from toolkit.storage.store import Store
from toolkit.ui.columns import readable_theme

pytestmark = pytest.mark.browser

WINDOW_6 = "released in the last 6 months"
SHOWS_WINDOW_6 = f"() => document.querySelector('#th-window input')?.value === {WINDOW_6!r}"


def test_the_address_bar_follows_the_view(demo_data):
    store = Store.open(demo_data)
    least = theme_summary(store, store.default_judge(), "us_hard", released_within=6)["theme"].iat[0]
    with running_app(demo_data) as url, open_page(f"{url}?tab=themes&__theme=dark") as page:
        wait_url_param(page, "set", "us_hard")          # the loaded view writes its state
        history = page.evaluate("() => history.length")
        pick(page, "th-window", WINDOW_6)
        wait_url_param(page, "window", "6")
        assert page.evaluate("() => history.length") == history  # replaced, not pushed
        assert url_params(page)["__theme"] == "dark"             # the theme switch is kept
        assert link_box(page, "th").startswith(url) and "window=6" in link_box(page, "th")  # absolute

        reload_keeps(page, SHOWS_WINDOW_6)
        pick(page, "th-theme", readable_theme(least))            # themes are listed by readable name
        wait_url_param(page, "theme", least)
        assert url_params(page)["window"] == "6"

        page.get_by_role("tab", name="About the data").click()
        wait_url_param(page, "tab", "about")
        assert "theme" not in url_params(page)
        page.get_by_role("tab", name="Themes").click()      # the tab's own URL comes back
        wait_url_param(page, "theme", least)

        page.get_by_role("tab", name="About the data").click()
        wait_url_param(page, "tab", "about")
        page.go_back(wait_until="domcontentloaded")          # Back: the themes view, reloaded
        wait_url_param(page, "tab", "themes")
        page.wait_for_function(SHOWS_WINDOW_6)
        page.wait_for_function(f"() => document.querySelector('#th-theme input')?.value === {readable_theme(least)!r}")


def filled(elem_id: str) -> str:
    """JS: the element (a textbox, else any block) shows some text."""
    return (f"() => {{ const el = document.querySelector('#{elem_id}'); if (!el) return false;"
            f" const box = el.querySelector('textarea, input');"
            f" return (box ? box.value : el.innerText).trim().length > 0; }}")


def test_only_the_visible_tab_computes(demo_data):
    with running_app(demo_data) as url, open_page(f"{url}?tab=themes") as page:
        page.wait_for_function(filled("th-status"))
        page.wait_for_timeout(1500)                      # time enough for a stray loader to land
        assert not page.evaluate(filled("lb-status"))    # the leaderboard has not computed
        page.get_by_role("tab", name="Leaderboard").click()
        page.wait_for_function(filled("lb-status"))      # it computes when first opened
        wait_url_param(page, "tab", "leaderboard")
