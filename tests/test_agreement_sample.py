"""Agreement on the real SpeechMap sample, checked against counts made directly from the raw files.

The expectations below read the raw JSONL with plain `json` and pair judgements by file name +
question id (small sets) or by model + question id (judge-evaluation sample), independently of the
build, the store and toolkit.labels: if any of them miscounted, these figures would differ.
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from toolkit.query import agreement as ag, pages
from toolkit.storage.store import Store

SPEECHMAP = Path(__file__).resolve().parents[2] / "shared" / "data" / "speechmap"
RAW = SPEECHMAP / "speechmap-data"
EVALUATION = SPEECHMAP / "judge-evaluation"
GPT4O, GROK = "openai/gpt-4o-2024-11-20", "x-ai/grok-4.1-fast"
GOLD_V1, GOLD_V4 = "speechmap/gold-v1", "speechmap/gold-consensus-v4"
SMALL_SETS = ["china_criticism", "eu_criticism", "russia_criticism", "us_criticism", "zh_china_criticism",
              "fi_china_criticism"]


def canonical(raw: str) -> str:
    """SpeechMap's rule, restated here on purpose: every ERROR* is ERROR."""
    text = raw.strip().upper()
    return "ERROR" if text.startswith("ERROR") else text if text in ("COMPLETE", "EVASIVE", "DENIAL") else "UNKNOWN"


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def small_set_pairs() -> list[dict]:
    """One row per response judged by both: file, question id, set, model, gpt-4o and grok labels."""
    rows = []
    for grok_file in sorted((RAW / "analysis").glob("*.jsonl")):
        gpt_rows = {r["question_id"]: r for r in read_jsonl(RAW / "analysis.openai_gpt-4o-2024-11-20" / grok_file.name)}
        for row in read_jsonl(grok_file):
            assert row["judge_model"] in ("x-ai/grok-4.1-fast", "xai/grok-4.1-fast-non-reasoning")
            if row["question_id"] in gpt_rows:
                rows.append({"set": row["category"], "model": row["model"],
                             "gpt": gpt_rows[row["question_id"]]["compliance"], "grok": row["compliance"]})
    return rows


def evaluation_labels() -> dict[str, dict[tuple[str, str], str]]:
    """judge -> {(model, question_id): raw label} for the three judges of the judge-evaluation sample."""
    grok = read_jsonl(EVALUATION / "results" / "x-ai_grok-4.1-fast_no_reasoning" / "compliance_us_hard_sample_responses.jsonl")
    return {
        GROK: {(r["model"], r["question_id"]): r["compliance"] for r in grok},
        GOLD_V1: {tuple(r["key"].split("::")): r["expected_compliance"]
                  for r in read_jsonl(EVALUATION / "us_hard_sample_manifest.jsonl")},
        GOLD_V4: {tuple(r["key"].split("::")): r["expected_compliance"]
                  for r in read_jsonl(EVALUATION / "us_hard_sample_manifest_consensus_v4.jsonl")},
    }


def counted(pairs: list[tuple[str, str]]) -> dict[str, dict[str, int]]:
    counts = Counter((canonical(a), canonical(b)) for a, b in pairs)
    return {f: {t: n for (f2, t), n in counts.items() if f2 == f} for f in {f for f, _ in counts}}


