"""The Domain tab: one domain under the chosen judge: its themes, its models ranked, and how its
median model compares with the median model over all domains (SpeechMap's domain page).

Computed by `toolkit.query.domain_view`. A theme opens its grid on the Themes tab, a model its
model view. State in the URL: ?tab=domain&domain=..&judge=..&set=..
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any, Mapping
from urllib.parse import urlencode

import gradio as gr
import pandas as pd

from toolkit.query.coverage import judge_coverage
from toolkit.query.domain_view import domain_page
from toolkit.query.model_view import remembered, view_key
from toolkit.storage.store import Store

from .columns import table_value
from .context import AppContext
from .url_state import UrlBar, view_query
from .wiring import (
    chosen, default_question_set, follow_link, model_link, question_set_choices, refusal, table, wire_view,
)

TAB = "domain"
# shown: the scores first, beside the name (on a phone the columns after them scroll sideways)
SHOWN_THEMES = ["theme", "pct_complete", "pct_evasive", "pct_denial", "pct_error", "n", "models"]
SHOWN_MODELS = ["model", "pct_complete", "pct_evasive", "pct_denial", "pct_error", "n", "rank", "total", "tied",
                "lab", "release_date"]


@dataclass(frozen=True)
class DomainState:
    domain: str | None
    judge: str | None
    question_set: str

    def query(self) -> dict[str, Any]:
        return {"domain": self.domain, "judge": self.judge, "set": self.question_set}


def state_from_query(store: Store, params: Mapping[str, str]) -> DomainState:
    """The view's state from URL parameters (or control values); Rejected for an unknown value."""
    domains = store.distinct("domain")
    return DomainState(chosen(params.get("domain"), domains, domains[0] if domains else None, "domain"),
                       chosen(params.get("judge"), store.judge_names(), store.default_judge(), "judge"),
                       chosen(params.get("set"), question_set_choices(store), default_question_set(store),
                              "question set"))


def link(tab: str, **state: Any) -> str:
    """The relative URL of a view (`?tab=..&..`), empty values left out."""
    return "?" + urlencode({"tab": tab, **{k: v for k, v in state.items() if v}})


def domain_link(domain: str, judge: str | None, question_set: str | None) -> str:
    return link(TAB, domain=domain, judge=judge, set=question_set)


def theme_link(theme: str, judge: str | None) -> str:
    """The relative URL of a theme's grid on the Themes tab."""
    return link("themes", theme=theme, judge=judge)


def message_html(message: str) -> str:
    """A refused call's sentence, in the header's place."""
    return f"<p id='dm-message'>{html.escape(message)}</p>"


def coverage_html(store: Store, judge: str, question_set: str, elem_id: str) -> str:
    """A warning line when the judge labelled only part of the question set's responses (a human
    annotator: a few hundred), empty when it labelled all; the counts are kept per store."""
    coverage = remembered(store, "coverage", view_key(judge, question_set, None),
                          lambda: judge_coverage(store, judge, question_set))
    if not coverage.total or coverage.judged >= coverage.total:
        return ""
    return (f"<p id='{elem_id}' class='view-warning'>⚠ {html.escape(judge)} labelled {coverage.judged:,} of "
            f"{coverage.total:,} responses in this question set ({coverage.share * 100:.1f}%): every number "
            f"here rests on that part only.</p>")


def header_text(header: Mapping[str, Any], judge: str) -> str:
    """The header as escaped HTML (every value from the data shown as plain text)."""
    e = lambda value: html.escape(str(value))  # noqa: E731
    if not header["models"]:
        return (f"<h3 id='dm-name'>{e(header['domain'])}</h3>"
                f"<p>No response in this domain is labelled by {e(judge)}.</p>")
    median, overall = header["median_pct_complete"], header["global_median_pct_complete"]
    gap = header["gap"]
    compared = ("the same as" if abs(gap) < 0.05 else
                f"{abs(gap):.1f} points {'more' if gap > 0 else 'less'} than")
    return (f"<h3 id='dm-name'>{e(header['domain'])}</h3>"
            f"<p>{header['themes']:,} themes, {header['models']:,} models, {header['n']:,} responses "
            f"labelled by {e(judge)}.</p>"
            f"<p id='dm-median'>The median model answers {median:.1f}% of this domain's requests completely: "
            f"{compared} the {overall:.1f}% the median model answers over all domains.</p>")


def domain_view(store: Store, state: DomainState) -> dict[str, Any]:
    """Header, themes and models of one domain, shaped for display."""
    page = domain_page(store, state.judge, state.domain, state.question_set)
    return {"header": header_text(page.header, state.judge)
            + coverage_html(store, state.judge, state.question_set, "dm-coverage"),
            "themes": page.themes, "models": page.models}


def build(blocks: gr.Blocks, context: AppContext) -> None:
    store = context.store
    if not store.judge_names():
        gr.Markdown("This data has no judgements yet.")
        return
    with gr.Row():
        domain = gr.Dropdown(store.distinct("domain"), label="Domain", elem_id="dm-domain", scale=2)
        judge = gr.Dropdown(store.judge_names(), label="Judge", elem_id="dm-judge")
        question_set = gr.Dropdown(question_set_choices(store), label="Question set", elem_id="dm-set")
    url_bar = UrlBar("dm")
    header = gr.HTML(elem_id="dm-header")
    themes_table, themes_csv = table("Themes, least answered first (click one for its grid)", "dm-themes")
    models_table, models_csv = table("Models ranked on this domain (click one for its view)", "dm-models")
    controls = [domain, judge, question_set]
    outputs = [*controls, url_bar.query, header, themes_table, models_table]
    refused = refusal(len(outputs), outputs.index(header), message_html)

    def compute(state: DomainState) -> list[Any]:
        view = domain_view(store, state)
        return [state.domain, state.judge, state.question_set, view_query(TAB, state.query()), view["header"],
                table_value(view["themes"], SHOWN_THEMES),
                table_value(view["models"], SHOWN_MODELS)]

    def frame_of(state: DomainState, key: str) -> tuple[pd.DataFrame, str]:
        page = domain_page(store, state.judge, state.domain, state.question_set)
        return getattr(page, key), f"domain_{key}_{state.domain}_{state.judge}_{state.question_set}"

    wire_view(blocks, "domain", ["domain", "judge", "set"], controls, outputs, refused,
              lambda params: state_from_query(store, params), compute,
              {"themes": themes_csv, "models": models_csv}, frame_of)
    follow_link(themes_table, lambda j, row: theme_link(row[0], j) if row else None, judge)
    follow_link(models_table, lambda j, row: model_link(row[0], j, None) if row else None, judge)
