"""Load the published datasets from the Hub into a local data folder that `Store.open` reads.

`load_published("ORG/prefix", cache_dir)` downloads the repos `ORG/prefix-questions`, `-responses`,
`-assessments` (configs assessments + judges) and `-models` as `publish` stages them, and lays their
parquet shards out as `cache_dir/data/<table>/*.parquet` (+ build_report.json), our table layout.
"""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable

from toolkit.core import schema
from toolkit.storage.hub_api import DATASET_TABLES, HubNameError, make_api, parse_org_prefix, repo_id, repo_name


class HubLoadError(RuntimeError):
    """The published datasets could not be loaded; the message says why in one sentence."""


def arrange(repo_folders: dict[str, Path], dest: Path) -> Path:
    """Copy each table's shards from downloaded repo folders (dataset -> folder) into `dest/<table>/`.

    Replaces `dest` atomically; raises HubLoadError when a table has no shard.
    """
    from toolkit.core.tables import atomic_folder

    with atomic_folder(dest) as tmp:
        for dataset, tables in DATASET_TABLES.items():
            for table in tables:  # each table is a config of its dataset repo: data/<table>/*.parquet
                shards = sorted((repo_folders[dataset] / "data" / table).glob("*.parquet"))
                if not shards:
                    raise HubLoadError(f"the published {dataset} dataset has no {table} shards")
                (tmp / table).mkdir()
                for shard in shards:
                    shutil.copyfile(shard, tmp / table / shard.name)
        report = repo_folders["questions"] / "build_report.json"
        if report.exists():
            shutil.copyfile(report, tmp / "build_report.json")
    return dest


def load_published(org_prefix: str, cache_dir: str | Path, api=None,
                   download: Callable[..., str] | None = None) -> Path:
    """Download the published tables and return a data folder (`cache_dir/data`) for `Store.open`.

    Each repo is fetched with `snapshot_download` (only README.md, build_report.json and data/), into
    `cache_dir/repos/<repo>` so a restart re-uses what is there and fetches only what changed.
    Any failure (offline, no such repo, incomplete data) raises HubLoadError with one sentence;
    the app then falls back to the demo data with a visible notice.
    """
    try:
        org, prefix = parse_org_prefix(org_prefix)
    except HubNameError as error:
        raise HubLoadError(str(error)) from None
    cache_dir = Path(cache_dir)
    if download is None:
        api = api if api is not None else make_api(None)
        download = api.snapshot_download
    folders: dict[str, Path] = {}
    for dataset in sorted(DATASET_TABLES):
        name = repo_id(org, prefix, dataset)
        try:
            folders[dataset] = Path(download(
                name, repo_type="dataset", local_dir=str(cache_dir / "repos" / repo_name(prefix, dataset)),
                allow_patterns=["README.md", "build_report.json", "data/*"],
            ))
        except Exception as error:  # noqa: BLE001 - every cause ends in the same fallback
            raise HubLoadError(f"could not download {name}: {type(error).__name__}: {error}") from None
    dest = arrange(folders, cache_dir / "data")
    missing = [t for t in schema.TABLES if not any((dest / t).glob("*.parquet"))]
    if missing:  # pragma: no cover - arrange already checks every table
        raise HubLoadError(f"published data lacks {', '.join(missing)}")
    return dest
