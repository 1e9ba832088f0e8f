"""`python -m toolkit tournament`: Swiss tournaments of pairwise judgements -> ratings, separability.

    python -m toolkit tournament --outputs ../shared/data/creative-writing/cw_outputs.parquet \
        --out runs/cw-reference --judge reference

writes matches.parquet, ratings.parquet and separability.json into --out; a rerun (or a run that
was interrupted) only judges what is missing. --judge MODEL uses the pairwise model judge
(toolkit.judge.load_judge); --judge reference turns the outputs' reference scores into preferences.
"""
from __future__ import annotations

import argparse
import json
import sys

from toolkit.arena.tournament import (
    OutputColumns,
    TournamentConfig,
    load_outputs,
    run_tournaments,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--outputs", required=True, help="one row per output: .parquet, .jsonl or .csv")
    parser.add_argument("--out", required=True, help="folder for matches.parquet, ratings.parquet, separability.json")
    parser.add_argument("--judge", default="reference",
                        help="'reference' (score-derived, offline) or a judge model id / path (default: reference)")
    parser.add_argument("--backend", default="transformers", help="judge backend for a model judge")
    parser.add_argument("--judge-option", action="append", default=[], metavar="KEY=VALUE",
                        help="extra keyword for load_judge (repeatable), e.g. max_chars=12000")
    parser.add_argument("--options", default="A,B", help="A (per-prompt), B (bootstrap) or A,B (default)")
    parser.add_argument("--rounds", type=int, default=20, help="Option B: Swiss rounds per bootstrap (default 20)")
    parser.add_argument("--prompt-rounds", type=int, default=5, help="Option A: Swiss rounds per prompt (default 5)")
    parser.add_argument("--bootstraps", type=int, default=10, help="Option B: prompt resamples (default 10)")
    parser.add_argument("--prompts-per-game", type=int, default=None,
                        help="Option B: prompts judged per game (default: every drawn prompt)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--k-factor", type=float, default=32.0, help="online Elo K (default 32)")
    parser.add_argument("--ci-bootstraps", type=int, default=1000, help="bootstrap replicates for intervals")
    parser.add_argument("--ci-over", choices=["prompts", "matches"], default="prompts",
                        help="resample prompts (default) or matches for the intervals")
    parser.add_argument("--cliff-pairs", choices=["all", "neighbours"], default="all",
                        help="model pairs averaged in Cliff's delta (default all)")
    parser.add_argument("--anchor", default=None, help="model fixed at --anchor-value (default: the mean)")
    parser.add_argument("--anchor-value", type=float, default=1000.0)
    parser.add_argument("--iteration", default="1",
                        help="which iteration is a writer's output: a number (default 1) or 'all' "
                             "(each prompt x iteration becomes a prompt)")
    parser.add_argument("--temperature", type=float, default=10.0, help="reference judge: T in sigma((s1-s2)/T)")
    parser.add_argument("--position-bias", type=float, default=0.0, help="reference judge: logit added to position A")
    parser.add_argument("--noise-sd", type=float, default=0.0, help="reference judge: logit noise per pass")
    for field, default in vars(OutputColumns()).items():
        parser.add_argument(f"--{field.replace('_', '-')}-column", default=default,
                            help=f"column holding the {field.replace('_', ' ')} (default {default})")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def _judge_options(items: list[str]) -> dict:
    options = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ValueError(f"--judge-option takes KEY=VALUE, not {item!r}")
        try:
            options[key] = json.loads(value)
        except json.JSONDecodeError:
            options[key] = value
    return options


def run(args: argparse.Namespace) -> int:
    try:
        columns = OutputColumns(**{f: getattr(args, f"{f}_column") or None for f in vars(OutputColumns())})
        outputs = load_outputs(args.outputs, columns, args.iteration)
        if args.judge == "reference":
            from toolkit.arena.reference import reference_judge_for

            if outputs["score"].isna().all():
                raise ValueError(f"the reference judge needs reference scores: column {columns.score!r} is "
                                 "missing or empty (set --score-column)")
            judge = reference_judge_for(outputs, args.temperature, args.position_bias, args.noise_sd, args.seed)
        else:
            from toolkit.judge import load_judge

            judge = load_judge(args.judge, backend=args.backend, **_judge_options(args.judge_option))
        config = TournamentConfig(
            options=tuple(o.strip().upper() for o in args.options.split(",") if o.strip()),
            prompt_rounds=args.prompt_rounds, rounds=args.rounds, bootstraps=args.bootstraps,
            prompts_per_game=args.prompts_per_game, seed=args.seed, k_factor=args.k_factor,
            ci_bootstraps=args.ci_bootstraps, ci_over=args.ci_over, cliff_pairs=args.cliff_pairs,
            anchor=args.anchor, anchor_value=args.anchor_value)
        result = run_tournaments(outputs, judge, args.out, config, progress=not args.no_progress)
    except (ValueError, FileNotFoundError, RuntimeError, ImportError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    summary = result.summary
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    lines = [f"{len(result.matches)} games, {result.judged_now} comparisons judged now -> {result.out_dir}"]
    for option in ("a", "b"):
        sep = summary[f"option_{option}"]
        if sep:
            lines.append(f"Option {option.upper()}: omega^2 {sep['omega_squared']:.4f}, Cliff's delta "
                         f"{sep['cliffs_delta']:.4f}, score {sep['score']:.2f}")
    top = summary["leaderboard"].head(5)
    lines += [f"  {int(r.rank):>3} {r.model}  {r.elo:.0f} +-{r.plus_minus:.0f}" for r in top.itertuples()]
    print("\n".join(lines))
    return 0
