"""bench/pageload.py without a browser: its arguments, the tab list it reads, the table it writes."""
from __future__ import annotations

from bench.pageload import RevisionRun, Visits, parse_args, tab_ids, table

APP_PY = '''TABS = [
    ("leaderboard", "Leaderboard", leaderboard),
    ("explorer", "Judge explorer", explorer),
    ("about", "About the data", about),
]
'''


def test_quick_is_two_visits_without_warmup():
    args = parse_args(["--quick"])
    assert (args.repeats, args.warmup, args.before, args.after) == (2, 0, "2632826", "current")
    assert (parse_args([]).repeats, parse_args([]).warmup) == (5, 1)


def test_tab_ids_in_the_order_of_tabs(tmp_path):
    (tmp_path / "toolkit" / "ui").mkdir(parents=True)
    (tmp_path / "toolkit" / "ui" / "app.py").write_text(APP_PY)
    assert tab_ids(tmp_path) == ["leaderboard", "explorer", "about"]


def run(label: str, visits: dict[str, Visits]) -> RevisionRun:
    return RevisionRun(label, label, "abc1234", list(visits), visits, [1.0])


def test_table_medians_p95_and_ratios():
    before = run("before", {"leaderboard": Visits([100, 300, 200], [1.0, 3.0, 2.0]),
                            "about": Visits([40, 40, 40], [1.0, 1.0, 1.0])})
    after = run("after", {"leaderboard": Visits([50, 150, 100], [0.5, 1.0, 0.5]),
                          "model": Visits([70, 70, 90], [0.25, 0.25, 0.25])})
    rows = table(before, after)
    # nearest rank of 3 values: median = 2nd smallest, p95 = 3rd; ratios of the medians: 100/200, 0.5/2
    assert rows[2] == "| leaderboard | 200 / 300 | 100 / 150 | 0.50 | 2.00 / 3.00 | 0.50 / 1.00 | 0.25 |"
    assert rows[3] == "| model | (no tab) | 70 / 90 | - | (no tab) | 0.25 / 0.25 | - |"
    assert rows[4] == "| about | 40 / 40 | (no tab) | - | 1.00 / 1.00 | (no tab) | - |"
    assert len(rows) == 5
