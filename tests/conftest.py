"""Shared fixtures: the real sample built once, the small demo built once, paths."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
SPEECHMAP = SHARED_DATA / "speechmap"
JUDGE_EVALUATION = SPEECHMAP / "judge-evaluation"


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


@pytest.fixture(scope="session")
def shared_data() -> Path:
    assert SHARED_DATA.is_dir(), f"the real data is expected at {SHARED_DATA} (see ../shared/data/README.md)"
    return SHARED_DATA


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
