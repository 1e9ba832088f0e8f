"""Staging the published datasets from the real sample: every config loads, cards agree with the build."""
from __future__ import annotations

import fnmatch
import json
import re

import datasets
import pyarrow.parquet as pq
import pytest

from toolkit.release import cards, hub_commit, publish
from toolkit.storage import hub_api, hub_download
from toolkit.storage.store import Store


@pytest.fixture(scope="module")
def staged(sample_data, tmp_path_factory):
    stage_dir = tmp_path_factory.mktemp("stage")
    repos = publish.stage(sample_data, stage_dir, "someorg", "speechmap")
    return stage_dir, {r.dataset: r for r in repos}


def test_every_config_loads_with_load_dataset(staged, sample_data, tmp_path):
    _, repos = staged
    assert set(repos) == {"questions", "responses", "assessments", "models", "classifier"}
    for repo in repos.values():
        publish.verify(repo)  # load_dataset for every config, row counts compared
    loaded = datasets.load_dataset(str(repos["assessments"].folder), "judges", cache_dir=str(tmp_path))
    assert loaded["train"].num_rows == pq.read_table(sample_data / "judges").num_rows
    default = datasets.load_dataset(str(repos["assessments"].folder), cache_dir=str(tmp_path))
    assert default["train"].num_rows == pq.read_table(sample_data / "assessments").num_rows


def test_card_yaml_parses_and_configs_match_the_files(staged):
    _, repos = staged
    for repo in repos.values():
        meta = cards.front_matter((repo.folder / "README.md").read_text())
        data_files = sorted(p.relative_to(repo.folder).as_posix() for p in (repo.folder / "data").rglob("*.parquet"))
        covered = []
        for config in meta["configs"]:
            for entry in config["data_files"]:
                matched = fnmatch.filter(data_files, entry["path"])
                assert matched, f"{repo.dataset}: {entry['path']} matches no file"
                covered += matched
        assert sorted(covered) == data_files  # every file in exactly one config/split
        assert [c["config_name"] for c in meta["configs"]] == list(repo.configs)
        assert sum(bool(c.get("default")) for c in meta["configs"]) == 1
        assert meta["license"] in ("apache-2.0", "other")
        assert meta["size_categories"] == [cards.size_category(sum(next(iter(repo.rows.values())).values()))]
        assert "SpeechMap" in meta.get("pretty_name", "") or repo.dataset == "matches"
    assert cards.front_matter((repos["assessments"].folder / "README.md").read_text())["license"] == "other"
    assert cards.front_matter((repos["questions"].folder / "README.md").read_text())["license"] == "apache-2.0"


def test_card_figures_equal_the_build_report(staged, sample_data):
    _, repos = staged
    report = json.loads((sample_data / "build_report.json").read_text())
    for dataset, configs in hub_api.DATASET_TABLES.items():
        text = (repos[dataset].folder / "README.md").read_text()
        for config in configs:
            assert f"| {config} | train | {report['tables'][config]:,} |" in text
    assessments = (repos["assessments"].folder / "README.md").read_text()
    for judge, count in report["assessments_per_judge"].items():
        assert re.search(rf"\| {re.escape(judge)} \| (llm|human) \| {count:,} \|", assessments), judge
    assert "speechmap/gold-v1" in cards.front_matter(assessments)["license_details"]
    for kind, value in report["inputs"].items():
        for item in value if isinstance(value, list) else [value]:
            if item:
                assert cards.short_path(item) in assessments
    classifier = (repos["classifier"].folder / "README.md").read_text()
    splits_report = json.loads((repos["classifier"].folder / "report.json").read_text())
    for split, rows in splits_report["rows"].items():
        assert f"| {split} | {rows:,} | {splits_report['themes'][split]:,} |" in classifier
    assert (repos["questions"].folder / "build_report.json").exists()


def test_columns_are_documented(staged):
    _, repos = staged
    for repo in repos.values():
        text = (repo.folder / "README.md").read_text()
        for config in repo.configs:
            schema = pq.read_schema(next((repo.folder / "data" / config).glob("*.parquet")))
            for name in schema.names:
                row = re.search(rf"^\| `{re.escape(name)}` \| `[^`]+` \| (.+) \|$", text, re.M)
                assert row and row.group(1).strip(), f"{repo.dataset}.{config}.{name} undocumented"


