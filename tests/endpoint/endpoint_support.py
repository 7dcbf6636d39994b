"""Helpers for the endpoint tests: apps over in-memory stores, and real servers on 127.0.0.1.

The test client covers the protocol's fine print; a real `tcap serve` (granian, the query service,
an on-disk store in a temp dir) on 127.0.0.1 is used wherever clients, timeouts or concurrency
matter.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from flask import Flask
from processes import stop

from tcap_kg.engine.client import ServiceClient
from tcap_kg.settings import Settings
from tcap_kg.web import create_app

REPO = Path(__file__).resolve().parents[2]
EX = "http://example.org/"
DATA_GRAPH = "https://w3id.org/tcap-kg/graph/dataset/endpoint-test"


def make_app(**overrides: object) -> Flask:
    """An app over a fresh in-memory store holding the shipped graphs."""
    settings = Settings.from_env({}, store="memory:", **overrides)
    return create_app(settings)


@dataclass
class Server:
    """A running `tcap serve` and what the tests need to talk to it."""

    url: str
    process: subprocess.Popen[bytes]
    store: Path
    env: dict[str, str]
    log: Path

    @property
    def sparql(self) -> str:
        return self.url + "/sparql"

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def service(self) -> ServiceClient:
        """A client of the server's query service (its socket is in the server's TMPDIR)."""
        (path,) = Path(self.env["TMPDIR"]).glob("tcap-serve-*/engine.sock")
        return ServiceClient(str(path))


def start_server(tmp: Path, port: int, **settings: str) -> Server:
    """Start `python -m tcap_kg serve` on a port and wait until /healthz answers."""
    store = tmp / "store"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TCAP_")}
    env.update({"TCAP_STORE": str(store), "TCAP_PORT": str(port), "TCAP_LOG_LEVEL": "WARNING"})
    env.update({f"TCAP_{key.upper()}": value for key, value in settings.items()})
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    env["TMPDIR"] = str(tmp / f"tmp-{port}")
    Path(env["TMPDIR"]).mkdir()
    log = tmp / f"server-{port}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "tcap_kg", "serve"],
            cwd=REPO,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    server = Server(f"http://127.0.0.1:{port}", process, store, env, log)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{server.output()}")
        try:
            if httpx.get(server.url + "/healthz", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    stop_server(server)
    raise RuntimeError(f"server did not come up:\n{server.output()}")


def stop_server(server: Server) -> None:
    stop(server.process, timeout=20)


def run_tcap(server: Server, *args: str) -> subprocess.CompletedProcess[str]:
    """The real CLI against a server's store (e.g. to create a token)."""
    return subprocess.run(
        [sys.executable, "-m", "tcap_kg", *args],
        cwd=REPO,
        env=server.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
