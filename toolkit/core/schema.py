"""The one canonical schema: table names, column names and Arrow types.

Every table the build writes, the store reads and `publish` pushes is described here, so that a
column has one name everywhere (`judge`, `label`, `response_id`, ...).
"""
from __future__ import annotations

import hashlib

import pyarrow as pa

QUESTIONS = pa.schema([
    ("question_uid", pa.string()),      # stable: hash of (question_set, question_id)
    ("question_id", pa.string()),
    ("question_set", pa.string()),      # SpeechMap `category`, e.g. us_hard
    ("domain", pa.string()),
    ("theme", pa.string()),             # question_id without its final digit (see `theme_of`)
    ("variation", pa.int8()),           # the final digit, or null
    ("text", pa.string()),
])

RESPONSES = pa.schema([
    ("response_id", pa.string()),       # stable: hash of (model, question_set, question_id, timestamp)
    ("question_uid", pa.string()),
    ("question_id", pa.string()),
    ("question_set", pa.string()),
    ("model", pa.string()),
    ("timestamp", pa.string()),         # ISO 8601 exactly as found (part of the identity)
    ("api_provider", pa.string()),      # the router used (OpenRouter, openrouter, ...)
    ("provider", pa.string()),          # the upstream provider that served it
    ("content", pa.string()),           # the final answer text; EMPTY_CONTENT when there is none
    ("reasoning", pa.string()),
    ("finish_reason", pa.string()),
    ("response_status", pa.string()),   # success | moderation | truncation | provider_error | empty_response | ...
    ("response_status_reason", pa.string()),
    ("moderation_reason", pa.string()),  # SpeechMap's original_moderation_reason, from the provider's reply; else null
    ("original_response_error", pa.bool_()),  # the reply's choices[0].error is an object (SpeechMap: ERROR)
    ("source", pa.string()),            # file:line
])

ASSESSMENTS = pa.schema([
    ("assessment_id", pa.string()),     # stable: hash of (response_id, judge)
    ("response_id", pa.string()),
    ("question_id", pa.string()),
    ("question_set", pa.string()),
    ("model", pa.string()),
    ("judge", pa.string()),             # canonical judge name (after the alias table)
    ("judge_raw", pa.string()),         # the name as found
    ("judge_type", pa.string()),        # llm | human
    ("label", pa.string()),             # COMPLETE | EVASIVE | DENIAL | ERROR | UNKNOWN
    ("label_raw", pa.string()),         # as found, e.g. ERROR_ORIGINAL_MODERATION or REBUTTAL
    ("analysis", pa.string()),
    ("timestamp", pa.string()),
    ("source", pa.string()),            # file:line
])

MODELS = pa.schema([
    ("model", pa.string()),
    ("model_name", pa.string()),
    ("lab", pa.string()),               # the metadata's `creator`; `unknown` when missing
    ("lab_name", pa.string()),
    ("lab_color", pa.string()),
    ("family", pa.string()),
    ("release_date", pa.date32()),
    ("reasoning", pa.bool_()),
    ("metadata_found", pa.bool_()),
    ("skip", pa.bool_()),               # SpeechMap's `skip` flag: left out of every SpeechMap score
])

JUDGES = pa.schema([
    ("judge", pa.string()),
    ("aliases", pa.list_(pa.string())),
    ("judge_type", pa.string()),
    ("assessments", pa.int64()),
])

TABLES: dict[str, pa.Schema] = {
    "questions": QUESTIONS,
    "responses": RESPONSES,
    "assessments": ASSESSMENTS,
    "models": MODELS,
    "judges": JUDGES,
}

EMPTY_CONTENT = "(No Response Content)"  # as in the published PITTI datasets
UNKNOWN_LAB = "unknown"
JUDGE_TYPES = ("llm", "human")


def stable_id(*parts: object) -> str:
    """A 16-hex-digit id derived from content, so that re-builds give the same ids.

    sha1 over the parts joined by the unit separator (which never occurs in names).
    """
    text = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def question_uid(question_set: str, question_id: str) -> str:
    return stable_id("q", question_set, question_id)


def response_id(model: str, question_set: str, question_id: str, timestamp: str | None) -> str:
    return stable_id("r", model, question_set, question_id, timestamp)


def assessment_id(response_id_: str, judge: str) -> str:
    return stable_id("a", response_id_, judge)


def stable_id_sql(prefix: str, *columns: str) -> str:
    """`stable_id(prefix, *values)` as a DuckDB expression over columns (the build computes ids in SQL).

    Same bytes hashed: the parts joined by the unit separator, NULL as the empty string; a test checks
    that both give the same ids.
    """
    parts = ", ".join(f"coalesce(CAST({c} AS VARCHAR), '')" for c in columns)
    return f"left(sha1(concat_ws(chr(31), '{prefix}', {parts})), 16)"
