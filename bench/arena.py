"""Benchmark the tournament runner and the rating math against per-fit scipy L-BFGS (FastChat's approach).

1. 101 writer models x 32 prompts (generated outputs with reference scores), reference judge: Option A
   (32 prompt tournaments x 5 rounds) + Option B (10 bootstraps x 20 rounds) end to end: pairing,
   judging, matches/ratings/separability files, all rating math (leaderboard with 1,000 bootstrap
   replicates over prompts, 32 + 10 tournament fits). The baseline replaces the rating math by one
   scipy L-BFGS fit per tournament and per bootstrap replicate (the bootstrap part is timed on
   BASELINE_REPLICATES replicates and scaled to 1,000).
2. Bradley-Terry + 1,000 bootstrap replicates over 100k comparisons of 101 models: batched fit on
   aggregated pair totals vs a per-replicate L-BFGS fit on the resampled comparisons.

    .venv/bin/python bench/arena.py
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import expit, log_expit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._report import write_section  # noqa: E402
from toolkit.arena.bootstrap import bootstrap_elo, percentile_interval  # noqa: E402
from toolkit.arena.ratings import pair_index, to_elo  # noqa: E402
from toolkit.arena.reference import reference_judge_for  # noqa: E402
from toolkit.arena.summary import unique_comparisons, valid_rows, _codes, model_names  # noqa: E402
from toolkit.arena.tournament import TournamentConfig, prepare_outputs, run_tournaments  # noqa: E402

N_MODELS, N_PROMPTS, N_BOOT = 101, 32, 1000
BASELINE_REPLICATES = 40
N_MATCHES = 100_000


def generated_outputs(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    skill = rng.normal(0, 1, N_MODELS)
    rows = [{"writer_model": f"bench/m{m:03d}", "prompt_id": f"p{p:02d}", "iteration_id": 1,
             "prompt_text": f"Prompt {p}", "response_text": f"Output of writer {m} for prompt {p}. " * int(rng.integers(5, 40)),
             "overall_score": 60 + 10 * skill[m] + rng.normal(0, 5)} for m in range(N_MODELS) for p in range(N_PROMPTS)]
    return prepare_outputs(pd.DataFrame(rows))


def lbfgs_fit(a: np.ndarray, b: np.ndarray, p: np.ndarray, n_models: int, weights=None) -> np.ndarray:
    """FastChat's approach: the BT loss over every comparison, minimised by scipy's L-BFGS (natural units)."""
    w = np.ones(len(a)) if weights is None else weights

    def loss(theta):
        d = theta[a] - theta[b]
        r = w * (p - expit(d))
        grad = np.bincount(b, r, n_models) - np.bincount(a, r, n_models)
        return -(w * (p * log_expit(d) + (1 - p) * log_expit(-d))).sum(), grad

    return minimize(loss, np.zeros(n_models), jac=True, method="L-BFGS-B").x


def lbfgs_bootstrap_seconds(a, b, p, n_models, groups=None, replicates=BASELINE_REPLICATES, seed=0) -> float:
    """Seconds for `replicates` per-replicate L-BFGS fits (resampling comparisons, or groups = prompts)."""
    rng = np.random.default_rng(seed)
    started = time.perf_counter()
    for _ in range(replicates):
        if groups is None:
            drawn = rng.integers(0, len(a), len(a))
            lbfgs_fit(a[drawn], b[drawn], p[drawn], n_models)
        else:
            codes, group_of = np.unique(groups, return_inverse=True)
            counts = rng.multinomial(len(codes), np.full(len(codes), 1 / len(codes)))
            lbfgs_fit(a, b, p, n_models, weights=counts[group_of].astype(float))
    return time.perf_counter() - started


def baseline_rating_math(matches: pd.DataFrame) -> float:
    """Seconds for the same rating math with one L-BFGS fit per tournament and per bootstrap replicate."""
    started = time.perf_counter()
    for option in ("A", "B"):
        rows = valid_rows(matches[matches["option"] == option])
        models = model_names(rows)
        a, b = _codes(rows, models)
        p = rows["p_a"].to_numpy(float)
        for _, where in rows.groupby("tournament").indices.items():
            lbfgs_fit(a[where], b[where], p[where], len(models))
    rows = unique_comparisons(matches)
    models = model_names(rows)
    a, b = _codes(rows, models)
    p = rows["p_a"].to_numpy(float)
    to_elo(lbfgs_fit(a, b, p, len(models)))
    fixed = time.perf_counter() - started
    sample = lbfgs_bootstrap_seconds(a, b, p, len(models), groups=rows["prompt_id"].to_numpy())
    return fixed + sample * N_BOOT / BASELINE_REPLICATES


def end_to_end() -> dict:
    outputs = generated_outputs()
    judge = reference_judge_for(outputs)
    config = TournamentConfig(ci_bootstraps=N_BOOT)
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        result = run_tournaments(outputs, judge, Path(folder), config)
        ours = time.perf_counter() - started
        # The summary (all rating math) timed on its own, to swap it for the baseline's.
        from toolkit.arena.summary import summarise
        started = time.perf_counter()
        summarise(result.matches, n_boot=N_BOOT)
        math_ours = time.perf_counter() - started
    math_baseline = baseline_rating_math(result.matches)
    return {"ours": ours, "math_ours": math_ours, "math_baseline": math_baseline,
            "baseline": ours - math_ours + math_baseline, "games": len(result.matches),
            "judged": result.judged_now, "option_a": result.summary["option_a"], "option_b": result.summary["option_b"]}


def bootstrap_100k() -> dict:
    rng = np.random.default_rng(1)
    skill = rng.normal(0, 1, N_MODELS)
    a = rng.integers(0, N_MODELS, N_MATCHES)
    b = (a + rng.integers(1, N_MODELS, N_MATCHES)) % N_MODELS
    p = expit(skill[a] - skill[b] + rng.normal(0, 0.5, N_MATCHES))
    prompts = rng.integers(0, 32, N_MATCHES)
    timings = {}
    for over in ("matches", "prompts"):
        started = time.perf_counter()
        point, replicates = bootstrap_elo(pair_index(a, b, p, N_MODELS), N_BOOT, over=over,
                                          prompt_of=prompts if over == "prompts" else None, seed=0)
        percentile_interval(replicates)
        timings[over] = time.perf_counter() - started
    started = time.perf_counter()
    reference = to_elo(lbfgs_fit(a, b, p, N_MODELS))
    fit = time.perf_counter() - started
    sample = lbfgs_bootstrap_seconds(a, b, p, N_MODELS)
    return {**timings, "baseline": fit + sample * N_BOOT / BASELINE_REPLICATES,
            "max_point_gap": float(np.abs(point - reference).max()),
            "sd_ours": float(replicates.std(axis=0).mean())}


def main() -> None:
    e2e = end_to_end()
    boot = bootstrap_100k()
    body = f"""
