"""Queries run in child processes that can be killed, so a timeout really stops the work.

Nothing stops a running pyoxigraph query from Python, so each web worker keeps a small pool of
executor processes, forked from it. Each executor runs a few queries at once, one per thread, on
one store handle: the engine releases the GIL, and threads that share a handle share its caches.
Heavy queries need that to keep up with `oxigraph serve`: on two cores a GROUP BY over 1.9M
triples ran at 4.7-5.6 q/s in four one-query processes and at 6.4-7.0 q/s in two processes of
four threads each. A request sends its job over its own pipe to an idle thread (a *slot*) and
waits at most the query timeout for the serialised answer; past that the whole executor is
SIGKILLed (the engine stops at once, its locks die with it) after a replacement has been forked.
The other queries that executor was running were innocent: they are sent again, once, to the
replacement, within what is left of their own time. The slots also bound concurrency: when all
are busy a request waits a little for one, then gets a 503.

Each executor opens its own read-only handle of an on-disk store after the fork (RocksDB handles
must not cross a fork); an in-memory store is the forked copy itself, so executors are replaced
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


def _serve(conn: Connection, store: Store) -> None:
    """One slot's loop in the executor: read a job, run it, send the answer or a typed error."""
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


def _child_main(conns: list[Connection], open_store: Callable[[], Store]) -> None:
    """Open the store once and serve every slot from it; return when the parent is gone."""
    store = open_store()
    threads = [threading.Thread(target=_serve, args=(conn, store)) for conn in conns[1:]]
    for thread in threads:
        thread.start()
    _serve(conns[0], store)
    for thread in threads:
        thread.join()


def _become_child(keep_fds: list[int]) -> None:
    """Shed what the child inherited from the threaded web worker and must not touch.

    Objects of the parent are frozen so no garbage collection runs their finalizers (which would
    close file descriptors the child reuses); sockets and pipes of other requests and of other
    executors are closed so clients see their connections end when the parent closes them.
    """
    gc.freeze()
    for number in _CHILD_SIGNALS:
        signal.signal(number, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.set_wakeup_fd(-1)
    low = 3
    for fd in sorted(keep_fds):
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, 1 << 20)


@dataclass(eq=False)
class _Executor:
    pid: int
    generation: str

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)


@dataclass(eq=False)
class _Slot:
    """A pipe to one thread of an executor: one query at a time."""

    executor: _Executor
    conn: Connection
    poller: select.poll = field(default_factory=select.poll)

    def __post_init__(self) -> None:
        # One poll object for the slot's life: `Connection.poll` builds a selector per call,
        # a noticeable share of a trivial query's time.
        self.poller.register(self.conn.fileno(), select.POLLIN)

    def ready(self, timeout: float) -> bool:
        """Whether an answer (or the end of the pipe) arrived within `timeout` seconds."""
        return bool(self.poller.poll(math.ceil(timeout * 1000)))


class _ExecutorLost(Exception):
    """The executor died under a query: killed for a sibling's timeout, replaced, or crashed."""

    def __init__(self, streamed: bool) -> None:
        super().__init__()
        self.streamed = streamed


RETRIES = 1


