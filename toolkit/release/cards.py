"""Dataset cards: one template per published dataset (`dataset_cards/<dataset>.md`), filled from the build.

A template is markdown with YAML front matter and `${name}` placeholders (string.Template). Every
figure (row counts, build date, sources, judges and their counts, split balance) is computed here
from the staged tables, the build report and the splits report; nothing in a template is a number
typed by hand. `render_card` fails on a missing placeholder, and the result's YAML is parsed
before it is returned, so a broken card never reaches the Hub.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from typing import Any, Mapping, Sequence

import pyarrow as pa
import yaml

TEMPLATES = Path(__file__).resolve().parents[1] / "resources" / "dataset_cards"

SPEECHMAP_LICENCE = "apache-2.0"
HUMAN_LICENCE = "cc-by-4.0"

# Column documentation, per table; types come from the staged parquet files themselves.
COLUMN_DOCS: dict[str, dict[str, str]] = {
    "questions": {
        "question_uid": "Stable id: hash of (question_set, question_id); the same on every rebuild.",
        "question_id": "SpeechMap's question id, e.g. `race_supremacy_hispanic2`.",
        "question_set": "The question set (SpeechMap `category`), e.g. `us_hard`.",
        "domain": "One of SpeechMap's domains (us_hard only).",
        "theme": "The question id without its final digit: the four variations of one request share it.",
        "variation": "The final digit: 1 persuasive essay, 2 explain the supposed benefits, 3 satire, 4 speech.",
        "text": "The request sent to the models.",
    },
    "responses": {
        "response_id": "Stable id: hash of (model, question_set, question_id, timestamp).",
        "question_uid": "The question's `question_uid`.",
        "question_id": "SpeechMap's question id.",
        "question_set": "The question set.",
        "model": "The model that answered, as SpeechMap names it (e.g. `anthropic/claude-3-5-haiku-20241022`).",
        "timestamp": "When the response was collected (ISO 8601, as found).",
        "api_provider": "The router used to call the model.",
        "provider": "The upstream provider that served the response.",
        "content": "The answer text; `(No Response Content)` when there was none.",
        "reasoning": "The model's reasoning text, when the provider returned it.",
        "finish_reason": "The provider's finish reason.",
        "response_status": "success, moderation, truncation, provider_error, empty_response, ...",
        "response_status_reason": "Why the status is not success, when known.",
        "moderation_reason": "SpeechMap's provider-moderation reason (content_filter, refusal, moderation_error_text), else null.",
        "original_response_error": "The provider's reply carries an error object in choices[0] (SpeechMap scores it ERROR).",
        "source": "The raw file and line the row came from.",
    },
    "assessments": {
        "assessment_id": "Stable id: hash of (response_id, judge).",
        "response_id": "The judged response.",
        "question_id": "SpeechMap's question id.",
        "question_set": "The question set.",
        "model": "The model that wrote the response.",
        "judge": "The judge's canonical name (spellings merged by the alias table).",
        "judge_raw": "The judge's name as found in the source.",
        "judge_type": "`llm` or `human`.",
        "label": "Canonical label: COMPLETE, EVASIVE, DENIAL, ERROR or UNKNOWN.",
        "label_raw": "The label as found, e.g. `ERROR_ORIGINAL_MODERATION` or `REBUTTAL`.",
        "analysis": "The judge's written analysis, when there is one.",
        "timestamp": "When the judgement was made (ISO 8601, as found).",
        "source": "The raw file and line the row came from.",
    },
    "judges": {
        "judge": "The judge's canonical name.",
        "aliases": "Other spellings of the judge's name found in the sources.",
        "judge_type": "`llm` or `human`.",
        "assessments": "Number of assessments by this judge.",
    },
    "models": {
        "model": "The model as SpeechMap names it.",
        "model_name": "Display name.",
        "lab": "The lab (SpeechMap metadata `creator`); `unknown` when missing.",
        "lab_name": "The lab's full name.",
        "lab_color": "The lab's colour on speechmap.ai, when set.",
        "family": "Model family.",
        "release_date": "Release date.",
        "reasoning": "Whether this is a reasoning (thinking) mode.",
        "metadata_found": "Whether SpeechMap's model metadata lists the model.",
        "skip": "SpeechMap's `skip` flag: the model is left out of every SpeechMap score, rank and lab index.",
    },
    "classifier": {
        "text": "Minos format: `<|user|>\\n{question}\\n<|assistant|>\\n{response}`.",
        "label": "4-class label: COMPLETE, EVASIVE or DENIAL (ERROR only when built with --include-error).",
        "refusal": "Binary refusal label (Minos: 0 non-refusal, 1 refusal).",
        "response_id": "The response (see the responses dataset).",
        "question_id": "SpeechMap's question id.",
        "question_set": "The question set (translations reuse the English ids).",
        "theme": "The question's theme; no theme is in two splits.",
        "domain": "The question's domain.",
        "model": "The model that wrote the response.",
        "judges": "The judges whose label equals `label`.",
        "source": "`human` (a human annotation decided) or `unanimous` (every LLM judge agreed).",
    },
    "matches": {
        "prompt_id": "The prompt both texts answer.",
        "model_a": "The writer model in position A of the first pass.",
        "model_b": "The writer model in position B of the first pass.",
        "round": "The Swiss round.",
        "p_a": "Probability that text A is better, averaged over both orders.",
        "judge": "The pairwise judge model.",
    },
}


@dataclass
class CardContext:
    """What a card is filled from."""
    dataset: str                                   # questions | responses | assessments | models | classifier | matches
    repo_id: str
    configs: dict[str, dict[str, list[str]]]       # config -> split -> files (relative to the repo root)
    schemas: dict[str, pa.Schema]                  # config -> its table's schema
    rows: dict[str, dict[str, int]]                # config -> split -> rows
    build_report: Mapping[str, Any] | None = None
    judges: list[dict[str, Any]] = field(default_factory=list)  # judge, judge_type, assessments
    question_sets: list[str] = field(default_factory=list)
    related: dict[str, str] = field(default_factory=dict)       # dataset -> repo_id
    splits_report: Mapping[str, Any] | None = None
    extra: dict[str, str] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------
# Pure helpers
def size_category(n: int) -> str:
    """The Hub's size category of n rows: n<1K, 1K<n<10K, ..., 1B<n<10B."""
    bounds = [(1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M"),
              (10_000_000, "1M<n<10M"), (100_000_000, "10M<n<100M"), (1_000_000_000, "100M<n<1B")]
    for bound, name in bounds:
        if n < bound:
            return name
    return "1B<n<10B"


def languages(question_sets: Sequence[str]) -> list[str]:
    """English, plus the translations present (`zh_...` -> zh, `fi_...` -> fi)."""
    found = {"en"}
    for name in question_sets:
        prefix = name.split("_", 1)[0]
        if prefix in ("zh", "fi") and "_" in name:
            found.add(prefix)
    return sorted(found)


def configs_yaml(configs: Mapping[str, Mapping[str, Sequence[str]]], default: str) -> list[dict[str, Any]]:
    """The card's `configs:` list; data_files use one glob per split (`data/<config>/<split>-*.parquet`)."""
    out = []
    for name, splits in configs.items():
        entry: dict[str, Any] = {
            "config_name": name,
            "data_files": [{"split": split, "path": f"data/{name}/{split}-*.parquet"} for split in splits],
        }
        if name == default:
            entry["default"] = True
        out.append(entry)
    return out


def build_date(report: Mapping[str, Any] | None) -> str:
    """The build's date from the build report (`built_at`, or `build_date`, or `created_at`)."""
    for key in ("built_at", "build_date", "created_at", "generated_at"):
        if report and report.get(key):
            return str(report[key])
    return "unknown (no build report)"


def short_path(text: str) -> str:
    """`NAME=/a/b/c/file.jsonl` -> `NAME = c/file.jsonl`: the last two parts say what was read
    without publishing the build machine's folders."""
    name, sep, path = str(text).rpartition("=") if "=" in str(text) else ("", "", str(text))
    short = "/".join(Path(path).parts[-2:])
    return f"{name} = {short}" if sep else short


def build_sources(report: Mapping[str, Any] | None) -> list[str]:
    """The inputs the build read, as its report lists them (`inputs`: kind -> path or list of paths)."""
    if not report:
        return []
    inputs = report.get("inputs") or report.get("sources") or {}
    if not isinstance(inputs, Mapping):
        inputs = {"input": inputs}
    out = []
    for kind, value in inputs.items():
        for item in value if isinstance(value, list) else [value]:
            if item:
                out.append(f"{kind}: {short_path(item)}")
    return out


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    def cell(value: Any) -> str:
        text = f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)
        return text.replace("|", "\\|").replace("\n", " ")
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def columns_section(ctx: CardContext) -> str:
    parts = []
    for config, schema in ctx.schemas.items():
        docs = COLUMN_DOCS.get(config) or COLUMN_DOCS.get(ctx.dataset, {})
        table = markdown_table(["column", "type", "description"],
                               [(f"`{f.name}`", f"`{f.type}`", docs.get(f.name, "")) for f in schema])
        parts.append(f"### `{config}`\n\n{table}" if len(ctx.schemas) > 1 else table)
    return "\n\n".join(parts)


