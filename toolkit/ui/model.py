"""The Model tab: one model under the chosen judge, and how its score and rank move across judges.

Computed by `toolkit.query.model_view` (header, per-domain and per-theme ranks with ties, its
responses by verdict, the responses the judges disagree on) and `toolkit.query.sensitivity` (the
judge panel). Its lab opens the lab view, a domain the domain view, a theme its grid.
State in the URL: ?tab=model&model=..&judge=..&set=..&verdict=..&page=..&dpage=..
"""
from __future__ import annotations

import dataclasses
import html
from dataclasses import dataclass
from typing import Any, Mapping
import altair as alt
import gradio as gr
import pandas as pd

from toolkit.core.labels import CANONICAL, COMPLETE, SCORED
from toolkit.query.model_view import (ResponsePage, judge_disagreements, model_page, model_responses, remembered,
                                      verdict_counts, view_key)
from toolkit.query.scores import MIN_N, PCT, PCT_INTERVAL
from toolkit.query.sensitivity import RANK_FLAG, SPREAD_FLAG, judge_scores
from toolkit.storage.store import Store

from .charts import AXIS_GREY, judge_dots, label_scale, themed, tips
from .columns import table_value
from .common import guarded, safe_markdown_html
from .context import AppContext
from .domain import coverage_html, domain_link, theme_link
from .lab import lab_link, unranked_below_min_n
from .judges import FLAG, default_judges
from .texts import UNKNOWN_SYMBOL, VERDICTS
from .url_state import UrlBar, view_query
from .wiring import chosen, default_question_set, follow_link, offer_csv, on_url, question_set_choices, refusal, table

TAB = "model"
PCT_COLUMNS = list(PCT.values())
BREAKDOWN = ["n", *PCT_COLUMNS, "rank", "total", "tied", "shared"]
# shown: the shares first, beside the name (on a phone the columns after them scroll); "tied" in words
SHOWN_BREAKDOWN = [*PCT_COLUMNS, "n", "rank", "total", "shared"]
SHOWN_JUDGE_TABLE = ["judge", "pct_complete", "rank", "n", "models"]
JUDGE_TABLE = ["judge", "n", "pct_complete", "rank", "models"]
PAGE_SIZE = 10          # responses per page, in both response lists


@dataclass(frozen=True)
class ModelState:
    model: str | None
    judge: str | None
    question_set: str
    verdict: str = COMPLETE      # the responses listed: those whose scored label is this
    page: int = 1                # page of those responses (clamped to the last when computed)
    disagreement_page: int = 1   # page of the responses the judges disagree on

    def query(self) -> dict[str, Any]:
        return {"model": self.model, "judge": self.judge, "set": self.question_set,
                "verdict": None if self.verdict == COMPLETE else self.verdict,
                "page": None if self.page == 1 else self.page,
                "dpage": None if self.disagreement_page == 1 else self.disagreement_page}


def page_number(value: Any) -> int:
    """A page number from the URL or a control: a whole number >= 1, else 1 (clamped later)."""
    try:
        return max(1, int(float(value)))
    except (TypeError, ValueError, OverflowError):
        return 1


def state_from_query(store: Store, params: Mapping[str, str]) -> ModelState:
    """The view's state from URL parameters (or control values); Rejected for an unknown value."""
    models = store.distinct("model")
    return ModelState(chosen(params.get("model"), models, models[0] if models else None, "model"),
                      chosen(params.get("judge"), store.judge_names(), store.default_judge(), "judge"),
                      chosen(params.get("set"), question_set_choices(store), default_question_set(store),
                             "question set"),
                      chosen(params.get("verdict"), list(CANONICAL), COMPLETE, "verdict"),
                      page_number(params.get("page")), page_number(params.get("dpage")))


def message_html(message: str) -> str:
    """A refused call's sentence, in the header's place."""
    return f"<p id='md-message'>{html.escape(message)}</p>"


def with_shared(frame: pd.DataFrame) -> pd.DataFrame:
    """A words column for ties: "N models" (share this rank) when more than one model has it."""
    return frame.assign(shared=[f"{t} models" if t and t > 1 else "" for t in frame["tied"]])


