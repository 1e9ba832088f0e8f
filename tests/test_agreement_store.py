"""Transition matrices, drill-down and the CLI on a hand-made data folder whose figures are counted by hand.

Judges A and B (LLM) and H (human). B has two rows for r1 (an older DENIAL, the newest COMPLETE) and
two for r3, so a self-join of assessments would count 9 pairs where there are 7 responses.

    resp  question     model  A                           B                           H
    r1    q1 s1 alpha  m/a    COMPLETE                    COMPLETE (older: DENIAL)    COMPLETE
    r2    q2 s1 beta   m/a    COMPLETE                    EVASIVE                     EVASIVE
    r3    q3 s2 gamma  m/a    DENIAL                      DENIAL (twice)              DENIAL
    r4    q1 s1 alpha  m/b    EVASIVE                     EVASIVE                     COMPLETE
    r5    q2 s1 beta   m/b    COMPLETE                    DENIAL (raw REFUSAL)
    r6    q3 s2 gamma  m/b    ERROR_ORIGINAL_MODERATION   ERROR_JUDGE_FORMAT
    r7    q1 s1 alpha  m/a    DENIAL                      COMPLETE
    r8    q2 s1 beta   m/b    COMPLETE
"""
from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout

import pandas as pd
import pytest

from toolkit.cli import main
from toolkit.core.labels import canonical
from toolkit.query import agreement as ag, pages
from toolkit.storage.store import Store
from toolkit.core.tables import write_tables

A, B, H = "judge/a", "judge/b", "human/h"

QUESTIONS = [
    {"question_uid": "q1", "question_id": "alpha1", "question_set": "s1", "domain": "D1", "theme": "alpha",
     "variation": 1, "text": "Question one"},
    {"question_uid": "q2", "question_id": "beta2", "question_set": "s1", "domain": "D2", "theme": "beta",
     "variation": 2, "text": "Question two"},
    {"question_uid": "q3", "question_id": "gamma3", "question_set": "s2", "domain": "D1", "theme": "gamma",
     "variation": 3, "text": "Question three"},
]
RESPONSES = [  # (response_id, question_uid, model)
    ("r1", "q1", "m/a"), ("r2", "q2", "m/a"), ("r3", "q3", "m/a"), ("r4", "q1", "m/b"),
    ("r5", "q2", "m/b"), ("r6", "q3", "m/b"), ("r7", "q1", "m/a"), ("r8", "q2", "m/b"),
]
JUDGEMENTS = [  # (response_id, judge, raw label, timestamp)
    ("r1", A, "COMPLETE", "2025-01-01"), ("r2", A, "COMPLETE", "2025-01-01"), ("r3", A, "DENIAL", "2025-01-01"),
    ("r4", A, "EVASIVE", "2025-01-01"), ("r5", A, "COMPLETE", "2025-01-01"),
    ("r6", A, "ERROR_ORIGINAL_MODERATION", "2025-01-01"), ("r7", A, "DENIAL", "2025-01-01"),
    ("r8", A, "COMPLETE", "2025-01-01"),
    ("r1", B, "DENIAL", "2025-01-01"), ("r1", B, "COMPLETE", "2025-06-01"), ("r2", B, "EVASIVE", "2025-06-01"),
    ("r3", B, "DENIAL", "2025-01-01"), ("r3", B, "DENIAL", "2025-06-01"), ("r4", B, "EVASIVE", "2025-06-01"),
    ("r5", B, "REFUSAL", "2025-06-01"), ("r6", B, "ERROR_JUDGE_FORMAT", "2025-06-01"),
    ("r7", B, "COMPLETE", "2025-06-01"),
    ("r1", H, "COMPLETE", "2025-07-01"), ("r2", H, "EVASIVE", "2025-07-01"), ("r3", H, "DENIAL", "2025-07-01"),
    ("r4", H, "COMPLETE", "2025-07-01"),
]


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    by_uid = {q["question_uid"]: q for q in QUESTIONS}
    responses = [{"response_id": rid, "question_uid": quid, "question_id": by_uid[quid]["question_id"],
                  "question_set": by_uid[quid]["question_set"], "model": model, "timestamp": f"2024-0{i + 1}-01",
                  "provider": "Prov" + model[-1], "content": f"Answer {rid} in **bold**"}
                 for i, (rid, quid, model) in enumerate(RESPONSES)]
    assessments = [{"assessment_id": f"a{i}", "response_id": rid, "judge": judge, "judge_raw": judge,
                    "judge_type": "human" if judge == H else "llm", "label": canonical(raw), "label_raw": raw,
                    "analysis": f"{judge} on {rid} at {ts}", "timestamp": ts}
                   for i, (rid, judge, raw, ts) in enumerate(JUDGEMENTS)]
    models = [{"model": "m/a", "lab": "laba", "family": "fa", "reasoning": False},
              {"model": "m/b", "lab": "labb", "family": "fb", "reasoning": True}]
    folder = write_tables(tmp_path_factory.mktemp("agreement") / "data", {
        "questions": pd.DataFrame(QUESTIONS), "responses": pd.DataFrame(responses),
        "assessments": pd.DataFrame(assessments), "models": pd.DataFrame(models)})
    return Store.open(folder)


