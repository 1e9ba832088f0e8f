"""Provider shapes -> our columns: the JSON fields read from each raw file kind, and the SQL that turns
a provider's response object into content, reasoning and a response status."""
from __future__ import annotations

from toolkit.core import schema
from toolkit.ingest.extract import Field

QUESTION_FIELDS = [
    Field("question_id", ("$.id", "$.question_id"), required=True),
    Field("text", ("$.question", "$.text"), required=True),
    Field("category", ("$.category", "$.question_set")),
    Field("domain", ("$.domain",)),
]
RESPONSE_FIELDS = [
    Field("question_id", ("$.question_id",), required=True),
    Field("model", ("$.model",), required=True),
    Field("timestamp", ("$.timestamp",), required=True),
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
]
ANALYSIS_FIELDS = [
    Field("question_id", ("$.question_id",), required=True),
    Field("compliance", ("$.compliance",), required=True),
    Field("judge_model", ("$.judge_model",)),
    Field("judge_analysis", ("$.judge_analysis",)),
    Field("raw_judge_response", ("$.raw_judge_response", "$.raw_response")),
    Field("timestamp", ("$.timestamp",), "any"),
    Field("category", ("$.category",)),
    Field("model", ("$.model",)),
]

# The text of typed parts (`{"type": "text", "text": ...}`) of a JSON array, concatenated.
_PARTS = ("array_to_string(list_transform(list_filter(CAST(json_extract({col}, '$[*]') AS JSON[]), "
          "lambda b: b->>'type' = '{kind}'), lambda b: b->>'{key}'), '')")
# Content of a response in every provider shape; the first non-empty wins.
CONTENT_SQL = f"""coalesce(
    nullif(response_text, ''), nullif(message_text, ''),
    nullif({_PARTS.format(col='message_parts', kind='text', key='text')}, ''),
    nullif(standardized_content, ''),
    nullif({_PARTS.format(col='blocks', kind='text', key='text')}, ''), nullif(blocks_text, ''))"""
REASONING_SQL = f"""coalesce(message_reasoning,
    nullif({_PARTS.format(col='blocks', kind='thinking', key='thinking')}, ''))"""
# Per batch: reduce the extracted fields to what the responses table keeps; status derived when absent.
RESPONSE_POST_SQL = f"""
SELECT idx, problem, question_id, model, timestamp, category, question, domain, api_provider,
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
       question_set,
       CASE WHEN question_set IS NOT NULL
            THEN {schema.stable_id_sql('r', 'model', 'question_set', 'question_id', 'timestamp')} END AS response_id,
       file, line, stem, root
FROM (SELECT *, CASE WHEN trim(content_raw) <> '' THEN content_raw END AS content_found,
             coalesce(category, stem_set) AS question_set
      FROM (SELECT *, {CONTENT_SQL} AS content_raw, {REASONING_SQL} AS reasoning FROM e))"""
RESPONSE_LIGHT_COLUMNS = ("question_id", "model", "timestamp", "category", "question", "domain", "api_provider",
                          "provider", "finish_reason", "response_status", "response_status_reason",
                          "question_set", "response_id", "file", "line", "stem", "root", "pos")
ANALYSIS_POST_SQL = """
SELECT idx, problem, e.question_id, compliance, judge_model, timestamp, category, model,
       coalesce(judge_analysis, raw_judge_response) AS analysis, file, line, e.stem, e.root, folder_judge,
       r.response_id
FROM e LEFT JOIN r ON e.root = r.root AND e.stem = r.stem AND e.question_id = r.question_id"""
ANALYSIS_LIGHT_COLUMNS = ("question_id", "compliance", "judge_model", "timestamp", "category", "model",
                          "file", "line", "stem", "root", "folder_judge", "response_id", "pos")
