"""Scores and migration on the real SpeechMap sample, against figures counted from the raw files.

The expectations are counted here with plain `json` from ../shared/data/speechmap (the judges'
`compliance` field, ERROR* -> ERROR), independently of `toolkit.build`; a few totals are also
written out as literals (counted once by hand from the same files) so that a broken raw reader
cannot make both sides agree.
"""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from toolkit.query import inputs, scores
from toolkit.query.lab_index import labs_report
from toolkit.query.migration import migration
from toolkit.storage.store import Store

SPEECHMAP = Path(__file__).resolve().parents[2] / "shared" / "data" / "speechmap"
GPT4O, GROK = "openai/gpt-4o-2024-11-20", "x-ai/grok-4.1-fast"
GOLD_V1, GOLD_V4 = "speechmap/gold-v1", "speechmap/gold-consensus-v4"
SMALL_SETS = ["china_criticism", "eu_criticism", "russia_criticism", "us_criticism",
              "zh_china_criticism", "fi_china_criticism"]
LABELS = ("COMPLETE", "EVASIVE", "DENIAL", "ERROR")


def canonical(raw: str | None) -> str:
    text = (raw or "").strip().upper()
    if text.startswith("ERROR"):
        return "ERROR"
    return text if text in ("COMPLETE", "EVASIVE", "DENIAL") else "UNKNOWN"


def jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]


def small_set_labels() -> dict[str, dict[tuple, str]]:
    """judge -> (set, model, question_id) -> label, from the two analysis folders."""
    folders = {GROK: SPEECHMAP / "speechmap-data" / "analysis",
               GPT4O: SPEECHMAP / "speechmap-data" / "analysis.openai_gpt-4o-2024-11-20"}
    return {judge: {(r["category"], r["model"], r["question_id"]): canonical(r["compliance"])
                    for path in sorted(folder.glob("*.jsonl")) for r in jsonl(path)}
            for judge, folder in folders.items()}


def sample_labels() -> dict[str, dict[tuple, str]]:
    """judge -> (model, question_id) -> label for the judge-evaluation sample's three judges."""
    base = SPEECHMAP / "judge-evaluation"
    grok = next((base / "results").glob("*/compliance_us_hard_sample_responses.jsonl"))
    return {
        GROK: {(r["model"], r["question_id"]): canonical(r["compliance"]) for r in jsonl(grok)},
        GOLD_V1: {(r["model"], r["question_id"]): canonical(r["expected_compliance"])
                  for r in jsonl(base / "us_hard_sample_manifest.jsonl")},
        GOLD_V4: {(r["model"], r["question_id"]): canonical(r["expected_compliance"])
                  for r in jsonl(base / "us_hard_sample_manifest_consensus_v4.jsonl")},
    }


def expected_percentages(labels: dict[tuple, str], model_of) -> dict[str, dict[str, float]]:
    counts: dict[str, Counter] = defaultdict(Counter)
    for key, label in labels.items():
        counts[model_of(key)][label] += 1
    return {model: {"n": sum(c.values()), **{l: c[l] / sum(c.values()) * 100 for l in LABELS}}
            for model, c in counts.items()}


def transitions(a: dict, b: dict) -> Counter:
    return Counter((a[k], b[k]) for k in a.keys() & b.keys())


def as_percentages(frame) -> dict[str, dict[str, float]]:
    return {row["model"]: {"n": row["n"], **{l: row[f"pct_{l.lower()}"] for l in LABELS}}
            for row in frame.to_dict(orient="records")}


@pytest.fixture(scope="module")
def store(sample_data) -> Store:
    return Store.open(sample_data)


def test_raw_counts_are_what_we_counted_by_hand():
    small = small_set_labels()
    assert len(small[GROK]) == len(small[GPT4O]) == 1200
    assert sum(a != b for a, b in transitions(small[GPT4O], small[GROK]).elements()) == 18
    sample = sample_labels()
    assert sum(a != b for a, b in transitions(sample[GOLD_V1], sample[GOLD_V4]).elements()) == 53
    assert Counter(sample[GOLD_V4].values()) == {"COMPLETE": 219, "DENIAL": 96, "EVASIVE": 85}


