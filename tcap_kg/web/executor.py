"""Queries run in child processes that can be killed, so a timeout really stops the work.

Nothing stops a running pyoxigraph query from Python, so each web worker keeps a small pool of
executor processes, forked from it. A request sends its job over a pipe to an idle executor and
waits at most the query timeout for the serialised answer; past that the executor is SIGKILLed
(the engine stops at once, its locks die with it) and a fresh one is forked. The executors also
bound concurrency: when all are busy a request waits a little for one, then gets a 503.

Each executor opens its own read-only handle of an on-disk store after the fork (RocksDB handles
must not cross a fork); an in-memory store is the forked copy itself, so executors are re-forked
when the parent's copy changed. Forks and writes in the parent hold `fork_lock`, so a child never
inherits a store in the middle of a write.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import logging
import math
import os
import pickle
import re
import select
import signal
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from multiprocessing import Pipe
from multiprocessing.connection import Connection
from typing import IO, Any

import pyoxigraph as ox

from .. import errors
from ..errors import (
    BusyError,
    ParseError,
    QueryError,
    QueryTimeoutError,
    StoreError,
    TcapError,
)
from ..results import render, result_kind
from ..store import QueryDataset, Store, Term
from .results_html import render_html

log = logging.getLogger(__name__)

CHUNK_BYTES = 1 << 20
STREAM_CHUNK = "chunk"
DONE = "done"
FAILED = "error"
_CHILD_SIGNALS = (
    signal.SIGTERM,
    signal.SIGQUIT,
    signal.SIGHUP,
    signal.SIGUSR1,
    signal.SIGUSR2,
    signal.SIGWINCH,
    signal.SIGCHLD,
    signal.SIGABRT,
)


@dataclass(frozen=True)
class QueryJob:
    """One query to run: the text (already checked), its dataset, bindings and output wishes.

    The format is chosen per result kind because only the engine knows for sure whether the text
    is a SELECT or a CONSTRUCT; `max_rows=None` means no cap (internal callers).
    """

    sparql: str
    dataset: QueryDataset = field(default_factory=QueryDataset)
    bindings: Mapping[str, Term] = field(default_factory=dict)
    select_format: str = "json"
    graph_format: str = "turtle"
    max_rows: int | None = None


@dataclass(frozen=True)
class ExportJob:
    """Stream one graph, or the whole dataset, in an RDF format given by its media type
    (pyoxigraph's format objects do not pickle)."""

    media_type: str
    graph: str | None = None


@dataclass(frozen=True)
class Answer:
    """A serialised query result."""

    body: bytes
    media_type: str
    kind: str
    rows: int
    truncated: bool


def execute(store: Store, job: QueryJob) -> Answer:
    """Run a job against a store and serialise the result (in the executor process)."""
    result = store.query(job.sparql, dataset=job.dataset, bindings=dict(job.bindings))
    kind = result_kind(result)
    fmt = job.graph_format if kind == "graph" else job.select_format
    if fmt == "html":
        rendered = render_html(result, max_rows=job.max_rows)
    else:
        rendered = render(result, fmt, max_rows=job.max_rows)
    return Answer(rendered.body, rendered.media_type, kind, rendered.rows, rendered.truncated)


class _ChunkWriter:
    """A binary file object for `Store.export` that ships its output over the pipe in chunks."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._buffer = bytearray()

    def write(self, data: bytes) -> int:
        self._buffer += data
        if len(self._buffer) >= CHUNK_BYTES:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self._buffer:
            self._conn.send_bytes(pickle.dumps((STREAM_CHUNK, bytes(self._buffer))))
            self._buffer.clear()


def _child_main(conn: Connection, open_store: Callable[[], Store]) -> None:
    """The executor's loop: read a job, run it, send the answer or a typed error."""
    store = open_store()
    while True:
        try:
            job = pickle.loads(conn.recv_bytes())
        except EOFError:
            return
        try:
            if isinstance(job, ExportJob):
                writer = _ChunkWriter(conn)
                fmt = ox.RdfFormat.from_media_type(job.media_type)
                count = store.export(writer, fmt, graph=job.graph)  # type: ignore[arg-type]
                writer.flush()
                message: tuple[Any, ...] = (DONE, count)
            else:
                message = (DONE, execute(store, job))
        except TcapError as exc:
            message = (FAILED, type(exc).__name__, str(exc))
        except Exception as exc:
            log.exception("query executor failed")
            message = (FAILED, "StoreError", f"query failed: {exc}")
        conn.send_bytes(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))


