"""The access log: one combined-format line per request, with every secret taken out.

Written here rather than by the HTTP server, because a request line can carry a secret in places
the server does not know about: a token in the query string (`?access_token=...`), the user and
password of Basic auth, credentials in an absolute request URL, the same in a Referer. Each is
replaced by `[redacted]` before the line is formed; the Authorization header is never logged.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_plus

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

ACCESS_LOGGER = "tcap.access"
REDACTED = "[redacted]"
SECRET_NAMES = re.compile(
    r"(?i)^(access_?token|token|api_?key|key|auth|authorization|password|passwd|pass|pwd|secret"
    r"|client_secret|bearer|session|signature|sig)$"
)
_PARAM = re.compile(r"([^&=;]*)=([^&;]*)")
_USERINFO = re.compile(r"(?i)^([a-z][a-z0-9+.-]*://)[^/@?#]*@")

log = logging.getLogger(ACCESS_LOGGER)


def redact_query(query: str) -> str:
    """A query string with the values of secret-looking parameters replaced."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if SECRET_NAMES.match(unquote_plus(name)):
            return f"{name}={REDACTED}"
        return match.group(0)

    return _PARAM.sub(value, query)


def redact_url(url: str) -> str:
    """A URL or request target with credentials and secret parameters replaced."""
    url = _USERINFO.sub(lambda m: f"{m.group(1)}{REDACTED}@", url)
    path, mark, query = url.partition("?")
    return path + mark + redact_query(query) if mark else path


def _quoted(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


class AccessLog:
    """WSGI middleware that logs each request after its response has been sent."""

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if not log.isEnabledFor(logging.INFO):
            return self.app(environ, start_response)
        started = time.perf_counter()
        seen: dict[str, Any] = {}

        def recording(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], object]:
            seen["status"] = status.split(" ", 1)[0]
            return start_response(status, headers, exc_info)

        body = self.app(environ, recording)
        return _logged(body, environ, seen, started)


def _logged(
    body: Iterable[bytes], environ: WSGIEnvironment, seen: dict[str, Any], started: float
) -> Iterator[bytes]:
    sent = 0
    try:
        for chunk in body:
            sent += len(chunk)
            yield chunk
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()
        target = environ.get("PATH_INFO", "") or "/"
        query = environ.get("QUERY_STRING", "")
        line = (
            f"{environ.get('REMOTE_ADDR', '-')} - - "
            f"{time.strftime('[%d/%b/%Y:%H:%M:%S %z]')} "
            f'"{_quoted(environ.get("REQUEST_METHOD", "-"))} '
            f"{_quoted(redact_url(target + ('?' + query if query else '')))} "
            f'{_quoted(environ.get("SERVER_PROTOCOL", "-"))}" '
            f"{seen.get('status', '-')} {sent} "
            f'"{_quoted(redact_url(environ.get("HTTP_REFERER", "-")))}" '
            f'"{_quoted(environ.get("HTTP_USER_AGENT", "-"))}" '
            f"{(time.perf_counter() - started) * 1000:.1f}ms"
        )
        log.info(line)
