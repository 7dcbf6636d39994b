"""The one answer cache: query answers, replayed responses and generated descriptions.

Every entry's key holds the store's generation, which every write changes, so a cached answer can
never outlive the data it came from; the same key gives the answer's ETag, so a client's
`If-None-Match` can be answered with a 304 before any engine runs. Entries are typed (a query
answer, a whole HTTP response kept by the replay middleware, a VoID or service description) and a
lookup names the type it wants; all share one bound in bytes, so memory stays flat however the
traffic mixes them.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from cachetools import LRUCache

MAX_ENTRY_SHARE = 8
ENTRY_OVERHEAD = 512
"""Bytes counted per entry on top of its body: the key, the object and its bookkeeping."""


class Cached(Protocol):
    """What the cache holds: anything whose size is its body's."""

    @property
    def body(self) -> bytes: ...


C = TypeVar("C", bound=Cached)


@dataclass(frozen=True)
class Generated:
    """A document built from the store (a service description, the VoID description)."""

    body: bytes


@dataclass(frozen=True)
class KeptRows:
    """Typed rows (pages, records) kept pickled: the pages ask the same questions on every
    request (the framework, the comparison), and a copy per hit keeps callers from sharing."""

    body: bytes


def digest(*parts: str) -> str:
    """A key for cache entries built from the parts that decide them."""
    hashed = hashlib.sha256()
    for part in parts:
        hashed.update(part.encode("utf-8", "surrogatepass"))
        hashed.update(b"\x1e")
    return hashed.hexdigest()


def etag_for(key: str) -> str:
    """A strong ETag for a cache key."""
    return f'"{key[:32]}"'


def _size(entry: Cached) -> int:
    return len(entry.body) + ENTRY_OVERHEAD


class AnswerCache:
    """A thread-safe LRU of typed entries bounded by the total size of their bodies in bytes."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: LRUCache[Hashable, Cached] = LRUCache(max(max_bytes, 1), getsizeof=_size)
        self._lock = threading.Lock()
        self._generation = ""

    def follow(self, generation: str) -> None:
        """Forget every entry when the store's generation changes: keys hold the generation, so
        older entries would only sit in memory until the LRU pushed them out."""
        with self._lock:
            if generation != self._generation:
                self._entries.clear()
                self._generation = generation

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    def get(self, key: Hashable, kind: type[C]) -> C | None:
        """The entry under `key` if there is one of type `kind`."""
        if not self.enabled:
            return None
        with self._lock:
            entry = self._entries.get(key)
        return entry if isinstance(entry, kind) else None

    def put(self, key: Hashable, entry: Cached) -> None:
        """Keep an entry unless it would take more than an eighth of the cache on its own."""
        if not self.enabled or _size(entry) > self.max_bytes // MAX_ENTRY_SHARE:
            return
        with self._lock:
            self._entries[key] = entry

    @property
    def size(self) -> int:
        """Bytes held now (bodies plus per-entry overhead)."""
        with self._lock:
            return int(self._entries.currsize)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
