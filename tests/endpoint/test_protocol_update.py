"""SPARQL 1.1 Protocol, update operation: the W3C protocol suite's update cases, plus our rules
(writes off by default, a bearer token, shape validation, managed graphs, atomicity)."""

from __future__ import annotations

import json
from urllib.parse import quote, urlencode

from conftest import Writable
from endpoint_support import DATA_GRAPH, EX
from flask.testing import FlaskClient

from tcap_kg.namespaces import GRAPH
from tcap_kg.records import read_records

FORM = "application/x-www-form-urlencoded"
UPDATE = "application/sparql-update"
INSERT = f"INSERT DATA {{ GRAPH <{DATA_GRAPH}> {{ <{EX}a> <{EX}b> 'c' , 'd' }} }}"
CITY_WITHOUT_NAME = (
    f"INSERT DATA {{ GRAPH <{DATA_GRAPH}> {{ <https://w3id.org/tcap-kg/id/city/atlantis> a "
    "<https://w3id.org/tcap-kg/ontology#City> } }"
)


def ask(client: FlaskClient, query: str) -> bool:
    response = client.post("/sparql", data={"query": query}, content_type=FORM)
    assert response.status_code == 200, response.data
    return bool(response.json["boolean"])


def count(client: FlaskClient, graph: str) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    response = client.post("/sparql", data={"query": query}, content_type=FORM)
    return int(response.json["results"]["bindings"][0]["n"]["value"])


def update(w: Writable, text: str, **params: str):  # type: ignore[no-untyped-def]
    return w.client.post(
        "/sparql", data={"update": text, **params}, content_type=FORM, headers=w.auth
    )


def status_and_detail(response) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    if response.mimetype == "application/problem+json":
        return response.status_code, json.loads(response.data)["detail"]
    return response.status_code, ""


def test_update_post_form(writable: Writable) -> None:
    response = update(writable, INSERT)
    assert response.status_code == 200, response.data
    assert response.json["graphs"] == {DATA_GRAPH: 2}
    assert count(writable.client, DATA_GRAPH) == 2


def test_update_post_direct(writable: Writable) -> None:
    response = writable.client.post(
        "/sparql", data=INSERT, content_type=UPDATE, headers=writable.auth
    )
    assert response.status_code == 200, response.data
    assert count(writable.client, DATA_GRAPH) == 2


def test_update_base_uri(writable: Writable) -> None:
    text = f"BASE <{EX}> INSERT DATA {{ GRAPH <{DATA_GRAPH}> {{ <s> <p> <o> }} }}"
    assert update(writable, text).status_code == 200
    assert ask(writable.client, f"ASK {{ <{EX}s> <{EX}p> <{EX}o> }}")


def test_update_dataset_default_graph(writable: Writable) -> None:
    assert update(writable, INSERT).status_code == 200
    copy = f"{GRAPH}dataset/copy"
    text = f"INSERT {{ GRAPH <{copy}> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}"
    response = update(writable, text, **{"using-graph-uri": DATA_GRAPH})
    assert response.status_code == 200, response.data
    assert count(writable.client, copy) == 2


def test_update_dataset_named_graphs(writable: Writable) -> None:
    assert update(writable, INSERT).status_code == 200
    copy = f"{GRAPH}dataset/copy"
    text = f"INSERT {{ GRAPH <{copy}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    response = writable.client.post(
        "/sparql?using-named-graph-uri=" + quote(DATA_GRAPH, safe=""),
        data=text,
        content_type=UPDATE,
        headers=writable.auth,
    )
    assert response.status_code == 200, response.data
    assert count(writable.client, copy) == 2


def test_update_dataset_full(writable: Writable) -> None:
    assert update(writable, INSERT).status_code == 200
    copy = f"{GRAPH}dataset/copy"
    text = (
        f"INSERT {{ GRAPH <{copy}> {{ ?s ?p ?o . ?x ?y ?z }} }} "
        "WHERE { ?s ?p ?o OPTIONAL { GRAPH ?g { ?x ?y ?z } } }"
    )
    params = {"using-graph-uri": DATA_GRAPH, "using-named-graph-uri": DATA_GRAPH}
    assert update(writable, text, **params).status_code == 200
    assert count(writable.client, copy) == 2


def test_bad_update_dataset_conflict(writable: Writable) -> None:
    text = f"INSERT {{ GRAPH <{DATA_GRAPH}> {{ ?s ?p ?o }} }} USING <{EX}g> WHERE {{ ?s ?p ?o }}"
    code, detail = status_and_detail(update(writable, text, **{"using-graph-uri": DATA_GRAPH}))
    assert code == 400 and "USING" in detail


def test_bad_update_get(writable: Writable) -> None:
    response = writable.client.get(
        "/sparql", query_string={"update": INSERT}, headers=writable.auth
    )
    assert status_and_detail(response)[0] == 400
    assert count(writable.client, DATA_GRAPH) == 0


