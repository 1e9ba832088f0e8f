"""Uploading: the Hub's network API is faked with create_autospec(HfApi); everything else is real."""
from __future__ import annotations

import argparse
import logging
from pathlib import Path
from unittest.mock import create_autospec

import pytest
from huggingface_hub import CommitOperationAdd, CommitOperationDelete, HfApi
from huggingface_hub.hf_api import RepoFile

from toolkit.cli import main
from toolkit.release import hub_commit
from toolkit.storage import hub_api

TOKEN = "hf_FAKEtokenDoNotLeak1234567890abcdef"
REPOS = ["someorg/speechmap-questions", "someorg/speechmap-responses", "someorg/speechmap-assessments",
         "someorg/speechmap-models", "someorg/speechmap-classifier"]


class FakeHub:
    """Remote state per repo (path -> (sha256, git sha1, size)), served through an autospec'd HfApi."""

    def __init__(self):
        self.files: dict[str, dict[str, hub_commit.FileHash]] = {}
        self.commits: list[tuple[str, list, str]] = []
        self.api = create_autospec(HfApi, instance=True)
        self.api.repo_info.side_effect = lambda repo_id, **kw: argparse.Namespace(sha=f"head-{repo_id}-{len(self.commits)}")
        self.api.list_repo_tree.side_effect = self.tree
        self.api.create_commit.side_effect = self.commit

    def tree(self, repo_id, **kw):
        return [RepoFile(path=p, size=h.size, oid=h.git_sha1,
                         lfs={"size": h.size, "oid": h.sha256, "pointerSize": 130} if p.endswith(".parquet") else None)
                for p, h in self.files.get(repo_id, {}).items()]

    def commit(self, repo_id, operations, *, commit_message, repo_type, parent_commit, **kw):
        assert parent_commit == f"head-{repo_id}-{len(self.commits)}"
        files = self.files.setdefault(repo_id, {})
        for op in operations:
            if isinstance(op, CommitOperationAdd):
                files[op.path_in_repo] = hub_commit.hash_file(Path(op.path_or_fileobj))
            else:
                files.pop(op.path_in_repo)
        self.commits.append((repo_id, list(operations), parent_commit))
        return argparse.Namespace(oid=f"c{len(self.commits)}")


@pytest.fixture()
def hub(monkeypatch):
    fake = FakeHub()
    monkeypatch.setattr(hub_api, "make_api", lambda token: fake.api)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    return fake


def publish_args(sample_data, stage, *extra):
    return ["publish", "--data", str(sample_data), "--org", "someorg", "--stage", str(stage), "--token", TOKEN, *extra]


def test_one_commit_per_repo_then_nothing(hub, sample_data, tmp_path, capsys, caplog):
    caplog.set_level(logging.DEBUG)
    assert main(publish_args(sample_data, tmp_path)) == 0
    assert [c[0] for c in hub.commits] == REPOS
    for repo_id, operations, _ in hub.commits:
        folder = tmp_path / repo_id.split("/")[1]
        staged = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
        assert sorted(op.path_in_repo for op in operations) == staged
        assert all(isinstance(op, CommitOperationAdd) for op in operations)
    created = [c.args[0] for c in hub.api.create_repo.call_args_list]
    assert created == REPOS and all(c.kwargs["exist_ok"] for c in hub.api.create_repo.call_args_list)
    first = capsys.readouterr()

    assert main(publish_args(sample_data, tmp_path)) == 0
    assert len(hub.commits) == len(REPOS)  # nothing committed the second time
    second = capsys.readouterr()
    assert second.out.count("up to date, no commit") == len(REPOS)
    for text in (first.out, first.err, second.out, second.err, caplog.text):
        assert TOKEN not in text


