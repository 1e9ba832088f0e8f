"""Generic tabular files (judgements, annotations, metadata): JSONL, CSV or parquet, row by row."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Iterator

import pyarrow as pa
import pyarrow.parquet as pq

from toolkit.ingest.lines import MAX_LINE_BYTES, Problem, read_lines, snippet

MAX_FIELD_CHARS = MAX_LINE_BYTES  # a CSV field may be as long as a line may be


def read_records(path: Path) -> Iterator[tuple[int | None, dict | None, Problem | None]]:
    """Rows of a JSONL, CSV or parquet file as (line number, record, problem).

    For parquet the "line" is the 1-based row number; for CSV it is the physical line where the
    record starts (header = line 1). A file that cannot be parsed at all is one problem (line None)."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        yield from parquet_records(path)
    elif suffix == ".csv":
        yield from csv_records(path)
    else:
        yield from jsonl_records(path)


def parquet_records(path: Path) -> Iterator[tuple[int | None, dict | None, Problem | None]]:
    try:
        rows = pq.read_table(path).to_pylist()
    except (pa.ArrowException, OSError) as error:
        yield None, None, Problem(str(path), None, f"unreadable parquet file ({type(error).__name__})",
                                  snippet(str(error)))
        return
    for number, record in enumerate(rows, start=1):
        yield number, record, None


def csv_records(path: Path) -> Iterator[tuple[int | None, dict | None, Problem | None]]:
    lines = read_lines(path)
    for p in lines.problems:
        yield p.line, None, p
    csv.field_size_limit(max(csv.field_size_limit(), MAX_FIELD_CHARS))  # the default stops at 131,072
    reader = csv.DictReader(io.StringIO("\n".join(lines.texts)))
    index = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:  # the parser cannot resynchronise: the rest of the file is one problem
            number = lines.numbers[min(reader.line_num - 1, len(lines.numbers) - 1)] if lines.numbers else None
            yield number, None, Problem(str(path), number, f"invalid CSV ({error}); the rest of the file was not read")
            return
        number = lines.numbers[min(reader.line_num - 1, len(lines.numbers) - 1)] if lines.numbers else index + 2
        index += 1
        if None in record:
            yield number, None, Problem(str(path), number, "more values than columns", snippet(str(record)))
        else:
            yield number, {k: (v if v != "" else None) for k, v in record.items()}, None


def jsonl_records(path: Path) -> Iterator[tuple[int | None, dict | None, Problem | None]]:
    lines = read_lines(path)
    for p in lines.problems:
        yield p.line, None, p
    for number, text in zip(lines.numbers, lines.texts):
        try:
            record = json.loads(text)
        except json.JSONDecodeError as error:
            yield number, None, Problem(str(path), number, f"invalid JSON ({error.msg})", snippet(text))
            continue
        except RecursionError:
            yield number, None, Problem(str(path), number, "invalid JSON (nested too deeply)", snippet(text))
            continue
        if not isinstance(record, dict):
            yield number, None, Problem(str(path), number, "not a JSON object", snippet(text))
            continue
        yield number, record, None
