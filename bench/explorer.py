"""Benchmark: the Judge explorer's queries against the anchor's query shape, and a load run.

    python bench/explorer.py [--scale full|small] [--pairs 50] [--pages 50] [--clients 20] [--seconds 120]

Data: the full-scale demo (`python -m toolkit demo --out bench/.cache/full --scale full`), reused when
present, generated when missing. One run, one DuckDB store over the same parquet files:

- matrix: 50 random (judge 1, judge 2, label columns, filters) draws, seeded. The tab's way is
  `agreement.transition_counts` (one GROUP BY over `response_view`); the anchor's shape
  (pappitti/speechmap-judges) is a self-join of the assessments on response_id joined to the
  responses/questions/models for the same filters. Counts are checked to agree.
- page: 50 random (pair, filters, non-empty cell, page) draws, 50 items a page, any page (deep pages
  included). The tab's way is `agreement.cell_page` (items with question, response and every judge's
  label and analysis); the anchor's shape pages the same self-join with LIMIT/OFFSET and fetches the
  same texts.
- load: the real app.py on a loopback port, N concurrent clients calling the explorer endpoints
  (explorer_compare, explorer_cell) back to back for a fixed time over Gradio's HTTP API, each client
  one Gradio session (as one browser tab is). gradio_client was tried first: its 20 client threads
  took most of the 2 cores themselves, measuring the load generator rather than the app.

Targets: matrix p95 <= 150 ms, page p95 <= 150 ms, >= 5x faster than the anchor's shape (p50 ratio);
load: 0 errors, p95 <= 1 s.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench._report import ensure_data, percentile, write_section  # noqa: E402
from toolkit.core.filters import FILTER_NAMES  # noqa: E402
from toolkit.query import agreement as ag  # noqa: E402
from toolkit.query.pages import cell_page  # noqa: E402
from toolkit.storage.store import Store  # noqa: E402

TARGET_MATRIX_P95_MS = 150.0
TARGET_PAGE_P95_MS = 150.0
TARGET_SPEEDUP = 5.0
TARGET_LOAD_P95_S = 1.0
PAGE_SIZE = 50


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn()
    return (time.perf_counter() - started) * 1000, result


# -- random workload ---------------------------------------------------------------------------
def draw_filters(rng: random.Random, values: dict[str, list]) -> dict[str, Any]:
    """No filter, or one or two of the explorer's filters with values taken from the data."""
    names = rng.sample([n for n in values if values[n]], k=rng.choice([0, 1, 1, 2]))
    filters: dict[str, Any] = {}
    for name in names:
        if name == "reasoning":
            filters[name] = rng.choice([True, False])
        elif name == "question_set":
            filters[name] = rng.choice(values[name])
        else:
            filters[name] = rng.sample(values[name], k=min(len(values[name]), rng.choice([1, 1, 3])))
    return filters


def draw_pair(rng: random.Random, judges: list[str]) -> tuple[ag.Side, ag.Side]:
    j1, j2 = rng.choice(judges), rng.choice(judges)
    kinds = ag.LABEL_KINDS
    return ag.Side(j1, rng.choice(kinds)), ag.Side(j2, rng.choice(kinds))


# -- the anchor's shape ------------------------------------------------------------------------
ANCHOR_FROM = """
    FROM assessments a1
    JOIN assessments a2 ON a2.response_id = a1.response_id
    JOIN responses r ON r.response_id = a1.response_id
    LEFT JOIN questions q ON q.question_uid = r.question_uid
    LEFT JOIN models m ON m.model = r.model
    WHERE a1.judge = ? AND a2.judge = ?"""
ANCHOR_COLUMNS = {"question_set": "r.question_set", "domain": "q.domain", "theme": "q.theme", "model": "r.model",
                  "lab": "coalesce(m.lab, 'unknown')", "family": "m.family", "provider": "r.provider",
                  "reasoning": "m.reasoning"}


def anchor_where(filters: dict[str, Any]) -> tuple[str, list[Any]]:
    sql, params = "", []
    for name, value in filters.items():
        values = value if isinstance(value, list) else [value]
        sql += f" AND {ANCHOR_COLUMNS[name]} IN ({', '.join('?' for _ in values)})"
        params += values
    return sql, params


