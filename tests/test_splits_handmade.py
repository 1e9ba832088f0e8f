"""Classifier splits on small hand-made tables whose outcome is worked out by hand."""
from __future__ import annotations

import pandas as pd
import pytest

from toolkit.core.schema import question_uid
from toolkit.release import splits as S
from toolkit.storage.store import Store
from toolkit.core.tables import write_tables


def test_minos_text_is_exact():
    assert S.minos_text("Q?", "A.") == "<|user|>\nQ?\n<|assistant|>\nA."


@pytest.mark.parametrize("label,evasive,want", [
    ("DENIAL", "refusal", 1), ("COMPLETE", "refusal", 0), ("EVASIVE", "refusal", 1),
    ("EVASIVE", "compliance", 0), ("EVASIVE", "drop", None), ("ERROR", "refusal", None),
])
def test_refusal_label(label, evasive, want):
    assert S.refusal_label(label, evasive) == want


def test_split_of_depends_only_on_seed_and_theme():
    themes = [f"theme_{i}" for i in range(2000)]
    first = [S.split_of(t, 0) for t in themes]
    assert first == [S.split_of(t, 0) for t in themes]
    assert first != [S.split_of(t, 1) for t in themes]
    share = {name: first.count(name) / len(themes) for name in S.SPLITS}
    assert abs(share["train"] - 0.8) < 0.03 and abs(share["test"] - 0.1) < 0.02
    assert S.split_of("x", 0, (1.0, 0.0, 0.0)) == "train"
    assert S.split_of("x", 0, (0.0, 0.0, 1.0)) == "test"


def test_options_reject_bad_values():
    with pytest.raises(ValueError, match="min-judges"):
        S.SplitOptions(min_judges=0)
    with pytest.raises(ValueError, match="fractions"):
        S.SplitOptions(fractions=(0.5, 0.5, 0.5))


def assessment(rid, judge, label, judge_type="llm", timestamp="2025-01-01"):
    return dict(response_id=rid, judge=judge, judge_raw=judge, judge_type=judge_type, label=label,
                label_raw=label, timestamp=timestamp)


@pytest.fixture()
def handmade(tmp_path):
    """Seven responses to seven questions (themes t1..t7), judged as follows:
    r1 a,b,c COMPLETE          -> unanimous COMPLETE
    r2 a DENIAL, b EVASIVE     -> disagreement; human h1 DENIAL -> DENIAL (brought in by the human)
    r3 a EVASIVE               -> one judge only: out with min_judges 2
    r4 a,b ERROR               -> unanimous ERROR: out by default
    r5 a,b DENIAL; h1 COMPLETE (2025) and h2 DENIAL (2026) -> newest human: DENIAL
    r6 a,b COMPLETE; h1 EVASIVE, h2 DENIAL, both without timestamp -> human conflict: out
    r7 a,b COMPLETE, same text as r1 (same question, same answer) -> duplicate of r1: out
    """
    questions, responses = [], []
    for i in range(1, 8):
        qid = f"t{i}_x1" if i != 7 else "t1_x1"
        if i != 7:
            questions.append(dict(question_uid=question_uid("us_hard", qid), question_id=qid, question_set="us_hard",
                                  domain="D1" if i % 2 else "D2", theme=f"t{i}_x", variation=1, text=f"question {i}"))
        responses.append(dict(response_id=f"r{i}", question_uid=question_uid("us_hard", qid), question_id=qid,
                              question_set="us_hard", model="m7" if i == 7 else "m", timestamp="2025",
                              content="answer 1" if i == 7 else f"answer {i}"))
    rows = [assessment("r1", j, "COMPLETE") for j in "abc"]
    rows += [assessment("r2", "a", "DENIAL"), assessment("r2", "b", "EVASIVE"), assessment("r2", "h1", "DENIAL", "human")]
    rows += [assessment("r3", "a", "EVASIVE")]
    rows += [assessment("r4", j, "ERROR") for j in "ab"]
    rows += [assessment("r5", j, "DENIAL") for j in "ab"]
    rows += [assessment("r5", "h1", "COMPLETE", "human", "2025-01-01"), assessment("r5", "h2", "DENIAL", "human", "2026-01-01")]
    rows += [assessment("r6", j, "COMPLETE") for j in "ab"]
    rows += [assessment("r6", "h1", "EVASIVE", "human", None), assessment("r6", "h2", "DENIAL", "human", None)]
    rows += [assessment("r7", j, "COMPLETE") for j in "ab"]
    folder = write_tables(tmp_path / "data", {"questions": pd.DataFrame(questions),
                                              "responses": pd.DataFrame(responses),
                                              "assessments": pd.DataFrame(rows)})
    return Store.open(folder)


