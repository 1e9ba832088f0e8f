"""Judge migration: what changes when the judge changes, on the responses both judges judged.

One crosstab (model x old label x new label) from which every table of the report is derived.
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
from toolkit.stats.ranks import percent
from toolkit.storage.store import Store


def migration_crosstab(store: Store, from_judge: str, to_judge: str,
                      question_set: str | Sequence[str] | None = None,
                      filters: FilterInput = None) -> pd.DataFrame:
    """The one aggregation behind a migration report: counts per (model, from_label, to_label) over
    the responses both judges labelled, with each model's lab, lab name and release date."""
    a, b = store.judge_column(from_judge), store.judge_column(to_judge)
    where, params = conditions(store, question_set, filters)
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
    models: pd.DataFrame        # per model: n, pct_<label>_from/_to, delta_<label>
    shifts: pd.DataFrame        # per label: mean, std, mean_abs of the per-model deltas
    movers: pd.DataFrame        # biggest gains and drops of % COMPLETE
    transitions: pd.DataFrame   # from_label, to_label, n, pct (of all compared rows)
    labs: pd.DataFrame          # lab index and rank under each judge, rank change

    def tables(self) -> dict[str, pd.DataFrame]:
        return {name: getattr(self, name) for name in MIGRATION_PARTS}


MIGRATION_PARTS = ("summary", "aggregate", "models", "shifts", "movers", "transitions", "labs")


MOVER_COLUMNS = ["direction", "model", "lab", "n", "pct_complete_from", "pct_complete_to", "delta_complete"]


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
    n_from, n_to = totals.sum(axis=1), totals.sum(axis=0)
    shown = [i for i, l in enumerate(labels) if l in SCORED or n_from[i] or n_to[i]]
    share = (lambda v: v / compared * 100.0) if compared else (lambda v: v * math.nan)
    aggregate = pd.DataFrame({"label": [labels[i] for i in shown], "n_from": n_from[shown], "n_to": n_to[shown],
                              "share_from": share(n_from[shown]), "share_to": share(n_to[shown])})
    aggregate["change_points"] = aggregate["share_to"] - aggregate["share_from"]

    pairs = [(i, j) for i in range(len(labels)) for j in range(len(labels)) if totals[i, j]]
    transitions = pd.DataFrame({"from_label": [labels[i] for i, _ in pairs], "to_label": [labels[j] for _, j in pairs],
                                "n": [int(totals[i, j]) for i, j in pairs]})
    transitions["pct"] = share(transitions["n"].to_numpy(dtype=float))
    transitions["changed"] = transitions["from_label"] != transitions["to_label"]

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
    table = pd.concat([meta, pd.DataFrame(columns)], axis=1)
    table = table.sort_values(["delta_complete", "model"], ascending=[False, True]).reset_index(drop=True)

    shifts = pd.DataFrame([{
        "label": label,
        "mean": table[f"delta_{label.lower()}"].mean(),
        "std": table[f"delta_{label.lower()}"].std(ddof=1),
        "mean_abs": table[f"delta_{label.lower()}"].abs().mean(),
    } for label in SCORED])

    gains = table[table["delta_complete"] > 0].head(top).assign(direction="gain")
    drops = table[table["delta_complete"] < 0].sort_values(["delta_complete", "model"]).head(top)
    movers = pd.concat([gains, drops.assign(direction="drop")])[MOVER_COLUMNS].reset_index(drop=True)

    labs = _lab_rank_changes(table, as_of)
    return Migration(from_judge, to_judge, summary, aggregate, table, shifts, movers, transitions, labs)


def _lab_rank_changes(models: pd.DataFrame, as_of: dt.date | str | None) -> pd.DataFrame:
    sides = {}
    for side in ("from", "to"):
        scores = models[["model", "lab", "lab_name", "release_date"]].assign(
            pct_complete=models[f"pct_complete_{side}"])
        sides[side] = lab_index(scores, as_of)[["lab", "lab_name", "index", "rank"]].rename(
            columns={"index": f"index_{side}", "rank": f"rank_{side}"})
    labs = sides["from"].merge(sides["to"].drop(columns="lab_name"), on="lab", how="outer")
    if labs.empty:
        return pd.DataFrame(columns=[*labs.columns, "rank_change", "index_change"])
    labs["rank_change"] = labs["rank_from"] - labs["rank_to"]
    labs["index_change"] = labs["index_to"] - labs["index_from"]
    return labs.sort_values(["rank_to", "lab"]).reset_index(drop=True)


def migration(store: Store, from_judge: str, to_judge: str,
              question_set: str | Sequence[str] | None = None, filters: FilterInput = None,
              as_of: dt.date | str | None = None, top: int = 10) -> Migration:
    """The judge-migration report between two judges on the responses both judged."""
    crosstab = migration_crosstab(store, from_judge, to_judge, question_set, filters)
    return migration_report(crosstab, from_judge, to_judge,
                            as_of if as_of is not None else default_as_of(store), top)
