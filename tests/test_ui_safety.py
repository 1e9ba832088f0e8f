"""Public-deployment safety of the dashboard without a browser: plain text for values from the URL or
the data, the CSV download folder's budget, page numbers that clamp, handlers that answer in one sentence."""
from __future__ import annotations

import logging
import os
import time

import pandas as pd
import pytest
from markdown_it import MarkdownIt

from toolkit.ui import common
from toolkit.ui.explorer import page_of


def rendered(markdown: str) -> str:
    return MarkdownIt("commonmark").render(markdown)


@pytest.mark.parametrize("hostile", [
    "![x](http://127.0.0.1:9/x.png)", "[Session expired - log in again](https://example.com/login)",
    "<img src=x onerror=alert(1)>", "**bold** _it_ `code`", "http://example.com/a_b", "a\\*b $x$"])
def test_plain_text_renders_as_typed(hostile):
    html = rendered(common.plain(hostile))
    assert "<img" not in html and "<a " not in html and "<strong>" not in html and "<em>" not in html
    assert "<code>" not in html
    # What a reader sees is the value itself (HTML entities aside).
    text = html.removeprefix("<p>").removesuffix("</p>\n")
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
    assert text == hostile


def test_plain_text_is_one_line():
    assert common.plain("a\n\n# b") == "a \\# b"


def test_fifty_csv_downloads_stay_within_the_budget(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(tmp_path))
    frame = pd.DataFrame({"text": ["x" * 1000] * 100})          # about 100 kB per file
    monkeypatch.setattr(common, "DOWNLOAD_BUDGET_BYTES", 1_000_000)
    paths = [common.csv_file(frame, f"table {i}") for i in range(50)]
    folder = tmp_path / common.DOWNLOAD_FOLDER_NAME
    sizes = [p.stat().st_size for p in folder.rglob("*.csv")]
    assert sum(sizes) <= 1_000_000 and len(sizes) == 1_000_000 // os.path.getsize(paths[-1])
    assert os.path.exists(paths[-1]) and not os.path.exists(paths[0])    # the oldest went first
    assert all(p.name.endswith(".csv") for p in folder.rglob("*") if p.is_file())


def test_old_downloads_are_deleted(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(tmp_path))
    old = common.csv_file(pd.DataFrame({"a": [1]}), "old")
    hour_ago = time.time() - 3600
    os.utime(old, (hour_ago, hour_ago))
    new = common.csv_file(pd.DataFrame({"a": [2]}), "new")
    assert not os.path.exists(old) and os.path.exists(new)


@pytest.mark.parametrize("typed, page", [(0, 1), (-3, 1), (None, 1), ("", 1), ("abc", 1), (float("nan"), 1),
                                         (2, 2), (2.7, 2), (10**9, 10**9)])
def test_page_numbers_clamp_at_one(typed, page):
    assert page_of(typed) == page


def test_a_guarded_handler_answers_in_one_sentence_and_logs_one_line(caplog):
    @common.guarded("demo_handler", lambda message: ["shown: " + message])
    def handler(value):
        if value == "bad":
            raise common.Rejected("Choose a judge from the list.")
        return {}[value]  # KeyError with the payload in its message

    with caplog.at_level(logging.WARNING, logger="toolkit.ui"):
        assert handler("bad") == ["shown: Choose a judge from the list."]
        assert handler(["payload-xyz"]) == ["shown: " + common.FAILED]
    lines = [r.getMessage() for r in caplog.records]
    assert lines == ["demo_handler: rejected input (Choose a judge from the list.)", "demo_handler: failed (TypeError)"]
    assert all(r.exc_info is None for r in caplog.records) and "payload-xyz" not in caplog.text
