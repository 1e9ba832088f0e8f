"""The transformers backend: one forward pass per batch, logits at the last position.

Prompts are left-padded with an attention mask, and position ids count only real tokens
(position = cumsum(mask) - 1), so a padded prompt sees exactly the positions it would see alone and
batched results equal single results (up to float rounding). Only the last position's logits are
computed (`logits_to_keep=1`); log_softmax over the whole vocabulary in float32 gives the two
logprobs and, from them, the A/B mass. float32 on CPU, bfloat16 on GPU, unless `dtype` says otherwise.
"""
from __future__ import annotations

import inspect
from typing import Any

from ..prompt import JudgeError, verdict_token_ids
from . import load_error, load_tokenizer, resolve_model

DTYPES = {"float32": "float32", "fp32": "float32", "bfloat16": "bfloat16", "bf16": "bfloat16",
          "float16": "float16", "fp16": "float16"}


def default_device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def default_dtype(device: str) -> str:
    """bfloat16 on a GPU, float32 elsewhere (bf16 matmuls on CPU are slow and less exact)."""
    return "bfloat16" if device.startswith("cuda") else "float32"


def next_token_logprobs(net: Any, input_ids: Any, attention_mask: Any, *, pass_positions: bool = True,
                        keep_last: bool = True) -> Any:
    """log_softmax of the next-token logits at the last position: a (batch, vocab) float32 tensor.

    With left padding the last position is every row's last real token; position ids count real
    tokens only (cumsum(mask) - 1), so padding does not shift a prompt's positions.
    """
    import torch

    kwargs: dict[str, Any] = {"input_ids": input_ids, "attention_mask": attention_mask, "use_cache": False}
    if pass_positions:
        kwargs["position_ids"] = (attention_mask.long().cumsum(-1) - 1).clamp(min=0)
    if keep_last:
        kwargs["logits_to_keep"] = 1
    with torch.inference_mode():
        logits = net(**kwargs).logits[:, -1, :]
        return torch.log_softmax(logits.float(), dim=-1)


class TransformersBackend:
    name = "transformers"

    def __init__(self, model: str, *, device: str | None = None, dtype: str | None = None,
                 attn_implementation: str | None = None) -> None:
        import torch
        from transformers import AutoModelForCausalLM

        self.model = model
        self.device = device or default_device()
        dtype_name = DTYPES.get((dtype or default_dtype(self.device)).lower())
        if dtype_name is None:
            raise JudgeError(f"unknown dtype {dtype!r}: use float32, bfloat16 or float16")
        self.dtype = dtype_name
        try:
            source, local = resolve_model(model)
            self.tokenizer = load_tokenizer(source, local_files_only=local)
            self.id_a, self.id_b = verdict_token_ids(self.tokenizer)
            extra = {"attn_implementation": attn_implementation} if attn_implementation else {}
            self.net = AutoModelForCausalLM.from_pretrained(
                source, dtype=getattr(torch, dtype_name), local_files_only=local, **extra
            ).to(self.device).eval()
        except Exception as error:
            raise load_error(model, error) from error
        accepted = inspect.signature(self.net.forward).parameters
        self._pass_positions = "position_ids" in accepted
        self._keep_last = "logits_to_keep" in accepted

    def encode(self, prompts: list[str]) -> dict[str, Any]:
        """Left-padded token ids and attention mask (the template already holds special tokens)."""
        return self.tokenizer(prompts, return_tensors="pt", padding=True, add_special_tokens=False)

    def logprobs_of_ids(self, input_ids: Any, attention_mask: Any) -> Any:
        return next_token_logprobs(self.net, input_ids.to(self.device), attention_mask.to(self.device),
                                   pass_positions=self._pass_positions, keep_last=self._keep_last)

    def logprobs(self, prompts: list[str]) -> list[tuple[float | None, float | None]]:
        if not prompts:
            return []
        batch = self.encode(prompts)
        try:
            logprobs = self.logprobs_of_ids(batch["input_ids"], batch["attention_mask"])
        except Exception as error:  # e.g. CUDA out of memory on a long batch
            raise JudgeError(f"the forward pass failed: {type(error).__name__}: {error}") from error
        pairs = logprobs[:, [self.id_a, self.id_b]].cpu().tolist()
        return [(lp_a, lp_b) for lp_a, lp_b in pairs]
