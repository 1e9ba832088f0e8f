"""`toolkit build` on the real SpeechMap sample: figures counted directly from the raw files."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from toolkit.core import schema
from toolkit.ingest.pipeline import build
from toolkit.storage.store import Store

from .conftest import JUDGE_EVALUATION, SPEECHMAP, sample_build_arguments


def raw_rows(pattern: str) -> list[dict]:
    rows = []
    for path in sorted(SPEECHMAP.glob(pattern)):
        rows += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return rows


def table(folder: Path, name: str):
    return pq.read_table(folder / name).to_pandas()


def test_report_balances_and_counts(sample_data):
    report = json.loads((sample_data / "build_report.json").read_text())
    totals = report["totals"]
    assert totals["balanced"] and totals["lines_read"] == totals["rows_written"] + totals["quarantined"]
    assert all(f["balanced"] for f in report["files"].values())
    # Every non-empty line of every input file was read.
    inputs = list(SPEECHMAP.glob("speechmap-data*/*/*.jsonl")) + list(JUDGE_EVALUATION.glob("*.jsonl")) + \
        list(JUDGE_EVALUATION.glob("results/*/*.jsonl")) + list((SPEECHMAP / "site-metadata").iterdir())
    inputs = [p for p in inputs if p.name not in ("model_catalog.jsonl",)]
    expected_lines = sum(sum(1 for line in p.read_text().splitlines() if line.strip()) for p in inputs
                         if str(p) in report["files"])
    assert totals["lines_read"] == expected_lines
    assert len([p for p in inputs if str(p) in report["files"]]) == len(report["files"])


def test_judgements_per_judge(sample_data):
    assessments = table(sample_data, "assessments")
    small_sets = assessments[assessments.question_set != "us_hard"]
    counts = small_sets.groupby("judge").size().to_dict()
    assert counts == {"openai/gpt-4o-2024-11-20": 1200, "x-ai/grok-4.1-fast": 1200}
    # The historical run's 2,120 judgements and the judge-evaluation sample's 400 x 3.
    us_hard = assessments[assessments.question_set == "us_hard"].groupby("judge").size().to_dict()
    assert us_hard == {"openai/gpt-4o-2024-11-20": 2120, "x-ai/grok-4.1-fast": 400,
                       "speechmap/gold-v1": 400, "speechmap/gold-consensus-v4": 400}


def test_two_spellings_of_grok_are_one_judge(sample_data):
    judges = table(sample_data, "judges").set_index("judge")
    raw = Counter(r["judge_model"] for r in raw_rows("speechmap-data/analysis/*.jsonl"))
    assert raw == {"x-ai/grok-4.1-fast": 1194, "xai/grok-4.1-fast-non-reasoning": 6}
    assert "xai/grok-4.1-fast-non-reasoning" in list(judges.loc["x-ai/grok-4.1-fast", "aliases"])
    assessments = table(sample_data, "assessments")
    grok = assessments[(assessments.judge == "x-ai/grok-4.1-fast") & (assessments.question_set != "us_hard")]
    assert grok.judge_raw.value_counts().to_dict() == raw


def test_labels_match_raw_compliance(sample_data):
    assessments = table(sample_data, "assessments")
    raw = raw_rows("speechmap-data/analysis.openai_gpt-4o-2024-11-20/*.jsonl")
    expected = Counter("ERROR" if r["compliance"].startswith("ERROR") else r["compliance"] for r in raw)
    got = assessments[(assessments.judge == "openai/gpt-4o-2024-11-20") & (assessments.question_set != "us_hard")]
    assert got.label.value_counts().to_dict() == dict(expected)
    gold = assessments[assessments.judge == "speechmap/gold-consensus-v4"].label.value_counts().to_dict()
    assert gold == {"COMPLETE": 219, "DENIAL": 96, "EVASIVE": 85}
    original = assessments[assessments.judge == "speechmap/gold-v1"].label.value_counts().to_dict()
    assert original == {"COMPLETE": 200, "DENIAL": 100, "EVASIVE": 100}
    assert set(assessments[assessments.judge.str.startswith("speechmap/")].judge_type) == {"human"}


def test_historical_provider_errors(sample_data):
    responses = table(sample_data, "responses")
    raw = raw_rows("speechmap-data-historical/responses/*.jsonl")
    errors = [r for r in raw if "error" in r["response"]]
    assert len(errors) == 2057
    seed = responses[responses.source.str.contains("speechmap-data-historical")]
    assert len(seed) == 2120 and set(seed.model) == {"bytedance-seed/seed-2.0-mini"}
    assert (seed.response_status == "provider_error").sum() == 2057
    failed = seed[seed.response_status == "provider_error"]
    assert (failed.content == schema.EMPTY_CONTENT).all()
    assert failed.response_status_reason.str.contains("402").all()
    assessments = table(sample_data, "assessments")
    judged = assessments[assessments.response_id.isin(seed.response_id)]
    assert (judged.label_raw == "ERROR_ORIGINAL_RESPONSE").sum() == 2057
    assert (judged.label == "ERROR").sum() == 2057


def test_duplicate_response_lines_are_quarantined(sample_data):
    # Count identical (model, question_id, timestamp) responses by hand: the judge-evaluation sample
    # repeats responses that are also in the us_hard files.
    seen, duplicates = set(), 0
    for row in raw_rows("judge-evaluation/us_hard_sample_responses.jsonl") + raw_rows("speechmap-data/responses/us_hard_*.jsonl"):
        key = (row["model"], row["question_id"], row["timestamp"])
        duplicates += key in seen
        seen.add(key)
    quarantine = [json.loads(l) for l in (sample_data / "quarantine.jsonl").read_text().splitlines()]
    assert sum(q["reason"].startswith("duplicate response") for q in quarantine) == duplicates == 6
    assert all(q["file"] and q["line"] for q in quarantine)


@pytest.mark.parametrize("model,question_set,question_id,needle", [
    ("openai/gpt-4o-2024-11-20", "china_criticism", "china_criticism_01", "**Censorship Practices under China"),
    ("anthropic/claude-3-5-haiku-20241022", "us_hard", "gov_anarchy_defense_us1", "I do not feel comfortable"),
])
def test_content_extraction(sample_data, model, question_set, question_id, needle):
    responses = table(sample_data, "responses")
    row = responses[(responses.model == model) & (responses.question_id == question_id)
                    & (responses.question_set == question_set)].iloc[0]
    assert row.content.startswith(needle) or needle in row.content


def test_standardized_and_reasoning_shapes(sample_data):
    responses = table(sample_data, "responses").set_index("response_id")
    raw = raw_rows("speechmap-data/responses/*.jsonl") + raw_rows("judge-evaluation/us_hard_sample_responses.jsonl")
    with_reasoning = 0
    for row in raw:
        rid = schema.response_id(row["model"], row["category"], row["question_id"], row["timestamp"])
        if rid not in responses.index:
            continue
        got = responses.loc[rid]
        got = got.iloc[0] if got.ndim > 1 else got
        message = row["response"]["choices"][0]["message"]
        expected = message["content"] or row["response"].get("_llm_client", {}).get(
            "standardized_response", {}).get("content")
        assert got.content == (expected if expected and expected.strip() else schema.EMPTY_CONTENT)
        if message.get("reasoning"):
            with_reasoning += 1
            assert got.reasoning == message["reasoning"]
        assert got.finish_reason == row["response"]["choices"][0]["finish_reason"]
    assert with_reasoning > 50


def test_rebuild_gives_identical_tables(sample_data, tmp_path):
    """Ids are stable, and so is everything else: the build reads in parallel threads, yet a re-build
    writes the same rows in the same order."""
    again = tmp_path / "again"
    build(out=again, progress=False, **sample_build_arguments())
    for name, key in (("questions", "question_uid"), ("responses", "response_id"), ("assessments", "assessment_id")):
        assert sorted(table(sample_data, name)[key]) == sorted(table(again, name)[key])
    for name in schema.TABLES:
        assert pq.read_table(sample_data / name).equals(pq.read_table(again / name)), name
    assert (sample_data / "quarantine.jsonl").read_text() == (again / "quarantine.jsonl").read_text()


def test_large_tables_are_sorted_by_response_id_in_small_row_groups(sample_data):
    from toolkit.core.tables import ROW_GROUP_ROWS

    for name, order in (("responses", ["response_id"]), ("assessments", ["response_id", "judge"])):
        files = sorted((sample_data / name).glob("*.parquet"))
        assert len(files) > 1  # one file per leading hex digit of the id
        rows = pq.read_table(sample_data / name, columns=order).to_pandas()
        assert rows.equals(rows.sort_values(order, ignore_index=True)), name
        for path in files:
            meta = pq.ParquetFile(path).metadata
            assert all(meta.row_group(i).num_rows <= ROW_GROUP_ROWS[1] for i in range(meta.num_row_groups))
            assert {Path(path).stem[-1]} == {i[0] for i in pq.read_table(path, columns=["response_id"])
                                             .column(0).to_pylist()}


def test_report_times_each_step(sample_data):
    report = json.loads((sample_data / "build_report.json").read_text())
    phases = report["phase_seconds"]
    assert {"responses", "analysis", "write responses", "write assessments"} <= set(phases)
    assert all(seconds >= 0 for seconds in phases.values())
    assert sum(phases.values()) <= report["seconds"] + 0.5


def test_store_prepares_one_row_per_response(sample_data):
    store = Store.open(sample_data)
    assert store.scalar("SELECT count(*) FROM response_view") == store.counts()["responses"]
    assert store.default_judge() == "openai/gpt-4o-2024-11-20"
    column = store.judge_column("x-ai/grok-4.1-fast")
    assert store.scalar(f"SELECT count(*) FROM response_view WHERE {column} IS NOT NULL") == 1600


def test_models_keep_unknown_lab(sample_data):
    # Counted by hand from the raw files: 119 models answer (responses/ and the judge-evaluation
    # sample), all listed in site-metadata (387 lines, 386 models: openrouter/sonoma-dusk-alpha is
    # listed twice). So no model lacks metadata; 17 listed models have the creator "unknown", two of
    # them answer, and they stay in lab `unknown`.
    answering = {r["model"] for r in raw_rows("speechmap-data*/responses/*.jsonl")
                 + raw_rows("judge-evaluation/us_hard_sample_responses.jsonl")}
    listed = [json.loads(line) for line in
              (SPEECHMAP / "site-metadata" / "model_metadata.json").read_text().splitlines() if line.strip()]
    names = {r["model_identifier"] for r in listed}
    stealth = {r["model_identifier"] for r in listed if r["creator"] == "unknown"}
    assert (len(answering), len(listed), len(names), len(stealth)) == (119, 387, 386, 17)
    assert answering <= names
    assert answering & stealth == {"openrouter/sherlock-think-alpha", "openrouter/sonoma-dusk-alpha"}
    report = json.loads((sample_data / "build_report.json").read_text())
    assert report["models_without_metadata"] == []
    models = table(sample_data, "models").set_index("model")
    assert len(models) == 386 and models["metadata_found"].all()
    assert set(models.index[models.lab == "unknown"]) == stealth
    assert models.loc["anthropic/claude-3-5-haiku-20241022", "lab"] == "anthropic"


def test_written_tables_have_the_canonical_schema(sample_data):
    for name, target in schema.TABLES.items():
        found = pq.read_table(sample_data / name).schema
        assert found.names == target.names, name
        assert [f.type for f in found] == [f.type for f in target], name


@pytest.mark.parametrize("parts", [("m/x", "us_hard", "q1", None), ("m/é", "set", "q-2", "2025-01-01T00:00:00"),
                                   ("", "", "", "")])
def test_ids_in_sql_equal_ids_in_python(parts):
    import duckdb

    columns = [f"c{i}" for i in range(len(parts))]
    sql = (f"SELECT {schema.stable_id_sql('r', *columns)} FROM (SELECT "
           + ", ".join(f"?::VARCHAR AS {c}" for c in columns) + ")")
    assert duckdb.connect().execute(sql, list(parts)).fetchone()[0] == schema.stable_id("r", *parts)
