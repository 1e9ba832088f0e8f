"""The explorer's pure renderers and URL state, without a server: SVG Sankey, heatmap tables, item HTML."""
from __future__ import annotations

import math
import re

import pandas as pd
import pytest

from toolkit.core.filters import Filters
from toolkit.core.labels import COLORS
from toolkit.query import agreement as ag, pages
from toolkit.ui import explorer as xp, explorer_draw as draw

HOSTILE_LABEL = '<img src=x onerror="alert(1)">'


def matrix(rows: list[list[int]], labels: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, index=labels, columns=labels)


def test_sankey_draws_one_band_per_nonzero_cell_with_label_colours():
    m = matrix([[50, 10, 0], [5, 20, 0], [0, 0, 15]], ["COMPLETE", "EVASIVE", "DENIAL"])
    svg = draw.sankey_svg(m)
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count('class="xp-flow"') == 5 and svg.count('class="xp-node"') == 6
    assert f'fill="{COLORS["COMPLETE"]}" fill-opacity' in svg  # bands take the source label's colour
    assert "COMPLETE 55 (55%)" in svg and "EVASIVE 30 (30%)" in svg  # column totals on the right
    assert "COMPLETE \u2192 EVASIVE: 10 (16.7% of COMPLETE)" in svg
    # each band names its cell, for a click
    assert svg.count('data-from="COMPLETE" data-to="EVASIVE"') == 1 and svg.count("data-from=") == 5
    narrow = draw.sankey_svg(m, draw.NARROW, 300)
    assert 'viewBox="0 0 300 300"' in narrow and "COMPLETE 55%" in narrow and narrow.count('class="xp-flow"') == 5
    both = draw.sankey_html(m, "judge one", "judge two")
    assert both.count("<svg") == 2 and "From: <b>judge one</b>" in both and "To: <b>judge two</b>" in both


