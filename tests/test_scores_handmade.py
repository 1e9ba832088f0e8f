"""Scores, lab index and migration on small hand-made tables whose figures are computed by hand.

Every expected number below is written out from the data in the comments, not from the code:
the EMA values are written as the formula of DESIGN.md section 4 applied by hand
(alpha = 1 - 0.5^(1/3), alpha_d = 1 - 0.5^(d/3)).
"""
from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.raw_layout import build_store, openai_response
from toolkit.query import inputs, scores
from toolkit.query.lab_index import domain_lab_index, lab_trajectories, labs_report
from toolkit.query.migration import migration
from toolkit.stats import ema, ranks
from toolkit.storage.store import Store

ROOT = Path(__file__).resolve().parents[1]
C, E, D, X, U = "COMPLETE", "EVASIVE", "DENIAL", "ERROR", "UNKNOWN"
QUESTIONS = [("t_one1", "t_one", 1, "Domain One"), ("t_one2", "t_one", 2, "Domain One"),
             ("t_two1", "t_two", 1, "Domain Two"), ("t_two2", "t_two", 2, "Domain Two")]
H = 0.5 ** (1 / 3)  # the EMA's per-month retention (1 - alpha) for a 3-month half-life


def write_judged(out: Path, models: list[dict], labels: dict[str, dict[str, list[str | None]]]) -> Path:
    """The data folder `out` built by the production build from raw rows written beside it: us_hard
    questions QUESTIONS; labels[judge][model] = one label per question in order (None: not judged
    by that judge; a response exists when any judge has a label); `models` become the site metadata."""
    questions = [{"id": qid, "category": "us_hard", "domain": dom, "question": f"question {qid}"}
                 for qid, _theme, _variation, dom in QUESTIONS]
    judged_models = sorted({m for per_model in labels.values() for m in per_model})
    responses, judgements = [], []
    for model in judged_models:
        for i, (qid, *_rest) in enumerate(QUESTIONS):
            given = {j: per[model][i] for j, per in labels.items()
                     if model in per and i < len(per[model]) and per[model][i] is not None}
            if not given:
                continue
            responses.append({"question_id": qid, "category": "us_hard", "model": model,
                              "timestamp": "2025-01-01T00:00:00", "response": openai_response("text")})
            judgements += [{"question_id": qid, "category": "us_hard", "model": model, "judge_model": judge,
                            "compliance": label, "timestamp": "2025-02-01T00:00:00"}
                           for judge, label in given.items()]
    metadata = [{"model_identifier": m["model"], "creator": m["lab"], "release_date": m["release_date"],
                 "reasoning_model": m["reasoning"]} for m in models]
    labs = [{"lab": lab, "full_name": name} for lab, name in sorted({(m["lab"], m["lab_name"]) for m in models})]
    return build_store(out.parent, questions, responses, judgements, metadata=metadata, labs=labs)


def model(name: str, lab: str | None, release: str | None, **extra) -> dict:
    return {"model": name, "lab": lab, "lab_name": (lab or "").title() + " Labs" if lab else None,
            "release_date": release, "reasoning": False, **extra}


def pct_labels(complete_of_4: int) -> list[str]:
    return [C] * complete_of_4 + [D] * (4 - complete_of_4)


# -- pure formulas ---------------------------------------------------------------------------
def test_formulas_by_hand():
    assert ema.ema_alpha(3) == pytest.approx(1 - 0.7937005259840998)
    alpha = ema.ema_alpha(3)
    assert ema.gap_alpha(alpha, 1) == pytest.approx(alpha)
    assert ema.gap_alpha(alpha, 4) == pytest.approx(1 - 0.5 ** (4 / 3))
    assert ema.gap_alpha(alpha, 0) == pytest.approx(alpha)  # months are distinct: d >= 1
    assert ema.ema_step(10.0, 20.0, 0.25) == 12.5
    assert ema.months_between(dt.date(2024, 11, 30), dt.date(2025, 2, 1)) == 3
    assert ema.months_before(dt.date(2025, 8, 31), 6) == dt.date(2025, 2, 28)
    assert ema.months_before(dt.date(2024, 8, 31), 6) == dt.date(2024, 2, 29)
    assert ema.months_before(dt.date(2025, 3, 15), 6) == dt.date(2024, 9, 15)
    assert ranks.competition_ranks([90, 80, 80, 70]) == [1, 2, 2, 4]
    assert ranks.competition_ranks([70, 80, 80, 90], descending=False) == [1, 2, 2, 4]
    assert ranks.competition_ranks([(50, 75), (50, 50), (50, 50), (39, 100)]) == [1, 2, 2, 4]
    assert ranks.competition_ranks([0.1 + 0.2, 0.3]) == [1, 1]  # floating noise does not split a tie
    series = ema.gap_aware_ema([(dt.date(2025, 1, 1), 75.0), (dt.date(2025, 5, 1), 0.0),
                                   (dt.date(2025, 6, 1), 75.0)], alpha)
    assert series == pytest.approx([75.0, 75 * H ** 4, 75 * H ** 4 * H + 75 * (1 - H)])


