"""The one filter vocabulary: filter names, the column each one filters, and the parsers.

Every filter a user can set (command-line flags, the leaderboard's and the explorer's URL state,
the queries' WHERE clause) is a field of `Filters`, named as in FILTER_COLUMNS. String filters hold
a tuple of values (several values mean "any of them"); `reasoning` is True, False or None (any).
`Filters.of` turns user input (a mapping of names to text, numbers or lists) into a `Filters`: an
unknown name is an error (a typo must never widen a query), a value no row can have (reasoning
"maybe", variation "x") raises `NoMatch`, which callers turn into an empty result.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Mapping, Union

# Filter name -> its column in the store's response_view (the only place this mapping is written).
FILTER_COLUMNS = {
    "question_set": "question_set",
    "domain": "domain",
    "theme": "theme",
    "variation": "variation",
    "model": "model",
    "lab": "lab",
    "family": "family",
    "provider": "provider",
    "reasoning": "reasoning",
}
FILTER_NAMES = tuple(FILTER_COLUMNS)

# Every spelling of the reasoning filter that is accepted: the CLI's yes/no, the explorer's
# any/yes/no, the leaderboard's former all/reasoning/non-reasoning. Tabs and URLs write REASONING_CHOICES.
REASONING_WORDS = {
    "yes": True, "true": True, "1": True, "reasoning": True,
    "no": False, "false": False, "0": False, "non-reasoning": False,
    "any": None, "all": None, "": None,
}
REASONING_CHOICES = ("any", "yes", "no")


class NoMatch(Exception):
    """A filter value that no row can have (e.g. reasoning='maybe'): the result is empty."""


def parse_reasoning(value: Any) -> bool | None:
    """True (reasoning models), False (the others) or None (any) from a bool or any accepted word."""
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text not in REASONING_WORDS:
        raise ValueError(f"reasoning takes yes or no, not {str(value)[:40]!r}")
    return REASONING_WORDS[text]


def reasoning_word(value: bool | None) -> str:
    """The word tabs and URLs write for a reasoning value: yes, no or any."""
    return "any" if value is None else ("yes" if value else "no")


@dataclass(frozen=True)
class Filters:
    """What a view or report is restricted to; empty fields do not filter. Hashable (a cache key)."""
    question_set: tuple[str, ...] = ()
    domain: tuple[str, ...] = ()
    theme: tuple[str, ...] = ()
    variation: tuple[int, ...] = ()
    model: tuple[str, ...] = ()
    lab: tuple[str, ...] = ()
    family: tuple[str, ...] = ()
    provider: tuple[str, ...] = ()
    reasoning: bool | None = None

    @classmethod
    def of(cls, value: "Filters | Mapping[str, Any] | None") -> "Filters":
        """Parse user input; None, "" and [] mean "no filter" (see the module docstring)."""
        if isinstance(value, Filters):
            return value
        parsed: dict[str, Any] = {}
        for name, given in (value or {}).items():
            if name not in FILTER_COLUMNS:
                raise ValueError(f"unknown filter {name!r}; known: {', '.join(FILTER_NAMES)}")
            values = list(given) if isinstance(given, (list, tuple, set)) else [given]
            values = [v for v in values if v is not None and v != ""]
            if values:
                parsed[name] = _parse_values(name, values)
        return cls(**parsed)

    def as_dict(self) -> dict[str, Any]:
        """The active filters by name (sorted), tuples as lists: for messages and JSON."""
        active = {f.name: getattr(self, f.name) for f in fields(self)}
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in sorted(active.items())
                if v not in ((), None)}


def _parse_values(name: str, values: list[Any]) -> Any:
    if name == "reasoning":
        try:
            flags = {parse_reasoning(v) for v in values}
        except ValueError:
            raise NoMatch(f"reasoning must be yes or no, not {str(values)[:40]!r}") from None
        return flags.pop() if len(flags) == 1 else None  # yes and no together: any
    if name == "variation":
        try:
            return tuple(int(v) for v in values)
        except (TypeError, ValueError):
            raise NoMatch(f"variation must be a number, not {str(values)[:40]!r}") from None
    return tuple(str(v) for v in values)


# What query functions accept: a Filters, or a mapping parsed by `Filters.of`.
FilterInput = Union[Filters, Mapping[str, Any], None]


def reasoning_choice(value: Any, default: str = "any") -> str:
    """The tab word (any, yes, no) for a URL or radio value in any accepted spelling; `default` for
    anything else (a stale or mistyped link shows the default view rather than an error)."""
    try:
        return reasoning_word(parse_reasoning(value))
    except ValueError:
        return default
