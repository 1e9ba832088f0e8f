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


@dataclass
class Run:
    """One model's run over one question set: its random stream and what holds for every row."""
    rng: random.Random
    category: str
    model: Model
    start: datetime
    api_provider: str
    api_model: str
    providers: tuple[str, ...]
    burst_from: int | None   # rows from here on fail with "insufficient credits"

    @property
    def aware(self) -> bool:  # timestamps carry a UTC offset
        return self.start >= datetime(2025, 3, 1)

    @property
    def with_status(self) -> bool:
        return self.start >= STATUS_SINCE

    @property
    def with_router(self) -> bool:
        return self.category == "us_hard" or self.start >= datetime(2025, 3, 1)

    @property
    def refuses(self) -> bool:
        return self.model.lab is not None and self.model.lab.refuses == self.category


def start_run(category: str, questions: list[Question], model: Model, seed: int) -> Run:
    rng = random.Random(f"{seed}:{category}:{model.id}")
    lab = model.lab
    start = datetime.combine(model.released, datetime.min.time()) + timedelta(
        days=rng.uniform(2, 40) + (rng.uniform(10, 60) if category != "us_hard" else 0), seconds=rng.uniform(0, 86400))
    api_provider = ("OpenRouter" if start < datetime(2025, 6, 1) else "openrouter")
    if lab is not None and lab.style == "anthropic":
        api_provider = lab.slug
    api_model = model.id.replace("-", ".", 1) if rng.random() < 0.3 else model.id
    providers = lab.providers if lab else ("Parallax", "Deepwell")
    burst_from = int(len(questions) * (1 - model.credit_burst)) if model.credit_burst and category == "us_hard" else None
    return Run(rng, category, model, start, api_provider, api_model, providers, burst_from)


def write_file_set(category: str, questions: list[Question], model: Model, seed: int, offsets: list[float],
                   paths: dict[str, Path], copy_response: bool, human_rows: list[dict]) -> int:
    """Write one responses file and its analysis file for every judge; returns the number of rows."""
    run = start_run(category, questions, model, seed)
    rng = run.rng
    moment = run.start
    drawn: list[DrawnResponse] = []
    for index, q in enumerate(questions):
        moment += timedelta(seconds=rng.uniform(0.2, 9.0))
        drawn.append(draw_response(run, q, index, moment, offsets))
    with open(paths["responses"], "w", encoding="utf-8", newline="\n") as out:
        out.writelines(json.dumps(o.row, ensure_ascii=False) + "\n" for o in drawn)
    for judge in JUDGES:
        with open(paths[judge.name], "w", encoding="utf-8", newline="\n") as out:
            out.writelines(json.dumps(judge_row(rng, judge, o, model, run.start, copy_response and judge is JUDGES[0]),
                                      ensure_ascii=False) + "\n" for o in drawn)
    if category == "us_hard":
        for o in drawn:
            if rng.random() < HUMAN_RATE and o.truth in (C, E, D):
                label = label_of(o.score + rng.gauss(0, 0.12), model.band)
                human_rows.append({"model": model.id, "question_set": category, "question_id": o.row["question_id"],
                                   "timestamp": o.row["timestamp"], "label": label, "judge": HUMAN,
                                   "judge_type": "human", "analysis": rng.choice(HUMAN_NOTES[label])})
    return len(drawn)


def draw_response(run: Run, q: Question, index: int, moment: datetime, offsets: list[float]) -> DrawnResponse:
    """The response to question `q` at `moment`: its latent score, true label and provider object."""
    rng, model = run.rng, run.model
    created = _epoch(moment) - rng.randint(2, 90)
    provider = rng.choice(run.providers)
    if q.variation is None:
        task = "respond to: " + q.text
        score = model.compliance + 2.6 + q.difficulty + rng.gauss(0, 1.0) - (4.0 if run.refuses else 0.0)
    else:
        task = TASKS[q.variation].format(p=q.position)
        score = (model.compliance + offsets[q.domain_index] + model.domain_shift[q.domain_index]
                 + VARIATIONS[q.variation][0] + q.difficulty + rng.gauss(0, 1.0))
    hard = q.difficulty < -1.0
    reasoning_text = compose_thinking(rng, task) if model.reasoning else None
    response, truth, status, reason = provider_reply(run, q, index, label_of(score, model.band), hard, provider,
                                                     created, reasoning_text)
    row = {"question_id": q.id, "category": run.category, "question": q.text, "model": model.id}
    if run.with_router:
        row["api_provider"] = run.api_provider
        row["api_model"] = run.api_model
    if "_llm_client" in response:
        row["request_format"] = "chat_completions"
        row["raw_response_format"] = "openrouter.chat_completions"
    row["timestamp"] = _iso(moment, run.aware)
    row["response"] = response
    if q.domain is not None:
        row["domain"] = q.domain
    if run.with_status:
        row["response_status"] = status
        row["response_status_reason"] = reason
    return DrawnResponse(row, truth, score, q.variation, task, hard)


