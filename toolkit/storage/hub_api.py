"""The Hugging Face Hub in one place: the published repos' names, ORG/prefix, the token, offline mode,
connection errors and the API client.

It sits in storage (the Hub is where the published tables are stored) rather than in release, so that
every stage that talks to the Hub imports it without importing from a stage above itself: storage's
download, judge's model loading, arena's matches source, release's publish and space, and the CLI.
huggingface_hub and httpx are imported only inside the functions that need them.
"""
from __future__ import annotations

import os
import re
import socket
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


class HubNameError(ValueError):
    """An ORG/prefix or repo id that is not one; the message is meant for the user."""


class HubError(Exception):
    """A Hub problem the user can fix (offline, no token); printed as one sentence."""


def repo_name(prefix: str, dataset: str) -> str:
    """The rule for every published repo: `<prefix>-<dataset>`, e.g. speechmap-questions."""
    return f"{prefix}-{dataset}"


def repo_id(org: str, prefix: str, dataset: str) -> str:
    return f"{org}/{repo_name(prefix, dataset)}"


def parse_org_prefix(org_prefix: str) -> tuple[str, str]:
    """`ORG/prefix` -> (ORG, prefix); `ORG` alone means the prefix `speechmap`."""
    org, _, prefix = org_prefix.strip().partition("/")
    if not org or "/" in prefix:
        raise HubNameError(f"expected ORG/prefix (e.g. PITTI/speechmap), not {org_prefix!r}")
    return org, prefix or DEFAULT_PREFIX


# --------------------------------------------------------------------------------------------
# The token
def resolve_token(given: str | None) -> str | None:
    """--token, else the HF_TOKEN environment variable, else None."""
    return given or os.environ.get("HF_TOKEN") or None


def scrub(text: str, token: str | None) -> str:
    """The text with the token (and anything shaped like a Hub token) replaced by `***`."""
    if token:
        text = text.replace(token, "***")
    return re.sub(r"hf_[A-Za-z0-9]{8,}", "hf_***", text)


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


def is_connection_error(error: BaseException) -> bool:
    """No network (or offline mode): OfflineModeIsEnabled, socket/connection errors, httpx transport errors."""
    try:
        import httpx
        transport: tuple[type, ...] = (httpx.TransportError,)
    except ImportError:  # pragma: no cover - httpx comes with huggingface_hub
        transport = ()
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, (ConnectionError, TimeoutError) + transport):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


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
