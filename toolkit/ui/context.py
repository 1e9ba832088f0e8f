"""What every tab receives: the store and where its data came from."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.storage.store import Store


@dataclass
class AppContext:
    store: Store
    source: str                      # "demo" | "local" | "hub"
    data_dir: Path
    description: str                 # one line for the header, e.g. "Demo data (generated): ..."
    settings: dict[str, Any] = field(default_factory=dict)  # e.g. judge_model, matches_path
