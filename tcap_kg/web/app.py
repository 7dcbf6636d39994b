"""The application factory.

Each WSGI worker process calls `create_app` after the fork, so every worker opens its own
(read-only, for the embedded store) handle; nothing opened here is shared across processes.
"""

from __future__ import annotations

import logging

from flask import Flask

from ..settings import Settings
from . import cors, problems
from .graph_store import graph_store
from .health import health
from .metrics import metrics_blueprint
from .named_queries import named_queries
from .openapi import openapi
from .pages import pages
from .publishing import publishing
from .replay import Replay
from .sparql import sparql
from .state import AppState
from .validate import validation

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> Flask:
    """Build the app for the given settings (default: from the environment)."""
    settings = settings or Settings.from_env()
    app = Flask("tcap_kg", template_folder="web/templates", static_folder="web/static")
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.extensions["tcap"] = AppState.open(settings)
    app.register_blueprint(health)
    for blueprint in (sparql, graph_store, named_queries, openapi, metrics_blueprint):
        app.register_blueprint(blueprint)
    problems.register(app)
    cors.install(app, settings.cors_origins)
    app.extensions["tcap"].metrics.install(app)
    app.register_blueprint(pages)
    app.register_blueprint(validation)
    app.register_blueprint(publishing)
    app.wsgi_app = Replay(app.wsgi_app, app.extensions["tcap"])  # type: ignore[method-assign]
    return app
