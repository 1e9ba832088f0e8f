"""Helpers shared by the tabs: CSV downloads, URL state, safe markdown."""
from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlencode

import nh3
import pandas as pd
from markdown_it_pyrs import MarkdownIt

_DOWNLOADS = Path(tempfile.gettempdir()) / "speechmap-downloads"
# CommonMark's rules (plus tables) without raw HTML, which is then shown as text. The Rust port of
# markdown-it renders the same HTML as markdown-it-py, about 10x faster: a page of 50 long answers
# costs 2 ms, not 20-30 (it is Python time, which the 20-client load target is bound by).
_MARKDOWN = MarkdownIt("zero").enable_many([
    "blockquote", "code", "fence", "heading", "lheading", "hr", "list", "paragraph", "reference",
    "autolink", "backticks", "emphasis", "entity", "escape", "image", "link", "newline", "table"])


def csv_file(frame: pd.DataFrame | None, name: str) -> str | None:
    """Write a frame to a CSV file for gr.DownloadButton; the name says what it holds."""
    if frame is None:
        return None
    _DOWNLOADS.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_") or "table"
    path = Path(tempfile.mkdtemp(dir=_DOWNLOADS)) / f"{safe}.csv"
    frame.to_csv(path, index=False)
    return str(path)


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
