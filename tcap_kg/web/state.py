"""What the app holds for its lifetime: settings, the engine (guard, answer cache, executors), the
write tokens and the metrics."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from ..bootstrap import sync_shipped
from ..engine.engine import Engine
from ..settings import Settings
from ..tokens import TokenFile, tokens_path
from .metrics import Metrics, instruments


@dataclass
class AppState:
    """Per-process state of the app."""

    settings: Settings
    engine: Engine
    tokens: TokenFile
    metrics: Metrics

    @classmethod
    def open(cls, settings: Settings, *, service_path: str | None = None) -> AppState:
        """Open the engine (an in-memory store is filled with the shipped graphs right away)."""
        return cls(
            settings,
            Engine.open(settings, sync_shipped, service_path=service_path),
            TokenFile(tokens_path(settings)),
            instruments(),
        )

    def close(self) -> None:
        """Stop the query executors and release the store."""
        self.engine.close()


def state() -> AppState:
    """The state of the app handling the current request."""
    found: AppState = current_app.extensions["tcap"]
    return found
