"""Benchmark: page-load time per tab and server CPU per first visit, before vs after lazy tabs.

    python bench/pageload.py [--before 2632826] [--after current] [--repeats 5] [--warmup 1] [--quick]
                             [--no-report]

Both revisions (a git rev, checked out with `git worktree add --detach` under /tmp and removed
afterwards; `current` = this working tree) run their own app.py at once, on the small demo data,
built once with the current code into bench/.cache/small (`python -m toolkit demo`). The revisions read the
same tables: the demo built by 2632826 and by 3759d5a differ only in the `source` paths and in the
later `original_response_error` column (all false in the demo), which 2632826's Store ignores.

For each tab of the revision (its toolkit/ui/app.py TABS), a fresh Chromium context opens `?tab=ID`
and measures:
- time to content: navigation start -> the tab's main content is on screen and filled by its loader
  (CONTENT below: a status line, a table's first cell, or, for the static tabs, the tab's first
  control shown once the tab is selected);
- server CPU: user + system seconds of the app process (and any children) from before navigation
  until the page is idle: no request in flight for IDLE_S (Gradio's streams excluded) and the
  server's work threads quiet over the last IDLE_S (under WORK_QUIET_S); net of the idle server's
  own CPU. An idle Gradio server polls on its event loop and uses tens to hundreds of ms of CPU per
  second (bench/server_cpu.py), so quiet is judged by the threads that sit still when no page is
  open, and each round starts by watching both servers idle (their polling threads and CPU rate).
Before lazy tabs (2632826) every page load ran every tab's loader; after, only the visible tab's.
Visits go in rounds: each round visits every tab of both revisions once, alternating revisions tab
by tab, so that the machine's changing load falls on both alike. `--warmup` unmeasured rounds come
first (one-off imports and query planning after a server starts), then `--repeats` measured ones;
median and p95 (nearest rank) per tab. The browser shares the machine with the servers, and so do
other processes: the load average is reported with the figures.
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench._report import ensure_data, percentile, write_section  # noqa: E402
from bench.server_cpu import (  # noqa: E402
    IdleServer,
    cpu_seconds,
    idle_server,
    thread_cpu,
    work_in_last,
)
from tests.browser import CHROMIUM, CHROMIUM_ARGS, app_process  # noqa: E402

CURRENT = "current"
IDLE_S = 1.0          # no request in flight this long = the page is idle
WORK_QUIET_S = 0.02   # CPU of the server's work threads in the last IDLE_S under this (two clock
                      # ticks) = its work for the visit is done; a busy thread uses 10x that on a loaded machine
VISIT_TIMEOUT_S = 60
# Per tab id: (how the content is recognised, CSS selector). "text": shown with non-empty text;
# "table": a Gradio Dataframe shown with a non-empty body cell; "shown": on screen (static tabs).
CONTENT = {
    "leaderboard": ("text", "#lb-status"),
    "model": ("text", "#md-name"),
    "lab": ("text", "#lab-header"),
    "domain": ("text", "#dm-header"),
    "themes": ("table", "#th-summary"),
    "timeline": ("table", "#tl-points"),
    "judges": ("table", "#jd-scores"),
    "explorer": ("text", "#xp-agreement"),
    "pairwise": ("shown", "#pw-response-1"),
    "elo": ("text", "#elo-status"),
    "about": ("table", "#about-judges"),
}
# Resolves to performance.now() (ms since navigation start) once the content is there, else false.
READY_JS = """([kind, selector]) => {
  const el = document.querySelector(selector);
  if (!el || el.getClientRects().length === 0) { return false; }
  const filled = kind === 'shown' ? true
    : kind === 'text' ? el.innerText.trim().length > 0
    : Array.from(el.querySelectorAll('[role=gridcell]')).some(c => c.innerText.trim().length > 0);
  return filled ? performance.now() : false;
}"""
TAB_LINE = re.compile(r'^\s*\("([a-z_]+)",\s*"([^"]+)",\s*\w+\),?\s*$', re.M)


@dataclass
class Visits:
    """The measured visits of one tab under one revision."""
    content_ms: list[float] = field(default_factory=list)
    cpu_s: list[float] = field(default_factory=list)


@dataclass
class RevisionRun:
    label: str                 # "before" / "after"
    rev: str                   # as given
    commit: str                # short hash ("+ changes" for a dirty working tree)
    tabs: list[str]
    visits: dict[str, Visits]
    load: list[float]          # 1-minute load average, sampled after each visit
    idle_rates: list[float] = field(default_factory=list)  # the idle server's CPU s per s, each round
    retries: list[str] = field(default_factory=list)  # visits redone after a timeout, and why


# -- revisions --------------------------------------------------------------------------------
def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()


def describe(rev: str) -> str:
    if rev != CURRENT:
        return git("rev-parse", "--short", rev)
    dirty = git("status", "--porcelain", "--untracked-files=no")
    return git("rev-parse", "--short", "HEAD") + (" + uncommitted changes" if dirty else "")


@contextmanager
def checkout(rev: str) -> Iterator[Path]:
    """The revision's tree: this working tree for `current`, else a detached worktree under /tmp."""
    if rev == CURRENT:
        yield ROOT
        return
    folder = Path(tempfile.mkdtemp(prefix="pageload-")) / "tree"
    git("worktree", "add", "--detach", str(folder), rev)
    try:
        yield folder
    finally:
        git("worktree", "remove", "--force", str(folder))
        folder.parent.rmdir()


