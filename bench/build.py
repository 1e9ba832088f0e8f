"""Benchmark: `toolkit build` against DuckDB's bare `read_json` scan of the same raw files.

    python bench/build.py [--scale full] [--seed 0]

Generates the synthetic raw data once (cached under bench/.cache/), then, in one run, times
(a) DuckDB scanning every raw JSONL file with read_json (each record parsed, nothing materialised:
the floor for any reader that parses the JSON) and (b) `python -m toolkit build` on the same files, each in its own
process; reports b/a and the build's peak RSS. Targets: ratio <= 1.5, peak RSS <= 4 GB.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench._report import write_section  # noqa: E402

BASELINE = r"""
import duckdb, glob, sys, json
raw = sys.argv[1]
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
rows = 0
for pattern, column in (("questions/*.jsonl", "id"), ("responses/*.jsonl", "question_id"),
                        ("analysis*/*.jsonl", "question_id")):
    files = sorted(glob.glob(f"{raw}/speechmap-data/{pattern}"))
    listing = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
    # Every record parsed (count of a field), nothing materialised: the floor for a JSON reader.
    rows += con.execute(f"SELECT count({column}) FROM read_json([{listing}], format='newline_delimited', "
                        f"columns={{'{column}': 'VARCHAR'}})").fetchone()[0]
print(json.dumps({"rows": rows}))
"""


PEAK = ("import resource, subprocess, sys; done = subprocess.run(sys.argv[1:]); "
        "print('PEAK_KB', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
        "sys.exit(done.returncode)")


def timed(command: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (GB) of that command alone (measured by a wrapper), and its stdout."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", PEAK, *command], cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"{' '.join(command[:4])} failed:\n{done.stderr[-3000:]}")
    peak_kb = int(done.stderr.rsplit("PEAK_KB", 1)[1].split()[0])
    return seconds, peak_kb / 1024 / 1024, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="full", choices=["small", "full"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--raw", help="use this already generated raw folder (toolkit demo --no-build)")
    args = parser.parse_args()
    from toolkit.ingest.synth import generate

    # The same folder as `python -m toolkit demo --out bench/.cache/full` (raw/ + data/), shared with
    # the leaderboard and explorer benchmarks, so the full scale is generated once.
    cache = ROOT / "bench" / ".cache" / (args.scale if args.seed == 0 else f"{args.scale}-seed{args.seed}")
    raw = Path(args.raw) if args.raw else cache / "raw"
    marker = cache / "generated.json"
    cache.mkdir(parents=True, exist_ok=True)
    if args.raw and not marker.exists():
        marker.write_text(json.dumps({"seconds": float("nan"), "summary": "given with --raw"}))
    if not marker.exists() and (raw / "speechmap-data").is_dir():
        marker.write_text(json.dumps({"seconds": float("nan"), "summary": "found in the cache"}))
    if not marker.exists():
        started = time.perf_counter()
        summary = generate(raw, scale=args.scale, seed=args.seed, progress=True)
        marker.write_text(json.dumps({"seconds": time.perf_counter() - started, "summary": summary}, default=str))
    generated = json.loads(marker.read_text())
    size = sum(p.stat().st_size for p in raw.rglob("*.jsonl"))
    base = raw / "speechmap-data"

    # A scratch output, so that the data other benchmarks read is never replaced under them.
    out = cache / "bench-build"
    scan_seconds, scan_peak, _ = timed([sys.executable, "-c", BASELINE, str(raw)])
    build_seconds, build_peak, _ = timed([
        sys.executable, "-m", "toolkit", "build", "--raw", str(base), "--metadata", str(raw / "site-metadata"),
        "--annotations", str(raw / "annotations" / "human.jsonl"), "--out", str(out), "--quiet"])
    report = json.loads((out / "build_report.json").read_text())
    shutil.rmtree(out)
    ratio = build_seconds / scan_seconds
    body = f"""
Data: `--scale {args.scale} --seed {args.seed}` synthetic raw SpeechMap layout, {size / 1e9:.2f} GB of JSONL
({report['totals']['lines_read']:,} lines; generation: {generated['seconds']:.0f} s).

| step | seconds | peak RSS |
|---|---:|---:|
| (a) DuckDB `read_json` scan of every raw file, each record parsed (baseline) | {scan_seconds:.1f} | {scan_peak:.2f} GB |
| (b) `python -m toolkit build` | {build_seconds:.1f} | {build_peak:.2f} GB |

Ratio b/a = **{ratio:.2f}** (target <= 1.5); build peak RSS **{build_peak:.2f} GB** (target <= 4 GB).
Tables: {', '.join(f"{n:,} {t}" for t, n in report['tables'].items())}; quarantined {report['totals']['quarantined']:,}.

Build steps (seconds, from `build_report.json`'s `phase_seconds`): {', '.join(f"{name} {seconds:.1f}" for name, seconds in report.get('phase_seconds', {}).items())}.
"""
    print(body)
    write_section("build", "Build: raw JSONL -> parquet tables", f"python bench/build.py --scale {args.scale}", body)


if __name__ == "__main__":
    main()