def test_sankey_band_thickness_is_proportional_to_counts():
    m = matrix([[30, 10], [0, 60]], ["COMPLETE", "DENIAL"])
    svg = draw.sankey_svg(m)
    thickness = []
    for path in re.findall(r'd="M[^"]+"', svg):
        numbers = [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?", path)]
        thickness.append(round(numbers[-1] - numbers[1], 3))  # last y (bottom, left) - first y (top, left)
    assert sorted(thickness) == pytest.approx(sorted([t * thickness[0] / 30 for t in (30, 10, 60)]), rel=1e-3)


def test_renderers_escape_labels_from_the_data():
    m = matrix([[3, 1], [0, 2]], ["COMPLETE", HOSTILE_LABEL])
    for svg in (draw.sankey_html(m, HOSTILE_LABEL, "b"), draw.matrix_heatmap_html(m, "a", HOSTILE_LABEL)):
        assert "<img" not in svg and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in svg


def test_empty_inputs_give_messages():
    empty = ag.matrix_from_counts(pd.DataFrame({"from_label": [], "to_label": [], "n": []}))
    assert "Nothing to draw" in draw.sankey_html(empty, "a", "b")
    assert "No transition matrix" in draw.matrix_heatmap_html(empty, "a", "b")
    assert "No judges" in draw.kappa_heatmap_html(pd.DataFrame(columns=["judge_a", "judge_b", "kappa", "n"]))


def test_matrix_heatmap_shows_counts_and_row_percentages():
    m = matrix([[30, 10], [0, 60]], ["COMPLETE", "DENIAL"])
    table = draw.matrix_heatmap_html(m, "a", "b")
    texts = re.findall(r">([\d,]+)<small>(\d+%)</small><", table)
    assert texts == [("30", "75%"), ("10", "25%"), ("0", "0%"), ("60", "100%")]
    assert re.findall(r'data-from="(\w+)" data-to="(\w+)"', table) == [
        ("COMPLETE", "COMPLETE"), ("COMPLETE", "DENIAL"), ("DENIAL", "COMPLETE"), ("DENIAL", "DENIAL")]
    assert draw.mix(draw.BLUES, 1.0) == "#1e40af" and draw.mix(draw.BLUES, 0.0) == "#eff6ff"
    big = draw.matrix_heatmap_html(matrix([[12345, 0], [0, 1]], ["COMPLETE", "DENIAL"]), "a", "b")
    assert ">12,345<small>100%</small>" in big  # thousands separators


def test_kappa_heatmap_marks_undefined_kappa():
    pairs = pd.DataFrame({"judge_a": ["A", "A", "B", "B"], "judge_b": ["A", "B", "A", "B"],
                          "n": [5, 0, 0, 5], "kappa": [1.0, math.nan, None, 1.0]})
    table = draw.kappa_heatmap_html(pairs)
    assert table.count(">1.00<") == 2 and table.count(">\u2013<") == 2
    assert 'data-j1="A" data-j2="B"' in table and ">1. A<" in table and ">2. B<" in table


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
    out = draw.items_html(page, ag.Side("A"), ag.Side("H"), "COMPLETE", "DENIAL")
    assert "<script" not in out and "<img" not in out and "<i>" not in out
    assert out.count("href=") == 1  # only the compare link: the javascript: link is left as inert text
    assert "example.com/t.png" not in out  # markdown images are dropped, not fetched
    assert "<strong>bold</strong>" in out
    assert "&lt;b&gt;Q&lt;/b&gt;&lt;script&gt;x()&lt;/script&gt;" in out
    assert "&lt;script&gt;y()&lt;/script&gt;" in out and "&lt;img src=x" in out
    assert "(judge 1)" in out and "(judge 2)" in out and "· human" in out
    assert "<th>Judge</th><th>Verdict</th><th>Raw label</th><th>Analysis</th>" in out
    assert out.count("<a ") == 1 and 'class="xp-compare" href="?tab=pairwise&amp;response_a=r1"' in out
    assert "judge-dependent" not in out
    flagged = draw.items_html(page, ag.Side("A"), ag.Side("H"), "COMPLETE", "DENIAL", {"m/<i>x</i>": "⚠ 14 pts"})
    assert "judge-dependent ⚠ 14 pts" in flagged
    empty = pages.CellPage(0, 1, 1, 25, items.iloc[:0], judgements.iloc[:0])
    assert "No response in the cell" in draw.items_html(empty, ag.Side("A"), ag.Side("H"), "X", "<b>")
    assert "&lt;b&gt;" in draw.items_html(empty, ag.Side("A"), ag.Side("H"), "X", "<b>")


class FakeStore:
    """Only what state_from_params reads: judge names and the default judge."""

    def judge_names(self):
        return ["A", "B", "H"]

    def default_judge(self):
        return "A"


def test_url_state_round_trip():
    from toolkit.ui.url_state import view_query
    from urllib.parse import parse_qsl

    state = xp.ExplorerState("B", "H", kind1="label_raw",
                             filter_values=(("us_hard",), ("Race, Ethnicity & Group Differences", "Other"),
                                            (), (), (), ()),
                             reasoning="yes", source="DENIAL", target="COMPLETE", page=3, page_size=50)
    params = dict(parse_qsl(view_query("explorer", state.query()).lstrip("?")))
    assert params["tab"] == "explorer" and params["domain"] == "Race, Ethnicity & Group Differences|Other"
    assert "page" not in params  # Gradio reserves ?page= for its multipage apps
    assert xp.state_from_query(FakeStore(), params) == state
    closed = dict(parse_qsl(view_query("explorer", state.closed().query()).lstrip("?")))
    assert not {"from", "to", "pg"} & set(closed) and closed["size"] == "50"
    default = xp.ExplorerState("A", "B")
    assert default.query() == {"j1": "A", "k1": None, "j2": "B", "k2": None, "question_set": "", "domain": "",
                               "theme": "", "model": "", "lab": "", "provider": "", "reasoning": None, "size": None}


def test_url_state_rejects_bad_values():
    back = xp.state_from_query(FakeStore(), {"j1": "nobody'--", "j2": "x" * 5000, "k1": "analysis",
                                             "pg": "-4; DROP", "size": "1000000", "reasoning": "maybe"})
    assert (back.judge1, back.judge2, back.kind1) == ("A", "B", "label")
    assert (back.page, back.page_size, back.reasoning) == (1, 25, "any")


def test_control_values_to_state():
    values = ("A", "label", "B", "label_raw", ["us_hard"], [], [], [], [], [], "no", "COMPLETE", "DENIAL", -3, 50)
    state = xp.state_of_controls(["A", "B"], values)
    assert (state.kind2, state.reasoning, state.source, state.target, state.page, state.page_size) == (
        "label_raw", "no", "COMPLETE", "DENIAL", 1, 50)
    assert state.filters() == Filters(question_set=("us_hard",), reasoning=False)
    assert not xp.state_of_controls(["A", "B"], values[:11]).cell_open
    with pytest.raises(xp.Rejected):
        xp.state_of_controls(["A", "B"], ("nobody",) + values[1:])


def test_raw_label_matrices_lose_their_empty_rows_and_columns():
    m = pd.DataFrame([[3, 0, 0], [0, 0, 0], [1, 0, 2]], index=["C", "X", "D"], columns=["C", "X", "D"])
    assert draw.trimmed(m, True, True).index.tolist() == ["C", "D"]
    assert draw.trimmed(m, True, True).columns.tolist() == ["C", "D"]
    assert draw.trimmed(m, False, True).index.tolist() == ["C", "X", "D"]


def test_counts_table_has_thousands_separators():
    table = draw.counts_table(pd.DataFrame([[1234, 5]], index=pd.Index(["C"], name="from"), columns=["C", "D"]))
    assert table.values.tolist() == [["C", "1,234", "5"]]


def test_filters_from_tab_inputs():
    assert xp.filters_from({"question_set": ["us_hard"], "model": [], "reasoning": "no"}) == Filters(
        question_set=("us_hard",), reasoning=False)
    assert xp.filters_from({"reasoning": "any"}) == Filters()
    assert xp.filters_from({"reasoning": "maybe"}) == Filters()  # what the radio cannot send: any
    # a hashable cache key that does not depend on the order the values were picked in the dict
    assert hash(xp.filters_from({"lab": ["x"], "model": ["a", "b"]})) == hash(xp.filters_from({"model": ["a", "b"], "lab": ["x"]}))