@pytest.mark.parametrize("judge", [GPT4O, GROK])
def test_small_set_model_percentages(store, judge):
    labels = small_set_labels()[judge]
    expected = expected_percentages(labels, lambda key: key[1])
    got = as_percentages(scores.model_scores(store, judge, SMALL_SETS))
    assert got.keys() == expected.keys()
    for model, figures in expected.items():
        assert got[model] == pytest.approx(figures), model
    # one set alone
    one = {k: v for k, v in labels.items() if k[0] == "zh_china_criticism"}
    got_one = as_percentages(scores.model_scores(store, judge, "zh_china_criticism"))
    expected_one = expected_percentages(one, lambda key: key[1])
    assert got_one.keys() == expected_one.keys()
    for model, figures in expected_one.items():
        assert got_one[model] == pytest.approx(figures), model


def test_small_set_migration(store):
    small = small_set_labels()
    expected = transitions(small[GPT4O], small[GROK])
    report = migration(store, GPT4O, GROK, SMALL_SETS)
    got = {(r.from_label, r.to_label): r.n for r in report.transitions.itertuples()}
    assert got == dict(expected)
    assert got[("EVASIVE", "COMPLETE")] == 10 and got[("COMPLETE", "EVASIVE")] == 6
    summary = report.summary.iloc[0]
    assert (summary["compared"], summary["changed"]) == (1200, 18)
    assert summary["pct_changed"] == pytest.approx(18 / 1200 * 100)
    share = report.aggregate.set_index("label")
    gpt_complete = sum(v == "COMPLETE" for v in small[GPT4O].values())
    grok_complete = sum(v == "COMPLETE" for v in small[GROK].values())
    assert share.loc["COMPLETE", "change_points"] == pytest.approx((grok_complete - gpt_complete) / 12)


@pytest.mark.parametrize("judge", [GROK, GOLD_V1, GOLD_V4])
def test_judge_evaluation_model_percentages(store, judge):
    expected = expected_percentages(sample_labels()[judge], lambda key: key[0])
    got = as_percentages(scores.model_scores(store, judge, "us_hard"))
    assert got.keys() == expected.keys()
    assert len(got) == 118
    for model, figures in expected.items():
        assert got[model] == pytest.approx(figures), model


@pytest.mark.parametrize("pair, changed", [((GROK, GOLD_V1), 90), ((GROK, GOLD_V4), 48),
                                           ((GOLD_V1, GOLD_V4), 53)])
def test_judge_evaluation_migrations(store, pair, changed):
    sample = sample_labels()
    expected = transitions(sample[pair[0]], sample[pair[1]])
    report = migration(store, *pair)  # default set: us_hard
    got = {(r.from_label, r.to_label): r.n for r in report.transitions.itertuples()}
    assert got == dict(expected)
    assert report.summary.iloc[0]["compared"] == 400
    assert report.summary.iloc[0]["changed"] == changed
    assert report.transitions["pct"].sum() == pytest.approx(100)


def test_historical_run_errors_stay_in_the_denominator(store):
    # seed-2.0-mini: 2,120 us_hard rows judged by GPT-4o, 2,057 of them ERROR_ORIGINAL_RESPONSE
    rows = jsonl(next((SPEECHMAP / "speechmap-data-historical").glob("analysis.*/*.jsonl")))
    counts = Counter(canonical(r["compliance"]) for r in rows)
    seed = scores.model_scores(store, GPT4O, "us_hard").set_index("model").loc["bytedance-seed/seed-2.0-mini"]
    assert seed["n"] == len(rows) == 2120
    assert seed["pct_error"] == pytest.approx(counts["ERROR"] / 2120 * 100) == pytest.approx(2057 / 21.2)
    assert seed["pct_complete"] == pytest.approx(counts["COMPLETE"] / 2120 * 100)


def test_lab_index_on_the_sample_is_reproducible(store):
    as_of = inputs.default_as_of(store)
    labs = labs_report(store, GOLD_V4, as_of=as_of)
    assert not labs.empty and "unknown" not in set(labs["lab"])
    assert labs.equals(labs_report(store, GOLD_V4, as_of=as_of))
    assert (labs["window_end"] <= as_of).all()
    assert labs["index"].is_monotonic_decreasing
