"""`python -m toolkit build`: raw SpeechMap files -> canonical parquet tables + quarantine report.

Every non-empty input line ends either in a table or in `quarantine.jsonl` (file, line, reason and a
truncated copy), and `build_report.json` balances per file: lines read = rows written + quarantined.
Output is written to a temporary folder and moved into place only on success.

Matching rules (documented in the README):
- An analysis file `compliance_<stem>.jsonl` judges the responses of `responses/<stem>.jsonl` in the
  same raw folder, matched by question_id; where that file holds several responses to one question,
  the newest one is taken.
- A judgement/annotation row names its response by `response_id`, or by `model` + `question_id`
  (+ `question_set`/`category`), or by SpeechMap's `key` = `model::question_id`. Of several candidates
  in one question set, the one whose timestamp equals the row's `response_timestamp` (or `timestamp`)
  wins, else the newest (judge files' `timestamp` is often the judging time, not the response's);
  candidates in several question sets are ambiguous.
- One judge judges a response once: of duplicates the newest is kept, the others are quarantined.
- A response to a question set that has a questions file must match a question in it; for sets
  without a questions file (e.g. a loose sample), the questions are derived from the responses.
"""
from __future__ import annotations

import json
import os
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict, deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from tqdm import tqdm

from toolkit.core import labels as labelmap
from toolkit.core import schema
from toolkit.ingest import readers
from toolkit.ingest.readers import Field, JsonBatchReader
from toolkit.storage.tables import atomic_folder, write_sorted_by_response, write_table

BATCH_BYTES = 64 << 20   # lines handed to DuckDB at once: bounds memory on full-scale builds
MEMORY_LIMIT = "1GB"     # DuckDB's own limit for joins; past it, it spills to the staging folder
READ_AHEAD = 8           # files read and split into lines ahead of the parser
WRITE_THREADS = min(4, os.cpu_count() or 1)  # final parquet files compressed at once
THEME_RULE = re.compile(r"^(.*\D)(\d)$")  # theme = question id without its final (single) digit

QUESTION_FIELDS = [
    Field("question_id", ("$.id", "$.question_id"), required=True),
    Field("text", ("$.question", "$.text"), required=True),
    Field("category", ("$.category", "$.question_set")),
    Field("domain", ("$.domain",)),
]
RESPONSE_FIELDS = [
    Field("question_id", ("$.question_id",), required=True),
    Field("model", ("$.model",), required=True),
    Field("timestamp", ("$.timestamp",), required=True),
    Field("response", ("$.response",), "key", required=True),     # present (its value is not copied)
    Field("response_text", ("$.response",), "key_string"),        # older rows: the answer as a string
    Field("category", ("$.category",)),
    Field("question", ("$.question",)),
    Field("domain", ("$.domain",)),
    Field("api_provider", ("$.api_provider",)),
    Field("top_provider", ("$.provider",)),
    Field("given_status", ("$.response_status",)),
    Field("given_status_reason", ("$.response_status_reason",)),
    Field("message_text", ("$.response.choices[0].message.content",)),          # OpenAI
    Field("message_parts", ("$.response.choices[0].message.content",), "array"),  # OpenAI content parts
    Field("message_reasoning", ("$.response.choices[0].message.reasoning",
                                "$.response.choices[0].message.reasoning_content"), "any"),
    Field("finish_reason", ("$.response.choices[0].finish_reason", "$.response.stop_reason"), "any"),
    Field("response_provider", ("$.response.provider",), "any"),
    Field("error_code", ("$.response.error.code",), "any"),
    Field("error_message", ("$.response.error.message",), "any"),
    Field("blocks_text", ("$.response.content",)),
    Field("blocks", ("$.response.content",), "array"),                          # Anthropic content blocks
    Field("standardized_content", ("$.response._llm_client.standardized_response.content",), "any"),
]
ANALYSIS_FIELDS = [
    Field("question_id", ("$.question_id",), required=True),
    Field("compliance", ("$.compliance",), required=True),
    Field("judge_model", ("$.judge_model",)),
    Field("judge_analysis", ("$.judge_analysis",)),
    Field("raw_judge_response", ("$.raw_judge_response", "$.raw_response")),
    Field("timestamp", ("$.timestamp",), "any"),
    Field("category", ("$.category",)),
    Field("model", ("$.model",)),
]

# The text of typed parts (`{"type": "text", "text": ...}`) of a JSON array, concatenated.
_PARTS = ("array_to_string(list_transform(list_filter(CAST(json_extract({col}, '$[*]') AS JSON[]), "
          "lambda b: b->>'type' = '{kind}'), lambda b: b->>'{key}'), '')")
# Content of a response in every provider shape; the first non-empty wins.
CONTENT_SQL = f"""coalesce(
    nullif(response_text, ''), nullif(message_text, ''),
    nullif({_PARTS.format(col='message_parts', kind='text', key='text')}, ''),
    nullif(standardized_content, ''),
    nullif({_PARTS.format(col='blocks', kind='text', key='text')}, ''), nullif(blocks_text, ''))"""
REASONING_SQL = f"""coalesce(message_reasoning,
    nullif({_PARTS.format(col='blocks', kind='thinking', key='thinking')}, ''))"""
