"""VoID, dumps, and dereferenceable ontology and resource IRIs with content negotiation."""

from __future__ import annotations

import gzip
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient

from tcap_kg.linking import link_geonames
from tcap_kg.namespaces import DATASET_IRI, GRAPH, ID, ONTOLOGY, PREFIXES
from tcap_kg.settings import Settings
from tcap_kg.web import create_app

VOID = PREFIXES["void"]
LINKSET = GRAPH + "linkset/geonames/data/cities"


@pytest.fixture(scope="module")
def app() -> Iterator[Flask]:
    """An app over an in-memory store with the shipped graphs plus a GeoNames link set."""
    built = create_app(Settings.from_env({}, store="memory:"))
    store = built.extensions["tcap"].engine
    with store.writing() as writable:
        link_geonames(writable, "data/cities")
    yield built
    built.extensions["tcap"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def graph_of(body: bytes, media_type: str) -> set[ox.Triple]:
    fmt = ox.RdfFormat.from_media_type(media_type.split(";", maxsplit=1)[0])
    assert fmt is not None, media_type
    return {q.triple for q in ox.parse(body, fmt)}


def test_the_ontology_iri_answers_303_by_content_negotiation(client: FlaskClient):
    expected = {
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8": "/ontology.html",
        "text/turtle": "/ontology.ttl",
        "application/ld+json": "/ontology.jsonld",
        "application/rdf+xml": "/ontology.rdf",
        "*/*": "/ontology.ttl",
    }
    for accept, location in expected.items():
        response = client.get("/ontology", headers={"Accept": accept})
        assert response.status_code == 303, accept
        assert response.headers["Location"].endswith(location), accept
        assert "Accept" in response.headers["Vary"]
    assert client.get("/ontology").headers["Location"].endswith("/ontology.ttl")


@pytest.mark.parametrize("extension", ["ttl", "jsonld", "rdf"])
def test_each_ontology_document_holds_the_ontology(client: FlaskClient, extension: str):
    response = client.get(f"/ontology.{extension}")
    assert response.status_code == 200
    triples = graph_of(response.data, response.mimetype)
    header = ox.Triple(
        ox.NamedNode(ONTOLOGY),
        ox.NamedNode(PREFIXES["rdf"] + "type"),
        ox.NamedNode(PREFIXES["owl"] + "Ontology"),
    )
    assert header in triples
    assert any(t.subject == ox.NamedNode(PREFIXES["tcap"] + "City") for t in triples)


def test_the_ontology_html_documents_its_terms(client: FlaskClient):
    response = client.get("/ontology.html")
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert 'id="City"' in response.get_data(as_text=True)
    assert client.get("/ontology.docx").status_code == 404


def test_a_city_iri_sends_browsers_to_its_page_and_rdf_clients_to_its_description(
    client: FlaskClient,
):
    browser = client.get("/id/city/wuhan", headers={"Accept": "text/html"})
    assert browser.status_code == 303 and browser.headers["Location"].endswith("/city/wuhan")
    rdf = client.get("/id/city/wuhan", headers={"Accept": "text/turtle"})
    assert rdf.status_code == 303 and "/doc/city/wuhan" in rdf.headers["Location"]
    described = client.get(rdf.headers["Location"], headers={"Accept": "text/turtle"})
    assert described.status_code == 200 and described.mimetype == "text/turtle"
    triples = graph_of(described.data, "text/turtle")
    wuhan = ox.NamedNode(ID + "city/wuhan")
    assert (
        ox.Triple(
            wuhan,
            ox.NamedNode(PREFIXES["rdfs"] + "label"),
            ox.Literal("武汉市", language="zh-Hans"),
        )
        in triples
    )
    assert any(t.object == wuhan for t in triples), "statements pointing at the city are included"


def test_other_resources_get_a_description_page(client: FlaskClient):
    response = client.get("/id/country/china", headers={"Accept": "text/html"})
    assert response.status_code == 303 and response.headers["Location"].endswith(
        "/doc/country/china"
    )
    page = client.get("/doc/country/china", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "China" in page.get_data(as_text=True)
    as_jsonld = client.get("/doc/country/china?format=jsonld")
    assert as_jsonld.mimetype == "application/ld+json"
    assert graph_of(as_jsonld.data, as_jsonld.mimetype)


def test_unknown_resources_are_404(client: FlaskClient):
    assert client.get("/id/city/atlantis").status_code == 404
    assert client.get("/doc/city/atlantis").status_code == 404


def test_void_describes_graphs_link_sets_licence_and_access(client: FlaskClient):
    response = client.get("/.well-known/void")
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    triples = graph_of(response.data, response.mimetype)
    dataset = ox.NamedNode(DATASET_IRI)

    def values(subject: ox.NamedNode, predicate: str) -> set[str]:
        return {
            t.object.value
            for t in triples
            if t.subject == subject and t.predicate.value == predicate
        }  # type: ignore[union-attr]

    assert values(dataset, PREFIXES["dcterms"] + "license") == {
        "https://creativecommons.org/licenses/by/4.0/"
    }
    assert {v.rsplit("/", 1)[-1] for v in values(dataset, VOID + "dataDump")} == {
        "dump.nq.gz",
        "dump.trig",
    }
    assert values(dataset, VOID + "sparqlEndpoint") == {"http://localhost/sparql"}
    cities = ox.NamedNode(GRAPH + "data/cities")
    assert cities.value in values(dataset, VOID + "subset")
    assert int(next(iter(values(cities, VOID + "triples")))) > 0
    linkset = ox.NamedNode(LINKSET)
    assert values(linkset, PREFIXES["rdf"] + "type") >= {VOID + "Linkset"}
    assert values(linkset, VOID + "linkPredicate") == {PREFIXES["skos"] + "closeMatch"}
    assert values(linkset, VOID + "objectsTarget") == {ID + "dataset/geonames"}
    assert values(ox.NamedNode(ID + "dataset/geonames"), VOID + "uriSpace") == {
        "https://sws.geonames.org/"
    }
    shipped = {t.subject for t in triples if t.object == ox.NamedNode(VOID + "Linkset")}
    assert len(shipped) >= 3, "the shipped link sets are described too"
    as_jsonld = client.get("/.well-known/void", headers={"Accept": "application/ld+json"})
    assert graph_of(as_jsonld.data, as_jsonld.mimetype) == triples


def test_the_dumps_hold_the_whole_store(app: Flask, client: FlaskClient):
    store = app.extensions["tcap"].engine
    total = store.count()
    nquads = client.get("/dump.nq.gz")
    assert nquads.status_code == 200 and nquads.mimetype == "application/gzip"
    assert 'filename="tcap-kg.nq.gz"' in nquads.headers["Content-Disposition"]
    quads = list(ox.parse(gzip.decompress(nquads.data), ox.RdfFormat.N_QUADS))
    assert len(quads) == total
    assert ox.NamedNode(LINKSET) in {q.graph_name for q in quads}
    trig = client.get("/dump.trig")
    assert trig.mimetype == "application/trig"
    assert set(ox.parse(trig.data, ox.RdfFormat.TRIG)) == set(quads)
    again = client.get("/dump.trig", headers={"If-None-Match": trig.headers["ETag"]})
    assert again.status_code == 304
