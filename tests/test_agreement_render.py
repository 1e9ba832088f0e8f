"""The explorer's pure renderers and URL state, without a server: SVG Sankey and heatmaps, item HTML."""
from __future__ import annotations

import math
import re

import pandas as pd
import pytest

from toolkit.core.filters import Filters
from toolkit.core.labels import COLORS
from toolkit.query import agreement as ag, pages
from toolkit.ui import explorer as xp

HOSTILE_LABEL = '<img src=x onerror="alert(1)">'


def matrix(rows: list[list[int]], labels: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, index=labels, columns=labels)


def test_sankey_draws_one_band_per_nonzero_cell_with_label_colours():
    m = matrix([[50, 10, 0], [5, 20, 0], [0, 0, 15]], ["COMPLETE", "EVASIVE", "DENIAL"])
    svg = xp.sankey_svg(m, "judge one", "judge two")
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count('class="xp-flow"') == 5 and svg.count('class="xp-node"') == 6
    assert f'fill="{COLORS["COMPLETE"]}" fill-opacity' in svg  # bands take the source label's colour
    assert "COMPLETE (55, 55.0%)" in svg and "EVASIVE (30, 30.0%)" in svg  # column totals on the right
    assert "COMPLETE \u2192 EVASIVE: 10 (16.7% of COMPLETE)" in svg


