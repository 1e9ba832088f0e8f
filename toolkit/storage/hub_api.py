"""The Hugging Face Hub in one place: the published repos' names, ORG/prefix, the token, offline mode,
connection errors and the API client.

It sits in storage (the Hub is where the published tables are stored) rather than in release, so that
every stage that talks to the Hub imports it without importing from a stage above itself: storage's
download, judge's model loading, arena's matches source, release's publish and space, and the CLI.
huggingface_hub and the HTTP libraries are imported only inside the functions that need them.
"""
from __future__ import annotations

import importlib
import os
import re
import socket
from typing import Sequence
from urllib.parse import urlparse

DEFAULT_PREFIX = "speechmap"
# Every dataset repo `publish` may stage, in publishing order; each holds the tables below as configs.
DATASETS = ("questions", "responses", "assessments", "models", "classifier", "matches")
DATASET_TABLES = {
    "questions": ("questions",),
    "responses": ("responses",),
    "assessments": ("assessments", "judges"),
    "models": ("models",),
}
# The repos the Space's README names: matches is published only with --matches.
SPACE_DATASETS = ("questions", "responses", "assessments", "models", "classifier")
TRUE_VALUES = ("1", "ON", "YES", "TRUE")  # as huggingface_hub reads its environment variables
OFFLINE_MESSAGE = "cannot reach the Hugging Face Hub ({why}); nothing was uploaded."
# A Hub name (user, organisation, repo): letters, digits, '-', '_', '.', starting and ending with a
# letter, digit or '_', no '--' or '..', at most 96 characters (huggingface_hub's validate_repo_id).
NAME = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,94}[A-Za-z0-9_])?")
SECRET_PART = 8  # any run of this many characters of the token is scrubbed from messages
# Where the Hub client's transport errors live: httpx2 for huggingface_hub 2.x, httpx before.
TRANSPORT_ERRORS = (("httpx2", "TransportError"), ("httpx", "TransportError"),
                    ("requests.exceptions", "ConnectionError"), ("requests.exceptions", "Timeout"))


class HubError(Exception):
    """A Hub problem the user can fix (offline, no token, a bad name); printed as one sentence."""


class HubNameError(HubError, ValueError):
    """An ORG/prefix or repo id that is not one; the message is meant for the user."""


def repo_name(prefix: str, dataset: str) -> str:
    """The rule for every published repo: `<prefix>-<dataset>`, e.g. speechmap-questions."""
    return f"{prefix}-{dataset}"


def repo_id(org: str, prefix: str, dataset: str) -> str:
    return f"{org}/{repo_name(prefix, dataset)}"


def parse_org_prefix(org_prefix: str) -> tuple[str, str]:
    """`ORG/prefix` -> (ORG, prefix), both checked by `check_org_prefix`; `ORG` alone means prefix `speechmap`."""
    org, _, prefix = org_prefix.strip().partition("/")
    if not org or "/" in prefix:
        raise HubNameError(f"expected ORG/prefix (e.g. PITTI/speechmap), not {org_prefix!r}")
    check_org_prefix(org, prefix or DEFAULT_PREFIX)
    return org, prefix or DEFAULT_PREFIX


def check_name(name: str, what: str) -> str:
    """`name` if the Hub accepts it as a user, organisation or repo name, else HubNameError naming `what`."""
    if not NAME.fullmatch(name) or "--" in name or ".." in name or name.endswith(".git"):
        raise HubNameError(f"{what} {name!r} is not a Hub name: use letters, digits, '-', '_' and '.', "
                           "start and end with a letter, digit or '_', no '--' or '..', at most 96 characters")
    return name


def check_org_prefix(org: str, prefix: str) -> None:
    """The organisation and every repo name `<prefix>-<dataset>` are Hub names (so no path either)."""
    check_name(org, "the organisation")
    check_name(prefix, "the prefix")
    for dataset in DATASETS:
        check_name(repo_name(prefix, dataset), "the repo name")


def is_repo_id(value: str) -> bool:
    """Whether `value` reads as ORG/NAME with both parts Hub names."""
    try:
        check_repo_id(value, "the repo id")
    except HubNameError:
        return False
    return True


