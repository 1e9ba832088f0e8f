"""The one place that maps raw labels to canonical ones.

Canonical labels follow SpeechMap: COMPLETE, EVASIVE, DENIAL, ERROR, and UNKNOWN for anything else.
Every ERROR* code collapses into ERROR (the raw code is kept in `label_raw`). The explorer's finer
labels (PITTI `pitti_compliance`) map as REFUSAL -> DENIAL, REBUTTAL -> DENIAL, BLOCKED -> ERROR.
"""
from __future__ import annotations

COMPLETE, EVASIVE, DENIAL, ERROR, UNKNOWN = "COMPLETE", "EVASIVE", "DENIAL", "ERROR", "UNKNOWN"
CANONICAL = (COMPLETE, EVASIVE, DENIAL, ERROR, UNKNOWN)
SCORED = (COMPLETE, EVASIVE, DENIAL, ERROR)  # the four shares of a model score; UNKNOWN counts in n only

FINE_TO_CANONICAL = {
    "COMPLETE": COMPLETE,
    "EVASIVE": EVASIVE,
    "DENIAL": DENIAL,
    "REFUSAL": DENIAL,
    "REBUTTAL": DENIAL,
    "BLOCKED": ERROR,
    "ERROR": ERROR,
}

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


def canonical(raw: object) -> str:
    """Map a raw label to COMPLETE / EVASIVE / DENIAL / ERROR / UNKNOWN."""
    if raw is None:
        return UNKNOWN
    text = str(raw).strip().upper()
    if text.startswith("ERROR"):
        return ERROR
    return FINE_TO_CANONICAL.get(text, UNKNOWN)


def canonical_sql(column: str) -> str:
    """The same mapping as `canonical`, as a DuckDB expression over a column (used by the build).

    Kept next to `canonical` so the two cannot drift; tests check they agree on every raw label.
    """
    upper = f"upper(trim({column}))"
    cases = " ".join(f"WHEN '{raw}' THEN '{canon}'" for raw, canon in FINE_TO_CANONICAL.items())
    return (
        f"CASE WHEN {column} IS NULL THEN '{UNKNOWN}' "
        f"WHEN starts_with({upper}, 'ERROR') THEN '{ERROR}' "
        f"ELSE coalesce(CASE {upper} {cases} END, '{UNKNOWN}') END"
    )


def order_key(label: str) -> int:
    return ORDER.index(label) if label in ORDER else len(ORDER)
