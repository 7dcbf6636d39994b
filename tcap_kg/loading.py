"""Putting parsed datasets into the store: target graphs, records, one atomic commit.

A dataset (one or more files loaded together) replaces the graphs it targets as a whole, so
loading a corrected file again gives exactly the corrected graph. Triples go to the graph the user
names (or one derived from the file name); TriG and N-Quads keep their own graphs. Graphs reserved
for the shipped ontology, shapes and data cannot be overwritten by a user load.
"""

from __future__ import annotations

import logging
import posixpath
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pyoxigraph as ox

from .errors import InputError
from .namespaces import CATALOG_GRAPH, GRAPH, INFERRED_GRAPH, is_staging_graph
from .rdfio import ParsedDataset
from .records import DATASET, GraphRecord, now, triple_counts
from .store import ChangeSet, Store

log = logging.getLogger(__name__)

RESERVED_PREFIXES = tuple(GRAPH + folder + "/" for folder in ("ontology", "shapes", "data"))
RESERVED_GRAPHS = (INFERRED_GRAPH,)


@dataclass(frozen=True)
class LoadSummary:
    """What a commit wrote, per graph."""

    graphs: dict[str, int]

    @property
    def triples(self) -> int:
        return sum(self.graphs.values())


def default_graph_for(path: Path) -> str:
    """`https://w3id.org/tcap-kg/graph/dataset/<file stem>` for a user file without `--graph`."""
    stem = path.name.removesuffix(".gz").rsplit(".", 1)[0]
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-") or "dataset"
    return f"{GRAPH}dataset/{slug}"


def check_graph_iri(graph: str, *, allow_reserved: bool = False) -> str:
    """Refuse graph names that are not absolute IRIs or that belong to the store itself.

    Graphs are compared in a normal spelling (either scheme, any case of host, default port,
    escaped letters, dot segments), since a store keeps `http://W3ID.org/tcap-kg/graph/catalog`
    apart from ours but a reader of the IRI takes them for the same graph.
    """
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$", graph):
        raise InputError(f"graph name {graph!r} is not an absolute IRI")
    key = spelling(graph)
    if key == spelling(CATALOG_GRAPH) or is_staging_graph(graph.lower()):
        raise InputError(f"graph <{graph}> is managed by TCap KG itself and cannot be loaded into")
    if not allow_reserved and (
        key.startswith(tuple(spelling(prefix) for prefix in RESERVED_PREFIXES))
        or key in {spelling(reserved) for reserved in RESERVED_GRAPHS}
    ):
        raise InputError(
            f"graph <{graph}> is reserved for the shipped ontology, shapes, data and inferences; "
            "choose another --graph"
        )
    return graph


def spelling(iri: str) -> str:
    """The IRI in one spelling among those that name the same resource to a reader."""
    parts = urlsplit(iri)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return iri
    host = (parts.hostname or "").rstrip(".")
    try:
        port = parts.port if parts.port not in (None, 80, 443) else None
    except ValueError:
        return iri
    path = posixpath.normpath(unquote(parts.path)) if parts.path else "/"
    if parts.path.endswith("/") and not path.endswith("/"):
        path += "/"
    authority = f"{host}:{port}" if port else host
    return f"https://{authority}{path}" + (f"?{unquote(parts.query)}" if parts.query else "")


def targeted(dataset: ParsedDataset, default_graph: str) -> Iterator[ox.Quad]:
    """The dataset's quads with default-graph triples moved into `default_graph`."""
    target = ox.NamedNode(default_graph)
    for quad in dataset.quads:
        if isinstance(quad.graph_name, ox.DefaultGraph):
            yield ox.Quad(quad.subject, quad.predicate, quad.object, target)
        else:
            yield quad


def dataset_changes(
    datasets: Sequence[tuple[ParsedDataset, str]],
    *,
    role: str = DATASET,
    conforms_to: str | None = None,
    allow_reserved: bool = False,
    records: Iterable[ox.Quad] = (),
) -> tuple[ChangeSet, LoadSummary]:
    """One change set that replaces every graph the datasets target and describes each of them.

    `datasets` pairs each parsed file with the graph its default-graph triples go to, plus the
    source name the record should carry. `records` are further catalogue quads about the graphs
    (the validation result), written in the same transaction.
    """
    quads: list[ox.Quad] = []
    sources: dict[str, list[ParsedDataset]] = {}
    for dataset, default_graph in datasets:
        for quad in targeted(dataset, default_graph):
            quads.append(quad)
            assert isinstance(quad.graph_name, ox.NamedNode)
            graph_sources = sources.setdefault(quad.graph_name.value, [])
            if dataset not in graph_sources:
                graph_sources.append(dataset)
    for graph in sources:
        check_graph_iri(graph, allow_reserved=allow_reserved)
    counts = triple_counts(quads)
    loaded_at = now()
    graph_records: list[ox.Quad] = []
    for graph, contributing in sources.items():
        record = GraphRecord(
            graph=graph,
            sources=tuple(d.source for d in contributing),
            sha256=tuple(d.sha256 for d in contributing),
            triples=counts.get(graph, 0),
            loaded_at=loaded_at,
            role=role,
            conforms_to=conforms_to,
        )
        graph_records += record.quads()
    changes = ChangeSet(drop_graphs=list(sources), add=_chain(quads, graph_records, records))
    return changes, LoadSummary({graph: counts.get(graph, 0) for graph in sources})


def _chain(*parts: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
    for part in parts:
        yield from part


def commit_datasets(
    store: Store,
    datasets: Sequence[tuple[ParsedDataset, str]],
    *,
    role: str = DATASET,
    conforms_to: str | None = None,
    records: Iterable[ox.Quad] = (),
) -> LoadSummary:
    """Replace the targeted graphs with the datasets, atomically, with their records."""
    changes, summary = dataset_changes(
        datasets, role=role, conforms_to=conforms_to, records=records
    )
    store.commit(changes)
    log.info("loaded %d triples into %d graph(s)", summary.triples, len(summary.graphs))
    return summary
