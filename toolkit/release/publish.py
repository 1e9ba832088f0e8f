"""Stage the datasets with their cards, check them offline, upload each repo in one commit.

`python -m toolkit publish --data OUT --org ORG [--prefix speechmap] [--private] [--dry-run] [--stage DIR]`

1. Stage: one folder per dataset repo (`STAGE/<prefix>-<dataset>/`): parquet shards under
   `data/<config>/<split>-NNNNN-of-NNNNN.parquet` and README.md (the card, `dataset_cards/`).
   Parquet bytes depend only on the data, so re-staging unchanged data gives identical files.
2. Verify: `datasets.load_dataset(staged_folder, config)` for every config, row counts compared.
3. Upload (skipped by --dry-run): per repo, `create_repo(exist_ok=True)`, read the head commit and
   the remote file list with hashes (`list_repo_tree`), compare with the staged files (sha256 for
   LFS files, the git blob sha1 for the others), and make one `create_commit` with the additions
   and the deletions of stale files under `data/`, with `parent_commit` = the head read before, so
   that a concurrent writer makes the commit fail instead of being overwritten. No change, no commit.
   A failed repo keeps its previous state (a commit is atomic); the others go on; exit code 1.
4. The remote file hashes after each commit are recorded in STAGE/.publish-state.json; --dry-run
   compares the staged files with that record (no network): what would be added/changed/deleted.

The token (HF_TOKEN or --token) is passed to HfApi only; every message printed is scrubbed of it.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from toolkit.core import schema
from toolkit.release import cards
from toolkit.storage.tables import write_sorted_by_response

DATASETS = ("questions", "responses", "assessments", "models", "classifier", "matches")
TABLE_CONFIGS = {  # dataset -> its configs (each the table of that name)
    "questions": ("questions",),
    "responses": ("responses",),
    "assessments": ("assessments", "judges"),
    "models": ("models",),
}
SHARD_BYTES = 256 * 1024 * 1024  # in-memory Arrow bytes per parquet shard
STATE_FILE = ".publish-state.json"
OFFLINE_MESSAGE = "cannot reach the Hugging Face Hub ({why}); nothing was uploaded."


class PublishError(Exception):
    """A problem the user can fix; printed as one sentence."""


@dataclass
class StagedRepo:
    dataset: str
    repo_id: str
    folder: Path
    configs: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # config -> split -> files
    rows: dict[str, dict[str, int]] = field(default_factory=dict)           # config -> split -> rows


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


@dataclass
class Outcome:
    repo_id: str
    status: str            # committed | unchanged | failed | planned
    plan: Plan | None = None
    message: str = ""
    commit: str | None = None


# --------------------------------------------------------------------------------------------
# Secrets
def scrub(text: str, token: str | None) -> str:
    """The text with the token (and anything shaped like a Hub token) replaced by `***`."""
    if token:
        text = text.replace(token, "***")
    return re.sub(r"hf_[A-Za-z0-9]{8,}", "hf_***", text)


def resolve_token(given: str | None) -> str | None:
    return given or os.environ.get("HF_TOKEN") or None


def hub_offline() -> bool:
    """HF_HUB_OFFLINE set now (read from the environment, not only at import as huggingface_hub does)."""
    from huggingface_hub import constants

    value = os.environ.get("HF_HUB_OFFLINE", "")
    return constants.is_offline_mode() or value.strip().upper() in ("1", "ON", "YES", "TRUE")


def is_connection_error(error: BaseException) -> bool:
    """No network (or offline mode): OfflineModeIsEnabled, socket/connection errors, httpx transport errors."""
    try:
        import httpx
        transport: tuple[type, ...] = (httpx.TransportError,)
    except ImportError:  # pragma: no cover - httpx comes with huggingface_hub
        transport = ()
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, (ConnectionError, TimeoutError) + transport):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


# --------------------------------------------------------------------------------------------
# Staging
def repo_name(prefix: str, dataset: str) -> str:
    return f"{prefix}-{dataset}"


def write_shards(table: pa.Table, root: Path, config: str, split: str, shard_bytes: int = SHARD_BYTES) -> list[str]:
    """Write `data/<config>/<split>-NNNNN-of-NNNNN.parquet`: n = ceil(arrow bytes / shard_bytes) shards."""
    shards = max(1, math.ceil(table.nbytes / shard_bytes))
    per_shard = max(1, math.ceil(table.num_rows / shards))
    folder = root / "data" / config
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    # Tables sorted by response_id (responses, assessments as built) keep their small row groups,
    # so that the dashboard reading the published shards finds a page's texts as fast.
    ids = table.column("response_id") if "response_id" in table.column_names else None
    by_response = ids is not None and table.num_rows > 1 and pc.all(pc.less_equal(
        ids.slice(0, table.num_rows - 1), ids.slice(1))).as_py()
    for i in range(shards):
        name = f"data/{config}/{split}-{i:05d}-of-{shards:05d}.parquet"
        if by_response:
            write_sorted_by_response(table.slice(i * per_shard, per_shard), root / name)
        else:
            pq.write_table(table.slice(i * per_shard, per_shard), root / name, compression="zstd")
        names.append(name)
    return names


def read_matches(path: Path) -> pa.Table:
    """A matches file from `python -m toolkit tournament`: parquet, JSONL or CSV."""
    if path.suffix == ".parquet":
        return pq.read_table(path)
    if path.suffix in (".jsonl", ".json"):
        import pyarrow.json as pj
        return pj.read_json(path)
    if path.suffix == ".csv":
        import pyarrow.csv as pc
        return pc.read_csv(path)
    raise PublishError(f"--matches must be a .parquet, .jsonl or .csv file, not {path.name}")


def load_build_report(data: Path) -> dict[str, Any] | None:
    path = data / "build_report.json"
    if not path.exists():
        return None
    report = json.loads(path.read_text())
    if not any(report.get(k) for k in ("built_at", "build_date", "created_at", "generated_at")):
        # older reports carry no date: the report file's own modification time is the build's
        from datetime import datetime, timezone
        stamp = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)
        report["built_at"] = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    return report


def classifier_splits(data: Path, splits_dir: Path | None) -> tuple[dict[str, pa.Table], dict[str, Any]]:
    """The classifier splits: from a `splits --out` folder, or computed here with the default options."""
    from toolkit.release import splits as S

    if splits_dir is not None:
        missing = [s for s in S.SPLITS if not (splits_dir / f"{s}.parquet").exists()]
        if missing or not (splits_dir / "report.json").exists():
            raise PublishError(f"{splits_dir} is not a `python -m toolkit splits --out` folder")
        report = json.loads((splits_dir / "report.json").read_text())
        return {s: pq.read_table(splits_dir / f"{s}.parquet") for s in S.SPLITS}, report
    from toolkit.storage.store import Store

    result = S.make_splits(Store.open(data), S.SplitOptions())
    tables = {name: pa.Table.from_pandas(frame, schema=S.SPLIT_SCHEMA, preserve_index=False)
              for name, frame in result.splits.items()}
    return tables, result.report


def stage(data: Path, stage_dir: Path, org: str, prefix: str = "speechmap", splits_dir: Path | None = None,
          matches: Path | None = None, shard_bytes: int = SHARD_BYTES) -> list[StagedRepo]:
    """Write one folder per dataset repo under `stage_dir` (each replaced whole) and return them."""
    data = Path(data)
    if not all(any((data / t).glob("*.parquet")) for t in schema.TABLES):
        raise PublishError(f"{data} is not a built data folder (run `python -m toolkit build` first)")
    tables = {t: pq.read_table(data / t) for t in schema.TABLES}
    report = load_build_report(data)
    judges = tables["judges"].select(["judge", "judge_type", "assessments"]).to_pylist()
    question_sets = sorted({s for s in tables["questions"].column("question_set").to_pylist() if s})
    related = {d: f"{org}/{repo_name(prefix, d)}" for d in ("questions", "responses", "assessments", "models",
                                                           "classifier")}
    contents: dict[str, dict[str, dict[str, pa.Table]]] = {
        dataset: {config: {"train": tables[config]} for config in configs}
        for dataset, configs in TABLE_CONFIGS.items()
    }
    extra_files: dict[str, dict[str, str]] = {"questions": {}}
    if report is not None:
        extra_files["questions"]["build_report.json"] = json.dumps(report, indent=2, ensure_ascii=False)
    split_tables, split_report = classifier_splits(data, splits_dir)
    if sum(t.num_rows for t in split_tables.values()):
        contents["classifier"] = {"classifier": {s: t for s, t in split_tables.items() if t.num_rows}}
        extra_files["classifier"] = {"report.json": json.dumps(split_report, indent=2, ensure_ascii=False)}
    else:
        related.pop("classifier")
    match_judges: list[dict[str, Any]] = []
    if matches is not None:
        match_table = read_matches(Path(matches))
        contents["matches"] = {"matches": {"train": match_table}}
        related["matches"] = f"{org}/{repo_name(prefix, 'matches')}"
        names = sorted({str(j) for j in match_table.column("judge").to_pylist() if j}) \
            if "judge" in match_table.column_names else []
        match_judges = [{"judge": j, "judge_type": "llm", "assessments": 0} for j in names]

    stage_dir.mkdir(parents=True, exist_ok=True)
    staged = []
    for dataset in DATASETS:
        if dataset not in contents:
            continue
        repo = StagedRepo(dataset, f"{org}/{repo_name(prefix, dataset)}", stage_dir / repo_name(prefix, dataset))
        tmp = Path(tempfile.mkdtemp(prefix=f".{repo.folder.name}.tmp-", dir=stage_dir))
        try:
            for config, splits in contents[dataset].items():
                repo.configs[config] = {s: write_shards(t, tmp, config, s, shard_bytes) for s, t in splits.items()}
                repo.rows[config] = {s: t.num_rows for s, t in splits.items()}
            for name, text in extra_files.get(dataset, {}).items():
                (tmp / name).write_text(text + "\n", encoding="utf-8")
            ctx = cards.CardContext(
                dataset=dataset, repo_id=repo.repo_id, configs=repo.configs, rows=repo.rows,
                schemas={c: next(iter(s.values())).schema for c, s in contents[dataset].items()},
                build_report=report, judges=match_judges if dataset == "matches" else judges,
                question_sets=question_sets, related={k: v for k, v in related.items() if k != dataset},
                splits_report=split_report if dataset == "classifier" else None,
                extra={"match_judges": ", ".join(f"`{j['judge']}`" for j in match_judges) or "not recorded"},
            )
            (tmp / "README.md").write_text(cards.render_card(ctx), encoding="utf-8")
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        if repo.folder.exists():
            shutil.rmtree(repo.folder)
        tmp.rename(repo.folder)
        staged.append(repo)
    return staged


def verify(repo: StagedRepo) -> None:
    """Load every config of the staged folder with `datasets.load_dataset` and compare row counts."""
    import datasets

    datasets.disable_progress_bars()
    with tempfile.TemporaryDirectory(prefix="publish-verify-") as cache:
        for config, splits in repo.rows.items():
            try:
                loaded = datasets.load_dataset(str(repo.folder), config, cache_dir=cache)
            except Exception as error:  # noqa: BLE001 - any failure to load is the finding
                raise PublishError(f"{repo.repo_id}: config {config!r} does not load: {error}") from None
            got = {split: loaded[split].num_rows for split in loaded}
            if got != splits:
                raise PublishError(f"{repo.repo_id}: config {config!r} loads {got} rows, staged {splits}")


# --------------------------------------------------------------------------------------------
# Comparing and uploading
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


def make_plan(local: Mapping[str, FileHash], remote: Mapping[str, str],
              managed: Callable[[str], bool]) -> Plan:
    """Added: staged, not remote. Changed: both, hashes differ. Deleted: remote, managed, not staged."""
    added = sorted(p for p in local if p not in remote)
    changed = sorted(p for p in local if p in remote and remote[p] not in (local[p].sha256, local[p].git_sha1))
    unchanged = sorted(p for p in local if p in remote and p not in changed)
    deleted = sorted(p for p in remote if p not in local and managed(p))
    return Plan(added, changed, deleted, unchanged)


def dataset_managed(path: str) -> bool:
    """Files of a dataset repo that publishing owns: the shards under data/ (stale ones get deleted)."""
    return path.startswith("data/")


def read_state(stage_dir: Path) -> dict[str, dict[str, str]]:
    path = stage_dir / STATE_FILE
    return json.loads(path.read_text()) if path.exists() else {}


def write_state(stage_dir: Path, repo_id: str, files: Mapping[str, FileHash]) -> None:
    state = read_state(stage_dir)
    state[repo_id] = {p: h.sha256 for p, h in files.items()}
    (stage_dir / STATE_FILE).write_text(json.dumps(state, indent=2, sort_keys=True))


def upload_folder_commit(api, repo_id: str, folder: Path, *, repo_type: str, private: bool,
                         managed: Callable[[str], bool], message: str, token: str | None = None,
                         create_kwargs: Mapping[str, Any] | None = None) -> Outcome:
    """Make the repo hold the folder's files, in one commit (or none when nothing differs)."""
    from huggingface_hub import CommitOperationAdd, CommitOperationDelete

    try:
        api.create_repo(repo_id, repo_type=repo_type, private=private, exist_ok=True, **(create_kwargs or {}))
        head = api.repo_info(repo_id, repo_type=repo_type).sha
        local = local_files(folder)
        plan = make_plan(local, remote_files(api, repo_id, repo_type, head), managed)
        if plan.empty:
            return Outcome(repo_id, "unchanged", plan, "up to date, no commit")
        operations = [CommitOperationAdd(path_in_repo=p, path_or_fileobj=str(folder / p))
                      for p in plan.added + plan.changed]
        operations += [CommitOperationDelete(path_in_repo=p) for p in plan.deleted]
        info = api.create_commit(repo_id, operations, commit_message=message, repo_type=repo_type,
                                 parent_commit=head)
        return Outcome(repo_id, "committed", plan, f"committed {getattr(info, 'oid', '')}".strip(),
                       getattr(info, "oid", None))
    except Exception as error:  # noqa: BLE001 - reported per repo, the others go on
        if is_connection_error(error):
            raise
        text = scrub(f"{type(error).__name__}: {error}", token)
        if "412" in text or "parent" in text.lower() and "commit" in text.lower():
            text += " (the repo changed while publishing: another writer? re-run to publish on top of it)"
        return Outcome(repo_id, "failed", None, text)


