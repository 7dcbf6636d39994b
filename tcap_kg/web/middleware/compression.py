"""gzip for text answers that people's browsers fetch: pages and static assets.

The pages' assets are large and text (the chart library alone is 0.8 MB, a quarter of that
gzipped), so they are compressed whenever the client accepts gzip. A static file's compressed
form is kept per file state, so a worker compresses each asset once; pages are compressed per
answer. The compressed answer's ETag is made weak (same value): it names the same content in
another encoding, and conditional requests with it still get 304 (Werkzeug compares If-None-Match
weakly). Streamed answers (dumps), ranges, already-encoded bodies and the SPARQL endpoint's
answers are left alone.
"""

from __future__ import annotations

import gzip
from collections import OrderedDict

from flask import Flask, Response, request

COMPRESSIBLE = frozenset(
    {
        "text/html",
        "text/css",
        "text/javascript",
        "application/javascript",
        "application/json",
        "application/geo+json",
        "image/svg+xml",
        "text/plain",
    }
)
PAGE_BLUEPRINTS = frozenset({"pages", "publishing", "validation"})
"""Blueprints whose HTML is compressed; the endpoint's own answers (cached, replayed, with their
ETags) are left as the endpoint makes them."""
SMALLEST = 1024
"""Bodies shorter than this are sent as they are: gzip's framing would eat the gain."""
LEVEL = 6
_STATIC_CACHE: OrderedDict[tuple[str, str], bytes] = OrderedDict()
_STATIC_CACHE_ENTRIES = 64


def accepts_gzip() -> bool:
    return any(coding == "gzip" and quality > 0 for coding, quality in request.accept_encodings)


def _wanted(response: Response) -> bool:
    if response.status_code != 200:
        return False
    if response.is_streamed and not response.direct_passthrough:
        return False  # a generator (the dumps): sent as it is produced
    if "Content-Encoding" in response.headers or "Content-Range" in response.headers:
        return False
    if response.mimetype not in COMPRESSIBLE:
        return False
    return request.endpoint == "static" or (
        response.mimetype == "text/html" and request.blueprint in PAGE_BLUEPRINTS
    )


def _compressed(response: Response) -> bytes:
    if request.endpoint != "static":
        return gzip.compress(response.get_data(), LEVEL, mtime=0)
    etag, _ = response.get_etag()
    key = (request.path, etag or "")
    found = _STATIC_CACHE.get(key)
    if found is None:
        found = gzip.compress(response.get_data(), 9, mtime=0)
        _STATIC_CACHE[key] = found
        while len(_STATIC_CACHE) > _STATIC_CACHE_ENTRIES:
            _STATIC_CACHE.popitem(last=False)
    return found


def install(app: Flask) -> None:
    @app.after_request
    def _compress(response: Response) -> Response:
        if not _wanted(response):
            return response
        response.vary.add("Accept-Encoding")
        if not accepts_gzip():
            return response
        response.direct_passthrough = False
        if len(response.get_data()) < SMALLEST:
            return response
        response.set_data(_compressed(response))
        response.headers["Content-Encoding"] = "gzip"
        etag, weak = response.get_etag()
        if etag and not weak:
            response.set_etag(etag, weak=True)
        return response
