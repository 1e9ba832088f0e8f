"""Benchmark: the data of SpeechMap's views (themes, model page, timeline) and the judge-sensitivity table.

    python bench/views.py [--scale full|small] [--repeats 30] [--baseline-repeats 5] [--no-report]

Data: the full-scale demo (`python -m toolkit demo --out bench/.cache/full --scale full`), reused
when present, generated when missing. Each view is timed the way the reports compute it (DuckDB
GROUP BYs on `response_view`: toolkit.query.themes, model_view, timeline, sensitivity) and, in the
same run, the straightforward way: pandas over the raw tables loaded once into memory, one merge per
judge (newest assessment per response), groupby and sort; the baseline's Kendall tau-b is scipy's.
The figures of the two ways are checked to agree before timing. Each repeat moves to the next LLM
judge and model (cycling). Targets: each view p95 <= 300 ms; the judge-sensitivity table over all
models and judges p95 <= 1 s.
"""
from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import scipy.stats

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench._report import ensure_data, percentile, write_section  # noqa: E402
from toolkit.core.labels import SCORED  # noqa: E402
from toolkit.query import inputs  # noqa: E402
from toolkit.query.model_view import model_breakdown, model_page  # noqa: E402
from toolkit.query.sensitivity import sensitivity  # noqa: E402
from toolkit.query.themes import release_cutoff, theme_summary, theme_view  # noqa: E402
from toolkit.query.timeline import timeline_months, timeline_points  # noqa: E402
from toolkit.stats.ema import ema_alpha, gap_aware_ema  # noqa: E402
from toolkit.storage.store import Store  # noqa: E402

VIEW_TARGET_MS, SENSITIVITY_TARGET_MS = 300.0, 1000.0
PCT = {label: f"pct_{label.lower()}" for label in SCORED}
WINDOW = 12  # months, for the windowed themes view


# -- the reports' way --------------------------------------------------------------------------
def store_views(store: Store, question_set: str | None, as_of) -> dict[str, Callable]:
    return {
        "themes (all models)": lambda j, m: theme_summary(store, j, question_set),
        f"themes (released within {WINDOW} months)": lambda j, m: theme_summary(
            store, j, question_set, released_within=WINDOW, as_of=as_of),
        "theme grid (one theme)": lambda j, m: theme_view(store, j, m[1], question_set).models,
        "model page (header + domains + themes)": lambda j, m: model_page(store, j, m[0], question_set),
        "timeline (models + months + EMA)": lambda j, m: timeline_months(timeline_points(store, j, "complete",
                                                                                          question_set)),
        "judge sensitivity (all models x judges)": lambda j, m: sensitivity(store, question_set),
    }


