"""The "About the data" view: real counts per table, judge and question set."""
from __future__ import annotations

import gradio as gr

from toolkit.query.inventory import judge_counts, question_set_counts, table_counts
from toolkit.storage.store import Store

from .context import AppContext


def header_line(store: Store, source: str) -> str:
    """One line that says which data the app shows, with counts."""
    counts = store.counts()
    kind = {"demo": "Demo data (generated, not real)", "local": "Local build", "hub": "Published datasets"}[source]
    return (f"{kind}: {counts['questions']:,} questions · {counts['responses']:,} responses · "
            f"{counts['assessments']:,} assessments · {counts['judges']:,} judges · {counts['models']:,} models")


def build(blocks: gr.Blocks, context: AppContext) -> None:
    store = context.store
    gr.Markdown(f"Data folder: `{context.data_dir}`")
    gr.Dataframe(table_counts(store), label="Rows per table", interactive=False, elem_id="about-tables")
    gr.Dataframe(judge_counts(store), label="Judges", interactive=False, elem_id="about-judges")
    gr.Dataframe(question_set_counts(store), label="Question sets", interactive=False, elem_id="about-sets")
    report = store.build_report()
    if report:
        totals = report.get("totals", {})
        gr.Markdown(
            f"Build: {totals.get('lines_read', 0):,} lines read = {totals.get('rows_written', 0):,} rows written "
            f"+ {totals.get('quarantined', 0):,} quarantined (see `quarantine.jsonl` in the data folder).")
