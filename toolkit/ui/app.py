"""Assemble the dashboard: a header that says which data it shows, and one tab per module."""
from __future__ import annotations

import logging
import os

import gradio as gr

from . import about, elo, explorer, leaderboard, pairwise
from . import judges, model, themes, timeline
from .common import query_params
from .context import AppContext

log = logging.getLogger(__name__)

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
/* Altair charts made with width="container": vega-embed's own box is inline-block, give it the width */
.vega-embed {width: 100%}
"""


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
        with gr.Tabs() as tabs:
            for tab_id, title, module in TABS:
                with gr.Tab(title, id=tab_id):
                    module.build(blocks, context)

        def select_tab(request: gr.Request):
            wanted = query_params(request).get("tab")
            known = {t[0] for t in TABS}
            return gr.Tabs(selected=wanted) if wanted in known else gr.Tabs()

        blocks.load(select_tab, None, tabs, api_visibility="private")
    return blocks
