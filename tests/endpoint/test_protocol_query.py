"""SPARQL 1.1 Protocol, query operation: the cases of the W3C protocol test suite, and ours.

Each W3C case (query_get, query_post_form, ..., bad_query_*) is written here from its description
in the suite, against the Flask test client over the shipped graphs.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient

from tcap_kg.namespaces import GRAPH

CITIES = GRAPH + "data/cities"
AGENTS = GRAPH + "data/agents"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
COUNT_NAMED = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
FORM = "application/x-www-form-urlencoded"


def graph_size(app: Flask, graph: str) -> int:
    return next(g.triples for g in app.extensions["tcap"].engine.graphs() if g.iri == graph)


def count_of(response) -> int:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.data
    return int(response.json["results"]["bindings"][0]["n"]["value"])


def problem_of(response, status: int) -> dict[str, object]:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.data
    assert response.mimetype == "application/problem+json"
    document = json.loads(response.data)
    assert document["status"] == status and document["detail"]
    return document


def test_query_get(client: FlaskClient) -> None:
    response = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"})
    assert response.status_code == 200
    assert response.mimetype == "application/sparql-results+json"
    assert response.json["boolean"] is True


def test_query_post_form(client: FlaskClient) -> None:
    response = client.post("/sparql", data={"query": "ASK { ?s ?p ?o }"}, content_type=FORM)
    assert response.json["boolean"] is True


def test_query_post_direct(client: FlaskClient) -> None:
    response = client.post(
        "/sparql", data=b"ASK { ?s ?p ?o }", content_type="application/sparql-query"
    )
    assert response.json["boolean"] is True


def test_default_dataset_is_the_union_of_all_graphs(app: Flask, client: FlaskClient) -> None:
    total = sum(g.triples for g in app.extensions["tcap"].engine.graphs())
    assert count_of(client.get("/sparql", query_string={"query": COUNT})) == total


@pytest.mark.parametrize("method", ["get", "post-form", "post-direct"])
def test_query_dataset_default_graph(app: Flask, client: FlaskClient, method: str) -> None:
    params = {"default-graph-uri": CITIES}
    if method == "get":
        response = client.get("/sparql", query_string={"query": COUNT, **params})
    elif method == "post-form":
        response = client.post("/sparql", data={"query": COUNT, **params}, content_type=FORM)
    else:
        response = client.post(
            "/sparql?default-graph-uri=" + quote(CITIES, safe=""),
            data=COUNT,
            content_type="application/sparql-query",
        )
    assert count_of(response) == graph_size(app, CITIES)


def test_query_multiple_dataset_default_graphs(app: Flask, client: FlaskClient) -> None:
    response = client.get(
        "/sparql",
        query_string=[
            ("query", COUNT),
            ("default-graph-uri", CITIES),
            ("default-graph-uri", AGENTS),
        ],
    )
    assert count_of(response) == graph_size(app, CITIES) + graph_size(app, AGENTS)


def test_query_dataset_named_graphs(app: Flask, client: FlaskClient) -> None:
    response = client.post(
        "/sparql", data={"query": COUNT_NAMED, "named-graph-uri": AGENTS}, content_type=FORM
    )
    assert count_of(response) == graph_size(app, AGENTS)
    only_named = client.get("/sparql", query_string={"query": COUNT, "named-graph-uri": AGENTS})
    assert count_of(only_named) == 0, "with only named graphs the default graph is empty"


def test_query_dataset_full(app: Flask, client: FlaskClient) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
    response = client.get(
        "/sparql",
        query_string={"query": query, "default-graph-uri": CITIES, "named-graph-uri": AGENTS},
    )
    assert count_of(response) == graph_size(app, CITIES) + graph_size(app, AGENTS)


def test_dataset_parameters_override_from(app: Flask, client: FlaskClient) -> None:
    query = f"SELECT (COUNT(*) AS ?n) FROM <{AGENTS}> WHERE {{ ?s ?p ?o }}"
    assert count_of(client.get("/sparql", query_string={"query": query})) == graph_size(app, AGENTS)
    overridden = client.get("/sparql", query_string={"query": query, "default-graph-uri": CITIES})
    assert count_of(overridden) == graph_size(app, CITIES)


@pytest.mark.parametrize(
    ("accept", "media", "check"),
    [
        ("application/sparql-results+xml", "application/sparql-results+xml", b"<sparql"),
        ("application/sparql-results+json", "application/sparql-results+json", b'"head"'),
        ("text/csv", "text/csv", b"s,p\r\n"),
        ("text/tab-separated-values", "text/tab-separated-values", b"?s\t?p\n"),
        ("text/html", "text/html", b"<table>"),
    ],
)
def test_query_content_type_select(
    client: FlaskClient, accept: str, media: str, check: bytes
) -> None:
    response = client.get(
        "/sparql",
        query_string={"query": "SELECT ?s ?p WHERE { ?s ?p ?o } LIMIT 2"},
        headers={"Accept": accept},
    )
    assert response.status_code == 200 and response.mimetype == media
    assert check in response.data


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("application/sparql-results+json", "application/sparql-results+json"),
    ],
)
def test_query_content_type_ask(client: FlaskClient, accept: str, media: str) -> None:
    response = client.get("/sparql", query_string={"query": "ASK {}"}, headers={"Accept": accept})
    assert response.mimetype == media and b"true" in response.data


@pytest.mark.parametrize(
    ("accept", "media", "fmt"),
    [
        ("text/turtle", "text/turtle", ox.RdfFormat.TURTLE),
        ("application/rdf+xml", "application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("application/n-triples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/ld+json", "application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/trig", "application/trig", ox.RdfFormat.TRIG),
        ("application/n-quads", "application/n-quads", ox.RdfFormat.N_QUADS),
    ],
)
@pytest.mark.parametrize(
    "form", ["CONSTRUCT WHERE { ?s ?p ?o } LIMIT 5", f"DESCRIBE <{GRAPH}data/cities>"]
)
def test_query_content_type_construct_and_describe(
    client: FlaskClient, accept: str, media: str, fmt: ox.RdfFormat, form: str
) -> None:
    response = client.get("/sparql", query_string={"query": form}, headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == media
    list(ox.parse(response.data, fmt))


def test_q_values_decide_and_defaults_apply(client: FlaskClient) -> None:
    select = {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1"}
    weighted = client.get(
        "/sparql",
        query_string=select,
        headers={"Accept": "text/csv;q=0.5, application/sparql-results+xml;q=0.9"},
    )
    assert weighted.mimetype == "application/sparql-results+xml"
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert (
        client.get("/sparql", query_string=select, headers={"Accept": browser}).mimetype
        == "text/html"
    )
    assert client.get("/sparql", query_string=select).mimetype == "application/sparql-results+json"
    assert (
        client.get("/sparql", query_string=select, headers={"Accept": "*/*"}).mimetype
        == "application/sparql-results+json"
    )
    construct = {"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1"}
    assert (
        client.get("/sparql", query_string=construct, headers={"Accept": "image/png"}).mimetype
        == "text/turtle"
    )
    by_param = client.get(
        "/sparql", query_string={**select, "format": "csv"}, headers={"Accept": "text/html"}
    )
    assert by_param.mimetype == "text/csv"
    assert (
        client.get("/sparql", query_string={**construct, "format": "json"}).mimetype
        == "application/ld+json"
    )
    problem_of(client.get("/sparql", query_string={**select, "format": "turtle"}), 400)


def test_bad_query_method(client: FlaskClient) -> None:
    problem_of(client.put("/sparql", data="ASK {}", content_type="application/sparql-query"), 405)
    problem_of(client.delete("/sparql"), 405)


def test_bad_multiple_queries(client: FlaskClient) -> None:
    response = client.get(
        "/sparql", query_string=[("query", "ASK {}"), ("query", "ASK { ?s ?p ?o }")]
    )
    assert "more than one" in problem_of(response, 400)["detail"]


def test_bad_query_wrong_media_type(client: FlaskClient) -> None:
    document = problem_of(client.post("/sparql", data="ASK {}", content_type="text/plain"), 415)
    assert "application/sparql-query" in str(document["detail"])


def test_bad_query_missing_form_type(client: FlaskClient) -> None:
    problem_of(client.post("/sparql", data="query=ASK%20%7B%7D"), 415)


def test_bad_query_missing_direct_type(client: FlaskClient) -> None:
    problem_of(client.post("/sparql", data="ASK {}"), 415)


def test_bad_query_non_utf8(client: FlaskClient) -> None:
    problem_of(
        client.post(
            "/sparql",
            data="ASK {}".encode("utf-16"),
            content_type="application/sparql-query; charset=UTF-16",
        ),
        400,
    )
    raw = client.post(
        "/sparql", data=b"ASK { ?s ?p '\xff' }", content_type="application/sparql-query"
    )
    assert "UTF-8" in str(problem_of(raw, 400)["detail"])
    encoded = client.get("/sparql?query=ASK%20%7B%20%3Fs%20%3Fp%20%27%FF%27%20%7D")
    assert "UTF-8" in str(problem_of(encoded, 400)["detail"])
    form = client.post("/sparql", data=b"query=ASK%20%7B%7D%C3%28", content_type=FORM)
    problem_of(form, 400)


def test_bad_query_syntax_names_line_and_column(client: FlaskClient) -> None:
    document = problem_of(
        client.get("/sparql", query_string={"query": "SELECT * WHERE {\n  ?s ?p }"}), 400
    )
    assert document["line"] == 2 and isinstance(document["column"], int)
    assert document["type"].endswith("parse-error")


def test_query_in_url_and_body_is_refused(client: FlaskClient) -> None:
    direct = client.post(
        "/sparql?query=ASK%20%7B%7D", data="ASK {}", content_type="application/sparql-query"
    )
    problem_of(direct, 400)
    form = client.post("/sparql?query=ASK%20%7B%7D", data={"query": "ASK {}"}, content_type=FORM)
    assert "both in the URL and in the body" in str(problem_of(form, 400)["detail"])


def test_query_and_update_together_are_refused(client: FlaskClient) -> None:
    response = client.post(
        "/sparql", data={"query": "ASK {}", "update": "CLEAR ALL"}, content_type=FORM
    )
    problem_of(response, 400)


def test_an_update_sent_as_a_query_is_refused(client: FlaskClient) -> None:
    query = "INSERT DATA { GRAPH <http://e/g> { <http://e/a> <http://e/b> 1 } }"
    assert "Update" in str(
        problem_of(client.get("/sparql", query_string={"query": query}), 400)["detail"]
    )


def test_bad_dataset_parameter(client: FlaskClient) -> None:
    response = client.get(
        "/sparql", query_string={"query": "ASK {}", "default-graph-uri": "not an iri"}
    )
    assert "default-graph-uri" in str(problem_of(response, 400)["detail"])


def test_service_and_load_are_forbidden(client: FlaskClient) -> None:
    service = client.get(
        "/sparql", query_string={"query": "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"}
    )
    assert "TCAP_SERVICE_ALLOW" in str(problem_of(service, 403)["detail"])
    load = client.post("/sparql", data={"update": "LOAD <http://127.0.0.1:9/x>"}, content_type=FORM)
    assert load.status_code == 403


def test_head_answers_like_get_without_a_body(client: FlaskClient) -> None:
    response = client.head("/sparql", query_string={"query": "ASK {}"})
    assert response.status_code == 200 and response.data == b""
    assert response.headers["ETag"]
