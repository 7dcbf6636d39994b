"""Fixtures for the knowledge tests: the shipped files in an in-memory Oxigraph store, one named
graph per file, queried with the default graph as the union of all graphs (as the endpoint does).

Kept independent of the package's loader on purpose: these tests check the ontology, data and
queries themselves, so a loader bug cannot hide (or fake) a modelling error. Swapping in
`tcap_kg.bootstrap.sync_shipped` only needs `knowledge_store` to change.
"""

from __future__ import annotations

from collections.abc import Callable

import pyoxigraph as ox
import pytest
from knowledge_support import (
    REPO,
    Row,
    data_files,
    ontology_files,
    select,
    shape_files,
    store_from,
)
from rdflib import Graph


@pytest.fixture(scope="session")
def knowledge_store() -> ox.Store:
    """Every shipped ontology, shapes and data file (read it, do not write it)."""
    return store_from(ontology_files() + shape_files() + data_files())


@pytest.fixture(scope="session")
def ontology_store() -> ox.Store:
    return store_from(ontology_files())


@pytest.fixture(scope="session")
def ontology_graph() -> Graph:
    graph = Graph()
    for path in ontology_files():
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="session")
def data_graph() -> Graph:
    graph = Graph()
    for path in data_files():
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="session")
def run_named_query(knowledge_store: ox.Store) -> Callable[..., list[Row]]:
    """Run `queries/<name>.rq` on the shipped graph; keyword arguments are IRI parameters."""

    def run(name: str, **params: str) -> list[Row]:
        text = (REPO / "queries" / f"{name}.rq").read_text(encoding="utf-8")
        return select(knowledge_store, text, {k: ox.NamedNode(v) for k, v in params.items()})

    return run
