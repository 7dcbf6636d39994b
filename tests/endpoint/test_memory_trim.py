"""The web worker hands freed C-heap memory back now and then (issue 19, item 6)."""

from __future__ import annotations

import sys

import pytest
from flask import Flask

from tcap_kg.web.middleware.memory import MemoryTrim, glibc_trim


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _app() -> Flask:
    app = Flask(__name__)
    app.add_url_rule("/", "home", lambda: "ok")
    return app


def test_the_heap_is_trimmed_at_most_once_per_interval() -> None:
    calls: list[float] = []
    clock = Clock()
    app = _app()
    app.wsgi_app = MemoryTrim(  # type: ignore[method-assign]
        app.wsgi_app, lambda: calls.append(clock.now), interval=30.0, clock=clock
    )
    client = app.test_client()
    assert client.get("/").data == b"ok" and calls == []
    clock.now = 129.9
    client.get("/")
    assert calls == []
    clock.now = 130.0
    assert client.get("/").data == b"ok" and calls == [130.0]
    clock.now = 150.0
    client.get("/")
    assert calls == [130.0]
    clock.now = 161.0
    client.get("/")
    assert calls == [130.0, 161.0]


def test_without_a_trim_function_requests_pass_through() -> None:
    app = _app()
    app.wsgi_app = MemoryTrim(app.wsgi_app, None, interval=0.0)  # type: ignore[method-assign]
    assert app.test_client().get("/").data == b"ok"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc is Linux's")
def test_glibc_trim_is_found_and_runs() -> None:
    trim = glibc_trim()
    assert trim is not None
    assert trim() in (0, 1)
