"""Judge migration: what changes when the judge changes, on the responses both judges judged.

A comparison of judges, like the explorer: every judged response counts, by each judge's own label
(models with SpeechMap's `skip` flag included, moderated responses as the judges labelled them).

One crosstab (model x old label x new label) from which every table of the report is derived.

Honest numbers: n (responses both judges judged) beside each model's and lab's shift, and a 95%
interval for each model's change of each scored label's % (Newcombe's paired score interval,
`toolkit.stats.intervals.paired_difference_bounds`: both percentages are on the same answers). A change
is *clear* when its interval excludes 0. The interval treats a model's answers as independent; the
four variations of one theme are alike, so it may be somewhat narrow.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from toolkit.core.filters import FilterInput
from toolkit.core.labels import SCORED, UNKNOWN, order_key
from toolkit.query.inputs import conditions, default_as_of, model_metadata
from toolkit.query.lab_index import lab_index
from toolkit.query.scores import PCT
from toolkit.stats.intervals import excludes, paired_difference_bounds
from toolkit.stats.ranks import percent
from toolkit.storage.store import Store


def migration_crosstab(store: Store, from_judge: str, to_judge: str,
                      question_set: str | Sequence[str] | None = None,
                      filters: FilterInput = None) -> pd.DataFrame:
    """The one aggregation behind a migration report: counts per (model, from_label, to_label) over
    the responses both judges labelled, with each model's lab, lab name and release date."""
    a, b = store.judge_column(from_judge), store.judge_column(to_judge)
    where, params = conditions(store, question_set, filters, keep_skipped=True)  # judges compared on all
    counts = store.query(
        f"""
        SELECT model, {a} AS from_label, {b} AS to_label, count(*) AS n
        FROM response_view WHERE {a} IS NOT NULL AND {b} IS NOT NULL {where}
        GROUP BY ALL
        ORDER BY model, from_label, to_label
        """,
        params,
    )
    return counts.merge(model_metadata(store), on="model", how="left")


@dataclass
class Migration:
    """What changes when the judge changes (all frames derived from one crosstab)."""
    from_judge: str
    to_judge: str
    summary: pd.DataFrame       # compared, changed, pct_changed, models
    aggregate: pd.DataFrame     # label, n_from, n_to, share_from, share_to, change_points
    models: pd.DataFrame        # per model: n, pct_<label>_from/_to, delta_<label>, its 95% interval
                                # delta_<label>_low/_high, clear_change (% complete's interval excludes 0)
    shifts: pd.DataFrame        # per label: mean, std, mean_abs of the per-model deltas, models, clear_changes
    movers: pd.DataFrame        # biggest gains and drops of % COMPLETE, with the interval and clear_change
    transitions: pd.DataFrame   # from_label, to_label, n, pct (of all compared rows)
    labs: pd.DataFrame          # lab index and rank under each judge, rank change, n behind the index

    def tables(self) -> dict[str, pd.DataFrame]:
        return {name: getattr(self, name) for name in MIGRATION_PARTS}


MIGRATION_PARTS = ("summary", "aggregate", "models", "shifts", "movers", "transitions", "labs")


MOVER_COLUMNS = ["direction", "model", "lab", "n", "pct_complete_from", "pct_complete_to", "delta_complete",
                 "delta_complete_low", "delta_complete_high", "clear_change"]


def _count_cube(crosstab: pd.DataFrame) -> tuple[list[str], list[str], np.ndarray]:
    """models, labels and counts[model, from_label, to_label] of a transition crosstab."""
    models = sorted(crosstab["model"].unique()) if len(crosstab) else []
    seen = set(crosstab["from_label"]) | set(crosstab["to_label"]) if len(crosstab) else set()
    labels = list(dict.fromkeys([*SCORED, UNKNOWN, *sorted(seen, key=order_key)]))
    model_at = {m: i for i, m in enumerate(models)}
    label_at = {l: i for i, l in enumerate(labels)}
    cube = np.zeros((len(models), len(labels), len(labels)), dtype=np.int64)
    if len(crosstab):
        np.add.at(cube, (crosstab["model"].map(model_at).to_numpy(), crosstab["from_label"].map(label_at).to_numpy(),
                         crosstab["to_label"].map(label_at).to_numpy()), crosstab["n"].to_numpy())
    return models, labels, cube


