"""Writing a link set: the links, their provenance, and the graph's VoID/PROV record.

Each link set is its own named graph, replaced whole by every run. Per link it holds the
linking property, the raw identifier as a literal (so queries need no identity reasoning) and
an SSSOM mapping in its OWL form (an `owl:Axiom` naming source, property and target) with the
justification (a SEMAPV matching process), the confidence and the evidence in words. The graph
record in the catalogue types the graph `void:Linkset` with its link predicate and targets.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from ..namespaces import GRAPH, ID, OWL, RDF, RDFS, SKOS, TCAP, VOID, XSD
from ..records import LINKSET, GraphRecord, now, triple_counts
from ..store import ChangeSet
from .decisions import Match

SSSOM = "https://w3id.org/sssom/"


@dataclass(frozen=True)
class LinkKind:
    """What a family of links points at and with which properties."""

    name: str
    predicate: str
    identifier: str
    target_dataset: str


GEONAMES = LinkKind("geonames", SKOS + "closeMatch", TCAP + "geonamesId", ID + "dataset/geonames")
WIKIDATA = LinkKind("wikidata", OWL + "sameAs", TCAP + "wikidataId", ID + "dataset/wikidata")


def linkset_graph(kind: LinkKind, dataset: str) -> str:
    """`.../graph/linkset/<target>/<dataset path>` for a dataset graph (or graph prefix)."""
    relative = dataset.removeprefix(GRAPH) if dataset.startswith(GRAPH) else dataset
    slug = re.sub(r"[^A-Za-z0-9._/-]+", "-", relative).strip("-/") or "dataset"
    return f"{GRAPH}linkset/{kind.name}/{slug}"


def linkset_changes(
    kind: LinkKind,
    graph: str,
    subjects: Sequence[str],
    matches: Sequence[Match],
    *,
    source: str,
    sha256: str,
) -> ChangeSet:
    """Replace the link set graph with the links of the linked matches and its record."""
    name = ox.NamedNode(graph)
    quads: list[ox.Quad] = []

    def add(
        subject: ox.NamedNode | ox.BlankNode,
        predicate: str,
        value: ox.NamedNode | ox.BlankNode | ox.Literal,
    ) -> None:
        quads.append(ox.Quad(subject, ox.NamedNode(predicate), value, name))

    for found in matches:
        chosen = found.chosen
        if chosen is None:
            continue
        place, target = ox.NamedNode(found.place.iri), ox.NamedNode(chosen.iri)
        add(place, kind.predicate, target)
        add(place, kind.identifier, ox.Literal(chosen.identifier))
        mapping = ox.BlankNode()
        add(mapping, RDF + "type", ox.NamedNode(OWL + "Axiom"))
        add(mapping, OWL + "annotatedSource", place)
        add(mapping, OWL + "annotatedProperty", ox.NamedNode(kind.predicate))
        add(mapping, OWL + "annotatedTarget", target)
        add(mapping, SSSOM + "mapping_justification", ox.NamedNode(chosen.justification))
        add(
            mapping,
            SSSOM + "confidence",
            ox.Literal(f"{chosen.confidence:.2f}", datatype=ox.NamedNode(XSD + "double")),
        )
        add(mapping, SSSOM + "subject_label", ox.Literal(found.place.label))
        add(mapping, SSSOM + "object_label", ox.Literal(chosen.label))
        add(mapping, SSSOM + "mapping_tool", ox.Literal(f"tcap link ({source})"))
        add(mapping, RDFS + "comment", ox.Literal("; ".join(chosen.evidence), language="en"))
    if not quads:
        return ChangeSet(drop_graphs=[graph])
    extra: list[tuple[str, ox.NamedNode | ox.Literal]] = [
        (RDF + "type", ox.NamedNode(VOID + "Linkset")),
        (VOID + "linkPredicate", ox.NamedNode(kind.predicate)),
        (VOID + "objectsTarget", ox.NamedNode(kind.target_dataset)),
    ]
    extra += [(VOID + "subjectsTarget", ox.NamedNode(subject)) for subject in subjects]
    record = GraphRecord(
        graph=graph,
        sources=(source,),
        sha256=(sha256,) if sha256 else (),
        triples=triple_counts(quads).get(graph, 0),
        loaded_at=now(),
        role=LINKSET,
        extra=tuple(extra),
    )
    return ChangeSet(drop_graphs=[graph], add=[*quads, *record.quads()])
