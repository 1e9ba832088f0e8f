"""Make a Hub repo hold a folder's files in one commit, and say what that changes.

Per repo: `create_repo(exist_ok=True)`, read the head commit and the remote file list with hashes
(`list_repo_tree`), compare with the local files (sha256 for LFS files, the git blob sha1 for the
others), and make one `create_commit` with the additions and the deletions of stale managed files,
with `parent_commit` = the head read before, so that a concurrent writer makes the commit fail
instead of being overwritten. No change, no commit. Used by `publish` (dataset repos) and
`deploy-space` (the Space).
"""
from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

from toolkit.storage.hub_api import is_connection_error, scrub


@dataclass(frozen=True)
class FileHash:
    sha256: str
    git_sha1: str
    size: int


def hash_file(path: Path) -> FileHash:
    """sha256 (what the Hub records for LFS files) and the git blob sha1 (for the others)."""
    size = path.stat().st_size
    sha256, git = hashlib.sha256(), hashlib.sha1(f"blob {size}\0".encode())
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha256.update(block)
            git.update(block)
    return FileHash(sha256.hexdigest(), git.hexdigest(), size)


def local_files(folder: Path) -> dict[str, FileHash]:
    return {p.relative_to(folder).as_posix(): hash_file(p)
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.startswith(".")}


def remote_files(api, repo_id: str, repo_type: str, revision: str | None) -> dict[str, str]:
    """path -> the hash to compare: the LFS sha256 when the file is in LFS, else its git blob id."""
    from huggingface_hub.hf_api import RepoFile

    found = {}
    for entry in api.list_repo_tree(repo_id, recursive=True, repo_type=repo_type, revision=revision):
        if isinstance(entry, RepoFile):
            found[entry.path] = entry.lfs.sha256 if entry.lfs is not None else entry.blob_id
    return found


@dataclass
class Plan:
    added: list[str]
    changed: list[str]
    deleted: list[str]
    unchanged: list[str]

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.deleted)

    def summary(self) -> str:
        return f"{len(self.added)} added, {len(self.changed)} changed, {len(self.deleted)} deleted"


def make_plan(local: Mapping[str, FileHash], remote: Mapping[str, str],
              managed: Callable[[str], bool]) -> Plan:
    """Added: staged, not remote. Changed: both, hashes differ. Deleted: remote, managed, not staged."""
    added = sorted(p for p in local if p not in remote)
    changed = sorted(p for p in local if p in remote and remote[p] not in (local[p].sha256, local[p].git_sha1))
    unchanged = sorted(p for p in local if p in remote and p not in changed)
    deleted = sorted(p for p in remote if p not in local and managed(p))
    return Plan(added, changed, deleted, unchanged)


@dataclass
class RepoResult:
    """What happened to one repo: committed, unchanged, failed, or planned (a dry run)."""

    repo_id: str
    status: str            # committed | unchanged | failed | planned
    plan: Plan | None = None
    message: str = ""
    commit: str | None = None


def upload_folder_commit(api, repo_id: str, folder: Path, *, repo_type: str, private: bool,
                         managed: Callable[[str], bool], message: str, token: str | None = None,
                         create_kwargs: Mapping[str, Any] | None = None) -> RepoResult:
    """Make the repo hold the folder's files, in one commit (or none when nothing differs)."""
    from huggingface_hub import CommitOperationAdd, CommitOperationDelete

    try:
        api.create_repo(repo_id, repo_type=repo_type, private=private, exist_ok=True, **(create_kwargs or {}))
        head = api.repo_info(repo_id, repo_type=repo_type).sha
        local = local_files(folder)
        plan = make_plan(local, remote_files(api, repo_id, repo_type, head), managed)
        if plan.empty:
            return RepoResult(repo_id, "unchanged", plan, "up to date, no commit")
        operations = [CommitOperationAdd(path_in_repo=p, path_or_fileobj=str(folder / p))
                      for p in plan.added + plan.changed]
        operations += [CommitOperationDelete(path_in_repo=p) for p in plan.deleted]
        info = api.create_commit(repo_id, operations, commit_message=message, repo_type=repo_type,
                                 parent_commit=head)
        return RepoResult(repo_id, "committed", plan, f"committed {getattr(info, 'oid', '')}".strip(),
                          getattr(info, "oid", None))
    except Exception as error:  # noqa: BLE001 - reported per repo, the others go on
        if is_connection_error(error):
            raise
        text = scrub(f"{type(error).__name__}: {error}", token)
        if "412" in text or "parent" in text.lower() and "commit" in text.lower():
            text += " (the repo changed while publishing: another writer? re-run to publish on top of it)"
        return RepoResult(repo_id, "failed", None, text)


def print_plan(result: RepoResult, out=None) -> None:
    out = out or sys.stdout
    plan = result.plan
    if plan is None:
        return
    for sign, paths in (("+", plan.added), ("~", plan.changed), ("-", plan.deleted)):
        for path in paths:
            print(f"  {sign} {path}", file=out)
