"""`python -m toolkit build`: raw SpeechMap files -> canonical parquet tables + quarantine report.

Every non-empty input line ends either in a table or in `quarantine.jsonl` (`ingest.quarantine`).
Output is written to a temporary folder and moved into place only on success; OUT is replaced only
when it is empty or a previous build, and never when it holds or lies inside an input (`ingest.output`).

Matching rules (documented in the README):
- An analysis file `compliance_<stem>.jsonl` judges the responses of `responses/<stem>.jsonl` in the
  same raw folder, matched by question_id; where that file holds several responses to one question,
  the newest one is taken. "Newest" compares timestamps as instants (no offset = UTC).
- A judgement/annotation row names its response as `ingest.readers.judgements` describes.
- One judge judges a response once: of duplicates the newest is kept, the others are quarantined.
- A response to a question set that has a questions file must match a question in it; for sets
  without a questions file (e.g. a loose sample), the questions are derived from the responses.

`build` runs one short function per stage over a `BuildState`; each stage reads what the earlier ones
left there and adds its own tables.
"""
from __future__ import annotations

import errno
import json
import re
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
from tqdm import tqdm

from toolkit.core import labels as labelmap
from toolkit.core import schema
from toolkit.ingest.aliases import JUDGE_NAME, load_aliases
from toolkit.ingest.errors import BuildError, StrictBuildError
from toolkit.ingest.fields import (
    ANALYSIS_FIELDS,
    ANALYSIS_LIGHT_COLUMNS,
    ANALYSIS_POST_SQL,
    INSTANT,
    QUESTION_FIELDS,
    RESPONSE_FIELDS,
    RESPONSE_LIGHT_COLUMNS,
    RESPONSE_POST_SQL,
)
from toolkit.ingest.output import (
    check_apart,
    check_replaceable,
    exclusive,
    mark,
    staging_prefix,
    tidy,
)
from toolkit.ingest.readers.judgements import parse_named, read_judgement_file
from toolkit.ingest.readers.metadata import read_models
from toolkit.ingest.readers.pitti import read_pitti
from toolkit.ingest.readers.raw_layout import RawLayout, discover_raw, is_pitti_layout
from toolkit.ingest.staging import Builder
from toolkit.core.tables import atomic_folder, write_table

THEME_RULE = re.compile(r"^(.*\D)(\d)$")  # theme = question id without its final (single) digit
ASSESSMENT_COLUMNS = ["response_id", "judge", "judge_raw", "judge_type", "label_raw", "timestamp", "file",
                      "line", "pos"]


@dataclass
class BuildInputs:
    """What the command line asked for, checked to exist."""
    raw: list[Path]
    layouts: list[RawLayout]
    pitti_roots: list[Path]
    responses: list[str | Path]
    judgements: list[str]
    annotations: list[str]
    metadata: str | Path | None
    out: Path
    strict: bool

    def paths(self) -> list[Path]:
        """Every input file and folder (OUT must stay apart from all of them)."""
        named = [parse_named(s)[1] for s in self.judgements + self.annotations]
        return self.raw + [Path(p) for p in self.responses] + named + ([Path(self.metadata)] if self.metadata else [])


@dataclass
class BuildState:
    """The tables of a build, filled stage by stage."""
    inputs: BuildInputs
    builder: Builder
    bar: tqdm
    started: float
    questions: pa.Table | None = None            # from questions files (light, with file and line)
    sets_with_file: set[str] = field(default_factory=set)
    responses: pa.Table | None = None            # kept responses (light; heavy text is staged)
    locator: pa.Table | None = None              # where each response was found, duplicates included
    derived: pa.Table | None = None              # questions derived from responses
    assessment_parts: list[pa.Table] = field(default_factory=list)
    extra_questions: list[pa.Table] = field(default_factory=list)  # from PITTI folders
    assessments: pa.Table | None = None
    questions_out: pa.Table | None = None
    models_out: list[dict] = field(default_factory=list)
    missing_models: list[str] = field(default_factory=list)
    format_drift: dict[str, dict] = field(default_factory=dict)  # responses file -> count and lines
    judges_out: pa.Table | None = None
    report: dict = field(default_factory=dict)


