"""Under `tcap serve`: the access log names each request without any secret in it, replayed
answers are the same bytes as the first answer, counted in the metrics of all workers, and large
answers stream whole."""

from __future__ import annotations

import base64
import re
import socket
import time
from collections.abc import Callable

import httpx
import pyoxigraph as ox
import pytest
from endpoint_support import Server

from tcap_kg.web.front import FIRST_BYTES
from tcap_kg.web.middleware.access_log import redact_url

SELECT = "SELECT ?s WHERE { ?s a <https://w3id.org/tcap-kg/ontology#City> } ORDER BY ?s"
SECRET = "tcapSECRETvalue42"


@pytest.mark.parametrize(
    "url",
    [
        f"/sparql?query=ASK%7B%7D&access_token={SECRET}",
        f"/sparql?access_token={SECRET}&query=ASK%7B%7D",
        f"/sparql?query=ASK%7B%7D&api_key={SECRET}&token={SECRET}",
        f"/sparql?query=ASK%7B%7D&Access%5FToken={SECRET}",
        f"http://user:{SECRET}@127.0.0.1/sparql?query=ASK",
        f"https://{SECRET}@example.org/",
    ],
)
def test_secrets_in_urls_are_redacted(url: str) -> None:
    shown = redact_url(url)
    assert SECRET not in shown
    assert "[redacted]" in shown


def test_other_parameters_are_kept() -> None:
    url = "/sparql?query=SELECT%20*&format=json&tokenized=1"
    assert redact_url(url) == url


def test_no_secret_reaches_any_log_line(server_factory: Callable[..., Server]) -> None:
    server = server_factory(update="on", log_level="INFO")
    basic = base64.b64encode(f"curator:{SECRET}".encode()).decode()
    with httpx.Client(timeout=30) as client:
        client.get(server.sparql, params={"query": "ASK {}", "access_token": SECRET})
        client.get(
            server.sparql, params={"query": "ASK {}"}, headers={"Authorization": f"Basic {basic}"}
        )
        client.post(
            server.sparql,
            data={"update": "CLEAR GRAPH <http://e/g>"},
            headers={"Authorization": f"Bearer {SECRET}"},
        )
        client.post(
            server.sparql,
            data={"update": "CLEAR GRAPH <http://e/g>"},
            headers={"Authorization": f"Basic {basic}"},
        )
        client.get(server.url + "/", headers={"Referer": f"http://a.example/?token={SECRET}"})
    port = int(server.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        target = f"http://curator:{SECRET}@127.0.0.1:{port}/healthz"
        raw.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        while raw.recv(65536):
            pass
    deadline = time.monotonic() + 5
    while server.output().count("/sparql") < 4 and time.monotonic() < deadline:
        time.sleep(0.1)
    output = server.output()
    assert output.count("/sparql") >= 4, output[-2000:]
    assert SECRET not in output
    assert basic not in output


def test_a_served_answer_is_replayed_byte_for_byte(server_factory: Callable[..., Server]) -> None:
    server = server_factory(log_level="INFO")
    with httpx.Client(timeout=30) as client:
        answers = [
            client.get(server.sparql, params={"query": SELECT}, headers={"Origin": "https://a.b"})
            for _ in range(6)
        ]
        metrics = client.get(server.url + "/metrics").text
    first = answers[0]
    assert first.status_code == 200 and first.headers["Access-Control-Allow-Origin"] == "*"
    for again in answers[1:]:
        assert again.content == first.content
        assert _without_date(again.headers) == _without_date(first.headers)
    hits = re.search(r"^tcap_cache_hits_total (\S+)$", metrics, re.MULTILINE)
    assert hits is not None and float(hits.group(1)) >= 4
    deadline = time.monotonic() + 5
    while "GET /sparql?query=" not in server.output() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert re.search(
        r'127\.0\.0\.1 - - \[[^]]+\] "GET /sparql\?query=\S+ HTTP/1\.1" 200 \d+ "-" "python-httpx/',
        server.output(),
    )


def _without_date(headers: httpx.Headers) -> list[tuple[str, str]]:
    return [(name, value) for name, value in headers.multi_items() if name.lower() != "date"]


def test_an_over_long_url_gets_414(server_factory: Callable[..., Server]) -> None:
    """Past TCAP_QUERY_MAX_BYTES the app answers a 414 problem document naming the setting;
    past 64 KiB the HTTP front (granian, on hyper) answers a bare 414 (or 431 past its buffer of
    TCAP_QUERY_MAX_BYTES + 64 KiB) before the app sees it.
    Either way the client learns to POST, and the server stays up."""
    server = server_factory(query_max_bytes="4096")
    query = "ASK { " + "?s ?p ?o . " * 1000 + "}"
    with httpx.Client(timeout=30) as client:
        ours = client.get(server.sparql, params={"query": query})
        assert ours.status_code == 414
        assert ours.headers["content-type"] == "application/problem+json"
        assert "TCAP_QUERY_MAX_BYTES" in ours.json()["detail"]
        port = int(server.url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            raw.sendall(b"GET /sparql?query=" + b"A" * 1_000_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
            status = raw.recv(65536).split(b" ", 2)[1]
        assert status in (b"414", b"431")  # 431 when the URL is beyond granian's buffer too
        assert client.get(server.url + "/healthz").status_code == 200


def test_a_large_answer_reaches_a_slow_reader_whole(server_factory: Callable[..., Server]) -> None:
    """Answers past the front's first bytes are streamed chunk by chunk (web/front.py): a client
    that reads slowly gets the same bytes as one that reads at once, and they parse whole."""
    server = server_factory()
    fast = httpx.get(server.url + "/dump.trig", timeout=60)
    assert fast.status_code == 200 and len(fast.content) > FIRST_BYTES
    slow = b""
    with httpx.stream("GET", server.url + "/dump.trig", timeout=60) as answer:
        for chunk in answer.iter_raw(32 * 1024):
            slow += chunk
            time.sleep(0.005)
    assert slow == fast.content
    quads = list(ox.parse(slow, format=ox.RdfFormat.TRIG))
    assert len(quads) > 1000
