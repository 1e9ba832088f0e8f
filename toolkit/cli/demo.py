"""`python -m toolkit` command line for toolkit.ingest.synth: arguments and the run function."""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from toolkit.ingest.synth import SCALES, build_demo, generate


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", required=True, metavar="DIR", help="writes DIR/raw (raw layout) and DIR/data (built)")
    parser.add_argument("--scale", choices=sorted(SCALES), default="small",
                        help="small: the app's demo (seconds); full: ~2,120 questions x 380 models for benchmarks")
    parser.add_argument("--seed", type=int, default=0, help="same seed, byte-identical files (default 0)")
    parser.add_argument("--no-build", action="store_true", help="only write DIR/raw")
    parser.add_argument("--quiet", action="store_true", help="no progress output")


def run(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        print(f"error: --out {out} exists and is not a folder", file=sys.stderr)
        return 2
    started = time.time()
    if args.no_build:
        summary = {"generated": generate(out / "raw", args.scale, args.seed, progress=not args.quiet)}
        summary["generated"]["generate_seconds"] = round(time.time() - started, 2)
    else:
        result = build_demo(out, args.scale, args.seed, progress=not args.quiet)
        report = result["report"]
        summary = {"generated": result["generated"], "data": str(out / "data"),
                   "quarantined": report.get("totals", {}).get("quarantined", report.get("quarantined"))}
    summary["raw"] = str(out / "raw")
    print(json.dumps(summary, indent=2))
    return 0
