"""The tournament runner on the real creative-writing sample with the reference judge: files, resumability,
sensible separability; the CLI and its errors; the demo matches and the Elo tab's pure functions."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from tests.judge_fixtures import tiny_judge  # noqa: F401 (fixture)
from toolkit.arena.demo import ensure_demo_matches, generate_outputs
from toolkit.arena.matches_source import MatchesSourceError, resolve_matches
from toolkit.arena.reference import reference_judge_for
from toolkit.arena.summary import MATCH_COLUMNS
from toolkit.arena.tournament import TournamentConfig, load_outputs, prepare_outputs, run_tournaments
from toolkit.cli import main

SMALL = TournamentConfig(rounds=8, prompt_rounds=3, bootstraps=4, ci_bootstraps=100, seed=1)


@pytest.fixture(scope="module")
def cw_path(shared_data):
    return shared_data / "creative-writing" / "cw_outputs.parquet"


@pytest.fixture(scope="module")
def cw_outputs(cw_path):
    return load_outputs(cw_path)


class CountingJudge:
    """The reference judge, counting what it is asked; optionally failing after some batches."""

    def __init__(self, inner, fail_after=None):
        self.inner, self.name, self.backend = inner, inner.name, inner.backend
        self.template_hash, self.seen_text = inner.template_hash, inner.seen_text
        self.pairs = 0
        self.batches = 0
        self.fail_after = fail_after

    def judge(self, pairs):
        if self.fail_after is not None and self.batches >= self.fail_after:
            raise KeyboardInterrupt("simulated interruption")
        self.batches += 1
        self.pairs += len(pairs)
        return self.inner.judge(pairs)


def test_outputs_are_read_as_they_are(cw_outputs, cw_path):
    assert len(cw_outputs) == 31 * 32                         # iteration 1: one output per writer and prompt
    assert cw_outputs["score"].isna().sum() >= 1               # some outputs have no reference score
    everything = load_outputs(cw_path, iteration="all")
    assert len(everything) == 2976 and everything["prompt_id"].str.contains("#").all()
    with pytest.raises(ValueError, match="share a"):   # all three iterations labelled 1: not one output each
        prepare_outputs(pd.read_parquet(cw_path).assign(iteration_id=1))


def test_runner_writes_files_and_resumes(cw_outputs, tmp_path):
    judge = CountingJudge(reference_judge_for(cw_outputs))
    result = run_tournaments(cw_outputs, judge, tmp_path, SMALL)
    for name in ("matches.parquet", "ratings.parquet", "separability.json"):
        assert (tmp_path / name).exists()
    matches = pd.read_parquet(tmp_path / "matches.parquet")
    assert list(matches.columns) == MATCH_COLUMNS
    assert set(matches["option"]) == {"A", "B"}
    # Option A: 32 prompts x 3 rounds x 15 games (31 writers: one bye per round).
    assert (matches["option"] == "A").sum() == 32 * 3 * 15
    # Every distinct (prompt, pair of texts) was judged exactly once.
    lo = np.minimum(matches["text_id_a"], matches["text_id_b"])
    hi = np.maximum(matches["text_id_a"], matches["text_id_b"])
    assert judge.pairs == len(pd.DataFrame({"p": matches["prompt_id"], "lo": lo, "hi": hi}).drop_duplicates())
    # Both passes are recorded and the average is theirs.
    valid = matches[matches["valid"]]
    assert np.allclose(valid["p_a"], (valid["pass1_p_a"] + valid["pass2_p_b"]) / 2)
    assert (~matches["valid"]).any()                           # pairs with an unscored text are invalid
    invalid = matches[~matches["valid"]]
    assert (invalid["score_a"].isna() | invalid["score_b"].isna()).all()
    ratings = pd.read_parquet(tmp_path / "ratings.parquet")
    assert set(ratings["scope"]) == {"overall", "option_a", "option_b"}
    assert (ratings["scope"] == "overall").sum() == 31
    # A second run judges nothing and writes the same matches.
    again = CountingJudge(reference_judge_for(cw_outputs))
    rerun = run_tournaments(cw_outputs, again, tmp_path, SMALL)
    assert again.pairs == 0 and rerun.judged_now == 0
    pd.testing.assert_frame_equal(rerun.matches, result.matches)


def test_an_interrupted_run_resumes_where_it_stopped(cw_outputs, tmp_path):
    reference = reference_judge_for(cw_outputs)
    stopped = CountingJudge(reference, fail_after=4)
    with pytest.raises(KeyboardInterrupt):
        run_tournaments(cw_outputs, stopped, tmp_path / "resumed", SMALL)
    assert len(list((tmp_path / "resumed" / "judged").glob("part-*.parquet"))) == 4
    resumed = CountingJudge(reference)
    finished = run_tournaments(cw_outputs, resumed, tmp_path / "resumed", SMALL)
    straight = CountingJudge(reference)
    uninterrupted = run_tournaments(cw_outputs, straight, tmp_path / "straight", SMALL)
    assert stopped.pairs + resumed.pairs == straight.pairs     # nothing judged twice
    assert resumed.pairs < straight.pairs
    # The same games and judgements (only the judge's wall time differs between runs).
    pd.testing.assert_frame_equal(finished.matches.drop(columns="latency_s"),
                                  uninterrupted.matches.drop(columns="latency_s"))


def test_separability_on_the_real_sample_is_sensible(cw_outputs, tmp_path):
    result = run_tournaments(cw_outputs, reference_judge_for(cw_outputs), tmp_path,
                             TournamentConfig(ci_bootstraps=200))
    report = json.loads((tmp_path / "separability.json").read_text())
    a, b = report["option_a"], report["option_b"]
    # The seed's scale (101 writers): A omega^2 0.68, Cliff 0.64; B omega^2 0.90, Cliff 0.82.
    assert 0.5 < a["omega_squared"] < 0.95 and 0.5 < a["cliffs_delta"] < 0.9
    assert b["omega_squared"] > a["omega_squared"] and b["cliffs_delta"] > a["cliffs_delta"]
    assert 5 < b["mean_sd"] < 40                                # +-15 Elo typical spread in the seed
    assert report["position_bias"]["share_position_a"] == pytest.approx(0.5)  # T only: no bias
    assert report["meta_evaluation"]["window"]["strict_accuracy"] == 1.0      # the reference agrees with itself
    board = result.summary["leaderboard"]
    assert board["elo"].is_monotonic_decreasing and board["rank"].iloc[0] == 1
    assert (board["lower"] <= board["elo"]).all() and (board["elo"] <= board["upper"]).all()
    mean_scores = cw_outputs.groupby("model")["score"].mean()
    assert np.corrcoef(board["elo"], mean_scores[board["model"]])[0, 1] > 0.9


def test_cli_runs_and_reports_user_errors(cw_path, tmp_path, capsys):
    out = tmp_path / "cli"
    assert main(["tournament", "--outputs", str(cw_path), "--out", str(out), "--rounds", "4", "--prompt-rounds", "2",
                 "--bootstraps", "2", "--ci-bootstraps", "50", "--no-progress", "--options", "B"]) == 0
    assert "Option B: omega^2" in capsys.readouterr().out
    assert set(pd.read_parquet(out / "matches.parquet")["option"]) == {"B"}
    assert main(["tournament", "--outputs", str(tmp_path / "missing.parquet"), "--out", str(out)]) == 2
    assert "no such outputs file" in capsys.readouterr().err
    assert main(["tournament", "--outputs", str(cw_path), "--out", str(out), "--text-column", "nope"]) == 2
    assert "no column(s) nope" in capsys.readouterr().err
    assert main(["tournament", "--outputs", str(cw_path), "--out", str(out), "--iteration", "7"]) == 2
    assert "iteration_id = 7" in capsys.readouterr().err
    assert main(["tournament", "--outputs", str(cw_path), "--out", str(out), "--score-column", ""]) == 2
    assert "needs reference scores" in capsys.readouterr().err


def test_demo_matches_are_generated_once(tmp_path):
    outputs = generate_outputs(seed=0)
    assert outputs.equals(generate_outputs(seed=0)) and not outputs.equals(generate_outputs(seed=1))
    path = ensure_demo_matches(tmp_path)
    stamp = path.stat().st_mtime_ns
    assert ensure_demo_matches(tmp_path).stat().st_mtime_ns == stamp   # cached
    matches = pd.read_parquet(path)
    assert matches["model_a"].nunique() == 14 and set(matches["option"]) == {"A", "B"}


def test_matches_sources(tmp_path, monkeypatch):
    path = ensure_demo_matches(tmp_path / "demo")
    assert resolve_matches(str(path.parent)) == path and resolve_matches(str(path)) == path
    with pytest.raises(MatchesSourceError, match="no matches.parquet"):
        resolve_matches(str(tmp_path))
    with pytest.raises(MatchesSourceError, match="not a Hub dataset id"):
        resolve_matches(str(tmp_path / "nothing" / "here.parquet"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    import huggingface_hub.constants as constants
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(MatchesSourceError, match="someone/matches"):
        resolve_matches("someone/matches")


def test_cached_judgements_follow_what_the_judge_sees(tiny_judge, tmp_path):
    """The cache key holds the judge, its template and the texts after truncation: another max_chars judges
    again, the same settings (or a limit no text reaches) reuse the judgements."""
    from toolkit.judge import load_judge
    from toolkit.judge.engine import Judge

    rows = [{"writer_model": f"m{m}", "prompt_id": f"p{p}", "prompt_text": f"Write about the sea, take {p}.",
             "response_text": f"Writer {m} on prompt {p}: the sea was calm and the moon was bright.",
             "overall_score": float(m), "iteration_id": 1} for m in range(4) for p in range(2)]
    outputs = prepare_outputs(pd.DataFrame(rows))
    config = TournamentConfig(options=("A",), prompt_rounds=1, ci_bootstraps=10)
    backend = load_judge(str(tiny_judge), device="cpu").backend

    def judged(max_chars):
        return run_tournaments(outputs, Judge(backend, max_chars=max_chars), tmp_path, config).judged_now

    assert judged(None) == 4                     # 2 prompts x 2 games (4 writers)
    assert judged(None) == 0                     # same settings: all from the cache
    assert judged(20) == 4                       # the judge now sees the first 20 characters: judged again
    assert judged(20) == 0
    assert judged(10_000) == 0                   # longer than every text: it sees what it saw without a limit
    parts = pd.concat(map(pd.read_parquet, sorted((tmp_path / "judged").glob("part-*.parquet"))))
    assert len(parts) == 8 and parts["key"].is_unique
