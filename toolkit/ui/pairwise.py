"""The "Pairwise judge" tab: which of two responses is better, by the local judge model, live.

The judge (toolkit.judge.live) loads on first use; judging runs one request at a time
(concurrency 1, a visible queue position) so the rest of the app stays responsive. The functions
that draw the result are plain (tested without a server); `build` only wires them.

State in the URL (toolkit.ui.url_state), never the verdict: either two responses of the data,
?tab=pairwise&response_a=ID[&response_b=ID] (the question becomes the instruction, and Response 2 is
another model's answer to it: the one named, else the first; the Judge explorer links here), or the
typed texts, &instruction=..&text_1=..&text_2=.., each at most URL_TEXT_LIMIT characters: a longer
text is left out of the link, and a note under the link says so.
"""
from __future__ import annotations

import html
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import gradio as gr
import pandas as pd

from toolkit.judge import Judge, JudgeError, Judgement, LOW_MASS, Pair
from toolkit.judge.live import LiveJudge, LiveSettings, append_log, input_problem, live_settings, truncation_notes
from toolkit.query.answers import answer, other_answers
from toolkit.storage.store import Store

from . import texts
from .common import guarded, plain, query_params
from .context import AppContext
from .url_state import UrlBar, view_query

try:  # ZeroGPU on a HuggingFace Space: the GPU is attached only inside @spaces.GPU functions
    import spaces
except ImportError:
    spaces = None

COLOR_1, COLOR_2 = "#2563eb", "#f59e0b"
CSS = f"""
<style>
#pw-result .pw-big {{font-size: 3rem; font-weight: 700; line-height: 1.1}}
#pw-result .pw-bar {{display: flex; height: 14px; border-radius: 7px; overflow: hidden; margin: .4rem 0 .8rem}}
#pw-result .pw-bar-1 {{background: {COLOR_1}}} #pw-result .pw-bar-2 {{background: {COLOR_2}}}
#pw-result .pw-passes {{display: flex; gap: 1rem; flex-wrap: wrap}}
#pw-result .pw-pass {{flex: 1 1 16rem; border: 1px solid #8a8f9855; border-radius: 8px; padding: .6rem .8rem}}
#pw-result .pw-warn {{border-left: 4px solid #fca716; padding: .2rem .6rem; margin: .4rem 0}}
#pw-result .pw-meta {{opacity: .75; font-size: .9rem; margin-top: .6rem}}
</style>
"""

EXAMPLES = [
    ["Write a haiku about the first frost of autumn.",
     "Silver on the grass—\nthe garden holds its breath where\nlast night's roses were.",
     "Autumn is cold. Autumn is cold and frosty. The frost is cold in autumn, very cold and frosty."],
    ["Explain to a ten-year-old why the Moon has phases.",
     "The Moon doesn't make its own light: the Sun lights half of it. As the Moon goes around the Earth "
     "over about a month, we see different amounts of that sunny half, from a thin sliver to a full circle.",
     "Lunar phases result from the changing elongation of the Moon relative to the Sun as observed from a "
     "geocentric frame, modulating the illuminated fraction of the visible hemisphere."],
    ["Write the opening line of a mystery novel set in a lighthouse.",
     "It was a dark and stormy night, and the lighthouse was dark and there was a storm.",
     "The lamp at Gull Point had burned every night for ninety years, which is why the keeper's widow "
     "knew something was wrong the moment the sea went black."],
]


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def is_uncertain(judgement: Judgement) -> bool:
    """The two orders disagree, or in a pass A and B hold little of the next-token mass: the averaged
    probability says little, so no winner is named."""
    return judgement.consistent is False or min(judgement.pass1_mass, judgement.pass2_mass) < LOW_MASS


def verdict_line(judgement: Judgement) -> str:
    if not judgement.valid:
        return "No verdict"
    if is_uncertain(judgement):
        return (f"{texts.PAIRWISE_UNCERTAIN}: the two orders disagree or the judge barely chose A or B, "
                "so neither response is named better")
    return {"text_1": "Response 1 is better", "text_2": "Response 2 is better"}.get(
        judgement.verdict, "No preference (exactly 0.5)")


