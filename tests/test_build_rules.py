"""SpeechMap's rules on the provider's response object, checked on hand-written raw rows.

Expected values come from SpeechMap's `preprocess.py` rules (original_moderation_reason, the
response-text extraction and the format-drift guard), written out by hand per row."""
from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from toolkit.ingest.pipeline import build


def write_jsonl(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def openai(content="Answer", finish="stop", **choice) -> dict:
    return {"choices": [{"finish_reason": finish, "message": {"content": content}, **choice}]}


# question id -> (provider response object, SpeechMap's original_moderation_reason)
MODERATION_CASES = {
    "m01": ({"content": [{"type": "text", "text": "No."}], "stop_reason": "refusal"}, "refusal"),
    "m02": ({"content": [{"type": "text", "text": "x"}], "stop_reason": "content_filter"}, "content_filter"),
    "m03": (openai(finish="content_filter"), "content_filter"),
    "m04": (openai(finish="stop", native_finish_reason="refusal"), "refusal"),
    "m05": ({"error": {"code": 403, "message": "m requires moderation on P. Your input was flagged"}},
            "moderation_error_text"),
    "m06": ({"error": {"type": "content_filter", "message": "blocked"}}, "content_filter"),
    "m07": ({"error": "Your prompt violates our usage policy"}, "moderation_error_text"),
    "m08": ({"error": {"metadata": {"reasons": ["Blocked by Safety system"]}}}, "moderation_error_text"),
    "m09": (openai(content=None, error={"message": "content-filter triggered", "code": 400}), "moderation_error_text"),
    "m10": (openai(content=None, error={"type": "content_filter"}), "content_filter"),
    # not moderation:
    "m11": (openai(finish="length"), None),
    "m12": (openai(finish="CONTENT_FILTER"), None),               # case-sensitive
    "m13": ({"error": {"message": "Provider returned error", "code": 502}}, None),
    "m14": ({"error": {"message": "see the moderations endpoint"}}, None),  # `moderation` as a whole word only
    "m15": ({"error": {"moderation": "ok", "flagged": True}}, None),        # keys are not searched
    "m16": (openai(content=None, error={"message": "Rate limit", "code": 429}), None),
    "m17": ({"stop_reason": "end_turn", "content": [{"type": "text", "text": "fine"}]}, None),
    "m18": (openai(finish="stop", stop_details={"reason": "content_filter"}), None),
    "m19": ({"choices": {"0": {"finish_reason": "content_filter"}}}, None),  # choices not a list
    "m20": (openai(finish="stop"), None),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("rules")
    raw = root / "raw"
    rows = [{"question_id": q, "category": "rules", "question": "Q?", "model": "lab/m",
             "timestamp": "2025-01-01T00:00:00Z", "response": response}
            for q, (response, _) in MODERATION_CASES.items()]
    write_jsonl(raw / "responses" / "rules_lab_m.jsonl", rows)
    write_jsonl(raw / "analysis" / "compliance_rules_lab_m.jsonl", [
        {"question_id": q, "model": "lab/m", "judge_model": "j/one", "compliance": "COMPLETE"}
        for q in MODERATION_CASES])
    build(raw=[raw], out=root / "out", progress=False)
    return root / "out"


def test_moderation_reason_follows_speechmap(built):
    responses = pq.read_table(built / "responses", columns=["question_id", "moderation_reason"]).to_pylist()
    found = {r["question_id"]: r["moderation_reason"] for r in responses}
    assert found == {q: expected for q, (_, expected) in MODERATION_CASES.items()}


def test_judges_labels_are_kept(built):
    assessments = pq.read_table(built / "assessments").to_pandas()
    assert len(assessments) == len(MODERATION_CASES) and set(assessments.label) == {"COMPLETE"}


# question id -> (response object, the text SpeechMap extracts)
TEXT_CASES = {
    "t1": ({"_llm_client": {"standardized_response": {"content": [
        {"type": "text", "text": "First part."}, {"type": "thinking", "thinking": "hidden"},
        {"type": "text", "text": "Second part."}]}}}, "First part.\n\nSecond part."),
    "t2": ({"content": [{"type": "thinking", "thinking": "hmm"}, {"type": "text", "text": "a"},
                        {"type": "text", "text": "b"}], "stop_reason": "end_turn"}, "a\n\nb"),
    "t3": (openai(content=[{"type": "text", "text": "x"}, {"type": "text", "text": "y"}]), "x\n\ny"),
    "t4": ({"_llm_client": {"standardized_response": {"content": "plain"}}}, "plain"),
}


def build_rows(root: Path, cases: dict[str, tuple[dict, object]], strict: bool = False) -> Path:
    raw = root / "raw"
    write_jsonl(raw / "responses" / "shapes_lab_m.jsonl", [
        {"question_id": q, "category": "shapes", "question": "Q?", "model": "lab/m",
         "timestamp": "2025-01-01T00:00:00Z", "response": response} for q, (response, _) in cases.items()])
    write_jsonl(raw / "analysis" / "compliance_shapes_lab_m.jsonl", [
        {"question_id": q, "model": "lab/m", "judge_model": "j/one", "compliance": "COMPLETE"} for q in cases])
    build(raw=[raw], out=root / "out", progress=False, strict=strict)
    return root / "out"


def test_text_blocks_are_joined_with_a_blank_line(tmp_path):
    out = build_rows(tmp_path, TEXT_CASES)
    content = {r["question_id"]: r["content"] for r in pq.read_table(out / "responses").to_pylist()}
    assert content == {q: text for q, (_, text) in TEXT_CASES.items()}
    assert json.loads((out / "build_report.json").read_text())["format_drift"] == {}


DRIFT_CASES = {
    "d1": ({"choices": [{"message": {"text_v2": "moved"}, "finish_reason": "stop"}]}, None),  # no known shape
    "d2": (openai(content="fine"), "fine"),
    "d3": ({"output": [{"type": "message", "content": "elsewhere"}]}, None),
    "d4": (openai(content=None, finish="content_filter"), None),  # moderated: an ERROR for SpeechMap, not drift
}


def test_complete_without_text_is_reported_per_file(tmp_path):
    out = build_rows(tmp_path, DRIFT_CASES)
    drift = json.loads((out / "build_report.json").read_text())["format_drift"]
    assert drift == {str(tmp_path / "raw" / "responses" / "shapes_lab_m.jsonl"):
                     {"complete_without_text": 2, "lines": [1, 3]}}


def test_strict_refuses_format_drift(tmp_path, capsys):
    from toolkit.cli import main as cli
    from toolkit.ingest.errors import StrictBuildError

    with pytest.raises(StrictBuildError, match="2 responses judged COMPLETE have no extractable text"):
        build_rows(tmp_path, DRIFT_CASES, strict=True)
    assert not (tmp_path / "out").exists()
    assert cli(["build", "--raw", str(tmp_path / "raw"), "--out", str(tmp_path / "out"), "--strict", "--quiet"]) == 1
    assert "format drift in" in capsys.readouterr().err
