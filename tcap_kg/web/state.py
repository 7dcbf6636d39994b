"""What the app holds for its lifetime: the settings and its handle on the store."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from ..bootstrap import sync_shipped
from ..settings import Settings
from ..store import MEMORY, Store, open_store


@dataclass
class AppState:
    """Per-process state of the app."""

    settings: Settings
    store: Store

    @classmethod
    def open(cls, settings: Settings) -> AppState:
        """Open the store; an in-memory store is filled with the shipped graphs right away."""
        if settings.store_location == MEMORY:
            store = open_store(settings)
            sync_shipped(store)
        else:
            store = open_store(settings, read_only=not settings.update)
        return cls(settings, store)


def state() -> AppState:
    """The state of the app handling the current request."""
    found: AppState = current_app.extensions["tcap"]
    return found
