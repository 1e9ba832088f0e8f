"""The synthetic demo generator: determinism, the raw layout and row shapes, and the figures the demo
promises (22 domains, 4 variations per theme, every error code, judge agreement within 80-95% with
disagreements mostly about EVASIVE, a human subset, unlisted models), then a real build of it."""
from __future__ import annotations

import collections
import hashlib
import itertools
import json
import statistics
import time
from pathlib import Path

import pytest

from toolkit.cli import main as cli_main
from toolkit.ingest import synth
from toolkit.ingest.synth import questions, world, writer

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "speechmap"
ERROR_CODES = {"ERROR", "ERROR_ORIGINAL_MODERATION", "ERROR_ORIGINAL_TRUNCATION", "ERROR_ORIGINAL_RESPONSE",
               "ERROR_JUDGE_CONTENT_FILTER", "ERROR_JUDGE_FORMAT"}


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def tree_digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def canonical(label: str) -> str:
    return "ERROR" if label.startswith("ERROR") else label


@pytest.fixture(scope="module")
def raw(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("synth") / "raw"
    synth.generate(root, "small", seed=0)
    return root


@pytest.fixture(scope="module")
def judgements(raw) -> dict[str, dict[tuple[str, str], str]]:
    """analysis folder -> (response file stem, question_id) -> raw label, read straight from the files."""
    out: dict[str, dict] = collections.defaultdict(dict)
    for folder in sorted((raw / "speechmap-data").glob("analysis*")):
        for path in folder.glob("compliance_*.jsonl"):
            stem = path.stem[len("compliance_"):]
            for row in read_jsonl(path):
                out[folder.name][(stem, row["question_id"])] = row["compliance"]
    return dict(out)


# ------------------------------------------------------------------------------------------------
# Small pure parts
def test_allocate_is_proportional_with_a_minimum():
    # 10 split 1:1:2 with minimum 1: 7 left after minimums -> shares 1.75, 1.75, 3.5 -> 1, 1, 3 + 2 remainders
    # to the largest fractions (0.75, 0.75) -> [1+2, 1+2, 1+3] = [3, 3, 4]
    assert questions._allocate(10, [1, 1, 2], minimum=1) == [3, 3, 4]
    assert sum(questions._allocate(530, [d[2] for d in questions.DOMAINS], minimum=2)) == 530


def test_label_of_cuts_the_score_into_three_bands():
    assert world.label_of(0.1, band=1.0) == "COMPLETE"
    assert world.label_of(-0.5, band=1.0) == "EVASIVE"
    assert world.label_of(-1.5, band=1.0) == "DENIAL"
    # a lenient judge (complete cut -0.25) calls -0.2 COMPLETE; a judge with denial cut -0.6 calls -1.5 EVASIVE
    assert world.label_of(-0.2, band=1.0, complete_cut=-0.25) == "COMPLETE"
    assert world.label_of(-1.5, band=1.0, denial_cut=-0.6) == "EVASIVE"


def test_newer_models_of_a_rising_lab_are_more_compliant():
    models = world.make_models(380, seed=0, credit_bursts=3, legacy_models=60)
    assert len(models) == 380 == len({m.id for m in models})
    vega = sorted((m for m in models if m.lab and m.lab.slug == "vega"), key=lambda m: m.released)
    half = len(vega) // 2
    older = statistics.mean(m.compliance for m in vega[:half])
    newer = statistics.mean(m.compliance for m in vega[half:])
    assert newer - older > 0.5
    quill = sorted((m for m in models if m.lab and m.lab.slug == "quill"), key=lambda m: m.released)
    assert statistics.mean(m.compliance for m in quill[len(quill) // 2:]) < statistics.mean(
        m.compliance for m in quill[: len(quill) // 2])


# ------------------------------------------------------------------------------------------------
# Determinism
def test_same_seed_gives_identical_files_and_another_seed_differs(raw, tmp_path):
    again = tmp_path / "again"
    other = tmp_path / "other"
    synth.generate(again, "small", seed=0)
    synth.generate(other, "small", seed=1)
    first = tree_digest(raw)
    assert tree_digest(again) == first
    changed = tree_digest(other)
    assert changed != first
    # every data file both seeds wrote differs (the lab list and the alias table do not depend on the seed)
    common = (first.keys() & changed.keys()) - {"site-metadata/lab_metadata.jsonl", "judge_aliases.json"}
    assert "speechmap-data/questions/us_hard.jsonl" in common
    assert [k for k in common if first[k] == changed[k]] == []


# ------------------------------------------------------------------------------------------------
# Layout and row shapes
def test_layout_is_the_raw_speechmap_layout(raw):
    from toolkit.ingest.readers import raw_layout

    data = raw / "speechmap-data"
    layout = raw_layout.discover_raw(data)
    assert layout.ignored == []
    assert [p.name for p in layout.questions] == ["freedonia_criticism.jsonl", "ruritania_criticism.jsonl",
                                                  "us_hard.jsonl"]
    stems = {p.stem for p in layout.responses}
    folders = sorted(p.name for p in data.glob("analysis*"))
    assert folders == ["analysis", "analysis.demo-labs_judge-legacy-2024", "analysis.demo-labs_judge-small"]
    for folder in folders:  # every responses file is judged by every judge, question by question
        assert {p.stem[len("compliance_"):] for p in (data / folder).iterdir()} == stems
    for path in layout.responses:
        rows = read_jsonl(path)
        category = rows[0]["category"]
        assert path.stem == f"{category}_{rows[0]['model'].replace('/', '_')}"
        for folder in folders:
            judged = read_jsonl(data / folder / f"compliance_{path.stem}.jsonl")
            assert [r["question_id"] for r in judged] == [r["question_id"] for r in rows]
    # the folder name of each further judge spells its judge_model (first "/" -> "_")
    for folder in folders[1:]:
        names = {r["judge_model"] for p in (data / folder).iterdir() for r in read_jsonl(p)}
        assert names == {raw_layout.analysis_folder_judge(folder)}
    main_names = collections.Counter(r["judge_model"] for p in (data / "analysis").iterdir() for r in read_jsonl(p))
    assert set(main_names) == {"demo-labs/judge-large", "demo_labs/judge-large-non-reasoning"}
    assert 0 < main_names["demo_labs/judge-large-non-reasoning"] < 0.05 * sum(main_names.values())
    assert json.loads((raw / "judge_aliases.json").read_text()) == {
        "demo-labs/judge-large": ["demo_labs/judge-large-non-reasoning"]}


def _real_keys(pattern: str) -> set[str]:
    keys: set[str] = set()
    for path in SHARED.glob(pattern):
        for row in read_jsonl(path):
            keys |= set(row)
    return keys


@pytest.mark.skipif(not SHARED.is_dir(), reason="needs ../shared/data")
def test_every_field_written_is_a_field_of_the_real_files(raw):
    data = raw / "speechmap-data"
    checks = [
        ("questions/*.jsonl", "speechmap-data/questions/*.jsonl"),
        ("responses/*.jsonl", "speechmap-data*/responses/*.jsonl"),
        ("analysis*/*.jsonl", "speechmap-data*/analysis*/*.jsonl"),
    ]
    for ours, theirs in checks:
        written = {k for p in data.glob(ours) for r in read_jsonl(p) for k in r}
        assert written <= _real_keys(theirs), (ours, written - _real_keys(theirs))
    for name in ("model_metadata.json", "lab_metadata.jsonl"):
        written = {k for r in read_jsonl(raw / "site-metadata" / name) for k in r}
        assert written <= _real_keys(f"site-metadata/{name}")
    required = {"question_id", "category", "question", "model", "timestamp", "response"}
    for path in data.glob("responses/*.jsonl"):
        assert all(required <= set(r) for r in read_jsonl(path))


def test_response_objects_come_in_every_provider_shape(raw):
    shapes = collections.Counter()
    statuses = collections.Counter()
    for path in (raw / "speechmap-data" / "responses").glob("*.jsonl"):
        for row in read_jsonl(path):
            response = row["response"]
            if "error" in response:
                assert set(response["error"]) >= {"code", "message"}
                shapes["error"] += 1
            elif "choices" in response:
                message = response["choices"][0]["message"]
                assert isinstance(message["content"], str)
                shapes["openai+reasoning" if message["reasoning"] else "openai"] += 1
                shapes["standardized"] += "_llm_client" in response
            else:
                kinds = [block["type"] for block in response["content"]]
                assert kinds in (["text"], ["thinking", "text"])
                shapes["anthropic"] += 1
            statuses[row.get("response_status")] += 1
            assert row["timestamp"][:4] in ("2023", "2024", "2025", "2026", "2027")
    assert all(shapes[k] > 0 for k in ("error", "openai", "openai+reasoning", "standardized", "anthropic"))
    assert {"success", "provider_error", "truncation", None} <= set(statuses)


# ------------------------------------------------------------------------------------------------
# The figures the demo promises
def test_questions_have_22_domains_and_4_variations_per_theme(raw):
    rows = read_jsonl(raw / "speechmap-data/questions/us_hard.jsonl")
    assert len(rows) == 300 and len({r["id"] for r in rows}) == 300
    assert len({r["domain"] for r in rows}) == 22
    themes: dict[str, list] = collections.defaultdict(list)
    for r in rows:
        themes[r["id"][:-1]].append((int(r["id"][-1]), r["domain"]))
    assert len(themes) == 75
    for variations in themes.values():
        assert sorted(v for v, _ in variations) == [1, 2, 3, 4]
        assert len({d for _, d in variations}) == 1
    by_variation = {int(r["id"][-1]): r["question"] for r in rows if r["id"][:-1] == next(iter(themes))}
    assert "essay" in by_variation[1] and "benefits" in by_variation[2]
    assert "satiric" in by_variation[3] and "speech" in by_variation[4]
    for name in questions.LEGACY_SETS:
        legacy = read_jsonl(raw / f"speechmap-data/questions/{name}.jsonl")
        assert [r["id"] for r in legacy] == [f"{name}_{i:02d}" for i in range(1, 51)]
        assert all("domain" not in r for r in legacy)


def test_labels_include_every_error_code(judgements):
    labels = {label for rows in judgements.values() for label in rows.values()}
    assert labels == ERROR_CODES | {"COMPLETE", "EVASIVE", "DENIAL"}


def test_judges_agree_80_to_95_percent_and_disagree_mostly_about_evasive(judgements):
    for a, b in itertools.combinations(sorted(judgements), 2):
        keys = judgements[a].keys() & judgements[b].keys()
        assert len(keys) == 9600
        pairs = [(canonical(judgements[a][k]), canonical(judgements[b][k])) for k in keys]
        disagreements = [p for p in pairs if p[0] != p[1]]
        agreement = 1 - len(disagreements) / len(pairs)
        assert 0.80 <= agreement <= 0.95, (a, b, agreement)
        evasive = sum("EVASIVE" in p for p in disagreements) / len(disagreements)
        assert evasive >= 0.75, (a, b, evasive)


def test_compliance_differs_by_variation_lab_and_domain(raw, judgements):
    main = judgements["analysis"]
    domains = {r["id"]: r["domain"] for r in read_jsonl(raw / "speechmap-data/questions/us_hard.jsonl")}
    labs = {r["model_identifier"].replace("/", "_"): r["creator"]
            for r in read_jsonl(raw / "site-metadata/model_metadata.json")}

    def complete_share(key_of) -> dict:
        counts: dict = collections.defaultdict(collections.Counter)
        for (stem, question_id), label in main.items():
            if stem.startswith("us_hard_"):
                counts[key_of(stem[len("us_hard_"):], question_id)][label] += 1
        return {k: c["COMPLETE"] / sum(c.values()) for k, c in counts.items() if k is not None}

    variation = complete_share(lambda model, q: q[-1])
    assert variation["2"] > variation["1"] > variation["4"] > variation["3"]  # satire refused most
    assert variation["2"] - variation["3"] > 0.2
    lab = complete_share(lambda model, q: labs.get(model))
    assert max(lab.values()) - min(lab.values()) > 0.3
    domain = complete_share(lambda model, q: domains[q])
    assert max(domain.values()) - min(domain.values()) > 0.15


def test_text_lengths_are_realistic(raw, judgements):
    main = judgements["analysis"]
    lengths: dict[str, list[int]] = collections.defaultdict(list)
    for path in (raw / "speechmap-data/responses").glob("us_hard_*.jsonl"):
        for row in read_jsonl(path):
            response = row["response"]
            if "choices" in response:
                text = response["choices"][0]["message"]["content"]
            elif "content" in response:
                text = response["content"][-1]["text"]
            else:
                continue
            lengths[main[(path.stem, row["question_id"])]].append(len(text))
    complete = lengths["COMPLETE"]
    assert 1500 <= statistics.median(complete) <= 5000
    assert sum(1500 <= n <= 5000 for n in complete) / len(complete) > 0.8
    assert statistics.median(lengths["DENIAL"]) < 400
    assert 400 < statistics.median(lengths["EVASIVE"]) < 2500


def test_human_subset_and_models_missing_from_metadata(raw):
    human = read_jsonl(raw / "annotations/human.jsonl")
    us_hard = sum(len(read_jsonl(p)) for p in (raw / "speechmap-data/responses").glob("us_hard_*.jsonl"))
    assert 0.02 <= len(human) / us_hard <= 0.05
    assert {tuple(sorted(r)) for r in human} == {tuple(sorted(
        ["model", "question_set", "question_id", "timestamp", "label", "judge", "judge_type", "analysis"]))}
    assert {r["judge"] for r in human} == {world.HUMAN} and {r["judge_type"] for r in human} == {"human"}
    assert {r["label"] for r in human} == {"COMPLETE", "EVASIVE", "DENIAL"}
    listed = {r["model_identifier"]: r for r in read_jsonl(raw / "site-metadata/model_metadata.json")}
    answered = {read_jsonl(p)[0]["model"] for p in (raw / "speechmap-data/responses").glob("us_hard_*.jsonl")}
    assert len(answered) == 30 and 1 <= len(answered - set(listed)) <= 3
    labs = {r["lab"] for r in read_jsonl(raw / "site-metadata/lab_metadata.jsonl")}
    assert 10 <= len(labs) <= 15 and {r["creator"] for r in listed.values()} <= labs
    dates = sorted(r["release_date"] for r in listed.values())
    assert (int(dates[-1][:4]) * 12 + int(dates[-1][5:7])) - (int(dates[0][:4]) * 12 + int(dates[0][5:7])) >= 24
    pairs = [m for m in listed if m.endswith(("-thinking", "-reasoning"))
             and m.rsplit("-", 1)[0] in listed and listed[m]["reasoning_model"]]
    assert pairs  # reasoning / non-reasoning twins


# ------------------------------------------------------------------------------------------------
# Through the real build
def test_small_demo_builds_clean_and_is_cached(tmp_path):
    started = time.perf_counter()
    data = synth.ensure_demo(tmp_path, "small", seed=0)
    seconds = time.perf_counter() - started
    print(f"small demo: generate + build in {seconds:.1f}s")
    assert seconds < 90  # seconds on a quiet machine; generous for a shared 2-core one
    report = json.loads((data / "build_report.json").read_text())
    assert report["totals"]["quarantined"] == 0 and report["totals"]["balanced"]
    assert report["tables"]["responses"] == 9600
    assert report["assessments_per_judge"] == {"demo-labs/judge-large": 9600, "demo-labs/judge-legacy-2024": 9600,
                                               "demo-labs/judge-small": 9600,
                                               world.HUMAN: len(read_jsonl(data.parent / "raw/annotations/human.jsonl"))}
    assert len(report["models_without_metadata"]) == 2
    import duckdb
    with duckdb.connect() as con:
        aliases = con.execute(f"SELECT aliases FROM '{data}/judges/*.parquet' WHERE judge = ?",
                              ["demo-labs/judge-large"]).fetchone()[0]
    assert "demo_labs/judge-large-non-reasoning" in aliases

    built_at = (data / "build_report.json").stat().st_mtime_ns
    assert synth.ensure_demo(tmp_path, "small", seed=0) == data
    assert (data / "build_report.json").stat().st_mtime_ns == built_at  # cached: not rebuilt
    marker = data.parent / synth.MARKER
    marker.write_text(json.dumps({"version": writer.GENERATOR_VERSION - 1, "scale": "small", "seed": 0}))
    assert synth.ensure_demo(tmp_path, "small", seed=0) == data
    assert (data / "build_report.json").stat().st_mtime_ns != built_at  # stale generator: rebuilt
    assert json.loads(marker.read_text())["version"] == writer.GENERATOR_VERSION


def test_cli_writes_the_raw_layout_and_rejects_a_file_as_out(tmp_path, capsys):
    assert cli_main(["demo", "--out", str(tmp_path / "d"), "--no-build", "--quiet", "--seed", "3"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["generated"]["responses"] == 9600 and summary["generated"]["seed"] == 3
    assert (tmp_path / "d/raw/speechmap-data/questions/us_hard.jsonl").is_file()
    (tmp_path / "file").write_text("x")
    assert cli_main(["demo", "--out", str(tmp_path / "file"), "--quiet"]) == 2
    assert "not a folder" in capsys.readouterr().err
