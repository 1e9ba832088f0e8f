"""Screenshots of every tab, as a visitor sees it: desktop (1440 px) and phone (390 px), light and dark.

    python scripts/screenshots.py [--out docs/screenshots/tabs] [--tabs leaderboard model ...]

Starts app.py on the small seeded demo (built into .cache/ if missing), opens each tab by its URL in
Debian's Chromium, waits until the tab has computed (its link box holds the view's absolute URL) and
its charts have drawn, and saves the top of the page (at most MAX_HEIGHT px) as TAB-WIDTH-SCHEME.png.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser import open_page, running_app  # noqa: E402 - the same harness the browser tests use
from toolkit.ingest.synth import ensure_demo  # noqa: E402
from toolkit.ui.app import TABS  # noqa: E402

SIZES = [(1440, 1000, "light"), (1440, 1000, "dark"), (390, 844, "light"), (390, 844, "dark")]
MAX_HEIGHT = 2600
COMPUTED = ("() => [...document.querySelectorAll('.view-link textarea, .view-link input')]"
            ".some(b => b.value.includes('tab='))")


def shoot(url: str, tab: str, width: int, height: int, scheme: str, out: Path) -> Path:
    theme = "&__theme=dark" if scheme == "dark" else ""
    with open_page(f"{url}?tab={tab}{theme}", width=width, height=height, color_scheme=scheme) as page:
        try:
            page.wait_for_function(COMPUTED, timeout=60_000)
        except Exception:  # noqa: BLE001 - a tab without a link box (none today): give it time
            pass
        page.wait_for_timeout(2000)                      # charts draw after their values arrive
        full = page.evaluate("() => document.documentElement.scrollHeight")
        path = out / f"{tab}-{width}-{scheme}.png"
        page.screenshot(path=str(path), full_page=True,
                        clip={"x": 0, "y": 0, "width": width, "height": min(full, MAX_HEIGHT)})
        return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/screenshots/tabs")
    parser.add_argument("--tabs", nargs="*", default=[tab for tab, _, _ in TABS])
    args = parser.parse_args()
    out = ROOT / args.out
    out.mkdir(parents=True, exist_ok=True)
    data = ensure_demo(ROOT / ".cache" / "demo", scale="small", seed=0)
    with running_app(data) as url:
        for tab in args.tabs:
            for width, height, scheme in SIZES:
                print(shoot(url, tab, width, height, scheme, out).relative_to(ROOT), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
