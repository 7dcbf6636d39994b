"""Cached answers replayed in front of Flask: byte-identical, never stale, never for writers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from urllib.parse import urlencode

import pytest
from conftest import Writable
from endpoint_support import DATA_GRAPH, EX, make_app
from flask import Flask, Response, request
from flask.testing import FlaskClient
from werkzeug.test import EnvironBuilder, TestResponse

from tcap_kg.web.middleware.replay import StoredResponse, keepable, request_key

SELECT = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 5"
FORM = "application/x-www-form-urlencoded"
JSON = "application/sparql-results+json"
Query = dict[str, str] | str


@pytest.fixture
def capped() -> Iterator[Flask]:
    """An app of its own (tests here change its cache) with a small row cap."""
    built = make_app(max_rows=3)
    yield built
    built.extensions["tcap"].close()


def stored(app: Flask, path: str, query: Query, **headers: str) -> StoredResponse | None:
    """The response kept for a GET request, if any."""
    environ = EnvironBuilder(path=path, query_string=query, headers=list(headers.items()))
    key = request_key(environ.get_environ())
    assert key is not None
    found: StoredResponse | None = app.extensions["tcap"].engine.cache.get(key, StoredResponse)
    return found


def same(one: TestResponse, other: TestResponse) -> bool:
    return (
        one.status == other.status
        and one.headers.to_wsgi_list() == other.headers.to_wsgi_list()
        and one.data == other.data
    )


def poison(app: Flask, path: str, query: Query, **headers: str) -> None:
    """Replace a kept response's body, so a test can see whether it is replayed."""
    kept = stored(app, path, query, **headers)
    assert kept is not None
    environ = EnvironBuilder(path=path, query_string=query, headers=list(headers.items()))
    key = request_key(environ.get_environ())
    app.extensions["tcap"].engine.cache.put(key, replace(kept, body=b"POISONED"))


@pytest.mark.parametrize(
    ("path", "query", "headers"),
    [
        ("/sparql", {"query": SELECT}, {"Accept": JSON}),
        ("/sparql", {"query": SELECT, "format": "csv"}, {"Origin": "https://elsewhere.example"}),
        ("/sparql", {"query": "SELECT * WHERE { ?s ?p ?o }"}, {"Accept": "text/html"}),
        ("/sparql", {"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 2"}, {"Accept": "text/turtle"}),
        ("/api/queries/cities", {}, {}),
        ("/api/queries/cities", {"format": "tsv"}, {"Accept-Language": "zh"}),
    ],
)
def test_a_replayed_answer_is_the_answer_flask_gives(
    capped: Flask, path: str, query: dict[str, str], headers: dict[str, str]
) -> None:
    client = capped.test_client()
    first = client.get(path, query_string=query, headers=headers)
    assert first.status_code == 200
    kept = stored(capped, path, query, **headers)
    assert kept is not None and kept.body == first.data
    again = client.get(path, query_string=query, headers=headers)
    assert same(first, again)
    assert again.headers["ETag"] and again.headers["TCap-Row-Limit"] == "3"
    by_flask = client.get(path, query_string=query, headers={**headers, "If-None-Match": '"x"'})
    assert by_flask.data == again.data and by_flask.headers["ETag"] == again.headers["ETag"]


def test_the_query_string_is_matched_as_sent(capped: Flask) -> None:
    client = capped.test_client()
    in_order = urlencode({"query": SELECT, "format": "json"})
    swapped = urlencode({"format": "json", "query": SELECT})
    real = client.get("/sparql?" + in_order).data
    poison(capped, "/sparql", in_order)
    assert client.get("/sparql?" + in_order).data == b"POISONED"
    assert client.get("/sparql?" + swapped).data == real


def test_writers_other_methods_and_conditional_requests_go_to_flask(capped: Flask) -> None:
    client = capped.test_client()
    query = {"query": SELECT}
    real = client.get("/sparql", query_string=query).data
    poison(capped, "/sparql", query)
    assert client.get("/sparql", query_string=query).data == b"POISONED"
    with_token = client.get("/sparql", query_string=query, headers={"Authorization": "Bearer x"})
    assert with_token.data == real
    posted = client.post("/sparql", data=query, content_type=FORM)
    assert posted.data == real
    conditional = client.get("/sparql", query_string=query, headers={"If-None-Match": '"other"'})
    assert conditional.data == real
    assert client.head("/sparql", query_string=query).headers["ETag"]
    other_accept = client.get("/sparql", query_string=query, headers={"Accept": JSON})
    assert other_accept.data == real


def test_a_write_makes_the_kept_answer_stale(writable: Writable) -> None:
    client = writable.client
    query = {"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{DATA_GRAPH}> {{ ?s ?p ?o }} }}"}
    before = client.get("/sparql", query_string=query)
    assert count(before) == "0"
    assert client.get("/sparql", query_string=query).data == before.data
    insert = f"INSERT DATA {{ GRAPH <{DATA_GRAPH}> {{ <{EX}a> <{EX}b> 'c' }} }}"
    written = client.post(
        "/sparql", data={"update": insert}, content_type=FORM, headers=writable.auth
    )
    assert written.status_code == 200, written.data
    after = client.get("/sparql", query_string=query)
    assert count(after) == "1"
    assert after.headers["ETag"] != before.headers["ETag"]


