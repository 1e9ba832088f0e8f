"""The Space bundle: exactly the right files, valid front matter, pins as in pyproject, and it starts."""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tomllib
import urllib.request
from pathlib import Path
from unittest.mock import create_autospec

import pytest
from huggingface_hub import CommitOperationAdd, HfApi

from toolkit.cli import main
from toolkit.release import cards, space
from toolkit.storage import hub_api

from .browser import app_process

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "hf_FAKEspaceTokenDoNotLeak0987654321"


def expected_bundle() -> set[str]:
    files = {"app.py", "README.md", "requirements.txt"}
    for path in (ROOT / "toolkit").rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts and (
                path.suffix == ".py" or (ROOT / "toolkit" / "resources") in path.parents):
            files.add(path.relative_to(ROOT).as_posix())
    return files


def test_dry_run_lists_exactly_the_bundle(tmp_path, capsys):
    out = tmp_path / "bundle"
    assert main(["deploy-space", "--space", "me/explorer", "--out", str(out), "--dry-run"]) == 0
    listed = [line.strip() for line in capsys.readouterr().out.splitlines()[1:]]
    on_disk = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert listed == on_disk
    assert set(listed) == expected_bundle()
    assert not any(name.startswith(("tests/", "bench/", ".")) or "__pycache__" in name for name in listed)


def test_space_readme_and_requirements():
    meta = cards.front_matter((ROOT / "space" / "README.md").read_text())
    assert meta["sdk"] == "gradio" and meta["app_file"] == "app.py"
    assert str(meta["sdk_version"]) == "6.31.0" and str(meta["python_version"]) == "3.11"
    assert meta["suggested_hardware"] and meta["models"] and meta["datasets"]
    pins = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    lines = [line.strip() for line in (ROOT / "space" / "requirements.txt").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    assert lines == pins
    gradio_pin = next(p for p in pins if p.startswith("gradio=="))
    assert gradio_pin == f"gradio=={meta['sdk_version']}"


def test_readme_names_the_hub_datasets(tmp_path):
    space.assemble(tmp_path / "b", "PITTI/sm")
    meta = cards.front_matter((tmp_path / "b" / "README.md").read_text())
    assert meta["datasets"] == [f"PITTI/sm-{d}" for d in hub_api.SPACE_DATASETS]


def test_upload_is_one_commit_and_sets_the_hub_variable(tmp_path, monkeypatch, capsys):
    api = create_autospec(HfApi, instance=True)
    api.repo_info.return_value = argparse.Namespace(sha="head0")
    api.list_repo_tree.return_value = []
    api.create_commit.return_value = argparse.Namespace(oid="c1")
    monkeypatch.setattr(hub_api, "make_api", lambda token: api)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    out = tmp_path / "bundle"
    code = main(["deploy-space", "--space", "me/explorer", "--hub", "me/sm", "--out", str(out), "--token", TOKEN])
    assert code == 0
    api.create_repo.assert_called_once()
    assert api.create_repo.call_args.kwargs["space_sdk"] == "gradio"
    assert api.create_commit.call_count == 1
    call = api.create_commit.call_args
    assert call.kwargs["repo_type"] == "space" and call.kwargs["parent_commit"] == "head0"
    assert {op.path_in_repo for op in call.args[1] if isinstance(op, CommitOperationAdd)} == expected_bundle()
    api.add_space_variable.assert_called_once_with("me/explorer", "SPEECHMAP_HUB", "me/sm")
    captured = capsys.readouterr()
    assert TOKEN not in captured.out + captured.err


def test_offline_deploy_is_one_sentence(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert main(["deploy-space", "--space", "me/x", "--out", str(tmp_path / "b"), "--token", TOKEN]) == 2
    assert capsys.readouterr().err.strip() == (
        "error: cannot reach the Hugging Face Hub (HF_HUB_OFFLINE is set); nothing was uploaded.")


@pytest.mark.slow
def test_assembled_folder_starts_the_app(tmp_path, demo_data):
    """The bundle alone (no repository around it) serves the dashboard on loopback."""
    out = tmp_path / "bundle"
    space.assemble(out, "me/sm")
    env = {"PYTHONPATH": str(out)}
    with app_process(demo_data, tree=out, env=env, timeout=180) as (url, _process):
        assert "gradio" in urllib.request.urlopen(url, timeout=10).read().decode().lower()
        # and what ran is the bundle's own toolkit package, not this checkout's
        found = subprocess.run([sys.executable, "-c", "import toolkit; print(toolkit.__file__)"], cwd=out,
                               env={**os.environ, **env}, capture_output=True, text=True, check=True).stdout.strip()
        assert Path(found) == out / "toolkit" / "__init__.py"


def test_no_network_deploy_is_one_sentence_with_the_real_client(tmp_path, monkeypatch, capsys):
    from huggingface_hub import constants

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(hub_api, "make_api", lambda token: HfApi(endpoint="http://hub.invalid", token=token))
    assert main(["deploy-space", "--space", "me/x", "--out", str(tmp_path / "b"), "--token", TOKEN]) == 2
    assert capsys.readouterr().err.strip() == (
        "error: cannot reach the Hugging Face Hub (ConnectError); nothing was uploaded.")


def test_a_lost_connection_after_the_commit_says_the_bundle_is_there(tmp_path, monkeypatch, capsys):
    import httpx2

    api = create_autospec(HfApi, instance=True)
    api.repo_info.return_value = argparse.Namespace(sha="head0")
    api.list_repo_tree.return_value = []
    api.create_commit.return_value = argparse.Namespace(oid="c1")
    api.add_space_variable.side_effect = httpx2.ConnectError("[Errno -2] Name or service not known")
    monkeypatch.setattr(hub_api, "make_api", lambda token: api)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    assert main(["deploy-space", "--space", "me/x", "--out", str(tmp_path / "b"), "--token", TOKEN]) == 2
    assert capsys.readouterr().err.strip() == (
        "error: me/x: committed c1, but the Hub could not be reached to set SPEECHMAP_HUB (ConnectError); "
        "a re-run sets it")


@pytest.mark.parametrize("flags", [["--space", "me/../x"], ["--space", "x"], ["--space", "me/x", "--hub", "../../y"],
                                   ["--space", "me/x", "--hub", "me/sm-"]])
def test_space_and_hub_are_hub_names(flags, tmp_path, capsys):
    out = tmp_path / "b"
    assert main(["deploy-space", *flags, "--out", str(out), "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and len(err.strip().splitlines()) == 1
    assert any(reason in err for reason in ("is not a Hub name", "must be ORG/NAME", "expected ORG/prefix"))
    assert not out.exists()
