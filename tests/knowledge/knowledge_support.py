"""Helpers shared by the knowledge tests: where the shipped files are, how their graphs are named,
and how to query them the way the endpoint does (default graph = union of all named graphs,
parameters bound by SPARQL substitution).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import pyoxigraph as ox

REPO = Path(__file__).resolve().parents[2]
GRAPH_BASE = "https://w3id.org/tcap-kg/graph/"
ONTOLOGY = "https://w3id.org/tcap-kg/ontology"
TCAP = ONTOLOGY + "#"
ID = "https://w3id.org/tcap-kg/id/"
# The blog post the first claims come from; it sits beside the checkout (../shared/seed), not in it.
SOURCE_POST = Path(
    os.environ.get("TCAP_SOURCE_POST") or REPO.parent / "shared" / "seed" / "source-post.txt"
)

Row = dict[str, str | None]


def ontology_files() -> list[Path]:
    return sorted((REPO / "ontology").glob("*.ttl"))


def data_files() -> list[Path]:
    return sorted((REPO / "data").rglob("*.ttl"))


def shape_files() -> list[Path]:
    return sorted((REPO / "shapes").rglob("*.ttl"))


def graph_name(path: Path) -> str:
    return GRAPH_BASE + path.relative_to(REPO).with_suffix("").as_posix()


def store_from(
    files: list[Path], extra_turtle: str = "", extra_graph: str = "test/extra"
) -> ox.Store:
    """A store with each file in its own graph, plus optional extra Turtle in a graph of its own.

    `extra_graph` is the path-like graph name (e.g. "data/broken") so that a test can pose as a
    data or ontology file.
    """
    store = ox.Store()
    for path in files:
        store.load(
            path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(graph_name(path))
        )
    if extra_turtle:
        store.load(
            extra_turtle.encode(),
            format=ox.RdfFormat.TURTLE,
            to_graph=ox.NamedNode(GRAPH_BASE + extra_graph),
        )
    return store


def term_value(term: object) -> str | None:
    """IRIs and literals as their plain string value; unbound as None."""
    if term is None:
        return None
    value = getattr(term, "value", None)
    return str(value) if value is not None else str(term)


def select(
    store: ox.Store, sparql: str, bindings: Mapping[str, ox.NamedNode | ox.Literal] | None = None
) -> list[Row]:
    """Run a SELECT over the union graph, binding parameters by SPARQL substitution."""
    substitutions = {ox.Variable(k): v for k, v in (bindings or {}).items()}
    result = store.query(sparql, substitutions=substitutions, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [{name: term_value(solution[name]) for name in names} for solution in result]


def ask(store: ox.Store, sparql: str) -> bool:
    result = store.query(sparql, use_default_graph_as_union=True)
    assert isinstance(result, ox.QueryBoolean)
    return bool(result)


def prefixes() -> str:
    """SPARQL prefix declarations used by the tests' own queries."""
    return """
PREFIX tcap: <https://w3id.org/tcap-kg/ontology#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX vann: <http://purl.org/vocab/vann/>
PREFIX void: <http://rdfs.org/ns/void#>
PREFIX bibo: <http://purl.org/ontology/bibo/>
PREFIX geo: <http://www.opengis.net/ont/geosparql#>
PREFIX wgs: <http://www.w3.org/2003/01/geo/wgs84_pos#>
"""


def turtle_prefixes() -> str:
    """The same prefixes as Turtle @prefix lines, for snippets that tests add to a store."""
    lines = []
    for line in prefixes().strip().splitlines():
        _, name, iri = line.split()
        lines.append(f"@prefix {name} {iri} .")
    return "\n".join(lines) + "\n"