def test_matrix_counts_each_response_once(store):
    report = ag.agreement_report(store, ag.Side(A), ag.Side(B))
    assert report["n"] == 7  # a self-join would give 9 (B's duplicate rows on r1 and r3)
    assert report["matrix"] == {
        "COMPLETE": {"COMPLETE": 1, "EVASIVE": 1, "DENIAL": 1, "ERROR": 0},
        "EVASIVE": {"COMPLETE": 0, "EVASIVE": 1, "DENIAL": 0, "ERROR": 0},
        "DENIAL": {"COMPLETE": 1, "EVASIVE": 0, "DENIAL": 1, "ERROR": 0},
        "ERROR": {"COMPLETE": 0, "EVASIVE": 0, "DENIAL": 0, "ERROR": 1},
    }
    assert report["agreement"] == pytest.approx(4 / 7, abs=1e-6)
    # rows (3,1,2,1), columns (2,2,2,1): p_e = 13/49, kappa = (28/49 - 13/49) / (36/49) = 15/36.
    assert report["cohen_kappa"] == pytest.approx(15 / 36, abs=1e-6)
    per_label = {row["label"]: row for row in report["per_label"]}
    assert per_label["COMPLETE"]["precision"] == pytest.approx(0.5) and per_label["COMPLETE"]["recall"] == pytest.approx(1 / 3)


def test_raw_label_columns(store):
    matrix = ag.transition_matrix(store, ag.Side(A, "label_raw"), ag.Side(B, "label_raw"))
    assert int(matrix.to_numpy().sum()) == 7
    assert matrix.at["COMPLETE", "REFUSAL"] == 1
    assert matrix.at["ERROR_ORIGINAL_MODERATION", "ERROR_JUDGE_FORMAT"] == 1
    assert matrix.at["ERROR_ORIGINAL_MODERATION", "ERROR_ORIGINAL_MODERATION"] == 0


def test_self_comparison(store):
    same = ag.agreement_report(store, ag.Side(A), ag.Side(A))
    assert same["n"] == 8 and same["agreement"] == 1.0 and same["cohen_kappa"] == 1.0
    mixed = ag.transition_matrix(store, ag.Side(A, "label"), ag.Side(A, "label_raw"))
    assert int(mixed.to_numpy().sum()) == 8
    assert mixed.at["ERROR", "ERROR_ORIGINAL_MODERATION"] == 1 and mixed.at["COMPLETE", "COMPLETE"] == 4
    page = pages.cell_page(store, ag.Side(A, "label"), ag.Side(A, "label_raw"), "ERROR", "ERROR_ORIGINAL_MODERATION")
    assert page.total == 1 and page.items["response_id"].tolist() == ["r6"]
    page = pages.cell_page(store, ag.Side(B), ag.Side(B), "DENIAL", "DENIAL")
    assert sorted(page.items["response_id"]) == ["r3", "r5"]


@pytest.mark.parametrize("filters, n", [
    ({"question_set": "s1"}, 5), ({"model": "m/b"}, 3), ({"reasoning": "yes"}, 3), ({"reasoning": False}, 4),
    ({"lab": "labb"}, 3), ({"domain": "D1"}, 5), ({"theme": "alpha"}, 3), ({"provider": "Provb"}, 3),
    ({"question_set": ["s1", "s2"], "model": "m/a"}, 4), ({"family": "fa", "theme": ["alpha", "gamma"]}, 3),
])
def test_filters(store, filters, n):
    assert ag.agreement_report(store, ag.Side(A), ag.Side(B), filters)["n"] == n


