"""bench/pageload.py without a browser: its arguments, the tab list it reads, the table it writes, and
how bench/server_cpu.py tells the server's work for a page from its idle polling."""
from __future__ import annotations

from bench.pageload import RevisionRun, Visits, load_line, parse_args, tab_ids, table
from bench.server_cpu import busy_in_every_part, work_between, work_in_last

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


# Thread CPU snapshots (thread id -> CPU s so far) as bench/server_cpu.py reads them from /proc.
LOOP, WORKER, NEW_WORKER, GONE = 1, 2, 3, 4


def test_work_leaves_out_the_polling_threads_and_counts_new_ones_from_zero():
    earlier = {LOOP: 5.0, WORKER: 1.0, GONE: 0.5}
    later = {LOOP: 5.5, WORKER: 1.25, NEW_WORKER: 0.25}
    # LOOP polls (left out); WORKER +0.25; NEW_WORKER started in between: 0.25; GONE ended: not counted
    assert work_between(earlier, later, frozenset({LOOP})) == 0.5
    assert work_between(earlier, later, frozenset()) == 1.0


def test_polling_threads_are_busy_in_every_part_of_the_watch():
    snapshots = [{LOOP: 1.0, WORKER: 2.0}, {LOOP: 1.08, WORKER: 2.5}, {LOOP: 1.17, WORKER: 2.5},
                 {LOOP: 1.25, WORKER: 2.5, NEW_WORKER: 0.01}]
    # WORKER finished a job in the first part only; NEW_WORKER appeared in the last one
    assert busy_in_every_part(snapshots) == frozenset({LOOP})
    assert busy_in_every_part(snapshots[:1]) == frozenset()


def test_work_in_last_reaches_back_at_least_the_span():
    snapshots = [(10.0, {LOOP: 1.0, WORKER: 0.0}), (10.4, {LOOP: 1.1, WORKER: 0.5}),
                 (11.1, {LOOP: 1.2, WORKER: 0.5}), (11.5, {LOOP: 1.3, WORKER: 0.5})]
    idle = frozenset({LOOP})
    assert work_in_last(snapshots[:2], idle, 1.0) is None          # 0.4 s of history only
    assert work_in_last(snapshots[:3], idle, 1.0) == 0.5           # from 10.0: the worker's 0.5 s
    assert work_in_last(snapshots, idle, 1.0) == 0.0               # from 10.4 (the latest >= 1 s back)


def test_load_line_gives_the_idle_servers_rate():
    after = run("after", {"about": Visits([40], [1.0])})
    after.load, after.idle_rates = [1.5, 2.5], [0.08, 0.4]
    assert load_line(after) == ("after (abc1234): load average (1 min) 1.50-2.50, mean 2.00; "
                                "idle server 80-400 ms CPU per s")