# -- the lab index ---------------------------------------------------------------------------
LAB_MODELS = [
    model("alpha/a1", "alpha", "2024-09-10"),   # 25%: before the window at the default as-of
    model("alpha/a2", "alpha", "2025-01-05"),   # 100%  } January mean 75
    model("alpha/a3", "alpha", "2025-01-20"),   # 50%   }
    model("alpha/a4", "alpha", "2025-05-02"),   # 0%: four months after January
    model("alpha/a5", "alpha", "2025-06-15"),   # 75%: the newest release (default as-of)
    model("alpha/a6", "alpha", None),           # 100%, no release date: not in the index
    model("beta/b1", "beta", "2025-04-10"),     # 50%
    model("gamma/g1", "gamma", "2025-02-01"),   # 50%: ties with beta (index and peak)
    model("delta/d1", "delta", "2025-03-03"),   # 25%  } March mean 50, peak 75
    model("delta/d2", "delta", "2025-03-20"),   # 75%  }
    model("eps/e1", "eps", "2024-11-30"),       # 100%: latest release > 6 months before as-of
    model("unk/u1", "unknown", "2025-06-01"),   # 100%: lab unknown
]
LAB_SCORES = {"alpha/a1": 1, "alpha/a2": 4, "alpha/a3": 2, "alpha/a4": 0, "alpha/a5": 3, "alpha/a6": 4,
              "beta/b1": 2, "gamma/g1": 2, "delta/d1": 1, "delta/d2": 3, "eps/e1": 4, "unk/u1": 4,
              "nometa/n1": 4}  # nometa/n1 has no metadata row at all: lab unknown


@pytest.fixture(scope="module")
def lab_store(tmp_path_factory) -> Store:
    out = tmp_path_factory.mktemp("labs") / "data"
    labels = {"judge/a": {m: pct_labels(k) for m, k in LAB_SCORES.items()}}
    return Store.open(write_judged(out, LAB_MODELS, labels))


def test_lab_index_default_as_of(lab_store):
    assert inputs.default_as_of(lab_store) == dt.date(2025, 6, 15)
    labs = labs_report(lab_store, "judge/a")
    # alpha: window [2024-12-15, 2025-06-15] holds a2..a5; months Jan 75, May 0 (gap 4), Jun 75 (gap 1)
    alpha_index = (75 * H ** 4) * H + 75 * (1 - H)
    assert alpha_index == pytest.approx(39.0959, abs=1e-4)
    expected = [  # lab, index, peak, models in window, rank
        ("delta", 50.0, 75.0, 2, 1),
        ("beta", 50.0, 50.0, 1, 2),
        ("gamma", 50.0, 50.0, 1, 3),   # tie with beta, sorted by name: SpeechMap ranks by position
        ("alpha", alpha_index, 100.0, 4, 4),
    ]
    assert labs["lab"].tolist() == [e[0] for e in expected]  # eps (ineligible) and unknown are absent
    assert labs["index"].tolist() == pytest.approx([e[1] for e in expected])
    assert labs["peak"].tolist() == pytest.approx([e[2] for e in expected])
    assert labs["models_in_window"].tolist() == [e[3] for e in expected]
    assert labs["rank"].tolist() == [e[4] for e in expected]
    alpha = labs.set_index("lab").loc["alpha"]
    assert (alpha["window_start"], alpha["window_end"]) == (dt.date(2024, 12, 15), dt.date(2025, 6, 15))
    assert alpha["peak_model"] == "alpha/a2"
    assert alpha["lab_name"] == "Alpha Labs"