HOSTILE = [
    "m/a' OR '1'='1", 's1"; DROP TABLE responses; --', "') UNION SELECT * FROM assessments --",
    "x" * 20_000, "%", "_", "\\", "ünïcödé ✓", "NULL", "\x00",
]


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("name", ["question_set", "model", "theme", "domain", "lab", "provider", "family"])
def test_hostile_filter_values_match_nothing(store, name, value):
    report = ag.agreement_report(store, ag.Side(A), ag.Side(B), {name: value})
    assert report["n"] == 0 and report["matrix"] == {} and "No response" in report["message"]
    assert pages.cell_page(store, ag.Side(A), ag.Side(B), "COMPLETE", "COMPLETE", {name: value}).total == 0


@pytest.mark.parametrize("value", ["1 OR 1=1", "'; DROP TABLE x; --", "x" * 5000, "maybe"])
def test_hostile_typed_filter_values_match_nothing(store, value):
    assert ag.agreement_report(store, ag.Side(A), ag.Side(B), {"reasoning": value})["n"] == 0
    assert ag.joint_labels(store, filters={"reasoning": value}).empty


def test_hostile_values_leave_the_data_intact(store):
    for value in HOSTILE:
        ag.transition_counts(store, ag.Side(A), ag.Side(B), {"model": value})
    assert ag.agreement_report(store, ag.Side(A), ag.Side(B))["n"] == 7


def test_hostile_label_values_in_drill_down(store):
    page = pages.cell_page(store, ag.Side(A), ag.Side(B), "COMPLETE' OR '1'='1", "x" * 10_000)
    assert page.total == 0 and page.items.empty


def test_empty_filters_give_a_clear_message(store):
    report = ag.agreement_report(store, ag.Side(A), ag.Side(H), {"question_set": "s2", "model": "m/b"})
    assert report["n"] == 0 and report["agreement"] is None and report["cohen_kappa"] is None
    assert report["message"].startswith(f"No response was judged by both {A} and {H}")
    assert "question_set" in report["message"]
    everything = ag.all_judges_report(store, {"model": "nobody"})
    assert everything["n_all_judged"] == 0 and everything["fleiss_kappa"] is None


def test_unknown_judge_is_a_clear_error(store):
    with pytest.raises(KeyError, match="unknown judge"):
        ag.transition_matrix(store, ag.Side("judge/a' --"), ag.Side(B))
    with pytest.raises(ValueError, match="label column"):
        ag.transition_matrix(store, ag.Side(A, "analysis"), ag.Side(B))


def test_drill_down_item_contents(store):
    page = pages.cell_page(store, ag.Side(A), ag.Side(B), "COMPLETE", "COMPLETE")
    assert page.total == 1
    item = page.items.iloc[0]
    assert (item.response_id, item.question, item.question_set, item.theme, item.domain, item.model, item.provider) == \
        ("r1", "Question one", "s1", "alpha", "D1", "m/a", "Prova")
    assert item.content == "Answer r1 in **bold**"
    judgements = page.judgements_of("r1").set_index("judge")
    assert sorted(judgements.index) == sorted([A, B, H])  # B's older duplicate is not shown
    assert judgements.at[B, "label"] == "COMPLETE" and judgements.at[B, "analysis"].endswith("2025-06-01")
    assert judgements.at[H, "judge_type"] == "human"


def test_drill_down_pages_cover_the_cell_once(store):
    seen = []
    first = pages.cell_page(store, ag.Side(A), ag.Side(A), "COMPLETE", "COMPLETE", page=1, page_size=3)
    assert (first.total, first.pages, len(first.items)) == (4, 2, 3)
    second = pages.cell_page(store, ag.Side(A), ag.Side(A), "COMPLETE", "COMPLETE", page=2, page_size=3)
    seen = list(first.items["response_id"]) + list(second.items["response_id"])
    assert sorted(seen) == ["r1", "r2", "r5", "r8"]
    beyond = pages.cell_page(store, ag.Side(A), ag.Side(A), "COMPLETE", "COMPLETE", page=99, page_size=3)
    assert beyond.page == 2 and list(beyond.items["response_id"]) == list(second.items["response_id"])
    filtered = pages.cell_page(store, ag.Side(A), ag.Side(A), "COMPLETE", "COMPLETE", {"model": "m/b"})
    assert sorted(filtered.items["response_id"]) == ["r5", "r8"]


