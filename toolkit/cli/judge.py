"""`python -m toolkit` command line for toolkit.judge.batch: arguments and the run function."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from toolkit.judge.batch import (
    FORMATS,
    format_summary,
    read_pairs,
    summary,
    write_judgements,
)
from toolkit.judge.cache import JudgementCache
from toolkit.judge.engine import BACKENDS, default_model, load_judge
from toolkit.judge.prompt import JudgeError


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
