"""The one place that maps raw labels to canonical ones.

Canonical labels follow SpeechMap: COMPLETE, EVASIVE, DENIAL, ERROR, and UNKNOWN for anything else.
The mapping is SpeechMap's own (preprocess.py): exact, case-sensitive codes, no trimming. COMPLETE,
EVASIVE, DENIAL and UNKNOWN stay themselves, every code starting with ERROR becomes ERROR (the raw
code is kept in `label_raw`), and anything else, `complete` or ` COMPLETE` included, is UNKNOWN.
PITTI's finer codes (its `pitti_compliance` column, the explorer's finer labels) map as well:
REFUSAL -> DENIAL, REBUTTAL -> DENIAL, BLOCKED -> ERROR. In SpeechMap's own `compliance` field they
are not codes (SpeechMap counts them as UNKNOWN): a reader that knows its field is SpeechMap's passes
fine_codes=False.
"""
from __future__ import annotations

COMPLETE, EVASIVE, DENIAL, ERROR, UNKNOWN = "COMPLETE", "EVASIVE", "DENIAL", "ERROR", "UNKNOWN"
CANONICAL = (COMPLETE, EVASIVE, DENIAL, ERROR, UNKNOWN)
SCORED = (COMPLETE, EVASIVE, DENIAL, ERROR)  # the four shares of a model score; UNKNOWN counts in n only

SPEECHMAP_CODES = (COMPLETE, EVASIVE, DENIAL, UNKNOWN)  # kept as they are; ERROR* -> ERROR
PITTI_CODES = {"REFUSAL": DENIAL, "REBUTTAL": DENIAL, "BLOCKED": ERROR}

# Label colours (DESIGN.md section 5): the explorer's palette; SpeechMap's four agree in hue.
COLORS = {
    "COMPLETE": "#10b981",
    "EVASIVE": "#fca716",
    "REBUTTAL": "#f46e3a",
    "DENIAL": "#ef4444",
    "REFUSAL": "#e74892",
    "BLOCKED": "#8b5cf6",
    "ERROR": "#8b5cf6",   # SpeechMap shows ERROR in purple
    "UNKNOWN": "#4b5563",
}
ORDER = ["COMPLETE", "EVASIVE", "REBUTTAL", "DENIAL", "REFUSAL", "BLOCKED", "ERROR", "UNKNOWN"]


def canonical(raw: object, fine_codes: bool = True) -> str:
    """Map a raw label to COMPLETE / EVASIVE / DENIAL / ERROR / UNKNOWN (exact, case-sensitive)."""
    if not isinstance(raw, str):
        return UNKNOWN
    if raw.startswith("ERROR"):
        return ERROR
    if fine_codes and raw in PITTI_CODES:
        return PITTI_CODES[raw]
    return raw if raw in SPEECHMAP_CODES else UNKNOWN


def canonical_sql(column: str, fine_codes: bool = True) -> str:
    """The same mapping as `canonical`, as a DuckDB expression over a column (used by the build).

    Kept next to `canonical` so the two cannot drift; tests check they agree on every raw label.
    """
    codes = {**{code: code for code in SPEECHMAP_CODES}, **(PITTI_CODES if fine_codes else {})}
    cases = " ".join(f"WHEN '{raw}' THEN '{canon}'" for raw, canon in codes.items())
    return (
        f"CASE WHEN {column} IS NULL THEN '{UNKNOWN}' "
        f"WHEN starts_with({column}, 'ERROR') THEN '{ERROR}' "
        f"ELSE coalesce(CASE {column} {cases} END, '{UNKNOWN}') END"
    )


def order_key(label: str) -> int:
    return ORDER.index(label) if label in ORDER else len(ORDER)
