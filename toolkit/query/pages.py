"""The items behind a transition-matrix cell: one page of responses, all of them as a table, and
every judge's label and analysis for a set of responses (SQL + shaping)."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from toolkit.core.filters import FilterInput, Filters, NoMatch
from toolkit.query.agreement import Side, both_judged_sql, value_sql
from toolkit.storage.store import Store, where_clause

MAX_PAGE_SIZE = 500


@dataclass
class CellPage:
    total: int                      # items in the cell (no cap)
    page: int                       # 1-based, clamped to [1, pages]
    pages: int
    page_size: int
    items: pd.DataFrame             # one row per response of this page
    judgements: pd.DataFrame = field(default_factory=pd.DataFrame)  # every judge's label and analysis

    def judgements_of(self, response_id: str) -> pd.DataFrame:
        return self.judgements[self.judgements["response_id"] == response_id]


ITEM_COLUMNS = ["response_id", "question_set", "question_id", "theme", "domain", "question", "model",
                "provider", "content", "from_label", "to_label"]


def _cell_sql(store: Store, side1: Side, side2: Side, filters: FilterInput) -> tuple[str, list[Any]]:
    where, params = where_clause(Filters.of(filters))
    sql = (f"FROM response_view WHERE {both_judged_sql(store, side1, side2)} "
           f"AND {value_sql(store, side1)} = ? AND {value_sql(store, side2)} = ?{where}")
    return sql, params


ITEM_ORDER = "response_id"


def cell_page(store: Store, side1: Side, side2: Side, from_label: str, to_label: str,
              filters: FilterInput = None, page: int = 1, page_size: int = 50,
              total: int | None = None) -> CellPage:
    """One page of the responses in cell (from_label, to_label), ordered by response id (stable).

    Paged on the server with LIMIT/OFFSET over the in-memory response_view: any page of any cell
    is reachable, there is no cap. The texts are then fetched for the page's ids only. `total`, the
    cell's count, may be given by a caller that has the transition matrix (it is then not counted
    again); it must come from the same judges, label columns and filters.
    """
    page_size = max(1, min(int(page_size), MAX_PAGE_SIZE))
    empty = CellPage(0, 1, 1, page_size, pd.DataFrame(columns=ITEM_COLUMNS),
                     pd.DataFrame(columns=["response_id", "judge", "judge_type", "label", "label_raw", "analysis"]))
    try:
        cell, params = _cell_sql(store, side1, side2, filters)
    except NoMatch:
        return empty
    params = [str(from_label), str(to_label)] + params
    if total is None:  # a caller that has the transition matrix already knows it
        total = int(store.scalar(f"SELECT count(*) {cell}", params))
    if not total:
        return empty
    pages = max(1, math.ceil(total / page_size))
    page = max(1, min(int(page), pages))
    # Sort only the ids (a top-N over one column), then read the page's 50 rows by id. Small results
    # are handled as tuples: data frames are built once, at the end (Python time is what a busy
    # explorer runs out of first).
    ids = [row[0] for row in store.rows(f"SELECT response_id {cell} ORDER BY {ITEM_ORDER} LIMIT ? OFFSET ?",
                                        params + [page_size, (page - 1) * page_size])]
    marks = ", ".join("?" for _ in ids)
    rows = store.rows(
        f"""
        SELECT v.response_id, v.question_set, v.question_id, v.theme, v.domain, q.text AS question, v.model,
               v.provider, {value_sql(store, side1)} AS from_label, {value_sql(store, side2)} AS to_label
        FROM response_view v LEFT JOIN questions q USING (question_uid)
        WHERE v.response_id BETWEEN ? AND ? AND v.response_id IN ({marks})
        ORDER BY v.{ITEM_ORDER}
        """,
        [min(ids), max(ids), *ids],
    )
    ids = [row[0] for row in rows]
    contents = {r["response_id"]: r["content"] for r in store.records_by_response_id("responses", ["content"], ids)}
    items = pd.DataFrame([(*row[:8], contents.get(row[0]), *row[8:]) for row in rows], columns=ITEM_COLUMNS,
                         dtype=object)
    return CellPage(total, page, pages, page_size, items, judgements_for(store, ids))


JUDGEMENT_COLUMNS = ["response_id", "judge", "judge_type", "label", "label_raw", "analysis"]


def judgements_for(store: Store, response_ids: list[str]) -> pd.DataFrame:
    """Every judge's label and analysis for these responses: a judge's newest row (ties: the largest
    assessment id), the row the store keeps in response_view."""
    rows = store.records_by_response_id("assessments", JUDGEMENT_COLUMNS + ["timestamp", "assessment_id"],
                                        response_ids)
    newest: dict[tuple[str, str], dict] = {}
    for row in rows:
        key = (row["response_id"], row["judge"])
        rank = (row["timestamp"] or "", row["assessment_id"])
        if key not in newest or rank > (newest[key]["timestamp"] or "", newest[key]["assessment_id"]):
            newest[key] = row
    kept = [newest[key] for key in sorted(newest)]
    return pd.DataFrame([[row[c] for c in JUDGEMENT_COLUMNS] for row in kept], columns=JUDGEMENT_COLUMNS,
                        dtype=object)


def cell_items_frame(store: Store, side1: Side, side2: Side, from_label: str, to_label: str,
                     filters: FilterInput = None) -> pd.DataFrame:
    """All items of a cell as one flat table (the CSV download): the item columns plus both judges'
    analyses. No cap, so a huge cell gives a huge file."""
    try:
        cell, params = _cell_sql(store, side1, side2, filters)
    except NoMatch:
        return pd.DataFrame(columns=ITEM_COLUMNS)
    frame = store.query(
        f"""
        WITH ids AS (SELECT response_id, question_uid, question_set, question_id, theme, domain, model, provider,
                            {value_sql(store, side1)} AS from_label, {value_sql(store, side2)} AS to_label {cell})
        SELECT ids.response_id, ids.question_set, ids.question_id, ids.theme, ids.domain, q.text AS question,
               ids.model, ids.provider, r.content, ids.from_label, ids.to_label
        FROM ids LEFT JOIN questions q USING (question_uid) LEFT JOIN responses r USING (response_id)
        ORDER BY ids.response_id
        """,
        [str(from_label), str(to_label)] + params,
    )[ITEM_COLUMNS]
    # Judgements joined on the server, so that a huge cell does not bind millions of ids.
    judgements = store.query(
        f"""SELECT response_id, judge, analysis FROM assessments
            WHERE response_id IN (SELECT response_id {cell})
            QUALIFY row_number() OVER (PARTITION BY response_id, judge
                                       ORDER BY coalesce(timestamp, '') DESC, assessment_id DESC) = 1""",
        [str(from_label), str(to_label)] + params,
    )
    for side, name in ((side1, "judge1"), (side2, "judge2")):
        mine = judgements[judgements["judge"] == side.judge][["response_id", "analysis"]]
        frame = frame.merge(mine.rename(columns={"analysis": f"{name}_analysis"}), on="response_id", how="left")
    frame.insert(frame.columns.get_loc("from_label"), "judge1", side1.judge)
    frame.insert(frame.columns.get_loc("to_label"), "judge2", side2.judge)
    return frame
