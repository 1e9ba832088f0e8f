"""The judge-change report's honest numbers on a hand-made crosstab: n beside each shift, the 95%
interval of each model's change, and a large move on few answers told apart from a clear one."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from toolkit.query.migration import migration_report
from toolkit.ui import leaderboard as tab

C, E, D = "COMPLETE", "EVASIVE", "DENIAL"


def crosstab(rows: list[tuple[str, str, str, int]]) -> pd.DataFrame:
    """(model, old label, new label, n) rows; model "big" is lab A's, "small" lab B's, both of 2025-01-01."""
    frame = pd.DataFrame(rows, columns=["model", "from_label", "to_label", "n"])
    labs = {"big": "A", "small": "B"}
    return frame.assign(lab=frame["model"].map(labs), lab_name=frame["model"].map(labs),
                        release_date=dt.date(2025, 1, 1), reasoning=False)


# big: 100 answers, COMPLETE 20 -> 60 (40 EVASIVE answers become COMPLETE): +40 points on 100 answers.
# small: 3 answers, COMPLETE 1 -> 3: +66.7 points, but on 3 answers.
ROWS = [("big", C, C, 20), ("big", E, C, 40), ("big", E, E, 30), ("big", D, D, 10),
        ("small", C, C, 1), ("small", E, C, 2)]


@pytest.fixture(scope="module")
def report():
    return migration_report(crosstab(ROWS), "old", "new", as_of="2025-06-30")


def test_each_model_change_has_n_and_an_interval(report):
    per = report.models.set_index("model")
    assert per["n"].to_dict() == {"big": 100, "small": 3}
    assert per["delta_complete"].to_dict() == pytest.approx({"big": 40.0, "small": 200 / 3})
    # big, COMPLETE: both 20, new only 40, old only 0, neither 40 (n = 100): p_new 0.6, p_old 0.2;
    # Wilson 60/100 = (0.502007, 0.690603), 20/100 = (0.133367, 0.288829);
    # phi = (20 x 40 - 40 x 0 - 50) / sqrt(60 x 40 x 20 x 80) = 750 / 1959.592 = 0.382733;
    # low  = 0.4 - sqrt(0.097993^2 - 2 phi 0.097993 x 0.088829 + 0.088829^2) = 0.4 - 0.104067 = 0.295933
    # high = 0.4 + sqrt(0.090603^2 - 2 phi 0.090603 x 0.066633 + 0.066633^2) = 0.4 + 0.089597 = 0.489597
    assert per.loc["big", ["delta_complete_low", "delta_complete_high"]].tolist() == \
        pytest.approx([29.5933, 48.9597], abs=1e-3)
    # small: both 1, new only 2 (n = 3), a margin of 0 so phi = 0; Wilson 3/3 = (0.438494, 1),
    # 1/3 = (0.061492, 0.792324); low = 0.666667 - sqrt(0.561506^2 + 0.458991^2) = 0.666667 - 0.725231
    # = -0.058564; high = 0.666667 + sqrt(0^2 + 0.271841^2) = 0.938508
    assert per.loc["small", ["delta_complete_low", "delta_complete_high"]].tolist() == \
        pytest.approx([-5.8564, 93.8508], abs=1e-3)
    assert per["clear_change"].to_dict() == {"big": True, "small": False}
    for label in ("complete", "evasive", "denial", "error"):   # every interval holds its change
        assert (per[f"delta_{label}_low"] <= per[f"delta_{label}"]).all()
        assert (per[f"delta_{label}"] <= per[f"delta_{label}_high"]).all()


def test_a_big_move_on_few_answers_is_not_a_clear_change(report):
    gains = report.movers[report.movers["direction"] == "gain"]
    assert gains["model"].tolist() == ["small", "big"]                 # the bigger move first ...
    assert gains["clear_change"].tolist() == [False, True]             # ... but only big's is clear
    assert list(report.movers.columns)[-3:] == ["delta_complete_low", "delta_complete_high", "clear_change"]


def test_shifts_and_labs_carry_their_n(report):
    shifts = report.shifts.set_index("label")
    assert shifts.loc[C, ["models", "clear_changes"]].tolist() == [2, 1]
    # EVASIVE: big -40 on 100 answers is clear; small -66.7 on 3 is not: both 0, old only 2, neither 1,
    # Wilson 0/3 = (0, 0.561506), 2/3 = (0.207676, 0.938508), phi = 0 (a margin of 0);
    # high = -0.666667 + sqrt(0.561506^2 + 0.458991^2) = -0.666667 + 0.725231 = +0.058564
    assert shifts.loc[E, ["models", "clear_changes"]].tolist() == [2, 1]
    assert report.models.set_index("model").at["small", "delta_evasive_high"] == pytest.approx(5.8564, abs=1e-3)
    assert report.labs.set_index("lab")["n"].to_dict() == {"A": 100, "B": 3}
    assert list(report.labs.columns)[-1] == "n"


def test_no_compared_answers_gives_empty_tables_with_every_column():
    empty = migration_report(crosstab([]), "old", "new")
    assert empty.models.empty and "clear_change" in empty.models and "delta_complete_low" in empty.models
    assert empty.movers.empty and list(empty.movers.columns)[-1] == "clear_change"
    assert empty.labs.empty and "n" in empty.labs
    assert empty.shifts["models"].tolist() == [0, 0, 0, 0]


def test_the_tab_shows_the_interval_and_says_whether_the_change_is_clear(report):
    movers = tab.shown_changes(report.movers)
    assert movers[tab.CHANGE_INTERVAL].tolist() == ["-5.9 to +93.9", "+29.6 to +49.0"]
    assert movers["clear_change"].tolist() == ["no", "yes"]
    shown = tab.table_value(movers, tab.MOVERS_SHOWN).value
    assert shown["headers"][2:6] == ["Change (points)", "95% interval (points)", "Clear change?", "Answers (n)"]
    assert "includes 0" in tab.CHANGE_NOTE and "excludes 0" in tab.CHANGE_NOTE
