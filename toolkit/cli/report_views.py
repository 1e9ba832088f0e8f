"""`python -m toolkit report themes|model|lab|domain|timeline|judges`: SpeechMap's views from the command line.

Same flags, filters (through the one Filters type), defaults and output (--format csv|json) as
`report models`; reports with several tables print each after a '# part' line in CSV (one JSON
object of tables), or only one with --part. `report lab` and `report domain` take the lab or domain
they show from the --lab or --domain filter flag; it names the page and does not narrow the
population the lab or domain is ranked in (the other filters do).
"""
from __future__ import annotations

import argparse
import dataclasses

import pandas as pd

from toolkit.cli.report_scores import (
    _common_arguments,
    _date_argument,
    _filters,
    _judge,
    _run,
)
from toolkit.query.domain_view import domain_page
from toolkit.query.lab_view import lab_page
from toolkit.query.model_view import BREAKDOWN_LEVELS, model_page
from toolkit.query.sensitivity import sensitivity
from toolkit.query.themes import RELEASE_WINDOWS, theme_summary
from toolkit.query.timeline import METRICS, timeline_months, timeline_points
from toolkit.storage.store import Store


def _judge_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--judge", help="judge name (default: the LLM judge with the most assessments)")


def _part_argument(parser: argparse.ArgumentParser, parts: tuple[str, ...]) -> None:
    parser.add_argument("--part", choices=("all", *parts), default="all",
                        help="which table to print (all: every table; in CSV, each after a '# part' line)")


def _chosen(tables: dict[str, pd.DataFrame], part: str):
    return ({part: tables[part]}, True) if part != "all" else (tables, False)


def add_themes_arguments(parser: argparse.ArgumentParser) -> None:
    _common_arguments(parser)
    _judge_argument(parser)
    parser.add_argument("--released-within", type=int, choices=RELEASE_WINDOWS, metavar="MONTHS",
                        help=f"only models released within the last MONTHS months "
                             f"({', '.join(map(str, RELEASE_WINDOWS))}) of --as-of, no upper bound")
    parser.add_argument("--as-of", type=_date_argument,
                        help="the day release windows are measured from (default: newest release date in the data)")


def run_themes(args: argparse.Namespace) -> int:
    def make(store: Store):
        frame = theme_summary(store, _judge(store, args.judge), args.question_set, _filters(args),
                              args.released_within, args.as_of)
        return {"themes": frame}, True
    return _run(args, make)


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    _common_arguments(parser)
    _judge_argument(parser)
    parser.add_argument("--model", required=True, help="the model (its id, e.g. openai/gpt-4o-2024-11-20)")
    _part_argument(parser, ("header", *BREAKDOWN_LEVELS))


def run_model(args: argparse.Namespace) -> int:
    def make(store: Store):
        page = model_page(store, _judge(store, args.judge), args.model, args.question_set, _filters(args))
        return _chosen(page.tables(), args.part)
    return _run(args, make)


def add_lab_arguments(parser: argparse.ArgumentParser) -> None:
    _common_arguments(parser)
    _judge_argument(parser)
    parser.add_argument("--as-of", type=_date_argument,
                        help="the day lab-index eligibility is measured from (default: newest release date in the data)")
    _part_argument(parser, ("header", "models", "domains", "judges"))


def run_lab(args: argparse.Namespace) -> int:
    def make(store: Store):
        if not args.lab:
            raise ValueError("report lab needs --lab LAB (the lab shown)")
        population = dataclasses.replace(_filters(args), lab=())
        page = lab_page(store, _judge(store, args.judge), args.lab, args.question_set, population, args.as_of)
        return _chosen(page.tables(), args.part)
    return _run(args, make)


def add_domain_arguments(parser: argparse.ArgumentParser) -> None:
    _common_arguments(parser)
    _judge_argument(parser)
    _part_argument(parser, ("header", "themes", "models"))


def run_domain(args: argparse.Namespace) -> int:
    def make(store: Store):
        if not args.domain:
            raise ValueError("report domain needs --domain DOMAIN (the domain shown)")
        population = dataclasses.replace(_filters(args), domain=())
        page = domain_page(store, _judge(store, args.judge), args.domain, args.question_set, population)
        return _chosen(page.tables(), args.part)
    return _run(args, make)


def add_timeline_arguments(parser: argparse.ArgumentParser) -> None:
    _common_arguments(parser)
    _judge_argument(parser)
    parser.add_argument("--metric", choices=tuple(METRICS), default="complete",
                        help="the share drawn against release date (default complete)")
    _part_argument(parser, ("models", "months"))


def run_timeline(args: argparse.Namespace) -> int:
    def make(store: Store):
        points = timeline_points(store, _judge(store, args.judge), args.metric, args.question_set,
                                 _filters(args))
        return _chosen({"models": points, "months": timeline_months(points)}, args.part)
    return _run(args, make)


def add_judges_arguments(parser: argparse.ArgumentParser) -> None:
    _common_arguments(parser)
    parser.add_argument("--judges", nargs="+", metavar="JUDGE",
                        help="the judges compared (default: every judge in the data)")
    _part_argument(parser, ("scores", "models", "pairs"))


def run_judges(args: argparse.Namespace) -> int:
    def make(store: Store):
        judges = [_judge(store, j) for j in args.judges] if args.judges else None
        report = sensitivity(store, args.question_set, _filters(args), judges)
        return _chosen(report.tables(), args.part)
    return _run(args, make)
