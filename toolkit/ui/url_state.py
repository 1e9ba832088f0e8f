"""The view's state in the address bar: one pattern for every tab.

A tab keeps its state in one frozen dataclass that parses from URL parameters and gives them back
(`state.query()`). Whenever a handler computes a view it also returns `view_query(TAB, state.query())`
into the tab's `UrlBar.query`, a hidden textbox; a browser-side listener on that textbox then

- replaces the address bar's query with it (`history.replaceState`: a control change adds no
  history entry), keeping `__theme` (Gradio's dark-mode switch);
- puts the absolute URL into the tab's "Link to this view" box, so a shared link always has its host;
- remembers it as that tab's URL, so switching back to the tab restores its address.

Clicking a tab pushes that tab's remembered URL (`follow_tabs`): Back returns to the tab before,
and the page reloads so the restored address is also the view shown. A reload opens the URL's view
because every tab reads its state from the URL when it computes.
"""
from __future__ import annotations

from typing import Any, Mapping
from urllib.parse import urlencode

import gradio as gr

from .texts import LINK_LABEL

# Keep Gradio's theme switch when the query is replaced.
_KEEP = "__theme"

_WRITE_JS = """(query) => {
  if (!query) { return ''; }
  const here = new URL(window.location.href);
  const next = new URL(query, here);
  const keep = here.searchParams.get('%(keep)s');
  if (keep) { next.searchParams.set('%(keep)s', keep); }
  if (next.href !== here.href) { window.history.replaceState(window.history.state, '', next); }
  window.__speechmapUrls = window.__speechmapUrls || {};
  window.__speechmapUrls[next.searchParams.get('tab') || ''] = next.search;
  return next.href;
}""" % {"keep": _KEEP}


def view_query(tab: str, state: Mapping[str, Any]) -> str:
    """`?tab=TAB&...`: the state's non-empty values; lists joined by commas (as the tabs parse them)."""
    items = {"tab": tab}
    for key, value in state.items():
        if value is None or value == "" or value == [] or value == ():
            continue
        items[key] = ",".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)
    return "?" + urlencode(items)


class UrlBar:
    """A tab's hidden URL-state box and its visible "Link to this view" box (created in place)."""

    def __init__(self, elem_prefix: str, label: str = LINK_LABEL):
        self.link = gr.Textbox(label=label, buttons=["copy"], interactive=False, elem_id=f"{elem_prefix}-link",
                               elem_classes=["view-link"])
        self.query = gr.Textbox(visible="hidden", elem_id=f"{elem_prefix}-url-state")
        # A change made by the server (not typed): runs in the browser only, no server round trip.
        self.query.change(None, self.query, self.link, js=_WRITE_JS, api_visibility="private")


def follow_tabs(tabs: gr.Tabs, tab_ids: Mapping[str, str]) -> None:
    """On a click on a tab (`tab_ids`: title -> id): push that tab's remembered URL, else `?tab=ID`,
    and reload on Back/Forward so that the view follows the address bar. (The Tabs' select event
    fires on clicks only, not when the page opens on a tab.)"""
    chosen = gr.Textbox(visible="hidden", elem_id="url-tab")

    def tab_of(event: gr.SelectData) -> str:
        return tab_ids.get(str(event.value), "")

    tabs.select(tab_of, None, chosen, api_visibility="private", queue=False).then(
        None, chosen, None, js=_PUSH_TAB_JS, api_visibility="private")


_PUSH_TAB_JS = """(tab) => {
  const here = new URL(window.location.href);
  if (!tab || here.searchParams.get('tab') === tab) { return; }
  const remembered = (window.__speechmapUrls || {})[tab];
  const next = new URL(remembered || ('?tab=' + encodeURIComponent(tab)), here);
  const keep = here.searchParams.get('%(keep)s');
  if (keep) { next.searchParams.set('%(keep)s', keep); }
  if (!window.__speechmapPopstate) {
    window.__speechmapPopstate = true;
    window.addEventListener('popstate', () => window.location.reload());
  }
  window.history.pushState({tab: tab}, '', next);
}""" % {"keep": _KEEP}