def test_errors_cookies_and_other_routes_are_not_kept(capped: Flask) -> None:
    @capped.after_request
    def _session_cookie(response: Response) -> Response:
        """What an operator's middleware might add: a per-client cookie must never be replayed."""
        if request.args.get("cookie"):
            response.set_cookie("session", "for-this-client-only")
        return response

    client = capped.test_client()
    bad = {"query": "SELECT * WHERE {"}
    assert client.get("/sparql", query_string=bad).status_code == 400
    assert stored(capped, "/sparql", bad) is None
    remembered = {"query": SELECT, "cookie": "1"}
    assert "Set-Cookie" in client.get("/sparql", query_string=remembered).headers
    assert stored(capped, "/sparql", remembered) is None
    graph = {"graph": "https://w3id.org/tcap-kg/graph/data/cities"}
    assert client.get("/store", query_string=graph).status_code == 200
    assert stored(capped, "/store", graph) is None
    assert client.get("/sparql?query=%FF").status_code == 400


def test_a_replay_is_counted_like_an_answer(capped: Flask) -> None:
    client = capped.test_client()
    query = {"query": SELECT}
    client.get("/sparql", query_string=query)
    hits = metric(client, "tcap_cache_hits_total")
    answered = metric(
        client, "tcap_http_requests_total", 'method="GET",route="/sparql",status="200"'
    )
    timed = metric(client, "tcap_http_request_duration_seconds_count", 'route="/sparql"')
    client.get("/sparql", query_string=query)
    assert metric(client, "tcap_cache_hits_total") == hits + 1
    assert (
        metric(client, "tcap_http_requests_total", 'method="GET",route="/sparql",status="200"')
        == answered + 1
    )
    assert (
        metric(client, "tcap_http_request_duration_seconds_count", 'route="/sparql"') == timed + 1
    )


def test_nothing_is_replayed_with_the_cache_off() -> None:
    app = make_app(cache_bytes=0)
    try:
        client = app.test_client()
        first = client.get("/sparql", query_string={"query": SELECT})
        assert client.get("/sparql", query_string={"query": SELECT}).data == first.data
        assert len(app.extensions["tcap"].engine.cache) == 0
    finally:
        app.extensions["tcap"].close()


def test_only_plain_successes_may_be_kept() -> None:
    assert keepable("200 OK", [("Vary", "Accept, Origin"), ("ETag", '"a"')])
    assert not keepable("200 OK", [("Vary", "Accept, Authorization")])
    assert not keepable("200 OK", [("Set-Cookie", "lang=zh")])
    assert not keepable("304 NOT MODIFIED", [])


def test_requests_that_are_never_replayed() -> None:
    def key(**options: object) -> object:
        return request_key(EnvironBuilder(path="/sparql", **options).get_environ())  # type: ignore[arg-type]

    assert key(query_string={"query": SELECT}) is not None
    assert key(method="POST", data={"query": SELECT}) is None
    assert key(method="HEAD", query_string={"query": SELECT}) is None
    assert key(query_string={"query": SELECT}, headers={"Authorization": "Bearer x"}) is None
    assert key(query_string={"query": SELECT}, headers={"If-None-Match": '"a"'}) is None
    plain = key(query_string={"query": SELECT})
    assert key(query_string={"query": SELECT}, headers={"Accept": "text/csv"}) != plain
    assert key(query_string={"query": SELECT}, headers={"Origin": "https://a.example"}) != plain
    assert key(query_string="a%3Db=c") != key(query_string="a=b%3Dc")
    assert key(query_string={"query": SELECT}, headers={"Cookie": "lang=zh"}) != plain


def count(response: TestResponse) -> str:
    """The ?n of a one-row JSON answer."""
    value: str = json.loads(response.data)["results"]["bindings"][0]["n"]["value"]
    return value


def metric(client: FlaskClient, name: str, labels: str = "") -> float:
    text = client.get("/metrics").data.decode()
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith(name) and labels in line and not line.startswith("#")
    )


def test_the_same_text_sent_to_two_hosts_gets_each_host_its_own_answer(capped: Flask) -> None:
    """Relative IRIs resolve against the endpoint's URL, so the address is part of the key."""
    client = capped.test_client()
    query = {"query": "SELECT ?x WHERE { BIND(<here> AS ?x) }"}
    answers = {}
    for base in ("http://one.example/", "https://two.example:8443/", "http://one.example/"):
        got = client.get("/sparql", query_string=query, headers={"Accept": JSON}, base_url=base)
        assert got.status_code == 200
        answers[base] = json.loads(got.data)["results"]["bindings"][0]["x"]["value"]
    assert answers == {
        "http://one.example/": "http://one.example/here",
        "https://two.example:8443/": "https://two.example:8443/here",
    }
