"""`tcap serve`: the endpoint and pages under a production WSGI server (gunicorn)."""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import os
import shutil
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import click
from flask import Flask
from gunicorn.app.base import BaseApplication

from ..settings import Settings
from ..store import MEMORY, open_store
from ..web import create_app
from ..web.metrics import MULTIPROC_ENV
from .access_log import AccessLog
from .common import CliContext, initialise, pass_cli

# Each worker touches a heartbeat file on every turn of its event loop, i.e. per request; on a
# memory file system that costs less than on a disk-backed /tmp (measured: ~4% more cached
# answers per second), as gunicorn's documentation recommends.
HEARTBEAT_DIR = "/dev/shm"
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
        """Build the app in the worker and fork its query executors right away."""
        app = create_app(self.settings)
        app.extensions["tcap"].store.pool.start()
        return app


def _worker_gone(server: Any, worker: Any) -> None:
    """Let the metrics of a finished worker be merged and its files dropped."""
    from prometheus_client import multiprocess  # noqa: PLC0415 (imported only under serve)

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]


def _initialise_store(settings: Settings) -> None:
    with open_store(settings) as store:
        initialise(store)


def prepare_store(settings: Settings) -> None:
    """Build or refresh the on-disk store in a child process, so gunicorn's master never opens
    RocksDB: a process forked from one that had (its background threads are not copied by the
    fork) hangs when it later opens the store read-write, as a worker does for a write."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as child:
        child.submit(_initialise_store, settings).result()


def prepare_metrics_dir() -> None:
    """A fresh directory for multiprocess metrics, set before any worker imports the client."""
    if not os.environ.get(MULTIPROC_ENV):
        directory = tempfile.mkdtemp(prefix="tcap-metrics-")
        os.environ[MULTIPROC_ENV] = directory
        atexit.register(shutil.rmtree, directory, ignore_errors=True)


def gunicorn_options(settings: Settings) -> dict[str, Any]:
    """Worker model: a few worker processes, each with threads for requests and a pool of
    killable query executors; the threads outnumber the executors' slots so health checks and
    pages are answered while every slot is busy. An in-memory store lives in one process, so it
    gets one worker (its executors still answer queries in parallel)."""
    workers = 1 if settings.store_location == MEMORY else settings.workers
    return {
        "bind": f"{settings.host}:{settings.port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": 2 * settings.query_executors * settings.query_threads + 4,
        "child_exit": _worker_gone,
        "timeout": int(settings.query_timeout) + 30,
        "graceful_timeout": 10,
        "accesslog": "-",
        "logger_class": AccessLog,
        "errorlog": "-",
        "loglevel": settings.log_level.lower(),
        "proc_name": "tcap-kg",
        "control_socket_disable": True,
        "worker_tmp_dir": HEARTBEAT_DIR if Path(HEARTBEAT_DIR).is_dir() else None,
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
    if settings.store_location != MEMORY:
        prepare_store(settings)
    prepare_metrics_dir()
    click.echo(
        f"tcap: serving {settings.store_location} on http://{settings.host}:{settings.port}/",
        err=True,
    )
    GunicornServer(settings, gunicorn_options(settings)).run()
