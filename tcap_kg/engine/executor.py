"""An executor process: a few threads, each running one query at a time on a shared store handle.

Executors are forked by the query service, which is single-threaded when it forks, so a child
starts clean. A child sheds the descriptors it inherited except its own slot sockets, leaves the
network where the service asks it to (`sandbox`), opens its read-only store handle (RocksDB
handles must not cross a fork) and serves each slot in a thread: the engine releases the GIL, and
threads that share a handle share its caches. It never decides anything about safety: every job
it gets was made from a `Query` the guard passed.
"""

from __future__ import annotations

import gc
import logging
import os
import pickle
import signal
import socket
import threading
from collections.abc import Callable

from ..errors import TcapError
from ..store import Store
from . import sandbox, wire
from .jobs import ExportJob, QueryJob, execute, media_format

log = logging.getLogger(__name__)

CHUNK_BYTES = 1 << 20


class _ChunkWriter:
    """A binary file object for `Store.export` that sends its output in chunk frames."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._buffer = bytearray()

    def write(self, data: bytes) -> int:
        self._buffer += data
        if len(self._buffer) >= CHUNK_BYTES:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self._buffer:
            self._sock.sendall(wire.frame(wire.CHUNK, bytes(self._buffer)))
            self._buffer.clear()


def serve_slot(sock: socket.socket, store: Store) -> None:
    """One slot's loop: read a job, run it, send the answer or a typed error frame."""
    while True:
        try:
            _, body = wire.read_frame(sock)
        except (EOFError, OSError):
            return
        job: QueryJob | ExportJob = pickle.loads(body)
        try:
            if isinstance(job, ExportJob):
                writer = _ChunkWriter(sock)
                count = store.export(writer, media_format(job.media_type), graph=job.graph)  # type: ignore[arg-type]
                writer.flush()
                reply = wire.frame(wire.DONE, count)
            else:
                reply = wire.frame(wire.DONE, execute(store, job))
        except Exception as exc:
            if not isinstance(exc, TcapError):
                log.exception("query executor failed")
            reply = wire.failure(exc)
        try:
            sock.sendall(reply)
        except OSError:
            return


def run_executor(
    slots: list[socket.socket], open_store: Callable[[], Store], *, isolate: bool
) -> None:
    """The child's life: shed the parent's state, leave the network, open the store, serve."""
    _shed([slot.fileno() for slot in slots])
    sandbox.die_with_parent()
    if isolate:
        reason = sandbox.isolate()
        if reason is not None:
            log.error("executor could not leave the network (%s); refusing to run queries", reason)
            return
    store = open_store()
    threads = [
        threading.Thread(target=serve_slot, args=(slot, store), daemon=True) for slot in slots[1:]
    ]
    for thread in threads:
        thread.start()
    serve_slot(slots[0], store)
    for thread in threads:
        thread.join()


def _shed(keep_fds: list[int]) -> None:
    """Drop what the child inherited and must not touch.

    Objects of the parent are frozen so no garbage collection runs their finalizers (which would
    close file descriptors the child reuses); every other descriptor is closed, so clients see
    their connections end when the service closes them, and signals get their default actions.
    """
    gc.freeze()
    for number in (signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD, signal.SIGUSR1):
        signal.signal(number, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.set_wakeup_fd(-1)
    low = 3
    for fd in sorted(keep_fds):
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, 1 << 20)
