"""The vLLM backend (extra `gpu`): both orders of every pair in one `LLM.generate` call.

Written against vLLM's documented offline API and never run on the machines this project was built
on (vLLM needs CUDA and cannot be installed there). `SamplingParams(max_tokens=1, temperature=0,
logprobs=k)` returns, for the one generated position, a dict token id -> Logprob for the top k
tokens (plus the sampled one); `A` or `B` outside it is missing (None), and a pass with both missing
makes the judgement invalid. Prompts are passed as token ids from the same tokenizer and template as
the transformers backend, so both backends see identical inputs.
"""
from __future__ import annotations

from typing import Any

from ..prompt import JudgeError, verdict_token_ids
from . import load_error, pick, resolve_model


class VllmBackend:
    name = "vllm"

    def __init__(self, model: str, *, top_logprobs: int = 20, dtype: str = "auto",
                 gpu_memory_utilization: float = 0.9, max_model_len: int | None = None,
                 **llm_options: Any) -> None:
        try:
            from vllm import LLM, SamplingParams
        except ImportError as error:
            raise JudgeError(
                "the vllm backend needs vLLM, which is not installed: on a CUDA machine run "
                "`pip install '.[gpu]'`, or use --backend transformers (or http against `vllm serve`)"
            ) from error
        self.model, self.device = model, "cuda (vLLM)"
        try:
            source, _ = resolve_model(model)
            options = dict(llm_options, max_logprobs=max(top_logprobs, 20))
            if max_model_len:
                options["max_model_len"] = max_model_len
            self._llm = LLM(model=source, dtype=dtype, gpu_memory_utilization=gpu_memory_utilization, **options)
        except Exception as error:
            raise load_error(model, error) from error
        self.tokenizer = self._llm.get_tokenizer()
        self.id_a, self.id_b = verdict_token_ids(self.tokenizer)
        self._params = SamplingParams(max_tokens=1, temperature=0.0, logprobs=top_logprobs)

    def logprobs(self, prompts: list[str]) -> list[tuple[float | None, float | None]]:
        if not prompts:
            return []
        requests = [{"prompt_token_ids": self.tokenizer.encode(p, add_special_tokens=False)} for p in prompts]
        try:
            outputs = self._llm.generate(requests, self._params, use_tqdm=False)
        except Exception as error:
            raise JudgeError(f"vLLM generation failed: {type(error).__name__}: {error}") from error
        results = []
        for output in outputs:  # generate returns outputs in the order of the inputs
            first = output.outputs[0].logprobs[0]  # dict[token id, Logprob]
            results.append(pick({token: lp.logprob for token, lp in first.items()}, self.id_a, self.id_b))
        return results
