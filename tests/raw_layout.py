"""Hand-made data folders made the way real ones are: raw rows in the SpeechMap layout, then the
production build (`toolkit.ingest.pipeline.build`), so a fixture cannot hold a row the build would
never write.

    FOLDER/raw/speechmap-data/questions/<category>.jsonl
    FOLDER/raw/speechmap-data/responses/<category>_<model>.jsonl
    FOLDER/raw/speechmap-data/analysis.<judge>/compliance_<category>_<model>.jsonl
    FOLDER/raw/annotations/<name>.jsonl                  (human judges, given as NAME=PATH)
    FOLDER/raw/site-metadata/model_metadata.json, lab_metadata.jsonl
    FOLDER/data/                                          (the built tables)
"""
from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Iterable, Mapping

from toolkit.ingest.pipeline import build


def openai_response(content: str) -> dict:
    """The `response` field of a raw row in the OpenAI chat shape SpeechMap stores."""
    return {"choices": [{"message": {"role": "assistant", "content": content}, "finish_reason": "stop"}]}


def slug(name: str) -> str:
    """A model or judge name as SpeechMap writes it in file names (`openai/gpt-4o` -> `openai_gpt-4o`)."""
    return name.replace("/", "_")


def write_jsonl(path: Path, rows: Iterable[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


def write_speechmap_data(root: Path, questions: Iterable[dict], responses: Iterable[dict],
                         judgements: Iterable[dict]) -> None:
    """questions: {"id", "category", "domain", "question"}; responses: {"question_id", "category",
    "model", "timestamp", "response"}; judgements: {"question_id", "category", "model", "judge_model",
    "compliance", ...}, one analysis folder per judge, one file per (category, model) as in SpeechMap."""
    files: dict[Path, list[dict]] = defaultdict(list)
    for row in questions:
        files[root / "questions" / f"{row['category']}.jsonl"].append(row)
    for row in responses:
        files[root / "responses" / f"{row['category']}_{slug(row['model'])}.jsonl"].append(row)
    for row in judgements:
        folder = root / f"analysis.{slug(row['judge_model'])}"
        files[folder / f"compliance_{row['category']}_{slug(row['model'])}.jsonl"].append(row)
    for path, rows in files.items():
        write_jsonl(path, rows)


def build_store(folder: Path, questions: Iterable[dict] = (), responses: Iterable[dict] = (),
                judgements: Iterable[dict] = (), annotations: Mapping[str, Iterable[dict]] | None = None,
                metadata: Iterable[dict] | None = None, labs: Iterable[dict] = ()) -> Path:
    """Write the rows under FOLDER/raw in the SpeechMap layout and build FOLDER/data; returns it.

    annotations: human judge name -> rows ({"model", "question_id", "category", "compliance", ...});
    metadata: rows of model_metadata.json ({"model_identifier", "creator", "release_date", ...});
    labs: rows of lab_metadata.jsonl ({"lab", "full_name", "color"}). The build is strict: a row it
    would quarantine is an error in the fixture, not a silently smaller store.
    """
    raw = Path(folder) / "raw"
    write_speechmap_data(raw / "speechmap-data", questions, responses, judgements)
    named = [f"{name}={write_jsonl(raw / 'annotations' / f'{slug(name)}.jsonl', rows)}"
             for name, rows in (annotations or {}).items()]
    site = None
    if metadata is not None:
        site = raw / "site-metadata"
        write_jsonl(site / "model_metadata.json", metadata)
        write_jsonl(site / "lab_metadata.jsonl", labs)
    out = Path(folder) / "data"
    build(raw=[raw / "speechmap-data"], annotations=named, metadata=site, out=out, strict=True, progress=False)
    return out