def migration_report(crosstab: pd.DataFrame, from_judge: str, to_judge: str,
                     as_of: dt.date | str | None = None, top: int = 10) -> Migration:
    """Build every table of the migration report from `migration_crosstab` (pure).

    With c[m, a, b] = responses of model m labelled a by the old judge and b by the new one:
    shares per label = sum over models / all compared rows x 100; per-model % under each judge
    from the margins of c[m]; per-model deltas are new - old in points, summarised by their mean,
    sample standard deviation (ddof = 1, NaN for a single model) and mean absolute value; changed =
    all rows - the diagonal. Lab rank change = rank under old - rank under new (positive = moved up).
    """
    models, labels, cube = _count_cube(crosstab)
    compared = int(cube.sum())
    changed = compared - int(np.trace(cube.sum(axis=0))) if compared else 0
    summary = pd.DataFrame([{"from_judge": from_judge, "to_judge": to_judge, "compared": compared,
                             "changed": changed, "pct_changed": percent(changed, compared),
                             "models": len(models)}])
    totals = cube.sum(axis=0)
    table = _per_model(crosstab, models, labels, cube)
    return Migration(from_judge, to_judge, summary, _aggregate(labels, totals), table, _shifts(table),
                     _movers(table, top), _transitions(labels, totals), _lab_rank_changes(table, as_of))


def _share(values: np.ndarray, compared: int) -> np.ndarray:
    """values / compared x 100 (NaN when nothing was compared)."""
    return values / compared * 100.0 if compared else values * math.nan


def _aggregate(labels: list[str], totals: np.ndarray) -> pd.DataFrame:
    """Per label: n and share under each judge, change in points (scored labels always shown)."""
    compared = int(totals.sum())
    n_from, n_to = totals.sum(axis=1), totals.sum(axis=0)
    shown = [i for i, l in enumerate(labels) if l in SCORED or n_from[i] or n_to[i]]
    aggregate = pd.DataFrame({"label": [labels[i] for i in shown], "n_from": n_from[shown], "n_to": n_to[shown],
                              "share_from": _share(n_from[shown], compared), "share_to": _share(n_to[shown], compared)})
    aggregate["change_points"] = aggregate["share_to"] - aggregate["share_from"]
    return aggregate


def _transitions(labels: list[str], totals: np.ndarray) -> pd.DataFrame:
    """Every non-empty (from_label, to_label) cell: n, pct of all compared rows, changed."""
    pairs = [(i, j) for i in range(len(labels)) for j in range(len(labels)) if totals[i, j]]
    transitions = pd.DataFrame({"from_label": [labels[i] for i, _ in pairs], "to_label": [labels[j] for _, j in pairs],
                                "n": [int(totals[i, j]) for i, j in pairs]})
    transitions["pct"] = _share(transitions["n"].to_numpy(dtype=float), int(totals.sum()))
    transitions["changed"] = transitions["from_label"] != transitions["to_label"]
    return transitions


