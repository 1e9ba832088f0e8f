"""The Elo tab: leaderboard with intervals, head-to-head chances, separability and bias panels.

The view is computed from a matches table (toolkit.arena.summary) by `elo_view`, a pure function
tested without a server; `build` only wires it to components. URL state: elo_matches (source),
elo_ci (prompts | matches), elo_top (heatmap size).
"""
from __future__ import annotations

import functools
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import altair as alt
import gradio as gr
import numpy as np
import pandas as pd

from ..arena.demo import ensure_demo_matches
from ..arena.ratings import win_probability
from ..arena.matches_source import MatchesPolicy, MatchesSourceError, read_matches
from ..arena.summary import summarise
from .charts import themed
from .columns import table_value
from .common import csv_file, download_js, guarded, plain, query_params
from . import texts
from .context import AppContext
from .url_state import UrlBar, view_query

TAB = "elo"
DEMO = "demo"
CONFIGURED = "configured"  # the operator's --matches / SPEECHMAP_MATCHES, by a name that is no path
CI_CHOICES = ["prompts", "matches"]
DEFAULT_TOP = 12
MIN_CELL_WIDTH = 30     # px a heatmap cell needs to show its two-decimal number
TABLE_COLUMNS = ["rank", "rank_range", "model", "elo", "plus_minus", "lower", "upper", "games", "win_rate"]
# Shown: the scores beside the model (a phone sees them without scrolling), then the details.
SHOWN_COLUMNS = ["rank", "model", "elo", "plus_minus", "rank_range", "lower", "upper", "games", "win_rate"]


@dataclass
class EloState:
    source: str = DEMO
    ci_over: str = "prompts"
    top: int = DEFAULT_TOP

    def query(self) -> dict[str, Any]:
        return {"elo_matches": self.source, "elo_ci": self.ci_over, "elo_top": self.top}


def state_from_query(params: Mapping[str, str], default_source: str = DEMO) -> EloState:
    """The state a URL asks for; unknown or malformed values fall back to the defaults."""
    ci = params.get("elo_ci", "prompts")
    try:
        top = int(params.get("elo_top", DEFAULT_TOP))
    except ValueError:
        top = DEFAULT_TOP
    return EloState(source=params.get("elo_matches") or default_source,
                    ci_over=ci if ci in CI_CHOICES else "prompts", top=min(max(top, 2), 30))


def demo_cache_dir(context: AppContext) -> Path:
    """Where the demo matches are made: next to the data folder (elo-demo/), else a temp folder."""
    candidate = Path(context.data_dir).parent / "elo-demo"
    try:
        candidate.mkdir(parents=True, exist_ok=True)
        probe = candidate / ".write-test"
        probe.write_text("")
        probe.unlink()
        return candidate
    except OSError:
        return Path(tempfile.gettempdir()) / "speechmap-elo-demo"


@functools.lru_cache(maxsize=8)
def _summary(path: str, modified: float, ci_over: str) -> dict:
    return summarise(read_matches(path), over=ci_over, n_boot=500)


def load_summary(source: str, ci_over: str, demo_dir: Path, policy: MatchesPolicy) -> tuple[dict, Path]:
    """(summary, matches path) for 'demo' or a source the policy allows; MatchesSourceError else."""
    path = ensure_demo_matches(demo_dir) if source.strip() in ("", DEMO) else policy.resolve(source)
    try:
        return _summary(str(path), path.stat().st_mtime, ci_over), path
    except MatchesSourceError:
        raise
    except ValueError as error:  # e.g. fewer than two models
        raise MatchesSourceError(f"{path.name}: {error}") from None


def leaderboard_table(leaderboard: pd.DataFrame) -> pd.DataFrame:
    """The displayed leaderboard: numbers rounded, numeric columns kept numeric."""
    table = leaderboard[TABLE_COLUMNS].copy()
    for column in ("elo", "plus_minus", "lower", "upper"):
        table[column] = table[column].round(1)
    table["win_rate"] = table["win_rate"].round(3)
    return table


