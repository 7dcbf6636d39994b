"""Descriptions of the graphs in the store: where each came from and what it holds.

Each named graph gets a small record in the catalogue graph, written in the same transaction as
its data: the source file, its SHA-256, the triple count, when it was loaded, and whether it passed
the shapes. The records use VoID, DCTerms, PROV and SPDX so any linked-data client can read them,
and they are what lets a restart skip unchanged shipped files.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pyoxigraph as ox

from .namespaces import CATALOG_GRAPH, DCTERMS, PROV, RDF, SPDX, VOID, XSD
from .store import Solutions
from .store.base import Queryable

SHIPPED = "shipped"
DATASET = "dataset"
LINKSET = "linkset"
EXTERNAL = "external"
INFERRED = "inferred"
ROLES = (SHIPPED, DATASET, LINKSET, EXTERNAL, INFERRED)

_CATALOG = ox.NamedNode(CATALOG_GRAPH)


@dataclass(frozen=True)
class GraphRecord:
    """What we know about how a graph got into the store."""

    graph: str
    sources: tuple[str, ...]
    sha256: tuple[str, ...]
    triples: int
    loaded_at: datetime
    role: str
    conforms_to: str | None = None
    extra: tuple[tuple[str, ox.NamedNode | ox.Literal], ...] = field(default=())

    def quads(self) -> list[ox.Quad]:
        """The record as quads in the catalogue graph."""
        subject = ox.NamedNode(self.graph)

        def q(
            s: ox.NamedNode | ox.BlankNode, p: str, o: ox.NamedNode | ox.BlankNode | ox.Literal
        ) -> ox.Quad:
            return ox.Quad(s, ox.NamedNode(p), o, _CATALOG)

        out = [
            q(subject, RDF + "type", ox.NamedNode(VOID + "Dataset")),
            q(subject, DCTERMS + "type", ox.Literal(self.role)),
            q(
                subject,
                VOID + "triples",
                ox.Literal(str(self.triples), datatype=ox.NamedNode(XSD + "integer")),
            ),
            q(
                subject,
                PROV + "generatedAtTime",
                ox.Literal(self.loaded_at.isoformat(), datatype=ox.NamedNode(XSD + "dateTime")),
            ),
        ]
        for source in self.sources:
            out.append(q(subject, DCTERMS + "source", ox.Literal(source)))
        for digest in self.sha256:
            node = ox.BlankNode()
            out += [
                q(subject, SPDX + "checksum", node),
                q(node, SPDX + "algorithm", ox.NamedNode(SPDX + "checksumAlgorithm_sha256")),
                q(node, SPDX + "checksumValue", ox.Literal(digest)),
            ]
        if self.conforms_to:
            out.append(q(subject, DCTERMS + "conformsTo", ox.NamedNode(self.conforms_to)))
        out += [q(subject, predicate, value) for predicate, value in self.extra]
        return out


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


_RECORDS_QUERY = f"""
PREFIX dcterms: <{DCTERMS}> PREFIX void: <{VOID}> PREFIX prov: <{PROV}> PREFIX spdx: <{SPDX}>
SELECT ?g ?role ?triples ?at ?conforms
       (GROUP_CONCAT(DISTINCT ?source; separator="\\n") AS ?sources)
       (GROUP_CONCAT(DISTINCT ?sha; separator="\\n") AS ?shas)
WHERE {{
  GRAPH <{CATALOG_GRAPH}> {{
    ?g a void:Dataset ; dcterms:type ?role ; void:triples ?triples ; prov:generatedAtTime ?at .
    OPTIONAL {{ ?g dcterms:source ?source }}
    OPTIONAL {{ ?g spdx:checksum/spdx:checksumValue ?sha }}
    OPTIONAL {{ ?g dcterms:conformsTo ?conforms }}
  }}
}} GROUP BY ?g ?role ?triples ?at ?conforms
"""


def read_records(store: Queryable) -> dict[str, GraphRecord]:
    """Every graph record in the store, keyed by graph IRI."""
    result = store.query(_RECORDS_QUERY)
    assert isinstance(result, Solutions)
    records: dict[str, GraphRecord] = {}
    for row in result:
        graph, role, triples, at = row["g"], row["role"], row["triples"], row["at"]
        if graph is None or role is None or triples is None or at is None:
            continue
        conforms = row["conforms"]
        records[graph.value] = GraphRecord(
            graph=graph.value,
            sources=_split(row["sources"]),
            sha256=_split(row["shas"]),
            triples=int(triples.value),
            loaded_at=datetime.fromisoformat(at.value),
            role=role.value,
            conforms_to=conforms.value if conforms is not None else None,
        )
    return records


def _split(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> tuple[str, ...]:
    if term is None or not isinstance(term, ox.Literal) or not term.value:
        return ()
    return tuple(sorted(term.value.split("\n")))


def triple_counts(quads: Iterable[ox.Quad]) -> dict[str, int]:
    """Distinct triples per named graph, as the store will hold them (duplicates collapse)."""
    seen: dict[str, set[tuple[object, object, object]]] = {}
    for quad in quads:
        if isinstance(quad.graph_name, ox.NamedNode):
            seen.setdefault(quad.graph_name.value, set()).add(
                (quad.subject, quad.predicate, quad.object)
            )
    return {graph: len(triples) for graph, triples in seen.items()}
