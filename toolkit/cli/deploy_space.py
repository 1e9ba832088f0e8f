"""`python -m toolkit` command line for toolkit.release.space: arguments and the run function."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from toolkit.release.hub_commit import RepoResult, print_plan, upload_folder_commit
from toolkit.release.space import HUB_VARIABLE, assemble
from toolkit.storage import hub_api
from toolkit.storage.hub_api import (
    HubError,
    check_can_upload,
    check_repo_id,
    is_connection_error,
    parse_org_prefix,
    resolve_token,
    scrub,
    unreachable_message,
)


def add_deploy_space_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--space", required=True, help="the Space to deploy to, ORG/NAME")
    parser.add_argument("--hub", help="published datasets the Space loads, ORG/prefix (default: SPACE_ORG/speechmap)")
    parser.add_argument("--out", default="out/space", help="where to assemble the bundle (default out/space)")
    parser.add_argument("--private", action="store_true", help="create the Space private")
    parser.add_argument("--dry-run", action="store_true", help="assemble and list the bundle's files; no network")
    parser.add_argument("--token", help="Hub token (default: the HF_TOKEN environment variable)")


add_arguments = add_deploy_space_arguments


def deploy(args: argparse.Namespace, token: str | None, hub: str, out: Path) -> RepoResult:
    """One commit of the bundle, then the Space variable naming the datasets it loads."""
    check_can_upload(token)
    api = hub_api.make_api(token)
    result = upload_folder_commit(
        api, args.space, out, repo_type="space", private=args.private,
        managed=lambda path: path != ".gitattributes", message="Deploy the SpeechMap dashboard",
        token=token, create_kwargs={"space_sdk": "gradio"})
    if result.status == "failed":
        return result
    try:
        api.add_space_variable(args.space, HUB_VARIABLE, hub)
    except Exception as error:
        if not is_connection_error(error):
            raise
        raise HubError(f"{args.space}: {result.message}, but the Hub could not be reached to set {HUB_VARIABLE} "
                       f"({type(error).__name__}); a re-run sets it") from None
    return result


def run_deploy_space(args: argparse.Namespace) -> int:
    token = resolve_token(args.token)
    try:
        check_repo_id(args.space, "--space")
        hub = args.hub or f"{args.space.split('/')[0]}/{hub_api.DEFAULT_PREFIX}"
        parse_org_prefix(hub)
        out = Path(args.out)
        files = assemble(out, hub)
        if args.dry_run:
            print(f"{args.space}: dry run, bundle of {len(files)} files in {out}:")
            for name in files:
                print(f"  {name}")
            return 0
        result = deploy(args, token, hub, out)
    except KeyboardInterrupt:
        print("error: interrupted; a commit is all or nothing, so the Space holds the old or the new bundle: "
              "re-run to deploy.", file=sys.stderr)
        return 130
    except HubError as error:
        print(f"error: {scrub(str(error), token)}", file=sys.stderr)
        return 2
    except Exception as error:  # noqa: BLE001 - one sentence, never a traceback with secrets
        if is_connection_error(error):
            print("error: " + scrub(unreachable_message(type(error).__name__), token), file=sys.stderr)
            return 2
        print(f"error: {scrub(f'{type(error).__name__}: {error}', token)}", file=sys.stderr)
        return 1
    summary = f": {result.plan.summary()}" if result.plan is not None and not result.plan.empty else ""
    stream = sys.stderr if result.status == "failed" else sys.stdout
    print(scrub(f"{args.space}: {result.message}{summary}", token), file=stream)
    if result.status == "committed":
        print_plan(result)
    return 1 if result.status == "failed" else 0


run = run_deploy_space
