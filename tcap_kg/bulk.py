"""Streaming loads of large external dumps (`tcap load --no-validate`).

A Wikidata or GeoNames extract can be far larger than memory, and it is not ours to validate
against our shapes. Such a dump is read twice, never held whole: a first pass parses it to
find syntax errors and the graphs it fills before the store is touched (so a broken dump
changes nothing), then the store streams it in with its bulk loader. Each graph gets a record
with role `external`, the file name and the SHA-256 of its (decompressed) content.
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

import pyoxigraph as ox

from .errors import InputError
from .loading import LoadSummary, check_graph_iri, default_graph_for
from .rdfio import DEFAULT_BASE_IRI, format_from_name, open_stream, syntax_error
from .records import EXTERNAL, GraphRecord, now
from .store import BulkSource, Store

log = logging.getLogger(__name__)

STREAMABLE = (
    ox.RdfFormat.N_TRIPLES,
    ox.RdfFormat.N_QUADS,
    ox.RdfFormat.TURTLE,
    ox.RdfFormat.TRIG,
)

Progress = Callable[[int], None]


def streamable(path: Path) -> bool:
    """Whether a file can be bulk-loaded: N-Triples, N-Quads, Turtle or TriG, gzipped or not.

    RDF/XML and JSON-LD are left to the validated path, whose guards against entity expansion
    and remote contexts need the whole document.
    """
    try:
        return format_from_name(path.name) in STREAMABLE
    except InputError:
        return False


@dataclass(frozen=True)
class Dump:
    """A checked dump: where it is, its format, the graphs it fills and its checksum."""

    path: Path
    format: ox.RdfFormat
    default_graph: str
    graphs: tuple[str, ...]
    sha256: str

    def source(self, progress: Progress | None) -> BulkSource:
        return BulkSource(
            self.path.name,
            lambda: open_stream(self.path, progress),
            self.format,
            self.default_graph,
            self.graphs,
        )


def read_dump(
    path: Path, visit: Callable[[ox.Quad], None], progress: Progress | None = None
) -> str:
    """Parse a dump quad by quad without keeping it; returns the SHA-256 of its content."""
    fmt = format_from_name(path.name)
    if fmt not in STREAMABLE:
        raise InputError(f"{path}: only N-Triples, N-Quads, Turtle and TriG dumps can be streamed")
    digest = hashlib.sha256()
    with open_stream(path, progress) as stream:
        hashed = cast(IO[bytes], io.BufferedReader(_Hashing(stream, digest.update)))
        try:
            for quad in ox.parse(hashed, fmt, base_iri=DEFAULT_BASE_IRI):
                visit(quad)
        except SyntaxError as exc:
            raise syntax_error(exc, path.name) from None
        except (OSError, EOFError) as exc:
            raise InputError(f"{path}: cannot read: {exc}") from exc
    return digest.hexdigest()


def check_dump(path: Path, default_graph: str, progress: Progress | None = None) -> Dump:
    """Parse a dump once without keeping it: its syntax, its graphs and its SHA-256."""
    check_graph_iri(default_graph)
    graphs: dict[str, None] = {}

    def note(quad: ox.Quad) -> None:
        graph = quad.graph_name
        graphs[graph.value if isinstance(graph, ox.NamedNode) else default_graph] = None

    sha256 = read_dump(path, note, progress)
    for graph in graphs:
        check_graph_iri(graph)
    return Dump(path, format_from_name(path.name), default_graph, tuple(graphs), sha256)


def load_dumps(
    store: Store,
    paths: Sequence[Path],
    graph: str | None = None,
    *,
    checking: Progress | None = None,
    loading: Progress | None = None,
) -> LoadSummary:
    """Check every dump, then replace the graphs they fill in one streaming, all-or-nothing load.

    `checking` and `loading` are told the bytes read from the files in each of the two passes.
    """
    dumps = [check_dump(path, graph or default_graph_for(path), checking) for path in paths]

    def describe(counts: Mapping[str, int]) -> list[ox.Quad]:
        loaded_at = now()
        quads: list[ox.Quad] = []
        for target, triples in counts.items():
            filling = [dump for dump in dumps if target in dump.graphs]
            record = GraphRecord(
                graph=target,
                sources=tuple(dump.path.name for dump in filling),
                sha256=tuple(dump.sha256 for dump in filling),
                triples=triples,
                loaded_at=loaded_at,
                role=EXTERNAL,
            )
            quads += record.quads()
        return quads

    if not any(dump.graphs for dump in dumps):
        return LoadSummary({})
    counts = store.bulk_load([dump.source(loading) for dump in dumps if dump.graphs], describe)
    log.info("streamed %d triples into %d graph(s)", sum(counts.values()), len(counts))
    return LoadSummary(counts)


class _Hashing(io.RawIOBase):
    """A read-through stream that hashes what passes, so the checksum costs no extra pass."""

    def __init__(self, stream: IO[bytes], update: Callable[[bytes], None]) -> None:
        self._stream = stream
        self._update = update

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        self._update(data)
        return len(data)
