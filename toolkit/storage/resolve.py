"""Where the app's data comes from: a local folder, the published Hub datasets, or the demo."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CACHE = Path(os.environ.get("SPEECHMAP_CACHE", ROOT / ".cache"))


@dataclass
class DataSource:
    folder: Path
    source: str        # demo | local | hub
    notice: str = ""   # shown in the header when something fell back


def resolve(data: str | None = None, hub: str | None = None, cache: Path = DEFAULT_CACHE) -> DataSource:
    """--data / SPEECHMAP_DATA first, then --hub / SPEECHMAP_HUB, else the generated demo.

    A Hub load that fails (offline, missing repo) falls back to the demo with a visible notice.
    """
    data = data or os.environ.get("SPEECHMAP_DATA")
    if data:
        from toolkit.ingest.synth import MARKER
        folder = Path(data)
        # A demo build (toolkit demo / ensure_demo) keeps its marker beside the data folder.
        return DataSource(folder, "demo" if (folder.parent / MARKER).exists() else "local")
    hub = hub or os.environ.get("SPEECHMAP_HUB")
    notice = ""
    if hub:
        try:
            from toolkit.storage.hub_download import load_published
            return DataSource(load_published(hub, cache / "hub"), "hub")
        except Exception as error:  # noqa: BLE001 - any failure means: show the demo and say why
            notice = f"Could not load the published datasets {hub!r} ({error}); showing the demo data."
    from toolkit.ingest.synth import ensure_demo
    return DataSource(ensure_demo(cache / "demo", scale="small", seed=0), "demo", notice)