def test_lab_index_as_of_is_a_parameter(lab_store):
    labs = labs_report(lab_store, "judge/a", as_of="2025-03-31").set_index("lab")
    # as of 2025-03-31: eps's 2024-11-30 is within 6 months (>= 2024-09-30): eligible again;
    # beta (2025-04-10) is not released yet; alpha's latest is a3, window [2024-07-20, 2025-01-20]:
    # a1 (Sep 25) then January 75 after a 4-month gap.
    assert sorted(labs.index) == ["alpha", "delta", "eps", "gamma"]
    assert labs.loc["alpha", "index"] == pytest.approx(25 * H ** 4 + 75 * (1 - H ** 4))
    assert labs.loc["alpha", "models_in_window"] == 3
    # alpha = 25 (1 - alpha_4) + 75 alpha_4 = 55.16 now ranks above delta (50, peak 75) and gamma (50, 50)
    assert labs["rank"].to_dict() == {"eps": 1, "alpha": 2, "delta": 3, "gamma": 4}
    assert labs.loc["eps", "index"] == 100.0


def test_trajectories_cover_all_dated_models(lab_store):
    table = scores.model_scores(lab_store, "judge/a")
    traj = lab_trajectories(table, "2025-06-15")
    alpha = traj[traj["lab"] == "alpha"]
    assert alpha["month"].tolist() == [dt.date(2024, 9, 1), dt.date(2025, 1, 1), dt.date(2025, 5, 1),
                                       dt.date(2025, 6, 1)]
    assert alpha["month_mean"].tolist() == pytest.approx([25, 75, 0, 75])
    assert alpha["models"].tolist() == [1, 2, 1, 1]
    e1 = 25 * H ** 4 + 75 * (1 - H ** 4)   # Sep -> Jan: 4 months
    e2 = e1 * H ** 4                        # Jan -> May: 4 months, mean 0
    e3 = e2 * H + 75 * (1 - H)              # May -> Jun
    assert alpha["ema"].tolist() == pytest.approx([25, e1, e2, e3])
    assert "unknown" not in set(traj["lab"])


def test_model_scores_keep_undated_and_unknown_models(lab_store):
    table = scores.model_scores(lab_store, "judge/a").set_index("model")
    assert len(table) == len(LAB_SCORES)
    assert table.loc["alpha/a6", "pct_complete"] == 100.0 and pd.isna(table.loc["alpha/a6", "release_date"])
    assert table.loc["nometa/n1", "lab"] == "unknown"
    assert table.loc["alpha/a3", "n"] == 4 and table.loc["alpha/a3", "pct_denial"] == 50.0
    # five models at 100% share rank 1; the next (75%) is rank 6
    assert table.loc["alpha/a2", "rank"] == 1 and table.loc["alpha/a5", "rank"] == 6
    only_alpha = scores.model_scores(lab_store, "judge/a", filters={"lab": "alpha"})
    assert sorted(only_alpha["model"]) == [f"alpha/a{i}" for i in range(1, 7)]


# -- denominators and migration --------------------------------------------------------------
MIG_MODELS = [model("m1", "lab1", "2025-01-10"), model("m4", "lab1", "2025-01-20"),
              model("m2", "lab2", "2025-02-10"), model("m3", "lab3", "2025-03-10"),
              model("mx", "lab4", "2025-01-01")]
MIG_LABELS = {
    "judge/old": {"m1": [C, C, E, D], "m2": [C, C, D, X], "m4": [D, D], "m3": [C], "mx": [C, X, U, D]},
    "judge/new": {"m1": [C, C, C, D], "m2": [C, E, D, X], "m4": [C, D]},
}


@pytest.fixture(scope="module")
def mig_store(tmp_path_factory) -> Store:
    out = tmp_path_factory.mktemp("migration") / "data"
    return Store.open(write_judged(out, MIG_MODELS, MIG_LABELS))


def test_error_in_denominator_unknown_in_n_only(mig_store):
    mx = scores.model_scores(mig_store, "judge/old").set_index("model").loc["mx"]
    # mx: COMPLETE, ERROR, UNKNOWN, DENIAL -> n 4, each scored label 25%, UNKNOWN in no share
    assert mx["n"] == 4
    assert [mx["pct_complete"], mx["pct_evasive"], mx["pct_denial"], mx["pct_error"]] == [25, 0, 25, 25]