# Per batch: reduce the extracted fields to what the responses table keeps; status derived when absent.
RESPONSE_POST_SQL = f"""
SELECT idx, problem, question_id, model, timestamp, category, question, domain, api_provider,
       coalesce(response_provider, top_provider) AS provider, finish_reason,
       coalesce(content_found, '{schema.EMPTY_CONTENT}') AS content, reasoning,
       coalesce(given_status,
         CASE WHEN error_code IS NOT NULL OR error_message IS NOT NULL THEN
                CASE WHEN error_code = '403' OR lower(error_message) LIKE '%moderat%'
                     THEN 'moderation' ELSE 'provider_error' END
              WHEN finish_reason = 'content_filter' THEN 'moderation'
              WHEN finish_reason IN ('length', 'max_tokens') THEN 'truncation'
              WHEN content_found IS NULL THEN 'empty_response'
              ELSE 'success' END) AS response_status,
       coalesce(given_status_reason,
         CASE WHEN error_code IS NOT NULL OR error_message IS NOT NULL
              THEN 'error:' || coalesce(error_code, '') || ' ' || coalesce(error_message, '')
              WHEN finish_reason IS NOT NULL THEN 'finish_reason:' || finish_reason END) AS response_status_reason,
       question_set,
       CASE WHEN question_set IS NOT NULL
            THEN {schema.stable_id_sql('r', 'model', 'question_set', 'question_id', 'timestamp')} END AS response_id,
       file, line, stem, root
FROM (SELECT *, CASE WHEN trim(content_raw) <> '' THEN content_raw END AS content_found,
             coalesce(category, stem_set) AS question_set
      FROM (SELECT *, {CONTENT_SQL} AS content_raw, {REASONING_SQL} AS reasoning FROM e))"""
RESPONSE_LIGHT_COLUMNS = ("question_id", "model", "timestamp", "category", "question", "domain", "api_provider",
                          "provider", "finish_reason", "response_status", "response_status_reason",
                          "question_set", "response_id", "file", "line", "stem", "root", "pos")
ANALYSIS_POST_SQL = """
SELECT idx, problem, e.question_id, compliance, judge_model, timestamp, category, model,
       coalesce(judge_analysis, raw_judge_response) AS analysis, file, line, e.stem, e.root, folder_judge,
       r.response_id
FROM e LEFT JOIN r ON e.root = r.root AND e.stem = r.stem AND e.question_id = r.question_id"""
ANALYSIS_LIGHT_COLUMNS = ("question_id", "compliance", "judge_model", "timestamp", "category", "model",
                          "file", "line", "stem", "root", "folder_judge", "response_id", "pos")


@dataclass
class FileReport:
    kind: str
    lines_read: int = 0
    rows_written: int = 0
    quarantined: Counter = field(default_factory=Counter)

    def as_dict(self) -> dict:
        return {"kind": self.kind, "lines_read": self.lines_read, "rows_written": self.rows_written,
                "quarantined": dict(sorted(self.quarantined.items())),
                "balanced": self.lines_read == self.rows_written + sum(self.quarantined.values())}


class BuildError(Exception):
    """A build that cannot start (bad options, missing folders): a clear message, no traceback."""


class StrictBuildError(BuildError):
    """--strict and something was quarantined: nothing is written, the previous OUT stays."""

    def __init__(self, report: dict):
        self.report = report
        super().__init__(f"--strict: {report['totals']['quarantined']:,} rows would be quarantined; "
                         "nothing was written")


