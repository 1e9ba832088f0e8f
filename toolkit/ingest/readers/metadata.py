"""Model and lab metadata (`model_metadata.json`, JSONL despite its name; `lab_metadata.jsonl`)."""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

from toolkit.core import schema
from toolkit.ingest.errors import BuildError
from toolkit.ingest.quarantine import Quarantine
from toolkit.ingest.readers.records import read_records


def read_models(quarantine: Quarantine, folder: Path | None, response_models: list[str]) -> tuple[list[dict], list[str]]:
    """Models with lab, family, release date and reasoning flag; models without metadata are kept
    with lab `unknown` (and listed in the report)."""
    meta: dict[str, dict] = {}
    labs: dict[str, dict] = {}
    if folder is not None:
        for name, target, key in (("model_metadata.json", meta, "model_identifier"),
                                  ("lab_metadata.jsonl", labs, "lab")):
            path = folder / name
            if not path.exists():
                raise BuildError(f"--metadata {folder}: {name} not found")
            report = quarantine.report_for(path, "metadata")
            # model_metadata.json is JSONL despite its name: read_records reads it line by line.
            for number, record, problem in read_records(path):
                report.lines_read += 1
                if problem is not None:
                    quarantine.reject(str(path), problem.line, problem.reason, problem.snippet)
                elif not isinstance(record.get(key), str):
                    quarantine.reject(str(path), number, f"missing field {key}", json.dumps(record)[:300])
                elif record[key] in target:
                    quarantine.reject(str(path), number, f"duplicate {key}", json.dumps(record)[:300])
                else:
                    target[record[key]] = record
                    report.rows_written += 1
    rows, missing = [], []
    for model in sorted(set(meta) | set(response_models)):
        record = meta.get(model)
        if record is None:
            missing.append(model)
            record = {}
        lab = record.get("creator") or schema.UNKNOWN_LAB
        reasoning = record.get("reasoning_model")
        if reasoning is None:
            reasoning = bool(re.search(r"-(reasoning|thinking)\b", model))
        rows.append({
            "model": model, "model_name": record.get("model_name") or model.split("/")[-1],
            "lab": lab, "lab_name": labs.get(lab, {}).get("full_name") or (lab if lab != schema.UNKNOWN_LAB else "Unknown"),
            "lab_color": labs.get(lab, {}).get("color"), "family": record.get("model_family"),
            "release_date": _date(record.get("release_date")), "reasoning": bool(reasoning),
            "metadata_found": model in meta,
        })
    return rows, missing


def _date(value: Any):
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