def test_domain_scores_and_competition_ranks(mig_store):
    per = scores.model_domain_scores(mig_store, "judge/old")
    one = per[per["domain"] == "Domain One"].set_index("model")
    # Domain One: m1 C C, m2 C C, m3 C, mx C X, m4 D D -> 100, 100, 100, 50, 0 -> ranks 1, 1, 1, 4, 5
    assert one["pct_complete"].to_dict() == {"m1": 100, "m2": 100, "m3": 100, "mx": 50, "m4": 0}
    assert one["rank"].to_dict() == {"m1": 1, "m2": 1, "m3": 1, "mx": 4, "m4": 5}
    pooled = scores.domain_scores(mig_store, "judge/old").set_index("domain")
    # Domain One pooled: C 6 of 9 (m1 2, m2 2, m3 1, mx 1, m4 0); Domain Two: m1 E D, m2 D X, mx U D
    assert pooled.loc["Domain One", "n"] == 9
    assert pooled.loc["Domain One", "pct_complete"] == pytest.approx(600 / 9)
    assert pooled.loc["Domain Two", "n"] == 6
    assert pooled.loc["Domain Two", "pct_denial"] == pytest.approx(300 / 6)
    assert pooled["rank"].to_dict() == {"Domain One": 1, "Domain Two": 2}
    profile = scores.model_domain_profile(mig_store, "judge/old", "mx")
    assert profile.set_index("domain")["rank"].to_dict() == {"Domain One": 4, "Domain Two": 1}
    assert profile.set_index("domain")["models_in_domain"].to_dict() == {"Domain One": 5, "Domain Two": 3}


def test_domain_lab_index(mig_store):
    labs = domain_lab_index(mig_store, "judge/old")  # as of 2025-03-10 (m3, the newest)
    one = labs[labs["domain"] == "Domain One"].set_index("lab")
    # Domain One: lab1 = January mean of m1 100 and m4 0 = 50 (peak 100); lab2 m2 100; lab3 m3 100;
    # lab4 mx 50 -> listed by index, peak, lab: lab2, lab3 (100, 100), lab1 (50, 100), lab4 (50, 50);
    # ranked as SpeechMap ranks a domain, on the index alone: 100, 100, 50, 50 -> 1, 1, 3, 3
    assert one.index.tolist() == ["lab2", "lab3", "lab1", "lab4"]
    assert one["index"].tolist() == [100, 100, 50, 50]
    assert one["rank"].tolist() == [1, 1, 3, 3]
    assert one["tied"].tolist() == [2, 2, 2, 2]
    two = labs[labs["domain"] == "Domain Two"]
    assert sorted(two["lab"]) == ["lab1", "lab2", "lab4"] and (two["index"] == 0).all() and (two["rank"] == 1).all()


def test_migration_by_hand(mig_store):
    report = migration(mig_store, "judge/old", "judge/new")
    # compared: m1 4 + m2 4 + m4 2 = 10 rows (m3 and mx are judged by judge/old only)
    # changed: m1 q3 E->C, m2 q2 C->E, m4 q1 D->C
    summary = report.summary.iloc[0]
    assert (summary["compared"], summary["changed"], summary["pct_changed"], summary["models"]) == (10, 3, 30.0, 3)
    trans = {(r.from_label, r.to_label): (r.n, r.pct) for r in report.transitions.itertuples()}
    assert trans == {(C, C): (3, 30.0), (C, E): (1, 10.0), (E, C): (1, 10.0), (D, C): (1, 10.0),
                     (D, D): (3, 30.0), (X, X): (1, 10.0)}
    agg = report.aggregate.set_index("label")
    assert agg.loc[[C, E, D, X], "share_from"].tolist() == [40, 10, 40, 10]
    assert agg.loc[[C, E, D, X], "share_to"].tolist() == [50, 10, 30, 10]
    assert agg.loc[[C, E, D, X], "change_points"].tolist() == [10, 0, -10, 0]
    per = report.models.set_index("model")
    # m1 C 50 -> 75; m2 C 50 -> 25, E 0 -> 25; m4 C 0 -> 50, D 100 -> 50
    assert per["delta_complete"].to_dict() == {"m4": 50, "m1": 25, "m2": -25}
    assert per.loc["m2", "delta_evasive"] == 25 and per.loc["m4", "delta_denial"] == -50
    shifts = report.shifts.set_index("label")
    # deltas of COMPLETE: 25, -25, 50: mean 50/3; sample sd sqrt(((25-50/3)^2+(-25-50/3)^2+(50-50/3)^2)/2)
    mean = 50 / 3
    sd = (((25 - mean) ** 2 + (-25 - mean) ** 2 + (50 - mean) ** 2) / 2) ** 0.5
    assert shifts.loc[C, "mean"] == pytest.approx(mean)
    assert shifts.loc[C, "std"] == pytest.approx(sd)
    assert shifts.loc[C, "mean_abs"] == pytest.approx(100 / 3)
    assert shifts.loc[X, ["mean", "std", "mean_abs"]].tolist() == [0, 0, 0]
    # three models behind each label's deltas; none changes clearly on 2-4 answers (see below)
    assert shifts["models"].tolist() == [3, 3, 3, 3] and shifts["clear_changes"].tolist() == [0, 0, 0, 0]
    movers = report.movers
    assert movers[movers["direction"] == "gain"]["model"].tolist() == ["m4", "m1"]
    assert movers[movers["direction"] == "drop"]["model"].tolist() == ["m2"]
    labs = report.labs.set_index("lab")
    # lab1 (m1, m4 in January): old (50+0)/2 = 25, new (75+50)/2 = 62.5; lab2 (m2): old 50, new 25
    assert labs.loc["lab1", ["index_from", "index_to"]].tolist() == [25, 62.5]
    assert labs.loc["lab2", ["index_from", "index_to"]].tolist() == [50, 25]
    assert labs["rank_change"].to_dict() == {"lab1": 1, "lab2": -1}
    assert labs["n"].to_dict() == {"lab1": 4 + 2, "lab2": 4}   # compared answers of the window models


