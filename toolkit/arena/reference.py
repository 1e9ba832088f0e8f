"""The reference judge: a preference derived from reference scores, so tournaments run offline.

For texts with reference scores s1, s2 and temperature T, each pass reads P(position A):
    pass 1 (text 1 in A): P(A) = sigma((s1 - s2) / T + b + e1)
    pass 2 (text 1 in B): P(A) = sigma((s2 - s1) / T + b + e2)
with b a position bias (default 0) and e1, e2 ~ N(0, noise_sd^2) (default 0) drawn from a hash of
(seed, the two texts' indices, the pass), so the same pair always gets the same judgement. The
swap average is P(text 1 better) = (pass1 P(A) + pass2 P(B)) / 2, which with the defaults is exactly
sigma((s1 - s2) / T). A text without a score gives an invalid judgement.

It implements the pairwise judge's interface (`name`, `template_hash`, `seen_text(text)`,
`judge(pairs) -> list[Judgement]`), so the tournament runner treats it like the model judge; it has
no prompt template and reads whole texts, and its name holds its parameters.
"""
from __future__ import annotations

import math
import time
from typing import Iterable, Sequence

import numpy as np
from scipy.special import expit

from ..judge.types import VERDICT_INVALID, VERDICT_TEXT_1, VERDICT_TEXT_2, VERDICT_TIE, Judgement, Pair

_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)


def _splitmix64(x: np.ndarray) -> np.ndarray:
    """A 64-bit mixing function (SplitMix64's finaliser): equal inputs, equal outputs, else unrelated."""
    with np.errstate(over="ignore"):
        x = (x + np.uint64(0x9E3779B97F4A7C15)) & _MASK64
        x = ((x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)) & _MASK64
        x = ((x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)) & _MASK64
        return x ^ (x >> np.uint64(31))


def hashed_normal(seed: int, first: np.ndarray, second: np.ndarray, stream: int) -> np.ndarray:
    """Standard normal draws that depend only on (seed, first, second, stream): Box-Muller on two hashes."""
    with np.errstate(over="ignore"):
        key = _splitmix64(np.uint64(seed) ^ _splitmix64(np.asarray(first, np.uint64) * np.uint64(4_000_003)
                                                        + np.asarray(second, np.uint64) * np.uint64(7) + np.uint64(stream)))
        other = _splitmix64(key)
    u1 = ((key >> np.uint64(11)).astype(float) + 0.5) / 2.0**53
    u2 = (other >> np.uint64(11)).astype(float) / 2.0**53
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * math.pi * u2)


class ReferenceJudge:
    """P(text 1 better) = sigma((s1 - s2) / T) from reference scores, with optional bias and noise."""

    backend = "reference"
    template_hash = ""  # no prompt: the name carries every parameter that changes a judgement

    def __init__(self, instructions: Iterable[str], texts: Iterable[str], scores: Iterable[float],
                 temperature: float = 10.0, position_bias: float = 0.0, noise_sd: float = 0.0, seed: int = 0):
        if not temperature > 0:
            raise ValueError("the reference judge's temperature T must be positive")
        if noise_sd < 0:
            raise ValueError("the reference judge's noise_sd cannot be negative")
        self.temperature = float(temperature)
        self.position_bias = float(position_bias)
        self.noise_sd = float(noise_sd)
        self.seed = int(seed)
        totals: dict[tuple[str, str], list[float]] = {}
        for instruction, text, score in zip(instructions, texts, scores):
            totals.setdefault((instruction, text), []).append(np.nan if score is None else float(score))
        # A text given twice with different scores (e.g. two empty answers) gets their mean.
        self._index = {key: i for i, key in enumerate(totals)}
        self._scores = np.array([np.mean(v) for v in totals.values()], float)
        name = f"reference(T={self.temperature:g}"
        if self.position_bias:
            name += f",bias={self.position_bias:g}"
        if self.noise_sd:
            name += f",noise={self.noise_sd:g},seed={self.seed}"
        self.name = name + ")"
        self.model = self.name

    def seen_text(self, text: str) -> str:
        """The judge reads the whole text (no truncation)."""
        return text

    def pass_logits(self, pairs: Sequence[Pair]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(pass-1 logit of A, pass-2 logit of B, valid) for each pair; logits are nan when invalid."""
        first = np.array([self._index.get((p.instruction, p.text_1), -1) for p in pairs], np.int64)
        second = np.array([self._index.get((p.instruction, p.text_2), -1) for p in pairs], np.int64)
        known = (first >= 0) & (second >= 0)
        s1 = np.where(first >= 0, self._scores[np.maximum(first, 0)], np.nan)
        s2 = np.where(second >= 0, self._scores[np.maximum(second, 0)], np.nan)
        d = (s1 - s2) / self.temperature
        noise_1 = noise_2 = 0.0
        if self.noise_sd:
            lo, hi = np.maximum(first, 0), np.maximum(second, 0)
            noise_1 = self.noise_sd * hashed_normal(self.seed, lo, hi, 1)
            noise_2 = self.noise_sd * hashed_normal(self.seed, lo, hi, 2)
        # Pass 2 shows text 2 in A: P(A) = sigma(-d + b + e2), so P(B) = sigma(d - b - e2).
        return d + self.position_bias + noise_1, d - self.position_bias - noise_2, known & np.isfinite(d)

    def judge(self, pairs: Sequence[Pair]) -> list[Judgement]:
        started = time.perf_counter()
        logit_1a, logit_2b, valid = self.pass_logits(pairs)
        pass1_a = expit(logit_1a)
        pass2_b = expit(logit_2b)
        p_text1 = (pass1_a + pass2_b) / 2.0
        latency = time.perf_counter() - started
        results = []
        for i, pair in enumerate(pairs):
            if not valid[i]:
                results.append(Judgement(pair.pair_id, None, None, None, None, None, 1.0, 1.0, None, False,
                                         VERDICT_INVALID, False, False, self.name, self.backend, "", latency,
                                         error="no reference score for one of the texts"))
                continue
            p = float(p_text1[i])
            verdict = VERDICT_TEXT_1 if p > 0.5 else VERDICT_TEXT_2 if p < 0.5 else VERDICT_TIE
            a1, b2 = float(pass1_a[i]), float(pass2_b[i])
            results.append(Judgement(pair.pair_id, p, a1, 1.0 - a1, 1.0 - b2, b2, 1.0, 1.0,
                                     (a1 > 0.5) == (b2 > 0.5), True, verdict, False, False,
                                     self.name, self.backend, "", latency))
        return results


def reference_judge_for(outputs, temperature: float = 10.0, position_bias: float = 0.0,
                        noise_sd: float = 0.0, seed: int = 0) -> ReferenceJudge:
    """A reference judge over an outputs table (columns prompt_text, text, score)."""
    return ReferenceJudge(outputs["prompt_text"].tolist(), outputs["text"].tolist(), outputs["score"].tolist(),
                          temperature=temperature, position_bias=position_bias, noise_sd=noise_sd, seed=seed)
