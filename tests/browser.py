"""Browser-test harness: the real app.py on a free loopback port, driven in Debian's Chromium."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]
# `make screenshots` sets it to docs/screenshots; otherwise the tests write under a temporary folder.
SCREENSHOTS_VARIABLE = "SPEECHMAP_SCREENSHOTS"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def app_process(data_dir: Path | str, tree: Path = ROOT, env: dict | None = None, extra_args: tuple = (),
                timeout: float = 120) -> Iterator[tuple[str, subprocess.Popen]]:
    """Start `python TREE/app.py --data DIR` in TREE on a free loopback port (this checkout by default;
    the page-load benchmark runs an older revision's tree, a Space test the assembled bundle);
    yield (base URL, process); stop it afterwards. Its output goes to $TMPDIR/app-PORT.log."""
    port = free_port()
    environment = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1",
                   "PYTHONUNBUFFERED": "1", **(env or {})}
    log = open(Path(os.environ.get("TMPDIR", "/tmp")) / f"app-{port}.log", "w+")
    process = subprocess.Popen(
        [sys.executable, str(Path(tree) / "app.py"), "--data", str(data_dir), "--host", "127.0.0.1",
         "--port", str(port), *extra_args],
        cwd=tree, env=environment, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_until_up(url, process, log, timeout)
        yield url, process
    finally:
        stop_process(process)
        log.close()


def wait_until_up(url: str, process: subprocess.Popen, log, timeout: float) -> None:
    """Until `url` answers; an error with the end of the log if the process exits or time runs out."""
    deadline = time.time() + timeout
    while True:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"app.py exited with {process.returncode}:\n{log.read()[-4000:]}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            if time.time() > deadline:
                log.seek(0)
                raise TimeoutError(f"app.py did not answer in {timeout}s:\n{log.read()[-4000:]}")
            time.sleep(0.5)


@contextmanager
def running_app(data_dir: Path | str, env: dict | None = None, extra_args: tuple = (),
                timeout: float = 120) -> Iterator[str]:
    """Start this checkout's `python app.py --data DIR` on a free port; yield its base URL; stop it afterwards."""
    with app_process(data_dir, env=env, extra_args=extra_args, timeout=timeout) as (url, _process):
        yield url


def stop_process(process: subprocess.Popen, grace: float = 20) -> None:
    """Terminate a server started by a test; kill it if it does not stop within `grace` seconds."""
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()


@contextmanager
def open_page(url: str, width: int = 1400, height: int = 1000, color_scheme: str = "light") -> Iterator:
    """A Playwright page in headless Debian Chromium (no browser download), opened at `url`."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height}, color_scheme=color_scheme)
            page.set_default_timeout(60_000)
            page.goto(url, wait_until="domcontentloaded")
            page.wait_for_selector("gradio-app", state="attached")
            yield page
        finally:
            browser.close()


def screenshot_folder() -> Path:
    """$SPEECHMAP_SCREENSHOTS (relative to the repository root), else a temporary folder: a test run
    never rewrites the tracked docs/screenshots/ unless asked to."""
    chosen = os.environ.get(SCREENSHOTS_VARIABLE)
    folder = ROOT / chosen if chosen else Path(tempfile.gettempdir()) / "speechmap-screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def screenshot(page, name: str) -> Path:
    path = screenshot_folder() / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


def pick(page, dropdown: str, option: str) -> None:
    """Choose `option` in the Gradio dropdown whose elem_id is `dropdown`."""
    page.locator(f"#{dropdown} input").click()
    page.get_by_role("option", name=option, exact=True).click()


def url_params(page) -> dict[str, str]:
    """The address bar's query parameters, now."""
    from urllib.parse import parse_qsl, urlsplit

    return dict(parse_qsl(urlsplit(page.url).query))


def wait_url_param(page, name: str, value: str) -> None:
    """Wait until the address bar says `name=value` (the tabs replace the URL as controls change)."""
    page.wait_for_function(
        "([n, v]) => new URL(window.location.href).searchParams.get(n) === v", arg=[name, value])


def link_box(page, elem_prefix: str) -> str:
    """The value of a tab's "Link to this view" box (toolkit.ui.url_state.UrlBar)."""
    return page.locator(f"#{elem_prefix}-link textarea, #{elem_prefix}-link input").first.input_value()


def reload_keeps(page, ready: str) -> None:
    """Reload the page at its current address and wait for `ready` (a JS expression) to hold."""
    page.reload(wait_until="domcontentloaded")
    page.wait_for_selector("gradio-app", state="attached")
    page.wait_for_function(ready)