def tab_ids(tree: Path) -> list[str]:
    """The tab ids in the order of the revision's TABS (toolkit/ui/app.py)."""
    ids = [m.group(1) for m in TAB_LINE.finditer((tree / "toolkit" / "ui" / "app.py").read_text())]
    if not ids:
        raise SystemExit(f"no TABS found in {tree}/toolkit/ui/app.py")
    return ids


# -- the app ----------------------------------------------------------------------------------
@contextmanager
def serving(tree: Path, data: Path, timeout: float = 300) -> Iterator[tuple[str, int]]:
    """The revision's app.py on a free port, importing the revision's own toolkit; (URL, pid)."""
    with app_process(data, tree=tree, env={"PYTHONPATH": str(tree)}, timeout=timeout) as (url, process):
        yield url, process.pid


# -- one visit --------------------------------------------------------------------------------
class Traffic:
    """Requests in flight on a page, and when the last one started or ended. Gradio's streams
    (`/heartbeat/`, and `queue/data`, which carries the events' results and now and then stays open
    long after the last one) are left out: the server's work threads tell when its work is done."""
    STREAMS = ("/heartbeat/", "/queue/data")

    def __init__(self, page):
        self.in_flight: set = set()
        self.last = time.monotonic()
        page.on("request", lambda r: self._count(r, self.in_flight.add))
        page.on("requestfinished", lambda r: self._count(r, self.in_flight.discard))
        page.on("requestfailed", lambda r: self._count(r, self.in_flight.discard))

    def _count(self, request, change) -> None:
        if not any(stream in request.url for stream in self.STREAMS):
            change(request)
            self.last = time.monotonic()

    def wait_idle(self, page, pid: int, idle: IdleServer, timeout: float = VISIT_TIMEOUT_S) -> None:
        """Until no request is in flight and none started or ended for IDLE_S, and the server's
        threads other than its idle polling ones used under WORK_QUIET_S of CPU over the last IDLE_S."""
        deadline = time.monotonic() + timeout
        snapshots = [(time.monotonic(), thread_cpu(pid))]
        while True:
            page.wait_for_timeout(100)
            now = time.monotonic()
            snapshots.append((now, thread_cpu(pid)))
            work = work_in_last(snapshots, idle.polling_threads, IDLE_S)
            if work is not None and work < WORK_QUIET_S and not self.in_flight and now - self.last >= IDLE_S:
                return
            if now > deadline:
                raise TimeoutError(f"page not idle after {timeout}s: work threads {work or 0:.2f} s of CPU "
                                   f"in the last {IDLE_S:.0f} s, in flight: {[r.url for r in self.in_flight]}")


