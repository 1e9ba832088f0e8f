"""Scores and migration on the real SpeechMap sample, against figures counted from the raw files.

The expectations are counted here with plain `json` from ../shared/data/speechmap (the judges'
`compliance` field, ERROR* -> ERROR), independently of `toolkit.build`; a few totals are also
written out as literals (counted once by hand from the same files) so that a broken raw reader
cannot make both sides agree.
"""
from __future__ import annotations

import calendar
import datetime as dt
import json
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from tests.data_paths import SPEECHMAP
from toolkit.query import inputs, scores
from toolkit.query.lab_index import labs_report
from toolkit.query.migration import migration
from toolkit.storage.store import Store

pytestmark = pytest.mark.usefixtures("shared_data")  # a missing data folder fails with a clear message
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


def moderated_sample_keys() -> set[tuple]:
    """(model, question_id) of sample responses whose provider reply shows moderation, in the forms the
    sample holds (finish reasons content_filter/refusal; Anthropic stop_reason; an error of type
    content_filter): SpeechMap counts them as ERROR whatever the judge said."""
    def moderated(response) -> bool:
        if not isinstance(response, dict):
            return False
        choice = (response.get("choices") or [{}])[0] or {}
        reasons = {response.get("stop_reason"), choice.get("finish_reason"), choice.get("native_finish_reason")}
        error_type = (response.get("error") or {}).get("type") if isinstance(response.get("error"), dict) else None
        return bool(reasons & {"content_filter", "refusal"}) or error_type == "content_filter"
    rows = jsonl(SPEECHMAP / "judge-evaluation" / "us_hard_sample_responses.jsonl")
    return {(r["model"], r["question_id"]) for r in rows if moderated(r["response"])}


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
    moderated = moderated_sample_keys()
    assert len(moderated) == 3 and {m for m, _ in moderated} == {"amazon/nova-pro-v1.0"}  # seen by hand
    labels = {key: "ERROR" if key in moderated else label for key, label in sample_labels()[judge].items()}
    expected = expected_percentages(labels, lambda key: key[0])
    expected.pop("x-ai/grok-4.20-experimental-beta-0304-reasoning")  # skip: true in the site metadata
    got = as_percentages(scores.model_scores(store, judge, "us_hard"))
    assert got.keys() == expected.keys()
    assert len(got) == 117  # of the sample's 118 models
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


def response_models() -> set[str]:
    """Every model with a response in the raw files the sample is built from."""
    files = [*(SPEECHMAP / "speechmap-data" / "responses").glob("*.jsonl"),
             *(SPEECHMAP / "speechmap-data-historical" / "responses").glob("*.jsonl"),
             SPEECHMAP / "judge-evaluation" / "us_hard_sample_responses.jsonl"]
    return {row["model"] for path in files for row in jsonl(path)}


def site_metadata() -> dict[str, tuple[str, dt.date | None]]:
    """model -> (creator or `unknown`, release date) from the raw site metadata (JSONL despite its name)."""
    def day(value) -> dt.date | None:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    def skipped(value) -> bool:  # SpeechMap's truthy forms of `skip`
        return bool(value) if isinstance(value, (bool, int, float)) else \
            str(value).strip().lower() in ("1", "true", "yes", "y", "on")
    return {r["model_identifier"]: (r.get("creator") or "unknown", day(r.get("release_date")))
            for r in jsonl(SPEECHMAP / "site-metadata" / "model_metadata.json") if not skipped(r.get("skip"))}


def months_back(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def lab_figures(models: list[tuple[dt.date, float]]) -> tuple[float, float, int, dt.date, dt.date]:
    """(index, peak, models in window, window start, window end) of one lab's (release, % COMPLETE)
    pairs, restated from DESIGN.md section 4: monthly means in [latest - 6 months, latest], EMA with
    weight 1 - 0.5^(d/3) for a month d months after the previous one, seeded by the first month."""
    latest = max(day for day, _ in models)
    window = [(day, score) for day, score in models if months_back(latest, 6) <= day <= latest]
    months: dict[tuple[int, int], list[float]] = defaultdict(list)
    for day, score in window:
        months[(day.year, day.month)].append(score)
    ema, previous = None, None
    for (year, month), values in sorted(months.items()):
        mean = sum(values) / len(values)
        keep = 0.5 ** (max(12 * (year - previous[0]) + month - previous[1], 1) / 3) if previous else 0.0
        ema = mean if ema is None else ema * keep + mean * (1 - keep)
        previous = (year, month)
    return ema, max(score for _, score in window), len(window), months_back(latest, 6), latest


def test_lab_index_counted_from_the_raw_files(store):
    meta = site_metadata()
    as_of = max(meta[m][1] for m in response_models() if m in meta and meta[m][1])
    assert as_of == inputs.default_as_of(store) == dt.date(2026, 3, 18)  # minimax/minimax-m2.7
    per_model: dict[str, Counter] = defaultdict(Counter)
    for (model, _), label in sample_labels()[GOLD_V4].items():
        per_model[model][label] += 1
    by_lab: dict[str, list[tuple[dt.date, float]]] = defaultdict(list)
    for model, counts in per_model.items():
        lab, release = meta.get(model, ("unknown", None))
        if lab != "unknown" and release and release <= as_of:
            by_lab[lab].append((release, counts["COMPLETE"] / sum(counts.values()) * 100))
    expected = {lab: lab_figures(models) for lab, models in by_lab.items()
                if max(day for day, _ in models) >= months_back(as_of, 6)}
    labs = labs_report(store, GOLD_V4)
    assert labs["lab"].tolist() == sorted(expected, key=lambda lab: (-expected[lab][0], -expected[lab][1], lab))
    assert len(labs) == 13
    for row in labs.itertuples():
        index, peak, count, start, end = expected[row.lab]
        assert (row.index, row.peak) == pytest.approx((index, peak)), row.lab
        assert (row.models_in_window, row.window_start, row.window_end) == (count, start, end), row.lab
    # SpeechMap's lab rank is the position after sorting: x-ai and z-ai tie at 100 (index and peak)
    # and still take ranks 1 and 2.
    assert labs["rank"].tolist() == list(range(1, 14))
