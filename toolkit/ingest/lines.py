"""Files split into lines, with line numbers kept and bad bytes confined to their own line.

Python only splits files into lines, so that bad bytes (a byte-order mark, CRLF, invalid UTF-8) are
handled per line with the line number kept; the JSON itself is parsed by DuckDB (`ingest.extract`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

SNIPPET = 300  # characters of a bad line kept in the quarantine report


@dataclass
class Problem:
    file: str
    line: int | None
    reason: str
    snippet: str = ""

    def as_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "reason": self.reason, "snippet": self.snippet}


def snippet(text: str | bytes) -> str:
    if isinstance(text, bytes):
        text = text[: SNIPPET * 4].decode("utf-8", errors="replace")
    return text if len(text) <= SNIPPET else text[:SNIPPET] + "…"


@dataclass
class Lines:
    """The non-empty lines of one file: their text and 1-based line numbers, plus undecodable ones."""
    file: str
    texts: list[str] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def nonempty(self) -> int:
        return len(self.texts) + len(self.problems)


def read_lines(path: Path) -> Lines:
    """Split a file into lines: a leading BOM and CR line endings are removed; invalid UTF-8 is a
    problem of that line only; blank lines are not data and are skipped."""
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    out = Lines(str(path))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None:
        for number, line in enumerate(text.split("\n"), start=1):
            if line.endswith("\r"):
                line = line[:-1]
            if line.strip():
                out.texts.append(line)
                out.numbers.append(number)
        return out
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        if not raw.strip():
            continue
        try:
            out.texts.append(raw.decode("utf-8"))
            out.numbers.append(number)
        except UnicodeDecodeError as error:
            out.problems.append(Problem(str(path), number, f"invalid UTF-8 at byte {error.start}", snippet(raw)))
    return out


WHITESPACE = (9, 10, 11, 12, 13, 32)  # bytes that may start a blank line (ASCII whitespace)


def arrow_lines(path: Path) -> tuple[pa.Array, np.ndarray] | None:
    """The non-empty lines of a file as an Arrow string array over the file's own bytes (no copy),
    with their 1-based line numbers; None when the file is not valid UTF-8 (then `read_lines` finds
    the bad lines one by one). Each line keeps its line ending, which JSON parsers skip as whitespace.
    """
    data = path.read_bytes()
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    raw = np.frombuffer(data, np.uint8)
    breaks = np.flatnonzero(raw == 10)
    starts = np.concatenate(([start], breaks + 1)).astype(np.int64)
    if starts[-1] >= len(data):  # the file ends with a newline: no line after it
        starts = starts[:-1]
    if len(starts) == 0:
        return pa.array([], pa.large_string()), np.zeros(0, np.int64)
    offsets = np.concatenate((starts, [len(data)])).astype(np.int64)
    lines = pa.LargeStringArray.from_buffers(len(starts), pa.py_buffer(offsets), pa.py_buffer(data))
    try:
        lines.validate(full=True)
    except pa.ArrowInvalid:
        return None
    numbers = np.arange(1, len(starts) + 1, dtype=np.int64)
    # A line is blank only if it starts with whitespace (or is empty), so only those few lines are
    # checked in full; a JSON line starts with `{`.
    first = raw[np.minimum(starts, len(data) - 1)]
    suspect = np.flatnonzero(np.isin(first, WHITESPACE) | (offsets[1:] == starts))
    if not len(suspect):  # the usual case: no copy at all
        return lines, numbers
    candidates = lines.take(pa.array(suspect))
    blank = pc.equal(pc.utf8_length(pc.utf8_trim_whitespace(candidates)), 0).to_numpy(zero_copy_only=False)
    if not blank.any():
        return lines, numbers
    keep = np.ones(len(starts), bool)
    keep[suspect[np.asarray(blank, bool)]] = False
    return lines.filter(pa.array(keep)), numbers[keep]


def file_lines(path: Path) -> tuple[pa.Array, np.ndarray, list[Problem]]:
    """A file's non-empty lines (Arrow, zero-copy), their line numbers, and its undecodable lines."""
    found = arrow_lines(path)
    if found is not None:
        return *found, []
    slow = read_lines(path)  # not valid UTF-8: find the bad lines one by one, keep the rest
    return pa.array(slow.texts, pa.large_string()), np.array(slow.numbers, np.int64), slow.problems
