"""The pairwise judge: which of two responses to an instruction is better, with swap-averaged logprobs.

    from toolkit.judge import Pair, load_judge
    judge = load_judge()                      # env JUDGE_MODEL or the card's model; transformers backend
    [j] = judge.judge([Pair("Write a haiku", "text one", "text two")])
    j.p_text1_better, j.consistent

Backends: transformers (CPU/GPU), vllm (optional extra, GPU), http (OpenAI-compatible completions).
"""
from .engine import DEFAULT_MODEL, Judge, combine, default_model, load_judge, renormalise
from .prompt import SYSTEM_PROMPT, JudgeError
from .types import JUDGEMENT_FIELDS, LOW_MASS, Judgement, Pair

__all__ = ["DEFAULT_MODEL", "JUDGEMENT_FIELDS", "LOW_MASS", "SYSTEM_PROMPT", "Judge", "JudgeError",
           "Judgement", "Pair", "combine", "default_model", "load_judge", "renormalise"]
