"""The judge behind the dashboard tab: settings, a model loaded once on first use, input checks.

Everything here is plain Python (tested without a server); `toolkit.ui.pairwise` only draws it.
"""
from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from .engine import DEFAULT_MODEL, Judge, load_judge
from .prompt import JudgeError
from .types import Judgement, Pair

DEFAULT_MAX_CHARS = 4000      # per response: the card warns that long texts bring verbosity bias back
MAX_INPUT_CHARS = 50_000      # per field: longer input is refused, not judged


@dataclass(frozen=True)
class LiveSettings:
    model: str
    backend: str = "transformers"
    max_chars: int = DEFAULT_MAX_CHARS
    options: dict[str, Any] = field(default_factory=dict)
    log_path: Path | None = None


def _int_setting(value: Any, default: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if number > 0 else default


def live_settings(settings: dict[str, Any] | None = None) -> LiveSettings:
    """The tab's judge: settings["judge_model"], else env JUDGE_MODEL, else the card's model.

    Likewise judge_backend / JUDGE_BACKEND (default transformers), judge_max_chars / JUDGE_MAX_CHARS
    (characters per response, default 4000), judge_log / JUDGE_LOG (a JSONL log of judgements);
    the http backend reads JUDGE_BASE_URL.
    """
    settings = settings or {}

    def pick(key: str, env: str) -> Any:
        value = settings.get(key)
        return value if value not in (None, "") else (os.environ.get(env, "").strip() or None)

    backend = pick("judge_backend", "JUDGE_BACKEND") or "transformers"
    options = {"base_url": os.environ.get("JUDGE_BASE_URL")} if backend == "http" else {}
    log = pick("judge_log", "JUDGE_LOG")
    return LiveSettings(model=str(pick("judge_model", "JUDGE_MODEL") or DEFAULT_MODEL), backend=backend,
                        max_chars=_int_setting(pick("judge_max_chars", "JUDGE_MAX_CHARS"), DEFAULT_MAX_CHARS),
                        options=options, log_path=Path(log) if log else None)


def input_problem(instruction: str | None, response_1: str | None, response_2: str | None,
                  max_input_chars: int = MAX_INPUT_CHARS) -> str | None:
    """A message for input that cannot be judged (empty or far too long), else None."""
    fields = (("The instruction", instruction), ("Response 1", response_1), ("Response 2", response_2))
    empty = [name for name, value in fields if not (value or "").strip()]
    if empty:
        names = empty[0] if len(empty) == 1 else f"{', '.join(empty[:-1])} and {empty[-1]}"
        return f"{names} {'is' if len(empty) == 1 else 'are'} empty: fill in the instruction and both responses."
    for name, value in fields:
        if len(value) > max_input_chars:
            return (f"{name} is {len(value):,} characters long; the limit is {max_input_chars:,}. "
                    "Paste a shorter text.")
    return None


def truncation_notes(judgement: Judgement, response_1: str, response_2: str, max_chars: int) -> list[str]:
    """One notice per response that was cut to the maximum length."""
    notes = []
    for number, flag, text in ((1, judgement.truncated_1, response_1), (2, judgement.truncated_2, response_2)):
        if flag:
            notes.append(f"Response {number} is {len(text):,} characters long: the judge read only its first "
                         f"{max_chars:,} (longer texts bring back the judge's verbosity bias).")
    return notes


class LiveJudge:
    """Loads the judge once, on first use, and remembers a failure (the app keeps running)."""

    def __init__(self, settings: LiveSettings, loader: Callable[..., Judge] = load_judge) -> None:
        self.settings, self._loader = settings, loader
        self._lock = threading.Lock()
        self._judge: Judge | None = None
        self._error: str | None = None
        self.load_seconds: float | None = None

    @property
    def loaded(self) -> bool:
        return self._judge is not None

    def get(self) -> Judge:
        """The loaded judge; raises JudgeError (the same message every time) if it cannot load."""
        with self._lock:
            if self._judge is None and self._error is None:
                start = time.perf_counter()
                try:
                    self._judge = self._loader(self.settings.model, self.settings.backend,
                                               max_chars=self.settings.max_chars, batch_size=1,
                                               **self.settings.options)
                except JudgeError as error:
                    self._error = str(error)
                self.load_seconds = time.perf_counter() - start
            if self._judge is None:
                raise JudgeError(self._error or "the judge is not loaded")
            return self._judge


def append_log(path: Path, pair: Pair, judgement: Judgement) -> None:
    """One JSON line per judgement made in the tab: the texts, the time and the judgement's fields."""
    path.parent.mkdir(parents=True, exist_ok=True)
    row = {"timestamp": datetime.now(timezone.utc).isoformat(timespec="seconds"), "instruction": pair.instruction,
           "text_1": pair.text_1, "text_2": pair.text_2, **judgement.to_dict()}
    with path.open("a", encoding="utf-8") as out:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
