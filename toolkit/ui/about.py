"""The "About the data" view: what the verdicts mean, how scores are computed, real counts per table,
judge and question set. It names the kind of data source, never a server path."""
from __future__ import annotations

import gradio as gr
import pandas as pd

from toolkit.query.inventory import judge_counts, question_set_counts, table_counts
from toolkit.storage.store import Store

from . import texts
from .context import AppContext


def header_line(store: Store, source: str) -> str:
    """One line that says which data the app shows, with counts."""
    counts = store.counts()
    kind = {"demo": "Demo data (generated, not real)", "local": "Local build", "hub": "Published datasets"}[source]
    return (f"{kind}: {counts['questions']:,} questions · {counts['responses']:,} responses · "
            f"{counts['assessments']:,} assessments · {counts['judges']:,} judges · {counts['models']:,} models")


def with_separators(frame: pd.DataFrame) -> pd.DataFrame:
    """Integer columns as text with thousands separators (1,234), for reading, not sorting."""
    shown = frame.copy()
    for column in shown.columns:
        if pd.api.types.is_integer_dtype(shown[column]):
            shown[column] = shown[column].map(lambda n: f"{n:,}")
    return shown


def verdicts_markdown() -> str:
    rows = [f"- **{symbol} {label}**: {meaning}" for label, (symbol, meaning) in texts.VERDICTS.items()]
    return "\n".join([texts.ABOUT_VERDICTS_TITLE, *rows])


def build(blocks: gr.Blocks, context: AppContext) -> None:
    store = context.store
    gr.Markdown(verdicts_markdown(), elem_id="about-verdicts")
    gr.Markdown(texts.ABOUT_SCORES, elem_id="about-scores")
    gr.Markdown(f"### The data\nSource: {texts.ABOUT_SOURCE.get(context.source, 'unknown')}.", elem_id="about-source")
    gr.Dataframe(with_separators(table_counts(store)), label="Rows per table", interactive=False,
                 elem_id="about-tables")
    gr.Dataframe(with_separators(judge_counts(store)), label="Judges", interactive=False, elem_id="about-judges")
    gr.Dataframe(with_separators(question_set_counts(store)), label="Question sets", interactive=False,
                 elem_id="about-sets")
    report = store.build_report()
    if report:
        totals = report.get("totals", {})
        gr.Markdown(
            f"Build: {totals.get('lines_read', 0):,} lines read = {totals.get('rows_written', 0):,} rows written "
            f"+ {totals.get('quarantined', 0):,} quarantined (listed in the build's quarantine file).")
