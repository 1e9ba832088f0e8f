"""Stage the datasets with their cards, check them offline, upload each repo in one commit.

`python -m toolkit publish --data OUT --org ORG [--prefix speechmap] [--private] [--dry-run] [--stage DIR]`

1. Stage: one folder per dataset repo (`STAGE/<prefix>-<dataset>/`): parquet shards under
   `data/<config>/<split>-NNNNN-of-NNNNN.parquet` and README.md (the card, `dataset_cards/`).
   Parquet bytes depend only on the data, so re-staging unchanged data gives identical files.
2. Verify: `datasets.load_dataset(staged_folder, config)` for every config, row counts compared.
3. Upload (skipped by --dry-run): per repo one commit with the added and changed files and the
   deletions of stale files under `data/`, on top of the head read before (release/hub_commit.py).
   A failed repo keeps its previous state (a commit is atomic); the others go on; exit code 1.
4. The remote file hashes after each commit are recorded in STAGE/.publish-state.json; --dry-run
   compares the staged files with that record (no network): what would be added/changed/deleted.

The token (HF_TOKEN or --token) is passed to HfApi only; every message printed is scrubbed of it.
"""
from __future__ import annotations

import json
import math
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from toolkit.core import schema
from toolkit.release import cards
from toolkit.release.hub_commit import (
    FileHash,
    RepoResult,
    local_files,
    make_plan,
    print_plan,
    upload_folder_commit,
)
from toolkit.storage.hub_api import (
    DATASET_TABLES,
    DATASETS,
    check_org_prefix,
    is_connection_error,
    repo_id,
    repo_name,
    scrub,
    unreachable_message,
)
from toolkit.core.tables import write_sorted_by_response

SHARD_BYTES = 256 * 1024 * 1024  # in-memory Arrow bytes per parquet shard
STATE_FILE = ".publish-state.json"


class PublishError(Exception):
    """A problem the user can fix; printed as one sentence."""


class PublishStopped(Exception):
    """Publishing stopped part-way (no network, or Ctrl-C); says which repos were committed before."""

    def __init__(self, why: str, results: list[RepoResult], interrupted: bool = False):
        self.why, self.results, self.interrupted = why, results, interrupted
        super().__init__(self.sentence())

    @property
    def committed(self) -> list[str]:
        return [r.repo_id for r in self.results if r.status == "committed"]

    def sentence(self) -> str:
        if not self.interrupted:
            return unreachable_message(self.why, self.committed)
        if not self.committed:
            return "interrupted; nothing was uploaded."
        return (f"interrupted after committing {', '.join(self.committed)}; the other repos were left as they "
                "were (a commit is all or nothing), and a re-run publishes the rest.")


@dataclass
class StagedRepo:
    dataset: str
    repo_id: str
    folder: Path
    configs: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # config -> split -> files
    rows: dict[str, dict[str, int]] = field(default_factory=dict)           # config -> split -> rows


# --------------------------------------------------------------------------------------------
# Staging
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


def matches_table(path: Path) -> pa.Table:
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
    """Write one folder per dataset repo under `stage_dir` (each replaced whole) and return them.

    org and prefix are checked as Hub names first (HubNameError), so no repo folder lies outside `stage_dir`.
    """
    check_org_prefix(org, prefix)
    data = Path(data)
    if not all(any((data / t).glob("*.parquet")) for t in schema.TABLES):
        raise PublishError(f"{data} is not a built data folder (run `python -m toolkit build` first)")
    tables = {t: pq.read_table(data / t) for t in schema.TABLES}
    report = load_build_report(data)
    judges = tables["judges"].select(["judge", "judge_type", "assessments"]).to_pylist()
    question_sets = sorted({s for s in tables["questions"].column("question_set").to_pylist() if s})
    related = {d: repo_id(org, prefix, d) for d in DATASETS if d != "matches"}
    contents: dict[str, dict[str, dict[str, pa.Table]]] = {
        dataset: {config: {"train": tables[config]} for config in configs}
        for dataset, configs in DATASET_TABLES.items()
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
        match_table = matches_table(Path(matches))
        contents["matches"] = {"matches": {"train": match_table}}
        related["matches"] = repo_id(org, prefix, "matches")
        names = sorted({str(j) for j in match_table.column("judge").to_pylist() if j}) \
            if "judge" in match_table.column_names else []
        match_judges = [{"judge": j, "judge_type": "llm", "assessments": 0} for j in names]

    stage_dir.mkdir(parents=True, exist_ok=True)
    staged = []
    for dataset in DATASETS:
        if dataset not in contents:
            continue
        repo = StagedRepo(dataset, repo_id(org, prefix, dataset), stage_dir / repo_name(prefix, dataset))
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
# Publishing
def dataset_managed(path: str) -> bool:
    """Files of a dataset repo that publishing owns: the shards under data/ (stale ones get deleted)."""
    return path.startswith("data/")


def read_state(stage_dir: Path) -> dict[str, dict[str, str]]:
    path = stage_dir / STATE_FILE
    return json.loads(path.read_text()) if path.exists() else {}


def write_state(stage_dir: Path, repo: str, files: Mapping[str, FileHash]) -> None:
    """Record the repo's file hashes; written to a temporary file and renamed, so Ctrl-C cannot tear it."""
    state = read_state(stage_dir)
    state[repo] = {p: h.sha256 for p, h in files.items()}
    partial = stage_dir / f"{STATE_FILE}.tmp"
    partial.write_text(json.dumps(state, indent=2, sort_keys=True))
    partial.replace(stage_dir / STATE_FILE)


def publish(staged: Iterable[StagedRepo], api, stage_dir: Path, *, private: bool, token: str | None,
            message: str = "Publish SpeechMap datasets") -> list[RepoResult]:
    """Upload each staged repo in one commit; a lost connection or Ctrl-C raises PublishStopped."""
    results: list[RepoResult] = []
    try:
        for repo in staged:
            result = upload_folder_commit(api, repo.repo_id, repo.folder, repo_type="dataset", private=private,
                                          managed=dataset_managed, message=message, token=token)
            if result.status in ("committed", "unchanged"):
                write_state(stage_dir, repo.repo_id, local_files(repo.folder))
            results.append(result)
    except KeyboardInterrupt:
        raise PublishStopped("interrupted", results, interrupted=True) from None
    except Exception as error:
        if is_connection_error(error):
            raise PublishStopped(type(error).__name__, results) from error
        raise
    return results


def dry_run(staged: Iterable[StagedRepo], stage_dir: Path) -> list[RepoResult]:
    """What would change, against the hashes recorded at the last publish (everything is new the first time)."""
    state = read_state(stage_dir)
    results = []
    for repo in staged:
        plan = make_plan(local_files(repo.folder), state.get(repo.repo_id, {}), dataset_managed)
        results.append(RepoResult(repo.repo_id, "planned", plan, "dry run, would commit" if not plan.empty
                                  else "dry run, unchanged since the last publish"))
    return results


def report_results(results: list[RepoResult], token: str | None) -> int:
    for result in results:
        summary = f": {result.plan.summary()}" if result.plan is not None and not result.plan.empty else ""
        line = f"{result.repo_id}: {result.message}{summary}"
        print(scrub(line, token), file=sys.stderr if result.status == "failed" else sys.stdout)
        if result.status in ("committed", "planned"):
            print_plan(result)
    failed = [o.repo_id for o in results if o.status == "failed"]
    if failed:
        print(f"error: {len(failed)} repo(s) failed and were left as they were: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0
