"""The Leaderboard tab: model scores and the lab index under one judge, and the judge-change view.

Everything is computed by `toolkit.query` (scores, lab_index, migration); this module shapes
tables for display, draws the Altair charts and wires the events. `leaderboard_view` and `migration_view` are pure functions
of the store and a `LeaderboardState`, tested without a server. The state travels in the URL:
?tab=leaderboard&judge=..&set=..&domain=..&reasoning=yes|no&from=..&to=..&model=..
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from functools import lru_cache
from typing import Any, Mapping

import altair as alt
import gradio as gr
import pandas as pd

from toolkit.core.filters import Filters, reasoning_choice
from toolkit.core.labels import SCORED
from toolkit.query import inputs, scores
from toolkit.query.lab_index import lab_index, lab_trajectories, off_leaderboard
from toolkit.query.sensitivity import RANK_FLAG, SPREAD_FLAG, dependence_notes, flag_judges, sensitivity
from toolkit.query.migration import migration, overlap_partner
from toolkit.storage.store import Store

from .charts import AXIS_GREY, label_scale, themed
from .common import Rejected, csv_file, download_js, guarded, plain, query_params, share_link
from .context import AppContext

TAB = "leaderboard"
ALL_DOMAINS = "All domains"
# The models radio: display words, values from the one reasoning vocabulary (toolkit.core.filters).
REASONING_RADIO = [("all", "any"), ("reasoning", "yes"), ("non-reasoning", "no")]
BREAKDOWN_MODELS = 50   # the stacked-bar chart shows the first N models of the table
TRAJECTORY_LABS = 12    # the trajectory chart shows the top N labs of the index
FALLBACK_COLORS = ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#eeca3b", "#b279a2",
                   "#ff9da6", "#9d755d", "#bab0ac"]
PCT_COLUMNS = list(scores.PCT.values())
DEPENDENT = "judge-dependent"
MODEL_TABLE = ["model", "rank", "tied", "lab", "n", *PCT_COLUMNS, DEPENDENT, "release_date", "reasoning"]
MODERATION_COLUMNS = ["n_moderated", "judge_pct_complete"]  # shown when the data has moderation signals
LAB_TABLE = ["rank", "lab", "index", "peak", "models", "lab_name", "peak_model",
             "window_start", "window_end"]
OFF_TABLE = ["lab", *PCT_COLUMNS, "models", "latest_release", "lab_name"]
DEPENDENT_NOTE = (f"**{DEPENDENT}**: the model's % complete differs by at least {SPREAD_FLAG:.0f} points, or its rank "
                  f"by at least {RANK_FLAG} places, between the LLM judges (see the Judge sensitivity tab).")
PROFILE_TABLE = ["domain", "rank", "tied", "models_in_domain", "n", *PCT_COLUMNS]
URL_KEYS = {"judge": "judge", "question_set": "set", "domain": "domain", "reasoning": "reasoning",
            "baseline": "from", "new": "to", "model": "model"}


@dataclass(frozen=True)
class LeaderboardState:
    judge: str | None
    question_set: str            # a set name or inputs.ALL_SETS
    domain: str = ALL_DOMAINS
    reasoning: str = "any"       # any, yes or no (REASONING_CHOICES)
    baseline: str | None = None  # judge-change view: the old judge
    new: str | None = None       # judge-change view: the new judge
    model: str | None = None     # the model whose per-domain scores are shown

    def filters(self) -> Filters:
        return Filters.of({"domain": None if self.domain == ALL_DOMAINS else self.domain,
                           "reasoning": self.reasoning})

    def query(self) -> dict[str, Any]:
        """The URL parameters that reopen this view (defaults left out)."""
        values = asdict(self)
        values["domain"] = None if self.domain == ALL_DOMAINS else self.domain
        values["reasoning"] = None if self.reasoning == "any" else self.reasoning
        return {URL_KEYS[k]: v for k, v in values.items() if v is not None}


def question_set_choices(store: Store) -> list[str]:
    return [*store.distinct("question_set"), inputs.ALL_SETS]


def default_state(store: Store) -> LeaderboardState:
    judge = store.default_judge()
    resolved = inputs.resolve_question_set(store, None)
    question_set = resolved if isinstance(resolved, str) else None
    return LeaderboardState(judge=judge, question_set=question_set or inputs.ALL_SETS,
                            baseline=overlap_partner(store, judge, question_set), new=judge)


def state_from_query(store: Store, params: Mapping[str, str]) -> LeaderboardState:
    """Read the state from URL parameters; unknown values fall back to the defaults (a stale or
    mistyped link shows the default view rather than an error)."""
    state = default_state(store)
    judges = set(store.judge_names())
    wanted = {field: params.get(key) for field, key in URL_KEYS.items()}
    wanted["reasoning"] = reasoning_choice(wanted["reasoning"], default=None) if wanted["reasoning"] else None
    valid = {
        "judge": wanted["judge"] in judges,
        "question_set": wanted["question_set"] in question_set_choices(store),
        "domain": wanted["domain"] in store.distinct("domain"),
        "reasoning": wanted["reasoning"] is not None,
        "baseline": wanted["baseline"] in judges,
        "new": wanted["new"] in judges,
        "model": wanted["model"] in store.distinct("model"),
    }
    state = replace(state, **{field: wanted[field] for field, ok in valid.items() if ok})
    if not valid["new"] and valid["judge"]:
        state = replace(state, new=state.judge)
    return state


# -- tables -----------------------------------------------------------------------------------
def _rounded(frame: pd.DataFrame, columns: list[str], digits: int = 2) -> pd.DataFrame:
    frame = frame.copy()
    for column in frame.columns:
        if pd.api.types.is_float_dtype(frame[column]):
            frame[column] = frame[column].round(digits)
    for column in ("release_date", "window_start", "window_end", "month", "latest_release"):
        if column in frame:
            frame[column] = frame[column].map(lambda d: "" if d is None or pd.isna(d) else str(d)[:10])
    return frame[[c for c in columns if c in frame.columns]]


def datatypes(frame: pd.DataFrame) -> list[str]:
    """gr.Dataframe datatypes so numeric columns sort numerically."""
    kinds = []
    for column in frame.columns:
        series = frame[column]
        if pd.api.types.is_bool_dtype(series):
            kinds.append("bool")
        elif pd.api.types.is_numeric_dtype(series):
            kinds.append("number")
        else:
            kinds.append("str")
    return kinds


@lru_cache(maxsize=32)
def dependence(store: Store, question_set: str, filters: Filters) -> dict[str, str]:
    """model -> judge-dependent note under these filters, over `flag_judges`: one sensitivity
    query per (question set, filters), shared by every judge the leaderboard switches to."""
    judges = flag_judges(store)
    if len(judges) < 2:
        return {}
    return dependence_notes(sensitivity(store, question_set, filters, judges).models)


# -- charts -----------------------------------------------------------------------------------
def lab_color_scale(labs: list[str], colors: Mapping[str, str]) -> alt.Scale:
    """Lab colours from the metadata; labs without one take a fallback palette in order."""
    fallback = iter(FALLBACK_COLORS * (len(labs) // len(FALLBACK_COLORS) + 1))
    return alt.Scale(domain=labs, range=[colors.get(lab) or next(fallback) for lab in labs])


def trajectory_chart(trajectories: pd.DataFrame, labs: pd.DataFrame, colors: Mapping[str, str]):
    top = labs["lab"].head(TRAJECTORY_LABS).tolist()
    data = trajectories[trajectories["lab"].isin(top)].copy()
    if data.empty:
        return None
    data["month"] = pd.to_datetime(data["month"])
    scale = lab_color_scale(top, colors)
    base = alt.Chart(data).encode(
        x=alt.X("month:T", title="release month", axis=alt.Axis(format="%b %Y", labelAngle=0)),
        y=alt.Y("ema:Q", title="lab index trajectory (EMA of % complete)", scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("lab:N", scale=scale, title="lab"),
        tooltip=["lab_name:N", alt.Tooltip("month:T", format="%Y-%m"), alt.Tooltip("ema:Q", format=".1f"),
                 alt.Tooltip("month_mean:Q", format=".1f", title="month mean"), "models:Q"],
    )
    chart = base.mark_line(interpolate="monotone") + base.mark_point(filled=True, size=30)
    return themed(chart.properties(title=f"EMA trajectories of the top {len(top)} labs"), height=340)


def breakdown_chart(models: pd.DataFrame):
    shown = models.head(BREAKDOWN_MODELS)
    if shown.empty:
        return None
    long = shown.melt(id_vars=["model"], value_vars=PCT_COLUMNS, var_name="column", value_name="percent")
    long["label"] = long["column"].str.removeprefix("pct_").str.upper()
    long["order"] = long["label"].map({l: i for i, l in enumerate(SCORED)})
    title = ("Answers by label" if len(models) <= BREAKDOWN_MODELS
             else f"Answers by label: first {BREAKDOWN_MODELS} of {len(models)} models")
    chart = alt.Chart(long).mark_bar().encode(
        y=alt.Y("model:N", sort=shown["model"].tolist(), title=None),
        x=alt.X("percent:Q", stack="zero", title="% of responses", scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("label:N", scale=label_scale(list(SCORED)), title="label"),
        order=alt.Order("order:Q"),
        tooltip=["model:N", "label:N", alt.Tooltip("percent:Q", format=".1f")],
    ).properties(title=title)
    return themed(chart, height=max(160, 16 * len(shown)))


def shift_chart(aggregate: pd.DataFrame, baseline: str, new: str):
    data = aggregate[aggregate["n_from"] + aggregate["n_to"] > 0]
    if data.empty:
        return None
    bars = alt.Chart(data).mark_bar().encode(
        x=alt.X("label:N", sort=data["label"].tolist(), title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("change_points:Q", title="change in share (points)"),
        color=alt.Color("label:N", scale=label_scale(data["label"].tolist()), legend=None),
        tooltip=["label:N", alt.Tooltip("share_from:Q", format=".2f", title=f"% {baseline}"),
                 alt.Tooltip("share_to:Q", format=".2f", title=f"% {new}"),
                 alt.Tooltip("change_points:Q", format="+.2f")],
    )
    text = bars.mark_text(dy=-8, color=AXIS_GREY).encode(text=alt.Text("change_points:Q", format="+.1f"))
    rule = alt.Chart(pd.DataFrame({"y": [0]})).mark_rule(color=AXIS_GREY).encode(y="y:Q")
    return themed((bars + text + rule).properties(title=f"Aggregate shift: {baseline} -> {new}"), height=260)


def scatter_chart(models: pd.DataFrame, colors: Mapping[str, str], baseline: str, new: str):
    if models.empty:
        return None
    models = models[["model", "lab", "n", "pct_complete_from", "pct_complete_to", "delta_complete"]]
    labs = sorted(models["lab"].dropna().unique().tolist())
    diagonal = alt.Chart(pd.DataFrame({"x": [0, 100], "y": [0, 100]})).mark_line(
        color=AXIS_GREY, strokeDash=[4, 4]).encode(x="x:Q", y="y:Q")
    points = alt.Chart(models).mark_circle(size=60, opacity=0.85).encode(
        x=alt.X("pct_complete_from:Q", title=f"% complete under {baseline}", scale=alt.Scale(domain=[0, 100])),
        y=alt.Y("pct_complete_to:Q", title=f"% complete under {new}", scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("lab:N", scale=lab_color_scale(labs, colors), title="lab",
                        legend=alt.Legend(columns=2) if len(labs) > 12 else alt.Legend()),
        tooltip=["model:N", "lab:N", "n:Q", alt.Tooltip("pct_complete_from:Q", format=".1f"),
                 alt.Tooltip("pct_complete_to:Q", format=".1f"), alt.Tooltip("delta_complete:Q", format="+.1f")],
    )
    return themed((diagonal + points).properties(title="Per model: old vs new % complete"), height=380)


def rank_chart(labs: pd.DataFrame, colors: Mapping[str, str], baseline: str, new: str):
    if labs.empty:
        return None
    long = pd.concat([
        labs[["lab", "rank_from"]].rename(columns={"rank_from": "rank"}).assign(judge=f"1 {baseline}"),
        labs[["lab", "rank_to"]].rename(columns={"rank_to": "rank"}).assign(judge=f"2 {new}"),
    ]).dropna(subset=["rank"])
    names = sorted(labs["lab"].unique().tolist())
    encode = dict(
        x=alt.X("judge:N", title=None, axis=alt.Axis(labelExpr="substring(datum.label, 2)", labelAngle=0)),
        y=alt.Y("rank:Q", scale=alt.Scale(reverse=True, zero=False), title="lab rank"),
        color=alt.Color("lab:N", scale=lab_color_scale(names, colors), title="lab"),
        detail="lab:N", tooltip=["lab:N", "rank:Q"])
    lines = alt.Chart(long).mark_line().encode(**encode)
    dots = alt.Chart(long).mark_circle(size=50).encode(**encode)
    return themed((lines + dots).properties(title="Lab rank under each judge"), height=max(240, 22 * len(names)))


# -- views ------------------------------------------------------------------------------------
def leaderboard_view(store: Store, state: LeaderboardState) -> dict[str, Any]:
    """Tables and charts of the main view (model table, lab index, trajectories, model profile)."""
    filters = state.filters()
    colors = inputs.lab_colors(store)
    as_of = inputs.default_as_of(store)
    models = scores.model_scores(store, state.judge, state.question_set, filters)
    labs = lab_index(models, as_of) if as_of else lab_index(models)
    trajectories = lab_trajectories(models, as_of)
    model = state.model if state.model in set(models["model"]) else (models["model"].iat[0] if len(models) else None)
    profile = (scores.model_domain_profile(store, state.judge, model, state.question_set, filters)
               if model else pd.DataFrame(columns=PROFILE_TABLE))
    labs_table = _rounded(labs.rename(columns={"models_in_window": "models"}), LAB_TABLE)
    notes = dependence(store, state.question_set, filters)
    shown = models.assign(**{DEPENDENT: models["model"].map(notes).fillna("")})
    return {
        "models": _rounded(shown, MODEL_TABLE + (MODERATION_COLUMNS if store.has_moderation else [])),
        "labs": labs_table,
        "off": _rounded(off_leaderboard(models, labs), OFF_TABLE),
        "profile": _rounded(profile, PROFILE_TABLE),
        "model": model,
        "model_choices": models["model"].tolist(),
        "trajectory_chart": trajectory_chart(trajectories, labs, colors),
        "breakdown_chart": breakdown_chart(models),
        "as_of": as_of,
        "responses": int(models["n"].sum()) if len(models) else 0,
    }


def migration_view(store: Store, state: LeaderboardState) -> dict[str, Any]:
    """Tables and charts of the judge-change view."""
    report = migration(store, state.baseline, state.new, state.question_set, state.filters())
    colors = inputs.lab_colors(store)
    summary = report.summary.iloc[0]
    return {
        "summary": summary.to_dict(),
        "aggregate": _rounded(report.aggregate, list(report.aggregate.columns), 3),
        "transitions": _rounded(report.transitions, list(report.transitions.columns), 3),
        "models": _rounded(report.models, ["model", "lab", "n", "pct_complete_from", "pct_complete_to",
                                           "delta_complete", "delta_evasive", "delta_denial", "delta_error"]),
        "shifts": _rounded(report.shifts, list(report.shifts.columns), 3),
        "movers": _rounded(report.movers, list(report.movers.columns)),
        "labs": _rounded(report.labs, ["lab", "lab_name", "rank_from", "rank_to", "rank_change",
                                       "index_from", "index_to", "index_change"]),
        "shift_chart": shift_chart(report.aggregate, state.baseline, state.new),
        "scatter_chart": scatter_chart(report.models, colors, state.baseline, state.new),
        "rank_chart": rank_chart(report.labs, colors, state.baseline, state.new),
    }


def migration_summary(summary: Mapping[str, Any]) -> str:
    if not summary["compared"]:
        return (f"**{plain(summary['from_judge'])}** and **{plain(summary['to_judge'])}** judged no response in common "
                "under these filters.")
    return (f"On **{summary['compared']:,}** responses judged by both **{plain(summary['from_judge'])}** and "
            f"**{plain(summary['to_judge'])}** ({summary['models']} models), **{summary['changed']:,}** judgements "
            f"changed (**{summary['pct_changed']:.2f}%**).")


# -- the tab ----------------------------------------------------------------------------------
def build(blocks: gr.Blocks, context: AppContext) -> None:
    store = context.store
    start = default_state(store)
    judges = store.judge_names()
    if not judges:
        gr.Markdown("This data has no judgements yet: nothing to rank.")
        return

    downloads: list[tuple[gr.Button, gr.DownloadButton, str, str]] = []

    def table(label: str, elem_id: str, pinned: int | None = None) -> gr.Dataframe:
        """A table and its CSV button (the file is written only when the button is pressed)."""
        frame = gr.Dataframe(label=label, interactive=False, elem_id=elem_id, show_search="search",
                             pinned_columns=pinned, max_height=420, wrap=False)
        button = gr.Button(f"Download {label.lower()} (CSV)", size="sm", elem_id=f"{elem_id}-csv")
        file = gr.DownloadButton("CSV", visible="hidden", elem_id=f"{elem_id}-csv-file")
        key = elem_id.removeprefix("lb-")
        downloads.append((button, file, key, f"{elem_id}-csv-file"))
        return frame

    gr.Markdown("Scores per model and the labs' Free Speech Index (SpeechMap's method: 6-month window, "
                "monthly means, EMA with a 3-month half-life) under the judge you pick.")
    with gr.Row():
        judge = gr.Dropdown(judges, value=start.judge, label="Judge", elem_id="lb-judge", scale=2)
        question_set = gr.Dropdown(question_set_choices(store), value=start.question_set, label="Question set",
                                   elem_id="lb-set")
        domain = gr.Dropdown([ALL_DOMAINS, *store.distinct("domain")], value=ALL_DOMAINS, label="Domain",
                             elem_id="lb-domain")
        reasoning = gr.Radio(REASONING_RADIO, value="any", label="Models", elem_id="lb-reasoning")
    link = gr.Textbox(label="Link to this view", buttons=["copy"], interactive=False, elem_id="lb-link")
    status = gr.Markdown(elem_id="lb-status")

    gr.Markdown("### Labs")
    labs_table = table("Lab leaderboard", "lb-labs")
    off_table = table("Off the leaderboard", "lb-off")
    gr.Markdown("Labs not in the index (no model within the window, or none dated): all-time shares "
                "weighted by responses, as SpeechMap lists them.", elem_id="lb-off-note")
    trajectory = gr.Plot(label="Lab trajectories", elem_id="lb-trajectory")

    gr.Markdown("### Models")
    models_table = table("Model scores", "lb-models", pinned=1)
    gr.Markdown(DEPENDENT_NOTE, elem_id="lb-dependent-note")
    breakdown = gr.Plot(label="Breakdown per model", elem_id="lb-breakdown")
    model = gr.Dropdown([], value=None, label="Model (or click a row above)", elem_id="lb-model")
    profile_table = table("Per-domain scores of the model", "lb-profile", pinned=1)

    gr.Markdown("### Judge change")
    with gr.Row():
        baseline = gr.Dropdown(judges, value=start.baseline, label="Baseline judge", elem_id="lb-from")
        new = gr.Dropdown(judges, value=start.new, label="New judge", elem_id="lb-to")
    mig_status = gr.Markdown(elem_id="lb-mig-status")
    with gr.Row():
        shift_plot = gr.Plot(label="Aggregate shift", elem_id="lb-shift")
        rank_plot = gr.Plot(label="Lab rank changes", elem_id="lb-ranks")
    scatter_plot = gr.Plot(label="Per-model shift", elem_id="lb-scatter")
    aggregate_table = table("Aggregate shares", "lb-aggregate")
    transitions_table = table("Label transitions", "lb-transitions")
    shifts_table = table("Per-model shift statistics", "lb-shifts")
    movers_table = table("Biggest gains and drops", "lb-movers", pinned=2)
    mig_models_table = table("Model changes", "lb-mig-models", pinned=1)
    mig_labs_table = table("Lab rank changes", "lb-mig-labs", pinned=1)

    controls = [judge, question_set, domain, reasoning, baseline, new, model]

    choices = {"judge": set(judges), "question_set": set(question_set_choices(store)),
               "domain": {ALL_DOMAINS, *store.distinct("domain")}, "reasoning": {v for _, v in REASONING_RADIO}}

    def state_of(*values) -> LeaderboardState:
        """Control values -> state; Rejected (one plain sentence) for a value no list offers."""
        j, s, d, r, b, n, m = values
        state = LeaderboardState(judge=j, question_set=s or start.question_set, domain=d or ALL_DOMAINS,
                                 reasoning=r or "any", baseline=b, new=n, model=m)
        for name, allowed in (("judge", choices["judge"]), ("question_set", choices["question_set"]),
                              ("domain", choices["domain"]), ("reasoning", choices["reasoning"])):
            if not isinstance(getattr(state, name), str) or getattr(state, name) not in allowed:
                raise Rejected(f"Choose a {name.replace('_', ' ')} from the list.")
        for name in ("baseline", "new"):
            if getattr(state, name) is not None and getattr(state, name) not in choices["judge"]:
                raise Rejected("Choose the judges to compare from the lists.")
        if m is not None and not isinstance(m, str):
            raise Rejected("Choose a model from the list.")
        return state

    def shown(frame: pd.DataFrame) -> gr.Dataframe:
        return gr.Dataframe(value=frame, datatype=datatypes(frame))

    def link_of(state: LeaderboardState, request: gr.Request | None) -> str:
        return share_link(request, TAB, state.query())

    def main_outputs(state: LeaderboardState) -> list[Any]:
        view = leaderboard_view(store, state)
        scope = f"as of {view['as_of']}" if view["as_of"] else "no release dates"
        text = (f"{len(view['models'])} models, {view['responses']:,} judged responses; "
                f"{len(view['labs'])} labs in the index ({scope}).")
        return [text, shown(view["labs"]), shown(view["off"]), view["trajectory_chart"],
                shown(view["models"]), view["breakdown_chart"],
                gr.Dropdown(choices=view["model_choices"], value=view["model"]),
                shown(view["profile"])]

    def migration_outputs(state: LeaderboardState) -> list[Any]:
        view = migration_view(store, state)
        return [migration_summary(view["summary"]), view["shift_chart"], view["rank_chart"],
                view["scatter_chart"],
                shown(view["aggregate"]), shown(view["transitions"]), shown(view["shifts"]),
                shown(view["movers"]), shown(view["models"]), shown(view["labs"])]

    main_targets = [status, labs_table, off_table, trajectory, models_table, breakdown, model, profile_table]
    migration_targets = [mig_status, shift_plot, rank_plot, scatter_plot, aggregate_table, transitions_table,
                         shifts_table, movers_table, mig_models_table, mig_labs_table]

    def csv_of(key: str):
        """The click handler of one table's CSV button: the table of the current controls, as a file."""
        @guarded(f"leaderboard_csv_{key}", lambda message: gr.skip())
        def write(j, s, d, r, b, n, m):
            state = state_of(j, s, d, r, b, n, m)
            stem = f"{state.judge}_{state.question_set}"
            if key in ("labs", "off", "models", "profile"):
                frame = leaderboard_view(store, state)[key]
                return csv_file(frame, f"{'domains_' + str(state.model) if key == 'profile' else key}_{stem}")
            view = migration_view(store, state)
            frame = view[{"mig-models": "models", "mig-labs": "labs"}.get(key, key)]
            return csv_file(frame, f"{key}_{state.baseline}_to_{state.new}_{state.question_set}")
        return write

    # Gradio injects gr.Request / gr.SelectData only into named parameters, hence the spelled-out
    # control values (judge, set, domain, reasoning, baseline, new, model).
    def refused(count: int):
        """Outputs for a refused call: the sentence in the status line, everything else kept."""
        return lambda message: [gr.skip(), plain(message), *[gr.skip()] * (count - 2)]

    @guarded("leaderboard_filters", refused(1 + len(main_targets) + len(migration_targets)))
    def on_filters(j, s, d, r, b, n, m, request: gr.Request):
        state = state_of(j, s, d, r, b, n, m)
        return [link_of(state, request), *main_outputs(state), *migration_outputs(state)]

    @guarded("leaderboard_judges", refused(1 + len(migration_targets)))
    def on_judges(j, s, d, r, b, n, m, request: gr.Request):
        state = state_of(j, s, d, r, b, n, m)
        return [link_of(state, request), *migration_outputs(state)]

    @guarded("leaderboard_model", lambda message: [gr.skip(), gr.skip()])
    def on_model(j, s, d, r, b, n, m, request: gr.Request):
        state = state_of(j, s, d, r, b, n, m)
        profile = scores.model_domain_profile(store, state.judge, state.model, state.question_set,
                                              state.filters()) if state.model else pd.DataFrame()
        frame = _rounded(profile, PROFILE_TABLE)
        return [link_of(state, request), shown(frame)]

    def on_row(j, s, d, r, b, n, m, evt: gr.SelectData, request: gr.Request):
        row = evt.row_value or []
        chosen = row[0] if row else m
        return [gr.Dropdown(value=chosen), *on_model(j, s, d, r, b, n, chosen, request)]

    def on_load(request: gr.Request):
        state = state_from_query(store, query_params(request))
        values = [state.judge, state.question_set, state.domain, state.reasoning, state.baseline, state.new]
        main = main_outputs(state)
        return [*values, link_of(state, request), *main, *migration_outputs(state)]

    for control in (judge, question_set, domain, reasoning):
        control.input(on_filters, controls, [link, *main_targets, *migration_targets])
    for control in (baseline, new):
        control.input(on_judges, controls, [link, *migration_targets])
    model.input(on_model, controls, [link, profile_table])
    models_table.select(on_row, controls, [model, link, profile_table])
    for button, file, key, file_id in downloads:
        button.click(csv_of(key), controls, file, api_visibility="private").then(None, js=download_js(file_id))
    blocks.load(on_load, None, [*controls[:-1], link, *main_targets, *migration_targets])
