"""`python -m toolkit <command>`: one entry point, one module per command group, one explicit table.

Each command module exposes `add_arguments(parser)` and `run(args) -> int` (the report modules one
pair per report, named in the table). Modules are imported only when their command is called, so
`python -m toolkit build` never imports torch or gradio; an import that fails is a bug and fails loudly.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Command:
    module: str            # toolkit.cli.<module>
    help: str
    add: str = "add_arguments"
    run: str = "run"


COMMANDS = {
    "build": Command("toolkit.cli.build", "raw SpeechMap files -> parquet tables + quarantine report"),
    "demo": Command("toolkit.cli.demo", "write seeded synthetic data in the raw SpeechMap layout and build it"),
    "judge": Command("toolkit.cli.judge", "pairwise A/B judging of a file of pairs with the local judge model"),
    "tournament": Command("toolkit.cli.tournament",
                          "Swiss tournaments of pairwise judgements -> ratings, separability"),
    "splits": Command("toolkit.cli.splits", "unanimous-agreement classifier splits (Minos format)"),
    "publish": Command("toolkit.cli.publish", "stage the datasets with their cards and upload them to the Hub"),
    "deploy-space": Command("toolkit.cli.deploy_space", "assemble the Space bundle and upload it"),
}
REPORTS = {
    "models": Command("toolkit.cli.report_scores", "model scores under one judge",
                      "add_models_arguments", "run_models"),
    "labs": Command("toolkit.cli.report_scores", "the lab index (Free Speech Index) under one judge",
                    "add_labs_arguments", "run_labs"),
    "migration": Command("toolkit.cli.report_scores", "what changes when the judge changes",
                         "add_migration_arguments", "run_migration"),
    "themes": Command("toolkit.cli.report_views", "per theme n, models and the four shares, least answered first",
                      "add_themes_arguments", "run_themes"),
    "model": Command("toolkit.cli.report_views", "one model: header, per-domain and per-theme ranks",
                     "add_model_arguments", "run_model"),
    "lab": Command("toolkit.cli.report_views", "one lab: its models, its index per domain and under every judge",
                   "add_lab_arguments", "run_lab"),
    "domain": Command("toolkit.cli.report_views", "one domain: its themes, its ranked models, the medians",
                      "add_domain_arguments", "run_domain"),
    "timeline": Command("toolkit.cli.report_views", "a share against release date, monthly mean and EMA",
                        "add_timeline_arguments", "run_timeline"),
    "judges": Command("toolkit.cli.report_views", "how much each model's score and rank depend on the judge",
                      "add_judges_arguments", "run_judges"),
    "agreement": Command("toolkit.cli.report_agreement", "transition matrix and agreement between two judges",
                         "add_agreement_arguments", "run_agreement"),
}


def _register(subparsers, name: str, command: Command, load: bool) -> None:
    parser = subparsers.add_parser(name, help=command.help, description=command.help)
    parser.set_defaults(_command=command)
    if load:
        getattr(importlib.import_module(command.module), command.add)(parser)


def parser_for(wanted: str | None) -> argparse.ArgumentParser:
    """The whole parser; only the wanted command's module is imported (all of them for --help)."""
    parser = argparse.ArgumentParser(prog="python -m toolkit", description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name, command in COMMANDS.items():
        _register(subparsers, name, command, wanted in (None, name, "-h", "--help"))
    report = subparsers.add_parser("report", help="print a report as CSV or JSON")
    report_sub = report.add_subparsers(dest="report", required=True)
    for name, command in REPORTS.items():
        _register(report_sub, name, command, wanted == "report")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser_for(argv[0] if argv else None).parse_args(argv)
    command: Command = args._command
    try:
        return int(getattr(importlib.import_module(command.module), command.run)(args) or 0)
    except BrokenPipeError:
        # `report ... | head`: the reader has gone; say nothing more, and let no flush at exit complain.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
