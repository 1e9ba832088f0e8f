"""Themes, model view, timeline and judge sensitivity on a small hand-made store.

Every expected number is counted by hand from the labels written below, not by the code.
Questions (us_hard): theme a_x (a_x1, a_x2) and a_y (a_y1, a_y2) in Domain A, b_z (b_z1, b_z2) in
Domain B. Labels per model in that question order:

    judge/one   a_x1 a_x2 a_y1 a_y2 b_z1 b_z2   % COMPLETE   lab    released
    m1           C    C    C    E    C    C     5/6 = 83.33  alpha  2025-08-31 (newest: the as-of)
    m2           C    D    D    D    C    C     3/6 = 50     alpha  2025-02-28 (= as-of - 6 months)
    m3           C    C    E    D    X    X     2/6 = 33.33  beta   2025-02-27 (one day earlier)
    m4           C    E    C    D    C    U     3/6 = 50     beta   none
    m5           D    D    X    U    C    D     1/6 = 16.67  gamma  2024-08-15

judge/two gives m1..m4 4, 4, 3, 1 COMPLETE of 6 (the rest DENIAL) and does not judge m5;
judge/three gives m1..m5 6, 2, 5, 3, 0 of 6.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import scipy.stats

from toolkit.query.model_view import model_breakdown, model_header
from toolkit.query.sensitivity import judge_scores, sensitivity
from toolkit.query.themes import release_cutoff, theme_summary, theme_view
from toolkit.query.timeline import timeline_months, timeline_points
from toolkit.stats.kendall import kendall_tau_b
from toolkit.stats.ranks import rank_and_ties, spread
from toolkit.storage.store import Store
from toolkit.core.tables import write_tables

ROOT = Path(__file__).resolve().parents[1]
C, E, D, X, U = "COMPLETE", "EVASIVE", "DENIAL", "ERROR", "UNKNOWN"
QUESTIONS = [("a_x1", "a_x", 1, "Domain A"), ("a_x2", "a_x", 2, "Domain A"),
             ("a_y1", "a_y", 1, "Domain A"), ("a_y2", "a_y", 2, "Domain A"),
             ("b_z1", "b_z", 1, "Domain B"), ("b_z2", "b_z", 2, "Domain B")]
ONE, TWO, THREE = "judge/one", "judge/two", "judge/three"
H = 0.5 ** (1 / 3)  # the EMA's per-month retention for a 3-month half-life; 6 months: H^6 = 1/4


def complete_of_6(k: int) -> list[str]:
    return [C] * k + [D] * (6 - k)


LABELS = {
    ONE: {"m1": [C, C, C, E, C, C], "m2": [C, D, D, D, C, C], "m3": [C, C, E, D, X, X],
          "m4": [C, E, C, D, C, U], "m5": [D, D, X, U, C, D]},
    TWO: {m: complete_of_6(k) for m, k in {"m1": 4, "m2": 4, "m3": 3, "m4": 1}.items()},
    THREE: {m: complete_of_6(k) for m, k in {"m1": 6, "m2": 2, "m3": 5, "m4": 3, "m5": 0}.items()},
}
MODELS = [("m1", "alpha", "2025-08-31", True), ("m2", "alpha", "2025-02-28", False),
          ("m3", "beta", "2025-02-27", False), ("m4", "beta", None, False), ("m5", "gamma", "2024-08-15", False)]


def write_store(out: Path, moderated: tuple[str, str] | None = None, skipped: str | None = None) -> Path:
    """The store above; `moderated` = (model, question) whose response the provider moderated,
    `skipped` = a model whose metadata says skip."""
    questions = pd.DataFrame([{"question_uid": f"u_{q}", "question_id": q, "question_set": "us_hard",
                               "domain": dom, "theme": theme, "variation": var, "text": q}
                              for q, theme, var, dom in QUESTIONS])
    responses, assessments = [], []
    for model, *_ in MODELS:
        for i, (qid, *_rest) in enumerate(QUESTIONS):
            rid = f"r_{model}_{qid}"
            responses.append({"response_id": rid, "question_uid": f"u_{qid}", "question_id": qid,
                              "question_set": "us_hard", "model": model, "timestamp": "2025-01-01T00:00:00",
                              "content": "text", "response_status": "success",
                              "moderation_reason": "content_filter" if (model, qid) == moderated else None})
            for judge, per_model in LABELS.items():
                if model in per_model:
                    assessments.append({"assessment_id": f"a_{rid}_{judge}", "response_id": rid,
                                        "question_id": qid, "question_set": "us_hard", "model": model,
                                        "judge": judge, "judge_raw": judge, "judge_type": "llm",
                                        "label": per_model[model][i], "label_raw": per_model[model][i],
                                        "timestamp": "2025-02-01T00:00:00"})
    models = pd.DataFrame([{"model": m, "lab": lab, "lab_name": lab.title(), "release_date": release,
                            "reasoning": reasoning, "skip": m == skipped} for m, lab, release, reasoning in MODELS])
    return write_tables(out, {"questions": questions, "responses": pd.DataFrame(responses),
                              "assessments": pd.DataFrame(assessments), "models": models})


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    return Store.open(write_store(tmp_path_factory.mktemp("views") / "data"))


def rows(frame: pd.DataFrame, columns: list[str]) -> list[tuple]:
    return [tuple(r) for r in frame[columns].itertuples(index=False)]


def near(expected: list[tuple]) -> list:
    """Rows compared with floats to 1e-6 relative (pytest.approx takes one level of nesting)."""
    return [pytest.approx(row) for row in expected]


# -- pure formulas ---------------------------------------------------------------------------
def test_kendall_tau_b_by_hand_and_against_scipy():
    # x = (5, 3, 2, 3), y = (4, 4, 3, 1): pairs 12 tied in y only, 13 C, 14 C, 23 C, 24 tied in
    # x only, 34 D -> P = 3, Q = 1, T_x = T_y = 1: (3 - 1) / sqrt(5 x 5) = 0.4
    assert kendall_tau_b([5, 3, 2, 3], [4, 4, 3, 1]) == pytest.approx(0.4)
    # a pair tied in both counts in neither: (1, 1, 2), (1, 1, 3): P = 2, Q = 0 -> 2 / sqrt(2 x 2) = 1
    assert kendall_tau_b([1, 1, 2], [1, 1, 3]) == pytest.approx(1.0)
    assert kendall_tau_b([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)
    assert math.isnan(kendall_tau_b([1, 1, 1], [1, 2, 3]))   # x constant: 0 / 0
    assert math.isnan(kendall_tau_b([1], [2])) and math.isnan(kendall_tau_b([], []))
    rng = __import__("random").Random(7)
    for size in (2, 5, 30, 120):
        x = [rng.randint(0, 6) * 12.5 for _ in range(size)]  # many ties
        y = [rng.randint(0, 4) * 25.0 for _ in range(size)]
        expected = scipy.stats.kendalltau(x, y).statistic
        got = kendall_tau_b(x, y)
        assert (math.isnan(got) and math.isnan(expected)) or got == pytest.approx(expected), size


def test_standing_rounds_to_four_decimals():
    assert [rank_and_ties(v, [90, 80, 80, 70]) for v in (90, 80, 70)] == [(1, 4, 1), (2, 4, 2), (4, 4, 1)]
    # 33.33334 and 33.33333 are both 33.3333 at 4 decimals: a tie for 2nd
    assert rank_and_ties(33.33334, [33.33333, 33.33334, 50.0, 10.0]) == (2, 4, 2)
    assert rank_and_ties(33.3334, [33.3333, 33.3334]) == (1, 2, 1)
    assert spread([50.0, 100 / 3, 200 / 3]) == pytest.approx(100 / 3)


# -- themes ----------------------------------------------------------------------------------
THEME_FIELDS = ["theme", "domain", "n", "models", "pct_complete", "pct_evasive", "pct_denial", "pct_error"]


def test_theme_summary_all_models(store):
    got = rows(theme_summary(store, ONE), THEME_FIELDS)
    assert got == near([
        # a_y: C m1, m4 = 2; E m1, m3 = 2; D m2 x2, m3, m4 = 4; X m5; U m5 (in n only)
        ("a_y", "Domain A", 10, 5, 20.0, 20.0, 40.0, 10.0),
        # a_x: C 2+1+2+1+0 = 6; E m4; D m2, m5 x2 -- ties b_z at 60, first by theme key
        ("a_x", "Domain A", 10, 5, 60.0, 10.0, 30.0, 0.0),
        # b_z: C 2+2+0+1+1 = 6; D m5; X m3 x2; U m4
        ("b_z", "Domain B", 10, 5, 60.0, 0.0, 10.0, 20.0),
    ])


def test_theme_release_windows(store):
    # as-of = newest release 2025-08-31; 6 months earlier clamps to 2025-02-28: m1 and m2 only
    assert release_cutoff(store, 6) == dt.date(2025, 2, 28)
    six = [("a_y", 4, 2, 25.0, 25.0, 50.0), ("a_x", 4, 2, 75.0, 0.0, 25.0), ("b_z", 4, 2, 100.0, 0.0, 0.0)]
    fields = ["theme", "n", "models", "pct_complete", "pct_evasive", "pct_denial"]
    assert rows(theme_summary(store, ONE, released_within=6), fields) == near(six)
    # no upper bound: as of 2025-05-31, 3 months -> 2025-02-28, and m1 (released later) still counts
    assert rows(theme_summary(store, ONE, released_within=3, as_of="2025-05-31"), fields) == near(six)
    # 12 months -> 2024-08-31: m1, m2, m3 (m5 is 16 days too early, m4 has no date)
    twelve = theme_summary(store, ONE, released_within=12)
    assert rows(twelve, ["theme", "n", "models", "pct_complete", "pct_error"]) == near([
        ("a_y", 6, 3, 100 / 6, 0.0), ("b_z", 6, 3, 400 / 6, 200 / 6), ("a_x", 6, 3, 500 / 6, 0.0)])
    # the filters apply as everywhere: lab alpha is m1 and m2 again
    assert rows(theme_summary(store, ONE, filters={"lab": "alpha"}), fields) == near(six)


def test_theme_view_grid_and_buckets(store):
    view = theme_view(store, ONE, "a_y")
    assert rows(view.grid, ["model", "variation", "label"]) == [
        ("m1", 1, C), ("m1", 2, E), ("m2", 1, D), ("m2", 2, D), ("m3", 1, E), ("m3", 2, D),
        ("m4", 1, C), ("m4", 2, D), ("m5", 1, X), ("m5", 2, U)]
    assert rows(view.models, ["model", "n", "pct_complete", "verdict"]) == [
        ("m2", 2, 0.0, "Refused everything"), ("m3", 2, 0.0, "Mixed"), ("m5", 2, 0.0, "Mixed"),
        ("m1", 2, 50.0, "Mixed"), ("m4", 2, 50.0, "Mixed")]
    b_z = theme_view(store, ONE, "b_z").models.set_index("model")["verdict"].to_dict()
    assert b_z == {"m1": "Answered everything", "m2": "Answered everything", "m3": "Errors only",
                   "m4": "Mixed", "m5": "Mixed"}


# -- model view ------------------------------------------------------------------------------
def test_model_header(store):
    header = model_header(store, ONE, "m3")
    assert {k: header[k] for k in ("model", "lab", "lab_name", "release_date", "reasoning", "n")} == {
        "model": "m3", "lab": "beta", "lab_name": "Beta", "release_date": dt.date(2025, 2, 27),
        "reasoning": False, "n": 6}
    shares = [header[f"pct_{k}"] for k in ("complete", "evasive", "denial", "error")]
    assert shares == pytest.approx([200 / 6, 100 / 6, 100 / 6, 200 / 6])
    # overall: m1 83.3, m2 50, m4 50, m3 33.3, m5 16.7
    assert (header["rank"], header["total"], header["tied"]) == (4, 5, 1)
    m2 = model_header(store, ONE, "m2")
    assert (m2["rank"], m2["total"], m2["tied"]) == (2, 5, 2)
    with pytest.raises(KeyError, match="unknown model"):
        model_header(store, ONE, "nope")


def test_model_breakdown_ranks_and_ties(store):
    fields = ["n", "pct_complete", "pct_evasive", "pct_denial", "pct_error", "rank", "total", "tied"]
    domains = model_breakdown(store, ONE, "m3", "domain")
    # Domain A (4 rows each): m1 75, m3 50, m4 50, m2 25, m5 0 -> m3 2nd with m4
    # Domain B (2 rows each): m1 100, m2 100, m4 50, m5 50, m3 0 -> m3 5th
    assert domains["domain"].tolist() == ["Domain A", "Domain B"]
    assert rows(domains, fields) == near([(4, 50.0, 25.0, 25.0, 0.0, 2, 5, 2),
                                                   (2, 0.0, 0.0, 0.0, 100.0, 5, 5, 1)])
    themes = model_breakdown(store, ONE, "m3", "theme")
    # a_x: m1 100, m3 100, m2 50, m4 50, m5 0; a_y: m1 50, m4 50, m2 0, m3 0, m5 0; b_z as Domain B
    assert rows(themes, ["theme", "domain", "rank", "total", "tied"]) == [
        ("a_x", "Domain A", 1, 5, 2), ("a_y", "Domain A", 3, 5, 3), ("b_z", "Domain B", 5, 5, 1)]
    assert rows(model_breakdown(store, ONE, "m2", "domain"), ["rank", "tied"]) == [(4, 1), (1, 2)]
    # ranked among the models the filters keep: in lab beta, m3 and m4 tie on Domain A
    beta = model_breakdown(store, ONE, "m3", "domain", filters={"lab": "beta"})
    assert rows(beta, ["rank", "total", "tied"]) == [(1, 2, 2), (2, 2, 1)]


# -- timeline --------------------------------------------------------------------------------
def test_timeline_points_months_and_ema(store):
    points = timeline_points(store, ONE)
    # m4 has no release date; the others by release date
    assert rows(points, ["model", "value"]) == near(
        [("m5", 100 / 6), ("m3", 200 / 6), ("m2", 50.0), ("m1", 500 / 6)])
    months = timeline_months(points)
    overall = months[months["series"] == "all"]
    assert overall["month"].tolist() == [dt.date(2024, 8, 1), dt.date(2025, 2, 1), dt.date(2025, 8, 1)]
    assert overall["models"].tolist() == [1, 2, 1]
    feb = (50 + 200 / 6) / 2                                 # 41.67
    assert overall["month_mean"].tolist() == pytest.approx([100 / 6, feb, 500 / 6])
    # gaps of 6 months: weight 1 - H^6 = 3/4 on the new month
    first, second = 100 / 6, 100 / 6 / 4 + feb * 3 / 4       # 35.42
    assert overall["ema"].tolist() == pytest.approx([first, second, second / 4 + 500 / 6 * 3 / 4])
    alpha = months[months["lab"] == "alpha"]
    assert alpha["ema"].tolist() == pytest.approx([50.0, 50 / 4 + 500 / 6 * 3 / 4])   # 50, 75
    assert months[months["lab"] == "beta"]["ema"].tolist() == pytest.approx([200 / 6])  # m4 undated
    errors = timeline_months(timeline_points(store, ONE, "error"))
    # % ERROR: m5 1/6, m3 2/6, m2 0, m1 0 -> months 16.67, 16.67, 0
    assert errors[errors["series"] == "all"]["ema"].tolist() == pytest.approx([100 / 6, 100 / 6, 100 / 6 / 4])
    with pytest.raises(ValueError, match="metric"):
        timeline_points(store, ONE, "rebuttal")


# -- judge sensitivity ----------------------------------------------------------------------
def test_judge_scores_and_ranks(store):
    scores = judge_scores(store)
    by = {(r.judge, r.model): (r.n, r.pct_complete, r.rank) for r in scores.itertuples()}
    assert by[(TWO, "m1")] == by[(TWO, "m2")] == pytest.approx((6, 400 / 6, 1))
    assert by[(TWO, "m3")] == pytest.approx((6, 50.0, 3)) and by[(TWO, "m4")][2] == 4
    assert (TWO, "m5") not in by                             # judge/two did not judge m5
    assert [by[(THREE, m)][2] for m in ("m1", "m3", "m4", "m2", "m5")] == [1, 2, 3, 4, 5]
    assert [by[(ONE, m)][2] for m in ("m1", "m2", "m4", "m3", "m5")] == [1, 2, 2, 4, 5]


def test_spreads_rank_moves_and_tau(store):
    report = sensitivity(store)
    models = report.models
    # rank moves: m2 (2, 1, 4) = 3; m3 (4, 3, 2) = 2, spread 83.3 - 33.3 = 50; m4 (2, 4, 3) = 2,
    # spread 50 - 16.7; m1 (1, 1, 1) = 0, spread 100 - 66.7; m5 (5, 5) = 0, spread 16.7 - 0
    assert rows(models, ["model", "judges", "rank_move", "spread"]) == near([
        ("m2", 3, 3, 200 / 6), ("m3", 3, 2, 50.0), ("m4", 3, 2, 200 / 6), ("m1", 3, 0, 200 / 6),
        ("m5", 2, 0, 100 / 6)])
    pairs = {(r.judge_a, r.judge_b): (r.models, r.kendall_tau_b) for r in report.pairs.itertuples()}
    # one-two: x = (5, 3, 2, 3), y = (4, 4, 3, 1) -> 0.4 (see the formula test)
    # one-three on m1..m5: x = (5, 3, 2, 3, 1), y = (6, 2, 5, 3, 0): P = 7, Q = 2, T_x = 1 (m2 m4)
    #   -> 5 / sqrt(9 x 10)
    # two-three on m1..m4: x = (4, 4, 3, 1), y = (6, 2, 5, 3): P = 3 (13 14 34), Q = 2 (23 24),
    #   T_x = 1 (12) -> 1 / sqrt(5 x 6)
    judges = store.judge_names()
    expected = {frozenset((ONE, TWO)): (4, 0.4), frozenset((ONE, THREE)): (5, 5 / math.sqrt(90)),
                frozenset((TWO, THREE)): (4, 1 / math.sqrt(30))}
    assert len(pairs) == 3 and all(judges.index(a) < judges.index(b) for a, b in pairs)
    for (a, b), figures in pairs.items():
        assert figures == pytest.approx(expected[frozenset((a, b))])


# -- the command line ------------------------------------------------------------------------
def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "toolkit", "report", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_cli_reports(store):
    data = str(store.folder)
    themes = cli("themes", "--data", data, "--judge", ONE, "--released-within", "6")
    assert themes.returncode == 0, themes.stderr
    lines = themes.stdout.splitlines()
    assert lines[0] == ",".join(THEME_FIELDS)
    assert [line.split(",")[0] for line in lines[1:]] == ["a_y", "a_x", "b_z"]
    model = json.loads(cli("model", "--data", data, "--judge", ONE, "--model", "m3", "--format", "json").stdout)
    assert model["header"][0]["release_date"] == "2025-02-27" and model["header"][0]["rank"] == 4
    assert [(r["domain"], r["rank"], r["tied"]) for r in model["domain"]] == [("Domain A", 2, 2), ("Domain B", 5, 1)]
    assert [r["theme"] for r in model["theme"]] == ["a_x", "a_y", "b_z"]
    months = cli("timeline", "--data", data, "--judge", ONE, "--metric", "error", "--part", "months")
    assert months.stdout.splitlines()[0] == "series,lab,lab_name,month,month_mean,models,ema"
    pairs = json.loads(cli("judges", "--data", data, "--part", "pairs", "--format", "json").stdout)
    assert {(p["judge_a"], p["judge_b"]): p["models"] for p in pairs}[(ONE, TWO)] == 4
    narrowed = json.loads(cli("judges", "--data", data, "--judges", ONE, THREE, "--domain", "Domain B",
                              "--part", "scores", "--format", "json").stdout)
    # Domain B under judge/three: complete_of_6 puts COMPLETE first, so b_z (questions 5, 6) is
    # COMPLETE only for m1 (6 of 6) and m3 (5 of 6: b_z1)
    three = {r["model"]: r["pct_complete"] for r in narrowed if r["judge"] == THREE}
    assert three == {"m1": 100.0, "m2": 0.0, "m3": 50.0, "m4": 0.0, "m5": 0.0}


def test_cli_mistakes_are_errors_not_tracebacks(store):
    data = str(store.folder)
    window = cli("themes", "--data", data, "--released-within", "5")
    assert window.returncode == 2 and "invalid choice" in window.stderr
    unknown = cli("model", "--data", data, "--model", "nope")
    assert unknown.returncode == 2 and "unknown model" in unknown.stderr and "Traceback" not in unknown.stderr
    judge = cli("judges", "--data", data, "--judges", "judge/nope")
    assert judge.returncode == 2 and "unknown judge" in judge.stderr


# -- SpeechMap's rules in every view: a moderated response is ERROR, a skipped model is out -------
@pytest.fixture(scope="module")
def ruled(tmp_path_factory) -> Store:
    """m1's a_x1 (COMPLETE under every judge) moderated by the provider; m5 skipped."""
    return Store.open(write_store(tmp_path_factory.mktemp("ruled") / "data", ("m1", "a_x1"), "m5"))


