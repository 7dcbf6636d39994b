"""What a dataset is validated against besides itself: the ontology and the graph it joins.

A new dataset may point at things described elsewhere, and may add to them: a claim about
Beijing, a second name for Beijing, a city typed with a subclass. SHACL only sees its data
graph, so the workspace also holds, in graphs of its own:

- the ontology (class hierarchy, concept schemes), in ONTOLOGY_GRAPH;
- the store's description of every node within reach of the dataset (see `reach`): the nodes
  the dataset mentions, the nodes those descriptions mention, and so on as far as the shapes
  read, in CONTEXT_GRAPH. Adding a name to Beijing brings Beijing's description, and with it
  the description of Beijing's geometry that a shape of Beijing checks;
- the identifiers of every place, so a second Beijing under another IRI is caught.

A change can also take statements away: graphs it replaces (`exclude_graphs`) do not count, and
single removed quads (`removed`, from a SPARQL Update) are taken out of the context. A node that
loses statements, and every node that refers to it, is then checked again, since a node
pointing at a city that is no longer a city is wrong now. Those nodes are the change's *affected*
nodes; the workspace reports findings about them beside those about the nodes the dataset
describes. Everything else is context: judged with, never reported on.

Which direction is cheaper depends on sizes: a small dataset asks the store about its own IRIs;
a big dataset against a small store (the shipped graphs) checks the store's subjects instead.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

import pyoxigraph as ox

from ..namespaces import CATALOG_GRAPH, GRAPH, TCAP, VOID
from ..store import Solutions, Triples
from ..store.base import Queryable, count_quads

log = logging.getLogger(__name__)

T = TypeVar("T")

CONTEXT_GRAPH = ox.NamedNode("urn:tcap:validation:context")
ONTOLOGY_GRAPH = ox.NamedNode("urn:tcap:validation:ontology")
DATA_GRAPH = ox.NamedNode("urn:tcap:validation:data")
CONTEXT_GRAPHS = (CONTEXT_GRAPH, ONTOLOGY_GRAPH)
ONTOLOGY_GRAPHS = GRAPH + "ontology/"
SHAPES_GRAPHS = GRAPH + "shapes/"
VALUES_CHUNK = 400
REVERSE_LOOKUP_ABOVE = 50_000

# The ontology graphs are listed first and then read by name: one CONSTRUCT that filters every
# quad's graph reads the whole store (2 s at 1M triples, for every one-triple change). `GRAPH ?g
# {}` lists graphs from the index where the server supports it (Oxigraph); Virtuoso answers it
# with nothing, so the catalogue's records of the graphs are asked too.
_ONTOLOGY_GRAPHS = f"""
SELECT DISTINCT ?g WHERE {{
  {{ GRAPH ?g {{ }} }} UNION {{ GRAPH <{CATALOG_GRAPH}> {{ ?g a <{VOID}Dataset> }} }}
  FILTER (STRSTARTS(STR(?g), "{ONTOLOGY_GRAPHS}"))
}}"""

_ONTOLOGY = """
CONSTRUCT {{ ?s ?p ?o }} WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"""

# Graphs whose statements are data: not the catalogue, the ontology or the shapes, nor a graph
# the change replaces. `{excluded}` is filled with ", <g>" per replaced graph.
_DATA_GRAPH_FILTER = (
    f'!STRSTARTS(STR(?{{var}}), "{ONTOLOGY_GRAPHS}") && !STRSTARTS(STR(?{{var}}), '
    f'"{SHAPES_GRAPHS}") && ?{{var}} NOT IN (<{CATALOG_GRAPH}>{{excluded}})'
)

_IDENTIFIER_PROPERTIES = (ox.NamedNode(TCAP + "wikidataId"), ox.NamedNode(TCAP + "geonamesId"))

_IDENTIFIERS = """
CONSTRUCT {{ ?place a ?type ; ?id ?value }} WHERE {{
  VALUES (?id ?value) {{ {rows} }}
  GRAPH ?g {{ ?place ?id ?value }}
  GRAPH ?h {{ ?place a ?type }}
  FILTER ({g} && {h})
}}"""

_SUBJECTS = """
SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER (isIRI(?s) && {g}) }}"""

_DESCRIPTIONS = """
CONSTRUCT {{ ?s ?p ?o . ?o ?p2 ?o2 }} WHERE {{
  VALUES ?s {{ {values} }}
  GRAPH ?g {{ ?s ?p ?o OPTIONAL {{ ?o ?p2 ?o2 FILTER (isBlank(?o)) }} }}
  FILTER ({g})
}}"""

_REFERRERS = """
SELECT DISTINCT ?node WHERE {{
  VALUES ?target {{ {values} }}
  GRAPH ?g {{ ?node ?p ?target }}
  FILTER (isIRI(?node) && {g})
}}"""

# Nodes of the replaced graphs that keep statements elsewhere, and nodes elsewhere pointing at
# nodes of the replaced graphs: both may be wrong once the old statements are gone.
_AFFECTED_BY_REPLACING = """
SELECT DISTINCT ?node WHERE {{
  {{ SELECT DISTINCT ?s WHERE {{ GRAPH ?old {{ ?s ?x ?y }} FILTER (?old IN ({replaced})) }} }}
  {{ GRAPH ?g {{ ?node ?p ?s }} }} UNION {{ GRAPH ?g {{ ?s ?p ?o }} BIND (?s AS ?node) }}
  FILTER (isIRI(?node) && {g})
}}"""

_HOLDERS = """
SELECT ?s ?p ?o ?g WHERE {{
  VALUES (?s ?p ?o) {{ {rows} }}
  GRAPH ?g {{ ?s ?p ?o }}
  FILTER ({g})
}}"""


class ContextBuilder:
    """Fills a workspace with the context of the dataset already in it."""

    def __init__(
        self,
        store: Queryable,
        workspace: ox.Store,
        *,
        exclude_graphs: Sequence[str] = (),
        removed: Sequence[ox.Quad] = (),
    ) -> None:
        self.store = store
        self.workspace = workspace
        self.replaced = [ox.NamedNode(graph) for graph in exclude_graphs]
        self.removed = removed
        excluded = "".join(f", {graph}" for graph in self.replaced)
        self._filters = {
            var: _DATA_GRAPH_FILTER.replace("{var}", var).replace("{excluded}", excluded)
            for var in ("g", "h")
        }

    def fill(self, reach: int) -> set[ox.NamedNode]:
        """Add the context for `reach` links around the dataset; return the affected nodes."""
        mentioned = self._mentioned()
        affected = self._affected()
        ontology = self._select(_ONTOLOGY_GRAPHS, "g")
        if ontology:
            self._add(
                _in(ONTOLOGY_GRAPH, self._construct(_ONTOLOGY.format(values=_values(ontology))))
            )
        self._add(_in(CONTEXT_GRAPH, self._same_identifiers()))
        frontier = {node.value: node for node in [*mentioned, *affected]}
        described: set[str] = set()
        for _ in range(reach + 1):
            described |= frontier.keys()
            found = self._describe(list(frontier.values()))
            self._add(_in(CONTEXT_GRAPH, found))
            frontier = {
                t.object.value: t.object
                for t in found
                if isinstance(t.object, ox.NamedNode) and t.object.value not in described
            }
            if not frontier:
                break
        self._take_out_removed()
        return affected

    def _same_identifiers(self) -> list[ox.Triple]:
        """The places of the store that carry one of the dataset's Wikidata or GeoNames IDs:
        the shapes that refuse a second city with the same ID need those and no others (all
        identifiers of a store of thousands of cities made a one-triple change slow)."""
        pairs = {
            (quad.predicate, quad.object)
            for predicate in _IDENTIFIER_PROPERTIES
            for quad in self.workspace.quads_for_pattern(None, predicate, None)
            if isinstance(quad.object, ox.Literal)
        }
        found: list[ox.Triple] = []
        for chunk in _chunks(sorted(pairs, key=str)):
            rows = " ".join(f"({predicate} {value})" for predicate, value in chunk)
            found += self._construct(
                _IDENTIFIERS.format(rows=rows, g=self._filters["g"], h=self._filters["h"])
            )
        return found

    def _add(self, quads: list[ox.Quad]) -> None:
        self.workspace.bulk_extend(quads)
        log.debug("validation context: %d quads", len(quads))

    def _mentioned(self) -> list[ox.NamedNode]:
        """IRIs the dataset mentions (as subject or object) that the store may describe."""
        dataset_size = len(self.workspace)
        if dataset_size > REVERSE_LOOKUP_ABOVE and count_quads(self.store) < dataset_size:
            described = self._select(_SUBJECTS.format(g=self._filters["g"]), "s")
            return [node for node in described if self._mentions(node)]
        found: dict[str, ox.NamedNode] = {}
        for quad in self.workspace:
            for term in (quad.subject, quad.object):
                if isinstance(term, ox.NamedNode):
                    found.setdefault(term.value, term)
        return list(found.values())

    def _mentions(self, node: ox.NamedNode) -> bool:
        return (
            next(iter(self.workspace.quads_for_pattern(node, None, None)), None) is not None
            or next(iter(self.workspace.quads_for_pattern(None, None, node)), None) is not None
        )

    def _affected(self) -> set[ox.NamedNode]:
        """Nodes that lose statements in this change, and the nodes that refer to them."""
        losing = {
            q.subject.value: q.subject for q in self.removed if isinstance(q.subject, ox.NamedNode)
        }
        affected = set(losing.values())
        for chunk in _chunks(list(losing.values())):
            query = _REFERRERS.format(values=_values(chunk), g=self._filters["g"])
            affected.update(self._select(query, "node"))
        if self.replaced:
            query = _AFFECTED_BY_REPLACING.format(
                replaced=", ".join(str(graph) for graph in self.replaced), g=self._filters["g"]
            )
            affected.update(self._select(query, "node"))
        return affected

    def _describe(self, nodes: list[ox.NamedNode]) -> list[ox.Triple]:
        found: list[ox.Triple] = []
        for chunk in _chunks(nodes):
            query = _DESCRIPTIONS.format(values=_values(chunk), g=self._filters["g"])
            found += self._construct(query)
        return found

    def _take_out_removed(self) -> None:
        """Remove the statements the change deletes, unless another graph still holds them."""
        removing: dict[ox.Triple, set[str]] = {}
        for quad in self.removed:
            graph = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""
            triple = ox.Triple(quad.subject, quad.predicate, quad.object)
            removing.setdefault(triple, set()).add(graph)
        kept: set[ox.Triple] = set()
        for chunk in _chunks([t for t in removing if not _has_blank_node(t)]):
            rows = " ".join(f"({t.subject} {t.predicate} {t.object})" for t in chunk)
            result = self.store.query(_HOLDERS.format(rows=rows, g=self._filters["g"]))
            assert isinstance(result, Solutions)
            for row in result:
                triple = ox.Triple(row["s"], row["p"], row["o"])
                holder = row["g"]
                if isinstance(holder, ox.NamedNode) and holder.value not in removing[triple]:
                    kept.add(triple)
        for triple in removing.keys() - kept:
            self.workspace.remove(
                ox.Quad(triple.subject, triple.predicate, triple.object, CONTEXT_GRAPH)
            )

    def _construct(self, query: str) -> list[ox.Triple]:
        result = self.store.query(query)
        assert isinstance(result, Triples)
        return list(result)

    def _select(self, query: str, variable: str) -> list[ox.NamedNode]:
        result = self.store.query(query)
        assert isinstance(result, Solutions)
        found = (row[variable] for row in result)
        return [node for node in found if isinstance(node, ox.NamedNode)]


def _in(graph: ox.NamedNode, triples: Iterable[ox.Triple]) -> list[ox.Quad]:
    return [ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples]


def _chunks(items: list[T]) -> Iterator[list[T]]:
    for start in range(0, len(items), VALUES_CHUNK):
        yield items[start : start + VALUES_CHUNK]


def _values(nodes: Iterable[ox.NamedNode]) -> str:
    return " ".join(str(node) for node in nodes)


def _has_blank_node(triple: ox.Triple) -> bool:
    return isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode)
