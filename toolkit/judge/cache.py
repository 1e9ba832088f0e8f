"""A resumable cache of judgements: one JSONL line per judged pair, appended as batches finish.

key = sha256(json([model, template_hash, instruction, text_1, text_2]))[:32], computed on the texts
the model actually saw (after truncation), so a different model, template or length limit judges
again. A run killed midway leaves the finished batches in the file; a torn last line is ignored.
Judgements that failed with an error (a server down) are not cached, so a re-run retries them.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from .types import Judgement


def cache_key(model: str, template_hash: str, instruction: str, text_1: str, text_2: str) -> str:
    payload = json.dumps([model, template_hash, instruction, text_1, text_2], ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


class JudgementCache:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._rows: dict[str, Judgement] = {}
        if self.path.exists():
            with self.path.open(encoding="utf-8") as lines:
                for line in lines:
                    try:
                        row = json.loads(line)
                        self._rows[row["key"]] = Judgement.from_dict(row)
                    except (ValueError, KeyError, TypeError):
                        continue  # a line torn by a killed run

    def __len__(self) -> int:
        return len(self._rows)

    def get(self, key: str) -> Judgement | None:
        return self._rows.get(key)

    def put_many(self, items: list[tuple[str, Judgement]]) -> None:
        """Append judgements (those without an error) and flush them to disk."""
        keep = [(key, j) for key, j in items if j.error is None]
        if not keep:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as out:
            for key, judgement in keep:
                self._rows[key] = judgement
                out.write(json.dumps({"key": key, **judgement.to_dict()}, ensure_ascii=False) + "\n")
            out.flush()
            os.fsync(out.fileno())