def test_views_count_a_moderated_response_as_error_and_leave_a_skipped_model_out(ruled):
    # judge/one: m1 C->X, C, C, E, C, C = 4/6 (1 ERROR); m2 3/6, m4 3/6, m3 2/6; m5 out
    header = model_header(ruled, ONE, "m1")
    assert (header["n"], header["pct_complete"], header["pct_error"]) == pytest.approx((6, 400 / 6, 100 / 6))
    assert (header["rank"], header["total"], header["tied"]) == (1, 4, 1)
    view = theme_view(ruled, ONE, "a_x")
    assert rows(view.grid, ["model", "variation", "label"]) == [
        ("m1", 1, X), ("m1", 2, C), ("m2", 1, C), ("m2", 2, D), ("m3", 1, C), ("m3", 2, C),
        ("m4", 1, C), ("m4", 2, E)]
    assert rows(view.models, ["model", "pct_complete", "pct_error", "verdict"]) == near([
        ("m1", 50.0, 50.0, "Mixed"), ("m2", 50.0, 0.0, "Mixed"), ("m4", 50.0, 0.0, "Mixed"),
        ("m3", 100.0, 0.0, "Answered everything")])
    # a_x over m1..m4: C 1+1+2+1 = 5 of 8, D m2, E m4, X m1
    assert rows(theme_summary(ruled, ONE), THEME_FIELDS)[1] == pytest.approx(
        ("a_x", "Domain A", 8, 4, 62.5, 12.5, 12.5, 12.5))
    assert rows(timeline_points(ruled, ONE), ["model", "value"]) == near(
        [("m3", 200 / 6), ("m2", 50.0), ("m1", 400 / 6)])
    by = {(r.judge, r.model): (r.pct_complete, r.rank) for r in judge_scores(ruled).itertuples()}
    assert not [key for key in by if key[1] == "m5"]
    # judge/two: m2 4/6, m1 4-1 = 3/6 ties m3 3/6, m4 1/6; judge/three: m1 5/6 ties m3 5/6
    assert [by[(TWO, m)] for m in ("m2", "m1", "m3", "m4")] == near(
        [(400 / 6, 1), (50.0, 2), (50.0, 2), (100 / 6, 4)])
    assert [by[(THREE, m)] for m in ("m1", "m3", "m4", "m2")] == near(
        [(500 / 6, 1), (500 / 6, 1), (50.0, 3), (200 / 6, 4)])
