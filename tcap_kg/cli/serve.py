"""`tcap serve`: the query service, then the endpoint and pages under granian.

The HTTP front is granian (a Rust HTTP server): measured here with 500 connections that trickle
their headers, it kept answering other clients in milliseconds where gunicorn's threaded workers
and waitress stalled (the numbers are in `benchmarks/README.md`). It closes connections whose
headers do not arrive within `TCAP_HEADER_TIMEOUT`; it runs the app through the RSGI front
(`web/front.py`), which reads each body within `TCAP_BODY_TIMEOUT` before a thread runs the
request. The process tree:

    tcap serve (granian's master)
      query service (supervisor) -> executor processes (threads, each one query at a time)
      web workers (granian, Flask app) -> connect to the service's Unix socket

The service is started before the web workers and restarted if it ever dies; every process below
`tcap serve` is stopped by the kernel when its parent dies (`PR_SET_PDEATHSIG`), so a killed
server leaves nothing behind. Writes are committed before they are acknowledged, so a kill -9 at
any moment loses nothing that a client was told is done.
"""

from __future__ import annotations

import atexit
import gc
import logging
import multiprocessing
import os
import shutil
import tempfile
import threading
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..engine import sandbox
from ..engine.engine import plan
from ..engine.service import ServiceProcess, start_service
from ..settings import Settings
from ..store import MEMORY, Store, open_store
from .common import CliContext, initialise, pass_cli

if TYPE_CHECKING:
    from ..web.front import Front

log = logging.getLogger(__name__)

URL_SLACK_BYTES = 64 * 1024
SERVICE_CHECK_SECONDS = 1.0


def _initialise_store(settings: Settings) -> None:
    with open_store(settings) as store:
        initialise(store)


def prepare_store(settings: Settings) -> None:
    """Build or refresh the on-disk store in a child process, so the server's own process never
    opens RocksDB before it forks (a forked copy of an open handle misbehaves)."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as child:
        child.submit(_initialise_store, settings).result()


def prepare_metrics_dir() -> None:
    """A fresh directory for multiprocess metrics, set before any worker imports the client."""
    from ..web.metrics import MULTIPROC_ENV  # noqa: PLC0415 (only `tcap serve` needs the app)

    if not os.environ.get(MULTIPROC_ENV):
        directory = tempfile.mkdtemp(prefix="tcap-metrics-")
        os.environ[MULTIPROC_ENV] = directory
        atexit.register(shutil.rmtree, directory, ignore_errors=True)


class Service:
    """The shared query service of a server: started once, restarted if it dies."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.directory = tempfile.mkdtemp(prefix="tcap-serve-")
        self.path = str(Path(self.directory) / "engine.sock")
        self.process: ServiceProcess | None = None
        self._stop = threading.Event()

    def start(self) -> None:
        sandbox.announce(self.settings)
        gc.freeze()
        self.process = start_service(self.path, plan(self.settings), self._serve_reader)
        threading.Thread(target=self._watch, name="tcap-service-watch", daemon=True).start()

    def _serve_reader(self) -> Store:
        return open_store(self.settings, read_only=True)

    def _watch(self) -> None:
        while not self._stop.wait(SERVICE_CHECK_SECONDS):
            if self.process is not None and not self.process.alive():
                log.error("the query service stopped; starting it again")
                self.process = start_service(self.path, plan(self.settings), self._serve_reader)

    def stop(self) -> None:
        self._stop.set()
        if self.process is not None:
            self.process.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


def logging_config(level: str) -> dict[str, Any]:
    """Granian's logging, plus our loggers (`tcap_kg`, the access log) at the chosen level."""
    handler = {"class": "logging.StreamHandler", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "generic": {"format": "[%(levelname)s] %(name)s: %(message)s"},
            "access": {"format": "%(message)s"},
        },
        "handlers": {
            "console": {**handler, "formatter": "generic"},
            "access": {**handler, "formatter": "access", "stream": "ext://sys.stdout"},
        },
        "loggers": {
            "_granian": {"handlers": ["console"], "level": level, "propagate": False},
            "granian.access": {"handlers": ["access"], "level": "WARNING", "propagate": False},
            "tcap.access": {"handlers": ["access"], "level": level, "propagate": False},
        },
        "root": {"handlers": ["console"], "level": level},
    }


def run_granian(settings: Settings, service_path: str | None) -> None:
    """Serve the app under granian until interrupted."""
    from granian.constants import Interfaces  # noqa: PLC0415 (the CLI loads fast without it)
    from granian.http import HTTP1Settings  # noqa: PLC0415
    from granian.log import LogLevels  # noqa: PLC0415
    from granian.server import Server  # noqa: PLC0415

    from ..web import create_app  # noqa: PLC0415 (imported before the fork: workers share it)
    from ..web.front import Front  # noqa: PLC0415

    workers = 1 if settings.store_location == MEMORY else settings.workers
    slots = plan(settings).slots

    def load(_target: str) -> Front:
        """Build the app in the worker (after granian's fork)."""
        sandbox.die_with_parent()
        app = create_app(settings, service_path=service_path)
        return Front(
            app,
            threads=slots + 4,
            body_timeout=settings.body_timeout,
            max_body_bytes=settings.max_body_bytes,
            ready=app.extensions["tcap.replay"].ready,
        )

    server = Server(
        "tcap_kg",
        address=settings.host,
        port=settings.port,
        interface=Interfaces.RSGI,
        workers=workers,
        http1_settings=HTTP1Settings(
            header_read_timeout=max(1, int(settings.header_timeout * 1000)),
            max_buffer_size=settings.query_max_bytes + URL_SLACK_BYTES,
        ),
        log_level=LogLevels(settings.log_level.lower()),
        log_dictconfig=logging_config(settings.log_level.upper()),
        log_access=False,
        respawn_failed_workers=True,
        respawn_interval=0.5,
        workers_kill_timeout=10,
    )
    # The workers are forked from this process: frozen objects are left alone by their garbage
    # collector, which would otherwise write to every inherited page and unshare it.
    gc.freeze()
    server.serve(target_loader=load)


@click.command()
@click.option("--host", help="Address to bind (default 127.0.0.1, TCAP_HOST).")
@click.option("--port", type=int, help="Port (default 8000, TCAP_PORT).")
@click.option("--workers", type=int, help="Web worker processes (default 2, TCAP_WORKERS).")
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
    service: Service | None = None
    if settings.store_location != MEMORY:
        prepare_store(settings)
        service = Service(settings)
        service.start()
    prepare_metrics_dir()
    click.echo(
        f"tcap: serving {settings.store_location} on http://{settings.host}:{settings.port}/",
        err=True,
    )
    try:
        run_granian(settings, service.path if service is not None else None)
    finally:
        if service is not None:
            service.stop()
