"""Safety against a real server: nothing a request says makes it connect out, and a runaway query
is stopped at the timeout without holding up the next request.

A TCP listener on 127.0.0.1 stands in for "the web": each case names its URL in the place the
feature would fetch from, and the listener must see no connection. One case allow-lists the
listener for SERVICE and shows that it then is contacted, so the listener does observe fetches.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from urllib.parse import quote

import httpx
import pytest
from crafted import crafted_queries, crafted_updates
from endpoint_support import DATA_GRAPH, Server, run_tcap
from processes import Listener

pytestmark = pytest.mark.slow

CROSS_PRODUCT = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
)


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    found = Listener()
    yield found
    found.close()


@pytest.fixture(scope="module")
def server(server_factory: Callable[..., Server]) -> Server:
    return server_factory(update="on", query_timeout="2")


@pytest.fixture(scope="module")
def token(server: Server) -> str:
    return run_tcap(server, "token", "create").stdout.strip().splitlines()[-1]


def test_nothing_in_a_request_connects_out(server: Server, listener: Listener, token: str) -> None:
    target = listener.url + "/sparql"
    auth = {"Authorization": f"Bearer {token}"}
    queries = [
        f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{target}> {{ ?s ?p ?o }} }}",
        f"PREFIX x: <{listener.url}/> SELECT * WHERE {{ SERVICE x:sparql {{ ?s ?p ?o }} }}",
        f"BASE <{listener.url}/> SELECT * WHERE {{ SERVICE <sparql> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE { VALUES ?e { <" + target + "> } SERVICE ?e { ?s ?p ?o } }",
        f"SELECT * FROM <{target}> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{target}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        f"DESCRIBE <{target}>",
        f"CONSTRUCT {{ ?s ?p ?o }} FROM <{target}> WHERE {{ ?s ?p ?o }}",
    ]
    answers = [httpx.get(server.sparql, params={"query": q}).status_code for q in queries]
    assert answers[:5] == [403] * 5
    assert answers[5:] == [200] * 4
    dataset = httpx.get(
        server.sparql,
        params={
            "query": "SELECT * WHERE { ?s ?p ?o }",
            "default-graph-uri": target,
            "named-graph-uri": target,
        },
    )
    assert dataset.status_code == 200 and dataset.json()["results"]["bindings"] == []
    for update in (f"LOAD <{target}>", f"LOAD SILENT <{target}> INTO GRAPH <{DATA_GRAPH}>"):
        refused = httpx.post(server.sparql, data={"update": update}, headers=auth)
        assert refused.status_code == 403 and "LOAD" in refused.json()["detail"]
    remote_context = json.dumps(
        {"@context": target + "/context.jsonld", "@id": "http://e/a", "http://e/p": "x"}
    )
    gsp = httpx.put(
        server.url + "/store?graph=" + quote(DATA_GRAPH, safe=""),
        content=remote_context,
        headers={**auth, "Content-Type": "application/ld+json"},
    )
    assert gsp.status_code == 400
    time.sleep(0.5)
    assert listener.connections == 0


@pytest.mark.parametrize("allow", [False, True], ids=["no allow-list", "another endpoint allowed"])
def test_the_crafted_corpus_makes_no_connection(
    server_factory: Callable[..., Server], listener: Listener, allow: bool
) -> None:
    """Issue 18: every crafted text is refused before any engine sees it; no 5xx, 0 connections.
    With an allow-list, only the allowed endpoint may be called, and nothing here names it."""
    allowed = Listener()
    try:
        settings = {"update": "on"}
        if allow:
            settings["service_allow"] = allowed.url + "/sparql"
        server = server_factory(**settings)
        token = run_tcap(server, "token", "create").stdout.strip().splitlines()[-1]
        auth = {"Authorization": f"Bearer {token}"}
        target = listener.url + "/sparql"
        before = listener.connections
        for text in crafted_queries(target):
            for response in (
                httpx.get(server.sparql, params={"query": text}, timeout=20),
                httpx.post(server.sparql, data={"query": text}, timeout=20),
            ):
                assert 400 <= response.status_code < 500, (text, response.text[:300])
        for text in crafted_updates(target, DATA_GRAPH):
            response = httpx.post(server.sparql, data={"update": text}, headers=auth, timeout=20)
            assert response.status_code in (400, 403), (text, response.text[:300])
        time.sleep(0.5)
        assert listener.connections == before
        assert allowed.connections == 0
    finally:
        allowed.close()


def test_the_listener_would_see_an_allowed_service_call(
    server_factory: Callable[..., Server], listener: Listener
) -> None:
    allowed = server_factory(service_allow=listener.url + "/sparql")
    before = listener.connections
    httpx.get(
        allowed.sparql,
        params={
            "query": f"SELECT * WHERE {{ SERVICE SILENT <{listener.url}/sparql> {{ ?s ?p ?o }} }}"
        },
        timeout=20,
    )
    time.sleep(0.5)
    assert listener.connections > before


def test_a_runaway_query_is_stopped_at_the_timeout(server: Server) -> None:
    started = time.monotonic()
    response = httpx.get(server.sparql, params={"query": CROSS_PRODUCT}, timeout=30)
    elapsed = time.monotonic() - started
    assert response.status_code == 503, response.text
    assert response.json()["type"].endswith("/timeout") and "Retry-After" in response.headers
    assert elapsed < 2 + 2
    started = time.monotonic()
    again = httpx.get(server.sparql, params={"query": "ASK { ?s ?p ?o }"}, timeout=5)
    assert again.status_code == 200 and again.json()["boolean"] is True
    assert time.monotonic() - started < 1


def test_a_slow_query_does_not_block_other_requests(server: Server) -> None:
    slow = threading.Thread(
        target=lambda: httpx.get(
            server.sparql, params={"query": CROSS_PRODUCT + " # 2"}, timeout=30
        )
    )
    slow.start()
    time.sleep(0.3)
    started = time.monotonic()
    for _ in range(5):
        assert (
            httpx.get(server.sparql, params={"query": "ASK { ?s ?p ?o }"}, timeout=5).status_code
            == 200
        )
    assert httpx.get(server.url + "/healthz", timeout=5).status_code == 200
    assert time.monotonic() - started < 1.5
    slow.join()
