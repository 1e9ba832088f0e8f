"""Honest numbers in the query layer: Wilson intervals of model percentages, the minimum n for a
rank, the lab index's bootstrap interval and a judge's coverage, on hand-made data (figures worked
out in the comments) and on the real sample (figures counted from the raw files)."""
from __future__ import annotations

import io
import json
import contextlib
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.data_paths import JUDGE_EVALUATION, SPEECHMAP
from tests.test_scores_handmade import H, LAB_MODELS, LAB_SCORES, C, D, model, pct_labels, write_judged
from toolkit.query import scores
from toolkit.query.coverage import Coverage, judge_coverage
from toolkit.query.lab_index import (lab_index, lab_index_intervals, lab_index_replicates, labs_report,
                                     with_index_intervals)
from toolkit.storage.store import Store

Z2 = 1.959963984540054 ** 2
# Wilson for 2 of 4: p = 0.5, z^2/n = 0.960365, centre = (0.5 + 0.480182) / 1.960365 = 0.5,
# half = 1.959964 / 1.960365 x sqrt(0.0625 + 3.841459 / 64) = 0.999795 x 0.350033 = 0.349961
TWO_OF_FOUR = (15.0039, 84.9961)
# 0 of 4: low 0, high = (z^2/n) / (1 + z^2/n) = 0.9603647 / 1.9603647 = 0.4898908; 4 of 4 mirrors it
NONE_OF_FOUR = (0.0, 48.9891)


# -- hand-made data --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def lab_store(tmp_path_factory) -> Store:
    """test_scores_handmade's lab data: every model answers the 4 questions, LAB_SCORES of them COMPLETE."""
    out = tmp_path_factory.mktemp("labs") / "data"
    return Store.open(write_judged(out, LAB_MODELS, {"judge/a": {m: pct_labels(k) for m, k in LAB_SCORES.items()}}))


# kappa/big: C C C D (75%, n 4, Jan); kappa/small: C C on the first two questions only (100%, n 2,
# Mar); kappa/mid: C C D C (75%, n 4, Jan). judge/h (a human) labels one response: big's first.
SIZE_MODELS = [model("kappa/big", "kappa", "2025-01-10"), model("kappa/mid", "kappa", "2025-01-20"),
               model("kappa/small", "kappa", "2025-03-10")]
SIZE_LABELS = {"judge/a": {"kappa/big": [C, C, C, D], "kappa/mid": [C, C, D, C], "kappa/small": [C, C, None, None]},
               "judge/h": {"kappa/big": [D, None, None, None]}}


@pytest.fixture(scope="module")
def size_store(tmp_path_factory) -> Store:
    return Store.open(write_judged(tmp_path_factory.mktemp("sizes") / "data", SIZE_MODELS, SIZE_LABELS))


def question_names(store: Store, counts: scores.QuestionCounts) -> list[str]:
    ids = dict(store.rows("SELECT DISTINCT question_uid, question_id FROM response_view"))
    return [ids[uid] for uid in counts.questions]


def weights_on(store: Store, counts: scores.QuestionCounts, *rows: dict[str, int]) -> np.ndarray:
    """A weights matrix from {question_id: draws} per replicate."""
    names = question_names(store, counts)
    return np.array([[row.get(name, 0) for name in names] for row in rows])


def test_model_scores_carry_wilson_intervals(lab_store):
    table = scores.model_scores(lab_store, "judge/a").set_index("model")
    a3, a2 = table.loc["alpha/a3"], table.loc["alpha/a2"]   # 2 of 4 and 4 of 4 COMPLETE, the rest DENIAL
    assert (a3["pct_complete_low"], a3["pct_complete_high"]) == pytest.approx(TWO_OF_FOUR, abs=1e-4)
    assert (a3["pct_denial_low"], a3["pct_denial_high"]) == pytest.approx(TWO_OF_FOUR, abs=1e-4)
    assert (a2["pct_complete_low"], a2["pct_complete_high"]) == pytest.approx((100 - 48.9891, 100.0), abs=1e-4)
    assert (a2["pct_denial_low"], a2["pct_denial_high"]) == pytest.approx(NONE_OF_FOUR, abs=1e-4)
    for label in ("evasive", "error"):
        assert (a3[f"pct_{label}_low"], a3[f"pct_{label}_high"]) == pytest.approx(NONE_OF_FOUR, abs=1e-4)
    assert list(table.reset_index().columns[:len(scores.MODEL_COLUMNS)]) == scores.MODEL_COLUMNS


