"""Changes on their way to a server: N-Triples per graph, in pieces that each carry a length.

A change of any size is written to one temporary file per graph (in memory while small) as the
server will hold it (see `portable`), counting the distinct triples of each graph, so that what the
server stored can be checked against what was sent. It then goes out in pieces of at most
`PIECE_BYTES`, cut at line ends: every request has a `Content-Length`, and no single request is
large enough to run into a server's transaction or body limits.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import IO

import pyoxigraph as ox

from ...errors import InputError
from .portable import Portable

PIECE_BYTES = 8 * 1024 * 1024
PARALLEL_UPLOADS = 2


class GraphSpool:
    """Quads spooled as N-Triples lines, one temporary file per graph."""

    def __init__(self, portable: Portable) -> None:
        self._portable = portable
        self._files: dict[str, IO[bytes]] = {}
        self._seen: dict[str, set[int]] = {}

    @property
    def graphs(self) -> list[str]:
        return list(self._files)

    def counts(self) -> dict[str, int]:
        """Distinct triples per graph written so far."""
        return {graph: len(seen) for graph, seen in self._seen.items()}

    def write(self, quads: Iterable[ox.Quad]) -> None:
        for quad in quads:
            graph = quad.graph_name
            if not isinstance(graph, ox.NamedNode):
                raise InputError("internal: a quad without a target graph reached the store")
            handle = self._files.get(graph.value)
            if handle is None:
                handle = tempfile.SpooledTemporaryFile(PIECE_BYTES)  # noqa: SIM115 - closed by close()
                self._files[graph.value] = handle
                self._seen[graph.value] = set()
            line = self._portable.line(quad)
            self._seen[graph.value].add(hash(line))
            handle.write(line.encode())

    def pieces(self, graph: str, size: int = PIECE_BYTES) -> Iterator[bytes]:
        """A graph's lines in pieces of at most `size` bytes (or one line, if longer)."""
        handle = self._files[graph]
        handle.seek(0)
        return line_pieces(handle, size)

    def close(self) -> None:
        for handle in self._files.values():
            handle.close()
        self._files.clear()

    def __enter__(self) -> GraphSpool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def line_pieces(stream: IO[bytes], size: int = PIECE_BYTES) -> Iterator[bytes]:
    """A stream of lines in pieces of about `size` bytes, each ending at a line end."""
    rest = b""
    while chunk := stream.read(size):
        data = rest + chunk
        cut = data.rfind(b"\n") + 1
        if cut == 0:
            rest = data
            continue
        rest = data[cut:]
        yield data[:cut]
    if rest:
        yield rest + b"\n"


class Uploads:
    """Pieces sent `PARALLEL_UPLOADS` at a time (a server parses one piece while the next is on
    its way); adding waits while that many are in flight, so memory stays bounded. Leaving the
    block waits for all of them; the first failure is raised."""

    def __init__(self, send: Callable[[str, bytes], None]) -> None:
        self._send = send
        self._pool = ThreadPoolExecutor(PARALLEL_UPLOADS, thread_name_prefix="tcap-upload")
        self._pending: list[Future[None]] = []

    def add(self, graph: str, piece: bytes) -> None:
        while len(self._pending) >= PARALLEL_UPLOADS:
            self._pending.pop(0).result()
        self._pending.append(self._pool.submit(self._send, graph, piece))

    def __enter__(self) -> Uploads:
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        try:
            if kind is None:
                for future in self._pending:
                    future.result()
        finally:
            self._pool.shutdown(wait=True, cancel_futures=True)
