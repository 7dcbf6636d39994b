"""Store backends behind one interface, chosen by the `TCAP_STORE` setting."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from ..settings import Settings
from .base import (
    BulkSource,
    ChangeSet,
    GraphInfo,
    QueryDataset,
    QueryResult,
    Solutions,
    Store,
    Term,
    Triples,
)
from .oxigraph import OxigraphStore
from .remote import RemoteStore, is_remote, open_remote

MEMORY = "memory:"

__all__ = [
    "MEMORY",
    "BulkSource",
    "ChangeSet",
    "GraphInfo",
    "OxigraphStore",
    "QueryDataset",
    "QueryResult",
    "RemoteStore",
    "Solutions",
    "Store",
    "Term",
    "Triples",
    "is_remote",
    "open_store",
]


def open_store(settings: Settings, *, read_only: bool = False) -> Store:
    """Open the configured store: `memory:`, a directory, or a remote SPARQL server."""
    location = settings.store_location
    if location == MEMORY:
        return OxigraphStore.memory()
    if is_remote(location):
        return open_remote(settings, read_only=read_only)
    if "://" in location:
        raise InputError(
            f"TCAP_STORE={location!r}: unsupported store scheme (use a directory path, `memory:` "
            "or a SPARQL server as sparql+http(s)://host:port/path)"
        )
    return OxigraphStore(Path(location).expanduser(), read_only=read_only)
