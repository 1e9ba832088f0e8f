"""Write and read the canonical tables as parquet folders (`OUT/<table>/*.parquet`).

`write_tables` casts every table to its schema (filling absent columns with nulls, so tests and the
synthetic generator can give only what they care about), writes into a temporary sibling folder and
moves it into place only when everything succeeded: a failed write leaves the previous folder intact.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Mapping

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from toolkit.core import schema


def to_table(name: str, data: pa.Table | pd.DataFrame | list[dict] | None) -> pa.Table:
    """Conform data to the schema of table `name` (columns in order, types cast, absent -> null)."""
    target = schema.TABLES[name]
    if data is None:
        return target.empty_table()
    if isinstance(data, list):
        data = pd.DataFrame(data)
    if isinstance(data, pd.DataFrame):
        data = pa.Table.from_pandas(data, preserve_index=False)
    unknown = set(data.column_names) - set(target.names)
    if unknown:
        raise ValueError(f"{name}: columns not in the schema: {sorted(unknown)}")
    columns = []
    for field in target:
        if field.name in data.column_names:
            column = data.column(field.name)
            if field.type == pa.date32() and pa.types.is_string(column.type):
                column = pa.compute.cast(pa.compute.strptime(column, "%Y-%m-%d", "s"), pa.date32())
            columns.append(column.cast(field.type))
        else:
            columns.append(pa.nulls(data.num_rows, field.type))
    return pa.Table.from_arrays(columns, schema=target)


# Responses and assessments are stored sorted by response_id in small row groups of about 256 KB:
# a drill-down page reads (and decompresses) only the groups that hold its ids, found from their
# min/max statistics (`Store.records_by_response_id`), however far apart the ids are. Smaller groups
# read less per page but grow the footer, so statistics are written for response_id only.
ROW_GROUP_BYTES = 256 << 10
ROW_GROUP_ROWS = (64, 8192)  # bounds on the rows of one group
TEXT_COLUMNS = ("content", "reasoning", "analysis")  # all different: no dictionary pages
UNIQUE_COLUMNS = ("response_id", "assessment_id", "source")


def write_sorted_by_response(table: pa.Table, path: Path) -> None:
    """Write rows already sorted by response_id as one parquet file in small row groups."""
    rows_per_group = ROW_GROUP_BYTES * max(1, table.num_rows) // max(1, table.nbytes)
    pq.write_table(
        table, path, compression="zstd",
        row_group_size=min(max(rows_per_group, ROW_GROUP_ROWS[0]), ROW_GROUP_ROWS[1]),
        write_statistics=["response_id"],
        use_dictionary=[c for c in table.column_names if c not in TEXT_COLUMNS + UNIQUE_COLUMNS])


@contextmanager
def atomic_folder(out: str | Path) -> Iterator[Path]:
    """Yield a temporary folder beside `out`; on success it replaces `out`, on failure it is removed."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)  # mkdtemp makes it 0700; OUT gets a normal folder's mode
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = out.with_name(f".{out.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if out.exists():
        out.rename(old)
    tmp.rename(out)
    shutil.rmtree(old, ignore_errors=True)


def write_table(folder: Path, name: str, data: Any) -> int:
    table = to_table(name, data)
    (folder / name).mkdir(parents=True, exist_ok=True)
    pq.write_table(table, folder / name / "part-0.parquet", compression="zstd")
    return table.num_rows


def write_tables(out: str | Path, tables: Mapping[str, Any], report: dict | None = None) -> Path:
    """Write all five tables atomically; tables not given are written empty.

    The `judges` table is derived from the assessments when not given.
    """
    tables = dict(tables)
    if "judges" not in tables:
        tables["judges"] = judges_from_assessments(to_table("assessments", tables.get("assessments")))
    with atomic_folder(out) as tmp:
        for name in schema.TABLES:
            write_table(tmp, name, tables.get(name))
        if report is not None:
            (tmp / "build_report.json").write_text(json.dumps(report, indent=2, default=str))
    return Path(out)


def judges_from_assessments(assessments: pa.Table, aliases: Mapping[str, list[str]] | None = None) -> pd.DataFrame:
    frame = assessments.select(["judge", "judge_raw", "judge_type"]).to_pandas()
    rows = []
    for judge, group in frame.groupby("judge", sort=True):
        found = sorted(set(group["judge_raw"].dropna()) | set((aliases or {}).get(judge, [])))
        rows.append({
            "judge": judge,
            "aliases": [a for a in found if a != judge] or [],
            "judge_type": group["judge_type"].mode().iat[0] if group["judge_type"].notna().any() else "llm",
            "assessments": int(len(group)),
        })
    return pd.DataFrame(rows, columns=["judge", "aliases", "judge_type", "assessments"])


def read_table(folder: str | Path, name: str) -> pd.DataFrame:
    return pq.read_table(Path(folder) / name).to_pandas()