def elo_chart(leaderboard: pd.DataFrame) -> alt.Chart:
    """Elo of every model with its 95% interval, best at the top."""
    data = leaderboard[["model", "elo", "lower", "upper", "plus_minus", "rank_range"]].copy()
    order = data["model"].tolist()
    y = alt.Y("model:N", sort=order, title=None, axis=alt.Axis(labelLimit=160))
    rules = alt.Chart(data).mark_rule(color="#6366f1", strokeWidth=2).encode(
        y=y, x=alt.X("lower:Q", title="Elo (95% interval)", scale=alt.Scale(zero=False)),
        x2="upper:Q")
    points = alt.Chart(data).mark_point(filled=True, size=60, color="#f59e0b").encode(
        y=y, x="elo:Q",
        tooltip=["model:N", alt.Tooltip("elo:Q", format=".1f"), alt.Tooltip("plus_minus:Q", format=".1f", title="±"),
                 alt.Tooltip("rank_range:N", title="rank")])
    # Container width: app.py's CSS gives vega-embed the width a layered chart needs in gr.Plot.
    return themed(rules + points, height=max(220, 18 * len(data)))


def heatmap_chart(leaderboard: pd.DataFrame, top: int = DEFAULT_TOP) -> alt.Chart:
    """P(row model beats column model) = 1 / (1 + 10^((R_col - R_row)/400)) for the top models."""
    best = leaderboard.head(top)
    models = best["model"].tolist()
    chance = win_probability(best["elo"].to_numpy())
    rows, cols = np.meshgrid(np.arange(len(models)), np.arange(len(models)), indexing="ij")
    data = pd.DataFrame({"model": np.asarray(models)[rows.ravel()], "opponent": np.asarray(models)[cols.ravel()],
                         "p": chance.ravel()})
    data = data[data["model"] != data["opponent"]]
    base = alt.Chart(data).encode(
        x=alt.X("opponent:N", sort=models, title="opponent", axis=alt.Axis(labelAngle=-40, labelLimit=140)),
        y=alt.Y("model:N", sort=models, title=None, axis=alt.Axis(labelLimit=140)))
    cells = base.mark_rect().encode(
        color=alt.Color("p:Q", scale=alt.Scale(scheme="redblue", domain=[0, 1]), title="P(win)",
                        legend=alt.Legend(orient="bottom", gradientLength=160)),
        tooltip=["model:N", "opponent:N", alt.Tooltip("p:Q", format=".2f", title="P(model wins)")])
    # Cell colours are the same in both themes, so the text colour follows the cell, not the page.
    # The numbers only where a cell is wide enough for them (`width`: the chart's, e.g. on a phone).
    text = base.mark_text(fontSize=11).encode(
        text=alt.Text("p:Q", format=".2f"),
        opacity=alt.condition(f"width >= {MIN_CELL_WIDTH * len(models)}", alt.value(1), alt.value(0)),
        color=alt.condition("datum.p > 0.8 || datum.p < 0.2", alt.value("white"), alt.value("#111827")))
    return themed(cells + text, height=max(200, 26 * len(models)))


def _number(value: Any, digits: int = 3) -> str:
    return "n/a" if value is None or (isinstance(value, float) and not np.isfinite(value)) else f"{value:.{digits}f}"


