"""The Leaderboard tab: model scores and the lab index under one judge, and the judge-change view.

Everything is computed by `toolkit.query` (scores, lab_index, migration); this module shapes
tables for display and wires the events, `leaderboard_charts` draws the Altair charts. `leaderboard_view` and
`migration_view` are pure functions of the store and a `LeaderboardState`, tested without a server.
The state travels in the address bar (toolkit.ui.url_state):
?tab=leaderboard&judge=..&set=..&domain=..&reasoning=yes|no&from=..&to=..&model=..&min_n=..
Honest numbers: n and the 95% Wilson interval beside each model's % complete, a bootstrap interval
(over questions) beside each lab's index, rows under the minimum n shown but not ranked, and a
warning when the judge labelled only part of the responses (all computed in toolkit.query). In the
judge-change view: n beside each model's and lab's shift, the 95% interval of each model's change in
% complete (Newcombe's paired interval) and whether that change is clear (the interval excludes 0).
"""
from __future__ import annotations

import html
from dataclasses import asdict, dataclass, replace
from functools import lru_cache
from typing import Any, Mapping

import gradio as gr
import pandas as pd

from toolkit.core.filters import Filters, reasoning_choice
from toolkit.core.labels import COLORS, SCORED
from toolkit.query import inputs, scores
from toolkit.query.coverage import judge_coverage
from toolkit.query.lab_index import INDEX_INTERVAL, index_and_off, lab_trajectories
from toolkit.query.migration import migration, overlap_partner
from toolkit.query.sensitivity import (
    RANK_FLAG,
    SPREAD_FLAG,
    dependence_notes,
    flag_judges,
    sensitivity,
)
from toolkit.storage.store import Store

from .charts import lab_palette
from .columns import INDEX_INTERVAL_SHOWN, interval_text, shown_table
from .common import Rejected, csv_file, download_js, guarded, plain, query_params
from .context import AppContext
from .leaderboard_charts import (
    index_chart,
    rank_chart,
    scatter_chart,
    shift_chart,
    trajectory_chart,
)
from .texts import VERDICTS
from .url_state import UrlBar, view_query

TAB = "leaderboard"
ALL_DOMAINS = "All domains"
# The models radio: display words, values from the one reasoning vocabulary (toolkit.core.filters).
REASONING_RADIO = [("all", "any"), ("reasoning", "yes"), ("non-reasoning", "no")]
PCT_COLUMNS = list(scores.PCT.values())
DEPENDENT = "judge-dependent"
VERDICT_BAR = "verdict_bar"   # the model row's stacked verdict bar (HTML, shown only: not in the CSV)
COMPLETE_INTERVAL = "pct_complete_interval"   # "81.0–88.9": shown only (the CSV has the two ends)
MODEL_TABLE = ["model", "rank", "tied", "lab", "n", *PCT_COLUMNS, DEPENDENT, "release_date", "reasoning",
               "ranked", *scores.INTERVAL_COLUMNS]
# What the model table shows, scores first (a phone shows the first columns).
MODEL_SHOWN = ["model", "rank", "pct_complete", COMPLETE_INTERVAL, VERDICT_BAR, "n", "pct_evasive", "pct_denial",
               "pct_error", "lab", DEPENDENT, "release_date", "reasoning", "tied"]
MAX_MIN_N = 100_000
UNRANKED_NAMED = 8      # the note under the table names the first N unranked models (and labs)
MODERATION_COLUMNS = ["n_moderated", "judge_pct_complete"]  # shown when the data has moderation signals
LAB_TABLE = ["rank", "lab", "index", *INDEX_INTERVAL, "answers", "peak", "models", "lab_name", "peak_model",
             "window_start", "window_end", "ranked"]
LAB_SHOWN = ["rank", "lab", "index", INDEX_INTERVAL_SHOWN, "answers", "peak", "models", "lab_name", "peak_model",
             "window_start", "window_end"]
OFF_TABLE = ["lab", *PCT_COLUMNS, "models", "latest_release", "lab_name", "n", *scores.PCT_INTERVAL["COMPLETE"]]
OFF_INTERVAL_SHOWN = "pooled_complete_interval"   # "41.0–58.9": shown only (the CSV has the two ends)
OFF_SHOWN = ["lab", "pct_complete", OFF_INTERVAL_SHOWN, "n", "pct_evasive", "pct_denial", "pct_error", "models",
             "latest_release", "lab_name"]
