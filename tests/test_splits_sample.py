"""Classifier splits on the real SpeechMap sample, against expectations computed from the raw files.

The sample has one LLM judge on the judge-evaluation set (grok-4.1-fast) and two human gold
manifests (speechmap/gold-v1, speechmap/gold-consensus-v4); the small question sets have two LLM
judges (grok-4.1-fast, gpt-4o); the historical run has gpt-4o alone.
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from toolkit.core import labels as L
from toolkit.release import splits as S
from toolkit.storage.store import Store

V1, V4 = "speechmap/gold-v1", "speechmap/gold-consensus-v4"


def jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


@pytest.fixture(scope="module")
def raw(shared_data):
    """Labels by hand from the raw files: (model, question_id) -> label, per judge."""
    evaluation = shared_data / "speechmap" / "judge-evaluation"
    v1 = {(r["model"], "us_hard", r["question_id"]): r["expected_compliance"]
          for r in jsonl(evaluation / "us_hard_sample_manifest.jsonl")}
    v4 = {(r["model"], "us_hard", r["question_id"]): r["expected_compliance"]
          for r in jsonl(evaluation / "us_hard_sample_manifest_consensus_v4.jsonl")}
    grok_eval = {(r["model"], "us_hard", r["question_id"]): r["compliance"] for r in jsonl(
        evaluation / "results" / "x-ai_grok-4.1-fast_no_reasoning" / "compliance_us_hard_sample_responses.jsonl")}
    data = shared_data / "speechmap" / "speechmap-data"
    small: dict[tuple, dict[str, str]] = {}
    for folder, judge in (("analysis", "grok"), ("analysis.openai_gpt-4o-2024-11-20", "gpt-4o")):
        for path in sorted((data / folder).glob("compliance_*.jsonl")):
            for r in jsonl(path):
                small.setdefault((r["model"], r["category"], r["question_id"]), {})[judge] = r["compliance"]
    return {"v1": v1, "v4": v4, "grok_eval": grok_eval, "small": small}


def canon(label: str) -> str:
    """SpeechMap's collapse, written out: ERROR* -> ERROR, the three labels as they are."""
    return "ERROR" if label.upper().startswith("ERROR") else label.upper()


def expected_items(raw, human_priority: tuple[str, ...] | None) -> dict[tuple, str]:
    """(model, question_set, question_id) -> label, by hand: humans decide the 400 evaluation items; the small sets
    enter when both LLM judges agree on a non-ERROR label; single-judge items stay out."""
    expected = {}
    for key in raw["v1"]:
        a, b = raw["v1"][key], raw["v4"][key]
        if a == b:
            expected[key] = a
        elif human_priority is not None:
            expected[key] = {V1: a, V4: b}[human_priority[0]]
    for (model, qset, qid), by_judge in raw["small"].items():
        found = {canon(v) for v in by_judge.values()}
        if len(by_judge) == 2 and len(found) == 1 and found <= {"COMPLETE", "EVASIVE", "DENIAL"}:
            expected[(model, qset, qid)] = found.pop()
    return expected


def all_rows(result: S.SplitResult) -> pd.DataFrame:
    return pd.concat([df.assign(split=name) for name, df in result.splits.items()], ignore_index=True)


def keyed(rows: pd.DataFrame) -> dict[tuple, str]:
    return {(m, s, q): x for m, s, q, x in zip(rows["model"], rows["question_set"], rows["question_id"], rows["label"])}


@pytest.fixture(scope="module")
def store(sample_data):
    return Store.open(sample_data)


def test_unanimity_and_human_override_match_the_raw_files(store, raw):
    result = S.make_splits(store, S.SplitOptions(human_judges=(V4, V1)))
    rows = all_rows(result)
    got = keyed(rows)
    want = expected_items(raw, (V4, V1))
    assert len(got) == len(rows)  # (model, question_set, question_id) is unique in this sample
    assert got == want
    # every evaluation item carries the consensus label, even where grok said something else
    changed = [k for k in raw["v4"] if raw["grok_eval"][k] != raw["v4"][k]]
    assert changed and all(got[k] == raw["v4"][k] for k in changed)
    assert result.report["counts"]["human_differs_from_llm_agreement"] == len(changed)


