"""Which quads a SPARQL Update can touch, read from its algebra before it runs.

The write path needs the change an update makes (the quads it adds and removes) to validate only
what changed and keep the graph records right. Every quad an update can add or remove matches one
of its templates (`INSERT`/`DELETE` blocks, `DATA` blocks, `DELETE WHERE` patterns), or lies in a
graph that `CLEAR`, `DROP`, `ADD`, `MOVE` or `COPY` names. Each template becomes a quad pattern
whose constants are the template's IRIs and whose wildcards are its variables, so the quads that
match the patterns before and after the update contain the whole change: reading them costs what
the update touches, not what the store holds.

Some constants become wildcards on purpose, so the patterns can only be wider than the change:
literals (engines normalise lexical forms, `"01"^^xsd:integer` is stored as `"1"`), blank nodes
(fresh on every insert) and IRIs that are not absolute (resolved by the engine).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Node, URIRef

from .guard import Update

GraphTerm = ox.NamedNode | ox.DefaultGraph
Pattern = tuple[ox.NamedNode | None, ox.NamedNode | None, ox.NamedNode | None, GraphTerm | None]
EVERYTHING: Pattern = (None, None, None, None)
DEFAULT = "DEFAULT"


@dataclass(frozen=True)
class Footprint:
    """The quad patterns an update can change, and the named graphs it names outright."""

    patterns: tuple[Pattern, ...]
    graphs: frozenset[str]


def footprint(update: Update) -> Footprint:
    """The footprint of every operation of the update together."""
    patterns: set[Pattern] = set()
    for operation in update.operations:
        patterns.update(_operation(operation))
    if EVERYTHING in patterns:
        patterns = {EVERYTHING}
    graphs = frozenset(
        graph.value for _, _, _, graph in patterns if isinstance(graph, ox.NamedNode)
    )
    return Footprint(tuple(sorted(patterns, key=str)), graphs)


def matching(store: ox.Store, patterns: Iterable[Pattern]) -> set[ox.Quad]:
    """The store's quads that match any of the patterns."""
    found: set[ox.Quad] = set()
    for subject, predicate, obj, graph in patterns:
        found.update(store.quads_for_pattern(subject, predicate, obj, graph))
    return found


def _operation(operation: CompValue) -> Iterator[Pattern]:
    name = operation.name
    if name in ("InsertData", "DeleteData", "DeleteWhere"):
        yield from _templates(operation.triples, operation.quads, DEFAULT)
    elif name == "Modify":
        default = operation.withClause or DEFAULT
        for clause in (operation.delete, operation.insert):
            if clause:
                yield from _templates(clause.triples, clause.quads, default)
    elif name in ("Clear", "Drop"):
        yield _whole(operation.graphiri)
    elif name in ("Add", "Move", "Copy"):
        for graph in operation.graph:
            yield _whole(graph)
    elif name != "Create":
        yield EVERYTHING


def _templates(
    triples: Sequence[tuple[Node, Node, Node]] | None,
    quads: Mapping[Node, Sequence[tuple[Node, Node, Node]]] | None,
    default: object,
) -> Iterator[Pattern]:
    for subject, predicate, obj in triples or ():
        yield _iri(subject), _iri(predicate), _iri(obj), _graph(default)
    for graph, graph_triples in (quads or {}).items():
        for subject, predicate, obj in graph_triples:
            yield _iri(subject), _iri(predicate), _iri(obj), _graph(graph)


def _whole(graph: object) -> Pattern:
    """Every quad of a graph named by `CLEAR`, `DROP`, `ADD` and the like (`ALL`, `NAMED`:
    every graph)."""
    if graph in ("ALL", "NAMED"):
        return EVERYTHING
    return None, None, None, _graph(graph)


def _graph(graph: object) -> GraphTerm | None:
    if graph == DEFAULT:
        return ox.DefaultGraph()
    return _iri(graph)


def _iri(term: object) -> ox.NamedNode | None:
    """A constant of the pattern: an absolute IRI as the engine will store it; else a wildcard."""
    if not isinstance(term, URIRef) or ":" not in term:
        return None
    try:
        return ox.NamedNode(str(term))
    except ValueError:
        return None
