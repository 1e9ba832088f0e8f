"""`Store.records_by_response_id`: texts of a page read by row group, checked against DuckDB's scan."""
from __future__ import annotations

import random

import pandas as pd
import pyarrow.parquet as pq

from toolkit.storage.store import Store
from toolkit.core.tables import write_tables


def duckdb_rows(store: Store, table: str, columns: list[str], ids: list[str]) -> pd.DataFrame:
    marks = ", ".join("?" for _ in ids)
    return store.query(f"SELECT response_id, {', '.join(columns)} FROM {table} WHERE response_id IN ({marks})", ids)


def by_groups(store: Store, table: str, columns: list[str], ids: list[str]) -> pd.DataFrame:
    return pd.DataFrame(store.records_by_response_id(table, columns, ids), columns=["response_id", *columns])


def records(frame: pd.DataFrame, keys: list[str]) -> list[dict]:
    frame = frame.sort_values(keys, ignore_index=True).astype(object)
    return frame.where(frame.notna(), None).to_dict("records")


def same(a: pd.DataFrame, b: pd.DataFrame, keys: list[str]) -> bool:
    return records(a, keys) == records(b, keys)


def test_built_layout_is_indexed_and_reads_what_duckdb_reads(sample_data):
    store = Store.open(sample_data)
    assert store._row_groups("responses") is not None and store._row_groups("assessments") is not None
    ids = store.query("SELECT response_id FROM responses ORDER BY response_id")["response_id"].tolist()
    rng = random.Random(7)
    for pick in (ids[:3], rng.sample(ids, 50), ids[-50:], [ids[10], "no-such-id", ids[-1]], ["no-such-id"]):
        got = by_groups(store, "responses", ["content", "model"], pick)
        assert same(got, duckdb_rows(store, "responses", ["content", "model"], pick), ["response_id"])
        got = by_groups(store, "assessments", ["judge", "analysis"], pick)
        assert same(got, duckdb_rows(store, "assessments", ["judge", "analysis"], pick), ["response_id", "judge"])
    assert by_groups(store, "responses", ["content"], []).empty


def test_unsorted_files_fall_back_to_duckdb(tmp_path):
    """Files not sorted by response_id (e.g. written by hand) give the same rows through DuckDB."""
    responses = [{"response_id": r, "question_uid": "q", "model": "m", "content": f"text {r}"}
                 for r in ("c", "a", "d", "b")]
    folder = write_tables(tmp_path / "data", {"responses": responses})
    pq.write_table(pq.read_table(folder / "responses"), folder / "responses" / "part-0.parquet", row_group_size=1)
    store = Store.open(folder)
    assert store._row_groups("responses") is None  # group minimums c, a, d, b: not in order
    got = by_groups(store, "responses", ["content"], ["b", "c"])
    assert sorted(got["content"]) == ["text b", "text c"]
