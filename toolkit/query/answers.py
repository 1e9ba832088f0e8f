"""One response with its question, and the other models' answers to the same question (what the
Pairwise tab compares a drill-down item with)."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from toolkit.storage.store import Store

OTHER_COLUMNS = ["response_id", "model"]


@dataclass(frozen=True)
class Answer:
    response_id: str
    model: str
    question: str      # the question's text ("" when the data has none)
    content: str       # the response's text ("" when missing)


def answer(store: Store, response_id: str) -> Answer | None:
    """The response `response_id` with its question's text; None when there is no such response."""
    rows = store.rows(
        "SELECT v.response_id, v.model, coalesce(q.text, '') FROM response_view v "
        "LEFT JOIN questions q USING (question_uid) WHERE v.response_id = ?", [str(response_id)])
    if not rows:
        return None
    rid, model, question = rows[0]
    texts = store.records_by_response_id("responses", ["content"], [rid])
    return Answer(rid, model, question, (texts[0].get("content") if texts else None) or "")


def other_answers(store: Store, response_id: str) -> pd.DataFrame:
    """The other responses to the same question (same question_uid), one per model: response_id and
    model, by model name (a model that answered twice shows its first response id)."""
    return store.query(
        """
        SELECT min(o.response_id) AS response_id, o.model
        FROM response_view r JOIN response_view o ON o.question_uid = r.question_uid
        WHERE r.response_id = ? AND o.response_id <> r.response_id AND o.model <> r.model
        GROUP BY o.model ORDER BY o.model
        """, [str(response_id)])[OTHER_COLUMNS]
