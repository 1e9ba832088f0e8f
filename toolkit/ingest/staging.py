"""The staging engine: JSON line files parsed in a pipeline of threads; heavy text columns sent to 16
response-id buckets on disk; final tables written by merging the light rows with their staged text."""
from __future__ import annotations

import os
import time
from collections import Counter, defaultdict, deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from tqdm import tqdm

from toolkit.ingest.extract import Field, JsonBatchReader
from toolkit.ingest.lines import file_lines
from toolkit.ingest.quarantine import Quarantine
from toolkit.core.tables import write_sorted_by_response

BATCH_BYTES = 64 << 20   # lines handed to DuckDB at once: bounds memory on full-scale builds
MEMORY_LIMIT = "1GB"     # DuckDB's own limit for joins; past it, it spills to the staging folder
READ_AHEAD = 8           # files read and split into lines ahead of the parser
WRITE_THREADS = min(4, os.cpu_count() or 1)  # final parquet files compressed at once


class Builder:
    """Reads inputs batch by batch. Heavy text columns (response content and reasoning, judges'
    analyses) go straight to staging parquet files keyed by a row position `pos`; only the light
    columns stay in memory for matching and de-duplication, and the final tables are written by a
    streaming DuckDB join of the two. This bounds memory on full-scale builds."""

    def __init__(self, aliases: dict[str, str], staging: Path):
        self.staging = staging
        self.con = duckdb.connect(":memory:")
        self.con.execute("SET enable_progress_bar = false")  # the build shows its own
        self.con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
        self.con.execute("SET TimeZone = 'UTC'")  # a timestamp without an offset is read as UTC
        self.con.execute(f"SET temp_directory = '{staging / 'spill'}'")
        self.aliases = aliases
        self.quarantine = Quarantine()
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
    # A pipeline of three threads: files are read and split into lines ahead (`read_ahead`), DuckDB
    # parses in this thread, and the previous batch's text is staged (`stager`) meanwhile. Each
    # stage is one thread, so the order of rows, positions and reports stays fixed.
    def read_json_files(self, kind: str, fields: list[Field], files: list[tuple[Path, dict]],
                        bar: tqdm | None, post_sql: str | None = None, heavy: tuple[str, ...] = (),
                        report_kind: str | None = None, post_tables: dict[str, pa.Table] | None = None) -> None:
        """Parse files in batches; good rows (light columns) go to self.frames[kind].

        `post_sql` (over table `e`, the extracted fields plus file, line and the file's context, and
        the `post_tables`) reduces each batch to the columns kept; `heavy` names the columns sent to
        staging (the batch then needs a response_id)."""
        reader = JsonBatchReader(self.con, fields, post_sql)
        batch = LineBatch()
        with ThreadPoolExecutor(max_workers=1) as reading, ThreadPoolExecutor(max_workers=1) as stager:
            staged: deque = deque()

            def flush() -> None:
                nonlocal batch
                if batch.files:
                    good = self.parse_batch(reader, batch, post_tables)
                    staged.append(stager.submit(self.keep, kind, good, heavy, bar))
                    while len(staged) > 1:  # one batch staged while the next is parsed: bounded memory
                        staged.popleft().result()
                    batch = LineBatch()

            for path, context, (lines, numbers, problems) in read_ahead(reading, files):
                report = self.quarantine.report_for(path, report_kind or kind)
                for problem in problems:
                    self.quarantine.reject(str(path), problem.line, problem.reason, problem.snippet)
                report.lines_read += len(problems) + len(lines)
                if not report.lines_read:
                    self.warnings.append(f"{path}: empty file")
                batch.add(str(path), lines, numbers, context)
                if batch.nbytes >= BATCH_BYTES:
                    flush()
            flush()
            while staged:
                staged.popleft().result()

    def parse_batch(self, reader: JsonBatchReader, batch: LineBatch,
                    post_tables: dict[str, pa.Table] | None) -> pa.Table:
        """The good rows of one batch; bad lines (rare) are quarantined one by one with their text."""
        lines, file_index, numbers, columns = batch.columns()
        good = reader.extract(lines, columns, post_tables)
        problems = good.column("problem")
        bad = np.flatnonzero(~np.asarray(pc.is_null(problems).to_numpy(zero_copy_only=False), bool))
        if len(bad):
            where = good.column("idx").to_numpy()
            for i in sorted(bad, key=lambda b: where[b]):
                row = int(where[i])
                self.quarantine.reject(batch.files[file_index[row]], int(numbers[row]), problems[int(i)].as_py(),
                                       lines[row].as_py().rstrip("\r\n"))
            good = good.filter(pc.is_null(problems))
        return good.drop_columns(["idx", "problem"])

    def keep(self, kind: str, good: pa.Table, heavy: tuple[str, ...], bar: tqdm | None) -> None:
        """Stage a parsed batch's heavy columns; its light rows join the kind's frames."""
        if heavy:
            good = self.stage(kind, good, heavy)
        self.frames[kind].append(good)
        if bar is not None:
            bar.update(good.num_rows)

    def table(self, kind: str, columns: dict[str, pa.DataType]) -> pa.Table:
        """All light rows of one kind as one Arrow table (empty with the given columns when none).
        The rows stay: a second call returns the same table (`forget` lets their memory go)."""
        if not self.frames[kind]:
            return pa.schema(list(columns.items())).empty_table()
        if len(self.frames[kind]) > 1:
            self.frames[kind] = [pa.concat_tables(self.frames[kind], promote_options="permissive")]
        return self.frames[kind][0]

    def forget(self, kind: str) -> None:
        """Drop the light rows of one kind once the build has taken what it needs from them."""
        self.frames.pop(kind, None)

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