def test_sankey_band_thickness_is_proportional_to_counts():
    m = matrix([[30, 10], [0, 60]], ["COMPLETE", "DENIAL"])
    svg = xp.sankey_svg(m, "a", "b")
    thickness = []
    for path in re.findall(r'd="M[^"]+"', svg):
        numbers = [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?", path)]
        thickness.append(round(numbers[-1] - numbers[1], 3))  # last y (bottom, left) - first y (top, left)
    assert sorted(thickness) == pytest.approx(sorted([t * thickness[0] / 30 for t in (30, 10, 60)]), rel=1e-3)


def test_renderers_escape_labels_from_the_data():
    m = matrix([[3, 1], [0, 2]], ["COMPLETE", HOSTILE_LABEL])
    for svg in (xp.sankey_svg(m, HOSTILE_LABEL, "b"), xp.matrix_heatmap_svg(m, "a", HOSTILE_LABEL)):
        assert "<img" not in svg and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in svg


def test_empty_inputs_give_messages():
    empty = ag.matrix_from_counts(pd.DataFrame({"from_label": [], "to_label": [], "n": []}))
    assert "Nothing to draw" in xp.sankey_svg(empty, "a", "b")
    assert "No transition matrix" in xp.matrix_heatmap_svg(empty, "a", "b")
    assert "No judges" in xp.kappa_heatmap_svg(pd.DataFrame(columns=["judge_a", "judge_b", "kappa", "n"]))


def test_matrix_heatmap_shows_counts_and_row_percentages():
    m = matrix([[30, 10], [0, 60]], ["COMPLETE", "DENIAL"])
    svg = xp.matrix_heatmap_svg(m, "a", "b")
    texts = re.findall(r">([\d,]+ \(\d+%\))<", svg)
    assert texts == ["30 (75%)", "10 (25%)", "0 (0%)", "60 (100%)"]
    assert xp._mix(xp.BLUES, 1.0) == "#1e40af" and xp._mix(xp.BLUES, 0.0) == "#eff6ff"


def test_kappa_heatmap_marks_undefined_kappa():
    pairs = pd.DataFrame({"judge_a": ["A", "A", "B", "B"], "judge_b": ["A", "B", "A", "B"],
                          "n": [5, 0, 0, 5], "kappa": [1.0, math.nan, None, 1.0]})
    svg = xp.kappa_heatmap_svg(pairs)
    assert svg.count(">1.00<") == 2 and svg.count(">\u2013<") == 2


def test_items_html_sanitises_responses_and_escapes_everything_else():
    items = pd.DataFrame([{
        "response_id": "r1", "question_set": "us_hard", "question_id": "q1", "theme": "t", "domain": "D",
        "question": "<b>Q</b><script>x()</script>", "model": "m/<i>x</i>", "provider": None,
        "content": "Hi <script>window.x=1</script> <img src=http://example.com/a.png onerror=x()> "
                   "![t](http://example.com/t.png) [l](javascript:x()) **bold**",
        "from_label": "COMPLETE", "to_label": "DENIAL"}])
    judgements = pd.DataFrame([
        {"response_id": "r1", "judge": "A", "judge_type": "llm", "label": "COMPLETE", "label_raw": "COMPLETE",
         "analysis": "<script>y()</script>"},
        {"response_id": "r1", "judge": "H", "judge_type": "human", "label": "DENIAL", "label_raw": HOSTILE_LABEL,
         "analysis": None}])
    page = pages.CellPage(total=1, page=1, pages=1, page_size=25, items=items, judgements=judgements)
    out = xp.items_html(page, ag.Side("A"), ag.Side("H"), "COMPLETE", "DENIAL")
    assert "<script" not in out and "<img" not in out and "<i>" not in out
    assert "href=" not in out  # the javascript: link is left as inert text
    assert "example.com/t.png" not in out  # markdown images are dropped, not fetched
    assert "<strong>bold</strong>" in out
    assert "&lt;b&gt;Q&lt;/b&gt;&lt;script&gt;x()&lt;/script&gt;" in out
    assert "&lt;script&gt;y()&lt;/script&gt;" in out and "&lt;img src=x" in out
    assert "(judge 1)" in out and "(judge 2)" in out and "· human" in out
    empty = pages.CellPage(0, 1, 1, 25, items.iloc[:0], judgements.iloc[:0])
    assert "No response in the cell" in xp.items_html(empty, ag.Side("A"), ag.Side("H"), "X", "<b>")
    assert "&lt;b&gt;" in xp.items_html(empty, ag.Side("A"), ag.Side("H"), "X", "<b>")


class FakeStore:
    """Only what state_from_params reads: judge names and the default judge."""

    def judge_names(self):
        return ["A", "B", "H"]

    def default_judge(self):
        return "A"


def test_url_state_round_trip():
    chosen = {"question_set": ["us_hard"], "domain": ["Race, Ethnicity & Group Differences", "Other"],
              "theme": [], "model": [], "lab": [], "provider": [], "reasoning": "yes"}
    state = xp.url_state(ag.Side("B", "label_raw"), ag.Side("H"), chosen, {"from": "DENIAL", "to": "COMPLETE",
                                                                          "pg": 3, "size": 50})
    params = {k: str(v) for k, v in state.items() if v not in (None, "")}
    back = xp.state_from_params(params, FakeStore())
    assert (back["judge1"], back["kind1"], back["judge2"], back["kind2"]) == ("B", "label_raw", "H", "label")
    assert back["domain"] == chosen["domain"] and back["question_set"] == ["us_hard"] and back["theme"] == []
    assert (back["from"], back["to"], back["page"], back["page_size"], back["reasoning"]) == ("DENIAL", "COMPLETE", 3, 50, "yes")
    assert "page" not in state  # Gradio reserves ?page= for its multipage apps


def test_url_state_rejects_bad_values():
    back = xp.state_from_params({"j1": "nobody'--", "j2": "x" * 5000, "k1": "analysis", "pg": "-4; DROP",
                                 "size": "1000000", "reasoning": "maybe"}, FakeStore())
    assert (back["judge1"], back["judge2"], back["kind1"]) == ("A", "B", "label")
    assert (back["page"], back["page_size"], back["reasoning"]) == (1, 25, "any")


def test_filters_from_tab_inputs():
    assert xp.filters_from({"question_set": ["us_hard"], "model": [], "reasoning": "no"}) == Filters(
        question_set=("us_hard",), reasoning=False)
    assert xp.filters_from({"reasoning": "any"}) == Filters()
    assert xp.filters_from({"reasoning": "maybe"}) == Filters()  # what the radio cannot send: any
    # a hashable cache key that does not depend on the order the values were picked in the dict
    assert hash(xp.filters_from({"lab": ["x"], "model": ["a", "b"]})) == hash(xp.filters_from({"model": ["a", "b"], "lab": ["x"]}))