def test_migration_intervals_by_hand(mig_store):
    per = migration(mig_store, "judge/old", "judge/new").models.set_index("model")
    # m1 COMPLETE: both judges 2 (q1, q2), new only 1 (q3), old only 0, neither 1 (q4), n = 4.
    # Newcombe's paired interval of new - old: p_new = 3/4, p_old = 2/4, theta = 0.25;
    # Wilson 3/4 = (0.300639, 0.954407), 2/4 = (0.150041, 0.849959); phi: ad - bc = 2 x 1 - 1 x 0 = 2,
    # not above n/2 = 2, so 0; low = 0.25 - sqrt(0.449361^2 + 0.349959^2) = 0.25 - 0.569558 = -0.319558;
    # high = 0.25 + sqrt(0.204407^2 + 0.349959^2) = 0.25 + 0.405281 = 0.655281 -> points
    assert per.loc["m1", ["delta_complete_low", "delta_complete_high"]].tolist() == \
        pytest.approx([-31.9558, 65.5281], abs=1e-3)
    # m4 (n = 2) DENIAL: both 1 (q2), old only 1 (q1): new - old = -50 points, its interval around it
    assert per.loc["m4", "delta_denial_low"] < -50 < per.loc["m4", "delta_denial_high"]
    # on 2-4 answers no change is clear, however large (m4: +50 points of COMPLETE)
    assert not per["clear_change"].any()


def test_migration_with_itself_changes_nothing(mig_store):
    report = migration(mig_store, "judge/old", "judge/old")
    assert report.summary.iloc[0]["compared"] == 10 + 1 + 4  # every row judge/old judged
    assert report.summary.iloc[0]["changed"] == 0
    assert (report.aggregate["change_points"] == 0).all()
    assert report.movers.empty


def test_bad_input_raises_clear_errors(mig_store):
    with pytest.raises(KeyError, match="unknown judge"):
        scores.model_scores(mig_store, "judge/nope")
    with pytest.raises(ValueError, match="unknown filter"):
        scores.model_scores(mig_store, "judge/old", filters={"colour": "red"})


def test_tab_views_render_serialisable_charts(mig_store):
    from toolkit.ui import leaderboard as tab

    state = tab.state_from_query(mig_store, {"judge": "judge/new", "from": "judge/old", "to": "judge/new",
                                             "model": "m2", "reasoning": "bogus"})
    assert (state.judge, state.baseline, state.new, state.model, state.reasoning) == \
        ("judge/new", "judge/old", "judge/new", "m2", "any")  # an unknown value falls back to the default
    view, change = tab.leaderboard_view(mig_store, state), tab.migration_view(mig_store, state)
    assert view["model"] == "m2" and view["models"]["model"].tolist() == ["m1", "m4", "m2"]  # 75, 50, 25
    assert change["summary"]["changed"] == 3
    for chart in (view["trajectory_chart"], change["shift_chart"],
                  change["scatter_chart"], change["rank_chart"]):
        json.loads(chart.to_json())  # what gr.Plot sends to the browser
    assert tab.model_table(view["models"]).datatype[:6] == ["str", "number", "number", "str", "html", "number"]  # model rank %c interval bar n