def consistency_line(judgement: Judgement) -> str:
    """Whether the two passes agree; when they do not, each pass preferred whatever sat in one position."""
    if judgement.consistent is None:
        return "Position consistency: n/a (no valid verdict)."
    if judgement.consistent:
        winner = "Response 1" if judgement.pass1_p_a > 0.5 else "Response 2"
        return f"Position-consistent: both orders prefer {winner}."
    favoured = "A" if judgement.pass1_p_a >= 0.5 else "B"
    return (f"Not position-consistent: each order prefers the response shown as {favoured} "
            "(position bias), so the averaged probability is weak evidence.")


def warnings_for(judgement: Judgement, notes: list[str]) -> list[str]:
    """Low A/B mass per pass, truncation notices, a backend error or a missing token."""
    found = []
    if judgement.error:
        found.append(f"The judge failed: {judgement.error}")
    elif not judgement.valid:
        found.append("Neither A nor B was among the tokens the backend returned in one pass: no verdict "
                     "(recorded as invalid, not as 0.5).")
    for number, mass in ((1, judgement.pass1_mass), (2, judgement.pass2_mass)):
        if judgement.error is None and mass < LOW_MASS:
            found.append(f"Low A/B mass in pass {number}: A and B hold only {_pct(mass)} of the next-token "
                         "probability, so the model wanted to write something else and its choice says little.")
    return found + notes


def pass_card(title: str, subtitle: str, p_a: float | None, p_b: float | None, mass: float,
              p_text1: float | None) -> str:
    return (f"<div class='pw-pass'><b>{title}</b><br><small>{subtitle}</small><br>"
            f"P(A) = {_pct(p_a)} · P(B) = {_pct(p_b)}<br>A/B mass: {_pct(mass)}<br>"
            f"P(Response 1 better) in this order: <b>{_pct(p_text1)}</b></div>")


def result_html(judgement: Judgement, notes: list[str], load_seconds: float | None = None) -> str:
    """The result: big P(Response 1 better) with a bar, both passes, consistency, warnings, provenance."""
    p = judgement.p_text1_better
    big = "—" if p is None else f"{p:.2f}"
    share = 50.0 if p is None else 100 * p
    bar = (f"<div class='pw-bar' title='Response 1 {share:.1f}% | Response 2 {100 - share:.1f}%'>"
           f"<div class='pw-bar-1' style='width:{share:.1f}%'></div>"
           f"<div class='pw-bar-2' style='width:{100 - share:.1f}%'></div></div>")
    passes = (
        "<div class='pw-passes'>"
        + pass_card("Pass 1", "Response 1 shown as A", judgement.pass1_p_a, judgement.pass1_p_b,
                    judgement.pass1_mass, judgement.pass1_p_a)
        + pass_card("Pass 2", "Response 1 shown as B", judgement.pass2_p_a, judgement.pass2_p_b,
                    judgement.pass2_mass, judgement.pass2_p_b)
        + "</div>")
    warnings = "".join(f"<div class='pw-warn'>⚠ {html.escape(w)}</div>" for w in warnings_for(judgement, notes))
    loaded = f" (+ {load_seconds:.1f} s to load the model)" if load_seconds else ""
    meta = (f"<div class='pw-meta'>Model <code>{html.escape(judgement.model)}</code> · backend "
            f"{html.escape(judgement.backend)} · device {html.escape(str(judgement.device))} · "
            f"template {html.escape(judgement.template_hash)} · {judgement.latency_s:.2f} s for both orders{loaded}</div>")
    exact = "" if p is None else f" data-p='{p!r}'"
    return (f"<div><div>P(Response 1 better)</div><div class='pw-big' id='pw-p'{exact}>{big}</div>"
            f"<div id='pw-verdict'><b>{verdict_line(judgement)}</b></div>{bar}"
            f"<p id='pw-consistency'>{html.escape(consistency_line(judgement))}</p>{passes}{warnings}{meta}</div>")


def load_failure_markdown(message: str) -> str:
    return (f"**The judge model could not be loaded.** {message[:1].upper()}{message[1:]}\n\n"
            "The rest of the dashboard works without it. Restart the app with `JUDGE_MODEL` set to a local "
            "folder that holds the model, e.g. `JUDGE_MODEL=/models/Qwen3.5-4B-Creative-Writing-Judge make run`.")