def _per_model(crosstab: pd.DataFrame, models: list[str], labels: list[str], cube: np.ndarray) -> pd.DataFrame:
    """Per model: metadata, n, % per scored label under each judge and the deltas (new - old)."""
    meta = (crosstab.drop_duplicates("model").set_index("model")
            .reindex(models)[["lab", "lab_name", "release_date", "reasoning"]].reset_index())
    per_model = cube.sum(axis=(1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        before = cube.sum(axis=2) / per_model[:, None] * 100.0   # model x label, old judge
        after = cube.sum(axis=1) / per_model[:, None] * 100.0    # model x label, new judge
    columns = {"n": per_model}
    for label in SCORED:
        k = labels.index(label)
        columns[f"{PCT[label]}_from"] = before[:, k]
        columns[f"{PCT[label]}_to"] = after[:, k]
    for label in SCORED:
        columns[f"delta_{label.lower()}"] = columns[f"{PCT[label]}_to"] - columns[f"{PCT[label]}_from"]
    for label in SCORED:
        low, high = _change_interval(cube, labels.index(label))
        columns[f"delta_{label.lower()}_low"], columns[f"delta_{label.lower()}_high"] = low, high
    columns["clear_change"] = excludes(columns["delta_complete_low"], columns["delta_complete_high"])
    table = pd.concat([meta, pd.DataFrame(columns)], axis=1)
    return table.sort_values(["delta_complete", "model"], ascending=[False, True]).reset_index(drop=True)


def _change_interval(cube: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Per model, the 95% interval of (new - old) % of label k, in points: Newcombe's paired interval
    of the 2x2 table both / new only / old only / neither judge gave label k."""
    both = cube[:, k, k]
    old, new = cube[:, k, :].sum(axis=1), cube[:, :, k].sum(axis=1)
    neither = cube.sum(axis=(1, 2)) - old - new + both
    low, high = paired_difference_bounds(both, new - both, old - both, neither)
    return low * 100.0, high * 100.0


def _shifts(table: pd.DataFrame) -> pd.DataFrame:
    """Per scored label: mean, sample standard deviation and mean absolute value of the deltas, the
    models they come from, and how many of those changed clearly (95% interval excludes 0)."""
    return pd.DataFrame([{
        "label": label,
        "mean": table[f"delta_{label.lower()}"].mean(),
        "std": table[f"delta_{label.lower()}"].std(ddof=1),
        "mean_abs": table[f"delta_{label.lower()}"].abs().mean(),
        "models": int(table[f"delta_{label.lower()}"].notna().sum()),
        "clear_changes": int(excludes(table[f"delta_{label.lower()}_low"], table[f"delta_{label.lower()}_high"]).sum()),
    } for label in SCORED])


def _movers(table: pd.DataFrame, top: int) -> pd.DataFrame:
    """The `top` biggest gains and drops of % COMPLETE."""
    gains = table[table["delta_complete"] > 0].head(top).assign(direction="gain")
    drops = table[table["delta_complete"] < 0].sort_values(["delta_complete", "model"]).head(top)
    return pd.concat([gains, drops.assign(direction="drop")])[MOVER_COLUMNS].reset_index(drop=True)


def _lab_rank_changes(models: pd.DataFrame, as_of: dt.date | str | None) -> pd.DataFrame:
    """Lab index and rank under each judge, their changes, and n: the responses both judges judged
    of the lab's models in its index window (the same models under both judges)."""
    sides = {}
    for side in ("from", "to"):
        scores = models[["model", "lab", "lab_name", "release_date", "n"]].assign(
            pct_complete=models[f"pct_complete_{side}"])
        sides[side] = lab_index(scores, as_of)[["lab", "lab_name", "index", "rank", "answers"]].rename(
            columns={"index": f"index_{side}", "rank": f"rank_{side}", "answers": "n"})
    labs = sides["from"].drop(columns="n").merge(sides["to"].drop(columns="lab_name"), on="lab", how="outer")
    columns = [c for c in labs.columns if c != "n"] + ["rank_change", "index_change", "n"]
    if labs.empty:
        return pd.DataFrame(columns=columns)
    labs["rank_change"] = labs["rank_from"] - labs["rank_to"]
    labs["index_change"] = labs["index_to"] - labs["index_from"]
    return labs.sort_values(["rank_to", "lab"]).reset_index(drop=True)[columns]


def migration(store: Store, from_judge: str, to_judge: str,
              question_set: str | Sequence[str] | None = None, filters: FilterInput = None,
              as_of: dt.date | str | None = None, top: int = 10) -> Migration:
    """The judge-migration report between two judges on the responses both judged."""
    crosstab = migration_crosstab(store, from_judge, to_judge, question_set, filters)
    return migration_report(crosstab, from_judge, to_judge,
                            as_of if as_of is not None else default_as_of(store), top)


def overlap_partner(store: Store, judge: str | None, question_set: str | None) -> str | None:
    """The other judge with the most responses in common with `judge` (the default baseline)."""
    others = [j for j in store.judge_names() if j != judge]
    if judge is None or not others:
        return judge
    mine = store.judge_column(judge)
    counts = ", ".join(f"count(*) FILTER (WHERE {store.judge_column(o)} IS NOT NULL) AS c{i}"
                       for i, o in enumerate(others))
    where, params = ("AND question_set = ?", [question_set]) if question_set else ("", [])
    row = store.query(f"SELECT {counts} FROM response_view WHERE {mine} IS NOT NULL {where}", params).iloc[0]
    best = max(range(len(others)), key=lambda i: (int(row[f"c{i}"]), -i))
    return others[best]