class ExecutorPool:
    """Killable query processes for one web worker process."""

    def __init__(
        self,
        open_store: Callable[[], Store],
        *,
        processes: int,
        threads: int,
        queue_timeout: float,
        generation: Callable[[], str] | None = None,
    ) -> None:
        """`open_store` runs in each new child; `generation`, when given, is the parent data's
        version: executors forked from an older version are replaced (in-memory stores)."""
        self._open_store = open_store
        self._processes = max(1, processes)
        self._threads = max(1, threads)
        self._queue_timeout = queue_timeout
        self._generation = generation
        self._reset()

    def _reset(self) -> None:
        self._pid = os.getpid()
        self._permits = threading.BoundedSemaphore(self._processes * self._threads)
        self._idle: list[_Slot] = []
        self._executors: list[_Executor] = []
        self._lock = threading.Lock()
        self.fork_lock = threading.RLock()

    def _own(self) -> None:
        """After a fork of the whole web worker (gunicorn --preload), forget the parent's pool."""
        if os.getpid() != self._pid:
            for slot in self._idle:
                slot.conn.close()
            self._reset()

    def pids(self) -> list[int]:
        """The live executors' process ids."""
        with self._lock:
            return [executor.pid for executor in self._executors]

    def start(self) -> None:
        """Fork all executors now, so the first requests do not pay for it; they are killed
        when this process exits (and exit by themselves when its ends of their pipes close)."""
        self._own()
        atexit.register(self.close)
        with self._lock:
            missing = self._processes - len(self._executors)
        for _ in range(missing):
            self._spawn()

    def _spawn(self) -> None:
        """Fork an executor and make its slots idle."""
        pipes = [Pipe() for _ in range(self._threads)]
        with self.fork_lock, self._lock:
            generation = self._generation() if self._generation else ""
            pid = os.fork()
            if pid == 0:
                try:
                    for parent_end, _ in pipes:
                        parent_end.close()
                    _become_child([child_end.fileno() for _, child_end in pipes])
                    _child_main([child_end for _, child_end in pipes], self._open_store)
                finally:
                    os._exit(0)
            executor = _Executor(pid, generation)
            self._executors.append(executor)
            self._idle.extend(_Slot(executor, parent_end) for parent_end, _ in pipes)
        for _, child_end in pipes:
            child_end.close()

    def _replace(self, executor: _Executor) -> None:
        """Fork a replacement, then kill `executor`; the first caller does it, later ones see it
        done. Idle slots are closed here; busy ones by their holders, who may still read them."""
        with self._lock:
            if executor not in self._executors:
                return
            self._executors.remove(executor)
            dead = [slot for slot in self._idle if slot.executor is executor]
            self._idle = [slot for slot in self._idle if slot.executor is not executor]
        try:
            self._spawn()
        finally:
            executor.kill()
            for slot in dead:
                slot.conn.close()

    def _take(self) -> _Slot:
        """An idle slot of an up-to-date executor, for a caller that holds a permit.

        There is one whenever no fork failed (each replacement is forked before its predecessor
        dies); if none is left, a new executor is forked for it.
        """
        while True:
            with self._lock:
                slot = self._idle.pop() if self._idle else None
            if slot is None:
                self._spawn()
                continue
            if self._generation and slot.executor.generation != self._generation():
                self._replace(slot.executor)
                slot.conn.close()
                continue
            return slot

    def _checkout(self) -> _Slot:
        self._own()
        if not self._permits.acquire(timeout=self._queue_timeout):
            raise BusyError(
                f"all {self._processes * self._threads} query slots of this server process are "
                "busy; retry shortly"
            )
        try:
            return self._take()
        except BaseException:
            self._permits.release()
            raise

    def _checkin(self, slot: _Slot) -> None:
        with self._lock:
            if slot.executor in self._executors:
                self._idle.append(slot)
            else:
                slot.conn.close()
        self._permits.release()

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
        deadline = time.monotonic() + timeout
        slot = self._checkout()
        attempt = 0
        try:
            while True:
                try:
                    message = _converse(slot, payload, deadline, timeout, out)
                except _ExecutorLost as lost:
                    self._replace(slot.executor)
                    slot.conn.close()
                    if lost.streamed or attempt == RETRIES:
                        raise StoreError(
                            "the query worker stopped while running this query; retry"
                        ) from lost
                    attempt += 1
                    log.warning(
                        "query worker %d stopped under a query; running it again", slot.executor.pid
                    )
                    slot = self._take()
                else:
                    break
        except QueryTimeoutError:
            self._replace(slot.executor)
            raise
        finally:
            self._checkin(slot)
        if message[0] == FAILED:
            raise _rebuild_error(message[1], message[2])
        return message[1]

    def close(self) -> None:
        """Kill every executor of this process (app shutdown, tests)."""
        if os.getpid() != self._pid:
            return
        with self._lock:
            executors, self._executors = list(self._executors), []
            idle, self._idle = list(self._idle), []
        for executor in executors:
            executor.kill()
        for slot in idle:
            slot.conn.close()


def _converse(
    slot: _Slot, payload: bytes, deadline: float, timeout: float, out: IO[bytes] | None
) -> tuple[Any, ...]:
    """Send the job on the slot and wait for its final message, copying streamed chunks to `out`;
    each chunk gives the next wait a fresh `timeout`."""
    streamed = False
    try:
        slot.conn.send_bytes(payload)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not slot.ready(remaining):
                raise QueryTimeoutError(
                    f"the query ran longer than the {timeout:g} s limit and was stopped "
                    "(TCAP_QUERY_TIMEOUT); narrow it down, add a LIMIT, or ask the operator "
                    "for a longer timeout"
                )
            message: tuple[Any, ...] = pickle.loads(slot.conn.recv_bytes())
            if message[0] != STREAM_CHUNK:
                return message
            assert out is not None
            out.write(message[1])
            streamed = True
            deadline = time.monotonic() + timeout
    except (EOFError, OSError) as exc:
        raise _ExecutorLost(streamed) from exc


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