def test_min_n_zero_is_todays_table(size_store):
    today = scores.model_scores(size_store, "judge/a")
    assert today.equals(scores.model_scores(size_store, "judge/a", min_n=0))
    # small 100% (n 2) ranks 1, big and mid 75% share rank 2
    assert today[["model", "rank", "tied"]].values.tolist() == [["kappa/small", 1, 1], ["kappa/big", 2, 2],
                                                               ["kappa/mid", 2, 2]]
    assert today["ranked"].all() and today["rank"].dtype == np.int64
    assert scores.model_scores(size_store, "judge/a", min_n=2).equals(today)   # every n >= 2


def test_min_n_lists_small_models_without_a_rank(size_store):
    table = scores.model_scores(size_store, "judge/a", min_n=3)
    # small (n 2) is listed last, unranked; big and mid (n 4) are ranked among themselves: 1, 1
    assert table["model"].tolist() == ["kappa/big", "kappa/mid", "kappa/small"]
    assert table["ranked"].tolist() == [True, True, False]
    assert table["rank"].tolist()[:2] == [1, 1] and table["tied"].tolist()[:2] == [2, 2]
    assert table["rank"].isna().tolist() == [False, False, True] and table["tied"].isna().tolist()[2]
    assert table.set_index("model").loc["kappa/small", "pct_complete"] == 100.0   # the score stays
    nobody = scores.model_scores(size_store, "judge/a", min_n=5)
    assert not nobody["ranked"].any() and nobody["rank"].isna().all()
    assert nobody["model"].tolist() == ["kappa/small", "kappa/big", "kappa/mid"]   # today's order


def test_judge_coverage_by_hand(size_store):
    # responses: big 4, mid 4, small 2 = 10; judge/a labels all, judge/h one (big's first)
    assert judge_coverage(size_store, "judge/a") == (10, 10)
    coverage = judge_coverage(size_store, "judge/h")
    assert coverage == Coverage(judged=1, total=10) and coverage.share == pytest.approx(0.1)
    # Domain One = the first two questions: big 2 + mid 2 + small 2 = 6
    assert judge_coverage(size_store, "judge/h", filters={"domain": "Domain One"}) == (1, 6)
    assert judge_coverage(size_store, "judge/h", filters={"model": "kappa/mid"}) == (0, 4)
    assert math.isnan(Coverage(0, 0).share)


def test_question_counts_add_up_to_the_scores(lab_store, size_store):
    for store in (lab_store, size_store):
        counts = scores.question_counts(store, "judge/a")
        table = scores.model_scores(store, "judge/a").set_index("model").loc[counts.models]
        assert counts.n.sum(axis=0).tolist() == table["n"].tolist()
        assert counts.complete.sum(axis=0).tolist() == table["n_complete"].tolist()
    counts = scores.question_counts(size_store, "judge/a", models=["kappa/small"])
    assert sorted(question_names(size_store, counts)) == ["t_one1", "t_one2"] and counts.n.tolist() == [[1], [1]]


def test_lab_answers_and_min_n(lab_store):
    labs = labs_report(lab_store, "judge/a", replicates=0).set_index("lab")
    # answers = 4 per window model: delta 2 models, beta 1, gamma 1, alpha 4 (a2..a5)
    assert labs["answers"].to_dict() == {"delta": 8, "beta": 4, "gamma": 4, "alpha": 16}
    assert labs["ranked"].all() and labs["index_low"].isna().all()
    small = labs_report(lab_store, "judge/a", min_n=5, replicates=0)
    # beta and gamma (4 answers) are listed after the others, unranked; delta and alpha keep 1, 2
    assert small["lab"].tolist() == ["delta", "alpha", "beta", "gamma"]
    assert small["rank"].tolist()[:2] == [1, 2] and small["rank"].isna().tolist() == [False, False, True, True]
    assert small["ranked"].tolist() == [True, True, False, False]


def test_lab_index_replicates_by_hand(lab_store):
    scores_table = scores.model_scores(lab_store, "judge/a")
    counts = scores.question_counts(lab_store, "judge/a")
    # labels C^k D^(4-k): the first question is COMPLETE when k >= 1, the last only when k = 4
    each_once = {"t_one1": 1, "t_one2": 1, "t_two1": 1, "t_two2": 1}
    weights = weights_on(lab_store, counts, {"t_one1": 4}, {"t_two2": 4}, each_once)
    replicates = lab_index_replicates(scores_table, counts, weights)
    # alpha: all on the first question: Jan (a2 C, a3 C) 100, May (a4 D) 0 after 4 months, Jun (a5 C) 100;
    # all on the last: Jan (a2 C, a3 D) 50, May 0, Jun (a5 D) 0; each question once: the index itself
    first = 100 * H ** 5 + 100 * (1 - H)
    assert replicates["alpha"].tolist() == pytest.approx([first, 50 * H ** 5, 75 * H ** 5 + 75 * (1 - H)])
    assert replicates["delta"].tolist() == pytest.approx([100, 0, 50])   # d1 C D D D, d2 C C C D
    assert replicates["beta"].tolist() == pytest.approx([100, 0, 50])
    assert set(replicates) == {"alpha", "beta", "gamma", "delta"}


