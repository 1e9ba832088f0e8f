"""Helpers shared by the tabs: plain text, CSV downloads with a disk budget, URL state, safe markdown,
handlers that answer a visitor in one plain sentence."""
from __future__ import annotations

import functools
import logging
import re
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Mapping
from urllib.parse import urlencode

import nh3
import pandas as pd
from markdown_it_pyrs import MarkdownIt

log = logging.getLogger("toolkit.ui")

# CSV downloads: one folder, written only when someone asks for a file, pruned after every write
# (older than the age limit first, then the oldest until the folder fits the budget). The folder is
# inside Gradio's own cache, so Gradio serves the file from there instead of copying it.
DOWNLOAD_BUDGET_BYTES = 200 * 1024 * 1024
DOWNLOAD_MAX_AGE_SECONDS = 30 * 60
DOWNLOAD_FOLDER_NAME = "speechmap-downloads"

# CommonMark's rules (plus tables) without raw HTML, which is then shown as text. The Rust port of
# markdown-it renders the same HTML as markdown-it-py, about 10x faster: a page of 50 long answers
# costs 2 ms, not 20-30 (it is Python time, which the 20-client load target is bound by).
_MARKDOWN = MarkdownIt("zero").enable_many([
    "blockquote", "code", "fence", "heading", "lheading", "hr", "list", "paragraph", "reference",
    "autolink", "backticks", "emphasis", "entity", "escape", "image", "link", "newline", "table"])
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character


def plain(text: Any) -> str:
    """A string from the URL or the data, made safe to put inside gr.Markdown: shown as typed.

    Every ASCII punctuation character is backslash-escaped (CommonMark shows an escaped character
    literally), so `![x](http://host/x.png)` is text, not an image; `http:` cannot become an
    autolink and `<b>` is not a tag. Line breaks become spaces (one value, one line).
    """
    return _PUNCTUATION.sub(r"\\\1", " ".join(str("" if text is None else text).split()))


def download_folder() -> Path:
    from gradio.utils import get_upload_folder

    folder = Path(get_upload_folder()) / DOWNLOAD_FOLDER_NAME
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def prune_downloads(folder: Path, keep: Path | None = None, budget: int | None = None,
                    max_age: float | None = None, now: float | None = None) -> None:
    """Delete files older than the age limit, then the oldest until the folder fits the budget."""
    budget = DOWNLOAD_BUDGET_BYTES if budget is None else budget
    max_age = DOWNLOAD_MAX_AGE_SECONDS if max_age is None else max_age
    now = time.time() if now is None else now
    files = []
    for path in folder.glob("*/*.csv"):
        try:
            stat = path.stat()
        except FileNotFoundError:  # another request pruned it
            continue
        files.append((stat.st_mtime, stat.st_size, path))
    files.sort()
    total = sum(size for _, size, _ in files)
    for modified, size, path in files:
        if path == keep or (now - modified <= max_age and total <= budget):
            continue
        _remove(path)
        total -= size


def _remove(path: Path) -> None:
    try:
        path.unlink()
        path.parent.rmdir()
    except OSError:
        pass


def csv_file(frame: pd.DataFrame | None, name: str) -> str | None:
    """Write a frame to a CSV file for a download (only when a visitor asks for it); the name says
    what it holds. The download folder is pruned to its budget afterwards."""
    if frame is None:
        return None
    folder = download_folder()
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_")[:120] or "table"
    path = Path(tempfile.mkdtemp(dir=folder)) / f"{safe}.csv"
    frame.to_csv(path, index=False)
    prune_downloads(folder, keep=path)
    return str(path)


def download_js(elem_id: str) -> str:
    """JS that clicks the hidden gr.DownloadButton `elem_id` once its file is set (a .then step)."""
    return (f"() => {{ const el = document.querySelector('#{elem_id}'); if (!el) return; "
            f"(el.tagName === 'BUTTON' ? el : el.querySelector('button')).click(); }}")


class Rejected(ValueError):
    """An input a handler refuses; the message is one plain sentence meant for the visitor."""


def guarded(name: str, fallback: Callable[[str], Any]):
    """Wrap an event handler: a rejected input or an unexpected error becomes `fallback(sentence)`
    (the outputs that show the sentence), and the log gets one line without the payload."""
    def wrap(handler: Callable) -> Callable:
        @functools.wraps(handler)
        def run(*args, **kwargs):
            try:
                return handler(*args, **kwargs)
            except Rejected as error:
                log.warning("%s: rejected input (%s)", name, error)
                return fallback(str(error))
            except Exception as error:  # noqa: BLE001 - the visitor gets a sentence, the log the type
                log.warning("%s: failed (%s)", name, type(error).__name__)
                return fallback(FAILED)
        return run
    return wrap


FAILED = "Something went wrong while computing this view; please change a control or reload the page."


def query_params(request: Any) -> dict[str, str]:
    """The URL query parameters of a gr.Request (empty when there is none)."""
    if request is None:
        return {}
    params = getattr(request, "query_params", None) or {}
    return {str(k): str(v) for k, v in dict(params).items()}


def share_link(request: Any, tab: str, state: Mapping[str, Any]) -> str:
    """A link that reopens the current view: the page URL with the state as query parameters."""
    base = ""
    if request is not None:
        headers = getattr(request, "headers", {}) or {}
        host = headers.get("x-forwarded-host") or headers.get("host") or ""
        scheme = headers.get("x-forwarded-proto") or "http"
        base = f"{scheme}://{host}/" if host else ""
    items = {"tab": tab, **{k: v for k, v in state.items() if v not in (None, "", [])}}
    items = {k: ",".join(map(str, v)) if isinstance(v, (list, tuple)) else v for k, v in items.items()}
    return f"{base}?{urlencode(items)}"


def safe_markdown_html(text: str | None) -> str:
    """Render untrusted markdown to HTML that can run nothing and load nothing remote.

    Raw HTML in the text is not interpreted (markdown-it with html=False escapes it); the result is
    sanitised again with nh3 (Ammonia) keeping only formatting tags, and images are dropped so that
    a response cannot make the visitor's browser fetch a remote resource.
    """
    html = _MARKDOWN.render(text or "")
    return nh3.clean(
        html,
        tags={"p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "h1", "h2",
              "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td", "a", "del"},
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
