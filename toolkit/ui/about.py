"""The "About the data" view: real counts per table, judge and question set."""
from __future__ import annotations

import gradio as gr
import pandas as pd

from toolkit.storage.store import Store

from .context import AppContext


def table_counts(store: Store) -> pd.DataFrame:
    counts = store.counts()
    return pd.DataFrame({"table": list(counts), "rows": list(counts.values())})


def judge_counts(store: Store) -> pd.DataFrame:
    return store.query(
        """SELECT judge, judge_type, assessments,
                  count(DISTINCT a.response_id) AS responses_judged
           FROM judges JOIN assessments a USING (judge, judge_type)
           GROUP BY ALL ORDER BY assessments DESC, judge""")


def question_set_counts(store: Store) -> pd.DataFrame:
    return store.query(
        """SELECT q.question_set, count(DISTINCT q.question_uid) AS questions,
                  count(DISTINCT q.theme) AS themes, count(DISTINCT q.domain) AS domains,
                  (SELECT count(*) FROM responses r WHERE r.question_set = q.question_set) AS responses,
                  (SELECT count(DISTINCT model) FROM responses r WHERE r.question_set = q.question_set) AS models
           FROM questions q GROUP BY q.question_set ORDER BY responses DESC, q.question_set""")


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
