"""Judge names: one canonical name per judge, whatever spelling a file uses."""
from __future__ import annotations

import json
from pathlib import Path


def load_aliases(path: Path | None) -> dict[str, str]:
    """The judge alias table: canonical name -> spellings, shipped as data, overridable by a file."""
    table = json.loads((Path(__file__).resolve().parents[1] / "resources" / "judge_aliases.json").read_text())
    if path is not None:
        table.update(json.loads(Path(path).read_text()))
    mapping = {}
    for canonical, spellings in table.items():
        if canonical.startswith("_"):
            continue
        for spelling in spellings:
            mapping[spelling] = canonical
    return mapping
