"""The published PITTI parquet layout (questions / responses / assessments) mapped onto our tables."""
from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from toolkit.core import schema
from toolkit.ingest.readers.raw_layout import pitti_files
from toolkit.ingest.staging import Builder


def read_pitti(builder: Builder, root: Path) -> tuple[pa.Table, pa.Table, pa.Table]:
    """The published PITTI layout mapped onto our tables: (questions, responses, assessments)."""
    q, r, a = (load_pitti(builder, root, name) for name in ("questions", "responses", "assessments"))
    questions = builder.sql(
        """SELECT uuid, CAST(id AS VARCHAR) AS question_id, category AS question_set, domain,
                  question AS text, file, line FROM q""", q=q)
    responses = pitti_responses(builder, r, questions)
    assessments = pitti_assessments(builder, a, responses)
    for table in (questions, responses):
        builder.quarantine.count_written(table)
    uids = [schema.question_uid(s, q) for s, q in zip(responses["question_set"].to_pylist(),
                                                       responses["question_id"].to_pylist())]
    responses_out = builder.sql(
        f"""SELECT response_id, question_set, question_id, model, timestamp, api_provider, provider,
                   coalesce(nullif(trim(content), ''), '{schema.EMPTY_CONTENT}') AS content,
                   NULL::VARCHAR AS reasoning,
                   CASE WHEN content = '{schema.EMPTY_CONTENT}' OR trim(coalesce(content, '')) = ''
                        THEN 'empty_response' ELSE 'success' END AS response_status,
                   file, line FROM r""", r=responses)
    responses_out = responses_out.append_column("question_uid", pa.array(uids, pa.string()))
    return questions.select(["question_set", "question_id", "text", "domain"]), responses_out, assessments


def load_pitti(builder: Builder, root: Path, name: str) -> pa.Table:
    """One PITTI table from all its parquet files, with file and (1-based row number as) line."""
    parts = []
    for path in pitti_files(root, name):
        table = pq.read_table(path)
        report = builder.quarantine.report_for(path, f"pitti {name}")
        report.lines_read += table.num_rows
        table = table.append_column("file", pa.array([str(path)] * table.num_rows, pa.string()))
        table = table.append_column("line", pa.array(range(1, table.num_rows + 1), pa.int64()))
        parts.append(table)
    return pa.concat_tables(parts, promote_options="permissive")


def pitti_responses(builder: Builder, r: pa.Table, questions: pa.Table) -> pa.Table:
    """Responses with their question and our response_id; orphans quarantined."""
    responses = builder.sql(
        """SELECT r.uuid, q.question_id, q.question_set, r.model, CAST(r.timestamp AS VARCHAR) AS timestamp,
                  r.api_provider, r.provider, r.content, r.file, r.line
           FROM r LEFT JOIN q ON r.q_uuid = q.uuid""", r=r, q=questions)
    orphan = pc.is_null(responses["question_id"])
    builder.quarantine.reject_rows(responses.filter(orphan), "no matching question")
    responses = responses.filter(pc.invert(orphan))
    rids = [schema.response_id(m, s, q, t) for m, s, q, t in zip(
        responses["model"].to_pylist(), responses["question_set"].to_pylist(),
        responses["question_id"].to_pylist(), responses["timestamp"].to_pylist())]
    return responses.append_column("response_id", pa.array(rids, pa.string()))


def pitti_assessments(builder: Builder, a: pa.Table, responses: pa.Table) -> pa.Table:
    """Assessments with their response; `pitti_compliance` (finer) kept as label_raw where present."""
    fine = "pitti_compliance" in a.column_names
    assessments = builder.sql(
        f"""SELECT r.response_id, r.question_id, r.question_set, r.model, a.judge, a.judge AS judge_raw,
                   lower(coalesce(a.judge_type, 'llm')) AS judge_type,
                   {"coalesce(a.pitti_compliance, a.compliance)" if fine else "a.compliance"} AS label_raw,
                   a.judge_analysis AS analysis, NULL::VARCHAR AS timestamp, a.file, a.line
            FROM a LEFT JOIN r ON a.r_uuid = r.uuid""", a=a, r=responses)
    orphan = pc.is_null(assessments["response_id"])
    builder.quarantine.reject_rows(assessments.filter(orphan), "no matching response")
    assessments = assessments.filter(pc.invert(orphan))
    assessments = assessments.set_column(
        assessments.column_names.index("judge"), "judge",
        pa.array([builder.judge_name(j) for j in assessments["judge"].to_pylist()], pa.string()))
    return assessments.set_column(
        assessments.column_names.index("judge_type"), "judge_type",
        pa.array(["human" if t == "human" else "llm" for t in assessments["judge_type"].to_pylist()], pa.string()))