def panel_texts(summary: dict) -> dict[str, str]:
    """Markdown for the four panels, each with a one-line explanation."""
    texts = {}
    for option, title, what in (
            ("option_a", "Option A: per-prompt tournaments",
             "one Elo per model and prompt (5-round Swiss per prompt)"),
            ("option_b", "Option B: bootstrap tournaments",
             "one Elo per model and prompt resample (global Swiss each)")):
        sep = summary.get(option)
        if not sep:
            texts[option] = f"**{title}**\n\nNot in this matches file."
            continue
        texts[option] = (
            f"**{title}**\n\nSeparability score **{_number(sep['score'], 1)}** · ω² {_number(sep['omega_squared'])} · "
            f"Cliff's δ {_number(sep['cliffs_delta'])} ({sep['pairs']} pairs) · mean sd {_number(sep['mean_sd'], 1)} Elo\n\n"
            f"*How well the judge tells models apart over {what}: ω² is the share of rating variance "
            f"explained by the model, δ how often one model's ratings beat another's; "
            f"score = (ω²/2 + |δ|/2) / 0.75 × 100.*")
    position = summary.get("position_bias")
    texts["position"] = ("**Position bias**\n\nNo single-pass probabilities in this file." if not position else
                         f"**Position bias**\n\nPosition A preferred in **{_number(100 * position['share_position_a'], 1)}%** "
                         f"of {position['passes']:,} single passes · mean P(A) {_number(position['mean_p_a'])} · "
                         f"both orders agree on {_number(100 * position['consistency'], 1)}% of pairs\n\n"
                         f"*Every pair is judged in both orders, so an unbiased judge prefers A half the time.*")
    length = summary.get("length_bias")
    if not length:
        texts["length"] = "**Length bias**\n\nNo text lengths in this file."
    else:
        reference = length.get("reference_win_rate_longer")
        versus = (f" (the reference scores prefer it {_number(100 * reference, 1)}%)" if reference is not None else "")
        texts["length"] = (f"**Length bias**\n\nThe longer text wins **{_number(100 * length['win_rate_longer'], 1)}%** "
                           f"of {length['comparisons']:,} comparisons{versus} · mean margin "
                           f"{_number(length['margin'])}\n\n*Above 50% the judge favours longer texts; compare "
                           f"with the reference to tell verbosity bias from longer texts being better.*")
    return texts


def status_text(summary: dict, source: str) -> str:
    """Counts and where the matches came from, in words (the source as typed, never a server path)."""
    counts = summary["counts"]
    where = "demo matches (generated texts, reference judge with a simulated position bias)" \
        if source.strip() in ("", DEMO) else plain(source)
    return (f"{counts['models']:,} models · {counts['prompts']:,} prompts · {counts['matches']:,} games "
            f"({counts['distinct_comparisons']:,} distinct comparisons) · from {where}")


@dataclass
class EloView:
    status: str
    table: pd.DataFrame | None
    elo_chart: alt.Chart | None
    heatmap: alt.Chart | None
    panels: dict[str, str]
    csv_name: str


def failed_view(message: str) -> EloView:
    """A view that only says, in plain text, why there is nothing to show."""
    empty = {key: "" for key in ("option_a", "option_b", "position", "length")}
    return EloView(f"⚠️ {plain(message)}", None, None, None, empty, "elo")


def elo_view(state: EloState, demo_dir: Path, policy: MatchesPolicy = MatchesPolicy()) -> EloView:
    """Everything the tab shows for a state; a refused or unreadable source gives a message."""
    try:
        summary, path = load_summary(state.source, state.ci_over, demo_dir, policy)
    except MatchesSourceError as error:
        return failed_view(str(error))
    board = summary["leaderboard"]
    return EloView(status_text(summary, state.source), leaderboard_table(board), elo_chart(board),
                   heatmap_chart(board, state.top), panel_texts(summary), f"elo-leaderboard-{path.parent.name}")


def shown_table(table: pd.DataFrame | None) -> gr.Dataframe:
    """The leaderboard for people (SHOWN_COLUMNS, human headers, win rate in percent)."""
    table = table if table is not None else pd.DataFrame(columns=TABLE_COLUMNS)
    return table_value(table.assign(win_rate=table["win_rate"] * 100), SHOWN_COLUMNS)


@dataclass
class EloControls:
    source: gr.Textbox
    ci_over: gr.Radio
    top: gr.Slider
    load: gr.Button


