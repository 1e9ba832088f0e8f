"""Assemble the dashboard: a header that says which data it shows, and one tab per module."""
from __future__ import annotations

import importlib
import logging
import os

import gradio as gr

from . import about
from .common import query_params
from .context import AppContext

log = logging.getLogger(__name__)

# (tab id, title, module, what it will show while the module is not there yet)
TABS = [
    ("leaderboard", "Leaderboard", "toolkit.ui.leaderboard",
     "Model scores and the lab index under each judge, and how they move when the judge changes."),
    ("explorer", "Judge explorer", "toolkit.ui.explorer",
     "Any two judges side by side: Sankey, transition matrix, agreement, drill-down to the texts."),
    ("pairwise", "Pairwise judge", "toolkit.ui.pairwise",
     "Live A/B judging with the local 4B judge model (both orders, averaged)."),
    ("elo", "Elo", "toolkit.ui.elo",
     "Elo leaderboards from Swiss tournaments of pairwise judgements, separability and bias."),
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
    with gr.Blocks(title="SpeechMap judges dashboard") as demo:
        gr.Markdown("## SpeechMap: how LLMs answer contentious requests, and how much the verdict depends on the judge")
        gr.Markdown(context.description, elem_id="header-line")
        if context.settings.get("notice"):
            gr.Markdown(context.settings["notice"], elem_classes=["notice"], elem_id="data-notice")
        with gr.Tabs() as tabs:
            for tab_id, title, module_name, placeholder in TABS:
                with gr.Tab(title, id=tab_id):
                    try:
                        module = importlib.import_module(module_name)
                    except ModuleNotFoundError as error:
                        if not (error.name or "").startswith("toolkit"):
                            raise
                        gr.Markdown(f"*Coming soon:* {placeholder}")
                        continue
                    module.build(demo, context)
            with gr.Tab("About the data", id="about"):
                about.build(demo, context)

        def select_tab(request: gr.Request):
            wanted = query_params(request).get("tab")
            known = {t[0] for t in TABS} | {"about"}
            return gr.Tabs(selected=wanted) if wanted in known else gr.Tabs()

        demo.load(select_tab, None, tabs, api_visibility="private")
    return demo
