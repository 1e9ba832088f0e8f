"""The "About the data" view: what the verdicts mean, how scores are computed, the datasets and their
licences, real counts per table, judge and question set. It names the kind of data source, never a
server path. State in the URL: just the tab (?tab=about)."""
from __future__ import annotations

import gradio as gr
import pandas as pd

from toolkit.query.inventory import judge_counts, question_set_counts, table_counts
from toolkit.storage.store import Store

from . import texts
from .columns import shown_table
from .context import AppContext
from .url_state import UrlBar, view_query

TAB = "about"
HUMAN_LICENCE = "CC-BY-4.0"
LLM_LICENCE = "the judge model's terms"


def header_line(store: Store, source: str) -> str:
    """One line that says which data the app shows, with counts."""
    counts = store.counts()
    kind = {"demo": "Demo data (generated, not real)", "local": "Local build", "hub": "Published datasets"}[source]
    return (f"{kind}: {counts['questions']:,} questions · {counts['responses']:,} responses · "
            f"{counts['assessments']:,} assessments · {counts['judges']:,} judges · {counts['models']:,} models")


def verdicts_markdown() -> str:
    rows = [f"- **{symbol} {label}**: {meaning}" for label, (symbol, meaning) in texts.VERDICTS.items()]
    return "\n".join([texts.ABOUT_VERDICTS_TITLE, *rows])


def judges_with_licence(store: Store) -> pd.DataFrame:
    """Judge counts with the licence of each judge's verdicts (human annotations CC-BY-4.0)."""
    judges = judge_counts(store)
    return judges.assign(licence=judges["judge_type"].map(lambda kind: HUMAN_LICENCE if kind == "human"
                                                          else LLM_LICENCE))


def counts_table(frame: pd.DataFrame, label: str, elem_id: str) -> gr.Dataframe:
    """A read-only table with human headers and thousands separators (columns.COLUMNS)."""
    kinds = ["number" if pd.api.types.is_numeric_dtype(frame[c]) else "str" for c in frame.columns]
    return gr.Dataframe(shown_table(frame), datatype=kinds, label=label, interactive=False, elem_id=elem_id)


def build(blocks: gr.Blocks, context: AppContext) -> None:
    store = context.store
    gr.Markdown(verdicts_markdown(), elem_id="about-verdicts")
    gr.Markdown(texts.ABOUT_SCORES, elem_id="about-scores")
    gr.Markdown(texts.ABOUT_VIEW_SCORES, elem_id="about-view-scores")
    gr.Markdown(f"### The data\nSource: {texts.ABOUT_SOURCE.get(context.source, 'unknown')}.", elem_id="about-source")
    counts_table(table_counts(store), "Rows per table", "about-tables")
    counts_table(judges_with_licence(store), "Judges", "about-judges")
    counts_table(question_set_counts(store), "Question sets", "about-sets")
    report = store.build_report()
    if report:
        totals = report.get("totals", {})
        gr.Markdown(
            f"Build: {totals.get('lines_read', 0):,} lines read = {totals.get('rows_written', 0):,} rows written "
            f"+ {totals.get('quarantined', 0):,} quarantined (listed in the build's quarantine file).")
    gr.Markdown(texts.ABOUT_DATASETS, elem_id="about-datasets")
    url_bar = UrlBar("about")
    # The view has no controls: its loader only writes ?tab=about (absolute) into the link box.
    blocks.load(lambda request: view_query(TAB, {}), None, url_bar.query, api_visibility="private")