def test_replicates_skip_a_model_without_draws(size_store):
    table, counts = scores.model_scores(size_store, "judge/a"), scores.question_counts(size_store, "judge/a")
    # index: Jan (big 75, mid 75) 75, then Mar (small 100) after 2 months: 75 H^2 + 100 (1 - H^2)
    assert lab_index(table).set_index("lab").loc["kappa", "index"] == pytest.approx(75 * H ** 2 + 100 * (1 - H ** 2))
    weights = weights_on(size_store, counts, {"t_two1": 4}, {"t_two2": 2, "t_one1": 2}, {"t_two1": 1, "t_two2": 1})
    # small answered neither t_two question: March drops out, the index is January's mean
    # (big C, mid D on t_two1 -> 50; big D/C, mid C/C ... per replicate below)
    # 1: t_two1 x4: big C, mid D -> Jan 50, small none -> 50
    # 2: t_two2 x2 + t_one1 x2: big (0 + 2)/4 = 50, mid (2 + 2)/4 = 100 -> Jan 75; small C -> 100 in Mar
    # 3: t_two1 + t_two2: big 1/2 = 50, mid 1/2 = 50 -> 50, small none -> 50
    got = lab_index_replicates(table, counts, weights)["kappa"].tolist()
    assert got == pytest.approx([50, 75 * H ** 2 + 100 * (1 - H ** 2), 50])


def test_lab_index_interval(lab_store, size_store):
    table = scores.model_scores(lab_store, "judge/a")
    labs = with_index_intervals(lab_store, "judge/a", table, lab_index(table), replicates=2000).set_index("lab")
    # gamma's one model: C C D D; a draw of 4 questions has no C with chance 1/16 and only C with
    # 1/16, both above 2.5%: the 95% interval is [0, 100]
    assert (labs.loc["gamma", "index_low"], labs.loc["gamma", "index_high"]) == (0.0, 100.0)
    assert ((labs["index_low"] <= labs["index"]) & (labs["index"] <= labs["index_high"])).all()
    again = labs_report(lab_store, "judge/a", replicates=2000).set_index("lab")
    assert again[["index_low", "index_high"]].equals(labs[["index_low", "index_high"]])   # seeded
    counts = scores.question_counts(lab_store, "judge/a")
    direct = lab_index_intervals(table, counts, replicates=2000).set_index("lab").sort_index()
    assert direct.equals(labs[["index_low", "index_high"]].sort_index())


def test_lab_index_interval_of_uniform_answers_has_zero_width(tmp_path):
    models = [model("omega/o1", "omega", "2025-01-01"), model("omega/o2", "omega", "2025-02-01")]
    store = Store.open(write_judged(tmp_path / "data", models, {"judge/a": {"omega/o1": [C] * 4, "omega/o2": [D] * 4}}))
    labs = labs_report(store, "judge/a").iloc[0]
    # o1 100 in January, o2 0 in February, whatever the draw: index = 100 H
    assert (labs["index_low"], labs["index"], labs["index_high"]) == pytest.approx((100 * H, 100 * H, 100 * H))


# -- the CLI ---------------------------------------------------------------------------------
def report(*argv: str) -> list[dict]:
    from toolkit.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["report", *argv, "--format", "json"]) == 0
    return json.loads(out.getvalue())


def test_cli_models_min_n_and_intervals(size_store):
    data = ["--data", str(size_store.folder), "--judge", "judge/a"]
    assert [r["rank"] for r in report("models", *data)] == [1, 2, 2]   # default: SpeechMap ranks everyone
    rows = report("models", *data, "--min-n", str(scores.MIN_N))   # the dashboard's 30: nobody here
    assert list(rows[0]) == scores.MODEL_COLUMNS
    assert [(r["model"], r["rank"], r["ranked"]) for r in rows] == [
        ("kappa/small", None, False), ("kappa/big", None, False), ("kappa/mid", None, False)]
    small = rows[0]   # 2 of 2 COMPLETE: high 100, low = 1 - (z^2/2) / (1 + z^2/2) = 1 - 1.9207294 / 2.9207294
    assert (small["pct_complete_low"], small["pct_complete_high"]) == pytest.approx((34.2380, 100.0), abs=1e-4)
    ranked = report("models", *data, "--min-n", "3")
    assert [(r["model"], r["rank"]) for r in ranked] == [("kappa/big", 1), ("kappa/mid", 1), ("kappa/small", None)]
    everyone = report("models", *data, "--min-n", "0")
    assert [(r["model"], r["rank"]) for r in everyone] == [("kappa/small", 1), ("kappa/big", 2), ("kappa/mid", 2)]