# -- the straightforward way -------------------------------------------------------------------
class PandasBaseline:
    """Raw tables in memory; every view re-joins them (what a first implementation would do), with
    SpeechMap's rules: skipped models out, a moderated or errored reply (original_response_error)
    counts as ERROR whatever the judge said."""

    def __init__(self, folder: Path, question_set: str | None):
        read = lambda name, cols: pd.read_parquet(folder / name, columns=cols)  # noqa: E731
        self.assessments = read("assessments", ["response_id", "judge", "label", "timestamp", "assessment_id"])
        responses = read("responses", ["response_id", "model", "question_set", "question_uid",
                                       "moderation_reason", "original_response_error"])
        if question_set:
            responses = responses[responses["question_set"] == question_set]
        questions = read("questions", ["question_uid", "domain", "theme", "variation"])
        models = read("models", ["model", "lab", "release_date", "skip"])
        self.models = models[~models["skip"].fillna(False).astype(bool)].drop(columns="skip")
        responses = responses[~responses["model"].isin(set(models.loc[models["skip"].fillna(False).astype(bool), "model"]))]
        responses["forced_error"] = responses["moderation_reason"].notna() | responses["original_response_error"].fillna(False)
        self.responses = responses.merge(questions, on="question_uid", how="left").merge(
            self.models, on="model", how="left")
        self.judges = sorted(self.assessments["judge"].unique())

    def labels(self, judge: str) -> pd.DataFrame:
        rows = self.assessments[self.assessments["judge"] == judge].sort_values(["timestamp", "assessment_id"])
        rows = rows.drop_duplicates("response_id", keep="last")[["response_id", "label"]]
        rows = rows.merge(self.responses, on="response_id")
        return rows.assign(label=rows["label"].where(~rows["forced_error"], "ERROR"))

    @staticmethod
    def shares(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
        counts = pd.crosstab([rows[k] for k in keys], rows["label"])
        frame = pd.DataFrame({"n": counts.sum(axis=1)})
        for label, column in PCT.items():
            frame[column] = (counts[label] if label in counts else 0) / frame["n"] * 100.0
        return frame.reset_index()

    def themes(self, judge: str, cutoff=None) -> pd.DataFrame:
        rows = self.labels(judge)
        if cutoff is not None:
            rows = rows[pd.to_datetime(rows["release_date"]) >= pd.Timestamp(cutoff)]
        frame = self.shares(rows, ["theme"])
        frame["models"] = frame["theme"].map(rows.groupby("theme")["model"].nunique())
        return frame.sort_values(["pct_complete", "theme"]).reset_index(drop=True)

    def theme_models(self, judge: str, theme: str) -> pd.DataFrame:
        rows = self.labels(judge)
        return self.shares(rows[rows["theme"] == theme], ["model"]).sort_values(
            ["pct_complete", "model"]).reset_index(drop=True)

    def model_page(self, judge: str, model: str) -> dict[str, pd.DataFrame]:
        rows = self.labels(judge)
        pages = {}
        for level in ("domain", "theme"):
            frame = self.shares(rows, [level, "model"])
            frame["score"] = frame["pct_complete"].map(lambda v: round(v, 4))
            frame["rank"] = frame.groupby(level)["score"].rank(method="min", ascending=False).astype(int)
            frame["total"] = frame.groupby(level)["score"].transform("size")
            frame["tied"] = frame.groupby([level, "score"])["score"].transform("size")
            pages[level] = frame[frame["model"] == model].sort_values(level).reset_index(drop=True)
        return pages

    def timeline(self, judge: str) -> list[float]:
        frame = self.shares(self.labels(judge), ["model"]).merge(self.models, on="model")
        frame = frame[frame["release_date"].notna()]
        frame["month"] = pd.to_datetime(frame["release_date"]).dt.to_period("M").dt.to_timestamp().dt.date
        means = frame.groupby("month")["pct_complete"].mean()
        return gap_aware_ema(list(means.items()), ema_alpha())

    def sensitivity(self) -> tuple[pd.DataFrame, dict]:
        per_judge = {}
        for judge in self.judges:
            frame = self.shares(self.labels(judge), ["model"])
            frame["rank"] = frame["pct_complete"].map(lambda v: round(v, 4)).rank(method="min", ascending=False).astype(int)
            per_judge[judge] = frame.set_index("model")
        scores = pd.concat(per_judge, names=["judge"]).reset_index()
        spreads = scores.groupby("model")["pct_complete"].agg(lambda s: s.max() - s.min())
        taus = {}
        for a, b in itertools.combinations(self.judges, 2):
            common = per_judge[a].index.intersection(per_judge[b].index)
            taus[frozenset((a, b))] = scipy.stats.kendalltau(per_judge[a].loc[common, "pct_complete"],
                                                             per_judge[b].loc[common, "pct_complete"]).statistic
        return spreads, taus


def baseline_views(base: PandasBaseline, cutoff) -> dict[str, Callable]:
    return dict(zip(VIEW_NAMES, [
        lambda j, m: base.themes(j),
        lambda j, m: base.themes(j, cutoff),
        lambda j, m: base.theme_models(j, m[1]),
        lambda j, m: base.model_page(j, m[0]),
        lambda j, m: base.timeline(j),
        lambda j, m: base.sensitivity(),
    ]))


VIEW_NAMES: list[str] = []


def same_figures(store: Store, base: PandasBaseline, question_set, as_of, judge: str, pick) -> None:
    """The two ways must give the same numbers on every view."""
    close = lambda a, b: np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=1e-9)  # noqa: E731
    cols = ["n", *PCT.values()]
    for ours, theirs in ((theme_summary(store, judge, question_set), base.themes(judge)),
                         (theme_summary(store, judge, question_set, released_within=WINDOW, as_of=as_of),
                          base.themes(judge, release_cutoff(store, WINDOW, as_of)))):
        assert ours["theme"].tolist() == theirs["theme"].tolist()
        close(ours[cols + ["models"]], theirs[cols + ["models"]])
    grid = theme_view(store, judge, pick[1], question_set).models
    close(grid[cols], base.theme_models(judge, pick[1])[cols])
    pages = base.model_page(judge, pick[0])
    for level in ("domain", "theme"):
        close(model_breakdown(store, judge, pick[0], level, question_set)[cols + ["rank", "total", "tied"]],
              pages[level][cols + ["rank", "total", "tied"]])
    months = timeline_months(timeline_points(store, judge, "complete", question_set))
    close(months.loc[months["series"] == "all", "ema"], base.timeline(judge))
    report = sensitivity(store, question_set)
    spreads, taus = base.sensitivity()
    close(report.models.set_index("model")["spread"].sort_index(), spreads.sort_index())
    for row in report.pairs.itertuples():
        close([row.kendall_tau_b], [taus[frozenset((row.judge_a, row.judge_b))]])


