"""Assemble the dashboard: a header that says which data it shows, and one tab per module.

Only the tab a visitor sees computes on page load: each module registers its loader with
`blocks.load(...)` as before, but it is handed a `LazyTab` that keeps the loader; the app runs it on
page load when the URL opens that tab (`?tab=...`, else the first tab), otherwise the first time the
visitor selects the tab.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import Any, Callable

import gradio as gr

from . import about, elo, explorer, leaderboard, pairwise
from . import judges, model, themes, timeline
from .common import query_params
from .context import AppContext
from .url_state import follow_tabs

log = logging.getLogger(__name__)

# Accordions with elem_classes=[PHONE_COLLAPSED] (a tab's filters) start closed on a narrow screen:
# open on a desktop, one tap away on a phone. The browser sends its width on page load, the server
# closes them (Gradio's own state, so the accordion's toggle keeps working). Any tab gets this by
# adding the class; `collapse_on_phone` finds the accordions after the tabs are built.
PHONE_COLLAPSED = "phone-collapsed"
PHONE_WIDTH = 640

# (tab id, title, tab module): each module's `build(blocks, context)` lays out and wires its tab.
TABS = [
    ("leaderboard", "Leaderboard", leaderboard),
    ("model", "Model", model),
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
  /* A column of long names takes at most 45% of the screen (cut with "…"; a click on a model row opens its view),
     so the scores beside it stay in view. */
  .table-wrap {--df-max-col-width: 45vw !important}
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


def wire_lazy(blocks: gr.Blocks, tabs: gr.Tabs, lazy: LazyTab) -> None:
    """Run each loader on page load if its tab is the visible one, else the first time a visitor
    clicks the tab. (The Tabs' select event fires on clicks only; a Tab's own select event also
    fires when the page shows its first tab, which would compute that tab on every load.)
    Gradio injects gr.Request and gr.SelectData only into named parameters (not after *args), so a
    loader takes no inputs: it reads its state from the request's URL."""
    for fn, inputs, outputs, options in lazy.loaders:
        if inputs:
            raise ValueError(f"tab {lazy.tab_id}: a loader reads the URL, it takes no inputs")
        targets = outputs if isinstance(outputs, list) else [outputs]
        done = gr.State(False)

        def on_load(request: gr.Request, fn=fn, count=len(targets), tab_id=lazy.tab_id):
            if visible_tab(request) != tab_id:
                return [gr.skip()] * (count + 1)
            return [True, *_as_list(fn(request), count)]

        def on_select(already: bool, event: gr.SelectData, request: gr.Request, fn=fn, count=len(targets),
                      title=lazy.title):
            if already or event.value != title:
                return [gr.skip()] * (count + 1)
            return [True, *_as_list(fn(request), count)]

        blocks.load(on_load, None, [done, *targets], **options)
        tabs.select(on_select, [done], [done, *targets], **options)


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
        for lazy in lazies:  # outside the Tabs: a gr.State directly inside gr.Tabs shows up as a tab
            wire_lazy(blocks, tabs, lazy)
        follow_tabs(tabs, {title: tab_id for tab_id, title, _ in TABS})

        def select_tab(request: gr.Request):
            return gr.Tabs(selected=visible_tab(request))

        blocks.load(select_tab, None, tabs, api_visibility="private")
        collapse_on_phone(blocks)
    return blocks
