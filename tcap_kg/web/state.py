"""What the app holds for its lifetime: settings, the store (through the query executors), the
result cache, the write tokens and the metrics."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from ..bootstrap import sync_shipped
from ..settings import Settings
from ..tokens import TokenFile, tokens_path
from .cache import ResultCache
from .metrics import Metrics, instruments
from .pooled_store import PooledStore


@dataclass
class AppState:
    """Per-process state of the app."""

    settings: Settings
    store: PooledStore
    cache: ResultCache
    tokens: TokenFile
    metrics: Metrics

    @classmethod
    def open(cls, settings: Settings) -> AppState:
        """Open the store; an in-memory store is filled with the shipped graphs right away."""
        return cls(
            settings,
            PooledStore.open(settings, sync_shipped),
            ResultCache(settings.cache_bytes),
            TokenFile(tokens_path(settings)),
            instruments(),
        )

    def close(self) -> None:
        """Stop the query executors and release the store."""
        self.store.close()


def state() -> AppState:
    """The state of the app handling the current request."""
    found: AppState = current_app.extensions["tcap"]
    return found
