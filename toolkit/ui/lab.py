"""The Lab tab: one lab under the chosen judge: its models, its lab index per domain, and its lab index
under every judge (how much its standing depends on the judge).

Computed by `toolkit.query.lab_view`. A model opens its model view, a domain its domain view.
State in the URL: ?tab=lab&lab=..&judge=..&set=..
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any, Mapping

import altair as alt
import gradio as gr
import pandas as pd

from toolkit.query.lab_view import (
    JUDGE_COLUMNS,
    lab_names,
    lab_page,
    lab_standing,
)
from toolkit.query.scores import MIN_N
from toolkit.storage.store import Store

from .charts import judge_dots
from .columns import INDEX_INTERVAL_SHOWN, interval_text, table_value
from .context import AppContext
from .domain import coverage_html, domain_link, link
from .url_state import UrlBar, view_query
from .wiring import (
    chosen, default_question_set, follow_link, model_link, question_set_choices, refusal, table, wire_view,
)

TAB = "lab"
# shown: the scores first, beside the name (on a phone the columns after them scroll sideways)
SHOWN_MODELS = ["model", "pct_complete", "pct_evasive", "pct_denial", "pct_error", "n", "rank", "total", "tied",
                "release_date", "reasoning", "in_window"]
# the per-domain index with its 95% interval and the answers behind it (n) first
SHOWN_DOMAINS = ["domain", "index", INDEX_INTERVAL_SHOWN, "n", "rank", "labs", "tied", "models_in_window",
                 "pct_complete", "pct_evasive", "pct_denial", "pct_error"]


@dataclass(frozen=True)
class LabState:
    lab: str | None
    judge: str | None
    question_set: str

    def query(self) -> dict[str, Any]:
        return {"lab": self.lab, "judge": self.judge, "set": self.question_set}


def state_from_query(store: Store, params: Mapping[str, str]) -> LabState:
    """The view's state from URL parameters (or control values); Rejected for an unknown value."""
    labs = lab_names(store)
    return LabState(chosen(params.get("lab"), labs, labs[0] if labs else None, "lab"),
                    chosen(params.get("judge"), store.judge_names(), store.default_judge(), "judge"),
                    chosen(params.get("set"), question_set_choices(store), default_question_set(store),
                           "question set"))


def lab_link(lab: str, judge: str | None = None, question_set: str | None = None) -> str:
    return link(TAB, lab=lab, judge=judge, set=question_set)


def message_html(message: str) -> str:
    """A refused call's sentence, in the header's place."""
    return f"<p id='lab-message'>{html.escape(message)}</p>"


def header_text(header: Mapping[str, Any], standing: Mapping[str, Any] | None, judge: str) -> str:
    """The header as escaped HTML (every value from the data shown as plain text); `standing` is
    lab_view.lab_standing's honest row (interval, answers, rank among labs with >= MIN_N answers)."""
    e = lambda value: html.escape(str(value))  # noqa: E731
    name = header["lab_name"] or header["lab"]
    title = f"<h3 id='lab-name'>{e(name)}</h3>" + (f"<p>id: {e(header['lab'])}</p>" if name != header["lab"] else "")
    if not header["n"]:
        return title + f"<p>No response of this lab's models is labelled by {e(judge)}.</p>"
    mix = (f"{header['models']:,} models, {header['n']:,} responses labelled by {e(judge)}: all-time "
           f"{header['pct_complete']:.1f}% complete, {header['pct_evasive']:.1f}% evasive, "
           f"{header['pct_denial']:.1f}% denial, {header['pct_error']:.1f}% error (pooled over its responses).")
    if header["index"] is None or standing is None:
        text = (f"Not in the lab index as of {e(header['as_of'])}: no model of it released in the 6 months "
                f"before that day (or none dated).")
    else:
        count = header["models_in_window"]
        text = (f"{standing_text(standing)}. Window {e(header['window_start'])} to {e(header['window_end'])}, "
                f"{count} model{'s' if count != 1 else ''}; peak {header['peak']:.1f}.")
    return f"{title}<p>{mix}</p><p id='lab-standing'>{text}</p>"


def standing_text(standing: Mapping[str, Any]) -> str:
    """"Lab index 58.7 (95% interval 53.0-65.0, 300 answers), rank 7 of 9 labs", or "not ranked"
    when fewer than MIN_N answers are behind the index."""
    interval = ("" if standing["index_low"] is None else
                f"95% interval {standing['index_low']:.1f}–{standing['index_high']:.1f}, ")
    text = f"Lab index {standing['index']:.1f} ({interval}{standing['answers']:,} answers)"
    if not standing["ranked"]:
        return f"{text}: not ranked, fewer than {MIN_N} answers"
    return f"{text}, rank {standing['rank']} of {standing['labs']} labs"