def theme_and_variation(question_id: str) -> tuple[str, int | None]:
    """Theme = the question id without its final digit; variation = that digit (us_hard's 1-4).

    Ids that end in no digit, or in a multi-digit number (the legacy sets' `china_criticism_01`), are
    their own theme with no variation: stripping one digit of a running number would group unrelated
    questions.
    """
    match = THEME_RULE.match(question_id)
    if not match or not match.group(1):
        return question_id, None
    return match.group(1), int(match.group(2))


def _strings(*names: str) -> dict[str, pa.DataType]:
    """Column types of an empty light table: strings but for line numbers, positions and flags."""
    types = {"line": pa.int64(), "pos": pa.int64(), "has_text": pa.bool_()}
    return {n: types.get(n, pa.string()) for n in names}


# ------------------------------------------------------------------------------------------------
def build(raw: Iterable[str | Path] = (), metadata: str | Path | None = None,
          judgements: Iterable[str] = (), annotations: Iterable[str] = (),
          responses: Iterable[str | Path] = (), out: str | Path = "out", strict: bool = False,
          progress: bool = True, judge_aliases: str | Path | None = None) -> dict:
    """Build the canonical tables; returns the report (also written to OUT/build_report.json)."""
    started = time.time()
    try:  # hand freed memory back at once: a full build's high-water mark is what counts
        pa.jemalloc_set_decay_ms(0)
    except (NotImplementedError, pa.ArrowNotImplementedError):
        pass
    inputs = check_inputs(raw, metadata, judgements, annotations, responses, out, strict)
    check_apart(inputs.out, inputs.paths() + ([Path(judge_aliases)] if judge_aliases else []))
    with exclusive(inputs.out):
        tidied = tidy(inputs.out)
        check_replaceable(inputs.out)
        with tempfile.TemporaryDirectory(prefix=staging_prefix(inputs.out), dir=inputs.out.parent) as staging:
            mark(Path(staging))
            builder = Builder(load_aliases(Path(judge_aliases) if judge_aliases else None), Path(staging))
            builder.warnings.extend(tidied)
            for layout in inputs.layouts:
                builder.ignored.extend(str(p) for p in layout.ignored)
            bar = tqdm(desc="build", unit=" rows", disable=not progress, file=sys.stderr)
            return run_stages(BuildState(inputs, builder, bar, started))


def run_stages(state: BuildState) -> dict:
    """Every stage in order; a file that cannot be read or written ends the build in one sentence."""
    try:
        for stage in STAGES:
            stage(state)
            if STAGE_NAMES.get(stage):
                state.builder.lap(STAGE_NAMES[stage])
    except OSError as error:
        raise BuildError(os_error_sentence(error)) from error
    except (duckdb.IOException, duckdb.OutOfMemoryException) as error:
        raise BuildError(f"{str(error).splitlines()[0]}; the previous output was left as it was") from error
    finally:
        state.bar.close()  # before any error message
    return state.report


def check_inputs(raw, metadata, judgements, annotations, responses, out, strict) -> BuildInputs:
    """The inputs sorted into raw layouts and PITTI folders; a missing one is a BuildError."""
    inputs = BuildInputs([Path(r) for r in raw], [], [], list(responses), list(judgements), list(annotations),
                         metadata, Path(out), strict)
    for root in inputs.raw:
        if not root.exists():
            raise BuildError(f"--raw {root}: no such folder")
        if is_pitti_layout(root):
            inputs.pitti_roots.append(root)
        else:
            inputs.layouts.append(discover_raw(root))
    for path in inputs.responses + [parse_named(s)[1] for s in inputs.judgements + inputs.annotations]:
        if not Path(path).exists():
            raise BuildError(f"{path}: no such file")
        if not Path(path).is_file():
            raise BuildError(f"{path}: is a folder, not a file")
    if metadata is not None and not Path(metadata).is_dir():
        raise BuildError(f"--metadata {metadata}: not a folder (expected model_metadata.json and lab_metadata.jsonl in it)")
    return inputs


def os_error_sentence(error: OSError) -> str:
    """One sentence for a file the build could not read or write; OUT is left as it was."""
    where = f" ({error.filename})" if error.filename else ""
    if error.errno == errno.ENOSPC:
        return f"no space left on the device{where}; the previous output was left as it was"
    if isinstance(error, PermissionError):
        return f"permission denied{where}; the previous output was left as it was"
    return f"{error.strerror or error}{where}; the previous output was left as it was"