class Builder:
    """Reads inputs batch by batch. Heavy text columns (response content and reasoning, judges'
    analyses) go straight to staging parquet files keyed by a row position `pos`; only the light
    columns stay in memory for matching and de-duplication, and the final tables are written by a
    streaming DuckDB join of the two. This bounds memory on full-scale builds."""

    def __init__(self, aliases: dict[str, str], progress: bool, staging: Path):
        self.staging = staging
        self.con = duckdb.connect(":memory:")
        self.con.execute("SET enable_progress_bar = false")  # the build shows its own
        self.con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
        self.con.execute(f"SET temp_directory = '{staging / 'spill'}'")
        self.aliases = aliases
        self.progress = progress
        self.files: dict[str, FileReport] = {}
        self.quarantine: list[dict] = []
        self.ignored: list[str] = []
        self.warnings: list[str] = []
        self.frames: dict[str, list[pa.Table]] = defaultdict(list)
        self.writers: dict[tuple[str, str], pa.ipc.RecordBatchStreamWriter] = {}  # (kind, bucket)
        self.positions: Counter = Counter()
        self.heavy: dict[str, tuple[str, ...]] = {}  # staged column names per kind
        self.phases: dict[str, float] = {}  # seconds per build step, in the report
        self._lap = time.perf_counter()

    def lap(self, name: str) -> None:
        """Close the current build step: its seconds go to the report's `phase_seconds`."""
        now = time.perf_counter()
        self.phases[name] = round(self.phases.get(name, 0.0) + now - self._lap, 2)
        self._lap = now

    # -- bookkeeping ---------------------------------------------------------------------------
    def report_for(self, path: Path | str, kind: str) -> FileReport:
        return self.files.setdefault(str(path), FileReport(kind))

    def reject(self, file: str, line: int | None, reason: str, text: str = "", detail: str = "") -> None:
        self.files[file].quarantined[reason] += 1
        entry = {"file": file, "line": line, "reason": reason, "snippet": readers.snippet(text)}
        if detail:
            entry["detail"] = detail
        self.quarantine.append(entry)

    def reject_rows(self, rows: pa.Table, reason: str, detail_column: str | None = None) -> None:
        """Quarantine rows of a staged table (needs file, line; optional detail column)."""
        files = rows.column("file").to_pylist()
        lines = rows.column("line").to_pylist()
        details = rows.column(detail_column).to_pylist() if detail_column else [""] * len(files)
        for file, line, detail in zip(files, lines, details):
            self.reject(file, line, reason, detail=str(detail or ""))

    def count_written(self, rows: pa.Table) -> None:
        """Rows of a final table, counted against the input file each came from."""
        counts = self.sql("SELECT file, count(*) AS n FROM r GROUP BY file", r=rows.select(["file"]))
        for file, n in zip(counts["file"].to_pylist(), counts["n"].to_pylist()):
            self.files[file].rows_written += n

    # -- staging of heavy columns --------------------------------------------------------------
    # Heavy text is staged once, already split into 16 buckets by the first hex digit of its
    # response_id (ids are uniform hashes), as uncompressed Arrow IPC: writing it is a copy, where
    # parquet would encode every text once more. Each bucket is later sorted and written on its own.
    def stage(self, kind: str, table: pa.Table, heavy: tuple[str, ...]) -> pa.Table:
        """Write the heavy columns (with a fresh `pos`) to their buckets; return the light rest with
        `pos`. Rows without a response_id are not staged: they are quarantined later."""
        start = self.positions[kind]
        self.positions[kind] += table.num_rows
        self.heavy[kind] = heavy
        pos = pa.array(np.arange(start, start + table.num_rows, dtype=np.int64))
        heavy_table = pa.table([pos] + [table.column(c).cast(pa.string()) for c in heavy], names=["pos", *heavy])
        digit = pc.fill_null(pc.utf8_slice_codeunits(table.column("response_id").cast(pa.string()), 0, 1), "")
        order = pc.sort_indices(digit)  # stable: each bucket's rows stay in `pos` order
        grouped = digit.take(order).to_numpy(zero_copy_only=False)
        heavy_table = heavy_table.take(order)
        values, firsts = np.unique(grouped, return_index=True)
        ends = list(firsts[1:]) + [len(grouped)]
        for value, first, end in zip(values, firsts, ends):
            if not value:  # no response_id
                continue
            if (kind, value) not in self.writers:
                self.writers[kind, value] = pa.ipc.new_stream(
                    pa.OSFile(str(self.bucket_file(kind, value)), "wb"), heavy_table.schema)
            self.writers[kind, value].write_table(heavy_table.slice(first, end - first))
        # A copy: columns imported from DuckDB keep their whole record batch (heavy text included)
        # alive for as long as any one of them is referenced.
        light = table.drop_columns(list(heavy)).append_column("pos", pos)
        return light.take(pa.array(np.arange(light.num_rows)))

    def bucket_file(self, kind: str, value: str) -> Path:
        return self.staging / f"{kind}-bucket-{value}.arrow"

    # -- JSON line files -----------------------------------------------------------------------
    def read_json_files(self, kind: str, fields: list[Field], files: list[tuple[Path, dict]],
                        bar: tqdm | None, post_sql: str | None = None, heavy: tuple[str, ...] = (),
                        report_kind: str | None = None, post_tables: dict[str, pa.Table] | None = None) -> None:
        """Parse files in batches; good rows (light columns) go to self.frames[kind].

        `post_sql` (over table `e`, the extracted fields plus file, line and the file's context, and
        the `post_tables`) reduces each batch to the columns kept; `heavy` names the columns sent to
        staging (the batch then needs a response_id)."""
        reader = JsonBatchReader(self.con, fields, post_sql)
        pending: list[tuple[str, pa.Array, np.ndarray, dict]] = []
        pending_bytes = 0

        def flush() -> None:
            nonlocal pending, pending_bytes
            if not pending:
                return
            lines = pa.chunked_array([p[1] for p in pending], pa.large_string())
            # Per-row file, line and context, as dictionary columns (one entry per file).
            sizes = np.array([len(p[1]) for p in pending], np.int64)
            file_index = np.repeat(np.arange(len(pending), dtype=np.int32), sizes)
            numbers = np.concatenate([p[2] for p in pending])
            columns = {"file": pa.DictionaryArray.from_arrays(pa.array(file_index),
                                                              pa.array([p[0] for p in pending], pa.string())),
                       "line": pa.array(numbers, pa.int64())}
            for key in pending[0][3]:
                columns[key] = pa.DictionaryArray.from_arrays(
                    pa.array(file_index), pa.array([p[3][key] for p in pending], pa.string()))
            good = reader.extract(lines, columns, post_tables)
            problems = good.column("problem")
            bad = np.flatnonzero(~np.asarray(pc.is_null(problems).to_numpy(zero_copy_only=False), bool))
            if len(bad):  # rare: quarantined one by one with their text
                where = good.column("idx").to_numpy()
                for i in sorted(bad, key=lambda b: where[b]):
                    row = int(where[i])
                    self.reject(pending[file_index[row]][0], int(numbers[row]), problems[int(i)].as_py(),
                                lines[row].as_py().rstrip("\r\n"))
                good = good.filter(pc.is_null(problems))
            good = good.drop_columns(["idx", "problem"])
            del lines
            staged.append(stager.submit(keep, good))
            while len(staged) > 1:  # one batch staged while the next is parsed: bounded memory
                staged.popleft().result()
            pending, pending_bytes = [], 0

        def keep(good: pa.Table) -> None:
            if heavy:
                good = self.stage(kind, good, heavy)
            self.frames[kind].append(good)
            if bar is not None:
                bar.update(good.num_rows)

        # A pipeline of three threads: files are read and split into lines ahead (`reading`), DuckDB
        # parses in this thread, and the previous batch's text is staged (`stager`) meanwhile. Each
        # stage is one thread, so the order of rows, positions and reports stays fixed.
        with ThreadPoolExecutor(max_workers=1) as reading, ThreadPoolExecutor(max_workers=1) as stager:
            ahead: deque = deque()
            staged: deque = deque()
            queue = iter(files)
            for path, context in queue:
                ahead.append((path, context, reading.submit(read_lines, path)))
                if len(ahead) >= READ_AHEAD:
                    break
            while ahead:
                path, context, future = ahead.popleft()
                following = next(queue, None)
                if following is not None:
                    ahead.append((*following, reading.submit(read_lines, following[0])))
                lines, numbers, problems = future.result()
                report = self.report_for(path, report_kind or kind)
                for problem in problems:
                    self.reject(str(path), problem.line, problem.reason, problem.snippet)
                report.lines_read += len(problems) + len(lines)
                if not report.lines_read:
                    self.warnings.append(f"{path}: empty file")
                pending.append((str(path), lines, numbers, context))
                pending_bytes += lines.nbytes
                if pending_bytes >= BATCH_BYTES:
                    flush()
            flush()
            while staged:
                staged.popleft().result()

    def table(self, kind: str, columns: dict[str, pa.DataType]) -> pa.Table:
        """All light rows of one kind as one Arrow table (empty with the given columns when none)."""
        if self.frames[kind]:
            return pa.concat_tables(self.frames.pop(kind), promote_options="permissive")
        return pa.schema(list(columns.items())).empty_table()

    def judge_name(self, raw: str | None) -> str | None:
        return None if raw is None else self.aliases.get(raw, raw)

    def sql(self, query: str, **tables: Any) -> pa.Table:
        for name, table in tables.items():
            self.con.register(name, table)
        try:
            return self.con.sql(query).to_arrow_table()
        finally:
            for name in tables:
                self.con.unregister(name)

    def merge_write(self, light: pa.Table, kind: str, target: pa.Schema, folder: Path) -> None:
        """Write a final table: the kept light rows with their heavy columns from the staged buckets,
        sorted by response_id in small row groups (`tables.write_sorted_by_response`).

        Each bucket, a sixteenth of the data, becomes its own `part-<digit>.parquet`, several at once
        (compressing the text is the costly part); file names sort like the ids, so the folder read in
        name order is sorted by response_id."""
        for key in [k for k in self.writers if k[0] == kind]:
            self.writers.pop(key).close()
        if "source" in target.names and "source" not in light.column_names:
            light = light.append_column("source", pc.binary_join_element_wise(
                light.column("file").cast(pa.string()), light.column("line").cast(pa.string()), ":"))
        digit = pc.utf8_slice_codeunits(light.column("response_id"), 0, 1)
        values = sorted(v for v in pc.unique(digit).to_pylist() if v is not None)
        order = [("response_id", "ascending")] + [("judge", "ascending")] * ("judge" in target.names)
        heavy_names = self.heavy.get(kind, ())
        folder.mkdir(parents=True, exist_ok=True)

        def write_bucket(value: str) -> None:
            rows = light.filter(pc.equal(digit, value)).sort_by(order)
            bucket = self.bucket_file(kind, value)
            with pa.OSFile(str(bucket)) as source:
                heavy = pa.ipc.open_stream(source).read_all()
            staged = heavy.column("pos").to_numpy()  # increasing: staged in `pos` order
            wanted = rows.column("pos").to_numpy()
            found = np.searchsorted(staged, wanted)
            if len(wanted) and (found.max() >= len(staged) or not np.array_equal(staged[found], wanted)):
                raise RuntimeError(f"{kind}: rows of bucket {value} not found in the staging file")
            heavy = heavy.take(pa.array(found))
            table = pa.Table.from_arrays(
                [(heavy.column(f.name) if f.name in heavy_names else rows.column(f.name)).cast(f.type)
                 for f in target], schema=target)
            del heavy, rows
            write_sorted_by_response(table, folder / f"part-{value}.parquet")
            bucket.unlink()

        if not values:
            write_sorted_by_response(target.empty_table(), folder / "part-0.parquet")
        with ThreadPoolExecutor(max_workers=WRITE_THREADS) as pool:
            list(pool.map(write_bucket, values))