def judge_summary(judges: pd.DataFrame) -> str:
    """How far the lab's index and rank move between the judges that rank it."""
    ranked = judges[judges["index"].notna()]
    if len(ranked) < 2:
        return "Fewer than two judges give this lab an index: nothing to compare."
    low, high = ranked.loc[ranked["index"].idxmin()], ranked.loc[ranked["index"].idxmax()]
    return (f"Under {len(ranked)} judges its index runs from {low['index']:.1f} ({low['judge']}) to "
            f"{high['index']:.1f} ({high['judge']}): a spread of {high['index'] - low['index']:.1f} points; "
            f"its rank from {int(ranked['rank'].min())} to {int(ranked['rank'].max())}.")


def judge_chart(judges: pd.DataFrame, chosen_judge: str | None):
    """A dot per judge on one index axis; the chosen judge's dot is larger."""
    data = judges[judges["index"].notna()]
    if data.empty:
        return None
    return judge_dots(data, "index", "lab index", "Lab index under each judge", chosen_judge,
                      ["judge:N", alt.Tooltip("index:Q", format=".1f"), "rank:Q", "labs:Q"])


def lab_view(store: Store, state: LabState) -> dict[str, Any]:
    """Header, models, per-domain index and per-judge index of one lab, shaped for display."""
    # the standing first: the page's per-domain intervals reuse the per-question counts it reads
    standing = lab_standing(store, state.judge, state.lab, state.question_set, min_n=MIN_N)
    page = lab_page(store, state.judge, state.lab, state.question_set)
    header = header_text(page.header, standing, state.judge)
    return {"header": header + coverage_html(store, state.judge, state.question_set, "lab-coverage"),
            "summary": judge_summary(page.judges), "chart": judge_chart(page.judges, state.judge),
            "models": unranked_below_min_n(in_words(page.models, ["reasoning", "in_window"])),
            "domains": page.domains.assign(**{INDEX_INTERVAL_SHOWN: interval_text(page.domains["index_low"],
                                                                               page.domains["index_high"])}),
            "judges": page.judges}


def unranked_below_min_n(frame: pd.DataFrame) -> pd.DataFrame:
    """A table of models as shown: no rank (–) where fewer than MIN_N answers are behind the score
    (the CSV keeps SpeechMap's rank, which ranks every model)."""
    return frame.assign(rank=frame["rank"].astype("Float64").mask(frame["n"] < MIN_N))


def in_words(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """True/False columns as yes/no (missing stays empty), for people."""
    def word(value: Any) -> str:
        return "" if value is None or pd.isna(value) else "yes" if value else "no"
    return frame.assign(**{c: frame[c].map(word) for c in columns if c in frame})


def build(blocks: gr.Blocks, context: AppContext) -> None:
    store = context.store
    if not store.judge_names():
        gr.Markdown("This data has no judgements yet.")
        return
    with gr.Row():
        lab = gr.Dropdown(lab_names(store), label="Lab", elem_id="lab-lab", scale=2)
        judge = gr.Dropdown(store.judge_names(), label="Judge", elem_id="lab-judge")
        question_set = gr.Dropdown(question_set_choices(store), label="Question set", elem_id="lab-set")
    url_bar = UrlBar("lab")
    header = gr.HTML(elem_id="lab-header")
    models_table, models_csv = table("The lab's models (click one for its view)", "lab-models")
    domains_table, domains_csv = table("Lab index per domain (click one for the domain)", "lab-domains")
    gr.Markdown("### Under every judge")
    summary = gr.Textbox(show_label=False, interactive=False, container=False, elem_id="lab-judge-summary")
    chart = gr.Plot(label="Lab index under each judge", show_label=False, elem_id="lab-judge-chart")
    judges_table, judges_csv = table("Lab index under each judge", "lab-judges")
    controls = [lab, judge, question_set]
    outputs = [*controls, url_bar.query, header, models_table, domains_table, summary, chart, judges_table]
    refused = refusal(len(outputs), outputs.index(header), message_html)

    def compute(state: LabState) -> list[Any]:
        view = lab_view(store, state)
        return [state.lab, state.judge, state.question_set, view_query(TAB, state.query()), view["header"],
                table_value(view["models"], SHOWN_MODELS), table_value(view["domains"], SHOWN_DOMAINS),
                view["summary"], view["chart"], table_value(view["judges"], JUDGE_COLUMNS)]

    def frame_of(state: LabState, key: str) -> tuple[pd.DataFrame, str]:
        page = lab_page(store, state.judge, state.lab, state.question_set)
        return getattr(page, key), f"lab_{key}_{state.lab}_{state.judge}_{state.question_set}"

    wire_view(blocks, "lab", ["lab", "judge", "set"], controls, outputs, refused,
              lambda params: state_from_query(store, params), compute,
              {"models": models_csv, "domains": domains_csv, "judges": judges_csv}, frame_of)
    follow_link(models_table, lambda j, row: model_link(row[0], j, None) if row else None, judge)
    follow_link(domains_table, lambda j, row: domain_link(row[0], j, None) if row else None, judge)
