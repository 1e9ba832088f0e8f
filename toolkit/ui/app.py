"""Assemble the dashboard: a header that says which data it shows, and one tab per module.

Only the tab a visitor sees computes on page load: each module registers its loader with
`blocks.load(...)` as before, but it is handed a `LazyTab` that keeps the loader; one page-load event
selects the URL's tab (`?tab=...`, else the first) and runs that tab's loaders only; the others run
the first time the visitor selects their tab.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import Any, Callable

import gradio as gr

from . import about, elo, explorer, leaderboard, pairwise
from . import domain, judges, lab, model, themes, timeline
from .common import query_params
from .context import AppContext
from .url_state import follow_tabs

log = logging.getLogger(__name__)

# Accordions with elem_classes=[PHONE_COLLAPSED] (a tab's filters) start closed on a narrow screen:
# open on a desktop, one tap away on a phone. The browser sends its width on page load, the server
# closes them (Gradio's own state, so the accordion's toggle keeps working). Any tab gets this by
# adding the class (every tab's filters do; no tab has a script of its own for it); `collapse_on_phone`
# finds the accordions after the tabs are built. The page holds every tab, so one load event serves all.
PHONE_COLLAPSED = "phone-collapsed"
PHONE_WIDTH = 640

# (tab id, title, tab module): each module's `build(blocks, context)` lays out and wires its tab.
TABS = [
    ("leaderboard", "Leaderboard", leaderboard),
    ("model", "Model", model),
    ("lab", "Lab", lab),
    ("domain", "Domain", domain),
    ("themes", "Themes", themes),
    ("timeline", "Timeline", timeline),
    ("judges", "Judge sensitivity", judges),
    ("explorer", "Judge explorer", explorer),
    ("pairwise", "Pairwise judge", pairwise),
    ("elo", "Elo", elo),
    ("about", "About the data", about),
]

CSS = """
#header-line {font-size: 0.95rem; opacity: 0.85}
.notice {border-left: 4px solid #fca716; padding-left: 0.6rem}
/* Altair charts made with width="container": vega-embed's own box is inline-block, give it the width;
   its actions menu (the "..." button) sits above the chart, not over it. */
.vega-embed {width: 100%}
.vega-embed.has-actions {padding-top: 30px !important}
/* (Gradio scopes these rules to the app.) Nothing wider than the page: long words (model and judge
   names, links) wrap; a chart or table wider than its box scrolls inside that box, not the page. */
.prose, label, textarea {overflow-wrap: anywhere}
.vega-embed, .js-plotly-plot {max-width: 100%; overflow-x: auto}
.table-wrap, .table-container {max-width: 100%; overflow-x: auto}
.table-wrap, .table-wrap * {overflow-wrap: normal}
.table-container .header-row {flex-wrap: wrap}
.table-container .header-row .label {min-width: 10em}
@media (max-width: 640px) {
  /* Phone: the children of every row stack, each the full width. */
  .row {flex-wrap: wrap}
  .row > *, .row > .form > * {min-width: 100% !important; flex-basis: 100%}
  /* Tables. A column takes at most 45% of the screen, so the scores beside a column of long names stay in
     view; text longer than that wraps instead of being cut with "…" (Gradio's default), so every name is
     read in full: a body cell's at spaces and hyphens, anywhere if one word is wider than the column;
     a header's at spaces and hyphens only. Gradio sizes the columns by measuring the header table at its
     natural width: held at max-content, a header that may wrap does not let that measurement squeeze its
     column to the header's longest word (or one letter a line); each column keeps its one-line width. */
  .table-wrap {--df-max-col-width: 45vw !important}
  .table-wrap .header-table {width: max-content !important}
  .table-wrap .header-cell .header-content > span {white-space: normal; overflow-wrap: break-word;
    text-overflow: clip}
  .table-wrap .body-cell .cell-wrap > span {white-space: normal; overflow-wrap: anywhere; text-overflow: clip}
}
"""


@dataclass
class LazyTab:
    """Stands in for the Blocks in a tab module's `build`: `load` records the tab's loaders."""
    tab_id: str
    title: str
    loaders: list[tuple[Callable, Any, Any, dict]] = field(default_factory=list)

    def load(self, fn: Callable, inputs: Any = None, outputs: Any = None, **options: Any) -> None:
        self.loaders.append((fn, inputs, outputs, options))


def visible_tab(request: Any) -> str:
    """The tab the page opens on: ?tab=... when it names a tab, else the first."""
    wanted = query_params(request).get("tab")
    return wanted if wanted in {t[0] for t in TABS} else TABS[0][0]


def _as_list(value: Any, count: int) -> list:
    return list(value) if count != 1 else [value]


@dataclass(frozen=True)
class _Loader:
    tab_id: str
    title: str
    fn: Callable
    targets: list


def _loaders(lazies: list[LazyTab]) -> list[_Loader]:
    found = []
    for lazy in lazies:
        for fn, inputs, outputs, _options in lazy.loaders:
            if inputs:
                raise ValueError(f"tab {lazy.tab_id}: a loader reads the URL, it takes no inputs")
            found.append(_Loader(lazy.tab_id, lazy.title, fn, outputs if isinstance(outputs, list) else [outputs]))
    return found


def _run_loaders(loaders: list[_Loader], tab_id: str, request: Any) -> list:
    """The outputs of every loader: computed for the tab `tab_id`, left as they are for the others."""
    values: list = []
    for loader in loaders:
        count = len(loader.targets)
        values += _as_list(loader.fn(request), count) if loader.tab_id == tab_id else [gr.skip()] * count
    return values


def wire_lazy(blocks: gr.Blocks, tabs: gr.Tabs, lazies: list[LazyTab]) -> None:
    """One page-load event selects the URL's tab and runs its loaders only; one tab-click event runs
    a clicked tab's loaders the first time. (The Tabs' select event fires on clicks only; a Tab's own
    select event also fires when the page shows its first tab, which would compute it on every load.)
    Gradio injects gr.Request and gr.SelectData only into named parameters (not after *args), so a
    loader takes no inputs: it reads its state from the request's URL. The tabs computed so far are
    kept per visitor in one gr.State."""
    loaders = _loaders(lazies)
    targets = [target for loader in loaders for target in loader.targets]
    computed = gr.State(frozenset())
    tab_of_title = {lazy.title: lazy.tab_id for lazy in lazies}

    def on_load(request: gr.Request):
        tab_id = visible_tab(request)
        return [gr.Tabs(selected=tab_id), frozenset({tab_id}), *_run_loaders(loaders, tab_id, request)]

    def on_select(done: frozenset, event: gr.SelectData, request: gr.Request):
        tab_id = tab_of_title.get(str(event.value), "")
        if not tab_id or tab_id in done:
            return [gr.skip()] * (len(targets) + 1)
        return [done | {tab_id}, *_run_loaders(loaders, tab_id, request)]

    blocks.load(on_load, None, [tabs, computed, *targets], api_visibility="private")
    tabs.select(on_select, computed, [computed, *targets], api_visibility="private")


def collapse_on_phone(blocks: gr.Blocks) -> None:
    """On page load, close every PHONE_COLLAPSED accordion when the window is narrower than PHONE_WIDTH."""
    boxes = [b for b in blocks.blocks.values()
             if isinstance(b, gr.Accordion) and PHONE_COLLAPSED in (b.elem_classes or [])]
    if not boxes:
        return
    width = gr.Number(visible=False, elem_id="window-width")

    def close(window_width: float | None) -> list:
        narrow = window_width is not None and 0 < window_width < PHONE_WIDTH
        return [gr.Accordion(open=False) if narrow else gr.skip() for _ in boxes]

    blocks.load(close, width, boxes, js="() => window.innerWidth", queue=False, api_visibility="private")


def build_app(context: AppContext) -> gr.Blocks:
    # Gradio's queue rebuilds a pandas frame of every recent event after each event to summarise
    # timings for its monitoring page, by default: a tenth of the Python time of an explorer call.
    # Once every 1,000 events is enough.
    os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", "1000")
    with gr.Blocks(title="SpeechMap judges dashboard") as blocks:
        gr.Markdown("## SpeechMap: how LLMs answer contentious requests, and how much the verdict depends on the judge")
        gr.Markdown(context.description, elem_id="header-line")
        if context.settings.get("notice"):
            gr.Markdown(context.settings["notice"], elem_classes=["notice"], elem_id="data-notice")
        lazies = []
        with gr.Tabs() as tabs:
            for tab_id, title, module in TABS:
                lazies.append(LazyTab(tab_id, title))
                with gr.Tab(title, id=tab_id):
                    module.build(lazies[-1], context)
        # Outside the Tabs: a gr.State directly inside gr.Tabs shows up as a tab.
        wire_lazy(blocks, tabs, lazies)
        follow_tabs(tabs, {title: tab_id for tab_id, title, _ in TABS})
        collapse_on_phone(blocks)
    return blocks
