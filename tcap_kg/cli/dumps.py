"""`tcap load --no-validate` of large external dumps: streamed, with progress in bytes."""

from __future__ import annotations

from pathlib import Path

import click

from ..bulk import load_dumps
from .common import CliContext, progress_bar


def stream_dumps(cli: CliContext, paths: list[Path], graph: str | None) -> None:
    """Check then stream the dumps into the store; two progress bars over the files' bytes."""
    total = sum(path.stat().st_size for path in paths if path.is_file())
    with (
        progress_bar(total=total, unit="B", desc="checking") as checking,
        progress_bar(total=total, unit="B", desc="loading") as loading,
        cli.store(write=True) as store,
    ):
        summary = load_dumps(store, paths, graph, checking=checking.update, loading=loading.update)
    if not summary.graphs:
        raise click.ClickException("nothing to load: the files hold no triples")
    for target, count in summary.graphs.items():
        click.echo(f"streamed {count} triples into <{target}> (external, not validated)")