def anchor_label(side: ag.Side, alias: str) -> str:
    return f"{alias}.label" if side.kind == "label" else f"coalesce({alias}.label_raw, '{ag.MISSING_RAW}')"


def anchor_matrix(store: Store, side1: ag.Side, side2: ag.Side, filters: dict[str, Any]) -> pd.DataFrame:
    where, params = anchor_where(filters)
    return store.query(
        f"SELECT {anchor_label(side1, 'a1')} AS from_label, {anchor_label(side2, 'a2')} AS to_label, "
        f"count(*)::BIGINT AS n {ANCHOR_FROM}{where} GROUP BY ALL",
        [side1.judge, side2.judge] + params)


def anchor_page(store: Store, side1: ag.Side, side2: ag.Side, filters: dict[str, Any], source: str, target: str,
                page: int) -> pd.DataFrame:
    where, params = anchor_where(filters)
    items = store.query(
        f"""SELECT r.response_id, r.question_set, r.question_id, q.theme, q.domain, q.text AS question, r.model,
                   r.provider, r.content, {anchor_label(side1, 'a1')} AS from_label, {anchor_label(side2, 'a2')} AS to_label
            {ANCHOR_FROM}{where} AND {anchor_label(side1, 'a1')} = ? AND {anchor_label(side2, 'a2')} = ?
            ORDER BY r.response_id LIMIT ? OFFSET ?""",
        [side1.judge, side2.judge] + params + [source, target, PAGE_SIZE, (page - 1) * PAGE_SIZE])
    ids = list(items["response_id"])
    if ids:
        store.query(f"SELECT response_id, judge, label, label_raw, analysis FROM assessments "
                    f"WHERE response_id IN ({', '.join('?' for _ in ids)})", ids)
    return items


# -- measurements ------------------------------------------------------------------------------
def long_counts(frame: pd.DataFrame) -> dict[tuple[str, str], int]:
    return {(str(f), str(t)): int(n) for f, t, n in frame[["from_label", "to_label", "n"]].itertuples(index=False)}


