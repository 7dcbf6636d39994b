"""Where the shipped ontology, shapes, data and named queries are.

In an installed wheel they travel inside the package (`tcap_kg/_shipped/`); in a source checkout
they are the top-level folders. Both layouts hold the same relative paths, so graph names do not
depend on how the package was installed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .namespaces import graph_for_path

SHIPPED_FOLDERS = ("ontology", "shapes", "data")
RDF_SUFFIXES = (".ttl", ".trig", ".nt", ".nq", ".jsonld", ".rdf", ".owl")


def shipped_root() -> Path:
    """The folder that holds ontology/, shapes/, data/ and queries/."""
    packaged = Path(__file__).resolve().parent / "_shipped"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class ShippedFile:
    """One shipped RDF file and the named graph it is loaded into."""

    path: Path
    relative: str

    @property
    def graph(self) -> str:
        return graph_for_path(self.relative)


def shipped_files(root: Path | None = None) -> list[ShippedFile]:
    """Every shipped RDF file, ontology first, then shapes, then data, in a stable order."""
    base = root or shipped_root()
    found: list[ShippedFile] = []
    for folder in SHIPPED_FOLDERS:
        directory = base / folder
        if not directory.is_dir():
            continue
        for path in sorted(directory.rglob("*")):
            if path.is_file() and path.suffix in RDF_SUFFIXES:
                found.append(ShippedFile(path, path.relative_to(base).as_posix()))
    return found


def ontology_dir() -> Path:
    return shipped_root() / "ontology"


def shapes_dir() -> Path:
    return shipped_root() / "shapes"


def queries_dir() -> Path:
    return shipped_root() / "queries"
