"""Backends behind one interface: given rendered prompts, the logprobs of the tokens `A` and `B`.

A backend has `name`, `model`, `device`, `tokenizer` (the model's own, used to render prompts) and
`logprobs(prompts) -> list[(lp_a, lp_b)]`, the natural-log probabilities of `A` and `B` as the next
token after each prompt; None when the backend did not return that token (outside its top k).
A failed call raises `JudgeError`. Backends are imported only when asked for (vLLM is optional).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Protocol

from toolkit.storage.hub_api import hub_offline, hub_reachable

from ..prompt import JudgeError

HOW_TO_POINT = (
    "To use a copy on this machine, set JUDGE_MODEL to a local folder holding the model "
    "(config.json, the tokenizer files and the *.safetensors weights), for example "
    "`JUDGE_MODEL=/models/Qwen3.5-4B-Creative-Writing-Judge`; get one where there is network with "
    "`hf download <model id> --local-dir /models/<name>`."
)


class Backend(Protocol):
    name: str
    model: str
    device: str
    tokenizer: Any

    def logprobs(self, prompts: list[str]) -> list[tuple[float | None, float | None]]: ...


def pick(top: Mapping[Any, float], key_a: Any, key_b: Any) -> tuple[float | None, float | None]:
    """Read the logprobs of A and B from a top-k mapping; a key that is absent gives None."""
    lp_a, lp_b = top.get(key_a), top.get(key_b)
    return (None if lp_a is None else float(lp_a)), (None if lp_b is None else float(lp_b))


def resolve_model(model: str) -> tuple[str, bool]:
    """Where to load `model` from: (folder or Hub id, local_files_only).

    A local folder is used as is. A Hub id is loaded from the local cache when its config is there;
    otherwise it needs the Hub, and when the Hub is off or unreachable this fails at once with a
    message saying how to point JUDGE_MODEL at a local folder (instead of minutes of retries).
    """
    path = Path(model).expanduser()
    if path.is_dir():
        return str(path), True
    if model.startswith(("/", ".", "~")) or path.exists() or model.count("/") > 1:
        raise JudgeError(f"the judge model folder {model!r} does not exist. {HOW_TO_POINT}")
    from huggingface_hub import try_to_load_from_cache

    if isinstance(try_to_load_from_cache(model, "config.json"), str):
        return model, True
    if hub_offline() or not hub_reachable():
        raise JudgeError(
            f"the judge model {model!r} is not in the local Hugging Face cache and the Hub cannot be "
            f"reached (offline). {HOW_TO_POINT}"
        )
    return model, False


def load_error(model: str, error: BaseException) -> JudgeError:
    """Turn a loading failure into a message that says why and what to do."""
    if isinstance(error, JudgeError):
        return error
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    if isinstance(error, MemoryError) or "out of memory" in str(error).lower():
        why = ("there is not enough memory for it (out of memory); free memory, use a GPU with more "
               "memory, or serve it elsewhere and use the http backend")
    elif isinstance(error, OSError):
        why = f"its files could not be read ({text}); the folder must hold the weights and the tokenizer"
    else:
        why = f"{type(error).__name__}: {text}"
    return JudgeError(f"could not load the judge model {model!r}: {why}. {HOW_TO_POINT}")


def load_tokenizer(model: str, local_files_only: bool | None = None) -> Any:
    """The model's tokenizer (left padding, a pad token), with a clear error when it cannot load."""
    from transformers import AutoTokenizer

    try:
        source, local = resolve_model(model) if local_files_only is None else (model, local_files_only)
        tokenizer = AutoTokenizer.from_pretrained(source, local_files_only=local)
    except Exception as error:  # any failure becomes a message for the user
        raise load_error(model, error) from error
    tokenizer.padding_side = "left"
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def make_backend(backend: str, model: str, **options: Any) -> Backend:
    """Build the named backend ("transformers", "vllm" or "http")."""
    if backend == "transformers":
        from .transformers import TransformersBackend
        return TransformersBackend(model, **options)
    if backend == "vllm":
        from .vllm import VllmBackend
        return VllmBackend(model, **options)
    if backend == "http":
        from .http import HttpBackend
        return HttpBackend(model, **options)
    raise JudgeError(f"unknown judge backend {backend!r}: use transformers, vllm or http")
