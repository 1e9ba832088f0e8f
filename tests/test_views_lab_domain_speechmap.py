"""The lab and domain views against SpeechMap's rules (tests/speechmap_reference.py, an independent
restatement of preprocess.py) on the real judge-evaluation sample and on the demo.

Lab pages: `compute_lab_domain_indexes` (per domain: index, rank, total, ties, the lab's window
models, the response-weighted mix). Domain pages (`generate_domain_pages`): the models with
responses in the domain, ranked as `_domain_model_ranks`; the domain's themes as
`question_theme_summary`; the domain median of the models' % COMPLETE there and the global median of
every model's overall % COMPLETE (sorted values: the middle one, or the mean of the two middle ones).
"""
from __future__ import annotations

import pytest

from tests import speechmap_reference as ref
from tests.test_speechmap_reference import (DEMO_NOW, SAMPLE_NOW, SAMPLE_PAST, case,  # noqa: F401 - fixtures
                                            demo_case, sample_case)
from toolkit.query.domain_view import domain_page
from toolkit.query.lab_view import lab_page

SHARES = tuple(ref.SHARE.values())


def middle(values: list[float]) -> float:
    """SpeechMap's median: the middle of the sorted values, or the mean of the two middle ones."""
    ordered, half = sorted(values), len(values) // 2
    return ordered[half] if len(ordered) % 2 else (ordered[half - 1] + ordered[half]) / 2


@pytest.mark.parametrize("case, as_of", [("sample", SAMPLE_NOW), ("sample", SAMPLE_PAST), ("demo", DEMO_NOW)],
                         indirect=["case"])
def test_lab_view_domains_equal_speechmaps(case, as_of):
    indexes = ref.compute_lab_domain_indexes(case.summaries.model_summary, case.meta,
                                             case.summaries.model_theme_summary, as_of)
    labs = sorted({lab for per_lab in indexes.values() for lab in per_lab})
    store = case.store()
    compared = 0
    for lab in labs:
        ours = {r["domain"]: r for r in lab_page(store, case.judge, lab, "us_hard", None, as_of)
                .domains.to_dict("records")}
        theirs = {domain: per_lab[lab] for domain, per_lab in indexes.items() if lab in per_lab}
        assert ours.keys() == theirs.keys(), lab
        for domain, value in theirs.items():
            mine = ours[domain]
            assert (mine["rank"], mine["labs"], mine["tied"], mine["models_in_window"]) == (
                value["rank"], value["total"], value["ties"], value["models"]), (lab, domain)
            assert [mine["index"], *(mine[s] for s in SHARES)] == pytest.approx(
                [value["index"], *(value["mix"][s] for s in SHARES)], abs=1e-9), (lab, domain)
            compared += 1
    assert compared > 10 and len(labs) > 3


@pytest.mark.parametrize("case", ["sample", "demo"], indirect=True)
def test_domain_view_equals_speechmaps(case):
    tallies = ref.domain_tallies(case.summaries.model_theme_summary)
    ranks = ref.domain_model_ranks(case.summaries.model_theme_summary)
    overall = {}
    for models in tallies.values():
        for model, tally in models.items():
            overall.setdefault(model, ref.Tally()).merge(tally)
    global_median = middle([t.counts["COMPLETE"] / t.c * 100 for t in overall.values() if t.c])
    store = case.store()
    for domain, models in tallies.items():
        page = domain_page(store, case.judge, domain, "us_hard")
        ours = {r["model"]: r for r in page.models.to_dict("records")}
        assert ours.keys() == {m for m, t in models.items() if t.c}, domain
        for model, value in ranks[domain].items():
            shares = models[model].shares()
            assert (ours[model]["n"], ours[model]["rank"], ours[model]["total"], ours[model]["tied"]) == (
                value["n"], value["rank"], value["total"], value["ties"]), (domain, model)
            assert [ours[model][s] for s in SHARES] == pytest.approx([shares[s] for s in SHARES], abs=1e-9)
        themes = [r for r in case.summaries.question_theme_summary if r["domain"] == domain]
        assert page.themes["theme"].tolist() == [r["theme"] for r in themes]
        for mine, theirs in zip(page.themes.to_dict("records"), themes):
            assert [mine[k] for k in ("n", "models", *SHARES)] == pytest.approx(
                [theirs[k] for k in ("n", "models", *SHARES)], abs=1e-9), theirs["theme"]
        assert page.header["median_pct_complete"] == pytest.approx(
            middle([v["pct_complete"] for v in ranks[domain].values()]), abs=1e-9), domain
        assert page.header["global_median_pct_complete"] == pytest.approx(global_median, abs=1e-9)
    assert len(tallies) > 3
