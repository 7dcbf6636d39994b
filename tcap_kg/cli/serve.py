"""`tcap serve`: the endpoint and pages under a production WSGI server (gunicorn)."""

from __future__ import annotations

import logging
from typing import Any

import click
from flask import Flask
from gunicorn.app.base import BaseApplication

from ..settings import Settings
from ..store import MEMORY, open_store
from ..web import create_app
from .common import CliContext, initialise

pass_cli = click.make_pass_decorator(CliContext)
log = logging.getLogger(__name__)


class GunicornServer(BaseApplication):  # type: ignore[misc]
    """Gunicorn driven from Python, so `tcap serve` needs no config file."""

    def __init__(self, settings: Settings, options: dict[str, Any]) -> None:
        self.settings = settings
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return create_app(self.settings)


def gunicorn_options(settings: Settings) -> dict[str, Any]:
    """Worker model: processes share the on-disk store; a stuck worker is replaced by gunicorn."""
    return {
        "bind": f"{settings.host}:{settings.port}",
        "workers": settings.workers,
        "worker_class": "gthread",
        "threads": 4,
        "timeout": int(settings.query_timeout) + 30,
        "graceful_timeout": 10,
        "accesslog": "-",
        "errorlog": "-",
        "loglevel": settings.log_level.lower(),
        "proc_name": "tcap-kg",
        "control_socket_disable": True,
    }


@click.command()
@click.option("--host", help="Address to bind (default 127.0.0.1, TCAP_HOST).")
@click.option("--port", type=int, help="Port (default 8000, TCAP_PORT).")
@click.option("--workers", type=int, help="Worker processes (default 2, TCAP_WORKERS).")
@click.option(
    "--update/--no-update",
    default=None,
    help="Enable SPARQL Update and the Graph Store Protocol (TCAP_UPDATE).",
)
@pass_cli
def serve(
    cli: CliContext, host: str | None, port: int | None, workers: int | None, update: bool | None
) -> None:
    """Serve the SPARQL endpoint, the API and the pages.

    The first start builds the store from the shipped files; later starts reload only shipped
    files that changed.

    \b
    Example:
      tcap serve --port 8000 --workers 2
    """
    settings = cli.settings.replace(
        **{
            k: v
            for k, v in {"host": host, "port": port, "workers": workers, "update": update}.items()
            if v is not None
        }
    )
    if settings.store_location != MEMORY and "://" not in settings.store_location:
        with open_store(settings) as store:
            initialise(store)
    click.echo(
        f"tcap: serving {settings.store_location} on http://{settings.host}:{settings.port}/",
        err=True,
    )
    GunicornServer(settings, gunicorn_options(settings)).run()