def bench_queries(store: Store, pairs: int, pages: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    judges = store.judge_names()
    values = {name: store.distinct(name) for name in FILTER_NAMES if name != "variation"}
    values["reasoning"] = [True, False]
    matrix_ours, matrix_anchor, mismatches = [], [], 0
    workload = [(draw_pair(rng, judges), draw_filters(rng, values)) for _ in range(pairs)]
    for (side1, side2), filters in workload[:3]:  # warm both paths (parquet metadata, caches)
        ag.transition_counts(store, side1, side2, filters)
        anchor_matrix(store, side1, side2, filters)
    for (side1, side2), filters in workload:
        ours_ms, ours = timed(lambda: ag.transition_counts(store, side1, side2, filters))
        anchor_ms, anchor = timed(lambda: anchor_matrix(store, side1, side2, filters))
        matrix_ours.append(ours_ms)
        matrix_anchor.append(anchor_ms)
        mismatches += long_counts(ours) != long_counts(anchor)
    page_ours, page_anchor, deep, page_mismatches = [], [], 0, 0
    while len(page_ours) < pages:
        (side1, side2), filters = draw_pair(rng, judges), draw_filters(rng, values)
        counts = ag.transition_counts(store, side1, side2, filters)
        if counts.empty:
            continue
        cell = counts.sample(1, weights=counts["n"], random_state=rng.randrange(2**31)).iloc[0]
        last = max(1, -(-int(cell["n"]) // PAGE_SIZE))
        page = rng.choice([1, last, rng.randint(1, last)])
        deep += page > 100
        ours_ms, ours = timed(lambda: cell_page(store, side1, side2, cell["from_label"], cell["to_label"],
                                              filters, page=page, page_size=PAGE_SIZE))
        anchor_ms, anchor = timed(lambda: anchor_page(store, side1, side2, filters, cell["from_label"],
                                                      cell["to_label"], page))
        page_ours.append(ours_ms)
        page_anchor.append(anchor_ms)
        page_mismatches += list(ours.items["response_id"]) != list(anchor["response_id"])
    return {"matrix_ours": matrix_ours, "matrix_anchor": matrix_anchor, "matrix_mismatches": mismatches,
            "page_ours": page_ours, "page_anchor": page_anchor, "page_mismatches": page_mismatches,
            "deep_pages": deep, "judges": len(judges)}


# -- load run ----------------------------------------------------------------------------------
def call(session, url: str, endpoint: str, data: list, session_hash: str) -> None:
    """One call of a Gradio endpoint over its HTTP API: POST the inputs, read the result stream.

    The session hash plays the part of one browser tab (Gradio builds a session's state once).
    """
    base = f"{url}gradio_api/call/{endpoint}"
    answer = session.post(base, json={"data": data, "session_hash": session_hash}, timeout=60)
    answer.raise_for_status()
    stream = session.get(f"{base}/{answer.json()['event_id']}", timeout=60)
    stream.raise_for_status()
    if "event: complete" not in stream.text:
        raise RuntimeError(stream.text[:300])


def load_run(data: Path, clients: int, seconds: float, seed: int) -> dict[str, Any]:
    import requests

    from tests.browser import running_app
    from toolkit.ui.explorer import DROPDOWN_FILTERS as FILTER_NAMES

    store = Store.open(data)
    judges = store.judge_names()
    values = {name: store.distinct(name) for name in FILTER_NAMES}
    latencies: dict[str, list[float]] = {"explorer_compare": [], "explorer_cell": []}
    errors: list[str] = []
    lock = threading.Lock()
    with running_app(data, timeout=900) as url:
        def client_loop(index: int) -> None:
            rng = random.Random(seed * 1000 + index)
            session = requests.Session()
            deadline = time.time() + seconds
            while time.time() < deadline:
                j1, j2 = rng.choice(judges), rng.choice(judges)
                chosen = {n: [] for n in FILTER_NAMES}
                for name in rng.sample(list(FILTER_NAMES), k=rng.choice([0, 1, 1, 2])):
                    chosen[name] = rng.sample(values[name], k=1) if values[name] else []
                inputs = [j1, "label", j2, "label", *[chosen[n] for n in FILTER_NAMES], rng.choice(["any", "yes", "no"])]
                for endpoint, args in (("explorer_compare", inputs),
                                       ("explorer_cell", inputs + ["COMPLETE", "EVASIVE", rng.randint(1, 20), 50])):
                    started = time.perf_counter()
                    try:
                        call(session, url, endpoint, args, f"load-{index}")
                        with lock:
                            latencies[endpoint].append(time.perf_counter() - started)
                    except Exception as error:  # counted and reported, never hidden
                        with lock:
                            errors.append(f"{endpoint}: {type(error).__name__}: {str(error)[:200]}")

        threads = [threading.Thread(target=client_loop, args=(i,), daemon=True) for i in range(clients)]
        started = time.time()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=seconds + 120)
        elapsed = time.time() - started
    every = latencies["explorer_compare"] + latencies["explorer_cell"]
    return {"latencies": latencies, "all": every, "errors": errors, "elapsed": elapsed, "clients": clients,
            "hung": sum(t.is_alive() for t in threads)}


def ms(values: list[float], q: float) -> str:
    return f"{percentile(values, q):.1f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="full", choices=["full", "small"])
    parser.add_argument("--pairs", type=int, default=50)
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-load", action="store_true", help="skip the load run")
    parser.add_argument("--no-report", action="store_true", help="print only; leave docs/BENCHMARKS.md alone")
    args = parser.parse_args()

    data = ensure_data(args.scale)
    layouts = [("as built", data)]
    lines: list[str] = []
    table = ["| layout | query | runs | tab p50 ms | tab p95 ms | anchor shape p50 ms | anchor shape p95 ms | "
             "speed-up (p50) | targets met |", "|---|---|---|---|---|---|---|---|---|"]
    notes = []
    for layout, folder in layouts:
        open_ms, store = timed(lambda: Store.open(folder))
        counts = store.counts()
        print(f"[{layout}] store opened in {open_ms / 1000:.1f} s: {counts}", flush=True)
        result = bench_queries(store, args.pairs, args.pages, args.seed)
        mo, ma, po, pa = result["matrix_ours"], result["matrix_anchor"], result["page_ours"], result["page_anchor"]
        for name, ours, anchor, target in (
                ("transition matrix (random pair, label columns, filters)", mo, ma, TARGET_MATRIX_P95_MS),
                (f"drill-down page ({PAGE_SIZE} items, texts, every judgement)", po, pa, TARGET_PAGE_P95_MS)):
            speedup = statistics.median(anchor) / statistics.median(ours)
            met = percentile(ours, 95) <= target and speedup >= TARGET_SPEEDUP
            table.append(f"| {layout} | {name} | {len(ours)} | {ms(ours, 50)} | {ms(ours, 95)} | {ms(anchor, 50)} | "
                         f"{ms(anchor, 95)} | {speedup:.1f}x | {'yes' if met else 'NO'} |")
        notes.append(f"{layout}: store opening (builds `response_view` once) {open_ms / 1000:.1f} s; the two ways "
                     f"differ on {result['matrix_mismatches']} of {len(mo)} matrices and {result['page_mismatches']} "
                     f"of {len(po)} pages; {result['deep_pages']} pages drawn were beyond page 100.")
        store = None
    lines += [
        f"Data: {args.scale} demo, {counts['responses']:,} responses, {counts['assessments']:,} assessments, "
        f"{result['judges']} judges; one DuckDB store over the parquet tables, {os.cpu_count()} cores shared with "
        f"other work (load average {os.getloadavg()[0]:.1f} when the queries finished). "
        f"Targets: matrix and page p95 <= {TARGET_MATRIX_P95_MS:.0f} ms and >= {TARGET_SPEEDUP:.0f}x the anchor's "
        "shape (p50 ratio). The anchor's shape is a self-join of the assessments on response_id with the same "
        "filters (and, for a page, LIMIT/OFFSET over that join plus the same texts).",
        "",
        *table,
        "",
        *[f"- {note}" for note in notes],
        "- Differences between the two ways could only come from judges with duplicate rows (the self-join "
        "double-counts them); the demo has none, so both give the same counts and pages.",
        "- The page's texts come from the responses and assessments parquet files, which `toolkit build` writes "
        "sorted by response_id in row groups of about 256 KB; the store finds the groups that hold the page's "
        "ids from their min/max statistics and reads only those (at most 50 small groups per table). The "
        "anchor's shape reads the same texts through DuckDB's parquet scan with the same id filter.",
    ]
    if not args.no_load:
        for layout, folder in layouts:
            load = load_run(folder, args.clients, args.seconds, args.seed)
            every = load["all"]
            rows = ["", f"Load ({layout}): {load['clients']} concurrent HTTP clients (one Gradio session each) on loopback for "
                    f"{args.seconds:.0f} s (ran {load['elapsed']:.0f} s), each calling explorer_compare then "
                    "explorer_cell (page 1-20 of COMPLETE -> EVASIVE) back to back with random judges and filters "
                    "(as in the tab, the cell's count comes from the matrix the compare call has just cached).",
                    "", "| endpoint | calls | p50 s | p95 s | max s |", "|---|---|---|---|---|"]
            for endpoint, values in load["latencies"].items():
                if values:
                    rows.append(f"| {endpoint} | {len(values):,} | {percentile(values, 50):.3f} | "
                                f"{percentile(values, 95):.3f} | {max(values):.3f} |")
            if every:
                rows.append(f"| all | {len(every):,} | {percentile(every, 50):.3f} | "
                            f"{percentile(every, 95):.3f} | {max(every):.3f} |")
            load_ok = not load["errors"] and every and percentile(every, 95) <= TARGET_LOAD_P95_S and not load["hung"]
            rows.append(f"\nErrors: {len(load['errors'])}"
                        f"{' (first: ' + load['errors'][0] + ')' if load['errors'] else ''}; clients still running at "
                        f"the end: {load['hung']}. Load target (0 errors, p95 <= {TARGET_LOAD_P95_S:.0f} s) "
                        f"{'met' if load_ok else 'NOT met'}.")
            lines += rows
    body = "\n".join(lines)
    print(body)
    if not args.no_report:
        command = f"python bench/explorer.py --scale {args.scale}"
        write_section("explorer", "Judge explorer: transition matrix, drill-down, load", command, body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
