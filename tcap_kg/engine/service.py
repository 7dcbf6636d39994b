"""The query service: one supervisor process that owns the executors and shares them fairly.

`tcap serve` starts it before the web workers, and every worker sends its jobs over a Unix socket,
so the engine is shared as in `oxigraph serve` and does not depend on how clients spread over
workers. The supervisor is one thread around a selector: it admits jobs, hands each to an idle
executor thread (a *slot*), relays the answer frames back unread, and keeps the executors alive.

- **Timeouts really stop the work.** Nothing stops a running pyoxigraph query from Python, so a
  job past its deadline gets a timeout answer and its executor is SIGKILLed and replaced. The
  other jobs that executor was running were innocent: they are run again, once, elsewhere.
- **A crash is not an invitation to retry.** If an executor dies on its own, its jobs run again
  once; a job whose executor dies under it twice is answered "query crashed" (no Retry-After), so
  a poison query costs two executors at most, and the pool is back to its size at once.
- **Fair shares.** Each client (a token, else an address, decided by the web layer) may hold at
  most `TCAP_CLIENT_SLOTS` slots, running or waiting; beyond that it is told to slow down (429).
  Waiting jobs are started client by client, the client with the fewest running first, so one
  greedy client cannot starve the rest; a job that waits longer than `TCAP_QUEUE_TIMEOUT` is
  answered "busy" (503 with Retry-After).

The supervisor forks its executors while it has no threads, so children start clean; it never
opens the store itself.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import pickle
import selectors
import signal
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ..errors import BusyError, QueryCrashedError, QueryTimeoutError, RateLimitedError, StoreError
from ..store import Store
from . import sandbox, wire
from .executor import run_executor

log = logging.getLogger(__name__)

RETRIES = 1
STOP_SECONDS = 5.0
PAUSE_RELAY_BYTES = 8 << 20
"""A web worker that reads an answer slower than it arrives: stop reading the executor."""


@dataclass(frozen=True)
class Plan:
    """How many executors, threads each, and the sharing rules."""

    executors: int
    threads: int
    client_slots: int
    queue_timeout: float
    isolate: bool

    @property
    def slots(self) -> int:
        return self.executors * self.threads


@dataclass(eq=False)
class _Conn:
    """A web worker's connection: one job at a time."""

    sock: socket.socket
    inbox: bytearray = field(default_factory=bytearray)
    outbox: bytearray = field(default_factory=bytearray)
    job: _Job | None = None


@dataclass(eq=False)
class _Job:
    conn: _Conn
    client: str
    body: bytes
    timeout: float
    streaming: bool
    queued_at: float
    deadline: float
    attempts: int = 0
    streamed: bool = False
    slot: _Slot | None = None


@dataclass(eq=False)
class _Executor:
    pid: int
    slots: list[_Slot] = field(default_factory=list)


@dataclass(eq=False)
class _Slot:
    executor: _Executor
    sock: socket.socket
    inbox: bytearray = field(default_factory=bytearray)
    outbox: bytearray = field(default_factory=bytearray)
    job: _Job | None = None
    paused: bool = False