def read_lines(path: Path) -> tuple[pa.Array, np.ndarray, list[readers.Problem]]:
    """A file's non-empty lines (Arrow, zero-copy), their line numbers, and its undecodable lines."""
    found = readers.arrow_lines(path)
    if found is not None:
        return *found, []
    slow = readers.read_lines(path)  # not valid UTF-8: find the bad lines one by one, keep the rest
    return pa.array(slow.texts, pa.large_string()), np.array(slow.numbers, np.int64), slow.problems


def load_aliases(path: Path | None) -> dict[str, str]:
    """The judge alias table: canonical name -> spellings, shipped as data, overridable by a file."""
    table = json.loads((Path(__file__).resolve().parents[1] / "resources" / "judge_aliases.json").read_text())
    if path is not None:
        table.update(json.loads(Path(path).read_text()))
    mapping = {}
    for canonical, spellings in table.items():
        if canonical.startswith("_"):
            continue
        for spelling in spellings:
            mapping[spelling] = canonical
    return mapping


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


def parse_named(spec: str) -> tuple[str | None, Path]:
    """`NAME=PATH` names the judge of a judgement file; a plain PATH takes it from the rows."""
    if "=" in spec and not Path(spec).exists():
        name, _, path = spec.partition("=")
        return name, Path(path)
    return None, Path(spec)


def _strings(*names: str) -> dict[str, pa.DataType]:
    return {n: pa.int64() if n in ("line", "pos") else pa.string() for n in names}


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
    raw = [Path(r) for r in raw]
    judgements, annotations, responses = list(judgements), list(annotations), list(responses)
    layouts, pitti_roots = [], []
    for root in raw:
        if not root.exists():
            raise BuildError(f"--raw {root}: no such folder")
        if readers.is_pitti_layout(root):
            pitti_roots.append(root)
        else:
            layouts.append(readers.discover_raw(root))
    for path in responses + [parse_named(s)[1] for s in judgements + annotations]:
        if not Path(path).exists():
            raise BuildError(f"{path}: no such file")
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".build-staging-", dir=Path(out).parent) as staging:
        builder = Builder(load_aliases(Path(judge_aliases) if judge_aliases else None), progress, Path(staging))
        for layout in layouts:
            builder.ignored.extend(str(p) for p in layout.ignored)
        return _build(builder, layouts, pitti_roots, responses, judgements, annotations, metadata, out,
                      strict, progress, raw, started)