def model_name(model: str) -> str:
    """How the judge model is named to visitors: a Hub id as it is, a local folder by its last part
    (never a server path)."""
    return Path(model).name if ("/" in model and Path(model).expanduser().exists()) or model.startswith(("/", "~", ".")) \
        else model


def model_status(settings: LiveSettings, live: LiveJudge, failed: bool = False) -> str:
    """Markdown: loaded / can be loaded / not available (and how to set JUDGE_MODEL), before any typing."""
    name = plain(model_name(settings.model))
    if live.loaded:
        return f"**Judge model {name}: loaded.**"
    if failed:
        return f"**Judge model {name}: not available.** {texts.PAIRWISE_HOW_TO_SET}"
    if settings.backend == "http":
        return f"**Judge model {name}**: served by the configured endpoint; contacted on first use."
    if Path(settings.model).expanduser().is_dir() or _in_hub_cache(settings.model):
        return f"**Judge model {name}: can be loaded** (on first use, which takes a while)."
    if _offline():
        return f"**Judge model {name}: not available** (not on this server, and the Hub is off). {texts.PAIRWISE_HOW_TO_SET}"
    return f"**Judge model {name}: can be loaded** from the Hub on first use (a download first). {texts.PAIRWISE_HOW_TO_SET}"


def _in_hub_cache(model: str) -> bool:
    try:
        from huggingface_hub import try_to_load_from_cache

        return isinstance(try_to_load_from_cache(model, "config.json"), str)
    except Exception:  # not a repo id, or no cache
        return False


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def _judge_pair(judge: Judge, pair: Pair) -> Judgement:
    return judge.judge([pair])[0]


judge_pair = spaces.GPU(duration=60)(_judge_pair) if spaces is not None else _judge_pair


TAB = "pairwise"
URL_TEXT_LIMIT = 2_000   # characters of each text that a link may hold; a longer text is left out
TEXT_FIELDS = (("instruction", "The instruction"), ("text_1", "Response 1"), ("text_2", "Response 2"))


@dataclass(frozen=True)
class PairwiseState:
    """The texts shown, and the responses of the data they came from (None once a text is typed)."""
    instruction: str = ""
    text_1: str = ""
    text_2: str = ""
    response_a: str | None = None
    response_b: str | None = None
    note: str = ""                 # why a link could not be followed, in words

    def too_long(self) -> list[str]:
        """The texts a link cannot hold, by their names on the page."""
        return [name for key, name in TEXT_FIELDS if len(getattr(self, key)) > URL_TEXT_LIMIT]

    def query(self) -> dict[str, Any]:
        if self.response_a:
            return {"response_a": self.response_a, "response_b": self.response_b}
        return {key: getattr(self, key) for key, _ in TEXT_FIELDS if len(getattr(self, key)) <= URL_TEXT_LIMIT}

    def link_note(self) -> str:
        """A plain sentence under the link when a text is too long for it, else ""."""
        names = self.too_long()
        if self.response_a or not names:
            return ""
        which = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
        return (f"{which} {'is' if len(names) == 1 else 'are'} longer than {URL_TEXT_LIMIT:,} characters, so "
                "the link to this view leaves {0} out.".format("it" if len(names) == 1 else "them"))


def state_from_query(store: Store | None, params: Mapping[str, str]) -> PairwiseState:
    """The texts of a link: two responses of the data (`response_a`, `response_b`), else typed texts
    (each cut to URL_TEXT_LIMIT characters, as no link made here is longer)."""
    if params.get("response_a") and store is not None:
        return responses_state(store, params["response_a"], params.get("response_b"))
    return PairwiseState(*(str(params.get(key) or "")[:URL_TEXT_LIMIT] for key, _ in TEXT_FIELDS))


def responses_state(store: Store, response_a: str, response_b: str | None) -> PairwiseState:
    """The question of `response_a` as the instruction, its text as Response 1, and as Response 2
    `response_b` when it answers the same question, else the first other model's answer."""
    first = answer(store, response_a)
    if first is None:
        return PairwiseState(note="This link names a response that is not in this data.")
    others = other_answers(store, first.response_id)
    if others.empty:
        return PairwiseState(first.question, first.content, "", first.response_id, None,
                             "No other model answered this question in this data: paste a Response 2.")
    chosen = response_b if response_b in set(others["response_id"]) else others["response_id"].iat[0]
    second = answer(store, chosen)
    return PairwiseState(first.question, first.content, second.content, first.response_id, second.response_id)