def wait_content(page, tab: str) -> float:
    """ms from navigation start until the tab's content is there (see CONTENT)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    kind, selector = CONTENT[tab]
    try:
        return page.wait_for_function(READY_JS, arg=[kind, selector], polling=50).json_value()
    except PlaywrightTimeout:
        shown = page.evaluate("(s) => document.querySelector(s)?.outerHTML.slice(0, 1500) ?? 'absent'", selector)
        raise TimeoutError(f"tab {tab}: no {kind} content in {selector} after {VISIT_TIMEOUT_S}s: {shown}") from None


def visit(browser, server: Server, tab: str) -> tuple[float, float]:
    """(ms from navigation start to content, server CPU seconds until idle) of one first visit. The
    CPU is net of the idle server's own: its rate watched at the start of the round times the visit's length."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        page.set_default_timeout(VISIT_TIMEOUT_S * 1000)
        traffic = Traffic(page)
        cpu_before, start = cpu_seconds(server.pid), time.monotonic()
        page.goto(f"{server.url}?tab={tab}", wait_until="commit")
        content_ms = wait_content(page, tab)
        traffic.wait_idle(page, server.pid, server.idle)
        return content_ms, cpu_seconds(server.pid) - cpu_before - server.idle.rate * (time.monotonic() - start)
    finally:
        context.close()


def visit_again_on_timeout(browser, server: Server, tab: str, attempts: int = 3) -> tuple[float, float]:
    """A visit; redone (up to `attempts` in all) when the content or the idle page does not come:
    on a loaded machine a request now and then stalls. Each redo is reported."""
    retries = server.run.retries
    for _ in range(attempts - 1):
        try:
            return visit(browser, server, tab)
        except TimeoutError as error:
            retries.append(f"{tab}: {str(error)[:300]}")
            print(f"  redo after: {retries[-1]}", flush=True)
    return visit(browser, server, tab)


@dataclass
class Server:
    """One revision's app, running, and its measurements."""
    run: RevisionRun
    url: str
    pid: int
    idle: IdleServer = field(default_factory=lambda: IdleServer(frozenset(), 0.0))  # watched each round


@contextmanager
def started(label: str, rev: str, data: Path) -> Iterator[Server]:
    with checkout(rev) as tree:
        tabs = tab_ids(tree)
        unknown = [t for t in tabs if t not in CONTENT]
        if unknown:
            raise SystemExit(f"{rev}: no CONTENT rule for tab(s) {unknown}: add one to bench/pageload.py")
        with serving(tree, data) as (url, pid):
            yield Server(RevisionRun(label, rev, describe(rev), tabs, {t: Visits() for t in tabs}, []), url, pid)


def tab_order(servers: list[Server]) -> list[str]:
    """Every tab once: the last revision's order, then tabs only earlier revisions have."""
    order = list(servers[-1].run.tabs)
    return order + [t for s in servers for t in s.run.tabs if t not in order]