# ------------------------------------------------------------------------------------------------
def read_questions(state: BuildState) -> None:
    """Questions files; of duplicates (same set and id) the first is kept."""
    builder = state.builder
    files = [(p, {"stem": p.stem}) for layout in state.inputs.layouts for p in layout.questions]
    builder.read_json_files("questions", QUESTION_FIELDS, files, state.bar)
    questions = builder.table("questions", _strings("question_id", "text", "category", "domain", "file",
                                                    "line", "stem"))
    builder.forget("questions")
    questions = builder.sql(
        """SELECT *, coalesce(category, stem) AS question_set,
                  row_number() OVER (PARTITION BY coalesce(category, stem), question_id ORDER BY file, line) AS copy
           FROM q ORDER BY file, line""", q=questions)
    builder.quarantine.reject_rows(questions.filter(pc.greater(questions["copy"], 1)), "duplicate question")
    state.questions = questions.filter(pc.equal(questions["copy"], 1))
    state.sets_with_file = set(state.questions.column("question_set").to_pylist())


def read_responses(state: BuildState) -> None:
    """Responses: heavy content/reasoning to staging, the rest kept; duplicates and orphans quarantined."""
    builder = state.builder
    # A row without `category` belongs to the question set its file is named after (`<set>_<model>`).
    known_sets = sorted(state.sets_with_file, key=len, reverse=True)

    def context(path: Path, root: Path) -> dict:
        stem_set = next((s for s in known_sets if path.stem.startswith(s + "_")), None)
        return {"stem": path.stem, "root": str(root), "stem_set": stem_set}

    files = [(p, context(p, layout.root)) for layout in state.inputs.layouts for p in layout.responses]
    files += [(Path(p), context(Path(p), Path(p).parent)) for p in state.inputs.responses]
    builder.read_json_files("responses", RESPONSE_FIELDS, files, state.bar,
                            post_sql=RESPONSE_POST_SQL, heavy=("content", "reasoning"))
    staged = builder.table("responses", _strings(*RESPONSE_LIGHT_COLUMNS))
    builder.forget("responses")
    builder.quarantine.reject_rows(staged.filter(pc.is_null(staged["question_set"])), "missing field category")
    staged = staged.filter(pc.is_valid(staged["question_set"]))
    # Where each response was found, duplicates included: an analysis file matches its own copy.
    state.locator = staged.select(["root", "stem", "question_id", "response_id", "timestamp"])
    staged = builder.sql(
        """SELECT *, row_number() OVER (PARTITION BY response_id ORDER BY file, line) AS copy FROM s""", s=staged)
    builder.quarantine.reject_rows(staged.filter(pc.greater(staged["copy"], 1)),
                                   "duplicate response (same model, question and timestamp)", "question_id")
    staged = staged.filter(pc.equal(staged["copy"], 1))
    match_questions(state, staged)


def match_questions(state: BuildState, staged: pa.Table) -> None:
    """Responses to a set with a questions file must match a question in it; the questions of other
    sets come from the responses (first row with text)."""
    builder = state.builder
    staged = builder.sql(
        """SELECT s.*, (k.question_id IS NOT NULL) AS question_found FROM s
           LEFT JOIN k ON s.question_set = k.question_set AND s.question_id = k.question_id""",
        s=staged, k=state.questions.select(["question_set", "question_id"]))
    orphan = pc.and_(pc.is_in(staged["question_set"], pa.array(sorted(state.sets_with_file), pa.string())),
                     pc.invert(staged["question_found"]))
    builder.quarantine.reject_rows(staged.filter(orphan), "no matching question", "question_id")
    staged = staged.filter(pc.invert(orphan))
    state.derived = builder.sql(
        """SELECT question_set, question_id, arg_min(question, (file, line)) AS text,
                  arg_min(domain, (file, line)) AS domain
           FROM s WHERE NOT question_found GROUP BY ALL ORDER BY ALL""", s=staged)
    state.responses = builder.sql(
        f"""SELECT response_id, {schema.stable_id_sql('q', 'question_set', 'question_id')} AS question_uid,
                   question_id, question_set, model, timestamp, api_provider, provider, finish_reason,
                   response_status, response_status_reason, moderation_reason, original_response_error, has_text, root, stem, file, line, pos
            FROM s""", s=staged)
    builder.quarantine.count_written(state.responses)