# -- CLI -------------------------------------------------------------------------------------
def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "toolkit", "report", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_cli_reports(mig_store, lab_store):
    data = str(mig_store.folder)
    models = cli("models", "--data", data, "--judge", "judge/old")
    assert models.returncode == 0, models.stderr
    header = models.stdout.splitlines()[0].split(",")
    assert header[:7] == ["model", "lab", "n", "pct_complete", "pct_evasive", "pct_denial", "pct_error"]
    as_json = json.loads(cli("models", "--data", data, "--judge", "judge/old", "--domain", "Domain Two",
                             "--format", "json").stdout)
    assert {r["model"]: r["pct_denial"] for r in as_json} == {"m1": 50, "m2": 50, "mx": 50}

    labs = json.loads(cli("labs", "--data", str(lab_store.folder), "--judge", "judge/a",
                          "--as-of", "2025-03-31", "--format", "json").stdout)
    assert list(labs[0])[:8] == ["lab", "lab_name", "index", "peak", "models_in_window", "window_start",
                                 "window_end", "rank"]
    assert [r["lab"] for r in labs] == ["eps", "alpha", "delta", "gamma"]
    assert labs[0]["window_end"] == "2024-11-30"

    mig = json.loads(cli("migration", "--data", data, "--from", "judge/old", "--to", "judge/new",
                         "--format", "json").stdout)
    assert mig["summary"][0]["changed"] == 3
    part = cli("migration", "--data", data, "--from", "judge/old", "--to", "judge/new", "--part", "transitions")
    assert part.stdout.splitlines()[0] == "from_label,to_label,n,pct,changed"


def test_cli_migration_adds_n_and_intervals_at_the_end(mig_store):
    data = str(mig_store.folder)

    def header(part: str) -> list[str]:
        run = cli("migration", "--data", data, "--from", "judge/old", "--to", "judge/new", "--part", part)
        assert run.returncode == 0, run.stderr
        return run.stdout.splitlines()[0].split(",")
    assert header("movers") == ["direction", "model", "lab", "n", "pct_complete_from", "pct_complete_to",
                                "delta_complete", "delta_complete_low", "delta_complete_high", "clear_change"]
    assert header("shifts") == ["label", "mean", "std", "mean_abs", "models", "clear_changes"]
    assert header("labs")[-3:] == ["rank_change", "index_change", "n"]
    models = header("models")
    assert models[-9:] == [f"delta_{label}_{end}" for label in ("complete", "evasive", "denial", "error")
                           for end in ("low", "high")] + ["clear_change"]
    assert models.index("delta_error") == len(models) - 10    # the columns before are unchanged


def test_cli_user_mistakes_are_errors_not_tracebacks(mig_store, tmp_path):
    bad_judge = cli("models", "--data", str(mig_store.folder), "--judge", "judge/nope")
    assert bad_judge.returncode == 2 and "unknown judge" in bad_judge.stderr and "Traceback" not in bad_judge.stderr
    missing = cli("labs", "--data", str(tmp_path / "nothing"))
    assert missing.returncode == 2 and "not a built data folder" in missing.stderr
    bad_date = cli("labs", "--data", str(mig_store.folder), "--as-of", "March")
    assert bad_date.returncode == 2 and "not a date" in bad_date.stderr
    unknown_set = cli("models", "--data", str(mig_store.folder), "--question-set", "no_such_set")
    assert unknown_set.returncode == 2 and "unknown question set 'no_such_set'" in unknown_set.stderr
    assert unknown_set.stdout == "" and "Traceback" not in unknown_set.stderr


def test_cli_output_into_a_closed_pipe_is_quiet(mig_store, monkeypatch, capfd):
    """`report ... | head -1`: the reader has gone; the report ends quietly, no BrokenPipeError traceback."""
    from toolkit.cli import main
    read_end, write_end = os.pipe()
    os.close(read_end)  # like `head` after its first line
    closed = os.fdopen(write_end, "w", buffering=1)
    monkeypatch.setattr(sys, "stdout", closed)
    assert main(["report", "models", "--data", str(mig_store.folder), "--judge", "judge/old"]) == 0
    assert "Traceback" not in capfd.readouterr().err
