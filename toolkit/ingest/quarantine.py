"""The build's "loses nothing" contract, in one place.

Every non-empty input line ends either in a table or in `quarantine.jsonl` (file, line, reason and a
truncated copy), and the report balances per file: lines read = rows written + quarantined.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from toolkit.ingest.lines import snippet


@dataclass
class FileReport:
    kind: str
    lines_read: int = 0
    rows_written: int = 0
    quarantined: Counter = field(default_factory=Counter)

    def as_dict(self) -> dict:
        return {"kind": self.kind, "lines_read": self.lines_read, "rows_written": self.rows_written,
                "quarantined": dict(sorted(self.quarantined.items())),
                "balanced": self.lines_read == self.rows_written + sum(self.quarantined.values())}


class Quarantine:
    """Per-file counts of lines read, rows written and rows quarantined (with their entries)."""

    def __init__(self) -> None:
        self.files: dict[str, FileReport] = {}
        self.entries: list[dict] = []

    def report_for(self, path: Path | str, kind: str) -> FileReport:
        return self.files.setdefault(str(path), FileReport(kind))

    def reject(self, file: str, line: int | None, reason: str, text: str = "", detail: str = "") -> None:
        self.files[file].quarantined[reason] += 1
        entry = {"file": file, "line": line, "reason": reason, "snippet": snippet(text)}
        if detail:
            entry["detail"] = detail
        self.entries.append(entry)

    def reject_rows(self, rows: pa.Table, reason: str, detail_column: str | None = None) -> None:
        """Quarantine rows of a staged table (needs file, line; optional detail column)."""
        files = rows.column("file").to_pylist()
        lines = rows.column("line").to_pylist()
        details = rows.column(detail_column).to_pylist() if detail_column else [""] * len(files)
        for file, line, detail in zip(files, lines, details):
            self.reject(file, line, reason, detail=str(detail or ""))

    def count_written(self, rows: pa.Table) -> None:
        """Rows of a final table, counted against the input file each came from."""
        counts = pc.value_counts(rows.column("file").cast(pa.string()).combine_chunks())
        for item in counts.to_pylist():
            self.files[item["values"]].rows_written += item["counts"]

    def file_dicts(self) -> dict[str, dict]:
        return {name: r.as_dict() for name, r in sorted(self.files.items())}

    def totals(self) -> dict:
        """Lines read, rows written and quarantined over all files, and whether they balance."""
        files = self.files.values()
        totals = {"lines_read": sum(r.lines_read for r in files),
                  "rows_written": sum(r.rows_written for r in files),
                  "quarantined": sum(sum(r.quarantined.values()) for r in files)}
        return totals | {"balanced": totals["lines_read"] == totals["rows_written"] + totals["quarantined"]}

    def reasons(self) -> dict[str, int]:
        """Quarantined rows per reason, most frequent first."""
        reasons: Counter = Counter()
        for _, report in sorted(self.files.items()):  # ties keep the order of file names
            reasons.update(dict(sorted(report.quarantined.items())))
        return dict(reasons.most_common())

    def write(self, path: Path) -> None:
        """`quarantine.jsonl` in input order: batches are parsed in parallel, so rows are found in no
        fixed order."""
        with open(path, "w", encoding="utf-8") as handle:
            for entry in sorted(self.entries, key=lambda e: (e["file"], e["line"] or 0, e["reason"])):
                handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
