"""`python -m toolkit judge`: judge a file of pairs, resumably, and write one judgement per pair.

    python -m toolkit judge --pairs pairs.jsonl --out judged.parquet [--model M]
        [--backend transformers|vllm|http] [--batch-size 8] [--max-chars N | --max-tokens N]

The pairs file (jsonl, csv or parquet) has columns instruction, text_1, text_2 and optionally id.
Finished batches go to a cache (default OUT.cache.jsonl) as they finish: re-running the command
skips the pairs already judged by the same model and template. A summary goes to stderr at the end.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd

from .prompt import JudgeError
from .types import JUDGEMENT_FIELDS, Judgement, Pair

REQUIRED = ("instruction", "text_1", "text_2")
FORMATS = (".jsonl", ".json", ".csv", ".parquet")


def read_records(path: Path) -> tuple[list[dict], list[int], str]:
    """(records, their line or row numbers, "line" or "row"): JSONL and CSV read line by line, so a bad
    line is reported by its number; JSON and parquet through json / pandas."""
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        return read_jsonl(path) + ("line",)
    if suffix == ".csv":
        return read_csv(path) + ("line",)
    if suffix == ".json":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise JudgeError(f"{path} line {error.lineno}: not valid JSON ({error.msg})") from None
        frame = pd.DataFrame(data) if not isinstance(data, list) else None
    elif suffix == ".parquet":
        frame = pd.read_parquet(path)
    else:
        raise JudgeError(f"unknown pairs format {suffix!r}: use {', '.join(FORMATS)}")
    records = frame.to_dict(orient="records") if frame is not None else data
    bad = [i + 1 for i, r in enumerate(records) if not isinstance(r, dict)]
    if bad:
        raise JudgeError(f"{path}: item {bad[0]} is not an object with instruction, text_1, text_2")
    return records, list(range(1, len(records) + 1)), "row"


def read_jsonl(path: Path) -> tuple[list[dict], list[int]]:
    records, lines = [], []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise JudgeError(f"{path} line {number}: not valid JSON ({error.msg})") from None
            if not isinstance(record, dict):
                raise JudgeError(f"{path} line {number}: expected a JSON object with instruction, text_1, "
                                 f"text_2, found {type(record).__name__}")
            records.append(record)
            lines.append(number)
    return records, lines


def read_csv(path: Path) -> tuple[list[dict], list[int]]:
    """Every field as text (an empty field is ""); a line with more or fewer fields than the header is an error."""
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 30))  # long responses are ordinary
    records, lines = [], []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        try:
            header = next(reader, [])
            for row in reader:
                if not row:
                    continue
                if len(row) != len(header):
                    raise JudgeError(f"{path} line {reader.line_num}: {len(row)} fields, the header has "
                                     f"{len(header)}")
                records.append(dict(zip(header, row)))
                lines.append(reader.line_num)
        except csv.Error as error:
            raise JudgeError(f"{path} line {reader.line_num}: {error}") from None
    return records, lines


def read_pairs(path: Path) -> list[Pair]:
    """Read and check the pairs file; JudgeError with a message (and a line number) for any problem."""
    if not path.exists():
        raise JudgeError(f"no pairs file at {path}")
    try:
        records, numbers, unit = read_records(path)
    except JudgeError:
        raise
    except Exception as error:
        raise JudgeError(f"could not read {path}: {type(error).__name__}: {error}") from error
    columns = dict.fromkeys(key for record in records for key in record)
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise JudgeError(f"{path} lacks the column(s) {', '.join(missing)} (needs instruction, text_1, text_2[, id])")
    for column in REQUIRED:
        bad = [n for n, record in zip(numbers, records) if not isinstance(record.get(column), str)]
        if bad:
            where = ", ".join(str(n) for n in bad[:5])
            raise JudgeError(f"{path}: {column} is missing or not text in {unit}(s) {where}")
    ids = [str(r.get("id", i)) for i, r in enumerate(records)]  # the row number where there is no id
    return [Pair(r["instruction"], r["text_1"], r["text_2"], pair_id) for r, pair_id in zip(records, ids)]


def write_judgements(judgements: list[Judgement], path: Path) -> None:
    frame = pd.DataFrame([j.to_dict() for j in judgements], columns=JUDGEMENT_FIELDS)
    frame = frame.rename(columns={"pair_id": "id"})
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        frame.to_parquet(path, index=False)
    elif suffix == ".csv":
        frame.to_csv(path, index=False)
    else:
        with path.open("w", encoding="utf-8") as out:
            for row in frame.to_dict(orient="records"):
                out.write(json.dumps(row, ensure_ascii=False) + "\n")


def summary(judgements: list[Judgement], judged_now: int, seconds: float) -> dict[str, float | int | None]:
    """pairs, invalid, consistency = mean of `consistent` over valid pairs, throughput = judged_now / s."""
    valid = [j for j in judgements if j.valid]
    return {
        "pairs": len(judgements),
        "judged_now": judged_now,
        "from_cache": len(judgements) - judged_now,
        "invalid": len(judgements) - len(valid),
        "errors": sum(j.error is not None for j in judgements),
        "mean_consistency": (sum(bool(j.consistent) for j in valid) / len(valid)) if valid else None,
        "mean_p_text1_better": (sum(j.p_text1_better for j in valid) / len(valid)) if valid else None,
        "low_mass": sum(j.low_mass for j in judgements),
        "truncated": sum(j.truncated_1 or j.truncated_2 for j in judgements),
        "seconds": round(seconds, 3),
        "pairs_per_s": (judged_now / seconds) if judged_now and seconds > 0 else None,
    }


def format_summary(stats: dict) -> str:
    def number(value, pattern):
        return "n/a" if value is None else pattern.format(value)
    return (f"pairs: {stats['pairs']} (judged now: {stats['judged_now']}, from cache: {stats['from_cache']})\n"
            f"invalid: {stats['invalid']} (backend errors: {stats['errors']})\n"
            f"position-consistent: {number(stats['mean_consistency'], '{:.1%}')} of valid pairs\n"
            f"mean P(text 1 better): {number(stats['mean_p_text1_better'], '{:.3f}')}\n"
            f"low A/B mass: {stats['low_mass']}, truncated: {stats['truncated']}\n"
            f"throughput: {number(stats['pairs_per_s'], '{:.2f} pairs/s')} over {stats['seconds']:.1f} s")
