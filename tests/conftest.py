"""Shared fixtures: the real sample built once, the small demo built once, where screenshots go."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import pytest

from tests.browser import SCREENSHOTS_VARIABLE, screenshot_folder
from tests.data_paths import JUDGE_EVALUATION, SPEECHMAP, VARIABLE, missing_message, shared_data_folder


def sample_build_arguments() -> dict:
    """The real SpeechMap sample: small sets (two judges), the historical run, the judge-evaluation
    sample (grok + two human gold manifests) and the site metadata."""
    return dict(
        raw=[SPEECHMAP / "speechmap-data", SPEECHMAP / "speechmap-data-historical"],
        responses=[JUDGE_EVALUATION / "us_hard_sample_responses.jsonl"],
        judgements=[str(JUDGE_EVALUATION / "results" / "x-ai_grok-4.1-fast_no_reasoning"
                        / "compliance_us_hard_sample_responses.jsonl")],
        annotations=[f"speechmap/gold-v1={JUDGE_EVALUATION / 'us_hard_sample_manifest.jsonl'}",
                     f"speechmap/gold-consensus-v4={JUDGE_EVALUATION / 'us_hard_sample_manifest_consensus_v4.jsonl'}"],
        metadata=SPEECHMAP / "site-metadata",
    )


def pytest_report_header(config) -> str:
    folder = shared_data_folder()
    state = "" if folder.is_dir() else " (MISSING: the tests that need it fail)"
    return f"real data: {folder}{state} (set {VARIABLE} to change)"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real data folder; every test that reads it asks for this fixture (directly or through
    `sample_data`), so a missing folder fails those tests with one clear message, in CI and locally."""
    folder = shared_data_folder()
    if not folder.is_dir():
        pytest.fail(missing_message(folder), pytrace=False)
    return folder


@pytest.fixture(scope="session", autouse=True)
def screenshots_outside_the_repository(tmp_path_factory) -> Iterator[Path]:
    """Browser tests write their screenshots under pytest's temporary folder unless
    SPEECHMAP_SCREENSHOTS names another folder (to look at them after a run)."""
    chosen = os.environ.get(SCREENSHOTS_VARIABLE)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(SCREENSHOTS_VARIABLE, chosen or str(tmp_path_factory.mktemp("screenshots")))
        yield screenshot_folder()


@pytest.fixture(scope="session")
def sample_data(tmp_path_factory, shared_data) -> Path:
    from toolkit.ingest.pipeline import build

    out = tmp_path_factory.mktemp("sample") / "data"
    build(out=out, progress=False, **sample_build_arguments())
    return out


@pytest.fixture(scope="session")
def demo_data(tmp_path_factory) -> Path:
    from toolkit.ingest.synth import ensure_demo

    return ensure_demo(tmp_path_factory.mktemp("demo"), scale="small", seed=0)
