"""Errors as small RFC 9457 problem documents (`application/problem+json`).

Every error the app returns, ours (`TcapError`) or Werkzeug's (404, 405, 413, ...), has the same
shape: `type`, `title`, `status`, `detail`, plus `line`/`column` (and the offending lines as
`excerpt`, where the text is known) for a syntax error, so a client can show the message and a
person can fix the query or the file.
"""

from __future__ import annotations

import json
import logging
import math

from flask import Flask, Response
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from ..errors import (
    BusyError,
    ParseError,
    QueryTimeoutError,
    RateLimitedError,
    TcapError,
    UnauthorizedError,
)

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://w3id.org/tcap-kg/problems/"

TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    408: "Request timeout",
    413: "Request body too large",
    414: "URI too long",
    415: "Unsupported media type",
    429: "Too many requests",
    431: "Request header fields too large",
    422: "Validation failed",
    500: "Internal server error",
    503: "Service unavailable",
}


def problem(
    status: int,
    detail: str,
    *,
    kind: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: object,
) -> Response:
    """A problem document response."""
    title = TITLES.get(status, "Error")
    kind = kind or title.lower().replace(" ", "-")
    document: dict[str, object] = {
        "type": TYPE_BASE + kind,
        "title": title,
        "status": status,
        "detail": detail,
    }
    document.update({key: value for key, value in extra.items() if value is not None})
    response = Response(json.dumps(document, ensure_ascii=False), status, mimetype=MEDIA_TYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def from_error(exc: TcapError, retry_after: float = 1.0) -> Response:
    """The problem document for one of our typed errors."""
    headers: dict[str, str] = {}
    extra: dict[str, object] = {}
    if isinstance(exc, ParseError):
        extra = {"line": exc.line, "column": exc.column, "excerpt": exc.excerpt}
        detail = exc.describe()
    else:
        detail = str(exc)
    if isinstance(exc, BusyError | QueryTimeoutError | RateLimitedError):
        headers["Retry-After"] = str(max(1, math.ceil(retry_after)))
    if isinstance(exc, UnauthorizedError):
        headers["WWW-Authenticate"] = 'Bearer realm="tcap-kg"'
    return problem(exc.http_status, detail, kind=exc.kind, headers=headers, **extra)


def register(app: Flask) -> None:
    """Make every error of the app a problem document."""

    @app.errorhandler(TcapError)
    def _ours(exc: TcapError) -> Response:
        if exc.http_status >= 500:
            log.warning("%s: %s", exc.kind, exc)
        return from_error(exc)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        status = exc.code or 500
        if isinstance(exc, RequestEntityTooLarge):
            limit = app.config.get("MAX_CONTENT_LENGTH")
            detail = (
                f"the request body is larger than the {limit:,}-byte limit (TCAP_MAX_BODY_BYTES)"
            )
            return problem(413, detail, kind="too-large")
        response = problem(status, exc.description or TITLES.get(status, "Error"))
        if status == 405 and exc.get_response().headers.get("Allow"):
            response.headers["Allow"] = exc.get_response().headers["Allow"]
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        log.exception("unexpected error")
        return problem(500, "an unexpected error happened; the server log has the details")
