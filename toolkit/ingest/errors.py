"""Errors that end a build with one clear sentence instead of a traceback."""
from __future__ import annotations


class BuildError(Exception):
    """A build that cannot start (bad options, missing folders): a clear message, no traceback."""


class StrictBuildError(BuildError):
    """--strict and something was quarantined: nothing is written, the previous OUT stays."""

    def __init__(self, report: dict):
        self.report = report
        drift = sum(d["complete_without_text"] for d in report.get("format_drift", {}).values())
        problems = [f"{report['totals']['quarantined']:,} rows would be quarantined"]
        if drift:
            problems.append(f"{drift:,} responses judged COMPLETE have no extractable text (format drift)")
        super().__init__(f"--strict: {'; '.join(problems)}; nothing was written")
