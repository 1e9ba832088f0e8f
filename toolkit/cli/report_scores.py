"""`python -m toolkit report models|labs|migration`: arguments and the run functions."""
from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
from typing import Any, Mapping

import pandas as pd

from toolkit.core.filters import Filters, parse_reasoning
from toolkit.query.inputs import DEFAULT_QUESTION_SET
from toolkit.query.lab_index import labs_report, off_leaderboard_report
from toolkit.query.migration import MIGRATION_PARTS, migration
from toolkit.query.scores import MIN_N, MODEL_COLUMNS, model_scores
from toolkit.stats.intervals import REPLICATES
from toolkit.storage.store import Store


def _date_argument(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _reasoning_argument(text: str) -> bool | None:
    try:
        return parse_reasoning(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--reasoning takes yes or no, not {text!r}") from None


# The filters these reports offer as flags (names from toolkit.core.filters; the question set has its own flag).
REPORT_FILTERS = ("domain", "theme", "variation", "lab", "reasoning")
FILTER_HELP = {"variation": "only this variation (1-4)",
               "reasoning": "yes: reasoning models only; no: the others (any: all models)"}


def _common_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", required=True, help="a built data folder (toolkit build / demo)")
    parser.add_argument("--question-set", default=None,
                        help=f"question set (default {DEFAULT_QUESTION_SET}, or all sets when absent; 'all' for all)")
    for name in REPORT_FILTERS:
        kind = {"variation": int, "reasoning": _reasoning_argument}.get(name, str)
        parser.add_argument(f"--{name}", type=kind, help=FILTER_HELP.get(name, f"only this {name}"))
    parser.add_argument("--format", choices=("csv", "json"), default="csv")


def _whole_number(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"not a whole number >= 0: {text!r}")
    return value


def add_models_arguments(parser: argparse.ArgumentParser) -> None:
    _common_arguments(parser)
    parser.add_argument("--judge", help="judge name (default: the LLM judge with the most assessments)")
    # The default is SpeechMap's rule, so that `report` reproduces speechmap.ai; the dashboard ranks
    # from MIN_N answers up.
    parser.add_argument("--min-n", type=_whole_number, default=0,
                        help=f"fewest judged answers for a rank (a lab: its window models' answers); rows "
                             f"below it are listed with ranked=False and no rank; default 0 ranks every row "
                             f"(SpeechMap's rule); the dashboard uses {MIN_N}")


def add_labs_arguments(parser: argparse.ArgumentParser) -> None:
    add_models_arguments(parser)
    parser.add_argument("--as-of", type=_date_argument,
                        help="the day eligibility is measured from (default: newest release date in the data)")
    parser.add_argument("--replicates", type=_whole_number, default=REPLICATES,
                        help=f"bootstrap replicates of the 95%% intervals of the index and, with --off-leaderboard, "
                             f"of the pooled %% complete (default {REPLICATES}; 0: none)")
    parser.add_argument("--off-leaderboard", action="store_true",
                        help="the labs not in the index instead (SpeechMap's 'Off the Leaderboard': all-time, "
                             "response-weighted shares, models, latest release)")


def add_migration_arguments(parser: argparse.ArgumentParser) -> None:
    _common_arguments(parser)
    parser.add_argument("--from", dest="from_judge", required=True, help="baseline judge")
    parser.add_argument("--to", dest="to_judge", required=True, help="new judge")
    parser.add_argument("--as-of", type=_date_argument, help="as-of day for the lab index part")
    parser.add_argument("--part", choices=("all", *MIGRATION_PARTS), default="all",
                        help="which table to print (all: every table; in CSV, each after a '# part' line)")
    parser.add_argument("--top", type=int, default=10, help="biggest gains and drops to list")


def _filters(args: argparse.Namespace) -> Filters:
    return Filters.of({name: getattr(args, name, None) for name in REPORT_FILTERS})


def _jsonable(frame: pd.DataFrame) -> list[dict[str, Any]]:
    def clean(value: Any) -> Any:
        if isinstance(value, (dt.date, pd.Timestamp)):
            return value.isoformat()[:10]
        if value is pd.NA or (isinstance(value, float) and math.isnan(value)):
            return None
        if hasattr(value, "item"):
            return clean(value.item())
        return value
    return [{k: clean(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def _emit(tables: Mapping[str, pd.DataFrame], fmt: str, single: bool) -> None:
    if fmt == "json":
        payload = (_jsonable(next(iter(tables.values()))) if single
                   else {name: _jsonable(frame) for name, frame in tables.items()})
        json.dump(payload, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return
    for name, frame in tables.items():
        if not single:
            sys.stdout.write(f"# {name}\n")
        frame.to_csv(sys.stdout, index=False)


def _run(args: argparse.Namespace, make) -> int:
    try:
        store = Store.open(args.data)
        tables, single = make(store)
    except (FileNotFoundError, KeyError, ValueError) as error:
        message = error.args[0] if isinstance(error, KeyError) and error.args else error
        print(f"error: {message}", file=sys.stderr)
        return 2
    _emit(tables, args.format, single)
    return 0


def _judge(store: Store, name: str | None) -> str:
    judge = name or store.default_judge()
    if judge is None:
        raise ValueError("the data has no judges")
    store.judge(judge)  # raises a KeyError naming the known judges
    return judge


def run_models(args: argparse.Namespace) -> int:
    def make(store: Store):
        frame = model_scores(store, _judge(store, args.judge), args.question_set, _filters(args), args.min_n)
        return {"models": frame[MODEL_COLUMNS]}, True
    return _run(args, make)


def run_labs(args: argparse.Namespace) -> int:
    def make(store: Store):
        judge, filters = _judge(store, args.judge), _filters(args)
        if args.off_leaderboard:
            return {"labs": off_leaderboard_report(store, judge, args.question_set, filters, args.as_of,
                                                   args.replicates)}, True
        frame = labs_report(store, judge, args.question_set, filters, args.as_of, args.min_n, args.replicates)
        return {"labs": frame}, True
    return _run(args, make)


def run_migration(args: argparse.Namespace) -> int:
    def make(store: Store):
        report = migration(store, _judge(store, args.from_judge), _judge(store, args.to_judge),
                           args.question_set, _filters(args), args.as_of, args.top)
        tables = report.tables()
        if args.part != "all":
            return {args.part: tables[args.part]}, True
        return tables, False
    return _run(args, make)
