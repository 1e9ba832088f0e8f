"""Facet counts on the hand-made store of test_agreement_store (its docstring has the table).

A and B both judged r1..r7 (r8 only A); H judged r1..r4. Questions: q1 s1 D1 alpha, q2 s1 D2 beta,
q3 s2 D1 gamma. Responses: m/a (laba, Prova, not reasoning) r1 r2 r3 r7; m/b (labb, Provb,
reasoning) r4 r5 r6 r8.
"""
from __future__ import annotations

from toolkit.query.agreement import Side
from toolkit.query.facets import filter_counts, reasoning_counts
from tests.test_agreement_store import A, B, H, store  # noqa: F401 (fixture)

NAMES = ("question_set", "domain", "theme", "model", "lab", "provider")


def test_counts_without_filters_are_the_pairs_population(store):
    # A and B: r1..r7 (r8 only A). r1 q1, r2 q2, r3 q3, r4 q1, r5 q2, r6 q3, r7 q1.
    counts = filter_counts(store, Side(A), Side(B), None, NAMES)
    assert counts["question_set"] == [("s1", 5), ("s2", 2)]
    assert counts["domain"] == [("D1", 5), ("D2", 2)]
    assert counts["theme"] == [("alpha", 3), ("beta", 2), ("gamma", 2)]
    assert counts["model"] == [("m/a", 4), ("m/b", 3)]
    assert counts["lab"] == [("laba", 4), ("labb", 3)]
    assert counts["provider"] == [("Prova", 4), ("Provb", 3)]


def test_each_filter_narrows_the_others_not_itself(store):
    # domain D2 = q2 only: r2 (m/a), r5 (m/b) judged by both A and B.
    counts = filter_counts(store, Side(A), Side(B), {"domain": ["D2"]}, NAMES)
    assert counts["theme"] == [("beta", 2)]
    assert counts["model"] == [("m/a", 1), ("m/b", 1)]
    assert counts["domain"] == [("D1", 5), ("D2", 2)]  # its own selection is not applied
    # model m/b and reasoning: r4 (q1), r5 (q2), r6 (q3).
    counts = filter_counts(store, Side(A), Side(B), {"model": ["m/b"], "reasoning": True}, NAMES)
    assert counts["theme"] == [("alpha", 1), ("beta", 1), ("gamma", 1)]
    assert counts["model"] == [("m/b", 3)]  # m/a is not a reasoning model: not listed


def test_judges_decide_the_population_and_selected_values_stay(store):
    # A and H: r1..r4. With theme gamma (q3: r3 m/a, r6 m/b) chosen, and model m/b chosen:
    # m/b has no gamma response that H judged, yet stays listed with 0.
    counts = filter_counts(store, Side(A), Side(H), {"theme": ["gamma"], "model": ["m/b"]}, NAMES)
    assert counts["model"] == [("m/a", 1), ("m/b", 0)]
    assert counts["theme"] == [("alpha", 1), ("gamma", 0)]  # m/b under A and H: r4 (alpha) only
    assert counts["lab"] == []  # theme gamma and model m/b leave nothing
    assert filter_counts(store, Side(A), Side(H), {"reasoning": "maybe"}, NAMES)["lab"] == []


def test_reasoning_choices_count_under_the_other_filters(store):
    # A and B: r1..r7; m/a (not reasoning) r1 r2 r3 r7, m/b (reasoning) r4 r5 r6.
    assert reasoning_counts(store, Side(A), Side(B), None) == [("any", 7), ("yes", 3), ("no", 4)]
    # domain D2 = q2: r2 (m/a), r5 (m/b).
    assert reasoning_counts(store, Side(A), Side(B), {"domain": ["D2"]}) == [("any", 2), ("yes", 1), ("no", 1)]
    # its own choice is not applied; model m/a leaves no reasoning response, yet "yes" stays with 0.
    counts = reasoning_counts(store, Side(A), Side(B), {"model": ["m/a"], "reasoning": True})
    assert counts == [("any", 4), ("yes", 0), ("no", 4)]
    # A and H judged r1..r4: r4 is m/b's.
    assert reasoning_counts(store, Side(A), Side(H), None) == [("any", 4), ("yes", 1), ("no", 3)]
    assert reasoning_counts(store, Side(A), Side(H), {"variation": "x"}) == [("any", 0), ("yes", 0), ("no", 0)]
