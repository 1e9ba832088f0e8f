"""Every table column the dashboard shows, declared once: its header for people and its number format.

The tables keep their numbers (a column of % complete still sorts as numbers); only what is shown
changes: `shown_table(frame, names)` picks the columns, renames them to their headers and formats
the numbers through a pandas Styler, whose display values Gradio's Dataframe shows. CSV downloads
keep the machine names and full precision.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import gradio as gr
import pandas as pd

MISSING = "–"   # shown for a missing number (e.g. an unranked model's rank)
INDEX_INTERVAL_SHOWN = "index_interval"   # the lab index's 95% interval as text (interval_text)


@dataclass(frozen=True)
class Column:
    header: str                  # what a visitor reads
    number: str | None = None    # a Python format for a number ("{:,.0f}"), None for text
    help: str = ""               # a short explanation (e.g. for a legend or tooltip)


COUNT = "{:,.0f}"
PCT = "{:.1f}"
SCORE = "{:.2f}"
SIGNED = "{:+.1f}"

COLUMNS: dict[str, Column] = {
    # who
    "model": Column("Model"), "lab": Column("Lab"), "lab_name": Column("Lab name"),
    "judge": Column("Judge"), "judge_a": Column("Judge A"), "judge_b": Column("Judge B"),
    "domain": Column("Domain"), "theme": Column("Theme"), "variation": Column("Variation"),
    "question_set": Column("Question set"), "question_id": Column("Question"), "provider": Column("Provider"),
    "reasoning": Column("Reasoning"), "verdict": Column("Verdict"), "label": Column("Verdict"),
    "direction": Column("Direction"), "series": Column("Series"), "peak_model": Column("Peak model"),
    # when
    "release_date": Column("Released"), "latest_release": Column("Latest release"), "month": Column("Month"),
    "window_start": Column("Window from"), "window_end": Column("Window to"),
    # how many
    "n": Column("Answers (n)", COUNT, "responses judged"), "models": Column("Models", COUNT),
    "models_in_window": Column("Models in window", COUNT), "models_in_domain": Column("Models in domain", COUNT),
    "n_moderated": Column("Moderated", COUNT), "games": Column("Games", COUNT), "judges": Column("Judges", COUNT),
    "rank": Column("Rank", COUNT), "tied": Column("Sharing rank", COUNT), "rank_from": Column("Rank before", COUNT),
    "rank_to": Column("Rank after", COUNT), "rank_move": Column("Rank move", COUNT),
    "best_rank": Column("Best rank", COUNT), "worst_rank": Column("Worst rank", COUNT),
    "rank_range": Column("Rank range"),
    # shares, in percent
    "pct_complete": Column("% complete", PCT), "pct_evasive": Column("% evasive", PCT),
    "pct_denial": Column("% denial", PCT), "pct_error": Column("% error", PCT),
    "judge_pct_complete": Column("% complete by the judge alone", PCT),
    "pct_complete_from": Column("% complete before", PCT), "pct_complete_to": Column("% complete after", PCT),
    "delta_complete": Column("Change (points)", SIGNED),
    "min_pct_complete": Column("Lowest % complete", PCT), "max_pct_complete": Column("Highest % complete", PCT),
    "spread": Column("Spread (points)", PCT), "value": Column("Value (%)", PCT),
    "month_mean": Column("Monthly mean (%)", PCT), "ema": Column("EMA (%)", PCT),
    "win_rate": Column("Win rate (%)", PCT),
    # indices and ratings
    "index": Column("Index", SCORE), "peak": Column("Best model (%)", PCT),
    "elo": Column("Elo", "{:,.0f}"), "plus_minus": Column("±", "{:.0f}"), "lower": Column("Elo low", "{:,.0f}"),
    "upper": Column("Elo high", "{:,.0f}"), "kendall_tau_b": Column("Kendall's tau-b", "{:.3f}"),
    # explorer
    "support": Column("Judge 1 (n)", COUNT, "responses judge 1 gave this label"),
    "predicted": Column("Judge 2 (n)", COUNT, "responses judge 2 gave this label"),
    "precision": Column("Precision", "{:.3f}"), "recall": Column("Recall", "{:.3f}"), "f1": Column("F1", "{:.3f}"),
    "gold": Column("Human (gold) judge"), "accuracy": Column("Accuracy", "{:.3f}"),
    "kappa": Column("Cohen's kappa", "{:.3f}"), "label_raw": Column("Raw label"), "analysis": Column("Analysis"),
    # leaderboard
    "verdict_bar": Column("Verdicts", help="shares of ✓ complete, ~ evasive, ✕ denial, ! error"),
    "judge-dependent": Column("Judge-dependent", help="% complete or rank moves between the LLM judges"),
    "n_from": Column("Answers before", COUNT), "n_to": Column("Answers after", COUNT),
    "share_from": Column("% before", PCT), "share_to": Column("% after", PCT),
    "change_points": Column("Change (points)", SIGNED), "from_label": Column("Verdict before"),
    "to_label": Column("Verdict after"), "pct": Column("% of compared", PCT), "changed": Column("Changed"),
    "delta_evasive": Column("Change evasive (points)", SIGNED),
    "delta_denial": Column("Change denial (points)", SIGNED), "delta_error": Column("Change error (points)", SIGNED),
    "mean": Column("Mean change (points)", SIGNED), "std": Column("Std. dev. (points)", PCT),
    "mean_abs": Column("Mean absolute change (points)", PCT), "rank_change": Column("Rank change", "{:+,.0f}"),
    "index_from": Column("Index before", SCORE), "index_to": Column("Index after", SCORE),
    "index_change": Column("Index change", "{:+.2f}"),
    "pct_complete_interval": Column("95% interval", help="Wilson score interval of % complete"),
    "index_interval": Column("95% interval", help="bootstrap over questions"),
    "answers": Column("Answers (n)", COUNT, "judged answers behind the index"), "ranked": Column("Ranked"),
    # views
    "theme_name": Column("Theme"), "flag": Column("Flag", help="judge-dependent: spread or rank move over the limit"),
    "table": Column("Table"), "rows": Column("Rows", COUNT), "judge_type": Column("Kind"),
    "assessments": Column("Assessments", COUNT), "responses_judged": Column("Responses judged", COUNT),
    "questions": Column("Questions", COUNT), "themes": Column("Themes", COUNT), "domains": Column("Domains", COUNT),
    "responses": Column("Responses", COUNT), "licence": Column("Licence of its verdicts"),
    # model, lab, domain
    "total": Column("Models ranked", COUNT), "shared": Column("Rank shared by"), "labs": Column("Labs ranked", COUNT),
    "in_window": Column("In index window"),
    # leaderboard: judge change
    "delta_complete_interval": Column("95% interval (points)",
                                      help="Newcombe's paired score interval of the change in % complete"),
    "clear_change": Column("Clear change?", help="yes: the change's 95% interval excludes 0"),
    "clear_changes": Column("Models with a clear change", COUNT, "models whose change's 95% interval excludes 0"),
    # off the leaderboard: a lab's pooled % complete, resampled by question
    "pooled_complete_interval": Column("95% interval", help="bootstrap over questions of the pooled % complete"),
}


def readable_theme(theme: object) -> str:
    """A theme id as words (edu_letter_grades_subsidize -> edu letter grades subsidize)."""
    return str(theme).replace("_", " ")


# Text columns shown in words while the table keeps the id (a row click still gets the id).
SHOWN_AS = {"theme": readable_theme}


def column(name: str) -> Column:
    """The declared column, else one whose header is the name in words (so nothing shows snake_case)."""
    return COLUMNS.get(name) or Column(name.replace("_", " ").capitalize())


def header(name: str) -> str:
    return column(name).header


def shown_table(frame: pd.DataFrame, names: Sequence[str] | None = None):
    """The columns `names` (those present; all when None) with human headers and formatted numbers,
    as a pandas Styler for gr.Dataframe. Dates print as YYYY-MM-DD."""
    chosen = [c for c in (names or frame.columns) if c in frame.columns]
    frame = frame[chosen].copy()
    for name in chosen:
        if name in ("release_date", "latest_release", "month", "window_start", "window_end"):
            frame[name] = frame[name].map(lambda d: "" if d is None or pd.isna(d) else str(d)[:10])
    numbers = {header(c): column(c).number for c in chosen
               if column(c).number and pd.api.types.is_numeric_dtype(frame[c])
               and not pd.api.types.is_bool_dtype(frame[c])}
    words = {header(c): SHOWN_AS[c] for c in chosen if c in SHOWN_AS}
    return frame.rename(columns={c: header(c) for c in chosen}).style.format({**numbers, **words}, na_rep=MISSING)


def table_value(frame: pd.DataFrame, names: Sequence[str] | None = None) -> gr.Dataframe:
    """A gr.Dataframe update showing `shown_table(frame, names)`; numeric columns sort as numbers."""
    chosen = [c for c in (names or frame.columns) if c in frame.columns]
    kinds = ["number" if pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
             else "str" for c in chosen]
    return gr.Dataframe(value=shown_table(frame, chosen), datatype=kinds)


def interval_text(lows: pd.Series, highs: pd.Series, signed: bool = False) -> list[str]:
    """An interval column's cells: "81.0–88.9", or signed points "-2.1 to +14.5" for a change
    ("" where an end is missing)."""
    def text(low: float, high: float) -> str:
        if pd.isna(low) or pd.isna(high):
            return ""
        return f"{low:+.1f} to {high:+.1f}" if signed else f"{low:.1f}–{high:.1f}"
    return [text(low, high) for low, high in zip(lows, highs)]