def read_analysis(state: BuildState) -> None:
    """Analysis folders: each row matched to its response batch by batch (so that its text is staged
    by response_id): the newest kept response of its file stem and question."""
    builder = state.builder
    matches = builder.sql(
        f"""SELECT root, stem, question_id,
                  arg_max(response_id, ({INSTANT.format(col='timestamp')}, timestamp)) AS response_id
           FROM l SEMI JOIN k USING (response_id) GROUP BY ALL""",
        l=state.locator, k=state.responses.select(["response_id"]))
    state.locator = None
    files = [(path, {"stem": path.stem[len("compliance_"):], "root": str(layout.root), "folder_judge": judge})
             for layout in state.inputs.layouts for judge, path in layout.analysis]
    builder.read_json_files("assessments", ANALYSIS_FIELDS, files, state.bar,
                            post_sql=ANALYSIS_POST_SQL, heavy=("analysis",), report_kind="analysis",
                            post_tables={"r": matches})
    analysis = builder.table("assessments", _strings(*ANALYSIS_LIGHT_COLUMNS))
    builder.forget("assessments")
    unmatched = pc.is_null(analysis["response_id"])
    builder.quarantine.reject_rows(analysis.filter(unmatched), "no matching response", "question_id")
    analysis = analysis.filter(pc.invert(unmatched))
    judge_raw = pc.coalesce(analysis["judge_model"], analysis["folder_judge"])
    no_judge = pc.is_null(judge_raw)
    builder.quarantine.reject_rows(analysis.filter(no_judge), "missing field judge_model")
    odd = pc.invert(pc.match_substring_regex(judge_raw, JUDGE_NAME))
    builder.quarantine.reject_rows(analysis.filter(pc.and_(pc.invert(no_judge), odd)),
                                   "judge name has no letters or digits", "judge_model")
    keep = pc.and_(pc.invert(no_judge), pc.invert(odd))
    analysis, judge_raw = analysis.filter(keep), judge_raw.filter(keep)
    alias_table = pa.table({"judge_raw": pa.array(list(builder.aliases), pa.string()),
                            "judge": pa.array(list(builder.aliases.values()), pa.string())})
    state.assessment_parts.append(builder.sql(
        """SELECT a.response_id, coalesce(x.judge, a.judge_raw) AS judge, a.judge_raw, 'llm' AS judge_type,
                  a.label_raw, a.timestamp, a.file, a.line, a.pos, true AS speechmap_codes
           FROM a LEFT JOIN x USING (judge_raw)""",
        a=analysis.select(["response_id", "compliance", "timestamp", "file", "line", "pos"])
                  .rename_columns(["response_id", "label_raw", "timestamp", "file", "line", "pos"])
                  .append_column("judge_raw", judge_raw), x=alias_table))


def read_judgement_files(state: BuildState) -> None:
    """--judgements and --annotations files, matched to the kept responses."""
    keys = state.responses.select(["response_id", "model", "question_set", "question_id", "timestamp"])
    specs = [(s, None) for s in state.inputs.judgements] + [(s, "human") for s in state.inputs.annotations]
    for spec, judge_type in specs:
        table = read_judgement_file(state.builder, spec, judge_type, keys, state.bar)
        state.assessment_parts.append(state.builder.stage("assessments", table, ("analysis",)))


def read_pitti_folders(state: BuildState) -> None:
    """The published PITTI parquet layout: its questions, responses and assessments added."""
    builder = state.builder
    for root in state.inputs.pitti_roots:
        questions, responses, assessments = read_pitti(builder, root)
        state.extra_questions.append(questions)
        state.responses = pa.concat_tables(
            [state.responses, builder.stage("responses", responses, ("content", "reasoning"))],
            promote_options="permissive")
        state.assessment_parts.append(builder.stage("assessments", assessments, ("analysis",)))


