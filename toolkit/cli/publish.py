"""`python -m toolkit` command line for toolkit.release.publish: arguments and the run function."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from toolkit.release.publish import (
    PublishError,
    PublishStopped,
    dry_run,
    publish,
    report_results,
    stage,
    verify,
)
from toolkit.storage import hub_api
from toolkit.storage.hub_api import (
    HubError,
    check_can_upload,
    is_connection_error,
    resolve_token,
    scrub,
    unreachable_message,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", required=True, help="a built data folder")
    parser.add_argument("--org", required=True, help="the Hub user or organisation to publish under")
    parser.add_argument("--prefix", default="speechmap", help="repo names: PREFIX-questions, ... (default speechmap)")
    parser.add_argument("--private", action="store_true", help="create the repos private")
    parser.add_argument("--dry-run", action="store_true",
                        help="stage and verify, then print what would change per repo; no network")
    parser.add_argument("--stage", default="out/publish", help="staging folder (default out/publish)")
    parser.add_argument("--splits", help="a `splits --out` folder to publish (default: computed with default options)")
    parser.add_argument("--matches", help="tournament matches file (parquet, JSONL or CSV) to publish")
    parser.add_argument("--token", help="Hub token (default: the HF_TOKEN environment variable)")


def publish_from_args(args: argparse.Namespace, token: str | None) -> int:
    """Stage, verify, then upload (or, with --dry-run, say what would change)."""
    stage_dir = Path(args.stage)
    if not args.dry_run:
        check_can_upload(token)
    staged = stage(Path(args.data), stage_dir, args.org, args.prefix,
                   Path(args.splits) if args.splits else None, Path(args.matches) if args.matches else None)
    for repo in staged:
        verify(repo)
    print(f"staged and verified {len(staged)} repos in {stage_dir}", file=sys.stderr)
    if args.dry_run:
        return report_results(dry_run(staged, stage_dir), token)
    return report_results(publish(staged, hub_api.make_api(token), stage_dir, private=args.private, token=token),
                          token)


def run(args: argparse.Namespace) -> int:
    """One sentence for every way it can stop: exit 2 (user error, no network), 130 (Ctrl-C), 1 (other)."""
    token = resolve_token(args.token)
    try:
        return publish_from_args(args, token)
    except PublishStopped as stop:
        print(f"error: {scrub(stop.sentence(), token)}", file=sys.stderr)
        return 130 if stop.interrupted else 2
    except KeyboardInterrupt:
        print("error: interrupted; nothing was uploaded.", file=sys.stderr)
        return 130
    except (PublishError, HubError) as error:
        print(f"error: {scrub(str(error), token)}", file=sys.stderr)
        return 2
    except Exception as error:  # noqa: BLE001 - no traceback for a missing network
        if is_connection_error(error):
            print("error: " + scrub(unreachable_message(type(error).__name__), token), file=sys.stderr)
            return 2
        print(f"error: {scrub(f'{type(error).__name__}: {error}', token)}", file=sys.stderr)
        return 1
