"""What a dataset is validated against besides itself: the ontology and the graph it joins.

A new dataset may point at things described elsewhere: a claim about Beijing, a city typed with
a subclass, a source described in the shipped publications. SHACL only sees its data graph, so
the workspace holds, in a separate graph, the ontology (class hierarchy and concept schemes), the
descriptions of the things the dataset mentions, and the identifiers of every place (so a second
Beijing under another IRI is caught). Findings about nodes the dataset does not describe are
dropped: the dataset is judged, not the rest of the graph.

Which direction is cheaper depends on sizes: a small dataset asks the store about its own IRIs;
a big dataset against a small store (the shipped graphs) checks the store's subjects instead.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence

import pyoxigraph as ox

from ..namespaces import CATALOG_GRAPH, GRAPH, TCAP
from ..store import Solutions, Store, Triples

log = logging.getLogger(__name__)

CONTEXT_GRAPH = ox.NamedNode("urn:tcap:validation:context")
DATA_GRAPH = ox.NamedNode("urn:tcap:validation:data")
ONTOLOGY_GRAPHS = GRAPH + "ontology/"
SHAPES_GRAPHS = GRAPH + "shapes/"
VALUES_CHUNK = 400

_ONTOLOGY = f"""
CONSTRUCT {{ ?s ?p ?o }} WHERE {{
  GRAPH ?g {{ ?s ?p ?o }}
  FILTER (STRSTARTS(STR(?g), "{ONTOLOGY_GRAPHS}"))
}}"""

_IDENTIFIERS = f"""
PREFIX tcap: <{TCAP}>
CONSTRUCT {{ ?place a ?type ; ?id ?value }} WHERE {{
  VALUES ?id {{ tcap:wikidataId tcap:geonamesId }}
  GRAPH ?g {{ ?place ?id ?value }}
  GRAPH ?h {{ ?place a ?type }}
  FILTER (?g NOT IN (<{CATALOG_GRAPH}>{{excluded}}) && ?h NOT IN (<{CATALOG_GRAPH}>{{excluded}}))
}}"""

_SUBJECTS = """
SELECT DISTINCT ?s WHERE {{
  GRAPH ?g {{ ?s ?p ?o }}
  FILTER (isIRI(?s) && !STRSTARTS(STR(?g), "{ontology}") && !STRSTARTS(STR(?g), "{shapes}")
          && ?g NOT IN (<{catalog}>{excluded}))
}}"""

_DESCRIPTIONS = """
CONSTRUCT {{ ?s ?p ?o . ?o ?p2 ?o2 }} WHERE {{
  VALUES ?s {{ {values} }}
  GRAPH ?g {{ ?s ?p ?o OPTIONAL {{ ?o ?p2 ?o2 FILTER (isBlank(?o)) }} }}
  FILTER (?g NOT IN (<{catalog}>{excluded}))
}}"""


def context_quads(
    store: Store, workspace: ox.Store, *, exclude_graphs: Sequence[str] = ()
) -> Iterator[ox.Quad]:
    """The context for the dataset in `workspace`, as quads in CONTEXT_GRAPH.

    `exclude_graphs` are graphs the pending change replaces: their old content must not count.
    """
    excluded = "".join(f", <{ox.NamedNode(graph).value}>" for graph in exclude_graphs)
    yield from _in_context(_construct(store, _ONTOLOGY))
    yield from _in_context(_construct(store, _IDENTIFIERS.replace("{excluded}", excluded)))
    mentioned = _mentioned(store, workspace, excluded)
    for start in range(0, len(mentioned), VALUES_CHUNK):
        chunk = mentioned[start : start + VALUES_CHUNK]
        query = _DESCRIPTIONS.format(
            values=" ".join(str(node) for node in chunk), catalog=CATALOG_GRAPH, excluded=excluded
        )
        yield from _in_context(_construct(store, query))


def _mentioned(store: Store, workspace: ox.Store, excluded: str) -> list[ox.NamedNode]:
    """IRIs the dataset mentions (as subject or object) that the store describes."""
    dataset_size = len(workspace)
    if dataset_size > 50_000 and store.count() < dataset_size:
        query = _SUBJECTS.format(
            ontology=ONTOLOGY_GRAPHS, shapes=SHAPES_GRAPHS, catalog=CATALOG_GRAPH, excluded=excluded
        )
        result = store.query(query)
        assert isinstance(result, Solutions)
        described = [row["s"] for row in result]
        return [
            node
            for node in described
            if isinstance(node, ox.NamedNode) and _mentions(workspace, node)
        ]
    found: dict[str, ox.NamedNode] = {}
    for quad in workspace:
        for term in (quad.subject, quad.object):
            if isinstance(term, ox.NamedNode):
                found.setdefault(term.value, term)
    return list(found.values())


def _mentions(workspace: ox.Store, node: ox.NamedNode) -> bool:
    return (
        next(iter(workspace.quads_for_pattern(node, None, None)), None) is not None
        or next(iter(workspace.quads_for_pattern(None, None, node)), None) is not None
    )


def _construct(store: Store, query: str) -> Triples:
    result = store.query(query)
    assert isinstance(result, Triples)
    return result


def _in_context(triples: Iterable[ox.Triple]) -> Iterator[ox.Quad]:
    for triple in triples:
        yield ox.Quad(triple.subject, triple.predicate, triple.object, CONTEXT_GRAPH)
