"""Fixtures for the endpoint: Flask test clients over an in-memory store, and real servers.

The test client covers the protocol's fine print; a real `tcap serve` (granian, the query service,
an on-disk store in a temp dir) on 127.0.0.1 is used wherever clients, timeouts or concurrency
matter.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from endpoint_support import Server, make_app, start_server, stop_server
from flask import Flask
from flask.testing import FlaskClient
from processes import free_port

from tcap_kg.tokens import TokenFile


@pytest.fixture(scope="module")
def app() -> Iterator[Flask]:
    """A read-only app shared by a module's tests (they must not write)."""
    built = make_app()
    yield built
    built.extensions["tcap"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@dataclass
class Writable:
    """An app with updates on, a fresh store and a valid token."""

    app: Flask
    client: FlaskClient
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def writable(tmp_path: Path) -> Iterator[Writable]:
    tokens = tmp_path / "tokens.json"
    _, token = TokenFile(tokens).create("tester")
    built = make_app(update=True, tokens_file=str(tokens))
    yield Writable(built, built.test_client(), token)
    built.extensions["tcap"].close()


@pytest.fixture(scope="module")
def server_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Server]]:
    """Start servers with given settings; all are stopped when the module ends."""
    started: list[Server] = []

    def start(**settings: str) -> Server:
        server = start_server(tmp_path_factory.mktemp("server"), free_port(), **settings)
        started.append(server)
        return server

    yield start
    for server in started:
        stop_server(server)
