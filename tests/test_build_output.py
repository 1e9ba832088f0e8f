"""`build --out` replaces only what a build wrote, tidies what stopped builds left, and reports."""
from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

import pytest

from toolkit.cli import main as cli
from toolkit.ingest.errors import BuildError
from toolkit.ingest.output import BUILD_MARKER
from toolkit.ingest.pipeline import build


def write_jsonl(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


@pytest.fixture
def raw(tmp_path) -> Path:
    root = tmp_path / "raw"
    write_jsonl(root / "questions" / "tiny.jsonl", [{"id": "theme_a1", "category": "tiny", "question": "Q?"}])
    write_jsonl(root / "responses" / "tiny_lab_m.jsonl", [{
        "question_id": "theme_a1", "category": "tiny", "model": "lab/m", "timestamp": "2025-01-01T00:00:00Z",
        "response": {"choices": [{"finish_reason": "stop", "message": {"content": "Answer"}}]}}])
    write_jsonl(root / "analysis" / "compliance_tiny_lab_m.jsonl", [{
        "question_id": "theme_a1", "model": "lab/m", "judge_model": "j/one", "compliance": "COMPLETE"}])
    return root


def files_under(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_out_pointing_at_the_raw_folder_is_refused(raw, capsys):
    before = files_under(raw)
    assert cli(["build", "--raw", str(raw), "--out", str(raw), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "holds the input" in err and len(err.strip().splitlines()) == 1
    assert files_under(raw) == before


@pytest.mark.parametrize("where", ["inside raw", "above raw", "a metadata folder", "a judgements file's folder"])
def test_out_holding_or_inside_an_input_is_refused(raw, tmp_path, where):
    judgements = tmp_path / "side" / "j.jsonl"
    write_jsonl(judgements, [{"model": "lab/m", "question_id": "theme_a1", "label": "DENIAL", "judge": "j/two"}])
    meta = tmp_path / "meta"
    out = {"inside raw": raw / "data", "above raw": tmp_path, "a metadata folder": meta,
           "a judgements file's folder": judgements.parent}[where]
    with pytest.raises(BuildError, match="holds the input|lies inside the input"):
        build(raw=[raw], out=out, progress=False, judgements=[str(judgements)],
              metadata=meta if where == "a metadata folder" else None)
    assert judgements.exists() and (raw / "responses" / "tiny_lab_m.jsonl").exists()


def test_out_that_is_not_a_build_is_left_alone(raw, tmp_path):
    out = tmp_path / "notes"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(BuildError, match="not a previous build"):
        build(raw=[raw], out=out, progress=False)
    assert files_under(out) == {"keep.txt": b"mine"}
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    assert cli(["build", "--raw", str(raw), "--out", str(a_file), "--quiet"]) == 2
    assert a_file.read_text() == "x"


def test_previous_builds_and_empty_folders_are_replaced(raw, tmp_path):
    out = tmp_path / "out"
    out.mkdir()  # empty: nothing to lose
    build(raw=[raw], out=out, progress=False)
    assert (out / BUILD_MARKER).is_file()
    build(raw=[raw], out=out, progress=False)  # a marked build
    (out / BUILD_MARKER).unlink()  # a build from before the marker existed: report + table folders
    build(raw=[raw], out=out, progress=False)
    assert (out / BUILD_MARKER).is_file()


def test_out_has_a_normal_folder_mode(raw, tmp_path):
    out = tmp_path / "out"
    umask = os.umask(0o022)
    try:
        build(raw=[raw], out=out, progress=False)
    finally:
        os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o755


def test_leftovers_of_a_killed_build_are_tidied(raw, tmp_path):
    out = tmp_path / "out"
    build(raw=[raw], out=out, progress=False)
    staging = tmp_path / ".out.build-staging-abc"   # killed while staging
    staging.mkdir()
    (staging / BUILD_MARKER).write_text("")
    (staging / "responses-bucket-a.arrow").write_bytes(b"x" * 100)
    tmp = tmp_path / ".out.tmp-xyz"                   # killed while writing
    tmp.mkdir()
    (tmp / BUILD_MARKER).write_text("")
    foreign = tmp_path / ".out.tmp-not-ours"          # no marker, not empty: not proven ours
    foreign.mkdir()
    (foreign / "data.txt").write_text("keep")
    report = build(raw=[raw], out=out, progress=False)
    assert not staging.exists() and not tmp.exists() and foreign.exists()
    assert sum("left by a stopped build" in w for w in report["warnings"]) == 2
    assert not list(tmp_path.glob(".out.build-staging-*")) and not list(tmp_path.glob(".out.tmp-*x*"))


def test_kill_between_the_renames_is_recovered(raw, tmp_path):
    out = tmp_path / "out"
    build(raw=[raw], out=out, progress=False)
    out.rename(tmp_path / ".out.old")  # OUT was moved aside, the new one never moved in
    report = build(raw=[raw], out=out, progress=False)
    assert (out / BUILD_MARKER).is_file() and not (tmp_path / ".out.old").exists()
    assert any("recovered" in w for w in report["warnings"])


def test_recovery_keeps_the_previous_output_when_the_next_build_fails(raw, tmp_path):
    out = tmp_path / "out"
    build(raw=[raw], out=out, progress=False)
    out.rename(tmp_path / ".out.old")
    with pytest.raises(BuildError):
        build(raw=[raw], out=out, progress=False, metadata=tmp_path / "no-metadata-here")
    assert (out / BUILD_MARKER).is_file()


def test_two_builds_into_one_out_at_once(raw, tmp_path):
    out = tmp_path / "out"
    errors = []

    def run():
        try:
            build(raw=[raw], out=out, progress=False)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert (out / "quarantine.jsonl").is_file() and (out / BUILD_MARKER).is_file()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".out")) == [".out.lock"]