def rows_section(ctx: CardContext) -> str:
    return markdown_table(["config", "split", "rows"],
                          [(c, s, n) for c, splits in ctx.rows.items() for s, n in splits.items()])


def judges_section(judges: Sequence[Mapping[str, Any]]) -> str:
    if not judges:
        return "No judges."
    return markdown_table(
        ["judge", "type", "assessments", "licence of its outputs"],
        [(j["judge"], j["judge_type"], int(j["assessments"]), judge_licence_note(j)) for j in judges],
    )


def judge_licence_note(judge: Mapping[str, Any]) -> str:
    if judge.get("judge_type") == "human":
        return "CC-BY-4.0"
    return f"the terms of `{judge['judge']}`"


def licence_note(judges: Sequence[Mapping[str, Any]]) -> str:
    """One sentence naming whose terms apply: human annotations CC-BY-4.0, LLM outputs their model's."""
    llm = [j["judge"] for j in judges if j.get("judge_type") != "human"]
    human = [j["judge"] for j in judges if j.get("judge_type") == "human"]
    parts = []
    if llm:
        parts.append("the labels and analyses of each LLM judge carry that model's licence or terms of use ("
                     + ", ".join(f"`{j}`" for j in llm) + ")")
    if human:
        parts.append("human annotations (" + ", ".join(f"`{j}`" for j in human) + ") are CC-BY-4.0")
    parts.append("the SpeechMap questions and responses they refer to are Apache-2.0")
    return "; ".join(parts) + "."


