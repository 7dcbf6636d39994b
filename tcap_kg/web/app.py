"""The application factory.

Each WSGI worker process calls `create_app` after the fork, so every worker opens its own
(read-only, for the embedded store) handle; nothing opened here is shared across processes.
"""

from __future__ import annotations

import logging

from flask import Flask

from ..settings import Settings
from .health import health
from .state import AppState

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> Flask:
    """Build the app for the given settings (default: from the environment)."""
    settings = settings or Settings.from_env()
    app = Flask("tcap_kg")
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.extensions["tcap"] = AppState.open(settings)
    app.register_blueprint(health)
    return app
