"""DuckDB over the parquet tables that `build` writes (and `publish` pushes).

`Store.open(folder)` creates views over `folder/<table>/*.parquet` and prepares, once, the table the
tabs query: `response_view`, one row per response with its question, model and provider attributes
and one label column (plus one raw-label column) per judge. Crosstabs between two judges are then a
GROUP BY over one table, never a self-join of the assessments. A judge with two rows for one response
counts once (its newest row).

Queries are pure functions of the store and their parameters; values are always bound as parameters,
and column names for judges come from `judge_column`, never from user text.
"""
from __future__ import annotations

import bisect
import json
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from toolkit.core import schema
from toolkit.core.filters import FILTER_COLUMNS, Filters

LARGE_TABLES = ("responses", "assessments")

# "Newest judgement per (response, judge)", the one definition every reader uses: the row with the
# largest (timestamp, assessment_id). A row without a timestamp (e.g. a human gold label) counts as
# oldest and the assessment id breaks ties, so a label and its raw label always come from one row.
NEWEST_KEY = "(coalesce(timestamp, ''), assessment_id)"


def newest_judgements_sql(columns: str = "*", where: str = "TRUE", source: str = "assessments") -> str:
    """SELECT `columns` of each (response_id, judge)'s newest row among the rows of `source` that
    match `where` (the filter applies before the choice: it is meant for response ids)."""
    return (f"SELECT {columns} FROM {source} WHERE {where} "
            f"QUALIFY row_number() OVER (PARTITION BY response_id, judge ORDER BY {NEWEST_KEY} DESC) = 1")


@dataclass(frozen=True)
class JudgeInfo:
    judge: str
    judge_type: str
    assessments: int
    column: str  # identifier of its label column in response_view