def check_repo_id(value: str, what: str) -> str:
    """`value` if it is ORG/NAME with both parts Hub names, else HubNameError naming `what`."""
    org, slash, name = value.partition("/")
    if not slash:
        raise HubNameError(f"{what} must be ORG/NAME, not {value!r}")
    check_name(org, f"{what}'s organisation")
    check_name(name, f"{what}'s name")
    return value


# --------------------------------------------------------------------------------------------
# The token
def resolve_token(given: str | None) -> str | None:
    """--token, else the HF_TOKEN environment variable, else None."""
    return given or os.environ.get("HF_TOKEN") or None


def scrub(text: str, token: str | None) -> str:
    """The text with every piece of the token of 8 or more characters (and anything shaped like a Hub
    token) replaced by `***`."""
    if token:
        text = scrub_pieces(text, token) if len(token) >= SECRET_PART else text.replace(token, "***")
    return re.sub(r"hf_[A-Za-z0-9]{8,}", "hf_***", text)


def scrub_pieces(text: str, token: str) -> str:
    """Mask every run of `text` that is a substring of `token` of SECRET_PART characters or more.

    A run starts where SECRET_PART characters of the text occur in the token and extends as long as
    it still does; overlapping runs merge, and each masked stretch becomes one `***`."""
    pieces = {token[i:i + SECRET_PART] for i in range(len(token) - SECRET_PART + 1)}
    masked = [False] * len(text)
    for start in range(len(text) - SECRET_PART + 1):
        if text[start:start + SECRET_PART] in pieces:
            end = start + SECRET_PART
            while end < len(text) and text[start:end + 1] in token:
                end += 1
            masked[start:end] = [True] * (end - start)
    out = []
    for i, char in enumerate(text):
        if not masked[i]:
            out.append(char)
        elif i == 0 or not masked[i - 1]:
            out.append("***")
    return "".join(out)


# --------------------------------------------------------------------------------------------
# Offline mode and missing network
def hub_offline() -> bool:
    """Offline mode asked for: HF_HUB_OFFLINE or TRANSFORMERS_OFFLINE set now (read from the environment
    each time; huggingface_hub reads both, but only at import), or huggingface_hub's own flag."""
    from huggingface_hub import constants

    flags = (os.environ.get("HF_HUB_OFFLINE", ""), os.environ.get("TRANSFORMERS_OFFLINE", ""))
    return constants.is_offline_mode() or any(flag.strip().upper() in TRUE_VALUES for flag in flags)


def hub_reachable(timeout_s: float = 3.0) -> bool:
    """Whether a TCP connection to the Hub endpoint opens within the timeout."""
    endpoint = os.environ.get("HF_ENDPOINT", "https://huggingface.co")
    parsed = urlparse(endpoint)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        with socket.create_connection((parsed.hostname or "huggingface.co", port), timeout=timeout_s):
            return True
    except OSError:
        return False


def network_error_types() -> tuple[type, ...]:
    """Exceptions that mean "no network": connection and timeout errors, DNS failures (socket.gaierror
    is an OSError, not a ConnectionError; OfflineModeIsEnabled is a ConnectionError), and the
    transport errors of whichever HTTP library is installed."""
    found: list[type] = [ConnectionError, TimeoutError, socket.gaierror, socket.herror]
    for module, name in TRANSPORT_ERRORS:
        try:
            found.append(getattr(importlib.import_module(module), name))
        except (ImportError, AttributeError):
            continue
    return tuple(found)


def is_connection_error(error: BaseException) -> bool:
    """Whether the error, or one it was raised from, means no network (or offline mode)."""
    types = network_error_types()
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, types):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def unreachable_message(why: str, committed: Sequence[str] = ()) -> str:
    """One sentence for a lost connection: which repos were committed before it, if any."""
    if not committed:
        return OFFLINE_MESSAGE.format(why=why)
    return (f"cannot reach the Hugging Face Hub ({why}) after committing {', '.join(committed)}; "
            "the other repos were left as they were, and a re-run publishes the rest.")


def check_can_upload(token: str | None) -> None:
    """HubError unless an upload can be tried: not in offline mode, and a token."""
    if hub_offline():
        raise HubError(OFFLINE_MESSAGE.format(why="HF_HUB_OFFLINE is set"))
    if not token:
        raise HubError("no Hub token: set HF_TOKEN or pass --token (or use --dry-run)")


def make_api(token: str | None):
    """The Hub client (tests replace this function with a fake)."""
    from huggingface_hub import HfApi

    return HfApi(token=token)