**Tournament, {N_MODELS} models x {N_PROMPTS} prompts, reference judge, Option A (5 rounds per prompt) +
Option B (10 bootstraps x 20 rounds), every prompt judged in every Option B game** ({e2e['games']:,} games,
{e2e['judged']:,} distinct comparisons judged; files written; leaderboard with {N_BOOT:,} bootstrap
replicates over prompts). Target: <= 10 s.

| | end to end | of which rating math |
| --- | ---: | ---: |
| batched Newton / chord fits (ours) | {e2e['ours']:.2f} s | {e2e['math_ours']:.2f} s |
| one scipy L-BFGS fit per tournament and replicate (baseline) | {e2e['baseline']:.1f} s | {e2e['math_baseline']:.1f} s |
| speed-up | {e2e['baseline'] / e2e['ours']:.1f}x | {e2e['math_baseline'] / e2e['math_ours']:.1f}x |

Separability on this run: Option A omega^2 {e2e['option_a']['omega_squared']:.3f}, Cliff's delta
{e2e['option_a']['cliffs_delta']:.3f}, score {e2e['option_a']['score']:.1f}; Option B omega^2
{e2e['option_b']['omega_squared']:.3f}, Cliff's delta {e2e['option_b']['cliffs_delta']:.3f}, score
{e2e['option_b']['score']:.1f}.

**Bradley-Terry + {N_BOOT:,} bootstrap replicates, {N_MATCHES:,} comparisons of {N_MODELS} models.** Target: <= 5 s.

| | time |
| --- | ---: |
| ours, resampling matches (multinomial pair counts; fit on pair totals) | {boot['matches']:.2f} s |
| ours, resampling prompts (32 clusters) | {boot['prompts']:.2f} s |
| per-replicate scipy L-BFGS on the resampled comparisons (baseline) | {boot['baseline']:.1f} s |
| speed-up (matches) | {boot['baseline'] / boot['matches']:.0f}x |

Point estimates agree with the L-BFGS fit within {boot['max_point_gap']:.3f} Elo. Baseline bootstrap
times are measured on {BASELINE_REPLICATES} replicates and scaled to {N_BOOT:,}.
"""
    write_section("arena", "Tournaments and ratings (toolkit.arena)", "python bench/arena.py", body)
    print(body)


if __name__ == "__main__":
    main()
