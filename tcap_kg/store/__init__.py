"""Store backends behind one interface, chosen by the `TCAP_STORE` setting."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from ..errors import InputError
from ..settings import Settings
from ..sparql_text import QueryDataset, Term
from .base import (
    BulkSource,
    ChangeSet,
    GraphInfo,
    QueryResult,
    Solutions,
    Store,
    Triples,
)
from .oxigraph import OxigraphStore
from .remote import RemoteStore, is_remote, open_remote

MEMORY = "memory:"

StoreKind = Literal["memory", "remote", "directory"]

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
    "StoreKind",
    "Term",
    "Triples",
    "is_remote",
    "open_store",
    "store_kind",
]


def store_kind(location: str) -> StoreKind:
    """Which backend a `TCAP_STORE` value names; the one place that reads its scheme, so the
    CLI and the web worker (which opens stores its own way) can never disagree about it."""
    if location == MEMORY:
        return "memory"
    if is_remote(location):
        return "remote"
    if "://" in location:
        raise InputError(
            f"TCAP_STORE={location!r}: unsupported store scheme (use a directory path, `memory:` "
            "or a SPARQL server as sparql+http(s)://host:port/path)"
        )
    return "directory"


def open_store(settings: Settings, *, read_only: bool = False) -> Store:
    """Open the configured store: `memory:`, a directory, or a remote SPARQL server."""
    location = settings.store_location
    kind = store_kind(location)
    if kind == "memory":
        return OxigraphStore.memory()
    if kind == "remote":
        return open_remote(settings, read_only=read_only)
    return OxigraphStore(Path(location).expanduser(), read_only=read_only)
