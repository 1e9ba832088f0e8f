"""Swap-averaged pairwise judging on top of any backend.

For each pair, pass 1 renders (instruction, A = text 1, B = text 2) and pass 2 the swap; both
orders of every pair in a batch go to the backend in one call. Per pass the logprobs lp_A, lp_B
give P(A) = e^lpA / (e^lpA + e^lpB), P(B) = 1 - P(A) and the mass e^lpA + e^lpB; then
P(text 1 better) = (pass1 P(A) + pass2 P(B)) / 2. A token the backend did not return counts as
-inf; a pass with both missing makes the judgement invalid (probabilities None, verdict "invalid").
"""
from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass, replace
from typing import Any, Callable, Iterable

from .backends import make_backend
from .cache import JudgementCache, cache_key
from .prompt import JudgeError, render, template_hash, truncate, verdict_token_ids
from .types import (VERDICT_INVALID, VERDICT_TEXT_1, VERDICT_TEXT_2, VERDICT_TIE, Judgement, Pair)

DEFAULT_MODEL = "selfhypnosis-ai/Qwen3.5-4B-Creative-Writing-Judge"
BACKENDS = ("transformers", "vllm", "http")


def default_model() -> str:
    """The judge model: env JUDGE_MODEL (a Hub id or a local folder), else the card's model."""
    return os.environ.get("JUDGE_MODEL", "").strip() or DEFAULT_MODEL


def renormalise(lp_a: float | None, lp_b: float | None) -> tuple[float | None, float | None, float]:
    """(P(A), P(B), mass) of one pass; P(A) + P(B) == 1 exactly, None when both are missing.

    P(larger) = 1 / (1 + e^(lp_small - lp_large)) and P(smaller) = 1 - P(larger): the larger
    probability is >= 0.5, so the subtraction is exact and the two sum to exactly 1.
    mass = e^lpA + e^lpB, a missing token counting as e^-inf = 0.
    """
    if lp_a is None and lp_b is None:
        return None, None, 0.0
    a = -math.inf if lp_a is None else lp_a
    b = -math.inf if lp_b is None else lp_b
    mass = math.exp(a) + math.exp(b)
    if a >= b:
        p_a = 1.0 / (1.0 + math.exp(b - a))
        return p_a, 1.0 - p_a, mass
    p_b = 1.0 / (1.0 + math.exp(a - b))
    return 1.0 - p_b, p_b, mass


def combine(pass1: tuple[float | None, float | None], pass2: tuple[float | None, float | None]) -> dict[str, Any]:
    """The judgement's numbers from the (lp_A, lp_B) of pass 1 (text 1 = A) and pass 2 (text 1 = B).

    p_text1_better = (pass1 P(A) + pass2 P(B)) / 2; consistent = both passes strictly prefer the
    same text (pass 1 P(A) and pass 2 P(B) on the same side of 0.5); verdict by p vs 0.5.
    """
    p1a, p1b, m1 = renormalise(*pass1)
    p2a, p2b, m2 = renormalise(*pass2)
    row: dict[str, Any] = dict(pass1_p_a=p1a, pass1_p_b=p1b, pass2_p_a=p2a, pass2_p_b=p2b,
                               pass1_mass=m1, pass2_mass=m2)
    if p1a is None or p2b is None:
        return {**row, "p_text1_better": None, "consistent": None, "valid": False, "verdict": VERDICT_INVALID}
    p = (p1a + p2b) / 2.0
    side_1, side_2 = _side(p1a), _side(p2b)
    verdict = VERDICT_TEXT_1 if p > 0.5 else VERDICT_TEXT_2 if p < 0.5 else VERDICT_TIE
    return {**row, "p_text1_better": p, "consistent": side_1 == side_2 != 0, "valid": True, "verdict": verdict}


def _side(p_text1: float) -> int:
    """+1 when a pass prefers text 1, -1 when it prefers text 2, 0 when it is exactly undecided."""
    return (p_text1 > 0.5) - (p_text1 < 0.5)


@dataclass(frozen=True)
class Prepared:
    """A pair as the model sees it: truncated texts and the two rendered prompts."""

    pair: Pair
    text_1: str
    text_2: str
    truncated_1: bool
    truncated_2: bool
    prompt_1: str  # text 1 as A
    prompt_2: str  # text 1 as B
    key: str


