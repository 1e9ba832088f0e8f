"""`python -m toolkit <command>`: one entry point, each command in its own module.

A command module exposes `add_arguments(parser)` and `run(args) -> int`. Commands are imported only
when called, so `python -m toolkit build` never imports torch or gradio.
"""
from __future__ import annotations

import argparse
import importlib
import sys

# command -> (module, help). "report" has sub-reports, registered the same way below.
COMMANDS = {
    "build": ("toolkit.ingest.pipeline", "raw SpeechMap files -> parquet tables + quarantine report"),
    "demo": ("toolkit.ingest.synth", "write seeded synthetic data in the raw SpeechMap layout and build it"),
    "judge": ("toolkit.judge.cli", "pairwise A/B judging of a file of pairs with the local judge model"),
    "tournament": ("toolkit.arena.cli", "Swiss tournaments of pairwise judgements -> ratings, separability"),
    "splits": ("toolkit.release.splits", "unanimous-agreement classifier splits (Minos format)"),
    "publish": ("toolkit.release.publish", "stage the datasets with their cards and upload them to the Hub"),
    "deploy-space": ("toolkit.release.space", "assemble the Space bundle and upload it"),
}
REPORTS = {
    "models": ("toolkit.query.scores", "model scores under one judge"),
    "labs": ("toolkit.query.scores", "the lab index (Free Speech Index) under one judge"),
    "migration": ("toolkit.query.scores", "what changes when the judge changes"),
    "agreement": ("toolkit.query.agreement", "transition matrix and agreement between two judges"),
}


def _add(subparsers, name: str, module: str, help_text: str, **extra) -> None:
    parser = subparsers.add_parser(name, help=help_text, description=help_text)
    parser.set_defaults(_module=module, **extra)
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as error:
        if error.name and error.name.startswith("toolkit"):
            parser.set_defaults(_missing=str(error))
            return
        raise
    adder = getattr(mod, f"add_{name.replace('-', '_')}_arguments", None) or mod.add_arguments
    adder(parser)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m toolkit", description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(dest="command", required=True)
    argv = list(sys.argv[1:] if argv is None else argv)
    wanted = argv[0] if argv else None
    for name, (module, help_text) in COMMANDS.items():
        if wanted in (None, name, "-h", "--help"):
            _add(subparsers, name, module, help_text)
        else:
            subparsers.add_parser(name, help=help_text)
    report = subparsers.add_parser("report", help="print a report as CSV or JSON")
    report_sub = report.add_subparsers(dest="report", required=True)
    for name, (module, help_text) in REPORTS.items():
        if wanted == "report":
            _add(report_sub, name, module, help_text, _report=name)
    args = parser.parse_args(argv)
    if getattr(args, "_missing", None):
        print(f"error: this command is not available: {args._missing}", file=sys.stderr)
        return 2
    module = importlib.import_module(args._module)
    runner = getattr(module, f"run_{getattr(args, '_report', args.command).replace('-', '_')}", None)
    return int((runner or module.run)(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
