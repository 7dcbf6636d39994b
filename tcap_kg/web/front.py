"""The app under granian's RSGI interface: whole request bodies first, then the WSGI app.

Granian's WSGI interface hands a request to a worker thread as soon as its headers are in, and
the thread then blocks reading the body: a few dozen clients that send half a body and stop hold
every thread, and granian has no body timeout. Here the body is read on the event loop, where a
waiting client costs a coroutine, within `TCAP_BODY_TIMEOUT` seconds (else 408 and the connection
is closed); only a complete request reaches one of the threads that run the Flask app.

RSGI (granian's own interface) rather than ASGI because the thread that ran the app can hand a
whole answer to granian itself, without a trip back through the event loop: measured with a
trivial app, a round trip cost 0.11 ms more than granian's WSGI interface, against 0.41 ms
through ASGI. Answers larger than `FIRST_BYTES` (exports) are streamed from the event loop. An
answer the app would replay from its cache (`Replay.ready`) is sent from the event loop itself:
it cannot block, and the trip to a thread would be most of its time.

Bodies are kept in memory up to `SPOOL_BYTES` and on disk beyond, never past the body limit: a
request that announces more is passed on without its body, and the app answers 413 as it always
has; a chunked one that sends more is cut one byte past the limit and refused the same way.
"""

from __future__ import annotations

import asyncio
import io
import sys
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any, Protocol

from .problems import problem

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

SPOOL_BYTES = 1024 * 1024
FIRST_BYTES = 256 * 1024
"""What a thread collects of an answer before it leaves the rest to be streamed."""

Headers = list[tuple[str, str]]


class Scope(Protocol):
    """What the front reads of granian's RSGI scope."""

    proto: str
    http_version: str
    server: str
    client: str
    scheme: str
    method: str
    path: str
    query_string: str

    @property
    def headers(self) -> Any: ...


class Transport(Protocol):
    async def send_bytes(self, data: bytes) -> None: ...


class HTTPProtocol(Protocol):
    """What the front uses of granian's RSGI HTTP protocol object."""

    def __aiter__(self) -> Any: ...

    def response_bytes(self, status: int, headers: Headers, body: bytes) -> None: ...

    def response_stream(self, status: int, headers: Headers) -> Transport: ...


class _Gone(Exception):
    """The client left before its body was complete."""


@dataclass
class _Job:
    """A call for one of the front's threads, and where its outcome goes."""

    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Any]
    call: Callable[..., Any]
    args: tuple[Any, ...]


@dataclass
class _Stream:
    """An answer too large to hand over at once: its head, first bytes and the rest."""

    status: int
    headers: Headers
    first: bytes
    rest: _Rest


class _Threads:
    """Threads that run jobs, the most recently idle first: under light load one or two warm
    threads (with their connection to the query service) do all the work, where a shared queue
    would wake a different cold thread for every request."""

    def __init__(self, count: int) -> None:
        self._lock = threading.Lock()
        self._idle: list[tuple[threading.Semaphore, list[_Job]]] = []
        self._waiting: deque[_Job] = deque()
        for number in range(count):
            threading.Thread(target=self._serve, name=f"tcap-request-{number}", daemon=True).start()

    def submit(self, job: _Job) -> None:
        with self._lock:
            if not self._idle:
                self._waiting.append(job)
                return
            wake, inbox = self._idle.pop()
        inbox.append(job)
        wake.release()

    def _serve(self) -> None:
        wake, inbox = threading.Semaphore(0), list[_Job]()
        while True:
            with self._lock:
                job = self._waiting.popleft() if self._waiting else None
                if job is None:
                    self._idle.append((wake, inbox))
            if job is None:
                wake.acquire()
                job = inbox.pop()
            try:
                outcome = job.call(*job.args)
            except BaseException as exc:
                job.loop.call_soon_threadsafe(_settle, job.future, None, exc)
            else:
                job.loop.call_soon_threadsafe(_settle, job.future, outcome, None)


