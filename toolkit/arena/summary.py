"""From a matches table to what a reader wants: leaderboard, per-tournament ratings, separability, biases.

The runner writes these next to matches.parquet, and the Elo tab recomputes them from any matches file,
so both use these functions.

Leaderboard: the same (prompt, pair of texts) can be played several times (Option A and B, and a
bootstrap sample drawing a prompt twice), always with the same judgement. The leaderboard's
Bradley-Terry fit, its bootstrap intervals, the biases and the meta-evaluation use each distinct
comparison once; Option B's tournaments keep their duplicates (that is what a bootstrap sample is).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .bias import length_bias, position_bias
from .bootstrap import bootstrap_elo, percentile_interval, rank_with_intervals
from .metaeval import meta_evaluate
from .ratings import DEFAULT_ANCHOR_VALUE, NAT_TO_ELO, fit_bt, online_elo, pair_index
from .separability import separability

MATCH_COLUMNS = ["option", "tournament", "round", "table", "slot", "prompt_id", "model_a", "model_b",
                 "text_id_a", "text_id_b", "p_a", "pass1_p_a", "pass1_p_b", "pass2_p_a", "pass2_p_b",
                 "pass1_mass", "pass2_mass", "consistent", "valid", "len_a", "len_b", "truncated_a",
                 "truncated_b", "score_a", "score_b", "judge", "backend", "latency_s"]
REQUIRED_COLUMNS = ["prompt_id", "model_a", "model_b", "p_a"]
TOURNAMENT_PRIOR_SD_ELO = 400.0  # a weak prior keeps a 5-game tournament's ratings finite
META_WINDOW = (5.0, 10.0)        # the model card's score-difference window
META_MAX_LENGTH_RATIO = 1.5


def check_matches(matches: pd.DataFrame) -> None:
    """Raise ValueError naming the missing columns when a table is not a matches table."""
    missing = [c for c in REQUIRED_COLUMNS if c not in matches.columns]
    if missing:
        raise ValueError(f"not a matches table: missing column(s) {', '.join(missing)}")


def valid_rows(matches: pd.DataFrame) -> pd.DataFrame:
    """Rows with a usable probability (valid judgement, p_a a number)."""
    keep = matches["p_a"].notna()
    if "valid" in matches:
        keep &= matches["valid"].fillna(False).astype(bool)
    return matches[keep]


def model_names(rows: pd.DataFrame) -> list[str]:
    """The sorted names of every model in positions A or B."""
    return sorted(set(map(str, pd.unique(rows["model_a"]))) | set(map(str, pd.unique(rows["model_b"]))))


def _codes(rows: pd.DataFrame, models: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of model_a and model_b in `models` (vectorised; str or category columns)."""
    names = pd.Index(models)
    codes = []
    for column in (rows["model_a"], rows["model_b"]):
        if isinstance(column.dtype, pd.CategoricalDtype):
            codes.append(names.get_indexer(column.cat.categories.astype(str))[column.cat.codes.to_numpy()])
        else:
            codes.append(names.get_indexer(column))
    return codes[0].astype(np.int64), codes[1].astype(np.int64)


def unique_comparisons(matches: pd.DataFrame) -> pd.DataFrame:
    """Each (prompt, unordered model pair) once, valid rows only, in the order first played."""
    rows = valid_rows(matches)
    models = model_names(rows)
    a, b = _codes(rows, models)
    prompt = pd.factorize(rows["prompt_id"])[0].astype(np.int64)
    key = (prompt * len(models) + np.minimum(a, b)) * len(models) + np.maximum(a, b)
    _, first = np.unique(key, return_index=True)
    return rows.iloc[np.sort(first)]


def leaderboard(matches: pd.DataFrame, over: str = "prompts", n_boot: int = 1000, seed: int = 0,
                anchor: str | None = None, anchor_value: float = DEFAULT_ANCHOR_VALUE,
                k_factor: float = 32.0) -> pd.DataFrame:
    """rank, rank_range, model, elo, lower, upper, plus_minus, games, win_rate, elo_online per model.

    elo: Bradley-Terry on the distinct comparisons; lower/upper: 2.5/97.5 percentiles of n_boot
    bootstrap replicates over prompts or matches; plus_minus = (upper - lower) / 2; rank =
    1 + #{lower_j > upper_i}, rank_range "best-worst" with worst = n - #{upper_j < lower_i};
    win_rate: share of comparisons whose text was preferred (ties half); elo_online: sequential Elo
    with K = k_factor in the order played.
    """
    check_matches(matches)
    rows = unique_comparisons(matches)
    models = model_names(rows)
    if len(models) < 2:
        raise ValueError("the matches hold fewer than two models with valid judgements")
    if anchor is not None and anchor not in models:
        raise ValueError(f"anchor model {anchor!r} is not among the rated models")
    a, b = _codes(rows, models)
    p = rows["p_a"].to_numpy(float)
    index = pair_index(a, b, p, len(models))
    point, replicates = bootstrap_elo(index, n_boot=n_boot, over=over, prompt_of=rows["prompt_id"].to_numpy(),
                                      seed=seed, anchor=None if anchor is None else models.index(anchor),
                                      anchor_value=anchor_value)
    lower, upper = percentile_interval(replicates) if len(replicates) else (point, point)
    best = rank_with_intervals(lower, upper)
    worst = len(models) - (upper[None, :] < lower[:, None]).sum(axis=1)
    games = np.bincount(a, minlength=len(models)) + np.bincount(b, minlength=len(models))
    won = (p > 0.5) + 0.5 * (p == 0.5)
    wins = np.bincount(a, weights=won, minlength=len(models)) + np.bincount(b, weights=1.0 - won, minlength=len(models))
    table = pd.DataFrame({
        "rank": best,
        "rank_range": [f"{lo}" if lo == hi else f"{lo}-{hi}" for lo, hi in zip(best, worst)],
        "model": models,
        "elo": point,
        "lower": lower,
        "upper": upper,
        "plus_minus": (upper - lower) / 2.0,
        "games": games,
        "win_rate": wins / np.maximum(games, 1),
        "elo_online": online_elo(a, b, p, len(models), k=k_factor, initial=anchor_value),
    })
    return table.sort_values(["elo", "model"], ascending=[False, True], ignore_index=True)