def test_bad_multiple_updates(writable: Writable) -> None:
    body = urlencode([("update", INSERT), ("update", INSERT)])
    response = writable.client.post("/sparql", data=body, content_type=FORM, headers=writable.auth)
    assert status_and_detail(response)[0] == 400


def test_bad_update_wrong_media_type(writable: Writable) -> None:
    response = writable.client.post(
        "/sparql", data=INSERT, content_type="text/plain", headers=writable.auth
    )
    assert status_and_detail(response)[0] == 415


def test_bad_update_missing_form_type(writable: Writable) -> None:
    response = writable.client.post(
        "/sparql", data="update=" + quote(INSERT), headers=writable.auth
    )
    assert status_and_detail(response)[0] == 415


def test_bad_update_non_utf8(writable: Writable) -> None:
    response = writable.client.post(
        "/sparql",
        data=INSERT.encode("utf-16"),
        content_type=UPDATE + "; charset=UTF-16",
        headers=writable.auth,
    )
    assert status_and_detail(response)[0] == 400
    raw = writable.client.post(
        "/sparql",
        data=INSERT.encode().replace(b"'c'", b"'\xff'"),
        content_type=UPDATE,
        headers=writable.auth,
    )
    assert status_and_detail(raw)[0] == 400


def test_bad_update_syntax(writable: Writable) -> None:
    response = update(writable, f"INSERT DATA {{ GRAPH <{DATA_GRAPH}> {{ <{EX}a> <{EX}b> }} }}")
    assert response.status_code == 400
    assert json.loads(response.data)["line"] == 1


def test_updates_are_off_unless_enabled(client: FlaskClient) -> None:
    code, detail = status_and_detail(
        client.post("/sparql", data={"update": INSERT}, content_type=FORM)
    )
    assert code == 403 and "TCAP_UPDATE" in detail


def test_a_write_needs_a_valid_token(writable: Writable) -> None:
    missing = writable.client.post("/sparql", data={"update": INSERT}, content_type=FORM)
    assert missing.status_code == 401 and missing.headers["WWW-Authenticate"].startswith("Bearer")
    wrong = writable.client.post(
        "/sparql",
        data={"update": INSERT},
        content_type=FORM,
        headers={"Authorization": "Bearer tcap_wrong"},
    )
    assert wrong.status_code == 401
    assert count(writable.client, DATA_GRAPH) == 0


def test_a_violating_write_is_refused_whole(writable: Writable) -> None:
    text = INSERT + " ; " + CITY_WITHOUT_NAME
    code, detail = status_and_detail(update(writable, text))
    assert code == 422 and "rdfs:label" in detail
    assert count(writable.client, DATA_GRAPH) == 0


def test_managed_graphs_and_the_default_graph_cannot_be_written(writable: Writable) -> None:
    shipped = f"INSERT DATA {{ GRAPH <{GRAPH}data/cities> {{ <{EX}a> <{EX}b> 'c' }} }}"
    assert status_and_detail(update(writable, shipped))[0] == 403
    catalog = f"DELETE WHERE {{ GRAPH <{GRAPH}catalog> {{ ?s ?p ?o }} }}"
    assert status_and_detail(update(writable, catalog))[0] == 403
    code, detail = status_and_detail(update(writable, f"INSERT DATA {{ <{EX}a> <{EX}b> 'c' }}"))
    assert code == 400 and "GRAPH <iri>" in detail
    assert status_and_detail(update(writable, f"LOAD <{EX}data.ttl>"))[0] == 403


def test_a_write_updates_records_and_invalidates_cached_answers(writable: Writable) -> None:
    query = {"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{DATA_GRAPH}> {{ ?s ?p ?o }} }}"}
    before = writable.client.get("/sparql", query_string=query)
    assert before.json["results"]["bindings"][0]["n"]["value"] == "0"
    cache = writable.app.extensions["tcap"].engine.cache
    assert len(cache) > 0
    assert update(writable, INSERT).status_code == 200
    writable.app.extensions["tcap"].engine.generation()
    assert len(cache) == 0, "entries of the old generation are forgotten at once"
    after = writable.client.get(
        "/sparql", query_string=query, headers={"If-None-Match": before.headers["ETag"]}
    )
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    assert after.json["results"]["bindings"][0]["n"]["value"] == "2"
    records = read_records(writable.app.extensions["tcap"].engine)
    assert records[DATA_GRAPH].triples == 2
    dropped = update(writable, f"DROP GRAPH <{DATA_GRAPH}>")
    assert dropped.json["graphs"] == {DATA_GRAPH: 0}
    assert DATA_GRAPH not in read_records(writable.app.extensions["tcap"].engine)
