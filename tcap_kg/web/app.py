"""The application factory.

Each WSGI worker process calls `create_app` after the fork, so every worker opens its own
(read-only, for the embedded store) handle; nothing opened here is shared across processes.
"""

from __future__ import annotations

import logging

from flask import Flask

from ..settings import Settings
from . import middleware, problems
from .blueprints.graph_store import graph_store
from .blueprints.health import health
from .blueprints.named_queries import named_queries
from .blueprints.openapi import openapi
from .blueprints.publishing import publishing
from .blueprints.sparql import sparql
from .blueprints.validate import validation
from .metrics import metrics_blueprint
from .middleware import clients, cors
from .middleware.access_log import AccessLog
from .middleware.memory import MemoryTrim, glibc_trim
from .middleware.replay import Replay
from .pages import pages
from .state import AppState

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, *, service_path: str | None = None) -> Flask:
    """Build the app for the given settings (default: from the environment); `service_path` is
    the socket of the server's shared query service (without it the app starts its own)."""
    settings = settings or Settings.from_env()
    app = Flask("tcap_kg", template_folder="web/templates", static_folder="web/static")
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.extensions["tcap"] = AppState.open(settings, service_path=service_path)
    app.register_blueprint(health)
    for blueprint in (sparql, graph_store, named_queries, openapi, metrics_blueprint):
        app.register_blueprint(blueprint)
    problems.register(app)
    clients.install(app, settings)
    cors.install(app, settings.cors_origins)
    app.extensions["tcap"].metrics.install(app)
    app.register_blueprint(pages)
    app.register_blueprint(validation)
    app.register_blueprint(publishing)
    middleware.install(app)
    replay = Replay(app.wsgi_app, app.extensions["tcap"])
    app.extensions["tcap.replay"] = replay
    app.wsgi_app = AccessLog(MemoryTrim(replay, glibc_trim()))  # type: ignore[method-assign]
    return app
