"""The other models' answers to a question (toolkit.query.answers), on a hand-made store:
question q1 answered by m1 (twice: r1, r4), m2 (r2) and m3 (r3); q2 answered by m1 only (r5)."""
from __future__ import annotations

import pandas as pd
import pytest

from toolkit.core.tables import write_tables
from toolkit.query.answers import answer, other_answers
from toolkit.storage.store import Store


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    questions = [{"question_uid": q, "question_id": q, "question_set": "s", "domain": "D", "theme": "t",
                  "variation": 1, "text": f"Text of {q}"} for q in ("q1", "q2")]
    answered = [("r1", "q1", "m1"), ("r2", "q1", "m2"), ("r3", "q1", "m3"), ("r4", "q1", "m1"), ("r5", "q2", "m1")]
    responses = [{"response_id": r, "question_uid": q, "question_id": q, "question_set": "s", "model": m,
                  "timestamp": "2025-01-01", "provider": "P", "content": f"Answer {r}"} for r, q, m in answered]
    assessments = [{"assessment_id": r, "response_id": r, "judge": "j", "judge_raw": "j", "judge_type": "llm",
                    "label": "COMPLETE", "label_raw": "COMPLETE", "analysis": "", "timestamp": "2025-02-01"}
                   for r, _, _ in answered]
    models = pd.DataFrame({"model": ["m1", "m2", "m3"], "lab": ["l", "l", "l"], "family": ["f"] * 3,
                           "reasoning": [False] * 3})
    folder = write_tables(tmp_path_factory.mktemp("answers") / "data", {
        "questions": pd.DataFrame(questions), "responses": pd.DataFrame(responses),
        "assessments": pd.DataFrame(assessments), "models": models})
    return Store.open(folder)


def test_one_answer_with_its_question(store):
    found = answer(store, "r2")
    assert (found.response_id, found.model, found.question, found.content) == ("r2", "m2", "Text of q1", "Answer r2")
    assert answer(store, "nope") is None


def test_other_models_answers_to_the_same_question(store):
    assert other_answers(store, "r1").values.tolist() == [["r2", "m2"], ["r3", "m3"]]   # not m1's r4
    assert other_answers(store, "r2").values.tolist() == [["r1", "m1"], ["r3", "m3"]]   # m1 once, first id
    assert other_answers(store, "r5").empty and other_answers(store, "nope").empty