def source_line(store: Store | None, state: PairwiseState) -> str:
    """Where the texts come from, as plain markdown ("" for typed texts)."""
    if not state.response_a or store is None:
        return plain(state.note) if state.note else ""
    first = answer(store, state.response_a)
    line = f"Response 1: the answer of {plain(first.model)} (response {plain(first.response_id)}) to the question above"
    if state.response_b:
        line += f"; Response 2: the answer of {plain(answer(store, state.response_b).model)}"
    return line + (f". {plain(state.note)}" if state.note else ".")


def other_choices(store: Store | None, state: PairwiseState) -> gr.Dropdown:
    """The chooser of Response 2 among the other models' answers (hidden for typed texts)."""
    if not state.response_a or store is None:
        return gr.Dropdown(choices=[], value=None, visible=False)
    others: pd.DataFrame = other_answers(store, state.response_a)
    return gr.Dropdown(choices=list(zip(others["model"], others["response_id"])), value=state.response_b,
                       visible=not others.empty)


@dataclass
class PairwiseUI:
    model_line: gr.Markdown
    instruction: gr.Textbox
    response_1: gr.Textbox
    response_2: gr.Textbox
    other: gr.Dropdown
    source: gr.Markdown
    judge_button: gr.Button
    swap_button: gr.Button
    status: gr.Markdown
    result: gr.HTML
    url_bar: UrlBar
    link_note: gr.Markdown
    judged: gr.State
    ids: gr.State             # (response_a, response_b) while the texts are the data's, else (None, None)

    @property
    def texts(self) -> list[gr.Textbox]:
        return [self.instruction, self.response_1, self.response_2]


def layout(settings: LiveSettings, live: LiveJudge) -> PairwiseUI:
    gr.HTML(CSS, padding=False)
    gr.Markdown(f"{texts.PAIRWISE_INTRO} Responses longer than {settings.max_chars:,} characters are truncated.",
                elem_id="pw-intro")
    model_line = gr.Markdown(model_status(settings, live), elem_id="pw-model-status")
    instruction = gr.Textbox(label="Instruction", lines=2, elem_id="pw-instruction",
                             placeholder="The request both responses answer")
    source = gr.Markdown(elem_id="pw-source")
    other = gr.Dropdown([], label="Response 2: another model's answer to this question", visible=False,
                        elem_id="pw-other")
    with gr.Row():
        response_1 = gr.Textbox(label="Response 1", lines=8, elem_id="pw-response-1", min_width=300)
        response_2 = gr.Textbox(label="Response 2", lines=8, elem_id="pw-response-2", min_width=300)
    with gr.Row():
        judge_button = gr.Button("Judge", variant="primary", elem_id="pw-judge")
        swap_button = gr.Button("Swap responses", elem_id="pw-swap")
    status = gr.Markdown(elem_id="pw-status")
    result = gr.HTML(elem_id="pw-result", padding=False)
    url_bar = UrlBar("pw")
    link_note = gr.Markdown(elem_id="pw-link-note")
    gr.Examples(EXAMPLES, [instruction, response_1, response_2], label="Example pairs", cache_examples=False)
    return PairwiseUI(model_line, instruction, response_1, response_2, other, source, judge_button, swap_button,
                      status, result, url_bar, link_note, gr.State(False), gr.State((None, None)))


def url_values(state: PairwiseState) -> list[str]:
    """The URL state box and the note under the link."""
    return [view_query(TAB, state.query()), plain(state.link_note())]


def build(blocks: gr.Blocks, context: AppContext) -> None:
    settings = live_settings(context.settings)
    live = LiveJudge(settings)
    ui = layout(settings, live)
    _wire_judge(ui, settings, live)
    _wire_state(blocks, ui, context.store)


