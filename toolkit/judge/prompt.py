"""The judge's prompt, exactly as the model card gives it, and the checks around it.

The user message is `json.dumps({"instruction", "A", "B"}, ensure_ascii=False)`; it is rendered with
the model's own chat template and `enable_thinking=False`, so the template closes an empty
`<think>\n\n</think>\n\n` block and the next token is the verdict, `A` or `B`.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

SYSTEM_PROMPT = (
    "You are a specialized AI assistant tasked with evaluating two responses to a given instruction. "
    "Your purpose is to fairly compare the quality of each response and select the better one. "
    "The user provides the instruction and the two responses A and B. Evaluate based on accuracy, "
    "clarity, and originality, considering repetitive or unoriginal responses as lower quality."
)
VERDICT_TOKENS = ("A", "B")


class JudgeError(RuntimeError):
    """A judge could not be loaded or used; the message is meant for the user."""


def user_message(instruction: str, response_a: str, response_b: str) -> str:
    """The card's user message: the JSON object {"instruction", "A", "B"}, non-ASCII kept as is."""
    return json.dumps({"instruction": instruction, "A": response_a, "B": response_b}, ensure_ascii=False)


def messages(instruction: str, response_a: str, response_b: str) -> list[dict[str, str]]:
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": user_message(instruction, response_a, response_b)},
    ]


def render(tokenizer: Any, instruction: str, response_a: str, response_b: str) -> str:
    """The prompt text: the chat template with the generation prompt and thinking switched off."""
    if not getattr(tokenizer, "chat_template", None):
        raise JudgeError("the judge's tokenizer has no chat template; the judge needs the model's own template")
    return tokenizer.apply_chat_template(
        messages(instruction, response_a, response_b),
        tokenize=False,
        add_generation_prompt=True,
        enable_thinking=False,
    )


def verdict_token_ids(tokenizer: Any) -> tuple[int, int]:
    """The ids of the single tokens `A` and `B` (no leading space); a clear error if either is split."""
    ids = []
    for token in VERDICT_TOKENS:
        encoded = tokenizer.encode(token, add_special_tokens=False)
        if len(encoded) != 1 or tokenizer.decode(encoded) != token:
            raise JudgeError(
                f"the judge's tokenizer does not encode {token!r} as one token (got {encoded}); "
                "the verdict is read from the logprobs of the single tokens 'A' and 'B'"
            )
        ids.append(encoded[0])
    return ids[0], ids[1]


def template_hash(tokenizer: Any) -> str:
    """A short fingerprint of what shapes the prompt: the chat template and the system prompt.

    hash = sha256(chat_template + NUL + SYSTEM_PROMPT)[:12]; a changed template invalidates caches.
    """
    template = getattr(tokenizer, "chat_template", None) or ""
    if isinstance(template, dict):  # named templates
        template = json.dumps(template, sort_keys=True)
    return hashlib.sha256(f"{template}\0{SYSTEM_PROMPT}".encode()).hexdigest()[:12]


def truncate(text: str, max_chars: int | None = None, max_tokens: int | None = None,
             tokenizer: Any = None) -> tuple[str, bool]:
    """Cut a response to at most `max_chars` characters and/or `max_tokens` tokens.

    Returns (text, truncated). Token counts use the judge's tokenizer (no special tokens); the cut
    text is the decoded first `max_tokens` tokens. None means no limit.
    """
    truncated = False
    if max_chars is not None and len(text) > max_chars:
        text, truncated = text[:max_chars], True
    if max_tokens is not None:
        if tokenizer is None:
            raise JudgeError("a token limit needs the judge's tokenizer")
        ids = tokenizer.encode(text, add_special_tokens=False)
        if len(ids) > max_tokens:
            text, truncated = tokenizer.decode(ids[:max_tokens]), True
    return text, truncated
