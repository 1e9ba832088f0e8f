"""Provider shapes -> our columns: the JSON fields read from each raw file kind, and the SQL that turns
a provider's response object into content, reasoning and a response status."""
from __future__ import annotations

from toolkit.core import schema
from toolkit.ingest.extract import Field

QUESTION_FIELDS = [
    Field("question_id", ("$.id", "$.question_id"), required=True, nonempty=True),
    Field("text", ("$.question", "$.text"), required=True),
    Field("category", ("$.category", "$.question_set")),
    Field("domain", ("$.domain",)),
]
RESPONSE_FIELDS = [
    Field("question_id", ("$.question_id",), required=True, nonempty=True),
    Field("model", ("$.model",), required=True, nonempty=True),
    Field("timestamp", ("$.timestamp",), required=True, nonempty=True),
    Field("response", ("$.response",), "key", required=True),     # present (its value is not copied)
    Field("response_text", ("$.response",), "key_string"),        # older rows: the answer as a string
    Field("category", ("$.category",)),
    Field("question", ("$.question",)),
    Field("domain", ("$.domain",)),
    Field("api_provider", ("$.api_provider",)),
    Field("top_provider", ("$.provider",)),
    Field("given_status", ("$.response_status",)),
    Field("given_status_reason", ("$.response_status_reason",)),
    Field("message_text", ("$.response.choices[0].message.content",)),          # OpenAI
    Field("message_parts", ("$.response.choices[0].message.content",), "array"),  # OpenAI content parts
    Field("message_reasoning", ("$.response.choices[0].message.reasoning",
                                "$.response.choices[0].message.reasoning_content"), "any"),
    Field("finish_reason", ("$.response.choices[0].finish_reason", "$.response.stop_reason"), "any"),
    Field("response_provider", ("$.response.provider",), "any"),
    Field("error_code", ("$.response.error.code",), "any"),
    Field("error_message", ("$.response.error.message",), "any"),
    Field("blocks_text", ("$.response.content",)),
    Field("blocks", ("$.response.content",), "array"),                          # Anthropic content blocks
    Field("standardized_content", ("$.response._llm_client.standardized_response.content",), "any"),
    Field("standardized_parts", ("$.response._llm_client.standardized_response.content",), "array"),
    # SpeechMap's provider-moderation signals (`MODERATION_SQL`)
    Field("stop_reason", ("$.response.stop_reason",)),
    Field("error_value", ("$.response.error",), "json"),
    Field("choice_finish_reason", ("$.response.choices[0].finish_reason",)),
    Field("choice_native_finish_reason", ("$.response.choices[0].native_finish_reason",)),
    Field("choice_error", ("$.response.choices[0].error",), "json"),
]
ANALYSIS_FIELDS = [
    Field("question_id", ("$.question_id",), required=True, nonempty=True),
    Field("compliance", ("$.compliance",), required=True),
    Field("judge_model", ("$.judge_model",)),
    Field("judge_analysis", ("$.judge_analysis",)),
    Field("raw_judge_response", ("$.raw_judge_response", "$.raw_response")),
    Field("timestamp", ("$.timestamp",), "any"),
    Field("category", ("$.category",)),
    Field("model", ("$.model",)),
]

# The text of typed parts (`{"type": "text", "text": ...}`) of a JSON array, joined with a blank line
# (as SpeechMap joins text blocks; a block without text counts as empty).
_PARTS = ("array_to_string(list_transform(list_filter(CAST(json_extract({col}, '$[*]') AS JSON[]), "
          "lambda b: b->>'type' = '{kind}'), lambda b: coalesce(b->>'{key}', '')), '{sep}')")
_TEXT = dict(kind="text", key="text", sep="\n\n")
# Content of a response in every provider shape; the first non-empty wins.
CONTENT_SQL = f"""coalesce(
    nullif(response_text, ''), nullif(message_text, ''),
    nullif({_PARTS.format(col='message_parts', **_TEXT)}, ''),
    nullif(standardized_content, ''), nullif({_PARTS.format(col='standardized_parts', **_TEXT)}, ''),
    nullif({_PARTS.format(col='blocks', **_TEXT)}, ''), nullif(blocks_text, ''))"""
REASONING_SQL = f"""coalesce(message_reasoning,
    nullif({_PARTS.format(col='blocks', kind='thinking', key='thinking', sep='')}, ''))"""
# SpeechMap's `original_moderation_reason`: the provider's own reply shows moderation. Exact,
# case-sensitive values; the text pattern is searched (case-insensitive) in every string inside an
# error (values, not keys). First hit wins: stop_reason, top-level error, choices[0]'s finish_reason,
# native_finish_reason, error.
MODERATION_STOPS = ("content_filter", "refusal")
MODERATION_TEXT = (r"usage policy|requires moderation|input was flagged|prompt was flagged|"
                   r"output data may contain inappropriate content|input data may contain inappropriate content|"
                   r"data_inspection_failed|prohibited_content|content[_ -]?filter|safety policy|policy violation|"
                   r"blocked by safety|blocked by moderation|\bmoderation\b")