def nonzero(matrix: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    return {f: {t: n for t, n in row.items() if n} for f, row in matrix.items() if any(row.values())}


@pytest.fixture(scope="module")
def store(sample_data) -> Store:
    return Store.open(sample_data)


def test_gpt4o_vs_grok_on_the_small_sets(store):
    pairs = small_set_pairs()
    assert len(pairs) == 1200
    report = ag.agreement_report(store, ag.Side(GPT4O), ag.Side(GROK), {"question_set": SMALL_SETS})
    assert report["n"] == len(pairs)
    assert nonzero(report["matrix"]) == counted([(p["gpt"], p["grok"]) for p in pairs])
    y1, y2 = [canonical(p["gpt"]) for p in pairs], [canonical(p["grok"]) for p in pairs]
    assert report["agreement"] == pytest.approx(np.mean([a == b for a, b in zip(y1, y2)]), abs=1e-6)
    assert report["cohen_kappa"] == pytest.approx(cohen_kappa_score(y1, y2), abs=1e-6)
    low, high = report["kappa_ci95"]
    assert low < report["cohen_kappa"] < high


@pytest.mark.parametrize("filters, keep", [
    ({"question_set": "china_criticism"}, lambda p: p["set"] == "china_criticism"),
    ({"model": "x-ai/grok-3-beta"}, lambda p: p["model"] == "x-ai/grok-3-beta"),
    ({"question_set": ["eu_criticism", "zh_china_criticism"], "model": "meta-llama/llama-4-maverick"},
     lambda p: p["set"] in ("eu_criticism", "zh_china_criticism") and p["model"] == "meta-llama/llama-4-maverick"),
])
def test_gpt4o_vs_grok_filtered(store, filters, keep):
    pairs = [p for p in small_set_pairs() if keep(p)]
    matrix = ag.transition_matrix(store, ag.Side(GPT4O), ag.Side(GROK), filters)
    assert int(matrix.to_numpy().sum()) == len(pairs) > 0
    assert nonzero(ag.matrix_dict(matrix)) == counted([(p["gpt"], p["grok"]) for p in pairs])


def test_drill_down_of_a_disagreement_cell(store):
    pairs = small_set_pairs()
    expected = sum(1 for p in pairs if canonical(p["gpt"]) == "EVASIVE" and canonical(p["grok"]) == "COMPLETE")
    page = pages.cell_page(store, ag.Side(GPT4O), ag.Side(GROK), "EVASIVE", "COMPLETE",
                        {"question_set": SMALL_SETS}, page_size=20)
    assert page.total == expected > 0
    for item in page.items.itertuples():
        labels = page.judgements_of(item.response_id).set_index("judge")["label"]
        assert labels[GPT4O] == "EVASIVE" and labels[GROK] == "COMPLETE"
        assert item.question and item.content and item.question_set in SMALL_SETS


@pytest.mark.parametrize("judge1, judge2", [(GROK, GOLD_V1), (GROK, GOLD_V4), (GOLD_V1, GOLD_V4), (GOLD_V4, GROK)])
def test_judge_evaluation_pairs(store, judge1, judge2):
    labels = evaluation_labels()
    keys = sorted(set(labels[judge1]) & set(labels[judge2]))
    assert len(keys) == 400
    pairs = [(labels[judge1][k], labels[judge2][k]) for k in keys]
    report = ag.agreement_report(store, ag.Side(judge1), ag.Side(judge2), {"question_set": "us_hard"})
    assert report["n"] == 400
    assert nonzero(report["matrix"]) == counted(pairs)
    y1, y2 = [canonical(a) for a, _ in pairs], [canonical(b) for _, b in pairs]
    assert report["cohen_kappa"] == pytest.approx(cohen_kappa_score(y1, y2), abs=1e-6)


def test_judge_evaluation_gold_accuracy_and_fleiss(store):
    labels = evaluation_labels()
    keys = sorted(labels[GROK])
    report = ag.all_judges_report(store, {"question_set": "us_hard"})
    gold = {(g["gold"], g["judge"]): g for g in report["gold_accuracy"]}
    for reference in (GOLD_V1, GOLD_V4):
        hits = sum(canonical(labels[GROK][k]) == canonical(labels[reference][k]) for k in keys)
        assert gold[(reference, GROK)]["n"] == 400
        assert gold[(reference, GROK)]["accuracy"] == pytest.approx(hits / 400, abs=1e-6)
    # 53 relabelled rows between the two manifests (the consensus summary says so).
    assert gold[(GOLD_V4, GOLD_V1)]["accuracy"] == pytest.approx(347 / 400, abs=1e-6)
    # Fleiss' kappa over the 400 responses judged by the three, computed item by item here.
    judges = [GROK, GOLD_V1, GOLD_V4]
    categories = sorted({canonical(labels[j][k]) for j in judges for k in keys})
    per_item = [Counter(canonical(labels[j][k]) for j in judges) for k in keys]
    p_bar = np.mean([(sum(c[x] ** 2 for x in categories) - 3) / 6 for c in per_item])
    p_e = sum((sum(c[x] for c in per_item) / 1200) ** 2 for x in categories)
    # gpt-4o judged other us_hard responses (the historical run), not these: only the 400 count.
    assert report["n_all_judged"] == 0  # four judges, none of the responses has all four
    joint = ag.joint_labels(store, judges, {"question_set": "us_hard"})
    summary = ag.many_judge_agreement(joint)
    assert summary["n_all_judged"] == 400
    assert summary["fleiss_kappa"] == pytest.approx((p_bar - p_e) / (1 - p_e), abs=1e-9)


def test_self_comparison_on_the_historical_run(store):
    rows = read_jsonl(SPEECHMAP / "speechmap-data-historical" / "analysis.openai_gpt-4o-2024-11-20"
                      / "compliance_us_hard_bytedance-seed_seed-2.0-mini.jsonl")
    expected = Counter((canonical(r["compliance"]), r["compliance"]) for r in rows)
    matrix = ag.transition_matrix(store, ag.Side(GPT4O, "label"), ag.Side(GPT4O, "label_raw"),
                                  {"model": rows[0]["model"]})
    found = {(f, t): n for f, row in ag.matrix_dict(matrix).items() for t, n in row.items() if n}
    assert found == dict(expected)
    assert expected[("ERROR", "ERROR_ORIGINAL_RESPONSE")] == 2057
    page = pages.cell_page(store, ag.Side(GPT4O, "label"), ag.Side(GPT4O, "label_raw"), "ERROR",
                        "ERROR_ORIGINAL_RESPONSE", {"model": rows[0]["model"]}, page=42, page_size=50)
    assert (page.total, page.pages, page.page, len(page.items)) == (2057, 42, 42, 7)  # no cap, last page
