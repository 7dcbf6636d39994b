"""`tcap serve`'s access log: gunicorn's combined-format line, built without its general machinery.

gunicorn formats each access line from a dictionary of every request header, response header and
environ variable (its "atoms"), escaped into a second dictionary, then through a `%` format. In a
threaded worker that costs about 60-80 µs of CPU per request, measured: as much as answering a
cached query. This logger writes the same line (gunicorn's default `access_log_format`: remote
address, user, time, request line, status, bytes, referer, user agent) from the few values it
needs, still through gunicorn's access logger, so `--access-logfile`, log rotation (USR1) and the
handlers behave as before.
"""

from __future__ import annotations

import datetime
import time
from typing import Any

from gunicorn.glogging import Logger


def _quoted(value: str) -> str:
    """A value as gunicorn writes it between double quotes."""
    return value.replace('"', '\\"')


class AccessLog(Logger):  # type: ignore[misc]
    """gunicorn's logger with a lean `access`."""

    def access(
        self, resp: Any, req: Any, environ: dict[str, Any], request_time: datetime.timedelta
    ) -> None:
        if not self.access_log_enabled:
            return
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        sent = getattr(resp, "sent", None)
        request_line = (
            f"{environ['REQUEST_METHOD']} {environ['RAW_URI']} {environ['SERVER_PROTOCOL']}"
        )
        user = self._get_user(environ) if "HTTP_AUTHORIZATION" in environ else None
        line = (
            f"{environ.get('REMOTE_ADDR', '-')} - {_quoted(user or '-')} "
            f'{time.strftime("[%d/%b/%Y:%H:%M:%S %z]")} "{_quoted(request_line)}" {status} '
            f'{sent if sent is not None else "-"} "{_quoted(environ.get("HTTP_REFERER", "-"))}" '
            f'"{_quoted(environ.get("HTTP_USER_AGENT", "-"))}"'
        )
        try:
            self.access_log.info(line)
        except Exception:
            self.exception("could not write the access log")
