"""`python -m toolkit judge`: judge a file of pairs, resumably, and write one judgement per pair.

    python -m toolkit judge --pairs pairs.jsonl --out judged.parquet [--model M]
        [--backend transformers|vllm|http] [--batch-size 8] [--max-chars N | --max-tokens N]

The pairs file (jsonl, csv or parquet) has columns instruction, text_1, text_2 and optionally id.
Finished batches go to a cache (default OUT.cache.jsonl) as they finish: re-running the command
skips the pairs already judged by the same model and template. A summary goes to stderr at the end.
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from .prompt import JudgeError
from .types import JUDGEMENT_FIELDS, Judgement, Pair

REQUIRED = ("instruction", "text_1", "text_2")
FORMATS = (".jsonl", ".json", ".csv", ".parquet")


def read_pairs(path: Path) -> list[Pair]:
    """Read and check the pairs file; JudgeError with a message for any problem."""
    if not path.exists():
        raise JudgeError(f"no pairs file at {path}")
    suffix = path.suffix.lower()
    try:
        if suffix in (".jsonl", ".json"):
            frame = pd.read_json(path, lines=suffix == ".jsonl", dtype=False)
        elif suffix == ".csv":
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        elif suffix == ".parquet":
            frame = pd.read_parquet(path)
        else:
            raise JudgeError(f"unknown pairs format {suffix!r}: use {', '.join(FORMATS)}")
    except JudgeError:
        raise
    except Exception as error:
        raise JudgeError(f"could not read {path}: {type(error).__name__}: {error}") from error
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise JudgeError(f"{path} lacks the column(s) {', '.join(missing)} (needs instruction, text_1, text_2[, id])")
    for column in REQUIRED:
        bad = frame.index[frame[column].isna() | ~frame[column].map(lambda v: isinstance(v, str))]
        if len(bad):
            rows = ", ".join(str(i + 1) for i in bad[:5])
            raise JudgeError(f"{path}: {column} is missing or not text in row(s) {rows}")
    ids = frame["id"].astype(str).tolist() if "id" in frame.columns else [str(i) for i in range(len(frame))]
    return [Pair(i, a, b, pair_id) for i, a, b, pair_id in
            zip(frame["instruction"], frame["text_1"], frame["text_2"], ids)]


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
