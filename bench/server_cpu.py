"""How busy a server process is: its CPU in all, per thread, and the part that is work for a visitor.

An idle Gradio server is not idle: its queue loop polls on the event-loop thread every 1 ms on Linux
(`Queue.sleep_when_free = 0.001`, progress updates every 10 ms), which costs tens of ms of CPU per
second on a quiet machine and 80-400 ms/s measured on a loaded 2-core one (load average 8-10), the
old app and the current one alike. So "the server's work for a page is done" cannot be a threshold
on the process's CPU; it is read from the threads that sit still while no page is open (Gradio's
worker threads, which run the loaders and post-processing, and DuckDB's): those threads use no CPU
unless there is work. Thread CPU times come in clock ticks (10 ms).
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from itertools import pairwise

Snapshot = dict[int, float]   # thread id -> CPU seconds (user + system) so far


def _processes(pid: int) -> list:
    import psutil

    process = psutil.Process(pid)
    return [process, *process.children(recursive=True)]


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of the process and its children so far (threads that ended included)."""
    import psutil

    total = 0.0
    for each in _processes(pid):
        try:
            times = each.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


def thread_cpu(pid: int) -> Snapshot:
    """CPU seconds so far per thread of the process and its children."""
    import psutil

    snapshot: Snapshot = {}
    for each in _processes(pid):
        try:
            snapshot.update({t.id: t.user_time + t.system_time for t in each.threads()})
        except psutil.NoSuchProcess:
            pass
    return snapshot


def work_between(earlier: Snapshot, later: Snapshot, idle_threads: frozenset[int]) -> float:
    """CPU seconds the threads outside `idle_threads` used from `earlier` to `later`. A thread that
    started in between counts from zero; one that ended in between is left out (its work was done)."""
    return sum(cpu - earlier.get(thread, 0.0) for thread, cpu in later.items() if thread not in idle_threads)


def busy_in_every_part(snapshots: list[Snapshot]) -> frozenset[int]:
    """The threads whose CPU grew from each snapshot to the next: the ones that poll while the server
    is idle (a worker finishing a job would grow in one part only)."""
    busy = [{t for t, cpu in later.items() if cpu > earlier.get(t, 0.0)} for earlier, later in pairwise(snapshots)]
    return frozenset(set.intersection(*busy)) if busy else frozenset()


@dataclass(frozen=True)
class IdleServer:
    """The server with no page open: the threads that poll, and the process's CPU rate (s per s)."""
    polling_threads: frozenset[int]
    rate: float


def idle_server(pid: int, seconds: float = 3.0, parts: int = 3) -> IdleServer:
    """Watch the server, which no page may use meanwhile, for `seconds`."""
    start, total = time.monotonic(), cpu_seconds(pid)
    snapshots = [thread_cpu(pid)]
    for _ in range(parts):
        time.sleep(seconds / parts)
        snapshots.append(thread_cpu(pid))
    rate = (cpu_seconds(pid) - total) / (time.monotonic() - start)
    return IdleServer(busy_in_every_part(snapshots), rate)


def work_in_last(snapshots: list[tuple[float, Snapshot]], idle_threads: frozenset[int], span: float) -> float | None:
    """The work (see work_between) from the latest (time, snapshot) at least `span` s before the
    last one to the last one; None while the snapshots do not yet reach that far back."""
    now, last = snapshots[-1]
    earlier = [snapshot for taken, snapshot in snapshots if taken <= now - span]
    return work_between(earlier[-1], last, idle_threads) if earlier else None