def print_plan(outcome: Outcome, out=None) -> None:
    out = out or sys.stdout
    plan = outcome.plan
    if plan is None:
        return
    for sign, paths in (("+", plan.added), ("~", plan.changed), ("-", plan.deleted)):
        for path in paths:
            print(f"  {sign} {path}", file=out)


def publish(staged: Iterable[StagedRepo], api, stage_dir: Path, *, private: bool, token: str | None,
            message: str = "Publish SpeechMap datasets") -> list[Outcome]:
    outcomes = []
    for repo in staged:
        outcome = upload_folder_commit(api, repo.repo_id, repo.folder, repo_type="dataset", private=private,
                                       managed=dataset_managed, message=message, token=token)
        if outcome.status in ("committed", "unchanged"):
            write_state(stage_dir, repo.repo_id, local_files(repo.folder))
        outcomes.append(outcome)
    return outcomes


def dry_run(staged: Iterable[StagedRepo], stage_dir: Path) -> list[Outcome]:
    """What would change, against the hashes recorded at the last publish (everything is new the first time)."""
    state = read_state(stage_dir)
    outcomes = []
    for repo in staged:
        plan = make_plan(local_files(repo.folder), state.get(repo.repo_id, {}), dataset_managed)
        outcomes.append(Outcome(repo.repo_id, "planned", plan, "dry run, would commit" if not plan.empty
                                else "dry run, unchanged since the last publish"))
    return outcomes


def report_outcomes(outcomes: list[Outcome], token: str | None) -> int:
    for outcome in outcomes:
        summary = f": {outcome.plan.summary()}" if outcome.plan is not None and not outcome.plan.empty else ""
        line = f"{outcome.repo_id}: {outcome.message}{summary}"
        print(scrub(line, token), file=sys.stderr if outcome.status == "failed" else sys.stdout)
        if outcome.status in ("committed", "planned"):
            print_plan(outcome)
    failed = [o.repo_id for o in outcomes if o.status == "failed"]
    if failed:
        print(f"error: {len(failed)} repo(s) failed and were left as they were: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


# --------------------------------------------------------------------------------------------
# CLI