def header_text(header: Mapping[str, Any], honest: Mapping[str, Any], judge: str) -> str:
    """The header as escaped HTML: every value from the data is shown as plain text. The rank is the
    dashboard's (among the models with at least MIN_N answers, `honest`); the shares carry their
    95% Wilson intervals."""
    def e(value: Any) -> str:
        return html.escape(str(value))

    reasoning = {True: "reasoning model", False: "not a reasoning model"}.get(header.get("reasoning"),
                                                                            "reasoning: unknown")
    lab = header.get("lab")
    lab_text = e(header.get("lab_name") or lab or "unknown")
    facts = [f"lab: <a id='md-lab' href='{e(lab_link(lab, judge))}'>{lab_text}</a>" if lab else f"lab: {lab_text}",
             f"released: {e(header.get('release_date') or 'unknown')}", e(reasoning)]
    title = f"<h3 id='md-name'>{e(header['model'])}</h3><p>{' · '.join(facts)}</p>"
    if not header["n"]:
        return title + f"<p>Under {e(judge)}: no response of this model labelled by this judge</p>"
    if honest["ranked"]:
        standing = f"rank {honest['rank']} of {honest['total']}"
        if honest["tied"] and honest["tied"] > 1:
            standing += f" ({honest['tied']} models share this rank)"
    else:
        standing = f"not ranked (n < {MIN_N}: too few answers for a rank)"
    low, high = PCT_INTERVAL["COMPLETE"]
    score = (f"{header['pct_complete']:.1f}% complete (95% interval {honest[low]:.1f}–{honest[high]:.1f}) "
             f"on {header['n']:,} responses, {standing}")
    return title + f"<p id='md-score'>Under {e(judge)}: {e(score)}</p>" + shares_text(header, honest)


def shares_text(header: Mapping[str, Any], honest: Mapping[str, Any]) -> str:
    """Each verdict's share with its symbol and 95% Wilson interval, one line under the bar."""
    parts = [f"{VERDICTS[label][0]} {label.lower()} {header[PCT[label]]:.1f}% "
             f"({honest[PCT_INTERVAL[label][0]]:.1f}–{honest[PCT_INTERVAL[label][1]]:.1f})" for label in SCORED]
    return (f"<p id='md-shares'>Shares of {header['n']:,} responses, with 95% intervals (the whisker on the "
            f"bar below is % complete's): {html.escape(' · '.join(parts))}</p>")


