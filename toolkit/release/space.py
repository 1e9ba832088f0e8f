"""Assemble the Space bundle and upload it in one commit (`python -m toolkit deploy-space`).

`python -m toolkit deploy-space --space ORG/NAME [--hub ORG/prefix] [--out DIR] [--dry-run] [--token T]`

The bundle is: app.py, the `toolkit` package (Python files and toolkit/resources, no caches) and the files
of `space/` (README.md with the Space's front matter, requirements.txt) at the top. The README's
`datasets:` list is rewritten to name the published repos of `--hub` (default: the Space's owner and
prefix `speechmap`), and the Space variable SPEECHMAP_HUB is set to it, so that the app loads them at
start (falling back to the demo with a visible notice). --dry-run assembles the folder and lists its
files, without network. The upload is one commit that also deletes files the bundle no longer has.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from toolkit.release import cards
from toolkit.storage.hub_api import SPACE_DATASETS, parse_org_prefix, repo_id

ROOT = Path(__file__).resolve().parents[2]
HUB_VARIABLE = "SPEECHMAP_HUB"


def bundle_files(root: Path = ROOT) -> dict[str, Path]:
    """Bundle path -> source file: app.py, toolkit/**/*.py and toolkit/resources/*, space/* at the top."""
    files = {"app.py": root / "app.py"}
    for path in sorted((root / "toolkit").rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        relative = path.relative_to(root)
        if path.suffix == ".py" or relative.parts[:2] == ("toolkit", "resources"):
            files[relative.as_posix()] = path
    for path in sorted((root / "space").iterdir()):
        if path.is_file():
            files[path.name] = path
    return files


def space_readme(text: str, hub: str) -> str:
    """The space README with `datasets:` naming the published repos of `hub` (ORG/prefix)."""
    meta = cards.front_matter(text)
    org, prefix = parse_org_prefix(hub)
    meta["datasets"] = [repo_id(org, prefix, d) for d in SPACE_DATASETS]
    body = text[text.index("\n---\n", 4) + 5:]
    return "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True) + "---\n" + body


def assemble(out: Path, hub: str, root: Path = ROOT) -> list[str]:
    """Copy the bundle into `out` (replaced whole) and return its files, sorted."""
    files = bundle_files(root)
    if out.exists():
        shutil.rmtree(out)
    for name, source in files.items():
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if name == "README.md":
            target.write_text(space_readme(source.read_text(encoding="utf-8"), hub), encoding="utf-8")
        else:
            shutil.copyfile(source, target)
    return sorted(files)