def measure(servers: list[Server], repeats: int, warmup: int) -> None:
    """Round after round, each tab of each revision once, revisions alternating tab by tab: the
    machine's changing load falls on both alike. The first `warmup` rounds are not recorded."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        for round_number in range(warmup + repeats):
            for server in servers:
                server.idle = idle_server(server.pid)
                server.run.idle_rates.append(server.idle.rate)
            for tab in tab_order(servers):
                for server in (s for s in servers if tab in s.run.visits):
                    run = server.run
                    content_ms, cpu_s = visit_again_on_timeout(browser, server, tab)
                    run.load.append(os.getloadavg()[0])
                    if round_number >= warmup:
                        run.visits[tab].content_ms.append(content_ms)
                        run.visits[tab].cpu_s.append(cpu_s)
            print(f"  round {round_number + 1}/{warmup + repeats} done "
                  f"({'warm-up' if round_number < warmup else 'measured'})", flush=True)
        browser.close()


# -- the report -------------------------------------------------------------------------------
def stats(values: list[float], form: str) -> str:
    """'median / p95' of the values."""
    return f"{form.format(percentile(values, 50))} / {form.format(percentile(values, 95))}"


def ratio(after: list[float], before: list[float]) -> str:
    low = percentile(before, 50)
    return f"{percentile(after, 50) / low:.2f}" if low > 0 else "-"


def table(before: RevisionRun, after: RevisionRun) -> list[str]:
    """One row per tab (the union, in the after revision's order): median / p95 before and after, and
    the after/before ratio of the medians."""
    rows = ["| tab (`?tab=`) | content ms before | content ms after | ratio | server CPU s before "
            "| server CPU s after | ratio |", "|---|---:|---:|---:|---:|---:|---:|"]
    for tab in after.tabs + [t for t in before.tabs if t not in after.tabs]:
        old, new = before.visits.get(tab), after.visits.get(tab)
        cells = []
        for pick, form in ((lambda v: v.content_ms, "{:.0f}"), (lambda v: v.cpu_s, "{:.2f}")):
            cells += [stats(pick(old), form) if old else "(no tab)", stats(pick(new), form) if new else "(no tab)",
                      ratio(pick(new), pick(old)) if old and new else "-"]
        rows.append(f"| {tab} | " + " | ".join(cells) + " |")
    return rows


def load_line(run: RevisionRun) -> str:
    load = run.load or [0.0]
    redone = f"; {len(run.retries)} visit(s) redone after a timeout" if run.retries else ""
    idle = run.idle_rates or [0.0]
    return (f"{run.label} ({run.commit}): load average (1 min) {min(load):.2f}-{max(load):.2f}, "
            f"mean {sum(load) / len(load):.2f}; idle server {1000 * min(idle):.0f}-{1000 * max(idle):.0f} ms "
            f"CPU per s{redone}")


def report_body(before: RevisionRun, after: RevisionRun, repeats: int, warmup: int) -> str:
    return "\n".join([
        f"Small demo data; before = `{before.rev}` ({before.commit}, {len(before.tabs)} tabs, every page load "
        f"runs every tab's loader), after = `{after.rev}` ({after.commit}, {len(after.tabs)} tabs, only the "
        f"visible tab's loader runs). Per tab: {repeats} first visits of `?tab=ID` in a fresh headless Chromium "
        f"context ({warmup} unmeasured before), the two apps running side by side and visited in turn; "
        "median / p95. Content: navigation start -> the tab's main "
        "element filled; server CPU: the app process, navigation -> page idle, net of its idle rate "
        f"(no request for {IDLE_S:.0f} s and the server's threads that sit still when idle "
        "quiet over it). Ratio: after / before, medians.",
        "",
        *table(before, after),
        "",
        load_line(before) + ".  ",
        load_line(after) + ".",
    ])


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default="2632826", help="git rev of the baseline (default: before lazy tabs)")
    parser.add_argument("--after", default=CURRENT, help=f"git rev, or '{CURRENT}' for this working tree")
    parser.add_argument("--repeats", type=int, default=5, help="measured first visits per tab")
    parser.add_argument("--warmup", type=int, default=1, help="unmeasured visits per tab before them")
    parser.add_argument("--quick", action="store_true", help="2 visits per tab, no warm-up (a smoke run)")
    parser.add_argument("--no-report", action="store_true", help="print only; leave docs/BENCHMARKS.md alone")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeats, args.warmup = 2, 0
    if args.repeats < 1 or args.warmup < 0:
        parser.error("--repeats must be >= 1 and --warmup >= 0")
    return args


def main() -> None:
    args = parse_args()
    data = ensure_data("small")
    clock = time.monotonic()
    with ExitStack() as stack:
        servers = [stack.enter_context(started("before", args.before, data)),
                   stack.enter_context(started("after", args.after, data))]
        measure(servers, args.repeats, args.warmup)
    before, after = (s.run for s in servers)
    body = report_body(before, after, args.repeats, args.warmup) + f"  \nWhole run: {time.monotonic() - clock:.0f} s."
    print(body)
    if not args.no_report:
        command = "python bench/pageload.py" + (" --quick" if args.quick else "")
        write_section("pageload", "Page load: time to content and server CPU per tab, before vs after lazy tabs",
                      command, body)


if __name__ == "__main__":
    main()
