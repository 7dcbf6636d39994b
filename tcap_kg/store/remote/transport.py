"""The HTTP side of a remote store: one client, the configured URLs only, errors that say what to do.

Three things here keep a server from losing a write or cutting an answer without a word:

- Every request body is bytes with a `Content-Length`. Virtuoso 7.2 answers 200 or 201 to a body
  sent with chunked transfer encoding and ignores it, so nothing is ever streamed without a length.
- Credentials go out the way the server asks for them: HTTP digest (Virtuoso's `/sparql-auth` and
  `/sparql-graph-crud-auth`) or basic, and only after the server has asked, so a password is never
  sent in the clear to a server that wanted a digest. A token is sent as a bearer token up front.
- An answer the server marks as cut (Virtuoso's `X-SPARQL-MaxRows`) or incomplete (`X-SQL-State`)
  is an error naming the setting to change, never a short result.

No redirects are followed and no proxy or netrc settings are read from the environment.
"""

from __future__ import annotations

import functools
import io
import logging
import re
import ssl
from collections.abc import Generator, Mapping, Sequence
from typing import Any

import httpx

from ... import __version__
from ...errors import QueryError, QueryTimeoutError, StoreError, TooLargeError
from ...settings import Settings

log = logging.getLogger(__name__)
logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line per request is noise here

CHUNK = 256 * 1024
DRAIN_BYTES = 1024 * 1024

ROW_CAP_HELP = (
    "raise the server's row limit (Virtuoso: ResultSetMaxRows in the [SPARQL] section of "
    "virtuoso.ini, and add ?maxrows=N to TCAP_STORE for answers over 1048576 rows)"
)
_VIRTUOSO_HINTS = (
    (
        re.compile(r"SR186|SECURITY: No permission", re.IGNORECASE),
        "the server's user may not write (Virtuoso: send writes to /sparql-auth and "
        "/sparql-graph-crud-auth with TCAP_STORE_USER / TCAP_STORE_PASSWORD of a user granted "
        "SPARQL_UPDATE)",
    ),
    (
        re.compile(r"estimated execution time", re.IGNORECASE),
        "the server refused to run a query on a guess of how long it would take (Virtuoso: set "
        "MaxQueryCostEstimationTime = 0 in the [SPARQL] section of virtuoso.ini; its guesses for "
        "small graphs are off by days)",
    ),
    (
        re.compile(r"SR325|log after image", re.IGNORECASE),
        "the change is larger than the server lets one transaction be (Virtuoso: raise "
        "TransactionAfterImageLimit in the [Parameters] section of virtuoso.ini)",
    ),
)


def credentials(settings: Settings) -> httpx.Auth | None:
    """The authentication the settings ask for: a bearer token, or a user and password."""
    if settings.store_token:
        return BearerAuth(settings.store_token)
    if settings.store_user:
        return ChallengeAuth(settings.store_user, settings.store_password)
    return None


class BearerAuth(httpx.Auth):
    """`Authorization: Bearer <token>` on every request."""

    def __init__(self, token: str) -> None:
        self._header = f"Bearer {token}"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request


class ChallengeAuth(httpx.Auth):
    """A user and password, answered to the server's challenge in the scheme it names (digest
    or basic); once a scheme is known, later requests carry credentials without asking again."""

    def __init__(self, user: str, password: str) -> None:
        self._digest = httpx.DigestAuth(user, password)
        self._basic = httpx.BasicAuth(user, password)
        self._chosen: httpx.Auth | None = None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._chosen is not None:
            yield from self._chosen.auth_flow(request)
            return
        response = yield request
        offered = [
            header.split(" ", 1)[0].lower()
            for header in response.headers.get_list("www-authenticate")
        ]
        if response.status_code != 401:
            return
        if "digest" in offered:
            self._chosen = self._digest
            # The digest flow's first step sends the request bare; it has been sent, so the
            # flow gets the challenge that came back instead.
            flow = self._digest.auth_flow(request)
            next(flow)
            try:
                retry = flow.send(response)
                while True:
                    retry = flow.send((yield retry))
            except StopIteration:
                return
        if "basic" in offered:
            self._chosen = self._basic
            yield from self._basic.auth_flow(request)


