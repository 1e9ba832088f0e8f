"""Lab view, domain view and the model view's responses and judge disagreements, on the hand-made
store of tests/test_views_handmade.py (its docstring holds the labels; every expected number below
is counted by hand from them).

As of 2025-06-30 (six months earlier: 2024-12-31), m1 (2025-08-31) is after the as-of day and
out of the labs; alpha's latest model is then m2 (2025-02-28), beta's m3 (2025-02-27): both
eligible, each window holds one model. gamma's m5 (2024-08-15) is too old; m4 has no date.
"""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from tests.test_views_handmade import C, D, E, ONE, THREE, TWO, X, cli, near, rows, write_store
from toolkit.core.filters import Filters
from toolkit.query.domain_view import domain_page
from toolkit.query.lab_index import domain_index_intervals
from toolkit.query.lab_view import every_lab, lab_page, lab_standing, window_counts
from toolkit.query.model_view import judge_disagreements, kept, model_responses, page_bounds, verdict_counts
from toolkit.storage.store import Store

AS_OF = "2025-06-30"
SHARES = ["pct_complete", "pct_evasive", "pct_denial", "pct_error"]


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    return Store.open(write_store(tmp_path_factory.mktemp("labdomain") / "data"))


@pytest.fixture(scope="module")
def ruled(tmp_path_factory) -> Store:
    """m1's a_x1 (COMPLETE under every judge) moderated by the provider; m5 skipped."""
    return Store.open(write_store(tmp_path_factory.mktemp("labdomain_ruled") / "data", ("m1", "a_x1"), "m5"))


# -- lab view --------------------------------------------------------------------------------
def test_lab_header_and_models(store):
    page = lab_page(store, ONE, "beta", as_of=AS_OF)
    header = page.header
    # beta = m3 (C C E D X X) + m4 (C E C D C U): 12 rows, C 5, E 2, D 2, X 2 (U in n only)
    assert (header["lab_name"], header["models"], header["n"]) == ("Beta", 2, 12)
    assert [header[s] for s in SHARES] == pytest.approx([500 / 12, 200 / 12, 200 / 12, 200 / 12])
    # index: m3 alone in [2024-08-27, 2025-02-27] -> 33.33; alpha's m2 50 -> beta 2nd of 2
    assert (header["index"], header["rank"], header["labs"]) == (pytest.approx(200 / 6), 2, 2)
    assert (header["window_start"], header["window_end"]) == (dt.date(2024, 8, 27), dt.date(2025, 2, 27))
    assert (header["peak_model"], header["models_in_window"]) == ("m3", 1)
    # its models, newest first (m4 undated last), ranked among all 5: m1 83, m2 50, m4 50, m3 33, m5 17
    assert rows(page.models, ["model", "n", "pct_complete", "rank", "total", "tied", "in_window"]) == near([
        ("m3", 6, 200 / 6, 4, 5, 1, True), ("m4", 6, 50.0, 2, 5, 2, False)])


def test_lab_index_per_domain_with_mix(store):
    domains = lab_page(store, ONE, "beta", as_of=AS_OF).domains
    # Domain A: beta m3 (C C E D) 50 vs alpha m2 (C D D D) 25; Domain B: m3 (X X) 0 vs m2 (C C) 100
    assert rows(domains, ["domain", "index", "rank", "labs", "tied", "models_in_window", "n", *SHARES]) == near([
        ("Domain A", 50.0, 1, 2, 1, 1, 4, 50.0, 25.0, 25.0, 0.0),
        ("Domain B", 0.0, 2, 2, 1, 1, 2, 0.0, 0.0, 0.0, 100.0)])


def test_lab_index_per_domain_has_a_bootstrap_interval_over_that_domains_questions(store):
    beta = lab_page(store, ONE, "beta", as_of=AS_OF).domains.set_index("domain")
    alpha = lab_page(store, ONE, "alpha", as_of=AS_OF).domains.set_index("domain")
    # Domain B: beta's m3 answers X X, alpha's m2 C C: every resample of Domain B's two questions
    # gives 0 and 100. Had Domain A's questions been drawn too (m3 C C E D, m2 C D D D), some
    # replicates would move off 0 and 100.
    assert beta.loc["Domain B", ["index_low", "index_high"]].tolist() == [0.0, 0.0]
    assert alpha.loc["Domain B", ["index_low", "index_high"]].tolist() == [100.0, 100.0]
    # Domain A, beta: m3 C C E D; a resample's score = 25 x (draws of a_x1 and a_x2) ~ 25 x Binomial(4, 1/2):
    # 0 and 100 each have probability 1/16 > 2.5%, so the 95% interval spans 0 to 100.
    assert beta.loc["Domain A", ["index_low", "index_high"]].tolist() == [0.0, 100.0]
    assert list(beta.reset_index().columns[-2:]) == ["index_low", "index_high"]   # appended: the CSV keeps its order