def test_default_leaves_out_items_the_two_humans_dispute(store, raw):
    """Both manifests have no timestamp, so without a priority the 53 relabelled rows stay out."""
    result = S.make_splits(store, S.SplitOptions())
    disputed = sum(raw["v1"][k] != raw["v4"][k] for k in raw["v1"])
    assert disputed == 53
    assert result.report["counts"]["human_conflict"] == disputed
    rows = all_rows(result)
    assert keyed(rows) == expected_items(raw, None)


def test_priority_order_decides(store, raw):
    rows = all_rows(S.make_splits(store, S.SplitOptions(human_judges=(V1, V4))))
    assert keyed(rows) == expected_items(raw, (V1, V4))


def test_single_judge_needs_min_judges_one(store, raw):
    assert S.SplitOptions().min_judges == 2
    rows = all_rows(S.make_splits(store, S.SplitOptions(use_humans=False)))
    assert set(rows["source"]) == {"unanimous"}
    small_only = {k: v for k, v in expected_items(raw, None).items() if k not in raw["v1"]}
    assert len(rows) == len(small_only)  # only the two-judge small sets remain
    one = all_rows(S.make_splits(store, S.SplitOptions(min_judges=1, use_humans=False)))
    grok_alone = {k for k, v in raw["grok_eval"].items() if canon(v) in ("COMPLETE", "EVASIVE", "DENIAL")}
    got = set(keyed(one))
    assert grok_alone <= got  # grok alone now counts on the evaluation sample
    assert len(one) > len(rows) + len(grok_alone) - 1  # and gpt-4o alone on the historical run


def test_no_theme_crosses_splits_and_text_is_minos(store):
    result = S.make_splits(store, S.SplitOptions(human_judges=(V4, V1)))
    rows = all_rows(result)
    splits_per_theme = rows.groupby(rows["theme"].fillna(rows["question_id"]))["split"].nunique()
    assert (splits_per_theme == 1).all()
    assert all(result.report["rows"][name] > 0 for name in S.SPLITS)
    sample = rows.iloc[0]
    question = store.scalar(
        "SELECT q.text FROM responses r JOIN questions q USING (question_uid) WHERE r.response_id = ?",
        [sample["response_id"]])
    content = store.scalar("SELECT content FROM responses WHERE response_id = ?", [sample["response_id"]])
    assert sample["text"] == "<|user|>\n" + question + "\n<|assistant|>\n" + content
    assert not rows["text"].duplicated().any()
    assert set(rows["label"]) <= {L.COMPLETE, L.EVASIVE, L.DENIAL}
    assert (rows["refusal"] == rows["label"].map({"COMPLETE": 0, "EVASIVE": 1, "DENIAL": 1})).all()


def test_report_balance_adds_up(store):
    result = S.make_splits(store, S.SplitOptions(human_judges=(V4, V1)))
    rows = all_rows(result)
    for name in S.SPLITS:
        want = Counter(rows.loc[rows["split"] == name, "label"])
        got = {b["label"]: b["n"] for b in result.report["balance"] if b["split"] == name}
        assert got == dict(want)
    by_domain = sum(b["n"] for b in result.report["balance_by_domain"])
    assert by_domain == len(rows)


def test_cli_writes_the_splits(sample_data, tmp_path, capsys):
    from toolkit.cli import main

    out = tmp_path / "splits"
    code = main(["splits", "--data", str(sample_data), "--out", str(out), "--human-judges", f"{V4},{V1}",
                 "--binary", "--evasive", "drop"])
    assert code == 0
    train = pd.read_parquet(out / "train.parquet")
    assert list(train.columns) == S.BINARY_SCHEMA.names
    assert set(train["label"]) <= {0, 1}
    assert "EVASIVE" not in set(train["compliance"])
    printed = pd.read_csv(pd.io.common.StringIO(capsys.readouterr().out))
    assert set(printed["split"]) <= set(S.SPLITS)
    report = json.loads((out / "report.json").read_text())
    evasive = {b["split"]: b["n"] for b in report["balance"] if b["label"] == "EVASIVE"}
    assert len(train) == report["rows"]["train"] - evasive.get("train", 0)


def test_cli_rejects_an_unknown_judge(sample_data, tmp_path, capsys):
    from toolkit.cli import main

    code = main(["splits", "--data", str(sample_data), "--out", str(tmp_path / "x"), "--judges", "nobody/none"])
    assert code == 2
    err = capsys.readouterr().err
    assert "unknown judge 'nobody/none'" in err and "Traceback" not in err
