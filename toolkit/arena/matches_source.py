"""Where a matches table comes from: the demo, a local file or folder, or a Hub dataset."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from toolkit.storage.hub_api import is_connection_error, is_repo_id

from .summary import check_matches

MATCHES_FILE = "matches.parquet"


class MatchesSourceError(ValueError):
    """A matches source that cannot be read; the message is meant for the user."""


def resolve_matches(source: str) -> Path:
    """A local path to matches.parquet: a file, a folder holding one, or a Hub dataset id (downloaded)."""
    text = (source or "").strip()
    if not text:
        raise MatchesSourceError("give a matches file, a folder holding matches.parquet, or a Hub dataset id")
    path = Path(text).expanduser()
    if path.is_dir():
        if not (path / MATCHES_FILE).exists():
            raise MatchesSourceError(f"the folder {path} holds no {MATCHES_FILE}")
        return path / MATCHES_FILE
    if path.is_file():
        return path
    if is_repo_id(text):
        return _from_hub(text)
    raise MatchesSourceError(f"no such file or folder, and not a Hub dataset id (owner/name): {text}")


def _from_hub(repo_id: str) -> Path:
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import HfHubHTTPError, OfflineModeIsEnabled

    try:
        return Path(hf_hub_download(repo_id, MATCHES_FILE, repo_type="dataset"))
    except OfflineModeIsEnabled:
        raise MatchesSourceError(f"cannot fetch {repo_id} from the Hub: offline mode is on (HF_HUB_OFFLINE)") from None
    except HfHubHTTPError as error:
        raise MatchesSourceError(f"cannot fetch {MATCHES_FILE} of dataset {repo_id} from the Hub: "
                                 f"{str(error).splitlines()[0]}") from None
    except Exception as error:  # no network (httpx and socket errors), or nothing in the local cache
        if not (isinstance(error, OSError) or is_connection_error(error)):
            raise
        raise MatchesSourceError(f"cannot reach the Hub for {repo_id} (offline?): "
                                 f"{(str(error) or type(error).__name__).splitlines()[0]}") from None


def read_matches(path: str | Path) -> pd.DataFrame:
    """Read a matches file and check it is one."""
    try:
        matches = pd.read_parquet(path)
    except Exception as error:  # pyarrow raises several types for a file that is not parquet
        raise MatchesSourceError(f"cannot read {path} as parquet: {error}") from None
    try:
        check_matches(matches)
    except ValueError as error:
        raise MatchesSourceError(f"{path}: {error}") from None
    return matches