class Judge:
    """A loaded judge: `judge(pairs) -> list[Judgement]`, in the order of the pairs."""

    def __init__(self, backend: Any, *, max_chars: int | None = None, max_tokens: int | None = None,
                 batch_size: int = 8) -> None:
        if batch_size < 1:
            raise JudgeError("the batch size must be at least 1")
        for name, limit in (("max_chars", max_chars), ("max_tokens", max_tokens)):
            if limit is not None and limit < 1:
                raise JudgeError(f"{name} must be at least 1 (or unset for no limit)")
        self.backend = backend
        self.name: str = backend.model
        self.tokenizer = backend.tokenizer
        verdict_token_ids(self.tokenizer)
        self.template_hash = template_hash(self.tokenizer)
        self.max_chars, self.max_tokens, self.batch_size = max_chars, max_tokens, batch_size

    @property
    def backend_name(self) -> str:
        return self.backend.name

    @property
    def device(self) -> str:
        return str(self.backend.device)

    def seen_text(self, text: str) -> str:
        """A response as the model sees it: cut to max_chars and/or max_tokens."""
        return truncate(text, max_chars=self.max_chars, max_tokens=self.max_tokens, tokenizer=self.tokenizer)[0]

    def prepare(self, pair: Pair) -> Prepared:
        if not isinstance(pair, Pair):
            raise JudgeError(f"expected a Pair, got {type(pair).__name__}")
        limits = dict(max_chars=self.max_chars, max_tokens=self.max_tokens, tokenizer=self.tokenizer)
        text_1, truncated_1 = truncate(pair.text_1, **limits)
        text_2, truncated_2 = truncate(pair.text_2, **limits)
        return Prepared(
            pair, text_1, text_2, truncated_1, truncated_2,
            render(self.tokenizer, pair.instruction, text_1, text_2),
            render(self.tokenizer, pair.instruction, text_2, text_1),
            cache_key(self.name, self.template_hash, pair.instruction, text_1, text_2),
        )

    def _judgement(self, item: Prepared, numbers: dict[str, Any], latency_s: float,
                   error: str | None = None) -> Judgement:
        return Judgement(pair_id=item.pair.pair_id, **numbers, truncated_1=item.truncated_1,
                         truncated_2=item.truncated_2, model=self.name, backend=self.backend_name,
                         template_hash=self.template_hash, latency_s=latency_s, device=self.device, error=error)

    def judge_batch(self, items: list[Prepared]) -> list[Judgement]:
        """One backend call with both orders of every pair; a failed call gives invalid judgements."""
        prompts = [item.prompt_1 for item in items] + [item.prompt_2 for item in items]
        start = time.perf_counter()
        try:
            logprobs = self.backend.logprobs(prompts)
            error = None
        except JudgeError as failure:
            logprobs, error = [(None, None)] * len(prompts), str(failure)
        latency = time.perf_counter() - start
        n = len(items)
        return [self._judgement(item, combine(logprobs[i], logprobs[n + i]), latency, error)
                for i, item in enumerate(items)]

    def judge(self, pairs: Iterable[Pair], *, batch_size: int | None = None,
              cache: JudgementCache | None = None,
              on_batch: Callable[[int, int], None] | None = None) -> list[Judgement]:
        """Judge pairs in batches of `batch_size` pairs (2 x batch_size prompts per forward pass).

        Pairs found in `cache` are not judged again. Pairs are batched longest first so that a
        batch holds prompts of similar length (less padding); results come back in input order.
        `on_batch(done, from_cache)` is called after each batch with the pairs finished so far.
        """
        prepared = [self.prepare(pair) for pair in pairs]
        results: list[Judgement | None] = [None] * len(prepared)
        todo = []
        for index, item in enumerate(prepared):
            hit = cache.get(item.key) if cache is not None else None
            if hit is not None:
                results[index] = replace(hit, pair_id=item.pair.pair_id)
            else:
                todo.append(index)
        from_cache = len(prepared) - len(todo)
        todo.sort(key=lambda i: -max(len(prepared[i].prompt_1), len(prepared[i].prompt_2)))
        size = batch_size or self.batch_size
        if on_batch:
            on_batch(from_cache, from_cache)
        for start in range(0, len(todo), size):
            chunk = todo[start:start + size]
            judged = self.judge_batch([prepared[i] for i in chunk])
            for index, judgement in zip(chunk, judged):
                results[index] = judgement
            if cache is not None:
                cache.put_many([(prepared[i].key, j) for i, j in zip(chunk, judged)])
            if on_batch:
                on_batch(from_cache + start + len(chunk), from_cache)
        return results  # type: ignore[return-value]


def load_judge(model: str | None = None, backend: str = "transformers", *, max_chars: int | None = None,
               max_tokens: int | None = None, batch_size: int = 8, **backend_options: Any) -> Judge:
    """Load a judge: `model` is a Hub id or a local folder (default: env JUDGE_MODEL, then the card's).

    `backend` is "transformers" (options: device, dtype, attn_implementation), "vllm" (top_logprobs,
    dtype, gpu_memory_utilization, max_model_len) or "http" (base_url, served_model, api_key,
    timeout_s, retries, top_logprobs, tokenizer). Raises JudgeError with a message for the user.
    """
    model = (model or "").strip() or default_model()
    if backend not in BACKENDS:
        raise JudgeError(f"unknown judge backend {backend!r}: use one of {', '.join(BACKENDS)}")
    options = {k: v for k, v in backend_options.items() if v is not None}
    return Judge(make_backend(backend, model, **options), max_chars=max_chars, max_tokens=max_tokens,
                 batch_size=batch_size)