class Front:
    """An RSGI application around a WSGI one (see the module docstring)."""

    def __init__(
        self,
        app: WSGIApplication,
        *,
        threads: int,
        body_timeout: float,
        max_body_bytes: int,
        ready: Callable[[WSGIEnvironment], bool] | None = None,
    ) -> None:
        """`ready` says of a request without a body whether the app can answer it without
        blocking (a replayed answer): such a request is answered on the event loop, which
        saves the trip to a thread that is most of a cached answer's time."""
        self.app = app
        self.body_timeout = body_timeout
        self.max_body_bytes = max_body_bytes
        self.ready = ready
        self._threads = _Threads(threads)

    async def __call__(self, scope: Scope, protocol: HTTPProtocol) -> None:
        if scope.proto != "http":
            return
        environ = wsgi_environ(scope)
        length = environ.get("CONTENT_LENGTH", "").strip()
        announced = int(length) if length.isdigit() else 0
        if "HTTP_TRANSFER_ENCODING" not in environ and not 0 < announced <= self.max_body_bytes:
            if not announced and self.ready is not None and self.ready(environ):
                stream = _answer(self.app, environ, protocol)
                if stream is not None:
                    await self._stream(protocol, stream)
                return
            await self._respond(environ, protocol, self.app)
            return
        with tempfile.SpooledTemporaryFile(SPOOL_BYTES) as body:
            environ["wsgi.input"] = body
            try:
                size = await asyncio.wait_for(self._read(protocol, body), self.body_timeout)
            except TimeoutError:
                await self._respond(environ, protocol, self._too_slow)
                return
            except _Gone:
                return
            body.seek(0)
            if size > self.max_body_bytes:
                # Said as a length, which the app refuses with its 413 before reading.
                environ.pop("HTTP_TRANSFER_ENCODING", None)
                environ["CONTENT_LENGTH"] = str(size)
            await self._respond(environ, protocol, self.app)

    async def _read(self, protocol: HTTPProtocol, body: IO[bytes]) -> int:
        """The whole body into `body`, or at most one byte past the limit; its size."""
        size = 0
        try:
            async for chunk in protocol:
                body.write(chunk[: self.max_body_bytes + 1 - size])
                size += len(chunk)
                if size > self.max_body_bytes:
                    break
        except RuntimeError as exc:  # granian's ProtocolClosed: the client went away
            raise _Gone from exc
        return size

    def _too_slow(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        response = problem(
            408,
            f"the request body did not arrive within {self.body_timeout:g} s "
            "(TCAP_BODY_TIMEOUT); the connection is closed",
            kind="body-timeout",
            headers={"Connection": "close"},
        )
        return response(environ, start_response)

    async def _respond(
        self, environ: WSGIEnvironment, protocol: HTTPProtocol, app: WSGIApplication
    ) -> None:
        stream = await self._in_thread(_answer, app, environ, protocol)
        if stream is not None:
            await self._stream(protocol, stream)

    async def _stream(self, protocol: HTTPProtocol, stream: _Stream) -> None:
        try:
            transport = protocol.response_stream(stream.status, stream.headers)
            await transport.send_bytes(stream.first)
            while (chunk := await self._in_thread(next, stream.rest, None)) is not None:
                await transport.send_bytes(chunk)
        finally:
            await self._in_thread(stream.rest.close)

    def _in_thread(self, call: Callable[..., Any], *args: Any) -> asyncio.Future[Any]:
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._threads.submit(_Job(loop, future, call, args))
        return future


def _settle(future: asyncio.Future[Any], outcome: Any, error: BaseException | None) -> None:
    if future.cancelled():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(outcome)


class _Rest(Iterator[bytes]):
    """The rest of a WSGI answer, read in the front's threads."""

    def __init__(self, chunks: Iterator[bytes], result: Iterable[bytes]) -> None:
        self.chunks, self.result = chunks, result

    def __next__(self) -> bytes:
        for chunk in self.chunks:
            if chunk:
                return chunk
        raise StopIteration

    def close(self) -> None:
        _close(self.result)


def _close(result: Iterable[bytes]) -> None:
    closing = getattr(result, "close", None)
    if closing is not None:
        closing()


def _answer(
    app: WSGIApplication, environ: WSGIEnvironment, protocol: HTTPProtocol
) -> _Stream | None:
    """Run the app (in a thread; on the event loop for a replay): hand a whole answer to granian
    from here, or return what is needed to stream a large one from the event loop."""
    head: dict[str, Any] = {}

    def start_response(status: str, headers: Headers, exc_info: Any = None) -> Any:
        head.update(status=int(status.split(" ", 1)[0]), headers=headers)
        return _no_write

    result = app(environ, start_response)
    chunks = iter(result)
    first: list[bytes] = []
    size = 0
    try:
        for chunk in chunks:
            first.append(chunk)
            size += len(chunk)
            if size >= FIRST_BYTES:
                return _Stream(
                    head["status"], head["headers"], b"".join(first), _Rest(chunks, result)
                )
    except BaseException:
        _close(result)
        raise
    _close(result)
    protocol.response_bytes(head["status"], head["headers"], b"".join(first))
    return None


def _no_write(_data: bytes) -> None:
    raise NotImplementedError("the app writes through its answer's iterable, not write()")


def _host_port(address: str) -> tuple[str, str]:
    host, _, port = address.rpartition(":")
    return (host, port) if host else (address, "")


def wsgi_environ(scope: Scope) -> WSGIEnvironment:
    """The WSGI environ of an RSGI HTTP scope (PEP 3333: native strings hold latin-1 bytes),
    with an empty body until one is read."""
    server_name, server_port = _host_port(scope.server)
    remote_addr, remote_port = _host_port(scope.client)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": scope.method,
        "SCRIPT_NAME": "",
        "PATH_INFO": scope.path.encode("utf-8").decode("latin-1"),
        "QUERY_STRING": scope.query_string.encode("utf-8").decode("latin-1"),
        "SERVER_NAME": server_name,
        "SERVER_PORT": server_port,
        "SERVER_PROTOCOL": f"HTTP/{scope.http_version}",
        "REMOTE_ADDR": remote_addr.strip("[]"),
        "REMOTE_PORT": remote_port,
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.scheme,
        "wsgi.input": io.BytesIO(),
        "wsgi.input_terminated": True,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    for name, value in scope.headers.items():
        key = name.upper().replace("-", "_")
        if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            key = "HTTP_" + key
        joined = environ[key] + ("; " if key == "HTTP_COOKIE" else ",") if key in environ else ""
        environ[key] = joined + value
    return environ
