"""`python -m toolkit` command line for toolkit.ingest.pipeline: arguments and the run function."""
from __future__ import annotations

import argparse
import sys

from toolkit.ingest.errors import BuildError, StrictBuildError
from toolkit.ingest.pipeline import build


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--raw", action="append", default=[], metavar="DIR",
                        help="a raw SpeechMap folder (questions/, responses/, analysis*/) or a PITTI parquet folder")
    parser.add_argument("--responses", action="append", default=[], metavar="FILE",
                        help="a loose SpeechMap responses file (e.g. the judge-evaluation sample)")
    parser.add_argument("--metadata", metavar="DIR", help="folder with model_metadata.json and lab_metadata.jsonl")
    parser.add_argument("--judgements", action="append", default=[], metavar="[NAME=]FILE",
                        help="LLM judgements (JSONL/CSV/parquet); NAME= names the judge when rows do not")
    parser.add_argument("--annotations", action="append", default=[], metavar="[NAME=]FILE",
                        help="human annotations, same format as --judgements (judge_type human)")
    parser.add_argument("--judge-aliases", metavar="FILE", help="JSON {canonical: [spellings]} added to the shipped table")
    parser.add_argument("--out", required=True, metavar="OUT")
    parser.add_argument("--strict", action="store_true", help="exit non-zero when anything was quarantined")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    if not (args.raw or args.responses):
        print("error: give at least one --raw DIR or --responses FILE", file=sys.stderr)
        return 2
    try:
        report = build(raw=args.raw, metadata=args.metadata, judgements=args.judgements,
                       annotations=args.annotations, responses=args.responses, out=args.out,
                       strict=args.strict, progress=not args.quiet, judge_aliases=args.judge_aliases)
    except StrictBuildError as error:
        for reason, count in error.report["quarantine_reasons"].items():
            print(f"  would quarantine {count:,}: {reason}", file=sys.stderr)
        print(f"error: {error}", file=sys.stderr)
        return 1
    except (BuildError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    totals = report["totals"]
