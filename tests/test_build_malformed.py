"""Bad input gets a clear reason in the quarantine report and loses nothing."""
from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from toolkit.cli import main as cli
from toolkit.core import labels, schema
from toolkit.ingest.errors import BuildError, StrictBuildError
from toolkit.ingest.pipeline import build


def response_row(question_id: str, model: str = "lab/model-a", **extra) -> dict:
    row = {"question_id": question_id, "category": "tiny", "question": f"Question {question_id}?",
           "model": model, "timestamp": "2025-01-01T00:00:00+00:00",
           "response": {"provider": "P", "choices": [{"finish_reason": "stop",
                                                       "message": {"content": f"Answer to {question_id}"}}]}}
    row.update(extra)
    return row


def analysis_row(question_id: str, label: str = "COMPLETE", judge: str = "judges/one", **extra) -> dict:
    row = {"question_id": question_id, "model": "lab/model-a", "judge_model": judge, "compliance": label,
           "judge_analysis": f"analysis of {question_id}", "timestamp": "2025-02-01T00:00:00+00:00",
           "category": "tiny"}
    row.update(extra)
    return row


def write_lines(path: Path, lines: list, mode: str = "text") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if mode == "bytes":
        path.write_bytes(b"".join(lines))
    else:
        path.write_text("".join((json.dumps(l) if isinstance(l, dict) else l) + "\n" for l in lines))


@pytest.fixture()
def raw(tmp_path) -> Path:
    root = tmp_path / "raw"
    questions = [{"id": f"theme_a{i}", "category": "tiny", "domain": "D", "question": f"Q{i}"} for i in (1, 2, 3, 4)]
    write_lines(root / "questions" / "tiny.jsonl", questions + [
        "{not json", '["a list"]', '{"id": 5, "question": "mistyped id"}', '{"category": "tiny"}',
        json.dumps(questions[0]),   # duplicate question
    ])
    stem = "tiny_lab_model-a"
    long_text = "x" * 3_000_000
    write_lines(root / "responses" / f"{stem}.jsonl", [
        response_row("theme_a1"),
        response_row("theme_a2", response={"content": [{"type": "thinking", "thinking": "hmm"},
                                                       {"type": "text", "text": "Anthropic "},
                                                       {"type": "text", "text": "answer"}],
                                           "stop_reason": "end_turn"}),
        response_row("theme_a3", response={"error": {"code": 402, "message": "Insufficient credits"}}),
        response_row("theme_a4", response={"choices": [{"finish_reason": "length", "message": {"content": long_text}}]}),
        response_row("no_such_question9"),
        '{"question_id": "theme_a1", "model": "lab/model-a", "timestamp": "2025-01-0',  # truncated line
        response_row("theme_a1", timestamp=12345),  # mistyped timestamp
    ])
    write_lines(root / "analysis" / f"compliance_{stem}.jsonl", [
        analysis_row("theme_a1", "COMPLETE", timestamp="2025-02-01T00:00:00+00:00"),
        analysis_row("theme_a1", "DENIAL", timestamp="2025-03-01T00:00:00+00:00"),  # newer duplicate wins
        analysis_row("theme_a2", "SOMETHING_ODD"),                                      # unknown label
        analysis_row("theme_a3", "ERROR_ORIGINAL_RESPONSE"),
        analysis_row("theme_a4", "EVASIVE", judge="judges/one-alias"),
        analysis_row("nothing_here1", "COMPLETE"),                                      # no matching response
        '{"question_id": "theme_a2"}',                                                  # missing compliance
    ])
    # A second judge with a BOM, CRLF line endings and one line of invalid UTF-8.
    folder = root / "analysis.judges_two"
    good = [json.dumps(analysis_row(q, "EVASIVE", judge="judges/two")).encode() for q in ("theme_a1", "theme_a2")]
    write_lines(folder / f"compliance_{stem}.jsonl",
                [b"\xef\xbb\xbf" + good[0] + b"\r\n", b"\xff\xfe broken \xc3\x28\r\n", good[1] + b"\r\n", b"\r\n"],
                mode="bytes")
    (root / "analysis" / "compliance_empty.jsonl").write_text("")
    (root / "analysis" / "notes.txt").write_text("not data")
    (root / "README.md").write_text("not data")
    return root


def quarantine(out: Path) -> list[dict]:
    return [json.loads(l) for l in (out / "quarantine.jsonl").read_text().splitlines()]


def reasons_of(out: Path, name: str) -> list[str]:
    return sorted(q["reason"] for q in quarantine(out) if Path(q["file"]).name == name)


