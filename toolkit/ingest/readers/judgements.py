"""Generic judgement / annotation files (JSONL, CSV or parquet), each row matched to its response.

A row names its response by `response_id`, or by `model` + `question_id` (+ `question_set`/`category`),
or by SpeechMap's `key` = `model::question_id`. Of several candidates in one question set, the one
whose timestamp equals the row's `response_timestamp` (or `timestamp`) wins, else the newest (judge
files' `timestamp` is often the judging time, not the response's); candidates in several question sets
are ambiguous.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from tqdm import tqdm

from toolkit.ingest.readers.records import read_records
from toolkit.ingest.staging import Builder

LABEL_COLUMNS = ("compliance", "label", "expected_compliance", "pitti_compliance")
JUDGE_COLUMNS = ("judge", "judge_model", "annotator")
ANALYSIS_COLUMNS = ("analysis", "judge_analysis", "rationale", "notes", "raw_judge_response")
STAGED_COLUMNS = ["file", "line", "wanted_id", "model", "question_id", "question_set", "wanted_timestamp",
                  "judge_raw", "judge_type", "label_raw", "analysis", "timestamp"]


def read_judgement_file(builder: Builder, spec: str, judge_type: str | None, keys: pa.Table,
                        bar: tqdm | None) -> pa.Table:
    """Rows of a generic judgement/annotation file, matched to responses (unmatched quarantined)."""
    name, path = parse_named(spec)
    file = str(path)
    report = builder.quarantine.report_for(file, "annotations" if judge_type == "human" else "judgements")
    rows = []
    for number, record, problem in read_records(path):
        report.lines_read += 1
        if problem is not None:
            builder.quarantine.reject(file, problem.line, problem.reason, problem.snippet)
            continue
        row, reason = judgement_row(record, name, judge_type)
        if reason:
            builder.quarantine.reject(file, number, reason, json.dumps(record, ensure_ascii=False, default=str))
            continue
        rows.append({"file": file, "line": number, **row})
        if bar is not None:
            bar.update(1)
    staged = pa.Table.from_pylist(rows, schema=pa.schema(
        [(c, pa.int64() if c == "line" else pa.string()) for c in STAGED_COLUMNS]))
    good = match_to_responses(builder, staged, keys)
    return pa.table({
        "response_id": good["response_id"], "question_id": good["question_id"],
        "question_set": good["question_set"], "model": good["model"],
        "judge": pa.array([builder.judge_name(j) for j in good["judge_raw"].to_pylist()], pa.string()),
        "judge_raw": good["judge_raw"], "judge_type": good["judge_type"],
        "label_raw": good["label_raw"], "analysis": good["analysis"], "timestamp": good["timestamp"],
        "file": good["file"], "line": good["line"],
    })


def judgement_row(record: dict, name: str | None, judge_type: str | None) -> tuple[dict, str | None]:
    """One record's staged columns, or the reason it is quarantined."""
    label = next((record[c] for c in LABEL_COLUMNS if record.get(c) not in (None, "")), None)
    judge = name or next((record[c] for c in JUDGE_COLUMNS if record.get(c) not in (None, "")), None)
    model, question_id = record.get("model"), record.get("question_id")
    if record.get("key") and not (model and question_id):
        model, _, question_id = str(record["key"]).partition("::")
    if label is None:
        return {}, "missing field label (compliance, label or expected_compliance)"
    if not isinstance(label, str):
        return {}, "field label is not a string"
    if judge is None:
        return {}, "missing judge (a judge/judge_model/annotator column, or NAME=PATH)"
    if not record.get("response_id") and not (model and question_id):
        return {}, "names no response (response_id, model + question_id, or key)"
    analysis = next((record[c] for c in ANALYSIS_COLUMNS if record.get(c) not in (None, "")), None)
    return {
        "wanted_id": record.get("response_id"), "model": model, "question_id": question_id,
        "question_set": record.get("question_set") or record.get("category"),
        "wanted_timestamp": record.get("response_timestamp") or record.get("timestamp"),
        "judge_raw": str(judge), "judge_type": judge_type or record.get("judge_type") or "llm",
        "label_raw": label, "analysis": None if analysis is None else str(analysis),
        "timestamp": str(record.get("judged_at") or record.get("timestamp") or "") or None,
    }, None


def match_to_responses(builder: Builder, staged: pa.Table, keys: pa.Table) -> pa.Table:
    """Staged rows with the response each names; rows naming none, or several question sets, are
    quarantined. Two equi-joins (by id; by model + question) rather than one join on an OR, which
    DuckDB can only run as a nested loop."""
    staged = staged.append_column("row", pa.array(np.arange(staged.num_rows), pa.int64()))
    best = "(k.timestamp IS NOT DISTINCT FROM s.wanted_timestamp, k.timestamp)"
    matched = builder.sql(
        f"""WITH candidates AS (
             SELECT s.row, k.* FROM s JOIN k ON k.response_id = s.wanted_id
             UNION ALL
             SELECT s.row, k.* FROM s JOIN k ON k.model = s.model AND k.question_id = s.question_id
             WHERE s.wanted_id IS NULL AND (s.question_set IS NULL OR k.question_set = s.question_set))
           SELECT s.file, s.line, s.judge_raw, s.judge_type, s.label_raw, s.analysis, s.timestamp,
                  count(k.response_id) AS candidates, count(DISTINCT k.question_set) AS sets,
                  arg_max(k.response_id, {best}) AS response_id, arg_max(k.question_id, {best}) AS question_id,
                  arg_max(k.question_set, {best}) AS question_set, arg_max(k.model, {best}) AS model
           FROM s LEFT JOIN candidates k USING (row)
           GROUP BY s.row, s.file, s.line, s.judge_raw, s.judge_type, s.label_raw, s.analysis, s.timestamp
           ORDER BY s.row""", s=staged, k=keys)
    builder.quarantine.reject_rows(matched.filter(pc.equal(matched["candidates"], 0)), "no matching response")
    builder.quarantine.reject_rows(matched.filter(pc.greater(matched["sets"], 1)),
                                   "ambiguous response (several question sets; give question_set)")
    return matched.filter(pc.and_(pc.greater(matched["candidates"], 0), pc.less_equal(matched["sets"], 1)))


def parse_named(spec: str) -> tuple[str | None, Path]:
    """`NAME=PATH` names the judge of a judgement file; a plain PATH takes it from the rows."""
    if "=" in spec and not Path(spec).exists():
        name, _, path = spec.partition("=")
        return name, Path(path)
    return None, Path(spec)
