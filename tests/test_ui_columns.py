"""Tables show human headers and formatted numbers, and keep their numbers for sorting."""
from __future__ import annotations

import gradio as gr
import pytest
import pandas as pd

from toolkit.ui.columns import MISSING, header, interval_text, table_value


def test_headers_and_numbers_for_people():
    frame = pd.DataFrame({"model": ["a", "b"], "n": [12345, 7], "pct_complete": [66.6666, 100.0],
                          "rank": [1.0, float("nan")], "release_date": [pd.Timestamp("2026-01-05"), None],
                          "some_new_column": ["x", "y"]})
    shown = gr.Dataframe().postprocess(table_value(frame).value)
    assert shown.headers == ["Model", "Answers (n)", "% complete", "Rank", "Released", "Some new column"]
    assert shown.metadata["display_value"] == [["a", "12,345", "66.7", "1", "2026-01-05", "x"],
                                               ["b", "7", "100.0", MISSING, "", "y"]]
    assert shown.data[0][1] == 12345 and shown.data[0][2] == 66.6666   # numbers kept for sorting


def test_a_chosen_subset_in_its_order():
    frame = pd.DataFrame({"lab": ["x"], "index": [85.333], "model": ["m"]})
    shown = gr.Dataframe().postprocess(table_value(frame, ["index", "lab", "absent"]).value)
    assert shown.headers == ["Index", "Lab"] and shown.metadata["display_value"] == [["85.33", "x"]]
    assert header("pct_denial") == "% denial"


def test_lab_palette_uses_the_metadata_then_a_colour_blind_set_then_grey():
    from toolkit.ui.charts import BEYOND_PALETTE, COLOUR_BLIND_SAFE, lab_palette

    labs = ["a", "b", "c", *[f"x{i}" for i in range(8)]]
    colours = lab_palette(labs, {"a": "#123456", "b": "#123456", "c": None})
    assert colours["a"] == "#123456"                       # its own colour
    assert colours["b"] == COLOUR_BLIND_SAFE[0]            # the same colour is not given twice
    assert colours["c"] == COLOUR_BLIND_SAFE[1]
    assert [colours[f"x{i}"] for i in range(5)] == COLOUR_BLIND_SAFE[2:]
    assert colours["x5"] == colours["x7"] == BEYOND_PALETTE  # beyond the set: grey


def test_lab_palette_keeps_close_colours_apart():
    from toolkit.ui.charts import COLOUR_BLIND_SAFE, _lab_coordinates, lab_palette

    # CIELAB of pure red (sRGB, D65), as the textbook tables give it: L* 53.24, a* 80.09, b* 67.20.
    assert _lab_coordinates("#ff0000") == pytest.approx((53.24, 80.09, 67.20), abs=0.02)
    # Three oranges in the metadata: the second and third are replaced; Okabe-Ito's own orange
    # (#E69F00) is skipped too, being as close to the first.
    colours = lab_palette(["a", "b", "c"], {"a": "#f59e0b", "b": "#f6a01a", "c": "#e69f00"})
    assert colours == {"a": "#f59e0b", "b": COLOUR_BLIND_SAFE[0], "c": COLOUR_BLIND_SAFE[2]}


def test_a_theme_is_shown_in_words_and_kept_as_its_id():
    frame = pd.DataFrame({"theme": ["edu_letter_grades_subsidize"], "n": [4]})
    shown = gr.Dataframe().postprocess(table_value(frame).value)
    assert shown.metadata["display_value"][0][0] == "edu letter grades subsidize"
    assert shown.data[0][0] == "edu_letter_grades_subsidize"       # a row click still gets the id


def test_interval_cells_plain_and_signed():
    lows, highs = pd.Series([81.04, float("nan"), -2.14]), pd.Series([88.95, 3.0, 14.46])
    assert interval_text(lows, highs) == ["81.0–89.0", "", "-2.1–14.5"]
    assert interval_text(lows, highs, signed=True) == ["+81.0 to +89.0", "", "-2.1 to +14.5"]
