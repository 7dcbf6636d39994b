"""Shared fixtures: real stores (memory and on-disk), settings, and the CLI run for real."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from processes import free_port, stop
from sparql_servers import REMOTE_SERVERS, VirtuosoServer, emptied, remote_settings, start_virtuoso

from tcap_kg.bootstrap import sync_shipped
from tcap_kg.settings import Settings
from tcap_kg.store import OxigraphStore, Store

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _isolated_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """No test reads the developer's TCAP_* variables or writes into their home directory."""
    for name in list(os.environ):
        if name.startswith("TCAP_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg")))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("xdg-config")))


@pytest.fixture
def memory_settings() -> Settings:
    return Settings.from_env({}, store="memory:")


@pytest.fixture(scope="session")
def shipped_store() -> Iterator[Store]:
    """An in-memory store holding every shipped graph (read it, do not write it)."""
    store = OxigraphStore.memory()
    sync_shipped(store)
    yield store
    store.close()


@pytest.fixture
def fresh_store() -> Iterator[Store]:
    """An in-memory store with the shipped graphs that a test may change."""
    store = OxigraphStore.memory()
    sync_shipped(store)
    yield store
    store.close()


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    """A directory for an on-disk store (not yet created)."""
    return tmp_path / "store"


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str


@pytest.fixture
def tcap(store_dir: Path) -> Iterator[Callable[..., CliResult]]:
    """Run the real `tcap` command in a subprocess against an on-disk store in a temp dir."""

    def run(
        *args: str,
        store: str | None = None,
        env: dict[str, str] | None = None,
        input_text: str | None = None,
        timeout: float = 120,
    ) -> CliResult:
        environment = {k: v for k, v in os.environ.items() if not k.startswith("TCAP_")}
        environment["TCAP_STORE"] = store or str(store_dir)
        environment.update(env or {})
        completed = subprocess.run(
            [sys.executable, "-m", "tcap_kg", *args],
            capture_output=True,
            text=True,
            env=environment,
            input=input_text,
            timeout=timeout,
            check=False,
            cwd=store_dir.parent,
        )
        return CliResult(completed.returncode, completed.stdout, completed.stderr)

    yield run


@dataclass
class OxigraphServer:
    """A real `oxigraph serve` process (the PyPI binary) on 127.0.0.1."""

    url: str
    process: subprocess.Popen[bytes]

    @property
    def query_url(self) -> str:
        return f"{self.url}/query"

    @property
    def store_location(self) -> str:
        """The TCAP_STORE value that points TCap KG at this server."""
        return f"sparql+{self.query_url}"

    def stop(self) -> None:
        stop(self.process, timeout=10)


def start_oxigraph_server(location: Path) -> OxigraphServer:
    """Start `oxigraph serve --location DIR --bind 127.0.0.1:PORT` and wait until it listens."""
    binary = Path(sys.executable).with_name("oxigraph")
    port = free_port()
    process = subprocess.Popen(
        [str(binary), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"oxigraph serve exited: {process.stderr.read().decode() if process.stderr else ''}"
            )
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return OxigraphServer(f"http://127.0.0.1:{port}", process)
        time.sleep(0.02)
    process.kill()
    raise RuntimeError("oxigraph serve did not start listening within 20 s")


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    """One Oxigraph server per test module (each test empties what it uses)."""
    server = start_oxigraph_server(tmp_path_factory.mktemp("oxigraph"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def external_oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    """A second Oxigraph server, for tests that need two endpoints (federation)."""
    server = start_oxigraph_server(tmp_path_factory.mktemp("external"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    """One Virtuoso per test process, set up as the README says (each test empties what it uses)."""
    server = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    yield server
    server.stop()


@pytest.fixture(params=REMOTE_SERVERS)
def remote_store(request: pytest.FixtureRequest) -> Iterator[Store]:
    """An empty remote store on each server the run asks for."""
    store = emptied(remote_settings(request, request.param))
    yield store
    store.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the figures tests recorded with `record_property("figure", text)` (the pages'
    goals: widths, accessibility, bytes, timings), also when the tests ran in xdist workers."""
    figures = [
        (report.nodeid, value)
        for reports in terminalreporter.stats.values()
        for report in reports
        if getattr(report, "when", None) == "call"
        for name, value in getattr(report, "user_properties", ())
        if name == "figure"
    ]
    if figures:
        terminalreporter.section("figures")
        for nodeid, value in sorted(figures):
            terminalreporter.write_line(f"{value}    [{nodeid.split('::')[-1]}]")
