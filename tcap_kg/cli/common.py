"""What every command shares: settings, opening the store, progress bars, logging."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import click
from tqdm import tqdm

from ..bootstrap import is_initialised, sync_shipped
from ..settings import Settings
from ..shipped import ShippedFile, shipped_files
from ..store import MEMORY, Store, open_store, store_kind
from ..store.versions import is_store

log = logging.getLogger(__name__)
FC = TypeVar("FC", bound=Callable[..., object])


@dataclass
class CliContext:
    """Settings for this invocation, after `--store` and `-v` were applied."""

    settings: Settings

    @classmethod
    def create(cls, *, store: str | None, verbose: int) -> CliContext:
        settings = Settings.from_env(store=store)
        level = {0: settings.log_level.upper(), 1: "INFO", 2: "DEBUG"}.get(verbose, "DEBUG")
        if verbose == 0 and level == "INFO":
            level = "WARNING"
        logging.basicConfig(
            level=level, format="tcap: %(levelname)s: %(message)s", stream=sys.stderr, force=True
        )
        return cls(settings)

    @contextmanager
    def store(self, *, write: bool = False) -> Iterator[Store]:
        """Open the store, building it from the shipped files first if it was never initialised.

        Read-only commands open an on-disk store read-only, so they can run beside a server.
        """
        if self.settings.store_location == MEMORY:
            store = open_store(self.settings)
            initialise(store)
        else:
            ensure_initialised(self.settings)
            store = open_store(self.settings, read_only=not write)
        try:
            yield store
        finally:
            store.close()


pass_cli = click.make_pass_decorator(CliContext)
"""Hands a command the `CliContext` the group built from `--store` and `-v`."""


def output_option(text: str) -> Callable[[FC], FC]:
    """`-o/--output FILE` for commands that otherwise write to stdout."""
    return click.option(
        "-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help=text
    )


def ensure_initialised(settings: Settings) -> None:
    """Create and fill an on-disk store the first time any command touches it."""
    location = settings.store_location
    kind = store_kind(location)
    if kind == "memory":
        return
    if kind == "remote" or is_store(Path(location).expanduser()):
        with open_store(settings, read_only=True) as reader:
            if is_initialised(reader):
                return
    with open_store(settings) as writer:
        if not is_initialised(writer):
            click.echo(f"tcap: building the store in {location} from the shipped files", err=True)
            initialise(writer)


def initialise(store: Store, *, force: bool = False) -> None:
    """Sync the shipped files into the store with a progress bar on a terminal."""
    files = shipped_files()
    with progress_bar(total=len(files), unit="file", desc="shipped files") as bar:

        def advance(_: ShippedFile) -> None:
            bar.update(1)

        report = sync_shipped(store, force=force, files=files, progress=advance)
    store.flush()
    log.info(
        "shipped graphs: %d loaded, %d unchanged, %d removed",
        len(report.loaded),
        len(report.unchanged),
        len(report.removed),
    )


def progress_bar(*, total: int | None, unit: str, desc: str) -> tqdm:
    """A progress bar on a terminal, silence when stderr is piped or redirected."""
    return tqdm(
        total=total,
        unit=unit,
        desc=desc,
        disable=not sys.stderr.isatty(),
        leave=False,
        unit_scale=unit != "file",
        file=sys.stderr,
    )