class Supervisor:
    """The service's event loop (runs in its own process; see `start_service`)."""

    def __init__(
        self, listener: socket.socket, plan: Plan, open_store: Callable[[], Store]
    ) -> None:
        self.listener = listener
        self.plan = plan
        self.open_store = open_store
        self.selector = selectors.DefaultSelector()
        self.executors: list[_Executor] = []
        self.queue: list[_Job] = []
        self.running: dict[str, int] = {}
        self.waiting: dict[str, int] = {}
        self.stopping = False
        self.stop_requested = False

    # -- life ---------------------------------------------------------------------------------

    def run(self) -> None:
        """Serve until SIGTERM; the executors go with the service."""
        self.listener.setblocking(False)
        self.selector.register(self.listener, selectors.EVENT_READ, self._accept)
        woken, self._wake = socket.socketpair()
        for end in (woken, self._wake):
            end.setblocking(False)
        signal.set_wakeup_fd(self._wake.fileno(), warn_on_full_buffer=False)
        self.selector.register(woken, selectors.EVENT_READ, _drain)
        for _ in range(self.plan.executors):
            self._spawn()
        try:
            while not self.stop_requested:
                for key, mask in self.selector.select(self._wait()):
                    key.data(key.fileobj, mask)
                self._expire()
                self._schedule()
        finally:
            self.stopping = True
            self._shutdown()

    def stop(self, *_: object) -> None:
        """SIGTERM: leave the loop. A flag and not an exception, because the handler may run
        inside code that swallows exceptions (the at-fork hooks of `os.fork`, which lost a stop
        that way); the signal's byte on the wakeup socket ends a blocked select."""
        self.stop_requested = True

    def _shutdown(self) -> None:
        for executor in list(self.executors):
            _kill(executor.pid)
        self.listener.close()

    def _wait(self) -> float | None:
        """Seconds until the next deadline (running jobs, and waiting jobs' queue limit)."""
        moments = [slot.job.deadline for ex in self.executors for slot in ex.slots if slot.job]
        moments += [
            min(job.deadline, job.queued_at + self.plan.queue_timeout) for job in self.queue
        ]
        if not moments:
            return None
        return max(0.0, min(moments) - time.monotonic())

    def _spawn(self) -> None:
        """Fork an executor with its slots (the supervisor has no threads, so this is safe)."""
        pairs = [socket.socketpair() for _ in range(self.plan.threads)]
        pid = os.fork()
        if pid == 0:
            try:
                signal.set_wakeup_fd(-1)
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                self._wake.close()
                self.selector.close()
                for ours, _ in pairs:
                    ours.close()
                run_executor(
                    [theirs for _, theirs in pairs], self.open_store, isolate=self.plan.isolate
                )
            finally:
                os._exit(0)
        executor = _Executor(pid)
        for ours, theirs in pairs:
            theirs.close()
            ours.setblocking(False)
            slot = _Slot(executor, ours)
            executor.slots.append(slot)
            self.selector.register(ours, selectors.EVENT_READ, self._from_slot(slot))
        self.executors.append(executor)
        log.debug("executor %d started with %d slots", pid, len(executor.slots))

    def status(self) -> dict[str, object]:
        """What the service is doing: executor pids, slots, jobs running and waiting."""
        return {
            "executors": [executor.pid for executor in self.executors],
            "slots": self.plan.slots,
            "running": sum(self.running.values()),
            "waiting": len(self.queue),
            "clients": len(self.running.keys() | self.waiting.keys()),
        }

    # -- web workers --------------------------------------------------------------------------

    def _accept(self, _sock: object, _mask: int) -> None:
        try:
            sock, _ = self.listener.accept()
        except BlockingIOError:
            return
        sock.setblocking(False)
        conn = _Conn(sock)
        self.selector.register(sock, selectors.EVENT_READ, self._from_conn(conn))

    def _from_conn(self, conn: _Conn) -> Callable[[object, int], None]:
        def handle(_sock: object, mask: int) -> None:
            if mask & selectors.EVENT_WRITE:
                self._flush(conn)
            if mask & selectors.EVENT_READ:
                self._read_conn(conn)

        return handle

    def _read_conn(self, conn: _Conn) -> None:
        try:
            data = conn.sock.recv(1 << 20)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self._drop_conn(conn)
            return
        conn.inbox += data
        for tag, body in _frames(conn.inbox):
            if tag == wire.STATUS and conn.job is None:
                self._reply(conn, wire.frame(wire.DONE, self.status()))
                continue
            if tag != wire.REQUEST or conn.job is not None:
                self._drop_conn(conn)
                return
            client, timeout, streaming, job_body = pickle.loads(body)
            self._admit(conn, client, float(timeout), bool(streaming), job_body)

    def _admit(
        self, conn: _Conn, client: str, timeout: float, streaming: bool, body: bytes
    ) -> None:
        held = self.running.get(client, 0) + self.waiting.get(client, 0)
        if held >= self.plan.client_slots:
            self._reply(
                conn,
                wire.failure(
                    RateLimitedError(
                        f"this client already has {held} queries running or waiting, its share "
                        f"of the {self.plan.slots} query slots (TCAP_CLIENT_SLOTS); wait for "
                        "an answer before sending more"
                    )
                ),
            )
            return
        now = time.monotonic()
        job = _Job(conn, client, body, timeout, streaming, now, now + timeout)
        conn.job = job
        self.queue.append(job)
        _count(self.waiting, client, 1)

    def _reply(self, conn: _Conn, data: bytes) -> None:
        conn.outbox += data
        self._flush(conn)

    def _flush(self, conn: _Conn) -> None:
        if conn.outbox:
            try:
                sent = conn.sock.send(conn.outbox)
                del conn.outbox[:sent]
            except BlockingIOError:
                pass
            except OSError:
                self._drop_conn(conn)
                return
        events = selectors.EVENT_READ | (selectors.EVENT_WRITE if conn.outbox else 0)
        with contextlib.suppress(KeyError, ValueError):
            self.selector.modify(conn.sock, events, self.selector.get_key(conn.sock).data)
        if len(conn.outbox) < PAUSE_RELAY_BYTES and conn.job and conn.job.slot:
            self._resume(conn.job.slot)

    def _drop_conn(self, conn: _Conn) -> None:
        """A web worker went away: forget its waiting job; a running one finishes unseen."""
        with contextlib.suppress(KeyError, ValueError):
            self.selector.unregister(conn.sock)
        conn.sock.close()
        job = conn.job
        if job is not None and job.slot is None and job in self.queue:
            self._dequeue(job)
        conn.job = None

    # -- executors ----------------------------------------------------------------------------

    def _from_slot(self, slot: _Slot) -> Callable[[object, int], None]:
        def handle(_sock: object, mask: int) -> None:
            if mask & selectors.EVENT_WRITE:
                self._flush_slot(slot)
            if mask & selectors.EVENT_READ:
                self._read_slot(slot)

        return handle

    def _flush_slot(self, slot: _Slot) -> None:
        """Send what is pending to an executor without blocking (a job can be large)."""
        if slot.outbox:
            try:
                sent = slot.sock.send(slot.outbox)
                del slot.outbox[:sent]
            except BlockingIOError:
                pass
            except OSError:
                self._lost(slot.executor, killed=None)
                return
        if slot.paused:
            return
        events = selectors.EVENT_READ | (selectors.EVENT_WRITE if slot.outbox else 0)
        with contextlib.suppress(KeyError, ValueError):
            self.selector.modify(slot.sock, events, self.selector.get_key(slot.sock).data)

    def _read_slot(self, slot: _Slot) -> None:
        try:
            data = slot.sock.recv(1 << 20)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self._lost(slot.executor, killed=None)
            return
        slot.inbox += data
        for tag, body in _frames(slot.inbox):
            job = slot.job
            if job is None:
                continue
            if tag == wire.CHUNK:
                job.streamed = True
                job.deadline = time.monotonic() + job.timeout
            if job.conn.job is job:
                job.conn.outbox += wire.raw_frame(tag, body)
                self._flush(job.conn)
                if len(job.conn.outbox) >= PAUSE_RELAY_BYTES:
                    self._pause(slot)
            if tag in wire.FINAL:
                self._finish(slot)

    def _pause(self, slot: _Slot) -> None:
        if not slot.paused:
            slot.paused = True
            with contextlib.suppress(KeyError, ValueError):
                self.selector.unregister(slot.sock)

    def _resume(self, slot: _Slot) -> None:
        if slot.paused:
            slot.paused = False
            self.selector.register(slot.sock, selectors.EVENT_READ, self._from_slot(slot))
            self._flush_slot(slot)

    def _finish(self, slot: _Slot) -> None:
        job = slot.job
        slot.job = None
        if job is None:
            return
        _count(self.running, job.client, -1)
        if job.conn.job is job:
            job.conn.job = None

    def _schedule(self) -> None:
        """Start waiting jobs on idle slots: the client with the fewest running goes first."""
        idle = [slot for ex in self.executors for slot in ex.slots if slot.job is None]
        while idle and self.queue:
            job = min(self.queue, key=lambda j: (self.running.get(j.client, 0), j.queued_at))
            self._dequeue(job)
            slot = idle.pop()
            slot.job, job.slot = job, slot
            _count(self.running, job.client, 1)
            slot.outbox += wire.raw_frame(wire.REQUEST, job.body)
            self._flush_slot(slot)

    def _dequeue(self, job: _Job) -> None:
        self.queue.remove(job)
        _count(self.waiting, job.client, -1)

    def _expire(self) -> None:
        now = time.monotonic()
        limit = self.plan.queue_timeout
        for job in [j for j in self.queue if now >= min(j.deadline, j.queued_at + limit)]:
            self._dequeue(job)
            self._answer(
                job,
                BusyError(
                    f"all {self.plan.slots} query slots are busy and this query waited "
                    f"{self.plan.queue_timeout:g} s (TCAP_QUEUE_TIMEOUT); retry shortly"
                ),
            )
        for executor in list(self.executors):
            late = [s.job for s in executor.slots if s.job is not None and now >= s.job.deadline]
            if late:
                self._lost(executor, killed=late[0])

    def _lost(self, executor: _Executor, killed: _Job | None) -> None:
        """An executor is gone (killed for `killed`'s timeout, or dead on its own): replace it
        and settle the jobs it was running."""
        if executor not in self.executors:
            return
        self.executors.remove(executor)
        _kill(executor.pid)
        jobs = []
        for slot in executor.slots:
            with contextlib.suppress(KeyError, ValueError):
                self.selector.unregister(slot.sock)
            slot.sock.close()
            if slot.job is not None:
                jobs.append(slot.job)
                _count(self.running, slot.job.client, -1)
                slot.job.slot = None
                slot.job = None
        if not self.stopping:
            self._spawn()
        for job in jobs:
            if job is killed:
                self._answer(
                    job,
                    QueryTimeoutError(
                        f"the query ran longer than the {job.timeout:g} s limit and was stopped "
                        "(TCAP_QUERY_TIMEOUT); narrow it down, add a LIMIT, or ask the operator "
                        "for a longer timeout"
                    ),
                )
            elif job.streamed:
                self._answer(job, StoreError("the query worker stopped while sending this answer"))
            elif job.attempts >= RETRIES and killed is None:
                self._answer(
                    job,
                    QueryCrashedError(
                        "this query stopped the query worker twice; it is not run again"
                    ),
                )
            else:
                log.warning("query worker %d stopped under a query; running it again", executor.pid)
                job.attempts += 1
                job.queued_at = time.monotonic()
                self.queue.insert(0, job)
                _count(self.waiting, job.client, 1)

    def _answer(self, job: _Job, error: Exception) -> None:
        if job.conn.job is job:
            job.conn.job = None
            self._reply(job.conn, wire.failure(error))


