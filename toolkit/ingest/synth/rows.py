"""One (question set, model) file set: the responses file and every judge's analysis file."""
from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from toolkit.ingest.synth.questions import TASKS, VARIATIONS, Question
from toolkit.ingest.synth.shapes import (
    _epoch,
    _iso,
    anthropic_response,
    openai_response,
)
from toolkit.ingest.synth.texts import (
    HUMAN_NOTES,
    MODERATION_REASONS,
    compose_analysis,
    compose_complete,
    compose_denial,
    compose_evasive,
    compose_thinking,
)
from toolkit.ingest.synth.world import (
    HUMAN,
    HUMAN_RATE,
    JUDGES,
    C,
    D,
    E,
    Judge,
    Model,
    label_of,
)

CODES_SINCE = datetime(2025, 6, 1)  # the ERROR_ORIGINAL_* codes exist for runs from this date on
STATUS_SINCE = datetime(2026, 1, 1)  # rows carry response_status from this date on


@dataclass
class DrawnResponse:
    """One generated response: its row, the true label (or the ERROR_ORIGINAL code) and its latent score."""
    row: dict
    truth: str
    score: float
    variation: int | None
    task: str
    hard: bool


def write_file_set(category: str, questions: list[Question], model: Model, seed: int, offsets: list[float],
                   paths: dict[str, Path], copy_response: bool, human_rows: list[dict]) -> int:
    """Write one responses file and its analysis file for every judge; returns the number of rows."""
    rng = random.Random(f"{seed}:{category}:{model.id}")
    lab = model.lab
    run_start = datetime.combine(model.released, datetime.min.time()) + timedelta(
        days=rng.uniform(2, 40) + (rng.uniform(10, 60) if category != "us_hard" else 0), seconds=rng.uniform(0, 86400))
    aware = run_start >= datetime(2025, 3, 1)
    with_status = run_start >= STATUS_SINCE
    with_router = category == "us_hard" or run_start >= datetime(2025, 3, 1)
    api_provider = ("OpenRouter" if run_start < datetime(2025, 6, 1) else "openrouter")
    if lab is not None and lab.style == "anthropic":
        api_provider = lab.slug
    api_model = model.id.replace("-", ".", 1) if rng.random() < 0.3 else model.id
    providers = lab.providers if lab else ("Parallax", "Deepwell")
    moderated = lab is not None and lab.moderated
    refuses = lab is not None and lab.refuses == category
    burst_from = int(len(questions) * (1 - model.credit_burst)) if model.credit_burst and category == "us_hard" else None
    moment = run_start
    drawn: list[DrawnResponse] = []
    for index, q in enumerate(questions):
        moment += timedelta(seconds=rng.uniform(0.2, 9.0))
        created = _epoch(moment) - rng.randint(2, 90)
        provider = rng.choice(providers)
        prompt_tokens = len(q.text) // 4 + 12
        position = q.position
        variation = q.variation
        if variation is None:
            task = "respond to: " + q.text
            score = model.compliance + 2.6 + q.difficulty + rng.gauss(0, 1.0) - (4.0 if refuses else 0.0)
        else:
            task = TASKS[variation].format(p=position)
            score = (model.compliance + offsets[q.domain_index] + model.domain_shift[q.domain_index]
                     + VARIATIONS[variation][0] + q.difficulty + rng.gauss(0, 1.0))
        truth = label_of(score, model.band)
        hard = q.difficulty < -1.0
        reasoning_text = compose_thinking(rng, task) if model.reasoning else None
        finish, status, reason = "stop", "success", "finish_reason:stop;native_finish_reason:stop"
        response: dict
        draw = rng.random()
        if burst_from is not None and index >= burst_from:
            response = {"error": {"message": "Insufficient credits. Add more using https://openrouter.ai/settings/credits",
                                  "code": 402}}
            truth, status, reason = "ERROR_ORIGINAL_RESPONSE", "provider_error", "error:402"
        elif draw < 0.002:
            code, message = rng.choice([(502, "Provider returned error"), (429, "Rate limit exceeded"),
                                        (400, "Provider returned error")])
            response = {"error": {"message": message, "code": code}}
            truth, status, reason = "ERROR_ORIGINAL_RESPONSE", "provider_error", f"error:{code}"
        elif moderated and hard and draw < 0.12:
            flagged = rng.choice(MODERATION_REASONS)
            response = {"error": {"code": 403, "message": f"{api_model} requires moderation on {provider}. "
                                  f"Your input was flagged for \"{flagged}\". No credits were charged.",
                                  "metadata": {"reasons": [flagged], "flagged_input": q.text[:100] + "...",
                                               "provider_name": provider, "model_slug": api_model}}}
            truth, status, reason = "ERROR_ORIGINAL_MODERATION", "moderation", f"error:403 flagged:{flagged}"
        else:
            if truth == C:
                chars = int(min(7500, max(1200, rng.lognormvariate(math.log(2900), 0.35))))
                content = compose_complete(rng, variation, position, chars, None if variation else q.text)
                if rng.random() < (0.02 if model.reasoning else 0.004):  # ran out of tokens mid-answer
                    content = content[: rng.randint(len(content) // 3, len(content) - 1)]
                    finish, truth, status = "length", "ERROR_ORIGINAL_TRUNCATION", "truncation"
                    reason = "finish_reason:length;native_finish_reason:max_tokens"
            elif truth == E:
                content = compose_evasive(rng, position)
            else:
                content = compose_denial(rng, position)
            if lab is not None and lab.slug == "lumen" and rng.random() < 0.004:
                content, truth, status, reason = "", "ERROR_ORIGINAL_RESPONSE", "empty_response", "empty content"
            if lab is not None and lab.style == "anthropic":
                response = anthropic_response(rng, api_model, content, reasoning_text,
                                              "max_tokens" if finish == "length" else "end_turn", prompt_tokens)
            else:
                response = openai_response(rng, api_model, provider, created, content, reasoning_text,
                                           finish, prompt_tokens, with_status and rng.random() < 0.4)
        row = {"question_id": q.id, "category": category, "question": q.text, "model": model.id}
        if with_router:
            row["api_provider"] = api_provider
            row["api_model"] = api_model
        if "_llm_client" in response:
            row["request_format"] = "chat_completions"
            row["raw_response_format"] = "openrouter.chat_completions"
        row["timestamp"] = _iso(moment, aware)
        row["response"] = response
        if q.domain is not None:
            row["domain"] = q.domain
        if with_status:
            row["response_status"] = status
            row["response_status_reason"] = reason
        drawn.append(DrawnResponse(row, truth, score, variation, task, hard))

    with open(paths["responses"], "w", encoding="utf-8", newline="\n") as out:
        out.writelines(json.dumps(o.row, ensure_ascii=False) + "\n" for o in drawn)
    for judge in JUDGES:
        with open(paths[judge.name], "w", encoding="utf-8", newline="\n") as out:
            out.writelines(json.dumps(judge_row(rng, judge, o, model, run_start, copy_response and judge is JUDGES[0]),
                                      ensure_ascii=False) + "\n" for o in drawn)
    if category == "us_hard":
        for o in drawn:
            if rng.random() < HUMAN_RATE and o.truth in (C, E, D):
                label = label_of(o.score + rng.gauss(0, 0.12), model.band)
                human_rows.append({"model": model.id, "question_set": category, "question_id": o.row["question_id"],
                                   "timestamp": o.row["timestamp"], "label": label, "judge": HUMAN,
                                   "judge_type": "human", "analysis": rng.choice(HUMAN_NOTES[label])})
    return len(drawn)


ORIGINAL_NOTES = {"ERROR_ORIGINAL_RESPONSE": "original response marked as permanent error",
                  "ERROR_ORIGINAL_MODERATION": "original response blocked by provider moderation",
                  "ERROR_ORIGINAL_TRUNCATION": "original response truncated (finish_reason: length)"}


def judge_row(rng: random.Random, judge: Judge, o: DrawnResponse, model: Model, run_start: datetime,
              copy_response: bool) -> dict:
    """One analysis row of `judge` for the response `o`, in that judge's row shape."""
    row = o.row
    if judge.legacy_shape:
        judged = run_start + timedelta(minutes=rng.uniform(30, 600))
    else:
        judged = max(datetime.combine(judge.run, datetime.min.time()), run_start + timedelta(days=1))
        judged += timedelta(seconds=rng.uniform(0, 3 * 86400))
    name, provider = judge.name, judge.provider
    if judge.alias and rng.random() < judge.alias_rate:
        name, provider = judge.alias, judge.alias_provider
    analysis: str | None
    raw: str | None = None
    if o.truth.startswith("ERROR_ORIGINAL"):
        legacy_code = judge.legacy_shape and run_start < CODES_SINCE
        label = "ERROR" if legacy_code else o.truth
        analysis = "original response is an error" if legacy_code else ORIGINAL_NOTES[o.truth]
    else:
        draw = rng.random()
        if o.hard and draw < judge.content_filter:
            label, analysis = "ERROR_JUDGE_CONTENT_FILTER", "judge request blocked by the provider's content filter"
        elif draw > 1 - judge.format_error:
            if judge.legacy_shape:
                label, analysis, raw = "ERROR", "", ""
            else:
                label, analysis = "ERROR_JUDGE_FORMAT", "judge response could not be parsed"
                raw = "ANALYSIS: " + compose_analysis(rng, C, o.task, o.variation) + "\n\nCOMPLIANCE: PARTIALLY"
        else:
            label = label_of(o.score + rng.gauss(0, judge.sigma), model.band, judge.complete_cut, judge.denial_cut)
            if rng.random() < judge.flip and label != E:
                label = D if label == C else C
            text = compose_analysis(rng, label, o.task, o.variation)
            raw = f"ANALYSIS: {text}\n\nCOMPLIANCE: {label}"
            analysis = f"{text}\n\nCOMPLIANCE: {label}" if judge.legacy_shape else text
    out = {"question_id": row["question_id"], "category": row["category"], "question": row["question"],
           "model": row["model"]}
    if judge.legacy_shape:
        out["provider"] = row["response"].get("provider")
    out["timestamp"] = _iso(judged, True)
    if copy_response:
        out["response"] = row["response"]
    out["judge_model"] = name
    if provider:
        out["judge_api_provider"] = provider
    out["compliance"] = label
    out["judge_analysis"] = analysis
    if raw is not None:
        out["raw_judge_response"] = raw
    if "domain" in row:
        out["domain"] = row["domain"]
    if "api_provider" in row and not judge.legacy_shape:
        out["original_api_provider"] = row["api_provider"]
        out["api_model"] = row["api_model"]
    return out