def verdict_chart(header: Mapping[str, Any], honest: Mapping[str, Any]):
    """One stacked bar: the model's share of each label (n in the title), the 95% interval of
    % COMPLETE drawn over its segment (the segment starts at 0, so its interval reads on the axis)."""
    if not header["n"]:
        return None
    data = pd.DataFrame({"label": list(SCORED), "percent": [header[PCT[label]] for label in SCORED],
                         "low": [honest[PCT_INTERVAL[label][0]] for label in SCORED],
                         "high": [honest[PCT_INTERVAL[label][1]] for label in SCORED]})
    data["order"] = range(len(data))
    bar = alt.Chart(data).mark_bar().encode(
        x=alt.X("percent:Q", stack="zero", title="% of responses", scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("label:N", scale=label_scale(list(SCORED)),
                        legend=alt.Legend(orient="bottom", title=None, columns=2)),
        order=alt.Order("order:Q"), tooltip=tips("label:N", alt.Tooltip("percent:Q", format=".1f", title="%"),
                                                 alt.Tooltip("low:Q", format=".1f", title="95% low"),
                                                 alt.Tooltip("high:Q", format=".1f", title="95% high")))
    whisker = alt.Chart(data[data["label"] == "COMPLETE"]).mark_errorbar(ticks=True, color=AXIS_GREY, thickness=2)
    interval = whisker.encode(x=alt.X("low:Q", title="% of responses"), x2=alt.X2("high:Q"))
    return themed(alt.layer(bar, interval).properties(title=f"Verdicts (n = {header['n']:,})"), height=60)


def judge_panel(store: Store, state: ModelState) -> pd.DataFrame:
    """The model's % COMPLETE and rank under every judge, and how many models each judge ranked
    (every model's scores under every judge are kept per store: they do not depend on the model)."""
    scores = remembered(store, "judge_scores", view_key(None, state.question_set, None),
                        lambda: judge_scores(store, state.question_set))
    totals = scores.groupby("judge")["model"].size()
    own = scores[scores["model"] == state.model]
    return own.assign(models=own["judge"].map(totals))[JUDGE_TABLE].reset_index(drop=True)


def judge_chart(panel: pd.DataFrame, chosen_judge: str | None):
    """A dot per judge on one % COMPLETE axis; the chosen judge's dot is larger."""
    if panel.empty:
        return None
    return judge_dots(panel, "pct_complete", "% complete", "Score under each judge", chosen_judge,
                      ["judge:N", "n:Q", alt.Tooltip("pct_complete:Q", format=".1f"), "rank:Q", "models:Q"])


def judge_summary(panel: pd.DataFrame, compared: tuple[str, ...]) -> str:
    """Spread and rank move over the judges the sensitivity tab compares by default (the flag's)."""
    panel = panel[panel["judge"].isin(compared)]
    if len(panel) < 2:
        return "Fewer than two of the compared judges scored this model."
    spread = panel["pct_complete"].max() - panel["pct_complete"].min()
    move = int(panel["rank"].max() - panel["rank"].min())
    flag = spread >= SPREAD_FLAG or move >= RANK_FLAG
    verdict = (f"Flagged {FLAG}: its standing depends on the judge (spread >= {SPREAD_FLAG:g} points or rank "
               f"move >= {RANK_FLAG})." if flag else "Its standing hardly depends on the judge.")
    return (f"Across the {len(panel)} judges compared on the Judge sensitivity tab: spread {spread:.1f} points, "
            f"rank moves by {move} place{'' if move == 1 else 's'}. {verdict}")


def badge(label: str | None) -> str:
    """A verdict as escaped text with its symbol (colour is never the only cue)."""
    if label is None:
        return "not judged"
    symbol = VERDICTS.get(label, (UNKNOWN_SYMBOL,))[0]
    return f"<span class='md-badge'>{html.escape(symbol)} {html.escape(str(label))}</span>"


def answer_html(row: Mapping[str, Any], labels: str = "") -> str:
    """One response: ids and question as escaped text, the answer as the explorer's sanitised markdown."""
    e = lambda value: html.escape(str(value if value is not None else ""))  # noqa: E731
    return (f"<article class='md-answer'><h4>{e(row['question_id'])} · {e(row['theme'])} · {e(row['domain'])}</h4>"
            f"{labels}<p class='md-question'><strong>Question:</strong> {e(row['question'])}</p>"
            f"{safe_markdown_html(row['content'])}</article>")


def page_status(page: ResponsePage, what: str) -> str:
    return f"{page.total:,} {what}; page {page.page} of {page.pages}."


def responses_view(store: Store, state: ModelState) -> dict[str, Any]:
    """One page of the model's responses with the chosen verdict; the verdict choices with counts."""
    counts = verdict_counts(store, state.judge, state.model, state.question_set)
    page = model_responses(store, state.judge, state.model, state.verdict, state.question_set,
                           page=state.page, page_size=PAGE_SIZE)
    items = "".join(answer_html(row) for row in page.items.to_dict("records"))
    return {"page": page.page, "status": page_status(page, f"responses labelled {state.verdict} by {state.judge}"),
            "html": items or "<p>No response of this model has this verdict.</p>",
            "choices": [(f"{label} ({counts[label]:,})", label) for label in CANONICAL]}


def disagreements_view(store: Store, state: ModelState) -> dict[str, Any]:
    """One page of the responses the judges disagree on, each judge's own label above the answer."""
    judges = store.judge_names()
    page = judge_disagreements(store, state.model, judges, state.question_set, page=state.disagreement_page,
                               page_size=PAGE_SIZE)
    items = "".join(
        answer_html(row, "<p class='md-labels'>" + " · ".join(
            f"{html.escape(judge)}: {badge(row[judge])}" for judge in judges) + "</p>")
        for row in page.items.to_dict("records"))
    return {"page": page.page, "status": page_status(page, "responses on which the judges' own labels differ"),
            "html": items or "<p>The judges agree on every response of this model they judged.</p>"}


def model_view(store: Store, state: ModelState) -> dict[str, Any]:
    """Header, verdict bar, per-domain and per-theme tables, and the judge panel of one model."""
    page = model_page(store, state.judge, state.model, state.question_set, min_n=MIN_N)
    panel = judge_panel(store, state)
    header = header_text(page.header, page.honest, state.judge)
    return {"header": header + coverage_html(store, state.judge, state.question_set, "md-coverage"),
            "verdicts": verdict_chart(page.header, page.honest),
            "domain": with_shared(page.domain)[["domain", *BREAKDOWN]],
            "theme": with_shared(page.theme)[["theme", "domain", *BREAKDOWN]],
            "judges": panel, "judge_chart": judge_chart(panel, state.judge),
            "judge_summary": judge_summary(panel, default_judges(store))}


@dataclass
class Pager:
    """A paged list of responses: its page number, previous/next buttons, a count line and the list."""
    page: gr.Number
    previous: gr.Button
    next: gr.Button
    status: gr.Textbox
    items: gr.HTML


def pager(prefix: str) -> Pager:
    with gr.Row():
        previous = gr.Button("← Previous", size="sm", elem_id=f"{prefix}-prev")
        page = gr.Number(value=1, precision=0, minimum=1, label="Page", elem_id=f"{prefix}-page", scale=0,
                         min_width=100)
        following = gr.Button("Next →", size="sm", elem_id=f"{prefix}-next")
    status = gr.Textbox(show_label=False, interactive=False, container=False, elem_id=f"{prefix}-status")
    items = gr.HTML(elem_id=f"{prefix}-items", max_height=800, container=True, padding=True)
    return Pager(page, previous, following, status, items)


def build(blocks: gr.Blocks, context: AppContext) -> None:
    store = context.store
    if not store.judge_names():
        gr.Markdown("This data has no judgements yet.")
        return
    with gr.Row():
        model = gr.Dropdown(store.distinct("model"), label="Model", elem_id="md-model", scale=2)
        judge = gr.Dropdown(store.judge_names(), label="Judge", elem_id="md-judge")
        question_set = gr.Dropdown(question_set_choices(store), label="Question set", elem_id="md-set")
    url_bar = UrlBar("md")
    header = gr.HTML(elem_id="md-header")
    verdicts = gr.Plot(label="Verdicts", show_label=False, elem_id="md-verdicts")
    gr.Markdown(f"### Judge panel\nA judge that labelled fewer than {MIN_N} of the model's responses gives it "
                "no rank (–).")
    judge_summary = gr.Textbox(show_label=False, interactive=False, container=False, elem_id="md-judge-summary")
    judge_plot = gr.Plot(label="Score under each judge", show_label=False, elem_id="md-judge-chart")
    judges_table, judges_csv = table("Rank under each judge", "md-judges")
    domain_table, domain_csv = table("Per-domain scores and ranks (click one for the domain)", "md-domains")
    theme_table, theme_csv = table("Per-theme scores and ranks (click one for its grid)", "md-themes")
    gr.Markdown("### Responses by verdict")
    verdict = gr.Radio(list(CANONICAL), value=COMPLETE, label="Responses labelled", elem_id="md-verdict")
    answers = pager("md-answers")
    gr.Markdown("### Where the judges disagree about this model")
    disputed = pager("md-disputed")
    wire(blocks, store, [model, judge, question_set, verdict, answers.page, disputed.page], url_bar.query,
         [header, verdicts, judge_summary, judge_plot, judges_table, domain_table, theme_table], answers, disputed)
    for key, prefix, download in (("judges", "judges", judges_csv), ("domain", "domains", domain_csv),
                                  ("theme", "themes", theme_csv)):
        offer_csv(download, f"model_csv_{key}", frame_of(store, key, prefix), [model, judge, question_set])
    follow_link(domain_table, lambda j, row: domain_link(row[0], j, None) if row else None, judge)
    follow_link(theme_table, lambda j, row: theme_link(row[0], j) if row else None, judge)


def frame_of(store: Store, key: str, prefix: str):
    """A CSV download's (table, file name) from the control values."""
    def frame(m: str, j: str, s: str) -> tuple[pd.DataFrame, str]:
        state = state_from_query(store, {"model": m, "judge": j, "set": s})
        return model_view(store, state)[key], f"{prefix}_{state.model}_{state.judge}_{state.question_set}"
    return frame


def wire(blocks: gr.Blocks, store: Store, controls: list, query: gr.Textbox, panels: list, answers: Pager,
         disputed: Pager) -> None:
    """The events: the URL and the model/judge/set controls recompute everything (pages back to 1);
    the verdict and the pagers recompute only their list. Inputs: model, judge, set, verdict, page, dpage."""
    model, judge, question_set, verdict = controls[:4]
    answer_outputs = [verdict, answers.page, answers.status, answers.items]
    dispute_outputs = [disputed.page, disputed.status, disputed.items]
    outputs = [model, judge, question_set, query, *panels, *answer_outputs, *dispute_outputs]
    refused = refusal(len(outputs), outputs.index(panels[0]), message_html)

    def state_of(m, j, s, v, page, dpage) -> ModelState:
        return state_from_query(store, {"model": m, "judge": j, "set": s, "verdict": v, "page": page, "dpage": dpage})

    def answer_part(state: ModelState) -> tuple[ModelState, list]:
        shown = responses_view(store, state)
        state = dataclasses.replace(state, page=shown["page"])
        return state, [gr.Radio(choices=shown["choices"], value=state.verdict), shown["page"], shown["status"],
                       shown["html"]]

    def dispute_part(state: ModelState) -> tuple[ModelState, list]:
        shown = disagreements_view(store, state)
        state = dataclasses.replace(state, disagreement_page=shown["page"])
        return state, [shown["page"], shown["status"], shown["html"]]

    def compute(state: ModelState) -> list[Any]:
        view = model_view(store, state)
        state, answer_values = answer_part(state)
        state, dispute_values = dispute_part(state)
        return [state.model, state.judge, state.question_set, view_query(TAB, state.query()), view["header"],
                view["verdicts"], view["judge_summary"], view["judge_chart"],
                table_value(unranked_below_min_n(view["judges"]), SHOWN_JUDGE_TABLE),
                table_value(view["domain"], ["domain", *SHOWN_BREAKDOWN]),
                table_value(view["theme"], ["theme", *SHOWN_BREAKDOWN, "domain"]), *answer_values, *dispute_values]

    @guarded("model_change", refused)
    def on_change(m, j, s, v, page, dpage):
        return compute(dataclasses.replace(state_of(m, j, s, v, page, dpage), page=1, disagreement_page=1))

    def on_answers(step: int | None):
        @guarded("model_answers", lambda message: [gr.skip()] * 5)
        def handler(m, j, s, v, page, dpage):
            state = state_of(m, j, s, v, page, dpage)
            state, values = answer_part(dataclasses.replace(state, page=1 if step is None else max(1, state.page + step)))
            return [view_query(TAB, state.query()), *values]
        return handler

    def on_disputes(step: int):
        @guarded("model_disputes", lambda message: [gr.skip()] * 4)
        def handler(m, j, s, v, page, dpage):
            state = state_of(m, j, s, v, page, dpage)
            state, values = dispute_part(dataclasses.replace(
                state, disagreement_page=max(1, state.disagreement_page + step)))
            return [view_query(TAB, state.query()), *values]
        return handler

    on_url(blocks, "model_load", lambda params, request: compute(state_from_query(store, params)), outputs, refused)
    for control in controls[:3]:
        control.input(on_change, controls, outputs)
    verdict.input(on_answers(None), controls, [query, *answer_outputs])
    for pages, handler, targets in ((answers, on_answers, answer_outputs), (disputed, on_disputes, dispute_outputs)):
        pages.previous.click(handler(-1), controls, [query, *targets])
        pages.next.click(handler(1), controls, [query, *targets])
        pages.page.submit(handler(0), controls, [query, *targets])
