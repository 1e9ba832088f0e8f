"""The whole data set: `generate` writes the raw layout, `build_demo` builds it, `ensure_demo` caches it."""
from __future__ import annotations

import json
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from toolkit.ingest.synth.questions import make_legacy_questions, make_questions
from toolkit.ingest.synth.rows import write_file_set
from toolkit.ingest.synth.world import JUDGES, LABS, Model, domain_offsets, make_models

GENERATOR_VERSION = 1  # bump whenever the generated files change, so cached demos are rebuilt
MARKER = "demo.json"


@dataclass(frozen=True)
class Scale:
    themes: int
    models: int
    legacy_models: int       # models that also answered the legacy sets
    copy_response: bool      # the main judge's rows carry a copy of the response (as the real ones do)
    credit_bursts: int       # models whose run hit "insufficient credits" part-way


SCALES = {"small": Scale(75, 30, 6, True, 1), "full": Scale(530, 380, 60, False, 3)}


def metadata_rows(models: list[Model]) -> Iterator[dict]:
    for m in models:
        if not m.listed:
            continue
        row = {"model_identifier": m.id, "creator": m.lab.slug, "model_name": m.name, "model_family": m.family,
               "release_date": m.released.isoformat(), "reasoning_model": m.reasoning,
               "notes": "reasoning is mandatory" if m.reasoning and not m.name.endswith(m.lab.pair) else ""}
        if m.skip:
            row["skip"] = True
            row["notes"] = "prerelease model; excluded from publication"
        yield row


def lab_rows() -> Iterator[dict]:
    for lab in sorted(LABS, key=lambda lab: lab.slug):
        row = {"lab": lab.slug, "full_name": lab.full_name}
        if lab.color:
            row["color"] = lab.color
        yield row


def _write_jsonl(path: Path, rows) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        out.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def generate(raw: str | Path, scale: str = "small", seed: int = 0, progress: bool = False) -> dict:
    """Write the raw layout under `raw` (replacing what is there); returns counts for the summary."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r} (choose from {', '.join(SCALES)})")
    spec = SCALES[scale]
    raw = Path(raw)
    if raw.exists():
        shutil.rmtree(raw)
    data = raw / "speechmap-data"
    questions = make_questions(spec.themes, seed)
    legacy = make_legacy_questions(seed)
    models = make_models(spec.models, seed, spec.credit_bursts, spec.legacy_models)
    offsets = domain_offsets(seed)

    _write_jsonl(data / "questions" / "us_hard.jsonl",
                 ({"id": q.id, "category": q.category, "domain": q.domain, "question": q.text} for q in questions))
    for category, items in legacy.items():
        _write_jsonl(data / "questions" / f"{category}.jsonl",
                     ({"id": q.id, "category": q.category, "question": q.text} for q in items))
    _write_jsonl(raw / "site-metadata" / "model_metadata.json", metadata_rows(models))
    _write_jsonl(raw / "site-metadata" / "lab_metadata.jsonl", lab_rows())
    (raw / "judge_aliases.json").write_text(json.dumps(
        {j.name: [j.alias] for j in JUDGES if j.alias}, indent=2) + "\n", encoding="utf-8")
    for folder in {j.folder for j in JUDGES} | {"responses"}:
        (data / folder).mkdir(parents=True, exist_ok=True)

    jobs = [("us_hard", questions, m) for m in models]
    jobs += [(category, items, m) for category, items in legacy.items() for m in models if m.legacy]
    human_rows: list[dict] = []
    responses = 0
    started = time.time()
    for done, (category, items, model) in enumerate(jobs, start=1):
        stem = f"{category}_{model.file_name}"
        paths = {"responses": data / "responses" / f"{stem}.jsonl"}
        paths.update({j.name: data / j.folder / f"compliance_{stem}.jsonl" for j in JUDGES})
        responses += write_file_set(category, items, model, seed, offsets, paths, spec.copy_response, human_rows)
        if progress and (done % 20 == 0 or done == len(jobs)):
            print(f"\rdemo: {done}/{len(jobs)} files, {responses:,} responses, {time.time() - started:.0f}s",
                  end="" if done < len(jobs) else "\n", file=sys.stderr, flush=True)
    _write_jsonl(raw / "annotations" / "human.jsonl", human_rows)
    return {"scale": scale, "seed": seed, "questions": len(questions) + sum(len(v) for v in legacy.values()),
            "models": len(models), "unlisted_models": sum(not m.listed for m in models),
            "responses": responses, "judges": len(JUDGES), "assessments": responses * len(JUDGES),
            "human_annotations": len(human_rows)}


def build_demo(out: str | Path, scale: str = "small", seed: int = 0, progress: bool = False) -> dict:
    """Generate OUT/raw and build it into OUT/data; returns {"generated": counts, "report": build report}."""
    from toolkit.ingest.pipeline import build

    out = Path(out)
    started = time.time()
    counts = generate(out / "raw", scale, seed, progress)
    generated_s = time.time() - started
    raw = out / "raw"
    report = build(raw=[raw / "speechmap-data"], metadata=raw / "site-metadata",
                   annotations=[str(raw / "annotations" / "human.jsonl")], out=out / "data",
                   progress=progress, judge_aliases=raw / "judge_aliases.json")
    counts.update(generate_seconds=round(generated_s, 2), build_seconds=round(time.time() - started - generated_s, 2))
    return {"generated": counts, "report": report}


def ensure_demo(cache_dir: str | Path, scale: str = "small", seed: int = 0) -> Path:
    """The built demo data folder under `cache_dir`, generated and built only when missing or stale.

    A marker file (demo.json: generator version, scale, seed) is written last, so an interrupted
    run is redone on the next call."""
    folder = Path(cache_dir) / f"demo-{scale}-seed{seed}"
    marker = folder / MARKER
    wanted = {"version": GENERATOR_VERSION, "scale": scale, "seed": seed}
    try:
        current = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        current = None
    if current != wanted or not (folder / "data").is_dir():
        marker.unlink(missing_ok=True)
        build_demo(folder, scale, seed)
        marker.write_text(json.dumps(wanted) + "\n", encoding="utf-8")
    return folder / "data"
