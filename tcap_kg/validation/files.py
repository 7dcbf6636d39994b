"""Validating files as a user hands them over: RDF in any supported format, filled-in CSV
templates, or a zip archive of either, validated together as one dataset (a claims sheet refers
to a city in the cities sheet). Findings name the file, and the line or the row and column."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ..ingest import is_archive, is_tabular, read_archive, read_csv_bytes
from ..rdfio import format_from_name, read_bytes
from ..store.base import Queryable
from .model import ValidationReport
from .workspace import DEFAULT_ENGINE, Workspace


@dataclass(frozen=True)
class Document:
    """One file as the user handed it over: what the report calls it, its bytes, what it holds
    (an RDF format, or None for a CSV template, with the template when it was said)."""

    name: str
    data: bytes
    format: ox.RdfFormat | None
    template: str | None = None


def documents_from(
    name: str, data: bytes, *, max_bytes: int, fmt: ox.RdfFormat | None = None, csv: bool = False
) -> list[Document]:
    """The documents in one file: its members if it is a zip archive, else the file itself,
    in the format its name says (or `fmt` / `csv` when the name says nothing)."""
    if is_archive(name):
        return [
            document
            for member, content in read_archive(data, source=name, max_bytes=max_bytes)
            for document in documents_from(member, content, max_bytes=max_bytes)
        ]
    if csv or is_tabular(Path(name)):
        return [Document(name, data, None)]
    if fmt is None:
        fmt = format_from_name(name)
    return [Document(name, data, fmt)]


def read_documents(
    paths: Sequence[Path], *, max_bytes: int, names: Sequence[str] | None = None
) -> list[Document]:
    """Read files (zip archives unpacked); `names` are how the report calls them."""
    shown = list(names) if names else [str(p) for p in paths]
    documents: list[Document] = []
    for path, name in zip(paths, shown, strict=True):
        data = read_bytes(path, max_bytes=max_bytes)
        documents += documents_from(name, data, max_bytes=max_bytes)
    return documents


def validate_documents(
    documents: Sequence[Document],
    *,
    context: Queryable | None = None,
    exclude_graphs: Sequence[str] = (),
    engine: str = DEFAULT_ENGINE,
) -> ValidationReport:
    """Parse and validate documents as one dataset; unreadable input raises `InputError`."""
    workspace = Workspace(context=context, exclude_graphs=exclude_graphs, engine=engine)
    for document in documents:
        if document.format is None:
            tables = read_csv_bytes(document.data, source=document.name, template=document.template)
            workspace.add_quads(tables.quads, source=document.name)
            workspace.add_locator(tables.locator)
        else:
            workspace.add_document(document.data, document.format, source=document.name)
    return workspace.validate()


def validate_files(
    paths: Sequence[Path],
    *,
    max_bytes: int,
    context: Queryable | None = None,
    exclude_graphs: Sequence[str] = (),
    engine: str = DEFAULT_ENGINE,
    names: Sequence[str] | None = None,
) -> ValidationReport:
    """Read, parse and validate `paths` as one dataset; unreadable input raises `InputError`.

    `names` are how the files are called in the report (default: the paths as given).
    """
    documents = read_documents(paths, max_bytes=max_bytes, names=names)
    return validate_documents(
        documents, context=context, exclude_graphs=exclude_graphs, engine=engine
    )
