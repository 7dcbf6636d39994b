"""What the operations benchmarks share: one `tcap serve` on a synthetic store, clients that
measure (a sampler of latencies over time) and clients that misbehave (slow connections).

Starting and stopping servers, the synthetic data, loads and memory footprints come from
`benchmarks/endpoint/bench.py`, so every benchmark starts tcap the same way.
"""

from __future__ import annotations

import http.client
import json
import math
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "endpoint"))

from bench import (
    GRAPH,
    MIX,
    footprints,
    free_port,
    start_tcap,
    stop_all,
    synth_file,
    tcap_environment,
    tcap_load,
    wait_for,
)

from tcap_kg.engine.client import ServiceClient

ASK = "ASK { <https://w3id.org/tcap-kg/id/city/synth-0000007> a <https://w3id.org/tcap-kg/ontology#City> }"
MIB = 2**20

__all__ = ["GRAPH", "MIX", "free_port", "stop_all", "synth_file", "tcap_load"]


def sparql_path(query: str) -> str:
    return "/sparql?query=" + urllib.parse.quote(query)


def post_update(
    connection: http.client.HTTPConnection, update: str, token: str
) -> tuple[int, bytes]:
    """Send a SPARQL Update with a bearer token; the answer's status and body."""
    connection.request(
        "POST",
        "/sparql",
        body=update.encode(),
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {token}"},
    )
    response = connection.getresponse()
    return response.status, response.read()


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (`share` in 0..1); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


@dataclass
class Tcap:
    """A running `tcap serve`."""

    process: subprocess.Popen[bytes]
    port: int
    env: dict[str, str]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def service(self) -> ServiceClient:
        """A client of its query service (the socket is in the server's private TMPDIR)."""
        (path,) = Path(self.env["TMPDIR"]).glob("tcap-serve-*/engine.sock")
        return ServiceClient(str(path))

    def executors(self) -> list[int]:
        service = self.service()
        try:
            found: list[int] = service.status()["executors"]
            return found
        finally:
            service.close()

    def pss(self) -> int:
        """PSS of every process of the server, in bytes."""
        return sum(f.pss for f in footprints(self.process.pid))

    def pss_by_role(self) -> dict[str, int]:
        found: Counter[str] = Counter()
        for footprint in footprints(self.process.pid):
            found[footprint.role] += footprint.pss
        return dict(found)

    def stop(self) -> None:
        stop_all([self.process])


def serve(work: Path, store: Path, settings: dict[str, str] | None = None) -> Tcap:
    """Start `tcap serve` on `store` with these TCAP_ settings and wait for /healthz."""
    env = tcap_environment(store, settings or {})
    port = free_port()
    process = start_tcap(env, port, work / f"tcap-{port}.log")
    wait_for(f"http://127.0.0.1:{port}/healthz")
    return Tcap(process, port, env)


def prepared_store(work: Path, cities: int, *, scratch: bool = False) -> Path:
    """A store holding the shipped graphs and `cities` synthetic cities (186 triples each),
    built once in `work`; with `scratch`, a fresh copy of it that the benchmark may change."""
    store = work / f"store-{cities}"
    if not (store / "current").exists():
        data = synth_file(work, cities=cities)
        seconds = tcap_load(tcap_environment(store, {}), data, GRAPH)
        print(f"built {store.name} in {seconds:.1f} s", flush=True)
    if not scratch:
        return store
    copy = work / f"scratch-{cities}"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(store, copy, ignore=shutil.ignore_patterns("lock", "write-intent"))
    return copy


@dataclass(frozen=True)
class Sample:
    at: float
    seconds: float
    status: int
    """HTTP status; 0 when no answer came (connection refused or reset, or a timeout)."""
    kind: str = ""
    """The problem type's last segment of an error answer (`busy`, `timeout`, ...)."""


def problem_kind(body: bytes) -> str:
    try:
        return str(json.loads(body).get("type", "?")).rsplit("/", 1)[-1]
    except (ValueError, AttributeError):
        return "?"