@dataclass
class LineBatch:
    """The lines of several files, handed to DuckDB at once."""
    files: list[str] = field(default_factory=list)
    lines: list[pa.Array] = field(default_factory=list)
    numbers: list[np.ndarray] = field(default_factory=list)
    contexts: list[dict] = field(default_factory=list)
    nbytes: int = 0

    def add(self, file: str, lines: pa.Array, numbers: np.ndarray, context: dict) -> None:
        self.files.append(file)
        self.lines.append(lines)
        self.numbers.append(numbers)
        self.contexts.append(context)
        self.nbytes += lines.nbytes

    def columns(self) -> tuple[pa.ChunkedArray, np.ndarray, np.ndarray, dict[str, pa.Array]]:
        """All lines; each line's file index and line number; per-row file, line and context columns
        (dictionary columns: one entry per file)."""
        lines = pa.chunked_array(self.lines, pa.large_string())
        sizes = np.array([len(part) for part in self.lines], np.int64)
        file_index = np.repeat(np.arange(len(self.files), dtype=np.int32), sizes)
        numbers = np.concatenate(self.numbers)
        columns = {"file": pa.DictionaryArray.from_arrays(pa.array(file_index), pa.array(self.files, pa.string())),
                   "line": pa.array(numbers, pa.int64())}
        for key in self.contexts[0]:
            columns[key] = pa.DictionaryArray.from_arrays(
                pa.array(file_index), pa.array([c[key] for c in self.contexts], pa.string()))
        return lines, file_index, numbers, columns


def read_ahead(reading: ThreadPoolExecutor, files: list[tuple[Path, dict]]) -> Iterator[tuple[Path, dict, tuple]]:
    """(path, context, file_lines(path)) in order, with up to READ_AHEAD files read ahead in `reading`."""
    ahead: deque = deque()
    queue = iter(files)
    for path, context in queue:
        ahead.append((path, context, reading.submit(file_lines, path)))
        if len(ahead) >= READ_AHEAD:
            break
    while ahead:
        path, context, future = ahead.popleft()
        following = next(queue, None)
        if following is not None:
            ahead.append((*following, reading.submit(file_lines, following[0])))
        yield path, context, future.result()