def everything(result):
    rows = pd.concat(result.splits.values(), ignore_index=True)
    return {r: (label, judges, source) for r, label, judges, source
            in zip(rows["response_id"], rows["label"], rows["judges"].map(list), rows["source"])}


def test_defaults(handmade):
    result = S.make_splits(handmade, S.SplitOptions())
    assert everything(result) == {
        "r1": ("COMPLETE", ["a", "b", "c"], "unanimous"),
        "r2": ("DENIAL", ["a", "h1"], "human"),
        "r5": ("DENIAL", ["a", "b", "h2"], "human"),
    }
    counts = result.report["counts"]
    assert counts["llm_too_few_judges"] == 1            # r3
    assert counts["excluded_error"] == 1                # r4
    assert counts["human_conflict"] == 1                # r6
    assert counts["duplicate_text"] == 1                # r7
    assert counts["human_over_llm_disagreement"] == 1   # r2
    assert counts["human_differs_from_llm_agreement"] == 0  # r5: the newest human (h2) agrees with a, b


def test_options_change_the_outcome(handmade):
    one = everything(S.make_splits(handmade, S.SplitOptions(min_judges=1, include_error=True)))
    assert one["r3"] == ("EVASIVE", ["a"], "unanimous") and one["r4"][0] == "ERROR"
    by_priority = S.make_splits(handmade, S.SplitOptions(human_judges=("h1", "h2")))
    priority = everything(by_priority)
    assert by_priority.report["counts"]["human_differs_from_llm_agreement"] == 2  # r5 and r6: h1 overrides a, b
    assert priority["r5"] == ("COMPLETE", ["h1"], "human") and priority["r6"] == ("EVASIVE", ["h1"], "human")
    limited = everything(S.make_splits(handmade, S.SplitOptions(judges=("a", "b"), use_humans=False)))
    assert limited["r1"] == ("COMPLETE", ["a", "b"], "unanimous") and "r2" not in limited
    assert limited["r6"] == ("COMPLETE", ["a", "b"], "unanimous")


def test_duplicates_with_different_labels_are_all_dropped():
    items = pd.DataFrame({"response_id": ["r1", "r2", "r3"], "text": ["x", "x", "y"],
                          "label": ["COMPLETE", "DENIAL", "DENIAL"]})
    kept, counts = S.remove_duplicate_texts(items)
    assert list(kept["response_id"]) == ["r3"]
    assert counts == {"duplicate_text": 0, "duplicate_conflict": 2}


def test_label_balance_by_hand():
    frame = pd.DataFrame({"split": ["train"] * 3 + ["test"], "label": ["COMPLETE", "COMPLETE", "DENIAL", "DENIAL"]})
    assert S.label_balance(frame, ["split"]) == [
        {"split": "test", "label": "DENIAL", "n": 1, "share": 1.0},
        {"split": "train", "label": "COMPLETE", "n": 2, "share": 0.6667},
        {"split": "train", "label": "DENIAL", "n": 1, "share": 0.3333},
    ]


def test_a_tied_judgement_is_broken_as_the_store_breaks_it(tmp_path):
    """Judge a judged r1 twice at the same time: DENIAL (assessment a_1) and COMPLETE (a_2), the
    larger id written first. The store's rule (largest (timestamp, assessment_id)) keeps a_2:
    COMPLETE, so a and b agree and r1 enters as unanimous COMPLETE. (Keeping the row found last,
    as the splits once did, would have kept DENIAL and left r1 out as a disagreement.) The build
    never writes such a tie (it keeps one judgement per judge and response): hence hand-made tables."""
    qid = "t1_x1"
    questions = [dict(question_uid=question_uid("us_hard", qid), question_id=qid, question_set="us_hard",
                      domain="D1", theme="t1_x", variation=1, text="question 1")]
    responses = [dict(response_id="r1", question_uid=question_uid("us_hard", qid), question_id=qid,
                      question_set="us_hard", model="m", timestamp="2025", content="answer 1")]
    rows = [dict(assessment("r1", "a", "COMPLETE"), assessment_id="a_2"),
            dict(assessment("r1", "a", "DENIAL"), assessment_id="a_1"),
            dict(assessment("r1", "b", "COMPLETE"), assessment_id="b_1")]
    store = Store.open(write_tables(tmp_path / "data", {"questions": pd.DataFrame(questions),
                                                        "responses": pd.DataFrame(responses),
                                                        "assessments": pd.DataFrame(rows)}))
    in_store = store.query(f"SELECT {store.judge_column('a')} AS label FROM response_view")["label"].tolist()
    assert in_store == ["COMPLETE"]
    assert everything(S.make_splits(store, S.SplitOptions())) == {"r1": ("COMPLETE", ["a", "b"], "unanimous")}
