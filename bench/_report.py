"""Write one benchmark's section of docs/BENCHMARKS.md, leaving the other sections as they are."""
from __future__ import annotations

import datetime as dt
import fcntl
import platform
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "docs" / "BENCHMARKS.md"
HEADER = (
    "# Benchmarks\n\n"
    "Each section is written by its benchmark under `bench/` (run `make bench`, or the command given in\n"
    "the section). Ratios compare against a baseline measured in the same run on the same machine.\n"
)


def machine() -> str:
    import os
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def write_section(name: str, title: str, command: str, body: str) -> None:
    """Replace (or append) the section `name` of docs/BENCHMARKS.md."""
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    section = (
        f"<!-- bench:{name} -->\n## {title}\n\n"
        f"Command: `{command}`  \nMeasured: {stamp} on {machine()}\n\n{body.strip()}\n<!-- /bench:{name} -->"
    )
    with open(REPORT.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        text = REPORT.read_text() if REPORT.exists() else HEADER
        pattern = re.compile(rf"<!-- bench:{re.escape(name)} -->.*?<!-- /bench:{re.escape(name)} -->", re.S)
        text = pattern.sub(lambda _: section, text) if pattern.search(text) else text.rstrip() + "\n\n" + section + "\n"
        REPORT.write_text(text)


def ensure_data(scale: str) -> Path:
    """The built demo data at `scale` under bench/.cache/ (`toolkit demo`), generated once."""
    folder = ROOT / "bench" / ".cache" / scale
    data = folder / "data"
    if not (data / "judges").is_dir():
        print(f"generating the {scale} demo into {folder} (once) ...", flush=True)
        subprocess.run([sys.executable, "-m", "toolkit", "demo", "--out", str(folder), "--scale", scale,
                        "--quiet"], cwd=ROOT, check=True)
    return data


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile: the smallest value with at least q% of the values at or below it."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))  # ceil(n q / 100)
    return ordered[int(rank) - 1]
