"""Provider response objects (OpenAI-style chat completions, Anthropic messages) and their timestamps."""
from __future__ import annotations

import random
from datetime import datetime, timezone

from toolkit.ingest.synth.texts import ALNUM


def _iso(moment: datetime, aware: bool) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + ("+00:00" if aware else "")


def _epoch(moment: datetime) -> int:
    return int(moment.replace(tzinfo=timezone.utc).timestamp())


def _gen_id(rng: random.Random, created: int) -> str:
    return f"gen-{created}-{''.join(rng.choices(ALNUM, k=20))}"


def openai_response(rng: random.Random, api_model: str, provider: str, created: int, content: str,
                    reasoning: str | None, finish: str, prompt_tokens: int, standardized: bool) -> dict:
    completion = (len(content) + len(reasoning or "")) // 4
    usage = {"prompt_tokens": prompt_tokens, "completion_tokens": completion,
             "total_tokens": prompt_tokens + completion}
    response = {"id": _gen_id(rng, created), "provider": provider, "model": api_model, "object": "chat.completion",
                "created": created,
                "choices": [{"logprobs": None, "finish_reason": finish, "native_finish_reason": finish, "index": 0,
                             "message": {"role": "assistant", "content": content, "refusal": None,
                                         "reasoning": reasoning}}],
                "usage": usage}
    if standardized:  # the newer client keeps a normalized copy beside the provider's object
        response["_llm_client"] = {"success": True, "is_retryable": False, "standardized_response": {
            "id": response["id"], "created": created, "model": api_model, "provider": "openrouter",
            "content": content, "usage": usage, "finish_reason": finish, "native_finish_reason": finish},
            "request_format": "chat_completions", "raw_response_format": "openrouter.chat_completions"}
    return response


def anthropic_response(rng: random.Random, api_model: str, content: str, reasoning: str | None, stop: str,
                       prompt_tokens: int) -> dict:
    blocks = []
    if reasoning:
        blocks.append({"type": "thinking", "thinking": reasoning, "signature": "".join(rng.choices(ALNUM, k=48))})
    blocks.append({"type": "text", "text": content})
    return {"id": "msg_" + "".join(rng.choices(ALNUM, k=24)), "type": "message", "role": "assistant",
            "model": api_model, "content": blocks, "stop_reason": stop, "stop_sequence": None,
            "usage": {"input_tokens": prompt_tokens, "output_tokens": (len(content) + len(reasoning or "")) // 4}}
