"""Under `tcap serve` (gunicorn): the access log keeps gunicorn's format, and replayed answers are
the same bytes as the first answer, counted in the metrics of all workers."""

from __future__ import annotations

import datetime
import re
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest
from endpoint_support import Server
from gunicorn.config import Config
from gunicorn.glogging import Logger

from tcap_kg.cli.access_log import AccessLog

SELECT = "SELECT ?s WHERE { ?s a <https://w3id.org/tcap-kg/ontology#City> } ORDER BY ?s"
TIME = re.compile(r" \[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] ")


def logged_line(logger_class: type[Logger], target: Path, environ: dict[str, str]) -> str:
    """The access line a logger writes for one request."""
    config = Config()
    config.set("accesslog", str(target))
    logger = logger_class(config)
    response = SimpleNamespace(status="200 OK", sent=1234, headers=[("Content-Length", "1234")])
    request = SimpleNamespace(headers=[("USER-AGENT", environ.get("HTTP_USER_AGENT", ""))])
    logger.access(response, request, environ, datetime.timedelta(microseconds=321))
    for handler in logger.access_log.handlers:
        handler.close()
    return target.read_text()


@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"HTTP_USER_AGENT": 'ab "quoted"/2.3', "HTTP_REFERER": "https://a.example/?q=%22x%22"},
        {"HTTP_AUTHORIZATION": "Basic dXNlcjpzZWNyZXQ="},
        {"HTTP_AUTHORIZATION": "Bearer tcap_secret"},
    ],
)
def test_the_access_line_is_gunicorns(tmp_path: Path, extra: dict[str, str]) -> None:
    environ = {
        "REMOTE_ADDR": "127.0.0.1",
        "REQUEST_METHOD": "GET",
        "RAW_URI": '/sparql?query=ASK%20%7B%7D&x="y"',
        "SERVER_PROTOCOL": "HTTP/1.1",
        **extra,
    }
    ours = logged_line(AccessLog, tmp_path / "ours.log", environ)
    theirs = logged_line(Logger, tmp_path / "theirs.log", environ)
    assert TIME.search(ours) and TIME.search(theirs)
    assert TIME.sub(" [time] ", ours) == TIME.sub(" [time] ", theirs)
    assert "secret" not in ours


def test_a_served_answer_is_replayed_byte_for_byte(server_factory: Callable[..., Server]) -> None:
    server = server_factory()
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