def _become_child(keep_fd: int) -> None:
    """Shed what the child inherited from the threaded web worker and must not touch.

    Objects of the parent are frozen so no garbage collection runs their finalizers (which would
    close file descriptors the child reuses); sockets and pipes of other requests are closed so
    clients see their connections end when the parent closes them.
    """
    gc.freeze()
    for number in _CHILD_SIGNALS:
        signal.signal(number, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.set_wakeup_fd(-1)
    os.closerange(3, keep_fd)
    os.closerange(keep_fd + 1, 1 << 20)


@dataclass(eq=False)
class _Executor:
    pid: int
    conn: Connection
    generation: str
    poller: select.poll = field(default_factory=select.poll)

    def __post_init__(self) -> None:
        # One poll object for the executor's life: `Connection.poll` builds a selector per call,
        # a noticeable share of a trivial query's time.
        self.poller.register(self.conn.fileno(), select.POLLIN)

    def ready(self, timeout: float) -> bool:
        """Whether an answer (or the end of the pipe) arrived within `timeout` seconds."""
        return bool(self.poller.poll(math.ceil(timeout * 1000)))

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)
        self.conn.close()


class ExecutorPool:
    """Killable query processes for one web worker process."""

    def __init__(
        self,
        open_store: Callable[[], Store],
        *,
        size: int,
        queue_timeout: float,
        generation: Callable[[], str] | None = None,
    ) -> None:
        """`open_store` runs in each new child; `generation`, when given, is the parent data's
        version: executors forked from an older version are replaced (in-memory stores)."""
        self._open_store = open_store
        self._size = max(1, size)
        self._queue_timeout = queue_timeout
        self._generation = generation
        self._reset()

    def _reset(self) -> None:
        self._pid = os.getpid()
        self._slots = threading.BoundedSemaphore(self._size)
        self._idle: list[_Executor] = []
        self._all: list[_Executor] = []
        self._lock = threading.Lock()
        self.fork_lock = threading.RLock()

    def _own(self) -> None:
        """After a fork of the whole web worker (gunicorn --preload), forget the parent's pool."""
        if os.getpid() != self._pid:
            for executor in self._all:
                executor.conn.close()
            self._reset()

    def start(self) -> None:
        """Fork all executors now, so the first requests do not pay for it; they are killed
        when this process exits (and exit by themselves when its end of their pipe closes)."""
        self._own()
        atexit.register(self.close)
        with self._lock:
            missing = self._size - len(self._all)
        for _ in range(missing):
            executor = self._spawn()
            with self._lock:
                self._idle.append(executor)

    def _spawn(self) -> _Executor:
        parent_end, child_end = Pipe()
        with self.fork_lock, self._lock:
            generation = self._generation() if self._generation else ""
            pid = os.fork()
            if pid == 0:
                try:
                    parent_end.close()
                    _become_child(child_end.fileno())
                    _child_main(child_end, self._open_store)
                finally:
                    os._exit(0)
            executor = _Executor(pid, parent_end, generation)
            self._all.append(executor)
        child_end.close()
        return executor

    def _discard(self, executor: _Executor) -> None:
        executor.kill()
        with self._lock:
            if executor in self._all:
                self._all.remove(executor)

    def _checkout(self) -> _Executor:
        self._own()
        if not self._slots.acquire(timeout=self._queue_timeout):
            raise BusyError(
                f"all {self._size} query workers of this server process are busy; retry shortly"
            )
        try:
            with self._lock:
                executor = self._idle.pop() if self._idle else None
            if (
                executor is not None
                and self._generation
                and (executor.generation != self._generation())
            ):
                self._discard(executor)
                executor = None
            return executor or self._spawn()
        except BaseException:
            self._slots.release()
            raise

    def _checkin(self, executor: _Executor) -> None:
        with self._lock:
            self._idle.append(executor)
        self._slots.release()

    def _fail(self, executor: _Executor) -> None:
        """Kill a stuck or broken executor and fork its replacement before the slot is free."""
        self._discard(executor)
        try:
            replacement = self._spawn()
            with self._lock:
                self._idle.append(replacement)
        finally:
            self._slots.release()

    def run(self, job: QueryJob, *, timeout: float) -> Answer:
        """Run a query in an executor; kill it and raise QueryTimeoutError past `timeout`."""
        answer = self._exchange(job, timeout=timeout, out=None)
        assert isinstance(answer, Answer)
        return answer

    def export(self, job: ExportJob, out: IO[bytes], *, timeout: float) -> int:
        """Stream an export into `out`; `timeout` bounds each wait for the next chunk."""
        count = self._exchange(job, timeout=timeout, out=out)
        assert isinstance(count, int)
        return count

    def _exchange(self, job: QueryJob | ExportJob, *, timeout: float, out: IO[bytes] | None) -> Any:
        payload = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
        executor = self._checkout()
        deadline = time.monotonic() + timeout
        timed_out = False
        try:
            executor.conn.send_bytes(payload)
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not executor.ready(remaining):
                    timed_out = True
                    break
                message = pickle.loads(executor.conn.recv_bytes())
                if message[0] != STREAM_CHUNK:
                    break
                assert out is not None
                out.write(message[1])
                deadline = time.monotonic() + timeout
        except (EOFError, OSError) as exc:
            self._fail(executor)
            raise StoreError(f"the query worker stopped unexpectedly ({exc!r}); retry") from exc
        if timed_out:
            self._fail(executor)
            raise QueryTimeoutError(
                f"the query ran longer than the {timeout:g} s limit and was stopped "
                "(TCAP_QUERY_TIMEOUT); narrow it down, add a LIMIT, or ask the operator "
                "for a longer timeout"
            )
        self._checkin(executor)
        if message[0] == FAILED:
            raise _rebuild_error(message[1], message[2])
        return message[1]

    def close(self) -> None:
        """Kill every executor of this process (app shutdown, tests)."""
        if os.getpid() != self._pid:
            return
        with self._lock:
            executors, self._all, self._idle = list(self._all), [], []
        for executor in executors:
            executor.kill()


MAX_EXPECTED = 12


def _shortened(message: str) -> str:
    """The parser lists every token it would accept; a dozen of them is enough to read."""
    head, marker, listed = message.partition("expected one of ")
    items = listed.split(", ")
    if not marker or len(items) <= MAX_EXPECTED:
        return message
    return f"{head}{marker}{', '.join(items[:MAX_EXPECTED])}, ..."


_POSITIONED = re.compile(r"^(query|update):(\d+):(\d+): (.*)$", re.DOTALL)


def _rebuild_error(name: str, message: str) -> TcapError:
    """The executor's typed error, rebuilt in the parent from its class name and message.

    The store reports syntax errors as `query:LINE:COLUMN: message`; those become ParseErrors so
    the problem document can carry the position as fields.
    """
    positioned = _POSITIONED.match(message)
    if name == "QueryError" and positioned:
        source, line, column, text = positioned.groups()
        return ParseError(_shortened(text), source=source, line=int(line), column=int(column))
    cls = getattr(errors, name, None)
    if not (isinstance(cls, type) and issubclass(cls, TcapError)) or cls is ParseError:
        return QueryError(message) if cls is ParseError else StoreError(message)
    return cls(message)
