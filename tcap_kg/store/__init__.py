"""Store backends behind one interface, chosen by the `TCAP_STORE` setting."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from ..settings import Settings
from .base import (
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

MEMORY = "memory:"

__all__ = [
    "MEMORY",
    "ChangeSet",
    "GraphInfo",
    "OxigraphStore",
    "QueryDataset",
    "QueryResult",
    "Solutions",
    "Store",
    "Term",
    "Triples",
    "open_store",
]


def open_store(settings: Settings, *, read_only: bool = False) -> Store:
    """Open the configured store: `memory:`, a directory, or (later) a remote SPARQL server."""
    location = settings.store_location
    if location == MEMORY:
        return OxigraphStore.memory()
    if "://" in location:
        raise InputError(
            f"TCAP_STORE={location!r}: unsupported store scheme (use a directory path or `memory:`)"
        )
    return OxigraphStore(Path(location).expanduser(), read_only=read_only)
