"""SPARQL 1.1 Service Description (GET /sparql without a query), modelled on the W3C SD tests:
the description is served by content negotiation, names the endpoint, its languages, result
formats and features, and describes the dataset with VoID."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from endpoint_support import make_app
from flask import Flask
from flask.testing import FlaskClient

from tcap_kg.namespaces import DATASET_IRI, RDFS, VOID

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"


def description(client: FlaskClient, accept: str, fmt: ox.RdfFormat) -> ox.Store:
    response = client.get("/sparql", headers={"Accept": accept})
    assert response.status_code == 200
    store = ox.Store()
    store.load(response.data, fmt, to_graph=ox.DefaultGraph())
    return store


def objects(store: ox.Store, subject: ox.NamedNode | ox.BlankNode, predicate: str) -> set[str]:
    return {
        str(q.object.value) for q in store.quads_for_pattern(subject, ox.NamedNode(predicate), None)
    }


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("", ox.RdfFormat.TURTLE),
    ],
)
def test_service_description_by_content_negotiation(
    client: FlaskClient, accept: str, fmt: ox.RdfFormat
) -> None:
    store = description(client, accept, fmt)
    services = [
        q.subject for q in store.quads_for_pattern(None, ox.NamedNode(SD + "endpoint"), None)
    ]
    assert len(services) == 1
    service = services[0]
    assert isinstance(service, ox.NamedNode)
    assert objects(store, service, SD + "endpoint") == {"http://localhost/sparql"}
    assert SD + "SPARQL11Query" in objects(store, service, SD + "supportedLanguage")
    assert SD + "SPARQL11Update" not in objects(store, service, SD + "supportedLanguage")
    formats = objects(store, service, SD + "resultFormat")
    for name in (
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "RDF_XML",
        "JSON-LD",
    ):
        assert FORMATS + name in formats
    assert SD + "UnionDefaultGraph" in objects(store, service, SD + "feature")
    assert SD + "BasicFederatedQuery" not in objects(store, service, SD + "feature")


def test_void_lists_every_graph_with_its_triple_count(app: Flask, client: FlaskClient) -> None:
    store = description(client, "text/turtle", ox.RdfFormat.TURTLE)
    dataset = ox.NamedNode(DATASET_IRI)
    assert objects(store, dataset, VOID + "sparqlEndpoint") == {"http://localhost/sparql"}
    subsets = objects(store, dataset, VOID + "subset")
    graphs = app.extensions["tcap"].engine.graphs()
    assert {g.iri for g in graphs} <= subsets | {"https://w3id.org/tcap-kg/graph/catalog"}
    for graph in graphs:
        if graph.iri in subsets:
            assert objects(store, ox.NamedNode(graph.iri), VOID + "triples") == {str(graph.triples)}


def test_service_description_as_html_for_a_browser(client: FlaskClient) -> None:
    response = client.get("/sparql", headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.mimetype == "text/html"
    assert b"http://localhost/sparql" in response.data and b"graph/data/cities" in response.data


def test_update_and_federation_are_announced_when_enabled() -> None:
    built = make_app(update=True, service_allow=("http://allowed.example/sparql",))
    try:
        store = description(built.test_client(), "text/turtle", ox.RdfFormat.TURTLE)
        service = ox.NamedNode("http://localhost/sparql#service")
        assert SD + "SPARQL11Update" in objects(store, service, SD + "supportedLanguage")
        assert SD + "BasicFederatedQuery" in objects(store, service, SD + "feature")
    finally:
        built.extensions["tcap"].close()


def test_the_dataset_points_to_its_void_document(client: FlaskClient) -> None:
    store = description(client, "text/turtle", ox.RdfFormat.TURTLE)
    see_also = objects(store, ox.NamedNode(DATASET_IRI), RDFS + "seeAlso")
    assert see_also == {"http://localhost/.well-known/void"}
    void = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert void.status_code == 200
    described = ox.Store()
    described.load(void.data, ox.RdfFormat.TURTLE, to_graph=ox.DefaultGraph())
    assert objects(described, ox.NamedNode(DATASET_IRI), VOID + "sparqlEndpoint") == {
        "http://localhost/sparql"
    }
    page = client.get("/sparql", headers={"Accept": "text/html"})
    assert b'href="http://localhost/.well-known/void"' in page.data


def test_the_void_link_follows_the_host_the_client_used(client: FlaskClient) -> None:
    response = client.get(
        "/sparql", headers={"Accept": "text/turtle"}, base_url="https://kg.example.org/tcap/"
    )
    store = ox.Store()
    store.load(response.data, ox.RdfFormat.TURTLE, to_graph=ox.DefaultGraph())
    see_also = objects(store, ox.NamedNode(DATASET_IRI), RDFS + "seeAlso")
    assert see_also == {"https://kg.example.org/tcap/.well-known/void"}