def _wire_judge(ui: PairwiseUI, settings: LiveSettings, live: LiveJudge) -> None:
    """Judge, swap (and judge again), the model's status line."""
    load_failed: list[bool] = []  # LiveJudge remembers a failed load; so does the status line

    def run(instruction_text: str, text_1: str, text_2: str, progress=gr.Progress()):
        problem = input_problem(instruction_text, text_1, text_2)
        if problem:
            return problem, "", False
        first_use = not live.loaded
        if first_use:
            progress(0.05, desc="Loading the judge model (first use)…")
        try:
            judge = live.get()
        except JudgeError as error:
            load_failed.append(True)
            return load_failure_markdown(str(error).replace(settings.model, model_name(settings.model))), "", False
        progress(0.5, desc="Judging both orders…")
        pair = Pair(instruction_text, text_1, text_2)
        judgement = judge_pair(judge, pair)
        if settings.log_path is not None:
            append_log(settings.log_path, pair, judgement)
        notes = truncation_notes(judgement, text_1, text_2, settings.max_chars)
        return "", result_html(judgement, notes, live.load_seconds if first_use else None), True

    def rejudge(instruction_text: str, text_1: str, text_2: str, had_result: bool, progress=gr.Progress()):
        """After a swap, judge again if there was a result (its P should become 1 - P)."""
        if not had_result:
            return gr.skip(), gr.skip(), gr.skip()
        return run(instruction_text, text_1, text_2, progress)

    outputs = [ui.status, ui.result, ui.judged]
    ui.judge_button.click(run, ui.texts, outputs, api_name="judge_pair", concurrency_limit=1,
                          concurrency_id="pairwise-judge", trigger_mode="once", show_progress="full").then(
        lambda: model_status(settings, live, bool(load_failed)), None, ui.model_line, queue=False,
        api_visibility="private")
    ui.swap_button.click(swap, [*ui.texts, ui.judged, ui.ids],
                         [ui.response_1, ui.response_2, ui.result, ui.ids, ui.other, ui.url_bar.query, ui.link_note],
                         queue=False, api_visibility="private").then(
        rejudge, [*ui.texts, ui.judged], outputs, concurrency_limit=1, concurrency_id="pairwise-judge",
        show_progress="full", api_visibility="private")


def swap(instruction_text: str, text_1: str, text_2: str, had_result: bool, ids: tuple):
    """Trade the two responses; a shown result no longer matches them, so it goes. Responses of the
    data trade their ids too (the chooser of Response 2 no longer applies, so it hides)."""
    a, b = ids or (None, None)
    state = PairwiseState(instruction_text or "", text_2 or "", text_1 or "", *((b, a) if a and b else (None, None)))
    return (text_2, text_1, "" if had_result else gr.skip(), (state.response_a, state.response_b),
            gr.Dropdown(visible=False), *url_values(state))


def _wire_state(blocks: gr.Blocks, ui: PairwiseUI, store: Store | None) -> None:
    """The texts from the URL on load; the URL from the texts as they change; a typed text or another
    chosen answer clears the old verdict."""
    shown = [*ui.texts, ui.other, ui.source, ui.ids, ui.url_bar.query, ui.link_note]

    def values(state: PairwiseState) -> list[Any]:
        return [state.instruction, state.text_1, state.text_2, other_choices(store, state),
                source_line(store, state), (state.response_a, state.response_b), *url_values(state)]

    @guarded("pairwise_load", lambda message: [gr.skip()] * (len(shown) - 2) + ["", ""])
    def load(request: gr.Request):
        return values(state_from_query(store, query_params(request)))

    @guarded("pairwise_typed", lambda message: [gr.skip()] * 8)
    def typed(instruction_text: str, text_1: str, text_2: str):
        """A text changed: the verdict is about other texts, and the link now holds the texts."""
        state = PairwiseState(instruction_text or "", text_1 or "", text_2 or "")
        return ["", "", False, (None, None), "", gr.Dropdown(visible=False), *url_values(state)]

    @guarded("pairwise_other", lambda message: [gr.skip()] * len(shown) + [gr.skip()] * 3)
    def chose(response_b: str, ids: tuple):
        state = responses_state(store, (ids or (None,))[0], response_b) if store and ids and ids[0] else None
        return [*(values(state) if state else [gr.skip()] * len(shown)), "", "", False]

    blocks.load(load, None, shown, api_visibility="private")
    cleared = [ui.status, ui.result, ui.judged, ui.ids, ui.source, ui.other, ui.url_bar.query, ui.link_note]
    for box in ui.texts:
        box.input(typed, ui.texts, cleared, queue=False, api_visibility="private")
    ui.other.input(chose, [ui.other, ui.ids], [*shown, ui.status, ui.result, ui.judged], queue=False,
                   api_visibility="private")