def test_cell_items_frame_for_csv(store):
    frame = pages.cell_items_frame(store, ag.Side(A), ag.Side(B), "DENIAL", "COMPLETE")
    assert frame["response_id"].tolist() == ["r7"]
    row = frame.iloc[0]
    assert (row.judge1, row.judge2, row.from_label, row.to_label) == (A, B, "DENIAL", "COMPLETE")
    assert row.judge1_analysis == f"{A} on r7 at 2025-01-01" and row.judge2_analysis == f"{B} on r7 at 2025-06-01"
    assert pages.cell_items_frame(store, ag.Side(A), ag.Side(B), "DENIAL", "COMPLETE", {"reasoning": "maybe"}).empty


def test_all_judges_report(store):
    report = ag.all_judges_report(store)
    pairs = {(p["judge_a"], p["judge_b"]): p for p in report["pairwise"]}
    assert pairs[(A, B)]["n"] == 7 and pairs[(A, B)]["kappa"] == pytest.approx(15 / 36, abs=1e-6)
    assert pairs[(B, A)]["kappa"] == pairs[(A, B)]["kappa"]
    assert report["n_all_judged"] == 4  # r1..r4 have all three judges
    gold = {(g["gold"], g["judge"]): g for g in report["gold_accuracy"]}
    assert gold[(H, A)]["n"] == 4 and gold[(H, A)]["accuracy"] == pytest.approx(0.5)
    assert gold[(H, B)]["accuracy"] == pytest.approx(0.75)


def _cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["report", "agreement", *args])
    return code, out.getvalue(), err.getvalue()


def test_cli_json_and_csv(store):
    code, out, _ = _cli("--data", str(store.folder), "--judge1", A, "--judge2", B, "--question-set", "s1",
                        "--bootstrap", "200", "--all-judges")
    report = json.loads(out)
    assert code == 0 and report["n"] == 5 and report["filters"] == {"question_set": ["s1"]}
    assert report["matrix"]["DENIAL"]["COMPLETE"] == 1 and len(report["kappa_ci95_bootstrap"]) == 2
    assert "pairwise" in report["all_judges"]
    code, out, _ = _cli("--data", str(store.folder), "--judge1", A, "--judge2", B, "--format", "csv")
    frame = pd.read_csv(io.StringIO(out), index_col=0)
    assert code == 0 and int(frame.to_numpy().sum()) == 7 and frame.at["ERROR", "ERROR"] == 1


def test_cli_errors_and_empty_results(store, tmp_path):
    code, _, err = _cli("--data", str(store.folder), "--judge1", "nobody", "--judge2", B)
    assert code == 2 and "unknown judge" in err
    code, _, err = _cli("--data", str(tmp_path / "missing"), "--judge1", A, "--judge2", B)
    assert code == 2 and "not a built data folder" in err
    code, out, _ = _cli("--data", str(store.folder), "--judge1", A, "--judge2", B, "--reasoning", "maybe")
    assert code == 0 and json.loads(out)["n"] == 0


def test_a_known_total_gives_the_same_pages(sample_data):
    """The tab passes the cell's count from its matrix; the pages are those the store counts itself."""
    store = Store.open(sample_data)
    side1, side2 = ag.Side("openai/gpt-4o-2024-11-20"), ag.Side("x-ai/grok-4.1-fast")
    matrix = ag.transition_matrix(store, side1, side2, {"question_set": "china_criticism"})
    for source, target in (("COMPLETE", "COMPLETE"), ("COMPLETE", "EVASIVE"), ("DENIAL", "EVASIVE")):
        for page in (1, 2, 99):
            counted = pages.cell_page(store, side1, side2, source, target, {"question_set": "china_criticism"}, page, 7)
            given = pages.cell_page(store, side1, side2, source, target, {"question_set": "china_criticism"}, page, 7,
                                 total=int(matrix.at[source, target]))
            assert counted.total == given.total == int(matrix.at[source, target])
            assert counted.page == given.page and counted.items.equals(given.items)
            assert counted.judgements.equals(given.judgements)