def keep_newest_judgements(state: BuildState) -> None:
    """One judge judges a response once: of duplicates the newest is kept, the others quarantined."""
    builder = state.builder
    assessments = pa.concat_tables(
        [p.select([c for c in (*ASSESSMENT_COLUMNS, "speechmap_codes") if c in p.column_names])
         for p in state.assessment_parts], promote_options="permissive")
    state.assessment_parts = []
    # SpeechMap's analysis files: only SpeechMap's own codes count (its `compliance` field); other
    # inputs (PITTI's `pitti_compliance`, judgement and annotation files) may use PITTI's finer codes.
    label = (f"CASE WHEN speechmap_codes THEN {labelmap.canonical_sql('label_raw', fine_codes=False)} "
             f"ELSE {labelmap.canonical_sql('label_raw')} END")
    assessments = builder.sql(
        f"""SELECT * EXCLUDE (speechmap_codes), {label} AS label,
                   row_number() OVER (PARTITION BY response_id, judge
                                      ORDER BY {INSTANT.format(col='timestamp')} DESC NULLS LAST,
                                               file DESC, line DESC) AS copy
            FROM a""", a=assessments)
    duplicate = pc.greater(assessments["copy"], 1)
    builder.quarantine.reject_rows(assessments.filter(duplicate), "duplicate judgement (kept the newest)", "judge")
    state.assessments = assessments.filter(pc.invert(duplicate)).drop_columns(["copy"])
    builder.quarantine.count_written(state.assessments)


def find_format_drift(state: BuildState) -> None:
    """SpeechMap's format-drift signal: a COMPLETE verdict on a response from which no text could be
    extracted (and that no provider moderated) means its shape has drifted past the parser. Listed
    per responses file; --strict refuses."""
    drift = state.builder.sql(
        """SELECT CAST(file AS VARCHAR) AS file, list(line ORDER BY line) AS lines FROM r
           WHERE has_text = false AND moderation_reason IS NULL
             AND response_id IN (SELECT response_id FROM a WHERE label = 'COMPLETE')
           GROUP BY ALL ORDER BY file""",
        r=state.responses.select(["response_id", "file", "line", "has_text", "moderation_reason"]),
        a=state.assessments.select(["response_id", "label"]))
    for row in drift.to_pylist():
        state.format_drift[row["file"]] = {"complete_without_text": len(row["lines"]), "lines": row["lines"]}
        state.builder.warnings.append(f"{row['file']}: {len(row['lines'])} responses judged COMPLETE have no "
                                      "extractable text (format drift?)")


def small_tables(state: BuildState) -> None:
    """Questions (with theme and variation), models (with metadata) and judges."""
    builder = state.builder
    builder.quarantine.count_written(state.questions)
    question_rows = builder.sql(
        """SELECT question_set, question_id, text, domain FROM q
           UNION ALL SELECT question_set, question_id, text, domain FROM d""", q=state.questions, d=state.derived)
    for extra in state.extra_questions:
        question_rows = pa.concat_tables([question_rows, extra], promote_options="permissive")
    qids = question_rows["question_id"].to_pylist()
    qsets = question_rows["question_set"].to_pylist()
    themes = [theme_and_variation(q) for q in qids]
    state.questions_out = pa.table({
        "question_uid": [schema.question_uid(s, q) for s, q in zip(qsets, qids)],
        "question_id": qids, "question_set": qsets, "domain": question_rows["domain"],
        "theme": [t for t, _ in themes], "variation": pa.array([v for _, v in themes], pa.int8()),
        "text": question_rows["text"],
    })
    models = builder.sql("SELECT DISTINCT model FROM r ORDER BY model", r=state.responses.select(["model"]))
    metadata = state.inputs.metadata
    state.models_out, state.missing_models = read_models(
        builder.quarantine, Path(metadata) if metadata else None, models["model"].to_pylist())
    state.judges_out = builder.sql(
        """SELECT judge, list_sort(list_distinct(list(judge_raw) FILTER (WHERE judge_raw <> judge))) AS aliases,
                  mode(judge_type) AS judge_type, count(*) AS assessments
           FROM a GROUP BY judge ORDER BY judge""", a=state.assessments.select(["judge", "judge_raw", "judge_type"]))