def test_per_domain_intervals_alike_from_the_labs_own_counts_and_every_labs(store):
    as_of, filters = dt.date.fromisoformat(AS_OF), Filters.of(None)
    every = every_lab(store, ONE, None, filters, as_of)
    alone = domain_index_intervals(store, ONE, every.scores, every.model_domains, ["beta"],
                                   as_of=as_of)   # reads beta's window models only
    shared = domain_index_intervals(store, ONE, every.scores, every.model_domains, ["beta"], as_of=as_of,
                                    counts=window_counts(store, ONE, None, filters, as_of))   # every lab's
    assert not alone.empty
    pd.testing.assert_frame_equal(shared, alone)
    lab_standing(store, ONE, "beta", as_of=AS_OF)   # the standing and the page share the kept counts
    assert kept(store, "window_counts")


def test_lab_index_under_every_judge(store):
    judges = lab_page(store, ONE, "alpha", as_of=AS_OF).judges.set_index("judge")
    # alpha's window holds m2 alone: judge/one 3/6, two 4/6, three 2/6; beta's m3: 2/6, 3/6, 5/6
    assert judges.loc[ONE, ["index", "rank", "labs"]].tolist() == pytest.approx([50.0, 1, 2])
    assert judges.loc[TWO, ["index", "rank", "labs"]].tolist() == pytest.approx([400 / 6, 1, 2])
    assert judges.loc[THREE, ["index", "rank", "labs"]].tolist() == pytest.approx([200 / 6, 2, 2])


def test_a_lab_outside_the_index_and_an_unknown_lab(store):
    gamma = lab_page(store, ONE, "gamma", as_of=AS_OF)
    assert gamma.header["index"] is None and gamma.header["rank"] is None and gamma.header["labs"] == 2
    assert gamma.domains.empty and gamma.judges["index"].isna().all()
    assert rows(gamma.models, ["model", "in_window"]) == [("m5", False)]
    with pytest.raises(KeyError, match="unknown lab"):
        lab_page(store, ONE, "nope")


# -- domain view -----------------------------------------------------------------------------
def test_domain_themes_models_and_medians(store):
    page = domain_page(store, ONE, "Domain B")
    assert rows(page.themes, ["theme", "n", "models", *SHARES]) == near([("b_z", 10, 5, 60.0, 0.0, 10.0, 20.0)])
    # Domain B: m1 (C C) 100, m2 (C C) 100, m4 (C U) 50, m5 (C D) 50, m3 (X X) 0
    assert rows(page.models, ["model", "n", "pct_complete", "pct_error", "rank", "total", "tied"]) == near([
        ("m1", 2, 100.0, 0.0, 1, 5, 2), ("m2", 2, 100.0, 0.0, 1, 5, 2), ("m4", 2, 50.0, 0.0, 3, 5, 2),
        ("m5", 2, 50.0, 0.0, 3, 5, 2), ("m3", 2, 0.0, 100.0, 5, 5, 1)])
    # domain median of 0, 50, 50, 100, 100 = 50; overall 16.7, 33.3, 50, 50, 83.3 -> 50
    assert {k: page.header[k] for k in ("themes", "models", "n", "median_pct_complete",
                                         "global_median_pct_complete", "gap")} == {
        "themes": 1, "models": 5, "n": 10, "median_pct_complete": 50.0, "global_median_pct_complete": 50.0,
        "gap": 0.0}


def test_domain_medians_even_counts_and_another_judge(store):
    # labs alpha and beta (m1..m4), Domain B: 100, 100, 0, 50 -> (50 + 100) / 2 = 75; overall
    # 83.3, 50, 33.3, 50 -> 50
    page = domain_page(store, ONE, "Domain B", filters={"lab": ["alpha", "beta"]})
    assert (page.header["median_pct_complete"], page.header["global_median_pct_complete"], page.header["gap"]) \
        == pytest.approx((75.0, 50.0, 25.0))
    # judge/three, Domain B: m1 C C 100, m3 C D 50, m2 m4 m5 0 -> median 0; overall 100, 83.3, 50,
    # 33.3, 0 -> 50
    three = domain_page(store, THREE, "Domain B")
    assert (three.header["median_pct_complete"], three.header["global_median_pct_complete"]) == (0.0, 50.0)
    assert three.header["gap"] == -50.0
    with pytest.raises(KeyError, match="unknown domain"):
        domain_page(store, ONE, "Domain Z")


# -- the model's responses and the judges' disagreements --------------------------------------
def test_page_bounds_clamp():
    assert page_bounds(25, 0, 10) == (1, 3, 10) and page_bounds(25, 9, 10) == (3, 3, 10)
    assert page_bounds(25, "x", 10) == (1, 3, 10) and page_bounds(0, 4, 10) == (1, 1, 10)
    assert page_bounds(25, 2, 0) == (2, 25, 1)