def test_cli_labs_min_n_and_intervals(lab_store, capsys):
    data = ["--data", str(lab_store.folder), "--judge", "judge/a"]
    rows = report("labs", *data, "--min-n", "5")
    assert list(rows[0])[-4:] == ["answers", "ranked", "index_low", "index_high"]
    assert [(r["lab"], r["rank"], r["answers"]) for r in rows] == [
        ("delta", 1, 8), ("alpha", 2, 16), ("beta", None, 4), ("gamma", None, 4)]
    assert all(r["index_low"] <= r["index"] <= r["index_high"] for r in rows)
    plain = report("labs", *data, "--min-n", "0", "--replicates", "0")
    assert [r["rank"] for r in plain] == [1, 2, 3, 4] and all(r["index_low"] is None for r in plain)
    from toolkit.cli import main
    with pytest.raises(SystemExit):
        main(["report", "labs", *data, "--min-n", "-1"])
    assert "not a whole number" in capsys.readouterr().err


# -- the real sample -------------------------------------------------------------------------
GPT4O, GOLD_V4 = "openai/gpt-4o-2024-11-20", "speechmap/gold-consensus-v4"


def jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]


def skipped_models() -> set[str]:
    rows = jsonl(SPEECHMAP / "site-metadata" / "model_metadata.json")
    truthy = ("1", "true", "yes", "y", "on")   # SpeechMap's truthy skip values, as text (str(True) -> "True")
    return {r["model_identifier"] for r in rows if str(r.get("skip")).strip().lower() in truthy}


@pytest.fixture(scope="module")
def sample_store(sample_data) -> Store:
    return Store.open(sample_data)


def test_sample_coverage_counted_from_the_raw_files(sample_store):
    skipped = skipped_models()
    files = [*(SPEECHMAP / "speechmap-data" / "responses").glob("us_hard_*.jsonl"),
             *(SPEECHMAP / "speechmap-data-historical" / "responses").glob("us_hard_*.jsonl"),
             JUDGE_EVALUATION / "us_hard_sample_responses.jsonl"]
    # one response per (model, question, timestamp), the build's rule: the sample repeats 6 responses
    # of the two Claude files; 9 questions were asked twice at different times (both count)
    responses = {(r["model"], r["question_id"], r["timestamp"]) for path in files for r in jsonl(path)
                 if r["model"] not in skipped}
    manifest = jsonl(JUDGE_EVALUATION / "us_hard_sample_manifest_consensus_v4.jsonl")
    gold = {(r["model"], r["question_id"]) for r in manifest if r["model"] not in skipped}
    historical = jsonl(next((SPEECHMAP / "speechmap-data-historical").glob("analysis.*/*.jsonl")))
    assert (len(responses), len(gold), len(historical)) == (6748, 394, 2120)
    assert judge_coverage(sample_store, GOLD_V4, "us_hard") == (len(gold), len(responses))
    assert judge_coverage(sample_store, GPT4O, "us_hard") == (len(historical), len(responses))


def test_sample_intervals_and_ranks(sample_store):
    # seed-2.0-mini under GPT-4o: 2,057 ERROR of 2,120 (test_scores_sample counts them from the raw file)
    seed = scores.model_scores(sample_store, GPT4O, "us_hard", min_n=scores.MIN_N).set_index("model").loc[
        "bytedance-seed/seed-2.0-mini"]
    p, n = 2057 / 2120, 2120
    centre = (p + Z2 / (2 * n)) / (1 + Z2 / n)
    half = math.sqrt(Z2) / (1 + Z2 / n) * math.sqrt(p * (1 - p) / n + Z2 / (4 * n * n))
    assert (seed["pct_error_low"], seed["pct_error_high"]) == pytest.approx((100 * (centre - half),
                                                                              100 * (centre + half)))
    # p = 0.970283: centre 0.969435, half 1.956419 x 0.0037168 = 0.0072716
    assert (round(seed["pct_error_low"], 2), round(seed["pct_error_high"], 2)) == (96.22, 97.67)
    assert seed["ranked"] and seed["rank"] == 1
    # nova-pro under the gold labels: its 3 sample responses were moderated -> ERROR 3 of 3;
    # below MIN_N it is listed, not ranked
    gold = scores.model_scores(sample_store, GOLD_V4, "us_hard", min_n=scores.MIN_N).set_index("model")
    nova = gold.loc["amazon/nova-pro-v1.0"]
    assert (nova["n"], nova["pct_error"], nova["ranked"]) == (3, 100.0, False) and pd.isna(nova["rank"])
    three_of_three_low = 1 - (Z2 / 3) / (1 + Z2 / 3)
    assert (nova["pct_error_low"], nova["pct_error_high"]) == pytest.approx((100 * three_of_three_low, 100.0))
    assert not gold["ranked"].any()   # the sample's models have at most 12 answers each