class Transport:
    """An HTTP client for the configured URLs of one remote store."""

    def __init__(
        self,
        auth: httpx.Auth | None,
        *,
        query_timeout: float,
        write_timeout: float,
        tls: bool = True,
    ) -> None:
        """`tls`: whether any configured URL is https (else no certificates are loaded, which
        takes longer than the rest of opening a store)."""
        self.query_timeout = httpx.Timeout(10.0, read=query_timeout + 5.0)
        self.write_timeout = httpx.Timeout(10.0, read=write_timeout, write=write_timeout)
        self._client: httpx.Client | None = httpx.Client(
            auth=auth,
            follow_redirects=False,
            trust_env=False,
            verify=_tls_context() if tls else False,
            headers={"User-Agent": f"tcap-kg/{__version__}"},
        )

    def send(
        self,
        method: str,
        url: str,
        *,
        what: str,
        params: Sequence[tuple[str, str]] = (),
        form: Mapping[str, str] | None = None,
        body: bytes | None = None,
        content_type: str | None = None,
        accept: str | None = None,
    ) -> httpx.Response:
        """One request; the answer comes back unread (close it), any failure as a typed error
        that names the URL. `what` (query, update, upload) picks the timeout and the wording."""
        if self._client is None:
            raise StoreError("the store is closed")
        headers = {}
        if content_type is not None:
            headers["Content-Type"] = content_type
        if accept is not None:
            headers["Accept"] = accept
        timeout = self.query_timeout if what == "query" else self.write_timeout
        try:
            request = self._client.build_request(
                method,
                url,
                params=list(params),
                data=form,
                content=body,
                headers=headers,
                timeout=timeout,
            )
            response = self._client.send(request, stream=True)
        except httpx.TimeoutException as exc:
            if what == "query":
                raise QueryTimeoutError(
                    f"the store at {url} did not answer the query within "
                    f"{timeout.read:.0f} s (TCAP_QUERY_TIMEOUT)"
                ) from exc
            raise StoreError(
                f"the store at {url} did not answer within {timeout.read:.0f} s "
                "(TCAP_STORE_TIMEOUT)"
            ) from exc
        except httpx.HTTPError as exc:
            raise StoreError(f"cannot reach the store at {url}: {exc}") from exc
        if response.status_code >= 300:
            _raise_for(response, url, what)
        _check_complete(response, url)
        return response

    def call(self, method: str, url: str, **options: Any) -> None:
        """A request whose answer only matters for its status (writes, uploads)."""
        self.send(method, url, **options).close()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """The system's certificates, loaded once per process."""
    return ssl.create_default_context()


def _check_complete(response: httpx.Response, url: str) -> None:
    """Refuse an answer the server says it cut or could not finish."""
    cap = response.headers.get("x-sparql-maxrows")
    if cap is not None:
        response.close()
        raise StoreError(
            f"the store at {url} cut an answer at {cap} rows and would have given a partial "
            f"result: {ROW_CAP_HELP}"
        )
    state = response.headers.get("x-sql-state")
    if state is not None and state != "00000":
        message = response.headers.get("x-sql-message", "")
        response.close()
        raise StoreError(f"the store at {url} gave an incomplete answer ({state}: {message})")


def _raise_for(response: httpx.Response, url: str, what: str) -> None:
    """Turn an error status into the matching typed error, with the server's own message and,
    for errors with a known cause, the server setting to change."""
    status = response.status_code
    try:
        message = response.read().decode("utf-8", "replace").strip()
    except httpx.HTTPError:
        message = ""
    finally:
        response.close()
    detail = re.sub(r"\s+", " ", message)[:500] or response.reason_phrase
    if 300 <= status < 400:
        raise StoreError(
            f"{url} answered {status} (redirect to {response.headers.get('location', '?')}); "
            "TCap KG follows no redirects: configure the final URL"
        )
    if status in (401, 403):
        raise StoreError(
            f"{url} refused access ({status}): check TCAP_STORE_USER / TCAP_STORE_PASSWORD or "
            "TCAP_STORE_TOKEN"
        )
    if status == 404:
        raise StoreError(f"{url}: not found (404); check TCAP_STORE and the related URL settings")
    if status == 413:
        raise TooLargeError(f"{url} refused a request body as too large (413): {detail}")
    if status in (405, 501) and what in ("update", "upload"):
        setting = "TCAP_STORE_UPDATE_URL" if what == "update" else "TCAP_STORE_GSP_URL"
        raise StoreError(f"{url} does not accept this {what} ({status}); check {setting}")
    if status == 400 and what in ("query", "update"):
        raise QueryError(f"the store at {url} refused the {what}: {detail}")
    for pattern, hint in _VIRTUOSO_HINTS:
        if pattern.search(message):
            raise StoreError(f"the store at {url} failed the {what} ({status}): {hint}: {detail}")
    raise StoreError(f"the store at {url} failed the {what} ({status}): {detail}")


class ResponseReader(io.RawIOBase):
    """A streamed HTTP body as a binary file, so answers are parsed as they arrive."""

    def __init__(self, response: httpx.Response) -> None:
        self._response = response
        self._chunks = response.iter_bytes(CHUNK)
        self._pending = b""

    def finish(self) -> None:
        """Read what a parser left of the body (its last bytes; at most `DRAIN_BYTES`) and close
        the response: a connection whose answer was read to its end is kept for the next
        request, instead of a new one per query."""
        left = DRAIN_BYTES
        try:
            for chunk in self._chunks:
                left -= len(chunk)
                if left < 0:
                    break
        except httpx.HTTPError:
            pass
        finally:
            self._response.close()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            try:
                self._pending = next(self._chunks)
            except StopIteration:
                return 0
            except httpx.HTTPError as exc:
                raise OSError(f"the answer was cut off: {exc}") from exc
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size