class Store:
    """Read-only DuckDB store. Thread-safe: each query runs on its own cursor."""

    def __init__(self, con: duckdb.DuckDBPyConnection, folder: Path | None):
        self._con = con
        self.folder = folder
        self._lock = threading.Lock()
        self._indexes: dict[str, Any] = {}  # row-group index per large table, read on first use
        self._files: dict[str, list] = {}
        self._prepare()

    # -- opening -----------------------------------------------------------------------------
    @classmethod
    def open(cls, folder: str | Path, threads: int | None = None) -> "Store":
        folder = Path(folder)
        missing = [t for t in schema.TABLES if not any((folder / t).glob("*.parquet"))]
        if missing:
            raise FileNotFoundError(
                f"{folder} is not a built data folder: no parquet files for {', '.join(missing)} "
                "(run `python -m toolkit build` or `python -m toolkit demo` first)"
            )
        con = duckdb.connect(":memory:")
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        for table in schema.TABLES:
            pattern = str(folder / table / "*.parquet").replace("'", "''")
            # The small tables are loaded (joins with them are then free); the two large ones stay
            # on disk, read through views.
            kind = "VIEW" if table in LARGE_TABLES else "TABLE"
            con.execute(f"CREATE {kind} {table} AS SELECT * FROM read_parquet('{pattern}')")
        return cls(con, folder)

    def _prepare(self) -> None:
        con = self._con
        judges = con.execute(
            "SELECT judge, judge_type, assessments FROM judges ORDER BY assessments DESC, judge"
        ).fetchall()
        self.judges: list[JudgeInfo] = [
            JudgeInfo(j, t, int(n), f"j{i}") for i, (j, t, n) in enumerate(judges)
        ]
        self._by_name = {j.judge: j for j in self.judges}
        pivots = []
        params: list[Any] = []
        for info in self.judges:
            for kind, col in (("label", info.column), ("label_raw", info.column + "_raw")):
                # arg_max by the same key: one GROUP BY for all judges, faster than a window here
                pivots.append(f"arg_max({kind}, {NEWEST_KEY}) FILTER (WHERE judge = ?) AS {col}")
                params.append(info.judge)
        pivot_sql = (", " + ", ".join(pivots)) if pivots else ""
        con.execute(f"CREATE TABLE judge_labels AS SELECT response_id {pivot_sql} FROM assessments GROUP BY response_id",
                    params)
        judge_cols = "".join(
            f", l.{j.column}, l.{j.column}_raw" for j in self.judges
        )
        # Optional columns (older builds and published datasets may lack them): SpeechMap's `skip`
        # flag in the model metadata, and the provider's moderation signal on a response.
        self.has_skip = "skip" in self._columns("models")
        self.has_moderation = "moderation_reason" in self._columns("responses")
        skip = "coalesce(m.skip, false)" if self.has_skip else "false"
        moderated = "r.moderation_reason IS NOT NULL" if self.has_moderation else "false"
        self.has_original_error = "original_response_error" in self._columns("responses")
        original_error = "coalesce(r.original_response_error, false)" if self.has_original_error else "false"
        con.execute(
            f"""
            CREATE TABLE response_view AS
            SELECT r.response_id, r.question_uid, r.question_id, r.question_set,
                   q.domain, q.theme, q.variation,
                   r.model, coalesce(m.lab, '{schema.UNKNOWN_LAB}') AS lab, m.lab_name, m.family,
                   m.release_date, m.reasoning, {skip} AS skip,
                   r.provider, r.api_provider, r.response_status, r.timestamp, {moderated} AS moderated,
                   {original_error} AS original_response_error
                   {judge_cols}
            FROM responses r
            LEFT JOIN questions q USING (question_uid)
            LEFT JOIN models m USING (model)
            LEFT JOIN judge_labels l USING (response_id)
            ORDER BY r.response_id
            """
        )
        self._encode_view()

    def _columns(self, table: str) -> set[str]:
        with self._cursor() as cursor:
            return {column[0] for column in cursor.execute(f"SELECT * FROM {table} LIMIT 0").description}

    # Columns of response_view that are grouped and filtered on, stored as ENUMs: a GROUP BY over
    # one-byte codes is about 8x faster than over strings (20 ms -> 2.5 ms for a matrix on 800k
    # responses), which is what lets the explorer serve 20 clients at once. Values still read and
    # compare as text: `model = 'no such model'` is simply false, and `query` hands back strings.
    ENUM_COLUMNS = ("question_set", "domain", "theme", "model", "lab", "family", "provider")

    def _encode_view(self) -> None:
        con = self._con
        groups = {name: [name] for name in self.ENUM_COLUMNS}
        groups["label"] = [j.column for j in self.judges]
        groups["label_raw"] = [j.column + "_raw" for j in self.judges]
        casts = []
        for name, columns in groups.items():
            if not columns:
                continue
            union = " UNION ".join(f"SELECT {c} AS v FROM response_view WHERE {c} IS NOT NULL" for c in columns)
            if not con.execute(f"SELECT count(*) FROM ({union})").fetchone()[0]:
                continue  # no value at all: an ENUM cannot be empty, the column stays text
            # Sorted values, so that ORDER BY on the ENUM sorts as it would on the text.
            con.execute(f"CREATE TYPE enum_{name} AS ENUM (SELECT DISTINCT v FROM ({union}) ORDER BY v)")
            casts += [f"CAST({c} AS enum_{name}) AS {c}" for c in columns]
        if casts:
            con.execute(f"CREATE TABLE response_view_encoded AS SELECT * REPLACE ({', '.join(casts)}) "
                        "FROM response_view ORDER BY response_id")
            con.execute("DROP TABLE response_view")
            con.execute("ALTER TABLE response_view_encoded RENAME TO response_view")

    # -- queries -----------------------------------------------------------------------------
    @contextmanager
    def _cursor(self, tables: Mapping[str, Any] | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
        """A private cursor (thread-safe), with `tables` (data frames or Arrow tables) registered on
        it only, under their names."""
        cursor = self._con.cursor()
        try:
            for name, table in (tables or {}).items():
                cursor.register(name, table)
            yield cursor
        finally:
            cursor.close()

    def query(self, sql: str, params: Iterable[Any] | Mapping[str, Any] | None = None,
              tables: Mapping[str, Any] | None = None) -> pd.DataFrame:
        """Run SQL with bound parameters and return a data frame; `tables` are frames the SQL may
        read by name besides the store's tables (e.g. a caller's chosen rows to join)."""
        with self._cursor(tables) as cursor:
            frame = cursor.execute(sql, params or []).df()
        for column in frame.columns:  # ENUM columns arrive as categoricals: hand back text
            if isinstance(frame[column].dtype, pd.CategoricalDtype):
                frame[column] = frame[column].astype("str")
        return frame

    def rows(self, sql: str, params: Iterable[Any] | None = None,
             tables: Mapping[str, Any] | None = None) -> list[tuple]:
        """Run SQL with bound parameters and return its rows as tuples: for small results on hot
        paths, where building a data frame would cost more than the query."""
        with self._cursor(tables) as cursor:
            return cursor.execute(sql, params or []).fetchall()

    def scalar(self, sql: str, params: Iterable[Any] | None = None) -> Any:
        with self._cursor() as cursor:
            row = cursor.execute(sql, params or []).fetchone()
        return row[0] if row else None

    def judge(self, name: str) -> JudgeInfo:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"unknown judge {name!r}; known: {', '.join(self.judge_names())}") from None

    def judge_names(self, judge_type: str | None = None) -> list[str]:
        return [j.judge for j in self.judges if judge_type is None or j.judge_type == judge_type]

    def judge_column(self, name: str, kind: str = "label") -> str:
        """The identifier of a judge's column in response_view: kind is `label` or `label_raw`."""
        if kind not in ("label", "label_raw"):
            raise ValueError(f"label column must be 'label' or 'label_raw', not {kind!r}")
        column = self.judge(name).column
        return column if kind == "label" else column + "_raw"

    def default_judge(self) -> str | None:
        """The LLM judge with the most assessments (the leaderboard's default)."""
        llm = self.judge_names("llm")
        return llm[0] if llm else (self.judges[0].judge if self.judges else None)

    def distinct(self, column: str) -> list[Any]:
        """Distinct non-null values of a filter column, sorted (for dropdowns)."""
        if column not in FILTER_COLUMNS:
            raise ValueError(f"not a filter column: {column!r}")
        frame = self.query(
            f"SELECT DISTINCT {FILTER_COLUMNS[column]} AS v FROM response_view WHERE v IS NOT NULL ORDER BY v"
        )
        return frame["v"].tolist()

    def newest_judgements(self, columns: list[str]) -> pd.DataFrame:
        """`columns` of every judge's newest judgement of every response (`newest_judgements_sql`)."""
        return self.query(newest_judgements_sql(", ".join(columns)))

    def counts(self) -> dict[str, int]:
        return {t: int(self.scalar(f"SELECT count(*) FROM {t}")) for t in schema.TABLES}

    # -- rows by response id -----------------------------------------------------------------
    def records_by_response_id(self, table: str, columns: list[str], ids: list[str]) -> list[dict[str, Any]]:
        """The rows of `responses` or `assessments` whose response_id is one of `ids`, as dicts.

        `build` writes both sorted by response_id in small row groups, so the row groups that can
        hold an id are found by binary search over their min/max statistics (read once per store),
        and only those are read: a page of 50 ids decompresses at most 50 small row groups, however
        far apart the ids are. Files without that order (or without statistics) are scanned by
        DuckDB with the same filter.
        """
        return self._arrow_by_response_id(table, columns, ids).to_pylist() if ids else []

    def newest_judgements_of(self, response_ids: list[str], columns: list[str]) -> list[tuple]:
        """`columns` of every judge's newest judgement of these responses, ordered by (response_id,
        judge): the rows are read by row group, the newest chosen by `newest_judgements_sql`."""
        needed = ["response_id", "judge", *columns, "timestamp", "assessment_id"]
        fetched = self._arrow_by_response_id("assessments", needed, response_ids)
        return self.rows(newest_judgements_sql(", ".join(columns), source="fetched") + " ORDER BY response_id, judge",
                         tables={"fetched": fetched})

    def _arrow_by_response_id(self, table: str, columns: list[str], ids: list[str]) -> pa.Table:
        """The rows of `records_by_response_id` as an Arrow table."""
        columns = list(dict.fromkeys(["response_id", *columns]))
        index = self._row_groups(table) if ids else None
        if index is None:
            marks = ", ".join("?" for _ in ids) or "NULL"
            with self._cursor() as cursor:
                return cursor.execute(f"SELECT {', '.join(columns)} FROM {table} WHERE response_id BETWEEN ? AND ? "
                                      f"AND response_id IN ({marks})", [min(ids or [""]), max(ids or [""]), *ids]).to_arrow_table()
        mins, maxs, places = index
        wanted: dict[int, set[int]] = {}
        for value in set(ids):
            # Groups k with min_k <= value <= max_k: both bounds are sorted, so this is a range.
            for k in range(bisect.bisect_left(maxs, value), bisect.bisect_right(mins, value)):
                wanted.setdefault(places[k][0], set()).add(places[k][1])
        found: list[pa.Table] = []
        wanted_ids = pa.array(sorted(set(ids)), pa.string())
        for file_number, groups in sorted(wanted.items()):
            path, metadata = self._files[table][file_number]
            rows = pq.ParquetFile(path, metadata=metadata).read_row_groups(sorted(groups), columns=columns)
            found.append(rows.filter(pc.is_in(rows.column("response_id"), wanted_ids)))
        if not found:
            return pa.schema([schema.TABLES[table].field(c) for c in columns]).empty_table()  # typed: SQL can read it
        return pa.concat_tables(found)

    def _row_groups(self, table: str) -> tuple[list[str], list[str], list[tuple[int, int]]] | None:
        """(min ids, max ids, (file, row group)) of a table's row groups in id order; None when the
        files are not sorted by response_id or lack statistics. Read once, then cached."""
        with self._lock:
            if table in self._indexes:
                return self._indexes[table]
            index = None
            if self.folder is not None:
                files = [(path, pq.read_metadata(path)) for path in sorted((self.folder / table).glob("*.parquet"))]
                self._files[table] = files
                mins, maxs, places = [], [], []
                for file_number, (_, metadata) in enumerate(files):
                    column = metadata.schema.names.index("response_id") if "response_id" in metadata.schema.names else None
                    for group in range(metadata.num_row_groups):
                        if metadata.row_group(group).num_rows == 0:
                            continue
                        stats = None if column is None else metadata.row_group(group).column(column).statistics
                        if stats is None or not stats.has_min_max:
                            mins = None
                            break
                        mins.append(stats.min)
                        maxs.append(stats.max)
                        places.append((file_number, group))
                    if mins is None:
                        break
                if mins is not None and mins == sorted(mins) and maxs == sorted(maxs) and \
                        all(low <= high for low, high in zip(mins, maxs)):
                    index = (mins, maxs, places)
            self._indexes[table] = index
            return index

    def build_report(self) -> dict[str, Any] | None:
        if self.folder and (self.folder / "build_report.json").exists():
            return json.loads((self.folder / "build_report.json").read_text())
        return None


def where_clause(filters: Filters) -> tuple[str, list[Any]]:
    """SQL conditions (joined by AND, starting with ' AND ' or empty) and their bound parameters.

    One value is `column = ?`, several are `column IN (?, ...)`; empty fields add nothing.
    """
    conditions: list[str] = []
    params: list[Any] = []
    for name, column in FILTER_COLUMNS.items():
        value = getattr(filters, name)
        if value is None or value == ():
            continue
        values = list(value) if isinstance(value, tuple) else [value]
        if len(values) == 1:
            conditions.append(f"{column} = ?")
        else:
            conditions.append(f"{column} IN ({', '.join('?' for _ in values)})")
        params.extend(values)
    sql = "".join(f" AND {c}" for c in conditions)
    return sql, params
