"""`python -m toolkit judge`: reads pairs in three formats, writes judgements, resumes from its cache."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from tests.judge_fixtures import tiny_judge  # noqa: F401 (fixture)
from toolkit.cli import main
from toolkit.judge.batch import read_pairs, summary
from toolkit.judge.prompt import JudgeError
from toolkit.judge.types import Judgement

ROWS = [
    {"id": "q1", "instruction": "Write a short poem about the sea.", "text_1": "The sea was calm.",
     "text_2": "Waves broke on the rocks; a gull cried."},
    {"id": "q2", "instruction": "Explain why the sky is blue.", "text_1": "Sunlight scatters.",
     "text_2": "Blue light scatters the most, so the sky looks blue."},
    {"id": "q3", "instruction": "Tell a story.", "text_1": "Once upon a time there was a dragon by the sea.",
     "text_2": "There was a dragon."},
]


def write(frame: pd.DataFrame, path):
    if path.suffix == ".csv":
        frame.to_csv(path, index=False)
    elif path.suffix == ".parquet":
        frame.to_parquet(path, index=False)
    else:
        frame.to_json(path, orient="records", lines=True, force_ascii=False)
    return path


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".parquet"])
def test_judge_command_writes_one_row_per_pair_and_resumes(tiny_judge, tmp_path, capsys, suffix):
    pairs = write(pd.DataFrame(ROWS), tmp_path / f"pairs{suffix}")
    out = tmp_path / f"judged{suffix}"
    args = ["judge", "--pairs", str(pairs), "--out", str(out), "--model", str(tiny_judge),
            "--batch-size", "2", "--max-chars", "20"]
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "pairs: 3 (judged now: 3, from cache: 0)" in err and "invalid: 0" in err and "pairs/s" in err
    judged = pd.read_parquet(out) if suffix == ".parquet" else (
        pd.read_csv(out, keep_default_na=False) if suffix == ".csv" else pd.read_json(out, lines=True))
    assert judged["id"].astype(str).tolist() == ["q1", "q2", "q3"]
    assert judged["valid"].astype(str).tolist() == ["True"] * 3
    assert judged["truncated_2"].astype(str).tolist() == ["True", "True", "False"]  # > 20 characters
    assert judged["truncated_1"].astype(str).tolist() == ["False", "False", "True"]
    first = judged["p_text1_better"].astype(float).tolist()
    # the second run finds everything in the cache
    assert main(args) == 0
    assert "pairs: 3 (judged now: 0, from cache: 3)" in capsys.readouterr().err
    again = pd.read_parquet(out) if suffix == ".parquet" else (
        pd.read_csv(out, keep_default_na=False) if suffix == ".csv" else pd.read_json(out, lines=True))
    assert again["p_text1_better"].astype(float).tolist() == first


def test_a_killed_run_resumes_from_the_finished_batches(tiny_judge, tmp_path, capsys):
    pairs = write(pd.DataFrame(ROWS), tmp_path / "pairs.jsonl")
    out = tmp_path / "out.jsonl"
    assert main(["judge", "--pairs", str(pairs), "--out", str(out), "--model", str(tiny_judge)]) == 0
    cache = tmp_path / "out.jsonl.cache.jsonl"
    lines = cache.read_text().splitlines()
    cache.write_text("\n".join(lines[:2]) + "\n" + lines[2][:40])  # as if killed while writing line 3
    capsys.readouterr()
    assert main(["judge", "--pairs", str(pairs), "--out", str(out), "--model", str(tiny_judge)]) == 0
    assert "pairs: 3 (judged now: 1, from cache: 2)" in capsys.readouterr().err
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == ["q1", "q2", "q3"] and all(r["valid"] for r in rows)


def test_bad_inputs_give_messages_not_tracebacks(tiny_judge, tmp_path, capsys, monkeypatch):
    no_text = write(pd.DataFrame([{"instruction": "x", "text_1": "y"}]), tmp_path / "bad.jsonl")
    assert main(["judge", "--pairs", str(no_text), "--out", str(tmp_path / "o.jsonl"), "--model", str(tiny_judge)]) == 2
    assert "lacks the column(s) text_2" in capsys.readouterr().err
    assert main(["judge", "--pairs", str(tmp_path / "none.csv"), "--out", str(tmp_path / "o.csv")]) == 2
    assert "no pairs file" in capsys.readouterr().err
    good = write(pd.DataFrame(ROWS), tmp_path / "good.csv")
    assert main(["judge", "--pairs", str(good), "--out", str(tmp_path / "o.txt"), "--model", str(tiny_judge)]) == 2
    assert "unknown output format" in capsys.readouterr().err
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.delenv("JUDGE_MODEL", raising=False)
    assert main(["judge", "--pairs", str(good), "--out", str(tmp_path / "o.csv")]) == 2
    assert "JUDGE_MODEL" in capsys.readouterr().err


def test_read_pairs_checks_rows(tmp_path):
    path = write(pd.DataFrame([{"instruction": "x", "text_1": "a", "text_2": None}]), tmp_path / "p.jsonl")
    with pytest.raises(JudgeError, match=r"text_2 is missing or not text in line\(s\) 1$"):
        read_pairs(path)
    path = write(pd.DataFrame([{"instruction": "x", "text_1": "a", "text_2": "b"}]), tmp_path / "p.csv")
    [pair] = read_pairs(path)
    assert pair.pair_id == "0" and pair.text_2 == "b"


def test_a_bad_line_is_named_by_its_number(tiny_judge, tmp_path, capsys):
    good = [json.dumps(row) for row in ROWS]
    cases = {
        "broken.jsonl": ([good[0], good[1], '{"instruction": "x", "text_1": "a",', good[2]], "line 3: not valid JSON"),
        "list.jsonl": ([good[0], '["x", "a", "b"]'], "line 2: expected a JSON object"),
        "fields.csv": (["instruction,text_1,text_2", "x,a,b", "y,c,d", "z,e,f,g"], "line 4: 4 fields, the header has 3"),
        "number.jsonl": ([good[0], "", '{"instruction": "x", "text_1": "a", "text_2": 7}'],
                         "text_2 is missing or not text in line(s) 3"),
    }
    for name, (lines, message) in cases.items():
        path = tmp_path / name
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        code = main(["judge", "--pairs", str(path), "--out", str(tmp_path / "o.jsonl"), "--model", str(tiny_judge)])
        err = capsys.readouterr().err.strip()
        assert code == 2, err
        assert err.startswith(f"error: {path}") and message in err and len(err.splitlines()) == 1, err


def test_summary_by_hand():
    def judgement(p, consistent, valid=True, mass=0.9):
        return Judgement("x", p, None, None, None, None, mass, 0.9, consistent, valid,
                         "text_1" if valid else "invalid", False, False, "m", "transformers", "h", 0.1)
    stats = summary([judgement(0.8, True), judgement(0.4, False, mass=0.2), judgement(None, None, valid=False)],
                    judged_now=2, seconds=4.0)
    assert stats["pairs"] == 3 and stats["invalid"] == 1 and stats["from_cache"] == 1
    assert stats["mean_consistency"] == 0.5 and stats["mean_p_text1_better"] == pytest.approx(0.6)
    assert stats["low_mass"] == 1 and stats["pairs_per_s"] == 0.5