def test_every_case_has_its_reason(raw, tmp_path):
    out = tmp_path / "out"
    aliases = tmp_path / "aliases.json"
    aliases.write_text(json.dumps({"judges/one": ["judges/one-alias"]}))
    report = build(raw=[raw], out=out, progress=False, judge_aliases=aliases)
    assert report["totals"]["balanced"]
    assert all(f["balanced"] for f in report["files"].values())
    assert reasons_of(out, "tiny.jsonl") == [
        "duplicate question", "field question_id is not a string (number)", "invalid JSON",
        "missing field question_id", "not a JSON object"]
    assert reasons_of(out, "tiny_lab_model-a.jsonl") == [
        "field timestamp is not a string (number)", "invalid JSON", "no matching question"]
    assert reasons_of(out, "compliance_tiny_lab_model-a.jsonl") == [
        "duplicate judgement (kept the newest)", "invalid UTF-8 at byte 0", "missing field compliance",
        "no matching response"]
    by_file = {Path(f).parent.name + "/" + Path(f).name: r for f, r in report["files"].items()}
    first = by_file["analysis/compliance_tiny_lab_model-a.jsonl"]
    assert first == {"kind": "analysis", "lines_read": 7, "rows_written": 4, "balanced": True,
                     "quarantined": {"duplicate judgement (kept the newest)": 1, "missing field compliance": 1,
                                     "no matching response": 1}}
    second = by_file["analysis.judges_two/compliance_tiny_lab_model-a.jsonl"]
    assert second == {"kind": "analysis", "lines_read": 3, "rows_written": 2, "balanced": True,
                      "quarantined": {"invalid UTF-8 at byte 0": 1}}
    assert by_file["analysis/compliance_empty.jsonl"]["lines_read"] == 0
    assert any("compliance_empty.jsonl: empty file" in w for w in report["warnings"])
    assert sorted(Path(p).name for p in report["ignored_files"]) == ["README.md", "notes.txt"]
    for entry in quarantine(out):
        assert entry["file"] and entry["line"] and entry["reason"]
    bad_json = [q for q in quarantine(out) if q["reason"] == "invalid JSON" and q["file"].endswith("tiny.jsonl")]
    assert bad_json[0]["line"] == 5 and bad_json[0]["snippet"] == "{not json"


def test_labels_content_and_status(raw, tmp_path):
    out = tmp_path / "out"
    build(raw=[raw], out=out, progress=False)
    responses = pq.read_table(out / "responses").to_pandas().set_index("question_id")
    assert responses.loc["theme_a1", "content"] == "Answer to theme_a1"
    assert responses.loc["theme_a2", "content"] == "Anthropic answer"
    assert responses.loc["theme_a2", "reasoning"] == "hmm"
    assert responses.loc["theme_a3", "content"] == schema.EMPTY_CONTENT
    assert responses.loc["theme_a3", "response_status"] == "provider_error"
    assert responses.loc["theme_a4", "response_status"] == "truncation"
    assert len(responses.loc["theme_a4", "content"]) == 3_000_000
    assessments = pq.read_table(out / "assessments").to_pandas()
    one = assessments[assessments.judge == "judges/one"].set_index("question_id")
    assert one.loc["theme_a1", "label"] == "DENIAL"  # the newer of two judgements
    assert one.loc["theme_a2", ["label", "label_raw"]].tolist() == ["UNKNOWN", "SOMETHING_ODD"]
    assert one.loc["theme_a3", ["label", "label_raw"]].tolist() == ["ERROR", "ERROR_ORIGINAL_RESPONSE"]
    report = json.loads((out / "build_report.json").read_text())
    assert report["unknown_labels"] == {"SOMETHING_ODD": 1}
    # The second judge's folder name gives no judge here: its rows name it.
    assert set(assessments.judge) == {"judges/one", "judges/one-alias", "judges/two"}
    models = pq.read_table(out / "models").to_pandas()
    assert models.set_index("model").loc["lab/model-a", "lab"] == "unknown"
    assert report["models_without_metadata"] == ["lab/model-a"]


def test_strict_fails_and_keeps_previous_output(raw, tmp_path):
    out = tmp_path / "out"
    build(raw=[raw], out=out, progress=False)
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    stamp = (out / "build_report.json").read_text()
    with pytest.raises(StrictBuildError):
        build(raw=[raw], out=out, progress=False, strict=True)
    assert (out / "build_report.json").read_text() == stamp
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before
    assert cli(["build", "--raw", str(raw), "--out", str(out), "--strict", "--quiet"]) == 1


def test_failed_write_leaves_previous_output(raw, tmp_path, monkeypatch):
    out = tmp_path / "out"
    build(raw=[raw], out=out, progress=False)
    stamp = (out / "build_report.json").read_text()
    from toolkit.ingest.staging import Builder

    def broken(self, light, kind, target, path):
        if kind == "assessments":
            raise OSError("disk full")  # after questions, models, judges and responses were written
        return original(self, light, kind, target, path)

    original = Builder.merge_write
    monkeypatch.setattr(Builder, "merge_write", broken)
    with pytest.raises(OSError):
        build(raw=[raw], out=out, progress=False)
    assert (out / "build_report.json").read_text() == stamp
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.tmp")]