DEPENDENT_NOTE = (f"**Judge-dependent**: the model's % complete differs by at least {SPREAD_FLAG:.0f} points, "
                  f"or its rank by at least {RANK_FLAG} places, between the LLM judges (see the Judge "
                  "sensitivity tab). The bar shows the four verdicts' shares (✓ complete, ~ evasive, "
                  "✕ denial, ! error); hover or tap it for the numbers.")
PROFILE_TABLE = ["domain", "rank", "tied", "models_in_domain", "n", *PCT_COLUMNS]
# The judge-change view: the models' and movers' change in % complete with its 95% interval (shown as
# text, the CSV keeps the two ends) and whether the change is clear (the interval excludes 0).
CHANGE_INTERVAL = "delta_complete_interval"
CHANGE_ENDS = [f"delta_{label.lower()}_{end}" for label in SCORED for end in ("low", "high")]
MIG_MODEL_TABLE = ["model", "lab", "n", "pct_complete_from", "pct_complete_to", "delta_complete", "delta_evasive",
                   "delta_denial", "delta_error", *CHANGE_ENDS, "clear_change"]
# shown: the change, its interval and verdict first (in view on a phone, beside the pinned names)
MIG_MODEL_SHOWN = ["model", "delta_complete", CHANGE_INTERVAL, "clear_change", "n", "pct_complete_from",
                   "pct_complete_to", "delta_evasive", "delta_denial", "delta_error", "lab"]
MOVERS_SHOWN = ["direction", "model", "delta_complete", CHANGE_INTERVAL, "clear_change", "n", "pct_complete_from",
                "pct_complete_to", "lab"]
MIG_LAB_TABLE = ["lab", "lab_name", "rank_from", "rank_to", "rank_change", "index_from", "index_to", "index_change",
                 "n"]
MIG_LAB_SHOWN = ["lab", "lab_name", "n", "rank_from", "rank_to", "rank_change", "index_from", "index_to",
                 "index_change"]
CHANGE_NOTE = ("**95% interval**: how far the change in % complete could plausibly differ on other questions "
               "like these (Newcombe's paired interval: both judges judged the same answers; n is how many). "
               "**Clear change** *yes*: the interval excludes 0, the judges really score the model differently. "
               "*No*: the interval includes 0; the judges disagree on too few of the model's answers to tell "
               "the move from chance, however large it looks.")
URL_KEYS = {"judge": "judge", "question_set": "set", "domain": "domain", "reasoning": "reasoning",
            "baseline": "from", "new": "to", "model": "model", "min_n": "min_n"}


@dataclass(frozen=True)
class LeaderboardState:
    judge: str | None
    question_set: str            # a set name or inputs.ALL_SETS
    domain: str = ALL_DOMAINS
    reasoning: str = "any"       # any, yes or no (REASONING_CHOICES)
    baseline: str | None = None  # judge-change view: the old judge
    new: str | None = None       # judge-change view: the new judge
    model: str | None = None     # the model whose per-domain scores are shown
    min_n: int = scores.MIN_N    # fewest judged answers for a rank (a lab: its window models' answers)

    def filters(self) -> Filters:
        return Filters.of({"domain": None if self.domain == ALL_DOMAINS else self.domain,
                           "reasoning": self.reasoning})

    def query(self) -> dict[str, Any]:
        """The URL parameters that reopen this view (defaults left out)."""
        values = asdict(self)
        values["domain"] = None if self.domain == ALL_DOMAINS else self.domain
        values["reasoning"] = None if self.reasoning == "any" else self.reasoning
        values["min_n"] = None if self.min_n == scores.MIN_N else self.min_n
        return {URL_KEYS[k]: v for k, v in values.items() if v is not None}


def question_set_choices(store: Store) -> list[str]:
    return [*store.distinct("question_set"), inputs.ALL_SETS]


def default_state(store: Store) -> LeaderboardState:
    judge = store.default_judge()
    resolved = inputs.resolve_question_set(store, None)
    question_set = resolved if isinstance(resolved, str) else None
    return LeaderboardState(judge=judge, question_set=question_set or inputs.ALL_SETS,
                            baseline=overlap_partner(store, judge, question_set), new=judge)