def _moderated_error(column: str) -> str:
    """'content_filter' for an error object of that type, 'moderation_error_text' when one of its
    strings reads like moderation, else NULL."""
    strings = f"list_prepend({column}::JSON, json_extract({column}, '$..*'))"
    text_hit = (f"len(list_filter({strings}, lambda f: json_type(f) = 'VARCHAR' "
                f"AND regexp_matches(json_extract_string(f, '$'), '{MODERATION_TEXT}', 'i'))) > 0")
    return (f"CASE WHEN {column} IS NULL THEN NULL "
            f"WHEN json_type({column}::JSON) = 'OBJECT' AND {column}::JSON->>'type' = 'content_filter' "
            f"THEN 'content_filter' WHEN {text_hit} THEN 'moderation_error_text' END")


_STOPS = ", ".join(f"'{v}'" for v in MODERATION_STOPS)
MODERATION_SQL = f"""coalesce(
    CASE WHEN stop_reason IN ({_STOPS}) THEN stop_reason END, {_moderated_error('error_value')},
    CASE WHEN choice_finish_reason IN ({_STOPS}) THEN choice_finish_reason END,
    CASE WHEN choice_native_finish_reason IN ({_STOPS}) THEN choice_native_finish_reason END,
    {_moderated_error('choice_error')})"""
# SpeechMap's ERROR_ORIGINAL_RESPONSE: an error object in choices[0] makes the row ERROR, moderated or not.
ORIGINAL_RESPONSE_ERROR_SQL = "coalesce(json_type(choice_error::JSON) = 'OBJECT', false)"

# Per batch: reduce the extracted fields to what the responses table keeps; status derived when absent.
# Timestamps are compared as instants (`...T10:00:00+09:00` is older than `...T05:00:00Z`); one
# without an offset is UTC (the build's DuckDB session runs in UTC).
INSTANT = "try_cast({col} AS TIMESTAMPTZ)"
RESPONSE_POST_SQL = f"""
SELECT idx, coalesce(problem, CASE WHEN {INSTANT.format(col='timestamp')} IS NULL
                                   THEN 'field timestamp is not a date and time' END) AS problem, question_id, model, timestamp, category, question, domain, api_provider,
       coalesce(response_provider, top_provider) AS provider, finish_reason,
       coalesce(content_found, '{schema.EMPTY_CONTENT}') AS content, reasoning,
       coalesce(given_status,
         CASE WHEN error_code IS NOT NULL OR error_message IS NOT NULL THEN
                CASE WHEN error_code = '403' OR lower(error_message) LIKE '%moderat%'
                     THEN 'moderation' ELSE 'provider_error' END
              WHEN finish_reason = 'content_filter' THEN 'moderation'
              WHEN finish_reason IN ('length', 'max_tokens') THEN 'truncation'
              WHEN content_found IS NULL THEN 'empty_response'
              ELSE 'success' END) AS response_status,
       coalesce(given_status_reason,
         CASE WHEN error_code IS NOT NULL OR error_message IS NOT NULL
              THEN 'error:' || coalesce(error_code, '') || ' ' || coalesce(error_message, '')
              WHEN finish_reason IS NOT NULL THEN 'finish_reason:' || finish_reason END) AS response_status_reason,
       {MODERATION_SQL} AS moderation_reason, {ORIGINAL_RESPONSE_ERROR_SQL} AS original_response_error,
       content_found IS NOT NULL AS has_text, question_set,
       CASE WHEN question_set IS NOT NULL
            THEN {schema.stable_id_sql('r', 'model', 'question_set', 'question_id', 'timestamp')} END AS response_id,
       file, line, stem, root
FROM (SELECT *, CASE WHEN trim(content_raw) <> '' THEN content_raw END AS content_found,
             coalesce(category, stem_set) AS question_set
      FROM (SELECT *, {CONTENT_SQL} AS content_raw, {REASONING_SQL} AS reasoning FROM e))"""
RESPONSE_LIGHT_COLUMNS = ("question_id", "model", "timestamp", "category", "question", "domain", "api_provider",
                          "provider", "finish_reason", "response_status", "response_status_reason",
                          "moderation_reason", "original_response_error", "has_text", "question_set", "response_id", "file", "line", "stem", "root", "pos")
ANALYSIS_POST_SQL = f"""
SELECT idx, coalesce(problem, CASE WHEN timestamp = '' THEN 'field timestamp is empty'
                                   WHEN timestamp IS NOT NULL AND {INSTANT.format(col='timestamp')} IS NULL
                                   THEN 'field timestamp is not a date and time' END) AS problem, e.question_id, compliance, judge_model, timestamp, category, model,
       coalesce(judge_analysis, raw_judge_response) AS analysis, file, line, e.stem, e.root, folder_judge,
       r.response_id
FROM e LEFT JOIN r ON e.root = r.root AND e.stem = r.stem AND e.question_id = r.question_id"""
ANALYSIS_LIGHT_COLUMNS = ("question_id", "compliance", "judge_model", "timestamp", "category", "model",
                          "file", "line", "stem", "root", "folder_judge", "response_id", "pos")