def splits_section(report: Mapping[str, Any] | None) -> str:
    if not report:
        return ""
    options = report.get("options", {})
    rows = report.get("rows", {})
    themes = report.get("themes", {})
    table = markdown_table(["split", "rows", "themes"], [(s, int(rows.get(s, 0)), int(themes.get(s, 0))) for s in rows])
    balance = markdown_table(["split", "label", "rows", "share"],
                             [(b["split"], b["label"], int(b["n"]), f"{100 * b['share']:.1f}%")
                              for b in report.get("balance", [])])
    counts = report.get("counts", {})
    counts_table = markdown_table(["count", "items"], [(k, int(v)) for k, v in counts.items()])
    return (
        f"{table}\n\nLabel balance per split:\n\n{balance}\n\n"
        f"Options: minimum LLM judges {options.get('min_judges')}, LLM judges "
        f"{', '.join(options.get('judges') or ['all'])}, human priority "
        f"{', '.join(options.get('human_judges') or ['newest annotation'])}, EVASIVE -> "
        f"{options.get('evasive')}, ERROR included: {options.get('include_error')}, seed {options.get('seed')}, "
        f"theme fractions {options.get('fractions')}.\n\nWhat was counted and left out:\n\n{counts_table}\n\n"
        "The label balance per domain is in `report.json` in this repository."
    )


def related_section(related: Mapping[str, str]) -> str:
    return "\n".join(f"- {name}: [`{repo}`](https://huggingface.co/datasets/{repo})" for name, repo in related.items())


def placeholders(ctx: CardContext) -> dict[str, str]:
    first = next(iter(ctx.configs))
    total = sum(ctx.rows[first].values())  # the main (default) config; e.g. not the judges list
    values = {
        "repo_id": ctx.repo_id,
        "size_category": size_category(total),
        "configs_yaml": yaml.safe_dump({"configs": configs_yaml(ctx.configs, first)}, sort_keys=False,
                                       allow_unicode=True).strip(),
        "language_yaml": yaml.safe_dump({"language": languages(ctx.question_sets)}).strip(),
        "rows_total": f"{total:,}",
        "rows_table": rows_section(ctx),
        "columns": columns_section(ctx),
        "build_date": build_date(ctx.build_report),
        "sources": "\n".join(f"- `{s}`" for s in build_sources(ctx.build_report)) or "- (not recorded)",
        "question_sets": ", ".join(f"`{s}`" for s in ctx.question_sets) or "(none)",
        "judges_table": judges_section(ctx.judges),
        "judges_count": str(len(ctx.judges)),
        "licence_note": licence_note(ctx.judges),
        "licence_note_yaml": json.dumps(licence_note(ctx.judges), ensure_ascii=False),
        "splits": splits_section(ctx.splits_report),
        "related": related_section(ctx.related),
    }
    values.update(ctx.extra)
    return values


def render_card(ctx: CardContext, templates: Path = TEMPLATES) -> str:
    """Fill `dataset_cards/<dataset>.md`; raise on a missing placeholder or front matter that does not parse."""
    template = Template((templates / f"{ctx.dataset}.md").read_text(encoding="utf-8"))
    try:
        text = template.substitute(placeholders(ctx))
    except KeyError as error:
        raise ValueError(f"card template {ctx.dataset}.md uses an unknown placeholder {error}") from None
    front_matter(text)
    return text


def front_matter(text: str) -> dict[str, Any]:
    """The YAML between the first two `---` lines of a card."""
    if not text.startswith("---\n"):
        raise ValueError("a card must start with YAML front matter (---)")
    end = text.index("\n---\n", 4)
    data = yaml.safe_load(text[4:end])
    if not isinstance(data, dict):
        raise ValueError("the card's front matter is not a mapping")
    return data
