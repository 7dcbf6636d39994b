"""Cross-origin reads (CORS), configured by `TCAP_CORS_ORIGINS`.

Reads are open to the listed origins (`*` by default) and never with credentials, so a page on
another site can query the graph but cannot ride on a visitor's cookies. Writes carry a bearer
token in a header, which a browser only sends cross-origin to origins the operator named
explicitly; with `*` no browser page can write.
"""

from __future__ import annotations

from flask import Flask, Response, request

READ_METHODS = "GET, HEAD, POST, OPTIONS"
WRITE_METHODS = "GET, HEAD, POST, PUT, DELETE, OPTIONS"
READ_HEADERS = "Accept, Content-Type, If-None-Match"
EXPOSED = "ETag, Retry-After, TCap-Row-Limit, TCap-Truncated, Location"
PREFLIGHT_MAX_AGE = "600"


def install(app: Flask, origins: tuple[str, ...]) -> None:
    """Answer preflights and add CORS headers for allowed origins."""
    anyone = "*" in origins

    @app.after_request
    def _cors(response: Response) -> Response:
        origin = request.headers.get("Origin")
        if not origin or not (anyone or origin in origins):
            return response
        response.headers["Access-Control-Allow-Origin"] = "*" if anyone else origin
        if not anyone:
            response.vary.add("Origin")
        response.headers["Access-Control-Expose-Headers"] = EXPOSED
        if request.method == "OPTIONS" and request.headers.get("Access-Control-Request-Method"):
            response.headers["Access-Control-Allow-Methods"] = (
                READ_METHODS if anyone else WRITE_METHODS
            )
            response.headers["Access-Control-Allow-Headers"] = (
                READ_HEADERS if anyone else READ_HEADERS + ", Authorization"
            )
            response.headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
        return response
