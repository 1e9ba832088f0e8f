"""Uploading: the Hub's network API is faked with create_autospec(HfApi); everything else is real."""
from __future__ import annotations

import argparse
import json
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


# --- no network, partial uploads, Ctrl-C: the exception types the installed client really raises -----------

def unreachable_api(token=None):
    """The real HfApi pointed at a host that never resolves (.invalid, RFC 6761): real transport errors."""
    return HfApi(endpoint="http://hub.invalid", token=token)


@pytest.fixture()
def online(monkeypatch):
    """Offline mode off, whatever the environment held when huggingface_hub was imported."""
    from huggingface_hub import constants

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)


def real_connection_error() -> BaseException:
    with pytest.raises(Exception) as raised:
        unreachable_api(TOKEN).create_repo("someorg/x", repo_type="dataset", exist_ok=True)
    return raised.value


def test_what_the_installed_client_raises_is_a_connection_error(online):
    import socket

    from huggingface_hub.errors import OfflineModeIsEnabled

    error = real_connection_error()
    chain = []
    while error is not None:
        chain.append(error)
        error = error.__cause__ or error.__context__
    # huggingface_hub 2.x: httpx2.ConnectError <- httpcore2.ConnectError <- socket.gaierror (an OSError,
    # not a ConnectionError), none of them httpx.TransportError: the old check let all of them through.
    assert any(isinstance(e, socket.gaierror) for e in chain) or any(isinstance(e, ConnectionError) for e in chain)
    assert all(hub_api.is_connection_error(e) for e in chain)
    assert hub_api.is_connection_error(socket.gaierror(-2, "Name or service not known"))
    assert hub_api.is_connection_error(OfflineModeIsEnabled("offline"))
    assert not hub_api.is_connection_error(ValueError("412 Precondition Failed"))


def test_no_network_with_the_real_client_is_one_sentence(online, sample_data, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(hub_api, "make_api", unreachable_api)
    assert main(publish_args(sample_data, tmp_path)) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == "error: cannot reach the Hugging Face Hub (ConnectError); nothing was uploaded."
    assert len(err) == 2 and err[0].startswith("staged and verified 5 repos")   # not one line per repo
    assert TOKEN not in "\n".join(err)


def test_a_lost_connection_after_the_first_commit_says_what_was_committed(hub, sample_data, tmp_path, capsys):
    lost = real_connection_error()
    commit = hub.commit

    def first_only(repo_id, operations, **kw):
        if hub.commits:
            raise lost
        return commit(repo_id, operations, **kw)

    hub.api.create_commit.side_effect = first_only
    assert main(publish_args(sample_data, tmp_path)) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == ("error: cannot reach the Hugging Face Hub (ConnectError) after committing "
                       "someorg/speechmap-questions; the other repos were left as they were, and a re-run "
                       "publishes the rest.")
    assert "nothing was uploaded" not in "\n".join(err)
    hub.api.create_commit.side_effect = hub.commit    # the network is back: the rest is published
    assert main(publish_args(sample_data, tmp_path)) == 0
    assert [c[0] for c in hub.commits] == REPOS
    assert "someorg/speechmap-questions: up to date, no commit" in capsys.readouterr().out


def test_ctrl_c_is_one_line_and_exit_130(hub, sample_data, tmp_path, capsys, monkeypatch):
    commit = hub.commit

    def interrupted_third(repo_id, operations, **kw):
        if len(hub.commits) == 2:
            raise KeyboardInterrupt
        return commit(repo_id, operations, **kw)

    hub.api.create_commit.side_effect = interrupted_third
    assert main(publish_args(sample_data, tmp_path)) == 130
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == ("error: interrupted after committing someorg/speechmap-questions, someorg/speechmap-responses; "
                       "the other repos were left as they were (a commit is all or nothing), and a re-run publishes "
                       "the rest.")
    assert len(json.loads((tmp_path / ".publish-state.json").read_text())) == 2   # the record is whole
    # before any upload (here while verifying)
    from toolkit.cli import publish as publish_cli

    def stop(repo):
        raise KeyboardInterrupt

    monkeypatch.setattr(publish_cli, "verify", stop)
    assert main(publish_args(sample_data, tmp_path)) == 130
    assert capsys.readouterr().err.strip() == "error: interrupted; nothing was uploaded."


def test_any_piece_of_the_token_is_scrubbed():
    assert hub_api.scrub(f"x {TOKEN} y", TOKEN) == "x *** y"
    assert hub_api.scrub("Bearer hf_abcdefghijklmnop", None) == "Bearer hf_***"
    piece = TOKEN[9:17]                                      # 8 characters from the middle
    assert hub_api.scrub(f"key={piece}&a=1", TOKEN) == "key=***&a=1"
    assert hub_api.scrub(f"{TOKEN[3:20]}...{TOKEN[25:]}!", TOKEN) == "***...***!"
    assert hub_api.scrub(f"short {TOKEN[9:16]} stays", TOKEN) == f"short {TOKEN[9:16]} stays"  # 7 characters
    assert hub_api.scrub("abc", "tiny") == "abc" and hub_api.scrub("a tiny b", "tiny") == "a *** b"


def test_a_failure_message_with_a_piece_of_the_token_is_scrubbed(hub, sample_data, tmp_path, capsys):
    hub.api.create_commit.side_effect = RuntimeError(f"bad header 'Bearer {TOKEN[3:15]}'")
    assert main(publish_args(sample_data, tmp_path)) == 1
    captured = capsys.readouterr()
    assert "bad header 'Bearer ***'" in captured.err and TOKEN[3:15] not in captured.err + captured.out


@pytest.mark.parametrize("flag, value", [("--prefix", "../../x"), ("--prefix", "a/b"), ("--prefix", "sm-"),
                                         ("--org", "../up"), ("--org", "x y"), ("--prefix", "p" * 90)])
def test_org_and_prefix_are_hub_names_before_anything_is_written(flag, value, sample_data, tmp_path, capsys):
    outside = tmp_path / "a" / "x-questions"             # where ../../x would have been staged
    outside.mkdir(parents=True)
    (outside / "keep.txt").write_text("mine")
    stage_dir = tmp_path / "a" / "b" / "stage"
    args = {"--org": "someorg", "--prefix": "speechmap", flag: value}
    code = main(["publish", "--data", str(sample_data), "--stage", str(stage_dir), "--dry-run",
                 "--org", args["--org"], "--prefix", args["--prefix"]])
    assert code == 2
    assert "is not a Hub name" in capsys.readouterr().err
    assert not stage_dir.exists() and (outside / "keep.txt").read_text() == "mine"