def test_restaging_gives_identical_files(staged, sample_data, tmp_path):
    stage_dir, repos = staged
    again = publish.stage(sample_data, tmp_path, "someorg", "speechmap")
    for repo in again:
        assert hub_commit.local_files(repo.folder) == hub_commit.local_files(repos[repo.dataset].folder)


def test_shards_split_large_tables(sample_data, tmp_path):
    table = pq.read_table(sample_data / "responses")
    names = publish.write_shards(table, tmp_path, "responses", "train", shard_bytes=table.nbytes // 3 + 1)
    assert names == [f"data/responses/train-0000{i}-of-00003.parquet" for i in range(3)]
    assert sum(pq.read_metadata(tmp_path / n).num_rows for n in names) == table.num_rows


def test_published_layout_loads_back_into_the_store(staged, sample_data, tmp_path):
    """hub_download.arrange: the staged repos, as a download would give them, become a data folder again."""
    _, repos = staged
    folders = {d: r.folder for d, r in repos.items()}
    data = hub_download.arrange(folders, tmp_path / "data")
    report = json.loads((sample_data / "build_report.json").read_text())
    store = Store.open(data)
    assert store.counts() == report["tables"]
    assert json.loads((data / "build_report.json").read_text())["tables"] == report["tables"]
    # The shards keep the build's order and small row groups, so the drill-down reads a page's
    # texts by row group on the published data too.
    for table in ("responses", "assessments"):
        assert store._row_groups(table) is not None, table
        groups = sum(pq.read_metadata(p).num_row_groups for p in (data / table).glob("*.parquet"))
        assert groups >= 4, table  # the sample is a few MB: 256 KB groups, not one per shard


def test_load_published_offline_is_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from unittest.mock import create_autospec

    from huggingface_hub import HfApi
    from huggingface_hub.errors import OfflineModeIsEnabled

    api = create_autospec(HfApi, instance=True)
    api.snapshot_download.side_effect = OfflineModeIsEnabled("offline mode is enabled")
    with pytest.raises(hub_download.HubLoadError, match="could not download someorg/speechmap-"):
        hub_download.load_published("someorg/speechmap", tmp_path, api=api)
    with pytest.raises(hub_download.HubLoadError, match="ORG/prefix"):
        hub_download.load_published("/x", tmp_path, api=api)
    with pytest.raises(hub_api.HubNameError, match="ORG/prefix"):
        hub_api.parse_org_prefix("a/b/c")
    assert hub_api.parse_org_prefix("PITTI") == ("PITTI", "speechmap")
    assert hub_api.parse_org_prefix("PITTI/sm") == ("PITTI", "sm")


def test_load_published_arranges_what_it_downloads(staged, sample_data, tmp_path):
    """The download step faked through HfApi (the one thing we fake): it hands back the staged repos."""
    from unittest.mock import create_autospec

    from huggingface_hub import HfApi

    _, repos = staged
    by_id = {r.repo_id: r.folder for r in repos.values()}
    api = create_autospec(HfApi, instance=True)
    api.snapshot_download.side_effect = lambda repo_id, **kw: str(by_id[repo_id])
    data = hub_download.load_published("someorg/speechmap", tmp_path, api=api)
    assert data == tmp_path / "data"
    assert Store.open(data).counts() == json.loads((sample_data / "build_report.json").read_text())["tables"]
    called = sorted(c.args[0] for c in api.snapshot_download.call_args_list)
    assert called == [f"someorg/speechmap-{s}" for s in ("assessments", "models", "questions", "responses")]


def test_load_published_refuses_names_that_are_paths(tmp_path):
    """SPEECHMAP_HUB names the download folders too: a path in it is refused before any download."""
    from unittest.mock import create_autospec

    from huggingface_hub import HfApi

    api = create_autospec(HfApi, instance=True)
    for bad in ("someorg/../../x", "../x/sm", "someorg/sm-"):
        with pytest.raises(hub_download.HubLoadError, match="Hub name|ORG/prefix"):
            hub_download.load_published(bad, tmp_path, api=api)
    assert api.snapshot_download.call_count == 0 and not (tmp_path / "repos").exists()