def test_clear_errors_for_bad_options(tmp_path, capsys):
    with pytest.raises(BuildError):
        build(raw=[tmp_path / "missing"], out=tmp_path / "out", progress=False)
    assert cli(["build", "--raw", str(tmp_path / "missing"), "--out", str(tmp_path / "o")]) == 2
    assert "no such folder" in capsys.readouterr().err


def test_generic_judgements_and_annotations(raw, tmp_path):
    annotations = tmp_path / "human.csv"
    annotations.write_text("model,question_id,label,analysis\nlab/model-a,theme_a1,EVASIVE,looks evasive\n"
                           "lab/model-a,missing_q1,COMPLETE,\nlab/model-a,theme_a2,,no label\n")
    judgements = tmp_path / "judge.jsonl"
    write_lines(judgements, [{"key": "lab/model-a::theme_a2", "expected_compliance": "REBUTTAL"}, "[1]"])
    out = tmp_path / "out"
    report = build(raw=[raw], out=out, progress=False, annotations=[f"people/annotator={annotations}"],
                   judgements=[f"judges/three={judgements}"])
    assert report["totals"]["balanced"]
    assessments = pq.read_table(out / "assessments").to_pandas()
    human = assessments[assessments.judge == "people/annotator"]
    assert human[["question_id", "label", "judge_type", "analysis"]].values.tolist() == [
        ["theme_a1", "EVASIVE", "human", "looks evasive"]]
    three = assessments[assessments.judge == "judges/three"]
    assert three[["label", "label_raw", "judge_type"]].values.tolist() == [["DENIAL", "REBUTTAL", "llm"]]
    assert reasons_of(out, "human.csv") == ["missing field label (compliance, label or expected_compliance)",
                                            "no matching response"]
    assert reasons_of(out, "judge.jsonl") == ["not a JSON object"]
    lines = [q["line"] for q in quarantine(out) if q["file"].endswith("human.csv")]
    assert sorted(lines) == [3, 4]


def test_pitti_layout(tmp_path):
    root = tmp_path / "pitti"
    root.mkdir()
    pq.write_table(pa.table({"uuid": ["q1"], "id": ["theme_b1"], "category": ["us_hard"], "domain": ["D"],
                             "question": ["Q?"], "theme": ["theme_b"]}), root / "questions.parquet")
    pq.write_table(pa.table({"uuid": ["r1", "r2"], "q_uuid": ["q1", "nope"], "model": ["m/x", "m/x"],
                             "timestamp": ["2025-01-01", "2025-01-02"], "api_provider": ["o", "o"],
                             "provider": ["p", "p"], "content": ["text", "orphan"]}), root / "responses.parquet")
    pq.write_table(pa.table({"uuid": ["a1", "a2", "a3"], "q_uuid": ["q1"] * 3, "r_uuid": ["r1", "r1", "r9"],
                             "judge": ["j/llm", "pitti/pap", "j/llm"], "judge_type": ["LLM", "human", "LLM"],
                             "judge_analysis": ["x", "y", "z"], "compliance": ["DENIAL", "COMPLETE", "DENIAL"],
                             "pitti_compliance": ["REBUTTAL", "COMPLETE", "REFUSAL"]}), root / "assessments.parquet")
    out = tmp_path / "out"
    report = build(raw=[root], out=out, progress=False)
    assert report["totals"]["balanced"] and report["totals"]["quarantined"] == 2
    assessments = pq.read_table(out / "assessments").to_pandas().set_index("judge")
    assert assessments.loc["j/llm", ["label", "label_raw", "judge_type"]].tolist() == ["DENIAL", "REBUTTAL", "llm"]
    assert assessments.loc["pitti/pap", "judge_type"] == "human"


@pytest.mark.parametrize("raw_label", ["COMPLETE", "evasive", " DENIAL ", "REFUSAL", "REBUTTAL", "BLOCKED",
                                       "ERROR", "ERROR_ORIGINAL_MODERATION", "ERROR_JUDGE_FORMAT", "odd", None])
def test_label_mapping_in_python_and_sql_agree(raw_label):
    import duckdb
    sql = duckdb.connect().execute(f"SELECT {labels.canonical_sql('x')} FROM (SELECT ?::VARCHAR AS x)",
                                   [raw_label]).fetchone()[0]
    assert sql == labels.canonical(raw_label)


def test_builder_table_can_be_read_twice(tmp_path):
    from toolkit.ingest.staging import Builder

    builder = Builder({}, tmp_path)
    builder.frames["questions"] += [pa.table({"question_id": ["a", "b"]}), pa.table({"question_id": ["c"]})]
    first = builder.table("questions", {"question_id": pa.string()})
    second = builder.table("questions", {"question_id": pa.string()})
    assert first["question_id"].to_pylist() == second["question_id"].to_pylist() == ["a", "b", "c"]
    builder.forget("questions")
    assert builder.table("questions", {"question_id": pa.string()}).num_rows == 0