def _drain(sock: socket.socket, _mask: int) -> None:
    """Empty the wakeup socket (what is in it only says that a signal came)."""
    with contextlib.suppress(BlockingIOError):
        while sock.recv(4096):
            pass


def _count(counts: dict[str, int], client: str, change: int) -> None:
    """Change a client's count, forgetting clients that hold nothing (memory stays flat)."""
    value = counts.get(client, 0) + change
    if value > 0:
        counts[client] = value
    else:
        counts.pop(client, None)


def _frames(buffer: bytearray) -> list[tuple[bytes, bytes]]:
    """Every complete frame at the start of `buffer`, removed from it."""
    found = []
    while len(buffer) >= wire.HEADER.size:
        tag, size = wire.HEADER.unpack_from(buffer)
        end = wire.HEADER.size + size
        if len(buffer) < end:
            break
        found.append((tag, bytes(buffer[wire.HEADER.size : end])))
        del buffer[:end]
    return found


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


@dataclass
class ServiceProcess:
    """A running query service: its process and the socket path web workers connect to."""

    pid: int
    path: str

    def stop(self) -> None:
        """Stop the service and its executors: SIGTERM, then SIGKILL if it lingers (its
        executors die with it either way: they asked the kernel to)."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        while time.monotonic() < deadline and self.alive():
            time.sleep(0.02)
        _kill(self.pid)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)

    def alive(self) -> bool:
        try:
            return os.waitpid(self.pid, os.WNOHANG) == (0, 0)
        except ChildProcessError:
            return False


def start_service(path: str, plan: Plan, open_store: Callable[[], Store]) -> ServiceProcess:
    """Fork the service, listening on `path` (only this user may connect), and wait until it
    accepts connections."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    previous = os.umask(0o177)
    try:
        listener.bind(path)
    finally:
        os.umask(previous)
    listener.listen(1024)
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            sandbox.die_with_parent()
            supervisor = Supervisor(listener, plan, open_store)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
            signal.signal(signal.SIGTERM, supervisor.stop)
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            supervisor.run()
        except BaseException:
            log.exception("the query service stopped")
            code = 1
        finally:
            os._exit(code)
    listener.close()
    return ServiceProcess(pid, path)


def is_gone(exc: OSError) -> bool:
    """Whether a socket error means the service is not (or no longer) there."""
    return exc.errno in (errno.ENOENT, errno.ECONNREFUSED, errno.EPIPE, errno.ECONNRESET)
