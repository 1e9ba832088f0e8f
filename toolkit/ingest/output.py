"""The build's output folder OUT: what a build may replace, the marker that proves it wrote a folder,
one build at a time per OUT, and the leftovers of killed builds.

A build replaces OUT as a whole, so it refuses an OUT that is neither empty nor a previous build, and
an OUT that holds or lies inside one of its inputs. Its temporary folders sit beside OUT and carry the
same marker, so that the next build into OUT removes only what a build wrote.
"""
from __future__ import annotations

import fcntl
import shutil
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from toolkit.ingest.errors import BuildError

BUILD_MARKER = ".speechmap-build"  # in every build output and every folder a build writes beside it
MARKER_TEXT = "Written by `python -m toolkit build`; the next build into this folder replaces it.\n"
TABLE_FOLDERS = ("questions", "responses", "assessments", "models", "judges")


def is_build(folder: Path) -> bool:
    """A folder a build wrote: it has the marker or, from before the marker existed, a
    build_report.json beside the five table folders."""
    if (folder / BUILD_MARKER).is_file():
        return True
    return (folder / "build_report.json").is_file() and all((folder / t).is_dir() for t in TABLE_FOLDERS)


def mark(folder: Path) -> None:
    (folder / BUILD_MARKER).write_text(MARKER_TEXT, encoding="utf-8")


def check_apart(out: Path, inputs: Iterable[Path]) -> None:
    """OUT must neither hold nor lie inside an input: replacing it would delete that input."""
    target = out.resolve()
    for path in inputs:
        source = Path(path).resolve()
        if source == target or target in source.parents:
            raise BuildError(f"--out {out} holds the input {path}; a build replaces its OUT, choose another folder")
        if source in target.parents:
            raise BuildError(f"--out {out} lies inside the input {path}; choose a folder outside the inputs")


def check_replaceable(out: Path) -> None:
    """OUT may be missing, an empty folder or a previous build; anything else stays untouched."""
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise BuildError(f"--out {out} exists and is not a folder; refusing to replace it")
    if out.is_dir() and any(out.iterdir()) and not is_build(out):
        raise BuildError(f"--out {out} exists and is not a previous build (it has no {BUILD_MARKER}); "
                         "refusing to replace it")


@contextmanager
def exclusive(out: Path) -> Iterator[None]:
    """One build into OUT at a time: a second one waits for the first (a lock file beside OUT)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out.parent / f".{out.name}.lock", "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"build: waiting for another build into {out} to finish", file=sys.stderr)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def tidy(out: Path) -> list[str]:
    """Undo what killed builds into OUT left (call with the lock held): a kill between the two renames
    that replace OUT leaves only `.OUT.old`, which becomes OUT again; marked temporary and staging
    folders are removed. Returns what was done, for the report's warnings."""
    done = []
    old = out.with_name(f".{out.name}.old")
    if old.is_dir() and is_build(old):
        if not out.exists():
            old.rename(out)
            done.append(f"recovered {out} from {old.name} (a build was stopped while replacing it)")
        else:
            shutil.rmtree(old)
            done.append(f"removed {old.name}, left by a stopped build")
    for prefix in (f".{out.name}.tmp-", staging_prefix(out)):
        for folder in sorted(out.parent.glob(prefix + "*")):
            if folder.is_dir() and ((folder / BUILD_MARKER).is_file() or not any(folder.iterdir())):
                shutil.rmtree(folder)
                done.append(f"removed {folder.name}, left by a stopped build")
    return done


def staging_prefix(out: Path) -> str:
    """Staging folders are named after their OUT, so that a build tidies only its own OUT's."""
    return f".{out.name}.build-staging-"