def controls(default_source: str) -> EloControls:
    """The source and its options, in an accordion the app closes on a phone ("phone-collapsed")."""
    with gr.Accordion("Matches and options", open=True, elem_classes=["phone-collapsed"], elem_id="elo-options"):
        with gr.Row(equal_height=True):
            source = gr.Textbox(value=default_source, label=texts.ELO_SOURCE_LABEL, scale=4, elem_id="elo-source")
            ci_over = gr.Radio(CI_CHOICES, value="prompts", label="Intervals: bootstrap over", elem_id="elo-ci")
            top = gr.Slider(2, 30, value=DEFAULT_TOP, step=1, label="Heatmap: top models", elem_id="elo-top")
            load = gr.Button("Load", variant="primary", scale=0, elem_id="elo-load")
    return EloControls(source, ci_over, top, load)


def build(blocks: gr.Blocks, context: AppContext) -> None:
    default_source = DEMO if context.settings.get("matches_path") is None else CONFIGURED
    policy = MatchesPolicy.from_env(configured=context.settings.get("matches_path"))
    demo_dir = demo_cache_dir(context)
    gr.Markdown(texts.ELO_INTRO)
    chosen = controls(default_source)
    status = gr.Markdown(elem_id="elo-status")
    with gr.Row():
        panels = [gr.Markdown(elem_id=f"elo-panel-{key}") for key in ("option_a", "option_b", "position", "length")]
    table = gr.Dataframe(label="Leaderboard", interactive=False, show_search="search", elem_id="elo-table")
    download = gr.Button("Download leaderboard (CSV)", size="sm", elem_id="elo-csv")
    download_file = gr.DownloadButton("CSV", visible="hidden", elem_id="elo-csv-file")
    with gr.Row():
        with gr.Column():
            gr.Markdown("#### Elo with 95% intervals")
            chart = gr.Plot(show_label=False, elem_id="elo-chart")
        with gr.Column():
            gr.Markdown("#### Head-to-head: P(row beats column)")
            heatmap = gr.Plot(show_label=False, elem_id="elo-heatmap")
    url_bar = UrlBar("elo")

    def view_of(state: EloState) -> EloView:
        source = context.settings["matches_path"] if state.source == CONFIGURED else state.source
        return elo_view(EloState(str(source), state.ci_over, state.top), demo_dir, policy)

    def outputs_of(state: EloState) -> list:
        view = view_of(state)
        return [view.status, *[view.panels[k] for k in ("option_a", "option_b", "position", "length")],
                shown_table(view.table), view.elo_chart, view.heatmap, view_query(TAB, state.query())]

    targets = [status, *panels, table, chart, heatmap, url_bar.query]

    def refused(message: str) -> list:
        view = failed_view(message)
        return [view.status, *view.panels.values(), shown_table(None), None, None, gr.skip()]

    def state_of(source_value: str, ci_value: str, top_value: float) -> EloState:
        return state_from_query({"elo_matches": source_value or DEMO, "elo_ci": ci_value,
                                 "elo_top": str(int(top_value or DEFAULT_TOP))})

    @guarded("elo_view", refused)
    def on_change(source_value: str, ci_value: str, top_value: float):
        return outputs_of(state_of(source_value, ci_value, top_value))

    @guarded("elo_load", lambda message: [gr.skip()] * 3 + refused(message))
    def on_load(request: gr.Request):
        state = state_from_query(query_params(request), default_source)
        return [state.source, state.ci_over, state.top, *outputs_of(state)]

    @guarded("elo_csv", lambda message: gr.skip())
    def csv_of(source_value: str, ci_value: str, top_value: float):
        view = view_of(state_of(source_value, ci_value, top_value))
        return csv_file(view.table, view.csv_name) if view.table is not None else gr.skip()

    inputs = [chosen.source, chosen.ci_over, chosen.top]
    chosen.load.click(on_change, inputs, targets)
    chosen.source.submit(on_change, inputs, targets)
    chosen.ci_over.input(on_change, inputs, targets)
    chosen.top.release(on_change, inputs, targets)
    download.click(csv_of, inputs, download_file, api_visibility="private").then(
        None, js=download_js("elo-csv-file"))
    blocks.load(on_load, None, [*inputs, *targets])
