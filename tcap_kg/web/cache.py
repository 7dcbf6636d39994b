"""Answers reused safely: a bounded in-memory cache and HTTP validators for read queries.

The key holds everything that decides an answer: the normalised query text (comments and spacing
dropped by the safety scan), the dataset, the bindings, the format, the row cap and the store's
generation, which every write changes. So a cached answer can never outlive the data it came
from, and the same key gives the ETag, letting a client's `If-None-Match` be answered with a 304
before any engine runs.

The same cache, and so the same memory bound, also holds whole HTTP responses for the replay in
front of Flask (`replay.py`); each entry is typed, and a lookup names the type it wants.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Hashable, Mapping
from typing import Protocol, TypeVar

from ..store import QueryDataset, Term

MAX_ENTRY_SHARE = 8


class Cached(Protocol):
    """What the cache holds: anything whose size is its body's."""

    @property
    def body(self) -> bytes: ...


C = TypeVar("C", bound=Cached)


def cache_key(
    normalised: str,
    dataset: QueryDataset,
    bindings: Mapping[str, Term],
    fmt: str,
    max_rows: int | None,
    generation: str,
) -> str:
    """A digest of everything that decides an answer."""
    parts = [
        normalised,
        repr(dataset.default_graphs),
        repr(dataset.named_graphs),
        "\x1f".join(f"{name}={term}" for name, term in sorted(bindings.items())),
        fmt,
        str(max_rows),
        generation,
    ]
    return hashlib.sha256("\x1e".join(parts).encode()).hexdigest()


def etag_for(key: str) -> str:
    """A strong ETag for a cache key."""
    return f'"{key[:32]}"'


class ResultCache:
    """A thread-safe LRU of answers bounded by the total size of their bodies in bytes."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, Cached] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    def get(self, key: Hashable, kind: type[C]) -> C | None:
        """The entry under `key` if there is one of type `kind`."""
        if not self.enabled:
            return None
        with self._lock:
            entry = self._entries.get(key)
            if not isinstance(entry, kind):
                return None
            self._entries.move_to_end(key)
            return entry

    def put(self, key: Hashable, entry: Cached) -> None:
        """Keep an entry unless it would take more than an eighth of the cache on its own."""
        size = len(entry.body)
        if not self.enabled or size > self.max_bytes // MAX_ENTRY_SHARE:
            return
        with self._lock:
            previous = self._entries.pop(key, None)
            if previous is not None:
                self._size -= len(previous.body)
            self._entries[key] = entry
            self._size += size
            while self._size > self.max_bytes and self._entries:
                _, evicted = self._entries.popitem(last=False)
                self._size -= len(evicted.body)

    def __len__(self) -> int:
        return len(self._entries)
