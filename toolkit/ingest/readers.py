"""Readers for every input the build accepts, each returning rows or quarantine entries, never both.

- The raw SpeechMap layout: `questions/`, `responses/`, `analysis/` and every `analysis.<judge>/`.
- Model and lab metadata (`model_metadata.json`, JSONL despite its name; `lab_metadata.jsonl`).
- Generic judgement / annotation files (JSONL, CSV or parquet).
- The published PITTI parquet layout (questions / responses / assessments).

JSON lines are parsed by DuckDB, one batch of lines at a time, with every field taken in one parse
(`json_extract` with a list of paths); Python only splits files into lines, so that bad bytes
(a byte-order mark, CRLF, invalid UTF-8) are handled per line with the line number kept.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import duckdb
import pyarrow as pa

SNIPPET = 300  # characters of a bad line kept in the quarantine report


@dataclass
class Problem:
    file: str
    line: int | None
    reason: str
    snippet: str = ""

    def as_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "reason": self.reason, "snippet": self.snippet}


def snippet(text: str | bytes) -> str:
    if isinstance(text, bytes):
        text = text[: SNIPPET * 4].decode("utf-8", errors="replace")
    return text if len(text) <= SNIPPET else text[:SNIPPET] + "…"


# --------------------------------------------------------------------------------------------
# Lines
@dataclass
class Lines:
    """The non-empty lines of one file: their text and 1-based line numbers, plus undecodable ones."""
    file: str
    texts: list[str] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def nonempty(self) -> int:
        return len(self.texts) + len(self.problems)


def read_lines(path: Path) -> Lines:
    """Split a file into lines: a leading BOM and CR line endings are removed; invalid UTF-8 is a
    problem of that line only; blank lines are not data and are skipped."""
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    out = Lines(str(path))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        for number, line in enumerate(text.split("\n"), start=1):
            if line.endswith("\r"):
                line = line[:-1]
            if line.strip():
                out.texts.append(line)
                out.numbers.append(number)
        return out
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        if not raw.strip():
            continue
        try:
            out.texts.append(raw.decode("utf-8"))
            out.numbers.append(number)
        except UnicodeDecodeError as error:
            out.problems.append(Problem(str(path), number, f"invalid UTF-8 at byte {error.start}", snippet(raw)))
    return out


WHITESPACE = (9, 10, 11, 12, 13, 32)  # bytes that may start a blank line (ASCII whitespace)


def arrow_lines(path: Path) -> tuple[pa.Array, "np.ndarray"] | None:
    """The non-empty lines of a file as an Arrow string array over the file's own bytes (no copy),
    with their 1-based line numbers; None when the file is not valid UTF-8 (then `read_lines` finds
    the bad lines one by one). Each line keeps its line ending, which JSON parsers skip as whitespace.
    """
    import numpy as np
    import pyarrow.compute as pc

    data = path.read_bytes()
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    raw = np.frombuffer(data, np.uint8)
    breaks = np.flatnonzero(raw == 10)
    starts = np.concatenate(([start], breaks + 1)).astype(np.int64)
    if starts[-1] >= len(data):  # the file ends with a newline: no line after it
        starts = starts[:-1]
    if len(starts) == 0:
        return pa.array([], pa.large_string()), np.zeros(0, np.int64)
    offsets = np.concatenate((starts, [len(data)])).astype(np.int64)
    lines = pa.LargeStringArray.from_buffers(len(starts), pa.py_buffer(offsets), pa.py_buffer(data))
    try:
        lines.validate(full=True)
    except pa.ArrowInvalid:
        return None
    numbers = np.arange(1, len(starts) + 1, dtype=np.int64)
    # A line is blank only if it starts with whitespace (or is empty), so only those few lines are
    # checked in full; a JSON line starts with `{`.
    first = raw[np.minimum(starts, len(data) - 1)]
    suspect = np.flatnonzero(np.isin(first, WHITESPACE) | (offsets[1:] == starts))
    if not len(suspect):  # the usual case: no copy at all
        return lines, numbers
    candidates = lines.take(pa.array(suspect))
    blank = pc.equal(pc.utf8_length(pc.utf8_trim_whitespace(candidates)), 0).to_numpy(zero_copy_only=False)
    if not blank.any():
        return lines, numbers
    keep = np.ones(len(starts), bool)
    keep[suspect[np.asarray(blank, bool)]] = False
    return lines.filter(pa.array(keep)), numbers[keep]


# --------------------------------------------------------------------------------------------
# JSON fields, extracted by DuckDB
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
        import numpy as np

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


# --------------------------------------------------------------------------------------------
# The raw SpeechMap layout
@dataclass
class RawLayout:
    root: Path
    questions: list[Path] = field(default_factory=list)
    responses: list[Path] = field(default_factory=list)
    analysis: list[tuple[str | None, Path]] = field(default_factory=list)  # (judge from folder, file)
    ignored: list[Path] = field(default_factory=list)


def analysis_folder_judge(folder_name: str) -> str | None:
    """`analysis.openai_gpt-4o-2024-11-20` -> `openai/gpt-4o-2024-11-20` (the first `_` was the `/`).

    Only a fallback for rows without `judge_model`; the main `analysis/` folder names no judge."""
    if not folder_name.startswith("analysis."):
        return None
    name = folder_name[len("analysis."):]
    return name.replace("_", "/", 1) if "_" in name else name


def discover_raw(root: Path) -> RawLayout:
    """Find the data files of a raw SpeechMap folder; everything else in its data folders is listed
    as ignored (e.g. notes.txt, LICENSE)."""
    layout = RawLayout(root)
    if not root.is_dir():
        raise FileNotFoundError(f"--raw {root}: not a folder")
    for child in sorted(root.iterdir()):
        if child.is_dir() and child.name in ("questions", "responses"):
            target = layout.questions if child.name == "questions" else layout.responses
            for f in sorted(child.iterdir()):
                (target if f.is_file() and f.suffix == ".jsonl" else layout.ignored).append(f)
        elif child.is_dir() and (child.name == "analysis" or child.name.startswith("analysis.")):
            judge = analysis_folder_judge(child.name)
            for f in sorted(child.iterdir()):
                if f.is_file() and f.suffix == ".jsonl" and f.name.startswith("compliance_"):
                    layout.analysis.append((judge, f))
                else:
                    layout.ignored.append(f)
        elif child.is_file():
            layout.ignored.append(child)
        elif child.is_dir():
            layout.ignored.append(child)
    if not (layout.questions or layout.responses or layout.analysis):
        raise FileNotFoundError(
            f"--raw {root}: no questions/, responses/ or analysis*/ folder with .jsonl files "
            "(expected the SpeechMap layout)")
    return layout


def is_pitti_layout(root: Path) -> bool:
    """The published PITTI datasets: questions / responses / assessments as parquet files."""
    return all(any(root.glob(f"{name}*.parquet")) or any((root / name).glob("*.parquet"))
               for name in ("questions", "responses", "assessments"))


def pitti_files(root: Path, name: str) -> list[Path]:
    return sorted(set(root.glob(f"{name}*.parquet")) | set((root / name).glob("**/*.parquet")))


# --------------------------------------------------------------------------------------------
# Generic tabular files (judgements, annotations)
def read_records(path: Path) -> Iterator[tuple[int, dict | None, Problem | None]]:
    """Rows of a JSONL, CSV or parquet file as (line number, record, problem).

    For parquet the "line" is the 1-based row number; for CSV it is the physical line where the
    record starts (header = line 1)."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        import pyarrow.parquet as pq
        for number, record in enumerate(pq.read_table(path).to_pylist(), start=1):
            yield number, record, None
        return
    if suffix == ".csv":
        lines = read_lines(path)
        for p in lines.problems:
            yield p.line, None, p
        text = "\n".join(lines.texts)
        reader = csv.DictReader(io.StringIO(text))
        for index, record in enumerate(reader):
            number = lines.numbers[min(reader.line_num - 1, len(lines.numbers) - 1)] if lines.numbers else index + 2
            if None in record:
                yield number, None, Problem(str(path), number, "more values than columns", snippet(str(record)))
            else:
                yield number, {k: (v if v != "" else None) for k, v in record.items()}, None
        return
    lines = read_lines(path)
    for p in lines.problems:
        yield p.line, None, p
    for number, text in zip(lines.numbers, lines.texts):
        try:
            record = json.loads(text)
        except json.JSONDecodeError as error:
            yield number, None, Problem(str(path), number, f"invalid JSON ({error.msg})", snippet(text))
            continue
        if not isinstance(record, dict):
            yield number, None, Problem(str(path), number, "not a JSON object", snippet(text))
            continue
        yield number, record, None
