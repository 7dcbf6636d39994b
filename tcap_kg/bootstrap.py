"""Building and refreshing the store from the shipped ontology, shapes and data.

The first start loads every shipped file into its own graph; later starts compare checksums with
the graph records and reload only what changed, so a populated store is ready in well under the
two seconds a restart may take.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import pyoxigraph as ox

from .loading import RESERVED_PREFIXES, dataset_changes
from .namespaces import CATALOG_GRAPH, DATASET_IRI, DCTERMS, RDF, VOID, XSD
from .rdfio import format_from_name, parse_bytes
from .records import SHIPPED, now, read_records
from .shipped import ShippedFile, shipped_files
from .store import ChangeSet, Store

log = logging.getLogger(__name__)


@dataclass
class SyncReport:
    """Which shipped graphs a sync loaded, kept or removed."""

    loaded: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.loaded or self.removed)


def sync_shipped(
    store: Store,
    *,
    force: bool = False,
    files: list[ShippedFile] | None = None,
    progress: Callable[[ShippedFile], None] | None = None,
) -> SyncReport:
    """Bring the shipped graphs in line with the shipped files.

    `force` first removes every graph in the store, user datasets included, and loads the shipped
    files again: a rebuild from scratch.
    """
    report = SyncReport()
    if force:
        everything = [info.iri for info in store.graphs()]
        if everything:
            store.commit(ChangeSet(drop_graphs=everything))
            log.info("removed %d graphs before rebuilding", len(everything))
    records = read_records(store)
    wanted = files if files is not None else shipped_files()
    for shipped in wanted:
        data = shipped.path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        record = records.get(shipped.graph)
        if record is not None and record.sha256 == (digest,):
            report.unchanged.append(shipped.graph)
        else:
            parsed = parse_bytes(data, format_from_name(shipped.path.name), source=shipped.relative)
            changes, _ = dataset_changes(
                [(parsed, shipped.graph)], role=SHIPPED, allow_reserved=True
            )
            store.commit(changes)
            report.loaded.append(shipped.graph)
            log.info("loaded %s into <%s>", shipped.relative, shipped.graph)
        if progress is not None:
            progress(shipped)
    if report.changed or not is_initialised(store):
        store.commit(ChangeSet(undescribe=[DATASET_IRI], add=dataset_record()))
    current = {shipped.graph for shipped in wanted}
    stale = [
        graph
        for graph, record in records.items()
        if record.role == SHIPPED and graph.startswith(RESERVED_PREFIXES) and graph not in current
    ]
    if stale:
        store.commit(ChangeSet(drop_graphs=stale))
        report.removed += stale
        log.info("removed %d graphs whose shipped file is gone", len(stale))
    return report


def dataset_record() -> list[ox.Quad]:
    """The description of the whole dataset; its presence marks an initialised store."""
    catalog = ox.NamedNode(CATALOG_GRAPH)
    subject = ox.NamedNode(DATASET_IRI)
    return [
        ox.Quad(subject, ox.NamedNode(RDF + "type"), ox.NamedNode(VOID + "Dataset"), catalog),
        ox.Quad(
            subject, ox.NamedNode(DCTERMS + "title"), ox.Literal("TCap KG", language="en"), catalog
        ),
        ox.Quad(
            subject,
            ox.NamedNode(DCTERMS + "modified"),
            ox.Literal(now().isoformat(), datatype=ox.NamedNode(XSD + "dateTime")),
            catalog,
        ),
    ]


def is_initialised(store: Store) -> bool:
    """Whether the shipped graphs were ever synced into this store."""
    return bool(
        store.query(
            "ASK { GRAPH ?catalog { ?dataset ?p ?o } }",
            bindings={"catalog": ox.NamedNode(CATALOG_GRAPH), "dataset": ox.NamedNode(DATASET_IRI)},
        )
    )
