"""Assemble the Space bundle and upload it in one commit (`python -m toolkit deploy-space`).

`python -m toolkit deploy-space --space ORG/NAME [--hub ORG/prefix] [--out DIR] [--dry-run] [--token T]`

The bundle is: app.py, the `toolkit` package (Python files and toolkit/resources, no caches) and the files
of `space/` (README.md with the Space's front matter, requirements.txt) at the top. The README's
`datasets:` list is rewritten to name the published repos of `--hub` (default: the Space's owner and
prefix `speechmap`), and the Space variable SPEECHMAP_HUB is set to it, so that the app loads them at
start (falling back to the demo with a visible notice). --dry-run assembles the folder and lists its
files, without network. The upload is one commit that also deletes files the bundle no longer has.
"""
from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import yaml

from toolkit.release import cards
from toolkit.release.publish import (
    OFFLINE_MESSAGE,
    PublishError,
    hub_offline,
    is_connection_error,
    print_plan,
    resolve_token,
    scrub,
    upload_folder_commit,
)

ROOT = Path(__file__).resolve().parents[2]
PUBLISHED = ("questions", "responses", "assessments", "models", "classifier")
HUB_VARIABLE = "SPEECHMAP_HUB"


def bundle_files(root: Path = ROOT) -> dict[str, Path]:
    """Bundle path -> source file: app.py, toolkit/**/*.py and toolkit/resources/*, space/* at the top."""
    files = {"app.py": root / "app.py"}
    for path in sorted((root / "toolkit").rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        relative = path.relative_to(root)
        if path.suffix == ".py" or relative.parts[:2] == ("toolkit", "resources"):
            files[relative.as_posix()] = path
    for path in sorted((root / "space").iterdir()):
        if path.is_file():
            files[path.name] = path
    return files


def space_readme(text: str, hub: str) -> str:
    """The space README with `datasets:` naming the published repos of `hub` (ORG/prefix)."""
    meta = cards.front_matter(text)
    org, _, prefix = hub.partition("/")
    meta["datasets"] = [f"{org}/{prefix or 'speechmap'}-{d}" for d in PUBLISHED]
    body = text[text.index("\n---\n", 4) + 5:]
    return "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True) + "---\n" + body


def assemble(out: Path, hub: str, root: Path = ROOT) -> list[str]:
    """Copy the bundle into `out` (replaced whole) and return its files, sorted."""
    files = bundle_files(root)
    if out.exists():
        shutil.rmtree(out)
    for name, source in files.items():
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if name == "README.md":
            target.write_text(space_readme(source.read_text(encoding="utf-8"), hub), encoding="utf-8")
        else:
            shutil.copyfile(source, target)
    return sorted(files)


def add_deploy_space_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--space", required=True, help="the Space to deploy to, ORG/NAME")
    parser.add_argument("--hub", help="published datasets the Space loads, ORG/prefix (default: SPACE_ORG/speechmap)")
    parser.add_argument("--out", default="out/space", help="where to assemble the bundle (default out/space)")
    parser.add_argument("--private", action="store_true", help="create the Space private")
    parser.add_argument("--dry-run", action="store_true", help="assemble and list the bundle's files; no network")
    parser.add_argument("--token", help="Hub token (default: the HF_TOKEN environment variable)")


add_arguments = add_deploy_space_arguments


def make_api(token: str | None):
    from huggingface_hub import HfApi

    return HfApi(token=token)


def run_deploy_space(args: argparse.Namespace) -> int:
    token = resolve_token(args.token)
    if args.space.count("/") != 1 or not all(args.space.split("/")):
        print(f"error: --space must be ORG/NAME, not {args.space!r}", file=sys.stderr)
        return 2
    hub = args.hub or f"{args.space.split('/')[0]}/speechmap"
    out = Path(args.out)
    files = assemble(out, hub)
    if args.dry_run:
        print(f"{args.space}: dry run, bundle of {len(files)} files in {out}:")
        for name in files:
            print(f"  {name}")
        return 0
    try:
        if hub_offline():
            raise PublishError(OFFLINE_MESSAGE.format(why="HF_HUB_OFFLINE is set"))
        if not token:
            raise PublishError("no Hub token: set HF_TOKEN or pass --token (or use --dry-run)")
        api = make_api(token)
        outcome = upload_folder_commit(
            api, args.space, out, repo_type="space", private=args.private,
            managed=lambda path: path != ".gitattributes", message="Deploy the SpeechMap dashboard",
            token=token, create_kwargs={"space_sdk": "gradio"})
        if outcome.status != "failed":
            api.add_space_variable(args.space, HUB_VARIABLE, hub)
    except PublishError as error:
        print(f"error: {scrub(str(error), token)}", file=sys.stderr)
        return 2
    except Exception as error:  # noqa: BLE001 - one sentence, never a traceback with secrets
        if is_connection_error(error):
            print("error: " + OFFLINE_MESSAGE.format(why=type(error).__name__), file=sys.stderr)
            return 2
        print(f"error: {scrub(f'{type(error).__name__}: {error}', token)}", file=sys.stderr)
        return 1
    summary = f": {outcome.plan.summary()}" if outcome.plan is not None and not outcome.plan.empty else ""
    stream = sys.stderr if outcome.status == "failed" else sys.stdout
    print(scrub(f"{args.space}: {outcome.message}{summary}", token), file=stream)
    if outcome.status == "committed":
        print_plan(outcome)
    return 1 if outcome.status == "failed" else 0


run = run_deploy_space
