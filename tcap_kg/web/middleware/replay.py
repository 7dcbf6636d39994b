"""Repeated read answers sent again before Flask runs.

A repeated query costs the engine nothing once its answer is cached, but going through Flask
still costs about half a millisecond per request (request context, URL map, hooks, headers), more
than `oxigraph serve` takes for the whole request. So the app is wrapped in this WSGI middleware.
It keeps the response of each cacheable GET (status, headers and body, exactly as Flask sent them
after every hook: ETag, Cache-Control, CORS, the row-cap headers, Vary), keyed by the request:
the address it was sent to (scheme, Host, server name and port, script name: a query's relative
IRIs resolve against the endpoint's URL, so the same text sent to two hosts has two answers),
path, query string, and the request headers an answer may vary on. The same request at the same
store generation gets those bytes again, and the metrics count it as Flask would have. Measured
in one process: 28 µs for a replay against 260 µs through Flask.

What is replayed is decided by the app, never guessed here: only answers of the query path
(`sparql.answer`) mark themselves replayable, and only a 200 whose `Vary` names no header outside
the key and that sets no cookie is kept. Everything else goes to Flask: other methods (HEAD
included), requests with `Authorization` (a writer's requests are never answered from a cache) or
`If-None-Match` (Flask answers those with a 304), entries from an older generation (any write
makes a new one), and keys never seen.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from prometheus_client import Counter, Histogram

    from ..state import AppState

REPLAYABLE = "tcap.replayable"
FOUND = "tcap.replay.found"
"""Where `Replay.ready` leaves what it found (a response, or None), so that the same request's
call does not look it up again."""
KEYED_HEADERS = ("Accept", "Origin", "Accept-Language", "Cookie")
_KEYED_ENVIRON = tuple("HTTP_" + name.upper().replace("-", "_") for name in KEYED_HEADERS)
_KEYED_LOWER = frozenset(name.lower() for name in KEYED_HEADERS)
_BYPASS_ENVIRON = ("HTTP_AUTHORIZATION", "HTTP_IF_NONE_MATCH")


@dataclass(frozen=True)
class Replayable:
    """What the query path tells the middleware about its answer: the generation the answer
    was computed for and the route it counts under in the metrics."""

    generation: str
    route: str


@dataclass(frozen=True)
class StoredResponse:
    """A complete response as Flask sent it."""

    status: str
    headers: list[tuple[str, str]]
    body: bytes
    generation: str
    route: str


RequestKey = tuple[str, ...]


def request_key(environ: WSGIEnvironment) -> RequestKey | None:
    """The replay key of a request, or None if it must go to Flask.

    The query string is taken as sent, not decoded and sorted: putting parameters in a canonical
    order safely needs them decoded first (`%61=1&a=2` and `a=2&%61=1` differ in the order of
    the values of `a`), which costs more than a client that reorders its own URLs would save.
    """
    if environ.get("REQUEST_METHOD") != "GET" or any(name in environ for name in _BYPASS_ENVIRON):
        return None
    return (
        environ.get("wsgi.url_scheme", ""),
        environ.get("HTTP_HOST", ""),
        environ.get("SERVER_NAME", ""),
        str(environ.get("SERVER_PORT", "")),
        environ.get("SCRIPT_NAME", ""),
        environ.get("PATH_INFO", ""),
        environ.get("QUERY_STRING", ""),
        *(environ.get(name, "") for name in _KEYED_ENVIRON),
    )


def keepable(status: str, headers: list[tuple[str, str]]) -> bool:
    """A 200 that sets no cookie and varies on no header outside the key."""
    if not status.startswith("200 "):
        return False
    for name, value in headers:
        lowered = name.lower()
        if lowered == "set-cookie":
            return False
        if lowered == "vary" and any(
            part.strip().lower() not in _KEYED_LOWER for part in value.split(",")
        ):
            return False
    return True


class Replay:
    """The WSGI middleware: replays stored responses, stores what the app marks replayable."""

    def __init__(self, app: WSGIApplication, state: AppState) -> None:
        self.app = app
        self.state = state
        self._labelled: dict[str, tuple[Histogram, Counter]] = {}

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        stored = environ[FOUND] if FOUND in environ else self.lookup(environ)
        if stored is not None:
            start_response(stored.status, list(stored.headers))
            latency, answered = self._instruments(stored.route)
            self.state.metrics.cache_hits.inc()
            latency.observe(time.perf_counter() - started)
            answered.inc()
            return [stored.body]
        key = request_key(environ) if self.state.engine.cache.enabled else None
        if key is None:
            return self.app(environ, start_response)
        return self._store(key, environ, start_response)

    def lookup(self, environ: WSGIEnvironment) -> StoredResponse | None:
        """The stored response for this request at the store's current generation, if any."""
        cache = self.state.engine.cache
        key = request_key(environ) if cache.enabled else None
        if key is None:
            return None
        generation = self.state.engine.generation()
        stored = cache.get(key, StoredResponse)
        return stored if stored is not None and stored.generation == generation else None

    def ready(self, environ: WSGIEnvironment) -> bool:
        """Whether the request will be replayed, what was found kept in `environ`, so that
        answering it cannot block (the HTTP front then answers it on its event loop).
        Never for a remote store, whose generation is a query."""
        if self.state.engine.remote is not None:
            return False
        environ[FOUND] = self.lookup(environ)
        return environ[FOUND] is not None

    def _instruments(self, route: str) -> tuple[Histogram, Counter]:
        """The latency histogram and request counter of a route, as the app's hooks count them."""
        found = self._labelled.get(route)
        if found is None:
            metrics = self.state.metrics
            found = (metrics.latency.labels(route), metrics.requests.labels(route, "GET", "200"))
            self._labelled[route] = found
        return found

    def _store(
        self, key: RequestKey, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        """Run the app; keep its response if it marked it replayable and it is keepable."""
        sent: list[Any] = []

        def capture(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], object]:
            sent[:] = [status, headers]
            return start_response(status, headers, exc_info)

        body = self.app(environ, capture)
        marked = environ.get(REPLAYABLE)
        if not isinstance(marked, Replayable) or not sent or not keepable(*sent):
            return body
        content = b"".join(_drained(body))
        status, headers = sent
        self.state.engine.cache.put(
            key, StoredResponse(status, list(headers), content, marked.generation, marked.route)
        )
        return [content]


def _drained(body: Iterable[bytes]) -> Iterator[bytes]:
    """The chunks of a WSGI body, closing it afterwards as the server would have."""
    try:
        yield from body
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()
