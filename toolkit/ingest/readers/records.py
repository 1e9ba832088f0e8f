"""Generic tabular files (judgements, annotations, metadata): JSONL, CSV or parquet, row by row."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Iterator

import pyarrow.parquet as pq

from toolkit.ingest.lines import Problem, read_lines, snippet


def read_records(path: Path) -> Iterator[tuple[int, dict | None, Problem | None]]:
    """Rows of a JSONL, CSV or parquet file as (line number, record, problem).

    For parquet the "line" is the 1-based row number; for CSV it is the physical line where the
    record starts (header = line 1)."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
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
