"""`python -m toolkit judge`: judge a file of pairs, resumably, and write one judgement per pair.

    python -m toolkit judge --pairs pairs.jsonl --out judged.parquet [--model M]
        [--backend transformers|vllm|http] [--batch-size 8] [--max-chars N | --max-tokens N]

The pairs file (jsonl, csv or parquet) has columns instruction, text_1, text_2 and optionally id.
Finished batches go to a cache (default OUT.cache.jsonl) as they finish: re-running the command
skips the pairs already judged by the same model and template. A summary goes to stderr at the end.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import pandas as pd

from .cache import JudgementCache
from .engine import BACKENDS, default_model, load_judge
from .prompt import JudgeError
from .types import JUDGEMENT_FIELDS, Judgement, Pair

REQUIRED = ("instruction", "text_1", "text_2")
FORMATS = (".jsonl", ".json", ".csv", ".parquet")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--pairs", required=True, help="jsonl, csv or parquet with instruction, text_1, text_2[, id]")
    parser.add_argument("--out", required=True, help="where to write the judgements (.jsonl, .csv or .parquet)")
    parser.add_argument("--model", default=None, help=f"Hub id or local folder (default: env JUDGE_MODEL, else {default_model()})")
    parser.add_argument("--backend", choices=BACKENDS, default="transformers")
    parser.add_argument("--batch-size", type=int, default=8, help="pairs per backend call (each pair is 2 prompts)")
    parser.add_argument("--max-chars", type=int, default=None, help="truncate each response to N characters")
    parser.add_argument("--max-tokens", type=int, default=None, help="truncate each response to N tokens")
    parser.add_argument("--cache", default=None, help="resumable cache file (default: OUT.cache.jsonl)")
    parser.add_argument("--no-cache", action="store_true", help="judge everything again, keep no cache")
    local = parser.add_argument_group("transformers backend")
    local.add_argument("--device", default=None, help="cpu, cuda, cuda:1 ... (default: cuda if available)")
    local.add_argument("--dtype", default=None, help="float32 | bfloat16 | float16 (default: bf16 on GPU, fp32 on CPU)")
    remote = parser.add_argument_group("http / vllm backends")
    remote.add_argument("--base-url", default=None, help="http: server address, e.g. http://host:8000 (or env JUDGE_BASE_URL)")
    remote.add_argument("--served-model", default=None, help="http: model name on the server (default: --model)")
    remote.add_argument("--timeout", type=float, default=60.0, help="http: seconds per request")
    remote.add_argument("--retries", type=int, default=2, help="http: retries after a timeout or a 5xx")
    remote.add_argument("--top-logprobs", type=int, default=20, help="http/vllm: k of the top-k logprobs")


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


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    try:
        pairs = read_pairs(Path(args.pairs))
        out = Path(args.out)
        if out.suffix.lower() not in FORMATS:
            raise JudgeError(f"unknown output format {out.suffix!r}: use .jsonl, .csv or .parquet")
        if args.backend == "http":
            options = dict(base_url=args.base_url, served_model=args.served_model, timeout_s=args.timeout,
                           retries=args.retries, top_logprobs=args.top_logprobs)
        elif args.backend == "vllm":
            options = dict(top_logprobs=args.top_logprobs)
        else:
            options = dict(device=args.device, dtype=args.dtype)
        print(f"loading judge {args.model or default_model()} ({args.backend}) ...", file=sys.stderr)
        judge = load_judge(args.model, args.backend, max_chars=args.max_chars, max_tokens=args.max_tokens,
                           batch_size=args.batch_size, **options)
    except JudgeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    cache = None if args.no_cache else JudgementCache(args.cache or f"{out}.cache.jsonl")
    bar = tqdm(total=len(pairs), unit="pair", file=sys.stderr, desc="judging")
    cached = [0]

    def on_batch(done: int, from_cache: int) -> None:
        cached[0] = from_cache
        bar.update(done - bar.n)

    start = time.perf_counter()
    judgements = judge.judge(pairs, cache=cache, on_batch=on_batch)
    seconds = time.perf_counter() - start
    bar.close()
    write_judgements(judgements, out)
    print(format_summary(summary(judgements, len(pairs) - cached[0], seconds)), file=sys.stderr)
    print(f"wrote {len(judgements)} judgements to {out}", file=sys.stderr)
    return 0
