"""What a data folder holds: rows per table, assessments per judge, questions and responses per set."""
from __future__ import annotations

import pandas as pd

from toolkit.storage.store import Store


def table_counts(store: Store) -> pd.DataFrame:
    """One row per table: table, rows."""
    counts = store.counts()
    return pd.DataFrame({"table": list(counts), "rows": list(counts.values())})


def judge_counts(store: Store) -> pd.DataFrame:
    """One row per judge: judge, judge_type, assessments, responses_judged (distinct responses)."""
    return store.query(
        """SELECT judge, judge_type, assessments,
                  count(DISTINCT a.response_id) AS responses_judged
           FROM judges JOIN assessments a USING (judge, judge_type)
           GROUP BY ALL ORDER BY assessments DESC, judge""")


def question_set_counts(store: Store) -> pd.DataFrame:
    """One row per question set: questions, themes, domains, responses, models."""
    return store.query(
        """SELECT q.question_set, count(DISTINCT q.question_uid) AS questions,
                  count(DISTINCT q.theme) AS themes, count(DISTINCT q.domain) AS domains,
                  (SELECT count(*) FROM responses r WHERE r.question_set = q.question_set) AS responses,
                  (SELECT count(DISTINCT model) FROM responses r WHERE r.question_set = q.question_set) AS models
           FROM questions q GROUP BY q.question_set ORDER BY responses DESC, q.question_set""")
