"""Handing memory a web worker has freed back to the system, now and then.

Under a long mixed load a web worker's Python heap stays flat (tracemalloc shows no growth) while
its resident memory creeps up: glibc keeps what the worker's threads freed in per-thread arenas
instead of returning it, and `malloc_trim(0)` hands it back at once (281 -> 137 MiB in one
measurement, benchmarks/README.md). So the first request after every `interval` seconds asks
glibc to trim before it is handled; on other C libraries this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import sys
import threading
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger(__name__)

TRIM_SECONDS = 30.0


def glibc_trim() -> Callable[[], object] | None:
    """glibc's `malloc_trim(0)`, or None where the C library has none."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return lambda: trim(0)


class MemoryTrim:
    """WSGI middleware: at most once per `interval` seconds, trim the C heap."""

    def __init__(
        self,
        app: WSGIApplication,
        trim: Callable[[], object] | None,
        interval: float = TRIM_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.trim = trim
        self.interval = interval
        self.clock = clock
        self._due = clock() + interval
        self._lock = threading.Lock()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if self.trim is not None and self.clock() >= self._due and self._lock.acquire(False):
            try:
                self.trim()
                self._due = self.clock() + self.interval
            finally:
                self._lock.release()
        return self.app(environ, start_response)
