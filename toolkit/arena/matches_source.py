"""Where a matches table comes from: the demo, a local file or folder, or a Hub dataset.

`resolve_matches` trusts its caller (the operator's --matches, the CLI); `MatchesPolicy` is what a
visitor's typed value goes through.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

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
        raise MatchesSourceError(f"cannot read {Path(path).name} as parquet ({type(error).__name__})") from None
    try:
        check_matches(matches)
    except ValueError as error:
        raise MatchesSourceError(f"{Path(path).name}: {error}") from None
    return matches


# -- what a visitor may ask for -----------------------------------------------------------------
MATCHES_DIR_VARIABLE = "SPEECHMAP_MATCHES_DIR"      # a folder whose matches files visitors may name
MATCHES_HUB_VARIABLE = "SPEECHMAP_MATCHES_HUB"      # comma-separated Hub dataset ids visitors may name
REFUSED = ("This Elo source is not available here: use 'demo', the name of a matches file in the "
           "configured matches folder, or one of the configured Hub datasets.")


@dataclass(frozen=True)
class MatchesPolicy:
    """The Elo sources a visitor of a public dashboard may choose: 'demo' (handled by the caller), the
    source the operator configured, names under one folder, and an allow-list of Hub dataset ids.
    Anything else is refused with one sentence that is the same whether a path exists or not, and no
    Hub download starts for an id that is not listed."""
    folder: Path | None = None
    hub_ids: frozenset[str] = frozenset()
    configured: str | None = None

    @classmethod
    def from_env(cls, configured: str | None = None, environ: Mapping[str, str] | None = None) -> "MatchesPolicy":
        environ = os.environ if environ is None else environ
        folder = (environ.get(MATCHES_DIR_VARIABLE) or "").strip()
        hub = {item.strip() for item in (environ.get(MATCHES_HUB_VARIABLE) or "").split(",") if item.strip()}
        return cls(Path(folder).resolve() if folder else None, frozenset(hub), configured or None)

    def resolve(self, source: str) -> Path:
        """A local matches.parquet for an allowed source; MatchesSourceError(REFUSED) otherwise."""
        text = (source or "").strip()
        if text and text == self.configured:
            return resolve_matches(text)
        if text in self.hub_ids and is_repo_id(text):
            return _from_hub(text)
        inside = self._inside_folder(text)
        if inside is not None:
            if inside.is_dir() and (inside / MATCHES_FILE).is_file():
                return inside / MATCHES_FILE
            if inside.is_file():
                return inside
        raise MatchesSourceError(REFUSED)

    def _inside_folder(self, text: str) -> Path | None:
        """The folder entry a relative name points at, if it stays inside the folder (no .., no links out)."""
        if self.folder is None or not text or Path(text).is_absolute() or text.startswith("~"):
            return None
        candidate = (self.folder / text).resolve()
        return candidate if candidate.is_relative_to(self.folder) else None
