"""Typed errors of the library.

The CLI and the HTTP layer turn these into exit codes and problem documents, so each class says
which kind of failure it is: the user's input (exit 2 / HTTP 400), a finding about otherwise
readable data (exit 1 / HTTP 422), or a resource that does not exist (HTTP 404).
"""

from __future__ import annotations


class TcapError(Exception):
    """Base of every error the library raises on purpose."""

    exit_code = 2
    http_status = 500
    kind = "error"


class InputError(TcapError):
    """The caller gave something unusable: a bad option, an unknown format, a missing file."""

    exit_code = 2
    http_status = 400
    kind = "bad-input"


class ParseError(InputError):
    """An RDF or query document could not be read; carries where, so people can fix it.

    `excerpt` shows the offending line and the one before it with a caret under the place, as
    the CLI prints it below the one-line message (the cause is often on the line before: a
    missing `;` is only noticed at the next statement).
    """

    kind = "parse-error"

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        line: int | None = None,
        column: int | None = None,
        excerpt: str | None = None,
    ) -> None:
        self.message = message
        self.source = source
        self.line = line
        self.column = column
        self.excerpt = excerpt
        text = self.describe()
        super().__init__(f"{text}\n{excerpt}" if excerpt else text)

    def describe(self) -> str:
        """One line naming the file, the position and the problem."""
        where = self.source or "input"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"


class UnsafeInputError(InputError):
    """Input that would make us fetch something or blow up (entity expansion, deep nesting)."""

    kind = "unsafe-input"


class TooLargeError(InputError):
    """Input over a configured size cap."""

    http_status = 413
    kind = "too-large"


class UriTooLongError(InputError):
    """A request URL longer than the endpoint reads; long queries belong in a POST body."""

    http_status = 414
    kind = "uri-too-long"


class QueryError(InputError):
    """A SPARQL query or update that is malformed or not allowed."""

    kind = "query-error"


class ForbiddenQueryError(QueryError):
    """A query that asks for something the operator has not allowed (SERVICE, LOAD, remote FROM)."""

    http_status = 403
    kind = "forbidden"


class QueryTimeoutError(TcapError):
    """The query ran past the configured timeout and its worker was stopped."""

    exit_code = 1
    http_status = 503
    kind = "timeout"


class NotFoundError(TcapError):
    """A graph, named query or resource that does not exist."""

    exit_code = 2
    http_status = 404
    kind = "not-found"


class StoreError(TcapError):
    """The store cannot be opened or written (locked, corrupt, unreachable)."""

    exit_code = 2
    http_status = 503
    kind = "store-error"


class ValidationFailedError(TcapError):
    """A dataset was readable but violates the shapes; nothing of it was written."""

    exit_code = 1
    http_status = 422
    kind = "validation-failed"


class BusyError(TcapError):
    """Every query worker is busy; the client should retry after a moment."""

    exit_code = 1
    http_status = 503
    kind = "busy"


class RateLimitedError(TcapError):
    """This client already holds its share of the query slots; it should retry shortly."""

    exit_code = 1
    http_status = 429
    kind = "rate-limited"


class QueryCrashedError(TcapError):
    """The query stopped its worker process (not a timeout): retrying would do the same."""

    exit_code = 1
    http_status = 500
    kind = "query-crashed"


class UnauthorizedError(TcapError):
    """A write without a valid bearer token."""

    exit_code = 2
    http_status = 401
    kind = "unauthorized"


class UnsupportedMediaTypeError(InputError):
    """A request body whose Content-Type the route does not accept."""

    http_status = 415
    kind = "unsupported-media-type"
