"""Helpers of the browser tests: where Chromium and the screenshots are, and what a page may not do."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("TCAP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOT_HEIGHT = 4000
SCREENSHOTS = Path(os.environ.get("TCAP_SCREENSHOT_DIR") or REPO / "artifacts" / "screenshots")
# Vega-Lite notes about its own layout choices; not problems of the page.
HARMLESS_CONSOLE = ("WARN Dropping", "WARN Channel")
HTTP_ERROR_LOG = "Failed to load resource: the server responded with a status of 4"


@dataclass
class Watch:
    """What a page did that it should not: console errors, script errors, requests leaving the host."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)

    def assert_clean(self, *, http_errors: bool = False) -> None:
        """`http_errors`: the test provoked 4xx answers on purpose (Chromium logs each one)."""
        assert not self.outside_requests, f"requests left 127.0.0.1: {self.outside_requests}"
        assert not self.page_errors, f"script errors: {self.page_errors}"
        errors = [
            e for e in self.console_errors if not (http_errors and e.startswith(HTTP_ERROR_LOG))
        ]
        assert not errors, f"console errors: {errors}"


def new_page(browser: object, server: str, *, javascript: bool = True) -> tuple[object, Watch]:
    context = browser.new_context(  # type: ignore[attr-defined]
        viewport={"width": 1280, "height": 900},
        java_script_enabled=javascript,
        accept_downloads=True,
        locale="en-GB",
    )
    watch = Watch()

    def route(request_route: object) -> None:
        url = request_route.request.url  # type: ignore[attr-defined]
        if url.startswith((server, "data:", "blob:", "about:")):
            request_route.continue_()  # type: ignore[attr-defined]
        else:
            watch.outside_requests.append(url)
            request_route.abort()  # type: ignore[attr-defined]

    context.route("**/*", route)
    page = context.new_page()
    page.set_default_timeout(15_000)

    def on_console(message: object) -> None:
        text = message.text  # type: ignore[attr-defined]
        if message.type == "error" and not text.startswith(HARMLESS_CONSOLE):  # type: ignore[attr-defined]
            watch.console_errors.append(text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: watch.page_errors.append(str(error)))
    return page, watch


def screenshot(page: object, name: str) -> Path:
    """A JPEG of the page from its top, at most `SCREENSHOT_HEIGHT` pixels of it (the
    screenshots are kept in the repository, and the full ontology page alone is 3 MB)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.jpg"
    width = page.viewport_size["width"]  # type: ignore[attr-defined]
    height = min(page.evaluate("document.documentElement.scrollHeight"), SCREENSHOT_HEIGHT)  # type: ignore[attr-defined]
    page.screenshot(  # type: ignore[attr-defined]
        path=str(path),
        full_page=True,
        type="jpeg",
        quality=70,
        clip={"x": 0, "y": 0, "width": width, "height": height},
    )
    return path
