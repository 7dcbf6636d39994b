"""Frames on the engine's sockets: a one-byte tag, a four-byte length, a pickled payload.

The query service relays an executor's frames to the web worker that asked, without unpickling
them: the tag alone says whether a frame is a chunk of a streamed answer or the end of one.
Payloads are pickles because both ends are our own processes (the socket lives in a directory
only the server's user can open); nothing read from the network is ever unpickled.
"""

from __future__ import annotations

import pickle
import socket
import struct
from typing import Any

from .. import errors
from ..errors import ParseError, StoreError, TcapError

HEADER = struct.Struct("!cI")
REQUEST = b"Q"
STATUS = b"S"
CHUNK = b"C"
DONE = b"D"
FAILED = b"E"
FINAL = (DONE, FAILED)
MAX_FRAME = 1 << 31


def frame(tag: bytes, payload: Any) -> bytes:
    """A frame holding `payload` pickled."""
    body = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    return HEADER.pack(tag, len(body)) + body


def raw_frame(tag: bytes, body: bytes) -> bytes:
    """A frame around bytes that are already a pickle."""
    return HEADER.pack(tag, len(body)) + body


def failure(exc: BaseException) -> bytes:
    """An error frame that the receiving side turns back into the same typed error."""
    if isinstance(exc, ParseError):
        where = {"source": exc.source, "line": exc.line, "column": exc.column}
        return frame(FAILED, ("ParseError", exc.message, where))
    if isinstance(exc, TcapError):
        return frame(FAILED, (type(exc).__name__, str(exc), {}))
    return frame(FAILED, ("StoreError", f"query failed: {exc}", {}))


def rebuild(name: str, message: str, fields: dict[str, Any]) -> TcapError:
    """The typed error a failure frame names (unknown names become a StoreError)."""
    cls = getattr(errors, name, None)
    if not (isinstance(cls, type) and issubclass(cls, TcapError)):
        return StoreError(message)
    try:
        return cls(message, **fields)
    except TypeError:
        return StoreError(message)


def read_exactly(sock: socket.socket, size: int) -> bytes:
    """`size` bytes from a blocking socket; EOFError if the other end closes first."""
    parts = bytearray()
    while len(parts) < size:
        chunk = sock.recv(min(size - len(parts), 1 << 20))
        if not chunk:
            raise EOFError("the other end closed the connection")
        parts += chunk
    return bytes(parts)


def read_frame(sock: socket.socket) -> tuple[bytes, bytes]:
    """The next frame's tag and body from a blocking socket."""
    tag, size = HEADER.unpack(read_exactly(sock, HEADER.size))
    return tag, read_exactly(sock, size)