def test_stale_shards_are_deleted_in_the_same_commit(hub, sample_data, tmp_path, capsys):
    stale = hub_commit.FileHash("0" * 64, "1" * 40, 10)
    hub.files["someorg/speechmap-questions"] = {
        "data/questions/train-00000-of-00002.parquet": stale, "data/questions/train-00001-of-00002.parquet": stale,
        "notes.md": stale}
    assert main(publish_args(sample_data, tmp_path)) == 0
    repo_id, operations, _ = hub.commits[0]
    assert repo_id == "someorg/speechmap-questions"
    deleted = sorted(op.path_in_repo for op in operations if isinstance(op, CommitOperationDelete))
    assert deleted == ["data/questions/train-00000-of-00002.parquet", "data/questions/train-00001-of-00002.parquet"]
    assert "notes.md" in hub.files[repo_id]  # not ours: left alone
    assert "  - data/questions/train-00001-of-00002.parquet" in capsys.readouterr().out


def test_a_failure_mid_way_is_reported_and_exits_non_zero(hub, sample_data, tmp_path, capsys, caplog):
    caplog.set_level(logging.DEBUG)
    commit = hub.commit

    def failing(repo_id, operations, **kw):
        if repo_id.endswith("-assessments"):
            raise RuntimeError(f"412 Precondition Failed: parent commit moved (Authorization: Bearer {TOKEN})")
        return commit(repo_id, operations, **kw)

    hub.api.create_commit.side_effect = failing
    assert main(publish_args(sample_data, tmp_path)) == 1
    assert "someorg/speechmap-assessments" not in hub.files  # left as it was
    assert [c[0] for c in hub.commits] == [r for r in REPOS if not r.endswith("-assessments")]
    captured = capsys.readouterr()
    assert "someorg/speechmap-assessments: RuntimeError: 412" in captured.err
    assert "another writer" in captured.err
    assert "1 repo(s) failed" in captured.err
    for text in (captured.out, captured.err, caplog.text):
        assert TOKEN not in text
    # the re-run publishes only what is missing
    hub.api.create_commit.side_effect = hub.commit
    assert main(publish_args(sample_data, tmp_path)) == 0
    assert hub.commits[-1][0] == "someorg/speechmap-assessments" and len(hub.commits) == len(REPOS)


def test_dry_run_uses_no_network(sample_data, tmp_path, capsys, monkeypatch):
    def no_api(token):
        raise AssertionError("--dry-run must not build an HfApi")

    monkeypatch.setattr(hub_api, "make_api", no_api)
    assert main(["publish", "--data", str(sample_data), "--org", "someorg", "--stage", str(tmp_path), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "someorg/speechmap-questions: dry run, would commit: 3 added, 0 changed, 0 deleted" in out
    assert "  + data/assessments/train-00000-of-00001.parquet" in out


def test_dry_run_after_publish_says_unchanged(hub, sample_data, tmp_path, capsys):
    assert main(publish_args(sample_data, tmp_path)) == 0
    capsys.readouterr()
    assert main(publish_args(sample_data, tmp_path, "--dry-run")) == 0
    assert capsys.readouterr().out.count("dry run, unchanged since the last publish") == len(REPOS)


def test_offline_is_one_sentence(sample_data, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert main(publish_args(sample_data, tmp_path)) == 2
    err = capsys.readouterr().err
    assert err.strip() == "error: cannot reach the Hugging Face Hub (HF_HUB_OFFLINE is set); nothing was uploaded."


def test_no_network_is_one_sentence(hub, sample_data, tmp_path, capsys):
    import httpx

    hub.api.create_repo.side_effect = httpx.ConnectError(f"connection refused for token {TOKEN}")
    assert main(publish_args(sample_data, tmp_path)) == 2
    captured = capsys.readouterr()
    assert "cannot reach the Hugging Face Hub" in captured.err and "Traceback" not in captured.err
    assert TOKEN not in captured.err + captured.out


def test_missing_token_is_a_clear_error(sample_data, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    assert main(["publish", "--data", str(sample_data), "--org", "o", "--stage", str(tmp_path)]) == 2
    assert "no Hub token" in capsys.readouterr().err


def test_scrub():
    assert hub_api.scrub(f"x {TOKEN} y", TOKEN) == "x *** y"
    assert hub_api.scrub("Bearer hf_abcdefghijklmnop", None) == "Bearer hf_***"
