"""Caching and validators, the row cap, the body cap, CORS, metrics, and the killable timeout."""

from __future__ import annotations

import json
import threading
import time

import pytest
from endpoint_support import make_app
from flask.testing import FlaskClient

SELECT = {"query": "SELECT ?s WHERE { ?s ?p ?o } LIMIT 5"}
CROSS_PRODUCT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def test_etag_and_304_without_running_the_query(client: FlaskClient) -> None:
    first = client.get("/sparql", query_string=SELECT)
    assert first.headers["Cache-Control"] == "public, no-cache"
    assert "Accept" in first.headers["Vary"]
    etag = first.headers["ETag"]
    again = client.get("/sparql", query_string=SELECT, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    spaced = {"query": "select ?s\nwhere {?s ?p ?o}   limit 5  # same question"}
    assert client.get("/sparql", query_string=spaced).headers["ETag"] != etag, (
        "keys come from the exact text, never from a rewrite two texts could share"
    )
    other_format = client.get("/sparql", query_string=SELECT, headers={"Accept": "text/csv"})
    assert other_format.headers["ETag"] != etag
    posted = client.post("/sparql", data=SELECT, content_type="application/x-www-form-urlencoded")
    assert "ETag" not in posted.headers


def test_repeated_answers_come_from_the_cache(client: FlaskClient) -> None:
    query = {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o . FILTER(isIRI(?s)) }"}
    first = client.get("/sparql", query_string=query)
    hits_before = _metric(client, "tcap_cache_hits_total")
    second = client.get("/sparql", query_string=query)
    assert second.data == first.data
    assert _metric(client, "tcap_cache_hits_total") == hits_before + 1


def test_pages_ask_the_engine_once_per_question(client: FlaskClient) -> None:
    """The pages' own queries (the framework, the comparison) are cached like answers."""
    engine = client.application.extensions["tcap"].engine
    assert client.get("/compare").status_code == 200
    held = len(engine.cache)
    asked = []
    run = engine._run
    engine._run = lambda *args: asked.append(args) or run(*args)
    try:
        again = client.get("/compare")
    finally:
        del engine._run
    assert again.status_code == 200 and held > 0
    assert asked == []


def test_the_cache_can_be_switched_off() -> None:
    app = make_app(cache_bytes=0)
    try:
        client = app.test_client()
        client.get("/sparql", query_string=SELECT)
        client.get("/sparql", query_string=SELECT)
        assert len(app.extensions["tcap"].engine.cache) == 0
    finally:
        app.extensions["tcap"].close()


def test_row_cap_is_announced_in_header_and_json() -> None:
    app = make_app(max_rows=3)
    try:
        client = app.test_client()
        response = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o }"})
        assert response.headers["TCap-Row-Limit"] == "3"
        assert response.headers["TCap-Truncated"] == "true; rows=3"
        assert response.json["truncated"] is True and len(response.json["results"]["bindings"]) == 3
        small = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 2"})
        assert "TCap-Truncated" not in small.headers and "truncated" not in small.json
        graph = client.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o }"})
        assert graph.headers["TCap-Truncated"] == "true; rows=3"
    finally:
        app.extensions["tcap"].close()


def test_body_cap_gives_413() -> None:
    app = make_app(max_body_bytes=1000)
    try:
        response = app.test_client().post(
            "/sparql", data="ASK {}" + " " * 2000, content_type="application/sparql-query"
        )
        assert response.status_code == 413
        assert "TCAP_MAX_BODY_BYTES" in json.loads(response.data)["detail"]
    finally:
        app.extensions["tcap"].close()


def test_cors_for_reads_never_with_credentials(client: FlaskClient) -> None:
    response = client.get(
        "/sparql", query_string=SELECT, headers={"Origin": "https://elsewhere.example"}
    )
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]
    preflight = client.options(
        "/sparql",
        headers={"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Authorization" not in preflight.headers["Access-Control-Allow-Headers"]


def test_cors_with_a_list_of_origins() -> None:
    app = make_app(cors_origins=("https://city.example",))
    try:
        client = app.test_client()
        allowed = client.get(
            "/sparql", query_string=SELECT, headers={"Origin": "https://city.example"}
        )
        assert allowed.headers["Access-Control-Allow-Origin"] == "https://city.example"
        assert "Origin" in allowed.headers["Vary"]
        other = client.get(
            "/sparql", query_string=SELECT, headers={"Origin": "https://evil.example"}
        )
        assert "Access-Control-Allow-Origin" not in other.headers
    finally:
        app.extensions["tcap"].close()


def _metric(client: FlaskClient, name: str, labels: str = "") -> float:
    text = client.get("/metrics").data.decode()
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name) and labels in line and not line.startswith("#"):
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_metrics_count_requests_latency_and_errors(client: FlaskClient) -> None:
    client.get("/sparql", query_string=SELECT)
    client.get("/sparql", query_string={"query": "SELECT * WHERE {"})
    response = client.get("/metrics")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    text = response.data.decode()
    assert 'tcap_http_requests_total{method="GET",route="/sparql",status="200"}' in text
    assert "tcap_http_request_duration_seconds_bucket" in text
    assert _metric(client, "tcap_errors_total", 'kind="parse-error"') >= 1
    assert "tcap_query_timeouts_total" in text


@pytest.mark.slow
def test_a_timeout_kills_the_query_and_the_next_request_is_answered_at_once() -> None:
    app = make_app(query_timeout=1.0, query_executors=1)
    try:
        client = app.test_client()
        started = time.monotonic()
        response = client.get("/sparql", query_string={"query": CROSS_PRODUCT})
        elapsed = time.monotonic() - started
        assert response.status_code == 503 and elapsed < 3
        document = json.loads(response.data)
        assert document["type"].endswith("/timeout") and "TCAP_QUERY_TIMEOUT" in document["detail"]
        assert response.headers["Retry-After"]
        started = time.monotonic()
        assert client.get("/sparql", query_string={"query": "ASK {}"}).json["boolean"] is True
        assert time.monotonic() - started < 1
        assert _metric(client, "tcap_query_timeouts_total") >= 1
    finally:
        app.extensions["tcap"].close()


@pytest.mark.slow
def test_all_executors_busy_gives_503_with_retry_after_and_health_still_answers() -> None:
    app = make_app(
        query_timeout=3.0, query_executors=1, query_threads=1, queue_timeout=0.2, client_slots=2
    )
    try:
        client = app.test_client()
        slow = threading.Thread(
            target=lambda: app.test_client().get("/sparql", query_string={"query": CROSS_PRODUCT})
        )
        slow.start()
        time.sleep(0.3)
        busy = client.get("/sparql", query_string={"query": "ASK { ?s ?p 1 }"})
        assert busy.status_code == 503 and busy.headers["Retry-After"] == "1"
        assert json.loads(busy.data)["type"].endswith("/busy")
        assert client.get("/openapi.json").status_code == 200
        slow.join()
        assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200
    finally:
        app.extensions["tcap"].close()
