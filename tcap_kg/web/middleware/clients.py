"""Who is asking, and whether the request line is one we read.

The query service shares its slots between clients, so every request is tied to one: the hash of
its bearer token when it sends a valid one (writers, and anyone a token was given to), else its
address. A token that is not on file names nobody: otherwise one client could send a new made-up
token with every request and be a new client each time, with a new share of the slots.
A forwarded address (`X-Forwarded-For`) counts only when the request comes from a proxy the
operator listed (`TCAP_TRUSTED_PROXIES`), and then the nearest address the proxies did not add;
anyone else could name any address they like.
"""

from __future__ import annotations

import logging

from flask import Flask, request

from ...engine.engine import CLIENT
from ...errors import TcapError, UriTooLongError
from ...settings import Settings
from ..state import state

log = logging.getLogger(__name__)


def client_of(remote: str | None, forwarded: str | None, trusted: frozenset[str]) -> str:
    """The address a request is from, through the operator's trusted proxies only."""
    address = remote or "-"
    if forwarded and address in trusted:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        while hops:
            address = hops.pop()
            if address not in trusted:
                break
    return address


def install(app: Flask, settings: Settings) -> None:
    """Refuse over-long URLs with a problem document, and name the client of each request."""
    trusted = frozenset(settings.trusted_proxies)
    limit = settings.query_max_bytes

    @app.before_request
    def _identify() -> None:
        size = len(request.environ.get("QUERY_STRING", "")) + len(request.path)
        if size > limit:
            raise UriTooLongError(
                f"the request URL is {size} bytes long; the endpoint reads at most {limit} "
                "(TCAP_QUERY_MAX_BYTES): send long queries in a POST body"
            )
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            name = _token_name(token.strip())
            if name is not None:
                CLIENT.set("token:" + name)
                return
        forwarded = request.headers.get("X-Forwarded-For")
        CLIENT.set("address:" + client_of(request.remote_addr, forwarded, trusted))


def _token_name(presented: str) -> str | None:
    """The name of a valid token; a tokens file that cannot be read names nobody (reads go on,
    counted by address; writes are refused by `auth.require_writer`, which reads it again)."""
    try:
        return state().tokens.check(presented)
    except TcapError as exc:
        log.error("cannot check a bearer token: %s", exc)
        return None
