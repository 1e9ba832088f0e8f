"""Judge names: one canonical name per judge, whatever spelling a file uses."""
from __future__ import annotations

import json
from pathlib import Path

from toolkit.ingest.errors import BuildError

JUDGE_NAME = "[A-Za-z0-9]"  # a judge's name has a letter or digit (not `.`, not blank)


def load_aliases(path: Path | None) -> dict[str, str]:
    """The judge alias table: canonical name -> spellings, shipped as data, overridable by a file."""
    table = json.loads((Path(__file__).resolve().parents[1] / "resources" / "judge_aliases.json").read_text())
    if path is not None:
        table.update(read_alias_file(Path(path)))
    mapping = {}
    for canonical, spellings in table.items():
        if canonical.startswith("_"):
            continue
        for spelling in spellings:
            mapping[spelling] = canonical
    return mapping


def read_alias_file(path: Path) -> dict[str, list[str]]:
    """A --judge-aliases file: a JSON object {canonical: [spellings]}, or a BuildError saying why not."""
    try:
        table = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as error:
        raise BuildError(f"--judge-aliases {path}: not a readable JSON file ({error})") from None
    valid = isinstance(table, dict) and all(
        isinstance(spellings, list) and all(isinstance(s, str) for s in spellings)
        for canonical, spellings in table.items() if not canonical.startswith("_"))
    if not valid:
        raise BuildError(f"--judge-aliases {path}: expected a JSON object {{canonical name: [spellings]}}")
    return table