def make_report(state: BuildState) -> None:
    """build_report.json: counts per table, per file and per reason; --strict stops here."""
    state.bar.close()
    builder, inputs = state.builder, state.inputs
    totals = builder.quarantine.totals()
    state.report = {
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "inputs": {"raw": [str(r) for r in inputs.raw], "responses": [str(p) for p in inputs.responses],
                   "metadata": str(inputs.metadata) if inputs.metadata else None,
                   "judgements": inputs.judgements, "annotations": inputs.annotations},
        "tables": {"questions": state.questions_out.num_rows, "responses": state.responses.num_rows,
                   "assessments": state.assessments.num_rows, "models": len(state.models_out),
                   "judges": len(state.judges_out)},
        "totals": totals,
        "quarantine_reasons": builder.quarantine.reasons(),
        "questions_derived_from_responses": state.derived.num_rows,
        **label_counts(builder, state.assessments),
        "models_without_metadata": state.missing_models,
        "format_drift": state.format_drift,
        "ignored_files": builder.ignored,
        "warnings": builder.warnings,
        "files": builder.quarantine.file_dicts(),
    }
    if inputs.strict and (totals["quarantined"] or state.format_drift):
        raise StrictBuildError(state.report)


def label_counts(builder: Builder, assessments: pa.Table) -> dict:
    """Assessments per judge, labels per judge, and the raw labels that mapped to UNKNOWN."""
    per_judge = builder.sql("SELECT judge, label, count(*) AS n FROM a GROUP BY ALL ORDER BY ALL",
                            a=assessments.select(["judge", "label"])).to_pylist()
    labels_per_judge: dict[str, dict[str, int]] = defaultdict(dict)
    for row in per_judge:
        labels_per_judge[row["judge"]][row["label"]] = row["n"]
    unknown = builder.sql("SELECT label_raw, count(*) AS n FROM a WHERE label = 'UNKNOWN' GROUP BY ALL "
                          "ORDER BY n DESC, label_raw", a=assessments.select(["label_raw", "label"])).to_pylist()
    return {"assessments_per_judge": {j: sum(c.values()) for j, c in sorted(
                labels_per_judge.items(), key=lambda item: -sum(item[1].values()))},
            "labels_per_judge": dict(sorted(labels_per_judge.items())),
            "unknown_labels": {row["label_raw"]: row["n"] for row in unknown}}


def write_output(state: BuildState) -> None:
    """Small tables directly, large ones merged with their staged text, all into OUT at once."""
    builder = state.builder
    final_keys = state.responses.select(["response_id", "question_id", "question_set", "model"])
    assessments = builder.sql(
        f"""SELECT a.*, {schema.stable_id_sql('a', 'a.response_id', 'a.judge')} AS assessment_id,
                   r.question_id, r.question_set, r.model
            FROM a JOIN r USING (response_id)""", a=state.assessments, r=final_keys)
    state.assessments = None
    with atomic_folder(state.inputs.out) as tmp:
        mark(tmp)  # first: a stopped build's folder is then known as ours
        write_table(tmp, "questions", state.questions_out)
        write_table(tmp, "models", state.models_out)
        write_table(tmp, "judges", state.judges_out)
        responses, state.responses = state.responses.drop_columns(["root", "stem"]), None
        builder.merge_write(responses, "responses", schema.RESPONSES, tmp / "responses")
        del responses
        builder.lap("write responses")
        builder.merge_write(assessments, "assessments", schema.ASSESSMENTS, tmp / "assessments")
        builder.lap("write assessments")
        state.report["seconds"] = round(time.time() - state.started, 2)
        state.report["phase_seconds"] = builder.phases
        builder.quarantine.fill_snippets()
        builder.quarantine.write(tmp / "quarantine.jsonl")
        (tmp / "build_report.json").write_text(json.dumps(state.report, indent=2, ensure_ascii=False))


STAGES = [read_questions, read_responses, read_analysis, read_judgement_files, read_pitti_folders,
          keep_newest_judgements, find_format_drift, small_tables, make_report, write_output]
# Laps of the report's `phase_seconds`; the write stage times its own two parts.
STAGE_NAMES = {read_questions: "questions", read_responses: "responses", read_analysis: "analysis",
               read_judgement_files: "judgement files", read_pitti_folders: "pitti and duplicates",
               keep_newest_judgements: "pitti and duplicates", find_format_drift: "pitti and duplicates",
               small_tables: "small tables and report",
               make_report: "small tables and report"}
