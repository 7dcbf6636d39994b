"""SPARQL 1.1 Graph Store HTTP Protocol at /store: the cases of the W3C GSP test suite.

Deliberate differences, each asserted here: the default graph is the read-only union of all graphs
(PUT/POST/DELETE on ?default get 405), an empty graph does not exist on its own (PUT of an empty
body removes the graph), and writes need a token and pass the shapes. Multipart POST (§5.5) has
its own module, test_graph_store_multipart.py; a multipart PUT is not part of the protocol (415).
"""

from __future__ import annotations

from urllib.parse import quote

import pyoxigraph as ox
from conftest import Writable
from endpoint_support import DATA_GRAPH, EX
from flask.testing import FlaskClient

from tcap_kg.namespaces import GRAPH

TARGET = "/store?graph=" + quote(DATA_GRAPH, safe="")
TURTLE = "text/turtle"
PERSON = f"<{EX}alice> <{EX}name> 'Alice' ; <{EX}knows> <{EX}bob> ."
MORE = f"<{EX}bob> <{EX}name> 'Bob' ."


def triples(response) -> set[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.data
    fmt = {"text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES}[
        response.mimetype
    ]
    return {(str(q.subject), str(q.predicate), str(q.object)) for q in ox.parse(response.data, fmt)}


def put(w: Writable, body: str, target: str = TARGET, content_type: str = TURTLE):  # type: ignore[no-untyped-def]
    return w.client.put(target, data=body.encode(), content_type=content_type, headers=w.auth)


def test_put_initial_state_then_get(writable: Writable) -> None:
    response = put(writable, PERSON)
    assert response.status_code == 201
    got = triples(writable.client.get(TARGET))
    assert (f"<{EX}alice>", f"<{EX}name>", '"Alice"') in got and len(got) == 2


def test_put_graph_already_in_store_replaces_it(writable: Writable) -> None:
    assert put(writable, PERSON).status_code == 201
    assert put(writable, MORE).status_code == 204
    assert triples(writable.client.get(TARGET)) == {(f"<{EX}bob>", f"<{EX}name>", '"Bob"')}


def test_writes_to_the_default_graph_are_not_allowed(writable: Writable) -> None:
    client, target = writable.client, "/store?default"
    for response in (
        put(writable, PERSON, target=target),
        client.post(target, data=PERSON.encode(), content_type=TURTLE, headers=writable.auth),
        client.delete(target, headers=writable.auth),
    ):
        assert response.status_code == 405 and response.headers["Allow"] == "GET, HEAD"
        assert response.mimetype == "application/problem+json"
        assert "read-only" in response.get_json()["detail"]


def test_get_default_graph_is_the_union(writable: Writable) -> None:
    assert put(writable, PERSON).status_code == 201
    union = writable.client.get("/store?default", headers={"Accept": "application/n-triples"})
    assert (f"<{EX}alice>", f"<{EX}name>", '"Alice"') in triples(union)
    assert len(triples(union)) > 100


def test_put_mismatched_payload_is_a_bad_request(writable: Writable) -> None:
    response = put(writable, "<http://example.org/a> <http://example.org/b> .")
    assert response.status_code == 400 and b"line" in response.data
    assert writable.client.get(TARGET).status_code == 404


def test_put_empty_graph_removes_it(writable: Writable) -> None:
    assert put(writable, PERSON).status_code == 201
    assert put(writable, "").status_code == 204
    assert writable.client.get(TARGET).status_code == 404


def test_delete_existing_graph(writable: Writable) -> None:
    assert put(writable, PERSON).status_code == 201
    assert writable.client.delete(TARGET, headers=writable.auth).status_code == 204
    assert writable.client.get(TARGET).status_code == 404


def test_delete_non_existent_graph(writable: Writable) -> None:
    response = writable.client.delete(TARGET, headers=writable.auth)
    assert response.status_code == 404 and response.mimetype == "application/problem+json"


def test_post_existing_graph_merges(writable: Writable) -> None:
    assert put(writable, PERSON).status_code == 201
    response = writable.client.post(
        TARGET, data=MORE.encode(), content_type=TURTLE, headers=writable.auth
    )
    assert response.status_code == 204
    assert len(triples(writable.client.get(TARGET))) == 3


def test_post_keeps_blank_nodes_apart_from_those_already_in_the_graph(writable: Writable) -> None:
    for body in (f'_:b <{EX}name> "one" .', f'_:b <{EX}name> "two" .'):
        response = writable.client.post(
            TARGET, data=body.encode(), content_type=TURTLE, headers=writable.auth
        )
        assert response.status_code in (201, 204)
    assert len({subject for subject, _, _ in triples(writable.client.get(TARGET))}) == 2


def test_put_multipart_is_not_accepted(writable: Writable) -> None:
    response = writable.client.put(
        TARGET,
        data={"file": (__import__("io").BytesIO(PERSON.encode()), "a.ttl")},
        headers=writable.auth,
    )
    assert response.status_code == 415


def test_post_create_new_graph(writable: Writable) -> None:
    response = writable.client.post(
        "/store", data=PERSON.encode(), content_type=TURTLE, headers=writable.auth
    )
    assert response.status_code == 201
    location = response.headers["Location"]
    assert location.startswith(GRAPH + "dataset/")
    created = writable.client.get("/store?graph=" + quote(location, safe=""))
    assert len(triples(created)) == 2


def test_post_of_nothing_to_a_new_graph_creates_nothing(writable: Writable) -> None:
    target = EX + "never-made"
    url = "/store?graph=" + quote(target, safe="")
    response = writable.client.post(url, data=b"", content_type=TURTLE, headers=writable.auth)
    assert response.status_code == 204 and "Location" not in response.headers
    assert writable.client.get(url).status_code == 404


def test_head_on_existing_and_missing_graph(writable: Writable) -> None:
    assert put(writable, PERSON).status_code == 201
    head = writable.client.head(TARGET)
    assert head.status_code == 200 and head.data == b"" and head.mimetype == "text/turtle"
    assert writable.client.head("/store?graph=" + quote(EX + "missing", safe="")).status_code == 404


def test_get_in_other_formats_and_with_etag(writable: Writable) -> None:
    assert put(writable, PERSON).status_code == 201
    for accept, fmt in (
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
    ):
        response = writable.client.get(TARGET, headers={"Accept": accept})
        assert len(list(ox.parse(response.data, fmt))) == 2
    first = writable.client.get(TARGET)
    again = writable.client.get(TARGET, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_gsp_writes_need_token_and_pass_the_shapes(writable: Writable, client: FlaskClient) -> None:
    assert writable.client.put(TARGET, data=PERSON.encode(), content_type=TURTLE).status_code == 401
    assert client.put(TARGET, data=PERSON.encode(), content_type=TURTLE).status_code == 403
    city = (
        "<https://w3id.org/tcap-kg/id/city/atlantis> a <https://w3id.org/tcap-kg/ontology#City> ."
    )
    refused = put(writable, city)
    assert refused.status_code == 422 and b"rdfs:label" in refused.data
    assert writable.client.get(TARGET).status_code == 404
    shipped = "/store?graph=" + quote(GRAPH + "data/cities", safe="")
    assert put(writable, PERSON, target=shipped).status_code == 403
    assert put(writable, PERSON, content_type="application/pdf").status_code == 415


def test_bad_graph_parameters(client: FlaskClient) -> None:
    assert client.get("/store").status_code == 400
    assert client.get("/store?graph=not%20an%20iri").status_code == 400
    assert client.get("/store?default&graph=" + quote(DATA_GRAPH, safe="")).status_code == 400
    missing = client.get("/store?graph=" + quote(GRAPH + "data/citie", safe=""))
    assert missing.status_code == 404 and b"did you mean" in missing.data