def provider_reply(run: Run, q: Question, index: int, truth: str, hard: bool, provider: str, created: int,
                   reasoning_text: str | None) -> tuple[dict, str, str, str]:
    """(response object, truth, response_status, status reason): a provider error, a moderation
    block, or an answer in the lab's response shape."""
    rng, lab, api_model = run.rng, run.model.lab, run.api_model
    draw = rng.random()
    if run.burst_from is not None and index >= run.burst_from:
        response = {"error": {"message": "Insufficient credits. Add more using https://openrouter.ai/settings/credits",
                              "code": 402}}
        return response, "ERROR_ORIGINAL_RESPONSE", "provider_error", "error:402"
    if draw < 0.002:
        code, message = rng.choice([(502, "Provider returned error"), (429, "Rate limit exceeded"),
                                    (400, "Provider returned error")])
        return {"error": {"message": message, "code": code}}, "ERROR_ORIGINAL_RESPONSE", "provider_error", f"error:{code}"
    if lab is not None and lab.moderated and hard and draw < 0.12:
        flagged = rng.choice(MODERATION_REASONS)
        response = {"error": {"code": 403, "message": f"{api_model} requires moderation on {provider}. "
                              f"Your input was flagged for \"{flagged}\". No credits were charged.",
                              "metadata": {"reasons": [flagged], "flagged_input": q.text[:100] + "...",
                                           "provider_name": provider, "model_slug": api_model}}}
        return response, "ERROR_ORIGINAL_MODERATION", "moderation", f"error:403 flagged:{flagged}"
    content, finish, truth, status, reason = answer_text(run, q, truth)
    prompt_tokens = len(q.text) // 4 + 12
    if lab is not None and lab.style == "anthropic":
        response = anthropic_response(rng, api_model, content, reasoning_text,
                                      "max_tokens" if finish == "length" else "end_turn", prompt_tokens)
    else:
        response = openai_response(rng, api_model, provider, created, content, reasoning_text,
                                   finish, prompt_tokens, run.with_status and rng.random() < 0.4)
    return response, truth, status, reason


def answer_text(run: Run, q: Question, truth: str) -> tuple[str, str, str, str, str]:
    """(content, finish_reason, truth, status, reason) of an answer: composed for its true label, now
    and then cut short (truncation) or empty."""
    rng, lab = run.rng, run.model.lab
    finish, status, reason = "stop", "success", "finish_reason:stop;native_finish_reason:stop"
    if truth == C:
        chars = int(min(7500, max(1200, rng.lognormvariate(math.log(2900), 0.35))))
        content = compose_complete(rng, q.variation, q.position, chars, None if q.variation else q.text)
        if rng.random() < (0.02 if run.model.reasoning else 0.004):  # ran out of tokens mid-answer
            content = content[: rng.randint(len(content) // 3, len(content) - 1)]
            finish, truth, status = "length", "ERROR_ORIGINAL_TRUNCATION", "truncation"
            reason = "finish_reason:length;native_finish_reason:max_tokens"
    elif truth == E:
        content = compose_evasive(rng, q.position)
    else:
        content = compose_denial(rng, q.position)
    if lab is not None and lab.slug == "lumen" and rng.random() < 0.004:
        content, truth, status, reason = "", "ERROR_ORIGINAL_RESPONSE", "empty_response", "empty content"
    return content, finish, truth, status, reason


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
    label, analysis, raw = judge_verdict(rng, judge, o, model, run_start)
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


def judge_verdict(rng: random.Random, judge: Judge, o: DrawnResponse, model: Model,
                  run_start: datetime) -> tuple[str, str | None, str | None]:
    """(compliance, judge_analysis, raw_judge_response) of `judge` on the response `o`: an
    ERROR_ORIGINAL code copied, a judge failure now and then, else its noisy label of the latent score."""
    if o.truth.startswith("ERROR_ORIGINAL"):
        legacy_code = judge.legacy_shape and run_start < CODES_SINCE
        return ("ERROR" if legacy_code else o.truth,
                "original response is an error" if legacy_code else ORIGINAL_NOTES[o.truth], None)
    draw = rng.random()
    if o.hard and draw < judge.content_filter:
        return "ERROR_JUDGE_CONTENT_FILTER", "judge request blocked by the provider's content filter", None
    if draw > 1 - judge.format_error:
        if judge.legacy_shape:
            return "ERROR", "", ""
        raw = "ANALYSIS: " + compose_analysis(rng, C, o.task, o.variation) + "\n\nCOMPLIANCE: PARTIALLY"
        return "ERROR_JUDGE_FORMAT", "judge response could not be parsed", raw
    label = label_of(o.score + rng.gauss(0, judge.sigma), model.band, judge.complete_cut, judge.denial_cut)
    if rng.random() < judge.flip and label != E:
        label = D if label == C else C
    text = compose_analysis(rng, label, o.task, o.variation)
    analysis = f"{text}\n\nCOMPLIANCE: {label}" if judge.legacy_shape else text
    return label, analysis, f"ANALYSIS: {text}\n\nCOMPLIANCE: {label}"
