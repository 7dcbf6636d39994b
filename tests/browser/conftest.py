"""A real server (`tcap serve`, granian, on-disk store) and real headless Chromium for the page tests.

Chromium is Debian's (`apt-get install chromium`), driven by Playwright without its browser
download; `TCAP_CHROMIUM` points elsewhere. Screenshots of every page go to `artifacts/screenshots/`
(`TCAP_SCREENSHOT_DIR` overrides). Every page is opened in a context that refuses and records any
request that leaves 127.0.0.1, so a CDN or tile server would fail the test that used it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import CHROMIUM, CHROMIUM_ARGS, Watch, new_page
from processes import free_port, stop

playwright_api = pytest.importorskip("playwright.sync_api")


def _wait_until_up(
    url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 90
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"tcap serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"tcap serve did not answer within {timeout} s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    """`tcap init` then `tcap serve` on a free port, over a fresh on-disk store."""
    home = tmp_path_factory.mktemp("browser-server")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TCAP_")}
    env.update(TCAP_STORE=str(home / "store"), XDG_DATA_HOME=str(home / "xdg"), TCAP_WORKERS="1")
    subprocess.run(
        [sys.executable, "-m", "tcap_kg", "init"],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    port = free_port()
    log = home / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "tcap_kg", "serve", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, process, log)
        yield base
    finally:
        stop(process, timeout=15, how=signal.SIGINT)  # a quick shutdown


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"no Chromium at {CHROMIUM}: apt-get install chromium chromium-driver (or set TCAP_CHROMIUM)"
        )
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: object, server: str) -> Iterator[tuple[object, Watch]]:
    """A fresh page (own cookies) with JavaScript on; the test fails on errors or outside requests."""
    opened, watch = new_page(browser, server)
    yield opened, watch
    opened.context.close()  # type: ignore[attr-defined]


@pytest.fixture
def plain_page(browser: object, server: str) -> Iterator[tuple[object, Watch]]:
    """A fresh page with JavaScript off, as some readers and crawlers see the site."""
    opened, watch = new_page(browser, server, javascript=False)
    yield opened, watch
    opened.context.close()  # type: ignore[attr-defined]
