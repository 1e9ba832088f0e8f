"""Bad input gets a clear reason in the quarantine report and loses nothing."""
from __future__ import annotations

import errno
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
    assert responses.loc["theme_a2", "content"] == "Anthropic \n\nanswer"  # text blocks joined with a blank line, as SpeechMap does
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


def test_full_disk_leaves_previous_output(raw, tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    build(raw=[raw], out=out, progress=False)
    stamp = (out / "build_report.json").read_text()
    from toolkit.ingest.staging import Builder

    def broken(self, light, kind, target, path):
        if kind == "assessments":
            raise OSError(errno.ENOSPC, "No space left on device")  # after the small tables and responses
        return original(self, light, kind, target, path)

    original = Builder.merge_write
    monkeypatch.setattr(Builder, "merge_write", broken)
    with pytest.raises(BuildError, match="no space left on the device"):
        build(raw=[raw], out=out, progress=False)
    assert (out / "build_report.json").read_text() == stamp
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.tmp")]
    assert cli(["build", "--raw", str(raw), "--out", str(out), "--quiet"]) == 2
    assert capsys.readouterr().err.strip().count("\n") == 0  # one sentence, no traceback


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


# -- side inputs: a quarantine line or one clear sentence, never a traceback ------------------------
def side_build(raw, tmp_path, **options) -> dict:
    return build(raw=[raw], out=tmp_path / "out", progress=False, **options)


def test_judgement_rows_with_mistyped_fields_are_quarantined(raw, tmp_path):
    judgements = tmp_path / "judge.jsonl"
    write_lines(judgements, [
        {"model": "lab/model-a", "question_id": 7, "label": "DENIAL"},                       # numeric id
        {"model": ["lab/model-a"], "question_id": "theme_a1", "label": "DENIAL"},           # list model
        {"model": "lab/model-a", "question_id": "theme_a1", "label": "DENIAL", "timestamp": 1735689600},
        {"model": "lab/model-a", "question_id": "theme_a2", "label": "DENIAL", "judge": {"name": "x"}},
    ])
    report = side_build(raw, tmp_path, judgements=[f"judges/three={judgements}"])
    assert report["totals"]["balanced"]
    assert reasons_of(tmp_path / "out", "judge.jsonl") == [
        "field judge is not a string (object)", "field model is not a string (array)",
        "field question_id is not a string (number)"]
    three = pq.read_table(tmp_path / "out" / "assessments").to_pandas().query("judge == 'judges/three'")
    assert three[["question_id", "timestamp"]].values.tolist() == [["theme_a1", "1735689600"]]


def test_csv_field_over_the_default_limit(raw, tmp_path):
    annotations = tmp_path / "human.csv"
    annotations.write_text("model,question_id,label,analysis\n"
                           f"lab/model-a,theme_a1,EVASIVE,{'y' * 200_000}\nlab/model-a,theme_a2,COMPLETE,short\n")
    report = side_build(raw, tmp_path, annotations=[f"people/p={annotations}"])
    assert report["totals"]["balanced"]
    human = pq.read_table(tmp_path / "out" / "assessments").to_pandas().query("judge == 'people/p'")
    assert sorted(human.analysis.str.len()) == [5, 200_000]


def test_deeply_nested_json_is_quarantined(raw, tmp_path):
    judgements = tmp_path / "deep.jsonl"
    judgements.write_text("[" * 10_000 + "]" * 10_000 + "\n"
                          + json.dumps({"model": "lab/model-a", "question_id": "theme_a1", "label": "DENIAL"}) + "\n"
                          + '{"a": ' * 10_000 + "1" + "}" * 10_000 + "\n")
    report = side_build(raw, tmp_path, judgements=[f"judges/three={judgements}"])
    assert reasons_of(tmp_path / "out", "deep.jsonl") == ["invalid JSON (nested too deeply)"] * 2
    assert report["totals"]["balanced"]


def test_corrupt_parquet_judgements_are_one_quarantine_line(raw, tmp_path):
    broken = tmp_path / "judge.parquet"
    broken.write_bytes(b"PAR1 this is not parquet PAR1")
    report = side_build(raw, tmp_path, judgements=[f"judges/three={broken}"])
    entries = [q for q in quarantine(tmp_path / "out") if q["file"] == str(broken)]
    assert [(q["line"], q["reason"]) for q in entries] == [(None, "unreadable parquet file (ArrowInvalid)")]
    assert report["totals"]["balanced"]


@pytest.mark.parametrize("option", ["judgements", "annotations", "responses"])
def test_a_folder_given_as_a_file(raw, tmp_path, option, capsys):
    folder = tmp_path / "a-folder"
    folder.mkdir()
    with pytest.raises(BuildError, match="is a folder, not a file"):
        side_build(raw, tmp_path, **{option: [str(folder)]})
    assert cli(["build", "--raw", str(raw), f"--{option}", str(folder), "--out", str(tmp_path / "o")]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_metadata_with_a_list_creator(raw, tmp_path):
    meta = tmp_path / "meta"
    write_lines(meta / "model_metadata.json", [
        {"model_identifier": "lab/model-a", "creator": ["lab", "other"], "release_date": "2025-01-01"},
        {"model_identifier": "lab/model-b", "creator": "lab", "model_name": {"en": "B"}},
        {"model_identifier": "", "creator": "lab"}])
    write_lines(meta / "lab_metadata.jsonl", [{"lab": "lab", "full_name": ["Lab"]}, {"lab": "other"}])
    report = side_build(raw, tmp_path, metadata=meta)
    assert reasons_of(tmp_path / "out", "model_metadata.json") == [
        "field creator is not a string", "field model_name is not a string", "missing field model_identifier"]
    assert reasons_of(tmp_path / "out", "lab_metadata.jsonl") == ["field full_name is not a string"]
    assert report["totals"]["balanced"] and report["models_without_metadata"] == ["lab/model-a"]


@pytest.mark.parametrize("content", ['["judges/one"]', '{"judges/one": "judges/one-alias"}', "{not json"])
def test_judge_aliases_must_be_a_json_object_of_lists(raw, tmp_path, content, capsys):
    aliases = tmp_path / "aliases.json"
    aliases.write_text(content)
    with pytest.raises(BuildError, match="--judge-aliases"):
        side_build(raw, tmp_path, judge_aliases=aliases)
    assert cli(["build", "--raw", str(raw), "--judge-aliases", str(aliases), "--out", str(tmp_path / "o")]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_pitti_files_with_missing_columns(tmp_path, capsys):
    root = tmp_path / "pitti"
    root.mkdir()
    pq.write_table(pa.table({"uuid": ["q1"], "id": ["theme_b1"], "category": ["us_hard"], "question": ["Q?"]}),
                   root / "questions.parquet")  # no domain: optional
    pq.write_table(pa.table({"uuid": ["r1"], "q_uuid": ["q1"], "model": ["m/x"], "content": ["text"]}),
                   root / "responses.parquet")  # no timestamp: required
    pq.write_table(pa.table({"r_uuid": ["r1"], "judge": ["j"], "compliance": ["COMPLETE"]}),
                   root / "assessments.parquet")
    with pytest.raises(BuildError, match="missing column.s. timestamp"):
        build(raw=[root], out=tmp_path / "out", progress=False)
    pq.write_table(pa.table({"uuid": ["r1"], "q_uuid": ["q1"], "model": ["m/x"], "content": ["text"],
                             "timestamp": ["2025-01-01"]}), root / "responses.parquet")
    report = build(raw=[root], out=tmp_path / "out", progress=False)
    assert report["tables"]["assessments"] == 1 and report["totals"]["balanced"]


def test_unreadable_file_is_one_sentence(raw, tmp_path, monkeypatch, capsys):
    # Tests run as root, where file modes do not stop reading: the denial is simulated.
    judgements = tmp_path / "judge.jsonl"
    write_lines(judgements, [{"model": "lab/model-a", "question_id": "theme_a1", "label": "DENIAL"}])
    real = Path.read_bytes

    def denied(self):
        if self == judgements:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", denied)
    with pytest.raises(BuildError, match=f"permission denied \\({judgements}\\)"):
        side_build(raw, tmp_path, judgements=[f"judges/three={judgements}"])
    assert cli(["build", "--raw", str(raw), "--judgements", f"j={judgements}", "--out", str(tmp_path / "o"),
                "--quiet"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_a_line_too_long_to_parse_is_quarantined(raw, tmp_path):
    from toolkit.ingest.lines import MAX_LINE_BYTES

    huge = response_row("theme_a2", model="lab/model-b", response={"choices": [
        {"finish_reason": "stop", "message": {"content": "z" * (45 << 20)}}]})
    write_lines(raw / "responses" / "tiny_lab_model-b.jsonl", [huge, response_row("theme_a1", model="lab/model-b")])
    report = side_build(raw, tmp_path)
    entries = [q for q in quarantine(tmp_path / "out") if q["file"].endswith("tiny_lab_model-b.jsonl")]
    assert [(q["line"], q["reason"]) for q in entries] == [(1, f"line longer than {MAX_LINE_BYTES:,} bytes")]
    assert entries[0]["snippet"].startswith('{"question_id": "theme_a2"') and len(entries[0]["snippet"]) <= 301
    assert report["totals"]["balanced"]


# -- timestamps as instants; empty and odd names -----------------------------------------------------
def tiny_raw(root: Path, responses: list, analysis: dict[str, list]) -> Path:
    write_lines(root / "questions" / "tiny.jsonl", [{"id": "theme_a1", "category": "tiny", "question": "Q1"}])
    write_lines(root / "responses" / "tiny_lab_model-a.jsonl", responses)
    for folder, rows in analysis.items():
        write_lines(root / folder / "compliance_tiny_lab_model-a.jsonl", rows)
    return root


def test_newest_is_the_latest_instant_not_the_largest_string(tmp_path):
    tokyo, utc = "2025-01-01T10:00:00+09:00", "2025-01-01T05:00:00Z"  # 01:00 and 05:00 UTC
    raw = tiny_raw(tmp_path / "raw", [response_row("theme_a1", timestamp=tokyo), response_row("theme_a1", timestamp=utc)],
                   {"analysis": [analysis_row("theme_a1", "COMPLETE", timestamp="2025-02-01T10:00:00+09:00"),
                                 analysis_row("theme_a1", "DENIAL", timestamp="2025-02-01T05:00:00Z")]})
    judgements = tmp_path / "j.jsonl"  # names the older response by its instant, written in UTC
    write_lines(judgements, [{"model": "lab/model-a", "question_id": "theme_a1", "label": "EVASIVE",
                              "response_timestamp": "2025-01-01T01:00:00+00:00"}])
    build(raw=[raw], out=tmp_path / "out", progress=False, judgements=[f"judges/two={judgements}"])
    responses = pq.read_table(tmp_path / "out" / "responses").to_pandas().set_index("response_id")
    assessments = pq.read_table(tmp_path / "out" / "assessments").to_pandas().set_index("judge")
    assert assessments.at["judges/one", "label"] == "DENIAL"  # 05:00Z is the newer judgement
    assert responses.at[assessments.at["judges/one", "response_id"], "timestamp"] == utc
    assert responses.at[assessments.at["judges/two", "response_id"], "timestamp"] == tokyo
    assert [q["reason"] for q in quarantine(tmp_path / "out")] == ["duplicate judgement (kept the newest)"]


def test_empty_and_garbage_fields_are_quarantined(tmp_path):
    raw = tiny_raw(tmp_path / "raw", [
        response_row("theme_a1"), response_row("theme_a1", timestamp=""), response_row("theme_a1", timestamp="yesterday"),
        response_row("theme_a1", model=""), response_row(" ")],
        {"analysis": [analysis_row("theme_a1", timestamp="soon"), analysis_row("theme_a1", judge=".")],
         "analysis.": [{"question_id": "theme_a1", "compliance": "DENIAL"}],
         "analysis..": [{"question_id": "theme_a1", "compliance": "DENIAL"}],
         "analysis.judges_two": [{"question_id": "theme_a1", "compliance": "EVASIVE"}]})
    report = build(raw=[raw], out=tmp_path / "out", progress=False)
    assert report["totals"]["balanced"]
    assert reasons_of(tmp_path / "out", "tiny_lab_model-a.jsonl") == [
        "field model is empty", "field question_id is empty", "field timestamp is empty",
        "field timestamp is not a date and time"]
    found = sorted((Path(q["file"]).parent.name, q["reason"]) for q in quarantine(tmp_path / "out")
                   if q["file"].startswith(str(raw / "analysis")))
    assert found == [("analysis", "field timestamp is not a date and time"),
                     ("analysis", "judge name has no letters or digits"),
                     ("analysis.", "missing field judge_model"), ("analysis..", "missing field judge_model")]
    assert set(pq.read_table(tmp_path / "out" / "judges").column("judge").to_pylist()) == {"judges/two"}


def test_every_quarantine_entry_has_its_snippet(raw, tmp_path):
    build(raw=[raw], out=tmp_path / "out", progress=False)
    entries = quarantine(tmp_path / "out")
    assert entries and all(q["snippet"] for q in entries)
    duplicate = next(q for q in entries if q["reason"] == "duplicate question")
    assert duplicate["snippet"] == json.dumps({"id": "theme_a1", "category": "tiny", "domain": "D", "question": "Q1"})
