"""JSON fields extracted by DuckDB: each line is parsed once, with every field taken in one parse
(`json_extract` with a list of paths), batch by batch."""
from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa


@dataclass(frozen=True)
class Field:
    name: str
    paths: tuple[str, ...]          # first present path wins
    kind: str = "string"            # string | array | any (scalar as text) | key | key_string
    required: bool = False


def _json_kind(fragment: str) -> str:
    # JSON type from the first character of a fragment, as DuckDB returns it.
    return (f"CASE left({fragment}, 1) WHEN '\"' THEN 'string' WHEN '{{' THEN 'object' WHEN '[' THEN 'array' "
            f"WHEN 'n' THEN 'null' WHEN 't' THEN 'boolean' WHEN 'f' THEN 'boolean' ELSE 'number' END")


def extraction_sql(fields: list[Field]) -> str:
    """One SELECT over table `batch(raw_line, ...)` giving the batch's other columns, a `problem`
    (NULL when the row is fine) and one column per field. The line is parsed once; fields are read
    from the parsed fragments."""
    paths = [p for f in fields if f.kind not in ("key", "key_string") for p in f.paths]
    path_list = ", ".join("'" + p.replace("'", "''") + "'" for p in paths)
    columns, checks = [], []
    position = 1
    for f in fields:
        if f.kind in ("key", "key_string"):
            fragments = []
        else:
            fragments = [f"parts[{position + i}]" for i in range(len(f.paths))]
        position += len(fragments)
        if fragments:
            fragment = f"coalesce({', '.join(fragments)})" if len(fragments) > 1 else fragments[0]
            fragment = f"nullif({fragment}, 'null')"
        if f.kind in ("key", "key_string"):
            # A top-level key's presence read off the raw line, without serialising its (large) value:
            # in valid JSON a quoted name followed by ':' cannot occur inside a string (quotes are
            # escaped there). `key_string` also reads the value, only on rows where it is a string.
            key = f.paths[0].removeprefix("$.")
            present = f"regexp_matches(raw_line, '\"{key}\"\\s*:')"
            if f.kind == "key":
                value = present
            else:
                value = (f"CASE WHEN regexp_matches(raw_line, '\"{key}\"\\s*:\\s*\"') "
                         f"THEN json_extract_string(raw_line, '{f.paths[0]}') END")
            columns.append(f"{value} AS \"{f.name}\"")
            if f.required:
                checks.append(f"WHEN NOT {present} THEN 'missing field {f.name}'")
            continue
        if f.kind == "string":
            value = f"CASE WHEN left({fragment}, 1) = '\"' THEN json_extract_string({fragment}, '$') END"
        elif f.kind == "array":  # a JSON array's text, else NULL
            value = f"CASE WHEN left({fragment}, 1) = '[' THEN CAST({fragment} AS VARCHAR) END"
        else:  # any scalar, rendered as text (numbers, booleans, strings)
            value = (f"CASE WHEN left({fragment}, 1) = '\"' THEN json_extract_string({fragment}, '$') "
                     f"WHEN left({fragment}, 1) IN ('{{', '[') THEN NULL ELSE CAST({fragment} AS VARCHAR) END")
        columns.append(f"{value} AS \"{f.name}\"")
        if f.required:
            checks.append(f"WHEN {fragment} IS NULL THEN 'missing field {f.name}'")
        if f.kind == "string" and f.required:  # optional fields of another type are read as null
            checks.append(f"WHEN {fragment} IS NOT NULL AND left({fragment}, 1) <> '\"' "
                          f"THEN 'field {f.name} is not a string (' || {_json_kind(fragment)} || ')'")
    problem = ("CASE WHEN parts IS NULL THEN 'invalid JSON' "
               "WHEN left(ltrim(raw_line), 1) <> '{' THEN 'not a JSON object' "
               + " ".join(checks) + " END")
    return (f"SELECT * EXCLUDE (raw_line, parts), {problem} AS problem, {', '.join(columns)} FROM "
            f"(SELECT *, try(json_extract(raw_line, [{path_list}])) AS parts FROM batch)")


class JsonBatchReader:
    """Parses batches of JSON lines with DuckDB, and reduces them with an optional `post_sql`
    (over table `e`, the extracted fields), in one query: the texts are copied out once."""

    CHUNK_ROWS = 512  # DuckDB scans Arrow chunks in parallel: small ones keep every core busy

    def __init__(self, con: duckdb.DuckDBPyConnection, fields: list[Field], post_sql: str | None = None):
        self.con = con
        self.fields = fields
        extraction = extraction_sql(fields)
        self.sql = f"WITH e AS ({extraction}) {post_sql}" if post_sql else extraction

    def extract(self, lines: pa.Array | pa.ChunkedArray, columns: dict[str, pa.Array] | None = None,
                tables: dict[str, pa.Table] | None = None) -> pa.Table:
        """One row per line (in no particular order), with `idx` (the line's index in `lines`),
        `problem` (NULL when the line is fine), the given per-line `columns` and the fields (or the
        post_sql's columns, which must keep `idx` and `problem`). `tables` are visible to post_sql."""
        chunks = lines.chunks if isinstance(lines, pa.ChunkedArray) else [lines]
        pieces = [c.slice(i, self.CHUNK_ROWS) for c in chunks for i in range(0, len(c), self.CHUNK_ROWS)]
        batch = pa.table({"idx": pa.array(np.arange(sum(len(c) for c in chunks), dtype=np.int64)),
                          "raw_line": pa.chunked_array(pieces, pa.large_string()), **(columns or {})})
        views = {"batch": batch, **(tables or {})}
        for name, table in views.items():
            self.con.register(name, table)
        try:
            return self.con.sql(self.sql).to_arrow_table()
        finally:
            for name in views:
                self.con.unregister(name)
