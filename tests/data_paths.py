"""Where the real SpeechMap sample lives, for the tests and the benchmarks: one place, one rule.

Default: `../shared/data` beside the repository root; the environment variable SPEECHMAP_SHARED_DATA
points elsewhere. A missing folder is an error (`require_shared_data`), in CI and locally alike: a
silent skip would let a whole family of tests pass without running.
"""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VARIABLE = "SPEECHMAP_SHARED_DATA"
DEFAULT = ROOT.parent / "shared" / "data"


def shared_data_folder() -> Path:
    """The folder named by SPEECHMAP_SHARED_DATA (relative paths from the repository root), else the default."""
    given = os.environ.get(VARIABLE)
    return (ROOT / given).resolve() if given else DEFAULT


def missing_message(folder: Path) -> str:
    return (f"the real data folder {folder} does not exist: put the shared data there "
            f"(see its README.md) or set {VARIABLE} to the folder that holds speechmap/ and creative-writing/")


def require_shared_data() -> Path:
    """The real data folder; FileNotFoundError with `missing_message` when it is absent."""
    folder = shared_data_folder()
    if not folder.is_dir():
        raise FileNotFoundError(missing_message(folder))
    return folder


SHARED_DATA = shared_data_folder()
SPEECHMAP = SHARED_DATA / "speechmap"
JUDGE_EVALUATION = SPEECHMAP / "judge-evaluation"
CREATIVE_WRITING = SHARED_DATA / "creative-writing"
