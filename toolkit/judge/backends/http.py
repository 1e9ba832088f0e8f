"""An OpenAI-compatible completions endpoint (e.g. `vllm serve`), for a judge served elsewhere.

POST {base_url}/v1/completions with every prompt of the batch in one request:
{"model", "prompt": [...], "max_tokens": 1, "temperature": 0, "logprobs": k}. Each choice's
`logprobs.top_logprobs[0]` maps token text -> logprob over the whole vocabulary; `A` and `B` are read
from it and a token outside the top k is missing (None). Prompts are rendered locally with the
model's tokenizer (only its tokenizer files are needed here, not its weights). Timeouts, connection
errors, 429 and 5xx are retried with exponential backoff; a malformed reply fails at once.
"""
from __future__ import annotations

import os
import time
from typing import Any

from ..prompt import JudgeError, VERDICT_TOKENS, verdict_token_ids
from . import load_tokenizer, pick

RETRY_STATUS = {408, 425, 429, 500, 502, 503, 504}


def completions_url(base_url: str) -> str:
    """http://host:8000 or http://host:8000/v1 -> http://host:8000/v1/completions."""
    base = base_url.rstrip("/")
    return f"{base}/completions" if base.endswith("/v1") else f"{base}/v1/completions"


def parse_reply(reply: Any, n_prompts: int) -> list[tuple[float | None, float | None]]:
    """(lp_A, lp_B) per prompt from a completions reply, in prompt order; JudgeError if malformed."""
    try:
        choices = sorted(reply["choices"], key=lambda choice: choice["index"])
        if len(choices) != n_prompts:
            raise ValueError(f"{len(choices)} choices for {n_prompts} prompts")
        results = []
        for choice in choices:
            top = choice["logprobs"]["top_logprobs"][0]
            if not isinstance(top, dict):
                raise ValueError("top_logprobs[0] is not an object")
            results.append(pick(top, *VERDICT_TOKENS))
        return results
    except (KeyError, IndexError, TypeError, ValueError) as error:
        raise JudgeError(f"malformed reply from the judge server: {type(error).__name__}: {error}") from error


class HttpBackend:
    name = "http"

    def __init__(self, model: str, *, base_url: str | None = None, served_model: str | None = None,
                 api_key: str | None = None, timeout_s: float = 60.0, retries: int = 2,
                 top_logprobs: int = 20, tokenizer: str | None = None) -> None:
        base_url = base_url or os.environ.get("JUDGE_BASE_URL")
        if not base_url:
            raise JudgeError("the http backend needs the server's address: --base-url or JUDGE_BASE_URL")
        self.model = model
        self.url = completions_url(base_url)
        self.device = f"remote ({self.url})"
        self.served_model = served_model or model
        self.api_key = api_key or os.environ.get("JUDGE_API_KEY")
        self.timeout_s, self.retries, self.top_logprobs = timeout_s, retries, top_logprobs
        self.tokenizer = load_tokenizer(tokenizer or model)
        verdict_token_ids(self.tokenizer)
        self.attempts = 0  # requests sent, retries included

    def _post(self, body: dict[str, Any]) -> Any:
        import requests

        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        problem = "no attempt"
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(min(0.5 * 2 ** (attempt - 1), 8.0))
            self.attempts += 1
            try:
                response = requests.post(self.url, json=body, headers=headers, timeout=self.timeout_s)
            except requests.Timeout:
                problem = f"no reply within {self.timeout_s:g} s (timeout)"
                continue
            except requests.ConnectionError as error:
                problem = f"could not connect: {error}"
                continue
            if response.status_code in RETRY_STATUS:
                problem = f"HTTP {response.status_code}: {response.text[:200]}"
                continue
            if response.status_code != 200:
                raise JudgeError(f"the judge server refused the request: HTTP {response.status_code}: "
                                 f"{response.text[:300]}")
            try:
                return response.json()
            except ValueError as error:
                raise JudgeError(f"malformed reply from the judge server (not JSON): {response.text[:200]!r}") from error
        raise JudgeError(f"the judge server at {self.url} failed after {self.retries + 1} attempts: {problem}")

    def logprobs(self, prompts: list[str]) -> list[tuple[float | None, float | None]]:
        if not prompts:
            return []
        body = {"model": self.served_model, "prompt": prompts, "max_tokens": 1, "temperature": 0,
                "logprobs": self.top_logprobs}
        return parse_reply(self._post(body), len(prompts))