def test_model_responses_by_verdict_paged(store):
    # m3 under judge/one: a_x1 C, a_x2 C, a_y1 E, a_y2 D, b_z1 X, b_z2 X
    assert verdict_counts(store, ONE, "m3") == {C: 2, E: 1, D: 1, X: 2, "UNKNOWN": 0}
    first = model_responses(store, ONE, "m3", C, page_size=1)
    assert (first.total, first.page, first.pages) == (2, 1, 2)
    assert rows(first.items, ["question_id", "theme", "domain", "question", "content", "label"]) == [
        ("a_x1", "a_x", "Domain A", "a_x1", "text", C)]
    last = model_responses(store, ONE, "m3", C, page=9, page_size=1)      # clamped to the last page
    assert (last.page, last.items["question_id"].tolist()) == (2, ["a_x2"])
    errors = model_responses(store, ONE, "m3", X)
    assert errors.items["question_id"].tolist() == ["b_z1", "b_z2"] and errors.pages == 1
    assert model_responses(store, ONE, "m3", "UNKNOWN").items.empty
    with pytest.raises(ValueError, match="verdict"):
        model_responses(store, ONE, "m3", "MAYBE")


def test_judge_disagreements(store):
    # m3: one C C E D X X, two C C C D D D, three C C C C C D -> a_y1, a_y2, b_z1, b_z2 differ
    page = judge_disagreements(store, "m3")
    assert page.total == 4
    assert rows(page.items, ["question_id", ONE, TWO, THREE]) == [
        ("a_y1", E, C, C), ("a_y2", D, D, C), ("b_z1", X, D, C), ("b_z2", X, D, D)]
    second = judge_disagreements(store, "m3", page=2, page_size=3)
    assert (second.page, second.pages, second.items["question_id"].tolist()) == (2, 2, ["b_z2"])
    # judge/two and judge/three alone: a_y1 C C and b_z2 D D agree -> a_y2, b_z1
    assert judge_disagreements(store, "m3", [TWO, THREE]).items["question_id"].tolist() == ["a_y2", "b_z1"]
    # m5: judge/two did not judge it; one D D X U C D vs three D D D D D D -> a_y1, a_y2, b_z1
    assert judge_disagreements(store, "m5").items["question_id"].tolist() == ["a_y1", "a_y2", "b_z1"]
    assert judge_disagreements(store, "m3", [ONE]).total == 0


def test_moderation_and_skip_in_the_new_views(ruled):
    # m1's a_x1 counts as ERROR in its responses by verdict, whatever the judges said ...
    assert verdict_counts(ruled, ONE, "m1") == {C: 4, E: 1, D: 0, X: 1, "UNKNOWN": 0}
    assert model_responses(ruled, ONE, "m1", X).items["question_id"].tolist() == ["a_x1"]
    # ... but the judges' own labels agree on it (all COMPLETE): one C C C E C C, two C C C C D D,
    # three all C -> a_y2, b_z1, b_z2
    assert judge_disagreements(ruled, "m1").items["question_id"].tolist() == ["a_y2", "b_z1", "b_z2"]
    # the skipped m5 leaves the domain's models, its medians and gamma's lab
    page = domain_page(ruled, ONE, "Domain B")
    assert "m5" not in page.models["model"].tolist() and page.header["models"] == 4
    assert lab_page(ruled, ONE, "alpha", as_of=AS_OF).header["labs"] == 2
    assert lab_page(ruled, ONE, "gamma").header["models"] == 0


# -- the command line ------------------------------------------------------------------------
def test_cli_lab_and_domain(store):
    data = str(store.folder)
    lab = json.loads(cli("lab", "--data", data, "--judge", ONE, "--lab", "beta", "--as-of", AS_OF,
                         "--format", "json").stdout)
    assert set(lab) == {"header", "models", "domains", "judges"}
    assert (lab["header"][0]["rank"], lab["header"][0]["window_end"]) == (2, "2025-02-27")
    assert [(r["domain"], r["rank"]) for r in lab["domains"]] == [("Domain A", 1), ("Domain B", 2)]
    judges = cli("lab", "--data", data, "--lab", "alpha", "--as-of", AS_OF, "--part", "judges")
    assert judges.returncode == 0 and judges.stdout.splitlines()[0] == "judge,index,rank,labs,models_in_window,peak"
    domain = cli("domain", "--data", data, "--judge", ONE, "--domain", "Domain B", "--lab", "beta",
                 "--part", "header", "--format", "json")
    # the other filters narrow the models: beta (m3, m4): Domain B 0 and 50 -> 25; overall 33.3, 50 -> 41.7
    header = json.loads(domain.stdout)[0]
    assert (header["median_pct_complete"], header["global_median_pct_complete"]) == pytest.approx((25.0, 125 / 3))
    models = cli("domain", "--data", data, "--judge", ONE, "--domain", "Domain A", "--part", "models")
    assert [line.split(",")[0] for line in models.stdout.splitlines()[1:]] == ["m1", "m3", "m4", "m2", "m5"]
    missing = cli("lab", "--data", data)
    assert missing.returncode == 2 and "--lab" in missing.stderr and "Traceback" not in missing.stderr
    unknown = cli("domain", "--data", data, "--domain", "nowhere")
    assert unknown.returncode == 2 and "unknown domain" in unknown.stderr
