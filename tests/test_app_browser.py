"""The app shell in a real browser: header with the data's counts, the About view, tab selection by URL."""
from __future__ import annotations

import pytest

from toolkit.storage.store import Store

from .browser import open_page, running_app, screenshot

pytestmark = pytest.mark.browser


def test_header_and_about_counts(demo_data):
    counts = Store.open(demo_data).counts()
    with running_app(demo_data) as url, open_page(url + "?tab=about") as page:
        header = page.locator("#header-line")
        header.wait_for()
        text = header.inner_text()
        assert text.startswith("Demo data (generated, not real)")
        assert f"{counts['responses']:,} responses" in text
        assert f"{counts['assessments']:,} assessments" in text
        tables = page.locator("#about-tables")
        tables.wait_for()
        for name, rows in counts.items():
            assert name in tables.inner_text()
            assert f"{rows}" in tables.inner_text().replace(",", "")
        screenshot(page, "about")