def tournament_ratings(matches: pd.DataFrame, option: str,
                       prior_sd_elo: float | None = TOURNAMENT_PRIOR_SD_ELO) -> pd.DataFrame:
    """One Bradley-Terry Elo per (tournament, model) for the games of `option` ("A" or "B").

    All tournaments are fitted as one batch; a model's Elo is centred on the tournament's mean (1000)
    over the models that played in it. Columns: option, tournament, prompt_id (Option A's prompt, else
    None), model, elo, games.
    """
    rows = valid_rows(matches[matches["option"] == option]) if "option" in matches else matches.iloc[:0]
    columns = ["option", "tournament", "prompt_id", "model", "elo", "games"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    models = model_names(rows)
    a, b = _codes(rows, models)
    index = pair_index(a, b, rows["p_a"].to_numpy(float), len(models))
    tournaments, which = np.unique(rows["tournament"].to_numpy(), return_inverse=True)
    cells = which * index.n_pairs + index.pair_of
    size = len(tournaments) * index.n_pairs
    n = np.bincount(cells, minlength=size).reshape(len(tournaments), -1).astype(float)
    wins = np.bincount(cells, weights=index.outcome_u, minlength=size).reshape(len(tournaments), -1)
    elo = fit_bt(index, n, wins, prior_sd_elo=prior_sd_elo) * NAT_TO_ELO
    games = np.zeros((len(tournaments), len(models)), np.int64)
    np.add.at(games, (which, a), 1)
    np.add.at(games, (which, b), 1)
    played = games > 0
    elo = elo - np.nanmean(np.where(played, elo, np.nan), axis=1, keepdims=True) + DEFAULT_ANCHOR_VALUE
    t_idx, m_idx = np.nonzero(played)
    prompt_of = rows.groupby("tournament", observed=True)["prompt_id"].first().astype(str) if option == "A" else None
    return pd.DataFrame({
        "option": option,
        "tournament": tournaments[t_idx],
        "prompt_id": prompt_of.loc[tournaments[t_idx]].to_numpy() if prompt_of is not None else None,
        "model": np.asarray(models, object)[m_idx],
        "elo": elo[t_idx, m_idx],
        "games": games[t_idx, m_idx],
    })


def separability_of(ratings: pd.DataFrame, pairs: str = "all") -> dict | None:
    """Separability of the per-tournament ratings' distributions per model (None without ratings)."""
    if ratings.empty:
        return None
    groups = {model: group["elo"].to_numpy() for model, group in ratings.groupby("model", observed=True)}
    result = separability(groups, pairs)
    result["tournaments"] = int(ratings["tournament"].nunique())
    return result


def biases(matches: pd.DataFrame) -> dict:
    """Position bias, length bias and (with reference scores) the meta-evaluation, on distinct comparisons."""
    rows = unique_comparisons(matches)
    result = {"position_bias": None, "length_bias": None, "meta_evaluation": None}
    if {"pass1_p_a", "pass2_p_a"} <= set(rows.columns):
        result["position_bias"] = position_bias(rows["pass1_p_a"].to_numpy(float), rows["pass2_p_a"].to_numpy(float))
    if {"len_a", "len_b"} <= set(rows.columns):
        scores = (rows["score_a"].to_numpy(float), rows["score_b"].to_numpy(float)) if "score_a" in rows else (None, None)
        result["length_bias"] = length_bias(rows["len_a"].to_numpy(float), rows["len_b"].to_numpy(float),
                                            rows["p_a"].to_numpy(float), *scores)
    needed = {"score_a", "score_b", "len_a", "len_b", "pass1_p_a", "pass2_p_a"}
    if needed <= set(rows.columns) and rows["score_a"].notna().any():
        result["meta_evaluation"] = {
            "window": meta_evaluate(rows, *META_WINDOW, max_length_ratio=META_MAX_LENGTH_RATIO),
            "all_pairs": meta_evaluate(rows),
        }
    return result


def summarise(matches: pd.DataFrame, over: str = "prompts", n_boot: int = 1000, seed: int = 0,
              cliff_pairs: str = "all", anchor: str | None = None, anchor_value: float = DEFAULT_ANCHOR_VALUE,
              k_factor: float = 32.0) -> dict:
    """Everything the tab and the runner report: leaderboard, option ratings, separability, biases."""
    check_matches(matches)
    option_a = tournament_ratings(matches, "A")
    option_b = tournament_ratings(matches, "B")
    valid = valid_rows(matches)
    return {
        "leaderboard": leaderboard(matches, over, n_boot, seed, anchor, anchor_value, k_factor),
        "option_a_ratings": option_a,
        "option_b_ratings": option_b,
        "option_a": separability_of(option_a, cliff_pairs),
        "option_b": separability_of(option_b, cliff_pairs),
        "counts": {"matches": int(len(matches)), "valid": int(len(valid)),
                   "distinct_comparisons": int(len(unique_comparisons(matches))),
                   "models": len(model_names(matches)),
                   "prompts": int(matches["prompt_id"].nunique())},
        **biases(matches),
    }
