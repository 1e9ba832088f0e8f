"""Errors that end a build with one clear sentence instead of a traceback."""
from __future__ import annotations


class BuildError(Exception):
    """A build that cannot start (bad options, missing folders): a clear message, no traceback."""


class StrictBuildError(BuildError):
    """--strict and something was quarantined: nothing is written, the previous OUT stays."""

    def __init__(self, report: dict):
        self.report = report
        super().__init__(f"--strict: {report['totals']['quarantined']:,} rows would be quarantined; "
                         "nothing was written")
