"""Validating files as a user hands them over: RDF in any supported format, or filled-in CSV
templates, validated together as one dataset (a claim file may refer to a city file)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..ingest import is_tabular, read_tables
from ..rdfio import format_from_name, read_bytes
from ..store import Store
from .locate import TextLocator
from .model import ValidationReport
from .workspace import DEFAULT_ENGINE, Workspace


def validate_files(
    paths: Sequence[Path],
    *,
    max_bytes: int,
    context: Store | None = None,
    exclude_graphs: Sequence[str] = (),
    engine: str = DEFAULT_ENGINE,
    names: Sequence[str] | None = None,
) -> ValidationReport:
    """Read, parse and validate `paths` as one dataset; unreadable input raises `InputError`.

    `names` are how the files are called in the report (default: the paths as given).
    """
    shown = list(names) if names else [str(p) for p in paths]
    workspace = Workspace(context=context, exclude_graphs=exclude_graphs, engine=engine)
    tables = [(p, n) for p, n in zip(paths, shown, strict=True) if is_tabular(p)]
    for path, name in zip(paths, shown, strict=True):
        if not is_tabular(path):
            _add_rdf_file(workspace, path, name, max_bytes)
    if tables:
        tabular = read_tables(
            [p for p, _ in tables], max_bytes=max_bytes, names=[n for _, n in tables]
        )
        workspace.add_quads(tabular.quads)
        workspace.sources += tabular.sources
        workspace.add_locator(tabular.locator)
    return workspace.validate()


def _add_rdf_file(workspace: Workspace, path: Path, name: str, max_bytes: int) -> None:
    """Parse one RDF file into the workspace; only its text stays, for locating findings."""
    fmt = format_from_name(path.name)
    data = read_bytes(path, max_bytes=max_bytes)
    workspace.add_document(data, fmt, source=name)
    workspace.add_locator(TextLocator(name, data.decode("utf-8", "replace"), fmt))