def whole_number(value: Any) -> int | None:
    """A minimum n from the URL or the number box: a whole number in 0..MAX_MIN_N, else None."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if number.is_integer() and 0 <= number <= MAX_MIN_N else None


def state_from_query(store: Store, params: Mapping[str, str]) -> LeaderboardState:
    """Read the state from URL parameters; unknown values fall back to the defaults (a stale or
    mistyped link shows the default view rather than an error)."""
    state = default_state(store)
    judges = set(store.judge_names())
    wanted = {field: params.get(key) for field, key in URL_KEYS.items()}
    wanted["reasoning"] = reasoning_choice(wanted["reasoning"], default=None) if wanted["reasoning"] else None
    wanted["min_n"] = whole_number(wanted["min_n"])
    valid = {
        "judge": wanted["judge"] in judges,
        "question_set": wanted["question_set"] in question_set_choices(store),
        "domain": wanted["domain"] in store.distinct("domain"),
        "reasoning": wanted["reasoning"] is not None,
        "baseline": wanted["baseline"] in judges,
        "new": wanted["new"] in judges,
        "model": wanted["model"] in store.distinct("model"),
        "min_n": wanted["min_n"] is not None,
    }
    state = replace(state, **{field: wanted[field] for field, ok in valid.items() if ok})
    if not valid["new"] and valid["judge"]:
        state = replace(state, new=state.judge)
    if not valid["baseline"] and state.baseline == state.new:   # compare the new judge with another one
        question_set = None if state.question_set == inputs.ALL_SETS else state.question_set
        state = replace(state, baseline=overlap_partner(store, state.new, question_set))
    return state


def checked_state(store: Store, values: Mapping[str, Any]) -> LeaderboardState:
    """Control values (by state field) -> state; Rejected (one plain sentence) for a value no list
    offers (a crafted call, not a visitor's click)."""
    state = LeaderboardState(judge=values["judge"], question_set=values["question_set"] or default_state(
        store).question_set, domain=values["domain"] or ALL_DOMAINS, reasoning=values["reasoning"] or "any",
        baseline=values["baseline"], new=values["new"], model=values["model"],
        min_n=whole_number(values["min_n"]) if values["min_n"] is not None else scores.MIN_N)
    if state.min_n is None:
        raise Rejected(f"The minimum number of answers is a whole number from 0 to {MAX_MIN_N:,}.")
    judges = set(store.judge_names())
    allowed = {"judge": judges, "question_set": set(question_set_choices(store)),
               "domain": {ALL_DOMAINS, *store.distinct("domain")}, "reasoning": {v for _, v in REASONING_RADIO}}
    for name, choices in allowed.items():
        if not isinstance(getattr(state, name), str) or getattr(state, name) not in choices:
            raise Rejected(f"Choose a {name.replace('_', ' ')} from the list.")
    if any(j is not None and j not in judges for j in (state.baseline, state.new)):
        raise Rejected("Choose the judges to compare from the lists.")
    if state.model is not None and not isinstance(state.model, str):
        raise Rejected("Choose a model from the list.")
    return state


# -- tables -----------------------------------------------------------------------------------
def _rounded(frame: pd.DataFrame, columns: list[str], digits: int = 2) -> pd.DataFrame:
    """The CSV form of a table: machine names, numbers rounded to `digits`, dates as YYYY-MM-DD."""
    frame = frame.copy()
    for name in frame.columns:
        if pd.api.types.is_float_dtype(frame[name]):
            frame[name] = frame[name].round(digits)
    for name in ("release_date", "window_start", "window_end", "month", "latest_release"):
        if name in frame:
            frame[name] = frame[name].map(lambda d: "" if d is None or pd.isna(d) else str(d)[:10])
    return frame[[c for c in columns if c in frame.columns]]


def verdict_bar(shares: Mapping[str, float]) -> str:
    """One model's verdict shares (label -> % of its responses) as a stacked bar in HTML: the
    labels' colours, and the numbers with each verdict's symbol as its tooltip and accessible name
    (colour is never the only cue). Only numbers and fixed words go in: nothing from the data."""
    parts, words = [], []
    for label in SCORED:
        share = float(shares.get(label) or 0.0)
        symbol = VERDICTS.get(label, ("?",))[0]
        words.append(f"{symbol} {label.lower()} {share:.1f}%")
        if share > 0:
            parts.append(f"<span style='width:{share:.2f}%;background:{COLORS[label]}'></span>")
    text = html.escape(" · ".join(words), quote=True)
    return f"<div class='lb-bar' title='{text}' role='img' aria-label='{text}'>{''.join(parts)}</div>"


def without_na(frame: pd.DataFrame) -> pd.DataFrame:
    """Nullable integer columns (an unranked row's rank) as floats: NaN shows as "–" and serialises."""
    return frame.astype({c: float for c in frame.columns if isinstance(frame[c].dtype, pd.Int64Dtype)})


def shown_models(models: pd.DataFrame) -> pd.DataFrame:
    """The model table as shown: the interval of % complete and the verdict bar added, reasoning as
    yes/no."""
    bars = [verdict_bar(dict(zip(SCORED, row))) for row in models[PCT_COLUMNS].itertuples(index=False)]
    low, high = scores.PCT_INTERVAL["COMPLETE"]
    frame = without_na(models).assign(**{VERDICT_BAR: bars,
                                         COMPLETE_INTERVAL: interval_text(models[low], models[high])})
    if "reasoning" in frame:
        frame["reasoning"] = frame["reasoning"].map(lambda v: "" if v is None or pd.isna(v) else
                                                    ("yes" if v else "no"))
    return frame


def table_value(frame: pd.DataFrame, names: list[str]) -> gr.Dataframe:
    """A gr.Dataframe update: human headers and formatted numbers (toolkit.ui.columns), numbers
    sorting as numbers, the verdict bar as HTML."""
    chosen = [c for c in names if c in frame.columns]

    def kind(name: str) -> str:
        if name == VERDICT_BAR:
            return "html"
        numeric = pd.api.types.is_numeric_dtype(frame[name]) and not pd.api.types.is_bool_dtype(frame[name])
        return "number" if numeric else "str"
    return gr.Dataframe(value=shown_table(frame, chosen), datatype=[kind(c) for c in chosen])


def lab_table(labs: pd.DataFrame) -> gr.Dataframe:
    shown = without_na(labs).assign(**{INDEX_INTERVAL_SHOWN: interval_text(labs["index_low"], labs["index_high"])})
    return table_value(shown, LAB_SHOWN)


def off_table(off: pd.DataFrame) -> gr.Dataframe:
    low, high = scores.PCT_INTERVAL["COMPLETE"]
    return table_value(off.assign(**{OFF_INTERVAL_SHOWN: interval_text(off[low], off[high])}), OFF_SHOWN)


def model_table(models: pd.DataFrame) -> gr.Dataframe:
    extra = [c for c in models.columns if c not in MODEL_SHOWN and c in MODERATION_COLUMNS]
    return table_value(shown_models(models), MODEL_SHOWN + extra)


@lru_cache(maxsize=32)
def dependence(store: Store, question_set: str, filters: Filters) -> dict[str, str]:
    """model -> judge-dependent note under these filters, over `flag_judges`: one sensitivity
    query per (question set, filters), shared by every judge the leaderboard switches to."""
    judges = flag_judges(store)
    if len(judges) < 2:
        return {}
    return dependence_notes(sensitivity(store, question_set, filters, judges).models)


# -- chart data ------------------------------------------------------------------------------
def lab_colours(store: Store, labs: pd.DataFrame, models: pd.DataFrame) -> dict[str, str]:
    """One colour per lab for every chart of the view: index order first, then the other labs."""
    order = [*labs["lab"].tolist(), *sorted(set(models["lab"].dropna()) - set(labs["lab"]))]
    return lab_palette(order, inputs.lab_colors(store))


def window_trajectories(models: pd.DataFrame, labs: pd.DataFrame, as_of: Any) -> pd.DataFrame:
    """Each indexed lab's trajectory over its own index window only (its models released in
    [window_start, window_end]), so the EMA starts where the index's does and ends at the index."""
    bounds = {lab: (start, end) for lab, start, end in labs[["lab", "window_start", "window_end"]].itertuples(
        index=False)}
    released = models["release_date"].map(inputs.to_date)
    inside = [lab in bounds and day is not None and bounds[lab][0] <= day <= bounds[lab][1]
              for lab, day in zip(models["lab"], released)]
    return lab_trajectories(models[inside], as_of)

# -- views ------------------------------------------------------------------------------------
def leaderboard_view(store: Store, state: LeaderboardState) -> dict[str, Any]:
    """Tables (CSV form), charts and notes of the main view: model table, lab index (with its
    bootstrap interval), trajectories, the model's profile, unranked rows, the judge's coverage."""
    filters = state.filters()
    as_of = inputs.default_as_of(store)
    models = scores.model_scores(store, state.judge, state.question_set, filters, min_n=state.min_n)
    labs, off = index_and_off(store, state.judge, models, state.question_set, filters, as_of, state.min_n)
    model = state.model if state.model in set(models["model"]) else (models["model"].iat[0] if len(models) else None)
    notes = dependence(store, state.question_set, filters)
    shown = models.assign(**{DEPENDENT: [notes.get(name, "") for name in models["model"]]})
    colours = lab_colours(store, labs, models)
    return {
        "models": _rounded(shown, MODEL_TABLE + (MODERATION_COLUMNS if store.has_moderation else [])),
        "labs": _rounded(labs.rename(columns={"models_in_window": "models"}), LAB_TABLE),
        "off": _rounded(off, OFF_TABLE),
        "profile": profile_frame(store, state, model),
        "model": model,
        "model_choices": models["model"].tolist(),
        "index_chart": index_chart(labs, colours),
        "trajectory_chart": trajectory_chart(window_trajectories(models, labs, as_of), labs, colours),
        "unranked": unranked_note(models, labs, state.min_n),
        "coverage": coverage_warning(store, state),
        "as_of": as_of,
        "responses": int(models["n"].sum()) if len(models) else 0,
    }


def unranked_note(models: pd.DataFrame, labs: pd.DataFrame, min_n: int) -> str:
    """The rows shown but not ranked (fewer than min_n judged answers), names as plain text."""
    parts = []
    for kind, frame, count in (("model", models, "n"), ("lab", labs, "answers")):
        left = frame[~frame["ranked"].astype(bool)]
        if len(left):
            names = ", ".join(f"{plain(name)} (n = {int(n):,})"
                              for name, n in zip(left[kind][:UNRANKED_NAMED], left[count]))
            names += f" and {len(left) - UNRANKED_NAMED} more" if len(left) > UNRANKED_NAMED else ""
            parts.append(f"{len(left)} {kind}{'s' if len(left) > 1 else ''}: {names}")
    if not parts:
        return ""
    return f"**Shown but not ranked**, fewer than {min_n:,} judged answers: " + "; ".join(parts) + "."


def coverage_warning(store: Store, state: LeaderboardState) -> str:
    """A warning when the judge labelled only part of the responses under the filters; else ''."""
    coverage = judge_coverage(store, state.judge, state.question_set, state.filters())
    if not coverage.total or coverage.judged >= coverage.total:
        return ""
    return (f"⚠ **{plain(state.judge)}** labelled {coverage.judged:,} of the {coverage.total:,} responses under "
            f"these filters ({coverage.share:.1%}): every score here rests on those {coverage.judged:,} only.")


def profile_frame(store: Store, state: LeaderboardState, model: str | None) -> pd.DataFrame:
    """The model's per-domain scores (CSV form); empty without a model."""
    if not model:
        return pd.DataFrame(columns=PROFILE_TABLE)
    profile = scores.model_domain_profile(store, state.judge, model, state.question_set, state.filters())
    return _rounded(profile, PROFILE_TABLE)


def migration_view(store: Store, state: LeaderboardState) -> dict[str, Any]:
    """Tables (CSV form) and charts of the judge-change view; the summary counts the models whose
    % complete changes clearly."""
    report = migration(store, state.baseline, state.new, state.question_set, state.filters())
    colours = lab_palette(sorted(set(report.models["lab"].dropna()) | set(report.labs["lab"])),
                          inputs.lab_colors(store))
    clear = report.shifts.set_index("label").at["COMPLETE", "clear_changes"]
    return {
        "summary": {**report.summary.iloc[0].to_dict(), "clear_complete": int(clear)},
        "aggregate": _rounded(report.aggregate, list(report.aggregate.columns), 3),
        "transitions": _rounded(report.transitions, list(report.transitions.columns), 3),
        "models": _rounded(report.models, MIG_MODEL_TABLE),
        "shifts": _rounded(report.shifts, list(report.shifts.columns), 3),
        "movers": _rounded(report.movers, list(report.movers.columns)),
        "labs": _rounded(report.labs, MIG_LAB_TABLE),
        "shift_chart": shift_chart(report.aggregate, state.baseline, state.new),
        "scatter_chart": scatter_chart(report.models, colours, state.baseline, state.new),
        "rank_chart": rank_chart(report.labs, colours, state.baseline, state.new),
    }


def main_status(view: Mapping[str, Any]) -> str:
    scope = f"as of {view['as_of']}" if view["as_of"] else "no release dates"
    return (f"{len(view['models'])} models, {view['responses']:,} judged responses; "
            f"{len(view['labs'])} labs in the index ({scope}).")


def migration_summary(summary: Mapping[str, Any]) -> str:
    if not summary["compared"]:
        return (f"**{plain(summary['from_judge'])}** and **{plain(summary['to_judge'])}** judged no response in common "
                "under these filters.")
    return (f"On **{summary['compared']:,}** responses judged by both **{plain(summary['from_judge'])}** and "
            f"**{plain(summary['to_judge'])}** ({summary['models']} models), **{summary['changed']:,}** judgements "
            f"changed (**{summary['pct_changed']:.2f}%**). The % complete of **{summary['clear_complete']}** of "
            f"the {summary['models']} models changes clearly (its 95% interval excludes 0).")


def shown_changes(frame: pd.DataFrame) -> pd.DataFrame:
    """A models or movers table as shown: the interval of the change in % complete as text, and
    whether the change is clear as yes / no."""
    return frame.assign(**{CHANGE_INTERVAL: interval_text(frame["delta_complete_low"], frame["delta_complete_high"],
                                                          signed=True),
                           "clear_change": frame["clear_change"].map(lambda clear: "yes" if clear else "no")})


# -- the tab ----------------------------------------------------------------------------------
CSS = """
<style>
#lb-style {display:none}
.lb-bar {display:flex;width:120px;height:14px;border-radius:3px;overflow:hidden;background:#8a8f9833}
.lb-bar > span {display:block;height:100%}
/* the model and domain columns have a set width (a share of the table's): long names wrap */
#lb-models .first-column span, #lb-profile .first-column span {white-space:normal !important;
  overflow-wrap:break-word}
@media (max-width: 640px) {
  /* a phone: each control the full width (judge names whole), a table's title above its search box */
  #lb-filters .row, #lb-judge-pair, #lb-filters .form, #lb-judge-pair .form {flex-wrap:wrap !important}
  #lb-filters .row > *, #lb-judge-pair > *, #lb-filters .form > *, #lb-judge-pair .form > * {
    min-width:100% !important}
  .lb-table .header-row {flex-wrap:wrap}
  .lb-table .header-row .label {width:100%}
  .lb-bar {width:72px}
  /* the chart menu (⋯) would sit on the chart's title */
  #lb-index details, #lb-trajectory details, #lb-shift details, #lb-ranks details, #lb-scatter details {
    display:none}
}
</style>
"""


@dataclass
class Download:
    button: gr.Button
    file: gr.DownloadButton
    key: str          # which table (labs, models, mig-labs, ...)
    file_id: str


@dataclass
class Layout:
    """The tab's components: the controls in `URL_KEYS` order, and what each handler updates."""
    controls: list[gr.Component]
    url_bar: UrlBar
    main: list[gr.Component]       # see `layout_main`
    change: list[gr.Component]     # status, 3 charts, 6 tables
    downloads: list[Download]

    @property
    def models(self) -> gr.Dataframe:
        return self.main[-3]

    @property
    def profile(self) -> gr.Dataframe:
        return self.main[-1]


def table(label: str, elem_id: str, downloads: list[Download], pinned: int | None = None,
          widths: list[str] | None = None) -> gr.Dataframe:
    """A table and its CSV button (the file is written only when the button is pressed)."""
    frame = gr.Dataframe(label=label, interactive=False, elem_id=elem_id, show_search="search",
                         pinned_columns=pinned, max_height=420, wrap=False, elem_classes=["lb-table"],
                         column_widths=widths)
    button = gr.Button(f"Download {label.lower()} (CSV)", size="sm", elem_id=f"{elem_id}-csv")
    file = gr.DownloadButton("CSV", visible="hidden", elem_id=f"{elem_id}-csv-file")
    downloads.append(Download(button, file, elem_id.removeprefix("lb-"), f"{elem_id}-csv-file"))
    return frame


def layout_filters(store: Store, judges: list[str], start: LeaderboardState):
    """The judge and the filters, in an accordion ("phone-collapsed": the app closes it on a narrow
    screen, toolkit.ui.app): (controls, the minimum-n box)."""
    with gr.Accordion("Judge and filters", open=True, elem_classes=["phone-collapsed"], elem_id="lb-filters"):
        with gr.Row():
            judge = gr.Dropdown(judges, value=start.judge, label="Judge", elem_id="lb-judge", scale=2)
            question_set = gr.Dropdown(question_set_choices(store), value=start.question_set,
                                       label="Question set", elem_id="lb-set")
            domain = gr.Dropdown([ALL_DOMAINS, *store.distinct("domain")], value=ALL_DOMAINS, label="Domain",
                                 elem_id="lb-domain")
            reasoning = gr.Radio(REASONING_RADIO, value="any", label="Models", elem_id="lb-reasoning")
            min_n = gr.Number(start.min_n, label="Minimum answers to rank", precision=0, minimum=0,
                              maximum=MAX_MIN_N, elem_id="lb-min-n", min_width=160,
                              info="A model or lab with fewer judged answers is shown, not ranked.")
    return [judge, question_set, domain, reasoning], min_n


def layout_main(downloads: list[Download]) -> list[gr.Component]:
    """The main view's outputs, in `main_outputs` order."""
    status = gr.Markdown(elem_id="lb-status")
    coverage = gr.Markdown(visible=False, elem_id="lb-coverage", elem_classes=["notice"])
    unranked = gr.Markdown(visible=False, elem_id="lb-unranked")
    gr.Markdown("### Labs")
    labs = table("Lab leaderboard", "lb-labs", downloads)
    index = gr.Plot(show_label=False, elem_id="lb-index")
    off = table("Off the leaderboard", "lb-off", downloads)
    gr.Markdown("Labs not in the index (no model within the window, or none dated): all-time shares "
                "weighted by responses, as SpeechMap lists them, with the answers behind them and a 95% "
                "interval of % complete (a bootstrap over questions).", elem_id="lb-off-note")
    trajectory = gr.Plot(show_label=False, elem_id="lb-trajectory")
    gr.Markdown("### Models")
    models = table("Model scores", "lb-models", downloads, pinned=1, widths=["25%"])
    gr.Markdown(DEPENDENT_NOTE, elem_id="lb-dependent-note")
    model = gr.Dropdown([], value=None, label="Model (or click a row above)", elem_id="lb-model")
    profile = table("Per-domain scores of the model", "lb-profile", downloads, pinned=1, widths=["40%"])
    return [status, coverage, unranked, labs, index, off, trajectory, models, model, profile]


def layout_change(judges: list[str], start: LeaderboardState, downloads: list[Download]):
    """The judge-change section: its two judge dropdowns, and what it shows."""
    gr.Markdown("### Judge change")
    with gr.Row(elem_id="lb-judge-pair"):
        baseline = gr.Dropdown(judges, value=start.baseline, label="Baseline judge", elem_id="lb-from")
        new = gr.Dropdown(judges, value=start.new, label="New judge", elem_id="lb-to")
    shown = [gr.Markdown(elem_id="lb-mig-status")]
    with gr.Row():
        shown += [gr.Plot(show_label=False, elem_id="lb-shift"), gr.Plot(show_label=False, elem_id="lb-ranks")]
    shown += [gr.Plot(show_label=False, elem_id="lb-scatter"),
              table("Aggregate shares", "lb-aggregate", downloads),
              table("Label transitions", "lb-transitions", downloads),
              table("Per-model shift statistics", "lb-shifts", downloads)]
    gr.Markdown(CHANGE_NOTE, elem_id="lb-change-note")   # read before the tables with the intervals
    shown += [table("Biggest gains and drops", "lb-movers", downloads, pinned=2),
              table("Model changes", "lb-mig-models", downloads, pinned=1),
              table("Lab rank changes", "lb-mig-labs", downloads, pinned=1)]
    return [baseline, new], shown


def layout(store: Store, judges: list[str]) -> Layout:
    start = default_state(store)
    downloads: list[Download] = []
    gr.HTML(CSS, padding=False, elem_id="lb-style")
    gr.Markdown("Scores per model and the labs' Free Speech Index (SpeechMap's method: 6-month window, "
                "monthly means, EMA with a 3-month half-life) under the judge you pick.")
    filters, min_n = layout_filters(store, judges, start)
    url_bar = UrlBar("lb")
    main = layout_main(downloads)
    pair, change = layout_change(judges, start, downloads)
    controls = [*filters, *pair, main[-2], min_n]   # URL_KEYS order: judge set domain reasoning from to model min_n
    return Layout(controls, url_bar, main, change, downloads)


# -- what the handlers return ------------------------------------------------------------------
def main_outputs(store: Store, state: LeaderboardState) -> list[Any]:
    """Values for `Layout.main`."""
    view = leaderboard_view(store, state)
    return [main_status(view), gr.Markdown(view["coverage"], visible=bool(view["coverage"])),
            gr.Markdown(view["unranked"], visible=bool(view["unranked"])), lab_table(view["labs"]),
            view["index_chart"], off_table(view["off"]), view["trajectory_chart"],
            model_table(view["models"]),
            gr.Dropdown(choices=view["model_choices"], value=view["model"]),
            table_value(view["profile"], PROFILE_TABLE)]


def migration_outputs(store: Store, state: LeaderboardState) -> list[Any]:
    """Values for `Layout.change`."""
    view = migration_view(store, state)
    tables = [table_value(view[key], list(view[key].columns)) for key in ("aggregate", "transitions", "shifts")]
    tables += [table_value(shown_changes(view["movers"]), MOVERS_SHOWN),
               table_value(shown_changes(view["models"]), MIG_MODEL_SHOWN), table_value(view["labs"], MIG_LAB_SHOWN)]
    return [migration_summary(view["summary"]), view["shift_chart"], view["rank_chart"], view["scatter_chart"],
            *tables]


def csv_frame(store: Store, state: LeaderboardState, key: str) -> tuple[pd.DataFrame, str]:
    """The table behind one CSV button (machine names) and the file's name."""
    stem = f"{state.judge}_{state.question_set}"
    if key in ("labs", "off", "models", "profile"):
        frame = leaderboard_view(store, state)[key]
        return frame, f"{'domains_' + str(state.model) if key == 'profile' else key}_{stem}"
    frame = migration_view(store, state)[{"mig-models": "models", "mig-labs": "labs"}.get(key, key)]
    return frame, f"{key}_{state.baseline}_to_{state.new}_{state.question_set}"


# -- wiring -----------------------------------------------------------------------------------
def build(blocks: gr.Blocks, context: AppContext) -> None:
    store = context.store
    judges = store.judge_names()
    if not judges:
        gr.Markdown("This data has no judgements yet: nothing to rank.")
        return
    tab = layout(store, judges)
    wire_views(blocks, store, tab)
    wire_model(store, tab)
    wire_downloads(store, tab)


def state_of(store: Store, values: tuple) -> LeaderboardState:
    """Control values in `URL_KEYS` order -> state (Rejected for a value no list offers)."""
    return checked_state(store, dict(zip(URL_KEYS, values)))


def refused(count: int, index: int):
    """Outputs for a refused call: the sentence at `index` (a status line), everything else kept."""
    def outputs(message: str) -> list[Any]:
        values = [gr.skip()] * count
        values[index] = plain(message)
        return values
    return outputs


def wire_views(blocks: gr.Blocks, store: Store, tab: Layout) -> None:
    """The page load (state from the URL) and every control but the model."""
    everything = [tab.url_bar.query, *tab.main, *tab.change]
    change_only = [tab.url_bar.query, *tab.change]

    @guarded("leaderboard_filters", refused(len(everything), 1))
    def on_filters(*values):
        state = state_of(store, values)
        return [view_query(TAB, state.query()), *main_outputs(store, state), *migration_outputs(store, state)]

    @guarded("leaderboard_judges", refused(len(change_only), 1))
    def on_judges(*values):
        state = state_of(store, values)
        return [view_query(TAB, state.query()), *migration_outputs(store, state)]

    def on_load(request: gr.Request):
        state = state_from_query(store, query_params(request))
        shown = [state.judge, state.question_set, state.domain, state.reasoning, state.baseline, state.new,
                 state.min_n]
        return [*shown, view_query(TAB, state.query()), *main_outputs(store, state),
                *migration_outputs(store, state)]

    for control in [*tab.controls[:4], tab.controls[7]]:
        control.input(on_filters, tab.controls, everything, trigger_mode="always_last")
    for control in tab.controls[4:6]:
        control.input(on_judges, tab.controls, change_only)
    blocks.load(on_load, None, [*tab.controls[:6], tab.controls[7], *everything])


def wire_model(store: Store, tab: Layout) -> None:
    """The model dropdown and a click on a model row: that model's per-domain scores."""
    @guarded("leaderboard_model", lambda message: [gr.skip(), gr.skip()])
    def on_model(*values):
        state = state_of(store, values)
        return [view_query(TAB, state.query()), table_value(profile_frame(store, state, state.model), PROFILE_TABLE)]

    # Gradio injects gr.SelectData only into a named parameter, hence the spelled-out control values.
    def on_row(j, s, d, r, b, n, m, k, evt: gr.SelectData):
        row = evt.row_value or []
        chosen = row[0] if row else m
        return [gr.Dropdown(value=chosen), *on_model(j, s, d, r, b, n, chosen, k)]

    model = tab.main[-2]
    model.input(on_model, tab.controls, [tab.url_bar.query, tab.profile])
    tab.models.select(on_row, tab.controls, [model, tab.url_bar.query, tab.profile])


def wire_downloads(store: Store, tab: Layout) -> None:
    def writer(key: str):
        @guarded(f"leaderboard_csv_{key}", lambda message: gr.skip())
        def write(*values):
            return csv_file(*csv_frame(store, state_of(store, values), key))
        return write

    for download in tab.downloads:
        download.button.click(writer(download.key), tab.controls, download.file, api_visibility="private").then(
            None, js=download_js(download.file_id))
