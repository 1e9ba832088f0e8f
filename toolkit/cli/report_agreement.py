"""`python -m toolkit report agreement`: arguments and the run function."""
from __future__ import annotations

import argparse
import json
import sys

from toolkit.core.filters import FILTER_NAMES, Filters, NoMatch
from toolkit.query.agreement import (
    LABEL_KINDS,
    Side,
    agreement_report,
    all_judges_report,
    empty_message,
    transition_matrix,
)
from toolkit.storage.store import Store

# The filters this report offers as repeatable flags (names from toolkit.core.filters).
REPORT_FILTERS = tuple(name for name in FILTER_NAMES if name != "variation")


def add_agreement_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", required=True, help="a built data folder (toolkit build / demo)")
    parser.add_argument("--judge1", required=True, help="judge whose labels are the rows ('from')")
    parser.add_argument("--judge2", required=True, help="judge whose labels are the columns ('to')")
    parser.add_argument("--label1", choices=LABEL_KINDS, default="label", help="judge 1's label column")
    parser.add_argument("--label2", choices=LABEL_KINDS, default="label", help="judge 2's label column")
    for name in REPORT_FILTERS:
        parser.add_argument(f"--{name.replace('_', '-')}", action="append", metavar="VALUE",
                            help=f"only responses with this {name} (repeat for several)")
    parser.add_argument("--bootstrap", type=int, default=0, metavar="N",
                        help="also a percentile bootstrap interval of kappa with N replicates")
    parser.add_argument("--all-judges", action="store_true",
                        help="add the pairwise kappa of all judges, Fleiss/Krippendorff and gold accuracy")
    parser.add_argument("--format", choices=("json", "csv"), default="json",
                        help="json: the full report; csv: the transition matrix")


def run_agreement(args: argparse.Namespace) -> int:
    try:
        store = Store.open(args.data)
        for judge in (args.judge1, args.judge2):
            store.judge(judge)
        filters = {name: getattr(args, name) for name in REPORT_FILTERS if getattr(args, name)}
        try:
            Filters.of(filters)
        except NoMatch:
            pass  # an impossible value (reasoning=maybe) gives the empty report, like any other
        side1, side2 = Side(args.judge1, args.label1), Side(args.judge2, args.label2)
        if args.format == "csv":
            matrix = transition_matrix(store, side1, side2, filters)
            if not matrix.size:
                print(empty_message(side1, side2, filters), file=sys.stderr)
            matrix.to_csv(sys.stdout)
            return 0
        report = agreement_report(store, side1, side2, filters, bootstrap=max(0, args.bootstrap))
        if args.all_judges:
            report["all_judges"] = all_judges_report(store, filters)
    except (FileNotFoundError, KeyError, ValueError) as error:
        print(f"error: {error.args[0] if error.args else error}", file=sys.stderr)
        return 2
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0
