"""How much each model's score and rank depend on the judge.

Per model and judge: n (rows the judge labelled), score = % COMPLETE (UNKNOWN and ERROR in n, a
moderated response ERROR, models with `skip` left out: the leaderboard's rules, scores.model_scores),
rank = competition rank of the score rounded to 4 decimals among the models that judge scored (the
leaderboard's rank under that judge). Per model: spread = max - min of its scores across the judges
that scored it (points), rank_move = max rank - min rank. Per pair of judges: Kendall's tau-b of
their scores over the models both scored (toolkit.stats.kendall). One GROUP BY over response_view,
which has one label column per judge: no per-judge query.
"""
from __future__ import annotations

import dataclasses
import itertools
from typing import Sequence

import pandas as pd

from toolkit.core.filters import FilterInput
from toolkit.core.labels import COMPLETE
from toolkit.query.inputs import conditions, model_metadata
from toolkit.query.scores import scored_label_sql
from toolkit.stats.kendall import kendall_tau_b
from toolkit.stats.ranks import SPEECHMAP_DECIMALS, competition_ranks, spread
from toolkit.storage.store import Store

SCORE_COLUMNS = ["model", "lab", "judge", "n", "pct_complete", "rank"]
MODEL_COLUMNS = ["model", "lab", "judges", "min_pct_complete", "max_pct_complete", "spread",
                 "best_rank", "worst_rank", "rank_move"]
PAIR_COLUMNS = ["judge_a", "judge_b", "models", "kendall_tau_b"]
# A model's standing "depends on the judge" when its % COMPLETE differs by at least SPREAD_FLAG
# points between two judges, or its rank by at least RANK_FLAG places.
SPREAD_FLAG = 10.0
RANK_FLAG = 5


@dataclasses.dataclass(frozen=True)
class Sensitivity:
    scores: pd.DataFrame   # per model and judge (SCORE_COLUMNS)
    models: pd.DataFrame   # per model, the biggest rank moves first (MODEL_COLUMNS)
    pairs: pd.DataFrame    # per pair of judges (PAIR_COLUMNS)

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"scores": self.scores, "models": self.models, "pairs": self.pairs}


def judge_scores(store: Store, question_set: str | Sequence[str] | None = None, filters: FilterInput = None,
                 judges: Sequence[str] | None = None) -> pd.DataFrame:
    """% COMPLETE and rank of every model under every judge (SCORE_COLUMNS), in one GROUP BY."""
    judges = list(judges) if judges else store.judge_names()
    counts = ", ".join(f"count({store.judge_column(judge)}) AS n_{i}, "
                       f"count(*) FILTER (WHERE {scored_label_sql(store, judge)} = '{COMPLETE}') AS k_{i}"
                       for i, judge in enumerate(judges))
    where, params = conditions(store, question_set, filters)
    wide = store.query(f"SELECT model, {counts} FROM response_view WHERE TRUE {where} GROUP BY model",
                       params) if judges else pd.DataFrame(columns=["model"])
    labs = dict(zip(model_metadata(store)["model"], model_metadata(store)["lab"]))
    frames = []
    for i, judge in enumerate(judges):
        one = wide.loc[wide[f"n_{i}"] > 0, ["model", f"n_{i}", f"k_{i}"]]
        one = pd.DataFrame({"model": one["model"], "lab": one["model"].map(labs), "judge": judge,
                            "n": one[f"n_{i}"].astype(int),
                            "pct_complete": one[f"k_{i}"] / one[f"n_{i}"] * 100.0})
        one = one.sort_values(["pct_complete", "model"], ascending=[False, True])
        frames.append(one.assign(rank=competition_ranks(one["pct_complete"].tolist(), decimals=SPEECHMAP_DECIMALS)))
    if not frames:
        return pd.DataFrame(columns=SCORE_COLUMNS)
    return pd.concat(frames, ignore_index=True)[SCORE_COLUMNS]


def model_spreads(scores: pd.DataFrame) -> pd.DataFrame:
    """Per model: judges, min/max score, spread (points), best/worst rank and rank_move; sorted by
    rank_move, then spread (both descending), then model."""
    frame = scores.groupby("model", sort=True).agg(
        lab=("lab", "first"), judges=("judge", "size"), min_pct_complete=("pct_complete", "min"),
        max_pct_complete=("pct_complete", "max"), spread=("pct_complete", spread),
        best_rank=("rank", "min"), worst_rank=("rank", "max")).reset_index()
    frame["rank_move"] = frame["worst_rank"] - frame["best_rank"]
    return frame.sort_values(["rank_move", "spread", "model"], ascending=[False, False, True],
                             kind="stable").reset_index(drop=True)[MODEL_COLUMNS]


def judge_pairs(scores: pd.DataFrame, judges: Sequence[str]) -> pd.DataFrame:
    """Kendall's tau-b between every two judges' scores over the models both scored."""
    by_judge = {j: dict(zip(g["model"], g["pct_complete"])) for j, g in scores.groupby("judge")}
    rows = []
    for a, b in itertools.combinations(judges, 2):
        first, second = by_judge.get(a, {}), by_judge.get(b, {})
        common = sorted(first.keys() & second.keys())
        tau = kendall_tau_b([first[m] for m in common], [second[m] for m in common])
        rows.append({"judge_a": a, "judge_b": b, "models": len(common), "kendall_tau_b": tau})
    return pd.DataFrame(rows, columns=PAIR_COLUMNS)


def sensitivity(store: Store, question_set: str | Sequence[str] | None = None, filters: FilterInput = None,
                judges: Sequence[str] | None = None) -> Sensitivity:
    """Scores per model and judge, spreads and rank moves per model, tau-b per judge pair."""
    judges = list(judges) if judges else store.judge_names()
    scores = judge_scores(store, question_set, filters, judges)
    return Sensitivity(scores, model_spreads(scores), judge_pairs(scores, judges))


def judge_dependent(models: pd.DataFrame) -> pd.Series:
    """True where a model's standing depends on the judge: spread >= SPREAD_FLAG points or
    rank_move >= RANK_FLAG places (rows of `model_spreads`)."""
    return (models["spread"] >= SPREAD_FLAG) | (models["rank_move"] >= RANK_FLAG)


def flag_judges(store: Store) -> list[str]:
    """The judges a flag compares: the LLM judges when there are two or more (human annotations
    cover a small sample of each model, whose few rows would flag almost every model), else all."""
    llm = store.judge_names("llm")
    return list(llm if len(llm) >= 2 else store.judge_names())


def dependence_notes(models: pd.DataFrame) -> dict[str, str]:
    """model -> "⚠ 14 pts" (its spread, rounded), with ", 6 places" when the rank moves >= RANK_FLAG;
    only the judge-dependent models (`judge_dependent`) are keys."""
    flagged = models[judge_dependent(models)]
    return {model: f"⚠ {spread:.0f} pts" + (f", {int(move)} places" if move >= RANK_FLAG else "")
            for model, spread, move in zip(flagged["model"], flagged["spread"], flagged["rank_move"])}
