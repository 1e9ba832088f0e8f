"""The one filter vocabulary: parsing, the WHERE clause, and the old spellings of CLI flags and URLs."""
from __future__ import annotations

import pytest

from toolkit.core.filters import FILTER_COLUMNS, Filters, NoMatch, parse_reasoning, reasoning_choice
from toolkit.storage.store import where_clause


@pytest.mark.parametrize("word, value", [
    ("yes", True), ("true", True), ("1", True), ("reasoning", True), ("YES", True), (True, True),
    ("no", False), ("false", False), ("0", False), ("non-reasoning", False), (False, False),
    ("any", None), ("all", None), ("", None), (None, None),
])
def test_every_reasoning_spelling(word, value):
    assert parse_reasoning(word) is value


def test_reasoning_rejects_other_words_and_tabs_fall_back():
    with pytest.raises(ValueError, match="yes or no"):
        parse_reasoning("maybe")
    # tabs and URLs write any/yes/no; the leaderboard's old all/reasoning/non-reasoning still read
    assert [reasoning_choice(w) for w in ("reasoning", "non-reasoning", "all", "yes", "maybe")] == \
        ["yes", "no", "any", "yes", "any"]


def test_filters_of_coerces_and_rejects():
    assert Filters.of({"reasoning": "yes", "model": ["a", "b"], "theme": "", "domain": None}) == \
        Filters(reasoning=True, model=("a", "b"))
    assert Filters.of({"variation": "2", "lab": "x"}) == Filters(variation=(2,), lab=("x",))
    with pytest.raises(NoMatch):
        Filters.of({"reasoning": "'; DROP TABLE responses; --"})
    with pytest.raises(NoMatch):
        Filters.of({"variation": "1 OR 1=1"})
    with pytest.raises(ValueError, match="unknown filter"):
        Filters.of({"judge; DROP": "x"})
    assert Filters.of({"reasoning": ["yes", "no"]}).reasoning is None  # both: any


def test_where_clause_binds_every_value():
    sql, params = where_clause(Filters(question_set=("s1",), lab=("a", "b"), variation=(3,), reasoning=False))
    assert sql == " AND question_set = ? AND variation = ? AND lab IN (?, ?) AND reasoning = ?"
    assert params == ["s1", 3, "a", "b", False]
    assert where_clause(Filters()) == ("", [])


def test_one_vocabulary_everywhere():
    from toolkit.cli.report_agreement import REPORT_FILTERS as AGREEMENT_FLAGS
    from toolkit.cli.report_scores import REPORT_FILTERS as SCORE_FLAGS
    from toolkit.ui.explorer import DROPDOWN_FILTERS

    assert set(Filters.__dataclass_fields__) == set(FILTER_COLUMNS)
    for names in (AGREEMENT_FLAGS, SCORE_FLAGS, DROPDOWN_FILTERS):
        assert set(names) <= set(FILTER_COLUMNS)