def _build(builder: Builder, layouts, pitti_roots, loose_responses, judgements, annotations, metadata,
           out, strict, progress, raw, started) -> dict:
    bar = tqdm(desc="build", unit=" rows", disable=not progress, file=sys.stderr)

    # 1. questions ----------------------------------------------------------------------------------
    question_files = [(p, {"stem": p.stem}) for layout in layouts for p in layout.questions]
    builder.read_json_files("questions", QUESTION_FIELDS, question_files, bar)
    questions = builder.table("questions", _strings("question_id", "text", "category", "domain", "file",
                                                    "line", "stem"))
    questions = builder.sql(
        """SELECT *, coalesce(category, stem) AS question_set,
                  row_number() OVER (PARTITION BY coalesce(category, stem), question_id ORDER BY file, line) AS copy
           FROM q ORDER BY file, line""", q=questions)
    builder.reject_rows(questions.filter(pc.greater(questions["copy"], 1)), "duplicate question")
    questions = questions.filter(pc.equal(questions["copy"], 1))
    sets_with_file = set(questions.column("question_set").to_pylist())

    builder.lap("questions")
    # 2. responses: heavy content/reasoning to staging, the rest here ------------------------------
    # A row without `category` belongs to the question set its file is named after (`<set>_<model>`).
    known_sets = sorted(sets_with_file, key=len, reverse=True)

    def context(path: Path, root: Path) -> dict:
        stem_set = next((s for s in known_sets if path.stem.startswith(s + "_")), None)
        return {"stem": path.stem, "root": str(root), "stem_set": stem_set}

    response_files = [(p, context(p, layout.root)) for layout in layouts for p in layout.responses]
    response_files += [(Path(p), context(Path(p), Path(p).parent)) for p in loose_responses]
    builder.read_json_files("responses", RESPONSE_FIELDS, response_files, bar,
                            post_sql=RESPONSE_POST_SQL, heavy=("content", "reasoning"))
    staged = builder.table("responses", _strings(*RESPONSE_LIGHT_COLUMNS))
    builder.reject_rows(staged.filter(pc.is_null(staged["question_set"])), "missing field category")
    staged = staged.filter(pc.is_valid(staged["question_set"]))
    # Where each response was found, duplicates included: an analysis file matches its own copy.
    locator = staged.select(["root", "stem", "question_id", "response_id", "timestamp"])
    staged = builder.sql(
        """SELECT *, row_number() OVER (PARTITION BY response_id ORDER BY file, line) AS copy FROM s""", s=staged)
    builder.reject_rows(staged.filter(pc.greater(staged["copy"], 1)),
                        "duplicate response (same model, question and timestamp)", "question_id")
    staged = staged.filter(pc.equal(staged["copy"], 1))
    staged = builder.sql(
        """SELECT s.*, (k.question_id IS NOT NULL) AS question_found FROM s
           LEFT JOIN k ON s.question_set = k.question_set AND s.question_id = k.question_id""",
        s=staged, k=questions.select(["question_set", "question_id"]))
    orphan = pc.and_(pc.is_in(staged["question_set"], pa.array(sorted(sets_with_file), pa.string())),
                     pc.invert(staged["question_found"]))
    builder.reject_rows(staged.filter(orphan), "no matching question", "question_id")
    staged = staged.filter(pc.invert(orphan))
    # Questions for sets that have no questions file come from the responses (first row with text).
    derived = builder.sql(
        """SELECT question_set, question_id, arg_min(question, (file, line)) AS text,
                  arg_min(domain, (file, line)) AS domain
           FROM s WHERE NOT question_found GROUP BY ALL ORDER BY ALL""", s=staged)
    responses = builder.sql(
        f"""SELECT response_id, {schema.stable_id_sql('q', 'question_set', 'question_id')} AS question_uid,
                   question_id, question_set, model, timestamp, api_provider, provider, finish_reason,
                   response_status, response_status_reason, root, stem, file, line, pos
            FROM s""", s=staged)
    del staged
    builder.count_written(responses)

    builder.lap("responses")
    # 3. assessments from analysis folders ----------------------------------------------------------
    # Each analysis row is matched to its response batch by batch (so that its text is staged by
    # response_id): the newest kept response of its file stem and question.
    matches = builder.sql(
        """SELECT root, stem, question_id, arg_max(response_id, timestamp) AS response_id
           FROM l SEMI JOIN k USING (response_id) GROUP BY ALL""", l=locator, k=responses.select(["response_id"]))
    del locator
    analysis_files = []
    for layout in layouts:
        for judge, path in layout.analysis:
            stem = path.stem[len("compliance_"):]
            analysis_files.append((path, {"stem": stem, "root": str(layout.root), "folder_judge": judge}))
    builder.read_json_files("assessments", ANALYSIS_FIELDS, analysis_files, bar,
                            post_sql=ANALYSIS_POST_SQL, heavy=("analysis",), report_kind="analysis",
                            post_tables={"r": matches})
    analysis = builder.table("assessments", _strings(*ANALYSIS_LIGHT_COLUMNS))
    del matches
    unmatched = pc.is_null(analysis["response_id"])
    builder.reject_rows(analysis.filter(unmatched), "no matching response", "question_id")
    analysis = analysis.filter(pc.invert(unmatched))
    no_judge = pc.and_(pc.is_null(analysis["judge_model"]), pc.is_null(analysis["folder_judge"]))
    builder.reject_rows(analysis.filter(no_judge), "missing field judge_model")
    analysis = analysis.filter(pc.invert(no_judge))
    judge_raw = pc.coalesce(analysis["judge_model"], analysis["folder_judge"])
    alias_table = pa.table({"judge_raw": pa.array(list(builder.aliases), pa.string()),
                            "judge": pa.array(list(builder.aliases.values()), pa.string())})
    assessments_parts = [builder.sql(
        """SELECT a.response_id, coalesce(x.judge, a.judge_raw) AS judge, a.judge_raw, 'llm' AS judge_type,
                  a.label_raw, a.timestamp, a.file, a.line, a.pos
           FROM a LEFT JOIN x USING (judge_raw)""",
        a=analysis.select(["response_id", "compliance", "timestamp", "file", "line", "pos"])
                  .rename_columns(["response_id", "label_raw", "timestamp", "file", "line", "pos"])
                  .append_column("judge_raw", judge_raw), x=alias_table)]
    del analysis

    builder.lap("analysis")
    # 4. judgement and annotation files -------------------------------------------------------------
    keys = responses.select(["response_id", "model", "question_set", "question_id", "timestamp"])
    for spec, judge_type in [(s, None) for s in judgements] + [(s, "human") for s in annotations]:
        table = read_judgement_file(builder, spec, judge_type, keys, bar)
        assessments_parts.append(builder.stage("assessments", table, ("analysis",)))

    builder.lap("judgement files")
    # 5. the published PITTI parquet layout ---------------------------------------------------------
    extra_questions = []
    for root in pitti_roots:
        q, r, a = read_pitti(builder, root)
        extra_questions.append(q)
        responses = pa.concat_tables([responses, builder.stage("responses", r, ("content", "reasoning"))],
                                     promote_options="permissive")
        assessments_parts.append(builder.stage("assessments", a, ("analysis",)))

    columns = ["response_id", "judge", "judge_raw", "judge_type", "label_raw", "timestamp", "file", "line", "pos"]
    assessments = pa.concat_tables([p.select(columns) for p in assessments_parts], promote_options="permissive")
    del assessments_parts
    assessments = builder.sql(
        f"""SELECT *, {labelmap.canonical_sql('label_raw')} AS label,
                   row_number() OVER (PARTITION BY response_id, judge
                                      ORDER BY timestamp DESC NULLS LAST, file DESC, line DESC) AS copy
            FROM a""", a=assessments)
    duplicate = pc.greater(assessments["copy"], 1)
    builder.reject_rows(assessments.filter(duplicate), "duplicate judgement (kept the newest)", "judge")
    assessments = assessments.filter(pc.invert(duplicate)).drop_columns(["copy"])
    builder.count_written(assessments)

    builder.lap("pitti and duplicates")
    # 6. questions and models (small) ---------------------------------------------------------------
    builder.count_written(questions)
    question_rows = builder.sql(
        """SELECT question_set, question_id, text, domain FROM q
           UNION ALL SELECT question_set, question_id, text, domain FROM d""", q=questions, d=derived)
    for extra in extra_questions:
        question_rows = pa.concat_tables([question_rows, extra], promote_options="permissive")
    qids = question_rows["question_id"].to_pylist()
    qsets = question_rows["question_set"].to_pylist()
    themes = [theme_and_variation(q) for q in qids]
    questions_out = pa.table({
        "question_uid": [schema.question_uid(s, q) for s, q in zip(qsets, qids)],
        "question_id": qids, "question_set": qsets, "domain": question_rows["domain"],
        "theme": [t for t, _ in themes], "variation": pa.array([v for _, v in themes], pa.int8()),
        "text": question_rows["text"],
    })
    response_models = builder.sql("SELECT DISTINCT model FROM r ORDER BY model", r=responses.select(["model"]))
    models_out, missing_models = read_models(builder, Path(metadata) if metadata else None,
                                             response_models["model"].to_pylist())
    judges_out = builder.sql(
        """SELECT judge, list_sort(list_distinct(list(judge_raw) FILTER (WHERE judge_raw <> judge))) AS aliases,
                  mode(judge_type) AS judge_type, count(*) AS assessments
           FROM a GROUP BY judge ORDER BY judge""", a=assessments.select(["judge", "judge_raw", "judge_type"]))

    # 7. report -------------------------------------------------------------------------------------
    bar.close()
    files = {name: r.as_dict() for name, r in sorted(builder.files.items())}
    totals = {
        "lines_read": sum(r["lines_read"] for r in files.values()),
        "rows_written": sum(r["rows_written"] for r in files.values()),
        "quarantined": sum(sum(r["quarantined"].values()) for r in files.values()),
    }
    reasons = Counter()
    for r in files.values():
        reasons.update(r["quarantined"])
    per_judge = builder.sql("SELECT judge, label, count(*) AS n FROM a GROUP BY ALL ORDER BY ALL",
                            a=assessments.select(["judge", "label"])).to_pylist()
    labels_per_judge: dict[str, dict[str, int]] = defaultdict(dict)
    for row in per_judge:
        labels_per_judge[row["judge"]][row["label"]] = row["n"]
    unknown = builder.sql("SELECT label_raw, count(*) AS n FROM a WHERE label = 'UNKNOWN' GROUP BY ALL "
                          "ORDER BY n DESC, label_raw", a=assessments.select(["label_raw", "label"])).to_pylist()
    report = {
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "inputs": {"raw": [str(r) for r in raw], "responses": [str(p) for p in loose_responses],
                   "metadata": str(metadata) if metadata else None,
                   "judgements": judgements, "annotations": annotations},
        "tables": {"questions": questions_out.num_rows, "responses": responses.num_rows,
                   "assessments": assessments.num_rows, "models": len(models_out), "judges": len(judges_out)},
        "totals": totals | {"balanced": totals["lines_read"] == totals["rows_written"] + totals["quarantined"]},
        "quarantine_reasons": dict(reasons.most_common()),
        "questions_derived_from_responses": derived.num_rows,
        "assessments_per_judge": {j: sum(c.values()) for j, c in sorted(
            labels_per_judge.items(), key=lambda item: -sum(item[1].values()))},
        "labels_per_judge": dict(sorted(labels_per_judge.items())),
        "unknown_labels": {row["label_raw"]: row["n"] for row in unknown},
        "models_without_metadata": missing_models,
        "ignored_files": builder.ignored,
        "warnings": builder.warnings,
        "files": files,
    }
    if strict and totals["quarantined"]:
        raise StrictBuildError(report)

    builder.lap("small tables and report")
    # 8. write: small tables directly, large ones merged with their staged text ----------------------
    final_keys = responses.select(["response_id", "question_id", "question_set", "model"])
    assessments = builder.sql(
        f"""SELECT a.*, {schema.stable_id_sql('a', 'a.response_id', 'a.judge')} AS assessment_id,
                   r.question_id, r.question_set, r.model
            FROM a JOIN r USING (response_id)""", a=assessments, r=final_keys)
    with atomic_folder(out) as tmp:
        write_table(tmp, "questions", questions_out)
        write_table(tmp, "models", models_out)
        write_table(tmp, "judges", judges_out)
        builder.merge_write(responses.drop_columns(["root", "stem"]), "responses", schema.RESPONSES,
                            tmp / "responses")
        del responses
        builder.lap("write responses")
        builder.merge_write(assessments, "assessments", schema.ASSESSMENTS, tmp / "assessments")
        builder.lap("write assessments")
        report["seconds"] = round(time.time() - started, 2)
        report["phase_seconds"] = builder.phases
        with open(tmp / "quarantine.jsonl", "w", encoding="utf-8") as handle:
            # In input order: batches are parsed in parallel, so rows are found in no fixed order.
            for entry in sorted(builder.quarantine, key=lambda e: (e["file"], e["line"] or 0, e["reason"])):
                handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
        (tmp / "build_report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    return report


# ------------------------------------------------------------------------------------------------
LABEL_COLUMNS = ("compliance", "label", "expected_compliance", "pitti_compliance")
JUDGE_COLUMNS = ("judge", "judge_model", "annotator")
ANALYSIS_COLUMNS = ("analysis", "judge_analysis", "rationale", "notes", "raw_judge_response")


def read_judgement_file(builder: Builder, spec: str, judge_type: str | None, keys: pa.Table,
                        bar: tqdm | None) -> pa.Table:
    """Rows of a generic judgement/annotation file, matched to responses (unmatched quarantined)."""
    name, path = parse_named(spec)
    file = str(path)
    report = builder.report_for(file, "annotations" if judge_type == "human" else "judgements")
    rows = []
    for number, record, problem in readers.read_records(path):
        report.lines_read += 1
        if problem is not None:
            builder.reject(file, problem.line, problem.reason, problem.snippet)
            continue
        text = json.dumps(record, ensure_ascii=False, default=str)
        label = next((record[c] for c in LABEL_COLUMNS if record.get(c) not in (None, "")), None)
        judge = name or next((record[c] for c in JUDGE_COLUMNS if record.get(c) not in (None, "")), None)
        model, question_id = record.get("model"), record.get("question_id")
        if record.get("key") and not (model and question_id):
            model, _, question_id = str(record["key"]).partition("::")
        reason = None
        if label is None:
            reason = "missing field label (compliance, label or expected_compliance)"
        elif not isinstance(label, str):
            reason = "field label is not a string"
        elif judge is None:
            reason = "missing judge (a judge/judge_model/annotator column, or NAME=PATH)"
        elif not record.get("response_id") and not (model and question_id):
            reason = "names no response (response_id, model + question_id, or key)"
        if reason:
            builder.reject(file, number, reason, text)
            continue
        analysis = next((record[c] for c in ANALYSIS_COLUMNS if record.get(c) not in (None, "")), None)
        rows.append({
            "file": file, "line": number, "wanted_id": record.get("response_id"),
            "model": model, "question_id": question_id,
            "question_set": record.get("question_set") or record.get("category"),
            "wanted_timestamp": record.get("response_timestamp") or record.get("timestamp"),
            "judge_raw": str(judge), "judge_type": judge_type or record.get("judge_type") or "llm",
            "label_raw": label, "analysis": None if analysis is None else str(analysis),
            "timestamp": str(record.get("judged_at") or record.get("timestamp") or "") or None,
        })
        if bar is not None:
            bar.update(1)
    columns = ["file", "line", "wanted_id", "model", "question_id", "question_set", "wanted_timestamp",
               "judge_raw", "judge_type", "label_raw", "analysis", "timestamp"]
    staged = pa.Table.from_pylist(rows, schema=pa.schema(
        [(c, pa.int64() if c == "line" else pa.string()) for c in columns]))
    staged = staged.append_column("row", pa.array(np.arange(staged.num_rows), pa.int64()))
    # Two equi-joins (by id; by model + question) rather than one join on an OR, which DuckDB can
    # only run as a nested loop.
    matched = builder.sql(
        """WITH candidates AS (
             SELECT s.row, k.* FROM s JOIN k ON k.response_id = s.wanted_id
             UNION ALL
             SELECT s.row, k.* FROM s JOIN k ON k.model = s.model AND k.question_id = s.question_id
             WHERE s.wanted_id IS NULL AND (s.question_set IS NULL OR k.question_set = s.question_set))
           SELECT s.file, s.line, s.judge_raw, s.judge_type, s.label_raw, s.analysis, s.timestamp,
                  count(k.response_id) AS candidates, count(DISTINCT k.question_set) AS sets,
                  arg_max(k.response_id, (k.timestamp IS NOT DISTINCT FROM s.wanted_timestamp, k.timestamp)) AS response_id,
                  arg_max(k.question_id, (k.timestamp IS NOT DISTINCT FROM s.wanted_timestamp, k.timestamp)) AS question_id,
                  arg_max(k.question_set, (k.timestamp IS NOT DISTINCT FROM s.wanted_timestamp, k.timestamp)) AS question_set,
                  arg_max(k.model, (k.timestamp IS NOT DISTINCT FROM s.wanted_timestamp, k.timestamp)) AS model
           FROM s LEFT JOIN candidates k USING (row)
           GROUP BY s.row, s.file, s.line, s.judge_raw, s.judge_type, s.label_raw, s.analysis, s.timestamp
           ORDER BY s.row""", s=staged, k=keys)
    builder.reject_rows(matched.filter(pa.compute.equal(matched["candidates"], 0)), "no matching response")
    builder.reject_rows(matched.filter(pa.compute.greater(matched["sets"], 1)),
                        "ambiguous response (several question sets; give question_set)")
    good = matched.filter(pa.compute.and_(pa.compute.greater(matched["candidates"], 0),
                                          pa.compute.less_equal(matched["sets"], 1)))
    judge_raw = good["judge_raw"].to_pylist()
    return pa.table({
        "response_id": good["response_id"], "question_id": good["question_id"],
        "question_set": good["question_set"], "model": good["model"],
        "judge": pa.array([builder.judge_name(j) for j in judge_raw], pa.string()),
        "judge_raw": good["judge_raw"], "judge_type": good["judge_type"],
        "label_raw": good["label_raw"], "analysis": good["analysis"], "timestamp": good["timestamp"],
        "file": good["file"], "line": good["line"],
    })


# ------------------------------------------------------------------------------------------------
def read_pitti(builder: Builder, root: Path) -> tuple[pa.Table, pa.Table, pa.Table]:
    """The published PITTI layout mapped onto our tables; `pitti_compliance` kept as label_raw."""

    def load(name: str) -> pa.Table:
        parts = []
        for path in readers.pitti_files(root, name):
            table = pq.read_table(path)
            report = builder.report_for(path, f"pitti {name}")
            report.lines_read += table.num_rows
            table = table.append_column("file", pa.array([str(path)] * table.num_rows, pa.string()))
            table = table.append_column("line", pa.array(range(1, table.num_rows + 1), pa.int64()))
            parts.append(table)
        return pa.concat_tables(parts, promote_options="permissive")

    q, r, a = load("questions"), load("responses"), load("assessments")
    questions = builder.sql(
        """SELECT uuid, CAST(id AS VARCHAR) AS question_id, category AS question_set, domain,
                  question AS text, file, line FROM q""", q=q)
    responses = builder.sql(
        """SELECT r.uuid, q.question_id, q.question_set, r.model, CAST(r.timestamp AS VARCHAR) AS timestamp,
                  r.api_provider, r.provider, r.content, r.file, r.line
           FROM r LEFT JOIN q ON r.q_uuid = q.uuid""", r=r, q=questions)
    orphan = pa.compute.is_null(responses["question_id"])
    builder.reject_rows(responses.filter(orphan), "no matching question")
    responses = responses.filter(pa.compute.invert(orphan))
    rids = [schema.response_id(m, s, q, t) for m, s, q, t in zip(
        responses["model"].to_pylist(), responses["question_set"].to_pylist(),
        responses["question_id"].to_pylist(), responses["timestamp"].to_pylist())]
    responses = responses.append_column("response_id", pa.array(rids, pa.string()))
    fine = "pitti_compliance" in a.column_names
    assessments = builder.sql(
        f"""SELECT r.response_id, r.question_id, r.question_set, r.model, a.judge, a.judge AS judge_raw,
                   lower(coalesce(a.judge_type, 'llm')) AS judge_type,
                   {"coalesce(a.pitti_compliance, a.compliance)" if fine else "a.compliance"} AS label_raw,
                   a.judge_analysis AS analysis, NULL::VARCHAR AS timestamp, a.file, a.line
            FROM a LEFT JOIN r ON a.r_uuid = r.uuid""", a=a, r=responses)
    orphan = pa.compute.is_null(assessments["response_id"])
    builder.reject_rows(assessments.filter(orphan), "no matching response")
    assessments = assessments.filter(pa.compute.invert(orphan))
    assessments = assessments.set_column(
        assessments.column_names.index("judge"), "judge",
        pa.array([builder.judge_name(j) for j in assessments["judge"].to_pylist()], pa.string()))
    assessments = assessments.set_column(
        assessments.column_names.index("judge_type"), "judge_type",
        pa.array(["human" if t == "human" else "llm" for t in assessments["judge_type"].to_pylist()], pa.string()))
    for table in (questions, responses):
        for file, line in zip(table["file"].to_pylist(), table["line"].to_pylist()):
            builder.files[file].rows_written += 1
    uids = [schema.question_uid(s, q) for s, q in zip(responses["question_set"].to_pylist(),
                                                       responses["question_id"].to_pylist())]
    responses_out = builder.sql(
        f"""SELECT response_id, question_set, question_id, model, timestamp, api_provider, provider,
                   coalesce(nullif(trim(content), ''), '{schema.EMPTY_CONTENT}') AS content,
                   NULL::VARCHAR AS reasoning,
                   CASE WHEN content = '{schema.EMPTY_CONTENT}' OR trim(coalesce(content, '')) = ''
                        THEN 'empty_response' ELSE 'success' END AS response_status,
                   file, line FROM r""", r=responses)
    responses_out = responses_out.append_column("question_uid", pa.array(uids, pa.string()))
    return questions.select(["question_set", "question_id", "text", "domain"]), responses_out, assessments


# ------------------------------------------------------------------------------------------------
def read_models(builder: Builder, folder: Path | None, response_models: list[str]) -> tuple[list[dict], list[str]]:
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
            report = builder.report_for(path, "metadata")
            # model_metadata.json is JSONL despite its name: read_records reads it line by line.
            for number, record, problem in readers.read_records(path):
                report.lines_read += 1
                if problem is not None:
                    builder.reject(str(path), problem.line, problem.reason, problem.snippet)
                elif not isinstance(record.get(key), str):
                    builder.reject(str(path), number, f"missing field {key}", json.dumps(record)[:300])
                elif record[key] in target:
                    builder.reject(str(path), number, f"duplicate {key}", json.dumps(record)[:300])
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
            "metadata_found": model in meta, "skip": _truthy_flag(record.get("skip")),
        })
    return rows, missing


def _truthy_flag(value: Any) -> bool:
    """SpeechMap's truthy flag: a bool as is, a non-zero number, or 1/true/yes/y/on (any case, trimmed)."""
    if isinstance(value, (bool, int, float)):
        return bool(value)
    return isinstance(value, str) and value.strip().lower() in ("1", "true", "yes", "y", "on")


def _date(value: Any):
    import datetime as dt
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