class Sampler:
    """One client sending a request every `interval` seconds on a kept-alive connection (the
    same path, or each of `path` in turn), recording when, how long and with what status, until
    stopped."""

    def __init__(
        self,
        port: int,
        path: str | list[str],
        *,
        interval: float = 0.05,
        timeout: float = 30.0,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.port, self.interval, self.timeout = port, interval, timeout
        self.paths = [path] if isinstance(path, str) else path
        self.headers = {"Accept": "application/sparql-results+json", **(headers or {})}
        self.samples: list[Sample] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> Sampler:
        self._thread.start()
        return self

    def stop(self) -> list[Sample]:
        self._stop.set()
        self._thread.join()
        return self.samples

    def _run(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        sent = 0
        while not self._stop.is_set():
            started = time.monotonic()
            kind = ""
            try:
                connection.request("GET", self.paths[sent % len(self.paths)], headers=self.headers)
                response = connection.getresponse()
                body = response.read()
                status = response.status
                if status >= 400:
                    kind = problem_kind(body)
            except (OSError, http.client.HTTPException) as exc:
                connection.close()
                connection = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=self.timeout
                )
                status, kind = 0, type(exc).__name__
            sent += 1
            finished = time.monotonic()
            self.samples.append(Sample(started, finished - started, status, kind))
            self._stop.wait(max(0.0, self.interval - (finished - started)))
        connection.close()


def describe(samples: list[Sample]) -> str:
    """Count, answers refused (by status and problem type) and latency percentiles of the 200s,
    in ms."""
    ok = [s.seconds * 1000 for s in samples if s.status == 200]
    refused = Counter((s.status, s.kind) for s in samples if s.status != 200)
    shown = ", ".join(
        f"{status or 'no answer'} {kind}: {n}".replace(" :", ":")
        for (status, kind), n in sorted(refused.items())
    )
    return (
        f"{len(samples)} sent, {len(ok)} answered 200, refused {sum(refused.values())}"
        f"{f' ({shown})' if shown else ''}; p50 {percentile(ok, 0.5):.1f} ms, "
        f"p99 {percentile(ok, 0.99):.1f} ms, max {max(ok, default=math.nan):.1f} ms"
    )


def timeline(samples: list[Sample], start: float, window: float) -> list[str]:
    """One line per `window` seconds from `start`: `describe` of the samples sent in it (the
    first `window` also holds those sent before `start`)."""
    if not samples:
        return []
    lines = []
    end = max(s.at for s in samples)
    left = start
    while left <= end:
        inside = [s for s in samples if left <= s.at < left + window]
        shown = describe(inside) if inside else "none sent: the client was still waiting"
        lines.append(f"  {left - start:6.0f} s  {shown}")
        left += window
    return lines


HALF_BODY = (
    b"POST /sparql HTTP/1.1\r\nHost: bench\r\nContent-Type: application/sparql-query\r\n"
    b"Content-Length: 100\r\n\r\nASK {"
)


class SlowClients:
    """`count` connections that each send the start of a request and then trickle one header
    line every `every` seconds, never finishing; or (`half_body`) that send whole headers and
    a tenth of the announced body, then nothing. With `reconnect`, a connection the server cut
    is opened again, so the attack keeps its strength."""

    def __init__(
        self,
        port: int,
        count: int,
        *,
        every: float = 0.5,
        half_body: bool = False,
        reconnect: bool = False,
    ) -> None:
        self.port, self.count, self.every = port, count, every
        self.half_body, self.reconnect = half_body, reconnect
        self.cut = 0
        self.opened = 0
        self._socks: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _open(self) -> socket.socket | None:
        try:
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
            sock.sendall(
                HALF_BODY if self.half_body else b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\n"
            )
        except OSError:
            return None
        sock.setblocking(False)
        self.opened += 1
        return sock

    def start(self) -> SlowClients:
        self._socks = [sock for sock in (self._open() for _ in range(self.count)) if sock]
        self._thread.start()
        return self

    @property
    def open_now(self) -> int:
        return len(self._socks)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            alive = []
            for sock in self._socks:
                try:
                    if not self.half_body:
                        sock.send(b"X-Slow: 1\r\n")
                    if sock.recv(1, socket.MSG_PEEK) == b"":
                        raise ConnectionResetError
                    raise ConnectionAbortedError  # answered (a 408): the server ended it
                except BlockingIOError:
                    alive.append(sock)
                except OSError:
                    sock.close()
                    self.cut += 1
                    replacement = self._open() if self.reconnect else None
                    if replacement is not None:
                        alive.append(replacement)
            self._socks = alive

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        for sock in self._socks:
            sock.close()
        self._socks = []