def timed(run: Callable, draws: list[tuple[str, tuple[str, str]]]) -> list[float]:
    times = []
    for judge, pick in draws:
        start = time.perf_counter()
        run(judge, pick)
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="full", choices=["small", "full"])
    parser.add_argument("--repeats", type=int, default=30, help="timed calls of each view the reports' way")
    parser.add_argument("--baseline-repeats", type=int, default=5, help="timed calls of each pandas view (slow)")
    parser.add_argument("--no-report", action="store_true", help="print only; leave docs/BENCHMARKS.md alone")
    args = parser.parse_args()

    data = ensure_data(args.scale)
    start = time.perf_counter()
    store = Store.open(data)
    open_s = time.perf_counter() - start
    judges = store.judge_names("llm")
    question_set = inputs.resolve_question_set(store, None)
    question_set = question_set if isinstance(question_set, str) else None
    as_of = inputs.default_as_of(store)
    themes = theme_summary(store, judges[0], question_set)["theme"].tolist()  # of the question set
    models = sorted(sensitivity(store, question_set).models["model"])
    draws = [(judges[i % len(judges)], (models[(7 * i) % len(models)], themes[(11 * i) % len(themes)]))
             for i in range(max(args.repeats, args.baseline_repeats))]
    start = time.perf_counter()
    base = PandasBaseline(data, question_set)
    load_s = time.perf_counter() - start
    ours_views = store_views(store, question_set, as_of)
    VIEW_NAMES[:] = list(ours_views)
    theirs_views = baseline_views(base, release_cutoff(store, WINDOW, as_of))
    same_figures(store, base, question_set, as_of, judges[0], draws[0][1])

    table = ["| view | p50 ms | p95 ms | pandas p50 ms | pandas p95 ms | speed-up (p50) | target |",
             "|---|---:|---:|---:|---:|---:|---|"]
    verdicts = []
    for name, run in ours_views.items():
        run(*draws[0])  # warm-up (first-query planning)
        ours = timed(run, draws[:args.repeats])
        theirs = timed(theirs_views[name], draws[:args.baseline_repeats])
        target = SENSITIVITY_TARGET_MS if name.startswith("judge sensitivity") else VIEW_TARGET_MS
        p95 = percentile(ours, 95)
        verdicts.append(p95 <= target)
        table.append(f"| {name} | {percentile(ours, 50):.1f} | {p95:.1f} | {percentile(theirs, 50):.1f} "
                     f"| {percentile(theirs, 95):.1f} | {statistics.median(theirs) / statistics.median(ours):.1f}x "
                     f"| {'meets' if p95 <= target else 'MISSES'} {target:.0f} ms |")
    responses = store.scalar("SELECT count(*) FROM response_view")
    assessments = store.scalar("SELECT count(*) FROM assessments")
    body = "\n".join([
        f"Data: {args.scale}-scale demo: {responses:,} responses, {assessments:,} assessments, "
        f"{len(store.judges)} judges ({len(judges)} LLM), {len(models)} models, {len(themes)} themes, question set "
        f"`{question_set or 'all'}`, as of {as_of}. {args.repeats} calls per view ({args.baseline_repeats} for "
        "pandas), cycling over the LLM judges, models and themes.",
        "",
        *table,
        "",
        f"{'All views meet' if all(verdicts) else 'Not every view meets'} its target; same figures as the "
        f"pandas baseline (checked). One-off costs, not in the times: opening the store {open_s:.1f} s; "
        f"loading the raw tables into pandas {load_s:.1f} s.",
    ])
    print(body)
    if not args.no_report:
        command = "python bench/views.py" + ("" if args.scale == "full" else f" --scale {args.scale}")
        write_section("views", "Views: themes, model page, timeline, judge sensitivity", command, body)


if __name__ == "__main__":
    main()
