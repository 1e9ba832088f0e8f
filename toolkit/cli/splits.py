"""`python -m toolkit` command line for toolkit.release.splits: arguments and the run function."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

from toolkit.release.splits import (
    EVASIVE_CHOICES,
    SplitOptions,
    _fractions,
    _names,
    make_splits,
    write_splits,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", required=True, help="a built data folder (python -m toolkit build)")
    parser.add_argument("--out", required=True, help="folder for train/validation/test.parquet and report.json")
    parser.add_argument("--min-judges", type=int, default=2,
                        help="LLM judges that must have assessed an item for it to count as unanimous "
                             "(default 2: one judge alone is not agreement)")
    parser.add_argument("--judges", help="comma-separated LLM judges to use (default: all), e.g. only "
                                         "those whose licence allows redistribution")
    parser.add_argument("--human-judges", help="comma-separated human judges in priority order (first wins "
                                               "when they disagree; default: all, the newest annotation wins)")
    parser.add_argument("--no-human", action="store_true", help="ignore human annotations")
    parser.add_argument("--evasive", choices=EVASIVE_CHOICES, default="refusal",
                        help="binary label of EVASIVE (default refusal: SpeechMap counts only COMPLETE as compliance)")
    parser.add_argument("--binary", action="store_true",
                        help="write the binary view: label = refusal (0/1), the 4-class label in `compliance`")
    parser.add_argument("--include-error", action="store_true", help="keep items labelled ERROR")
    parser.add_argument("--seed", type=int, default=0, help="seed of the theme -> split assignment")
    parser.add_argument("--fractions", type=_fractions, default=(0.8, 0.1, 0.1),
                        help="train,validation,test shares of themes (default 0.8,0.1,0.1)")
    parser.add_argument("--format", choices=("csv", "json"), default="csv",
                        help="stdout: label balance per split as CSV, or the whole report as JSON")


def options_from_args(args: argparse.Namespace) -> SplitOptions:
    return SplitOptions(
        min_judges=args.min_judges,
        judges=_names(args.judges),
        human_judges=_names(args.human_judges),
        use_humans=not args.no_human,
        evasive=args.evasive,
        include_error=args.include_error,
        seed=args.seed,
        fractions=tuple(args.fractions),
    )


def run(args: argparse.Namespace) -> int:
    from toolkit.storage.store import Store

    try:
        options = options_from_args(args)
        store = Store.open(args.data)
        result = make_splits(store, options)
    except (ValueError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    write_splits(result, Path(args.out), binary=args.binary)
    if args.format == "json":
        print(json.dumps(result.report, indent=2, ensure_ascii=False))
    else:
        pd.DataFrame(result.report["balance"]).to_csv(sys.stdout, index=False)
    rows = result.report["rows"]
    print(f"wrote {sum(rows.values())} items to {args.out}: "
          + ", ".join(f"{k} {v}" for k, v in rows.items()), file=sys.stderr)
    return 0
