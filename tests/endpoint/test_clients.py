"""Clients nobody here wrote, against a real `tcap serve` (granian) on 127.0.0.1:
SPARQLWrapper in every return format, rdflib's SPARQLStore for reads and SPARQLUpdateStore for
writes with a bearer token."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import rdflib
from endpoint_support import DATA_GRAPH, EX, Server, run_tcap
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore
from SPARQLWrapper import CSV, JSON, JSONLD, N3, POST, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

pytestmark = pytest.mark.slow

SELECT = "SELECT ?city ?label WHERE { ?city a <https://w3id.org/tcap-kg/ontology#City> ; <http://www.w3.org/2000/01/rdf-schema#label> ?label } LIMIT 5"
CONSTRUCT = "CONSTRUCT { ?city a <https://w3id.org/tcap-kg/ontology#City> } WHERE { ?city a <https://w3id.org/tcap-kg/ontology#City> }"


@pytest.fixture(scope="module")
def server(server_factory: Callable[..., Server]) -> Server:
    return server_factory(update="on")


@pytest.fixture(scope="module")
def token(server: Server) -> str:
    created = run_tcap(server, "token", "create", "--name", "clients")
    assert created.returncode == 0, created.stderr
    return created.stdout.strip().splitlines()[-1]


def wrapper(server: Server, query: str, fmt: str, method: str = "GET") -> SPARQLWrapper:
    client = SPARQLWrapper(server.sparql)
    client.setQuery(query)
    client.setReturnFormat(fmt)
    client.setMethod(method)
    return client


@pytest.mark.parametrize("method", ["GET", POST])
def test_sparqlwrapper_select_in_every_format(server: Server, method: str) -> None:
    as_json = wrapper(server, SELECT, JSON, method).query().convert()
    rows = as_json["results"]["bindings"]
    assert len(rows) == 5
    assert (
        len(wrapper(server, SELECT, XML, method).query().convert().getElementsByTagName("result"))
        == 5
    )
    csv = wrapper(server, SELECT, CSV, method).query().convert()
    assert csv.decode().splitlines()[0] == "city,label" and len(csv.decode().splitlines()) == 6
    tsv = wrapper(server, SELECT, TSV, method).query().convert()
    assert tsv.decode().splitlines()[0] == "?city\t?label"


def test_sparqlwrapper_ask(server: Server) -> None:
    assert wrapper(server, "ASK { ?s ?p ?o }", JSON).query().convert()["boolean"] is True
    xml = wrapper(server, "ASK { ?s ?p ?o }", XML).query().convert()
    assert xml.getElementsByTagName("boolean")[0].firstChild.data == "true"


@pytest.mark.parametrize("fmt", [TURTLE, N3, RDFXML, XML, JSONLD])
def test_sparqlwrapper_construct_in_every_format(server: Server, fmt: str) -> None:
    result = wrapper(server, CONSTRUCT, fmt).query().convert()
    if isinstance(result, rdflib.Graph):
        graph = result
    else:
        graph = rdflib.Graph().parse(
            data=result, format={TURTLE: "turtle", N3: "turtle", JSONLD: "json-ld"}[fmt]
        )
    assert len(graph) >= 5


def test_sparqlwrapper_describe(server: Server) -> None:
    graph = (
        wrapper(server, "DESCRIBE <https://w3id.org/tcap-kg/id/city/beijing>", RDFXML)
        .query()
        .convert()
    )
    assert len(graph) > 3


def test_sparqlwrapper_update_with_token(server: Server, token: str) -> None:
    client = SPARQLWrapper(server.sparql)
    client.setMethod(POST)
    client.addCustomHttpHeader("Authorization", f"Bearer {token}")
    client.setQuery(f"INSERT DATA {{ GRAPH <{DATA_GRAPH}> {{ <{EX}w> <{EX}p> 'wrapper' }} }}")
    client.query()
    check = wrapper(server, f"ASK {{ <{EX}w> <{EX}p> 'wrapper' }}", JSON).query().convert()
    assert check["boolean"] is True


def test_rdflib_sparqlstore_reads(server: Server) -> None:
    store = SPARQLStore(query_endpoint=server.sparql)
    graph = rdflib.Graph(store=store)
    rows = list(graph.query(SELECT))
    assert len(rows) == 5 and all(isinstance(row[0], rdflib.URIRef) for row in rows)
    assert graph.query("ASK { ?s ?p ?o }").askAnswer is True
    constructed = graph.query(CONSTRUCT).graph
    assert constructed is not None and len(constructed) >= 5
    assert len(store) > 1000
    city = rdflib.URIRef("https://w3id.org/tcap-kg/id/city/beijing")
    assert list(graph.triples((city, rdflib.RDF.type, None)))


def test_rdflib_sparqlupdatestore_writes_with_the_token(server: Server, token: str) -> None:
    target = f"{EX.replace('http://example.org/', 'https://w3id.org/tcap-kg/graph/dataset/')}rdflib"
    store = SPARQLUpdateStore(
        query_endpoint=server.sparql,
        update_endpoint=server.sparql,
        headers={"Authorization": f"Bearer {token}"},
    )
    graph = rdflib.Graph(store=store, identifier=rdflib.URIRef(target))
    graph.add((rdflib.URIRef(EX + "r"), rdflib.URIRef(EX + "p"), rdflib.Literal("via rdflib")))
    graph.add((rdflib.URIRef(EX + "r"), rdflib.URIRef(EX + "p"), rdflib.Literal("again")))
    reader = rdflib.Graph(
        store=SPARQLStore(query_endpoint=server.sparql), identifier=rdflib.URIRef(target)
    )
    assert {str(o) for o in reader.objects(rdflib.URIRef(EX + "r"), rdflib.URIRef(EX + "p"))} == {
        "via rdflib",
        "again",
    }
    graph.remove((rdflib.URIRef(EX + "r"), rdflib.URIRef(EX + "p"), rdflib.Literal("again")))
    assert {str(o) for o in reader.objects(rdflib.URIRef(EX + "r"), rdflib.URIRef(EX + "p"))} == {
        "via rdflib"
    }
    anonymous = SPARQLUpdateStore(query_endpoint=server.sparql, update_endpoint=server.sparql)
    with pytest.raises(Exception, match="401"):
        rdflib.Graph(store=anonymous, identifier=rdflib.URIRef(target)).add(
            (rdflib.URIRef(EX + "x"), rdflib.URIRef(EX + "p"), rdflib.Literal("no token"))
        )
