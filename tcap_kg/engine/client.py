"""A web worker's side of the query service: send a job, wait for its frames.

Connections are kept open and reused, one per job in flight, so a request costs one round trip
over the Unix socket. The service enforces the time limit; the client only waits a little longer
than that, in case the service itself is gone.
"""

from __future__ import annotations

import pickle
import socket
import threading
from typing import IO, Any

from ..errors import StoreError
from . import wire
from .jobs import ExportJob, QueryJob
from .service import is_gone

GRACE_SECONDS = 10.0
MAX_IDLE = 64


class ServiceClient:
    """Runs jobs in the query service listening on `path`."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._idle: list[socket.socket] = []
        self._lock = threading.Lock()

    def run(
        self,
        job: QueryJob | ExportJob,
        *,
        client: str,
        timeout: float,
        out: IO[bytes] | None = None,
    ) -> Any:
        """The job's result (or, for an export, the count after its chunks went to `out`)."""
        request = wire.frame(
            wire.REQUEST,
            (client, timeout, isinstance(job, ExportJob), pickle.dumps(job, protocol=5)),
        )
        sock = self._take()
        try:
            sock.settimeout(timeout + GRACE_SECONDS)
            sock.sendall(request)
            while True:
                tag, body = wire.read_frame(sock)
                if tag == wire.CHUNK:
                    assert out is not None
                    out.write(pickle.loads(body))
                    continue
                payload = pickle.loads(body)
                break
        except (OSError, EOFError) as exc:
            sock.close()
            if isinstance(exc, OSError) and not is_gone(exc) and not isinstance(exc, TimeoutError):
                raise
            raise StoreError(
                "the query service is not answering; the server may be restarting, retry shortly"
            ) from exc
        except BaseException:
            sock.close()
            raise
        self._give_back(sock)
        if tag == wire.FAILED:
            raise wire.rebuild(*payload)
        return payload

    def status(self) -> dict[str, Any]:
        """The service's own account of itself (executors, slots, jobs), for health and tests."""
        sock = self._take()
        try:
            sock.settimeout(GRACE_SECONDS)
            sock.sendall(wire.frame(wire.STATUS, None))
            _, body = wire.read_frame(sock)
        except (OSError, EOFError) as exc:
            sock.close()
            raise StoreError("the query service is not answering") from exc
        self._give_back(sock)
        found: dict[str, Any] = pickle.loads(body)
        return found

    def _take(self) -> socket.socket:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(self.path)
        except OSError as exc:
            sock.close()
            raise StoreError(
                f"cannot reach the query service at {self.path}: {exc.strerror or exc}"
            ) from exc
        return sock

    def _give_back(self, sock: socket.socket) -> None:
        with self._lock:
            if len(self._idle) < MAX_IDLE:
                self._idle.append(sock)
                return
        sock.close()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for sock in idle:
            sock.close()
