"""Who may write: updates must be switched on, and each write carries a valid bearer token."""

from __future__ import annotations

from flask import request

from ..errors import ForbiddenQueryError, UnauthorizedError
from .state import state


def require_writer() -> str:
    """The name of the token authorising this write, or a 403/401 saying what is missing."""
    current = state()
    if not current.settings.update:
        raise ForbiddenQueryError(
            "writes are switched off on this server; the operator can enable them with "
            "TCAP_UPDATE=on or `tcap serve --update`"
        )
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not presented.strip():
        raise UnauthorizedError(
            "writes need a bearer token: send `Authorization: Bearer <token>` "
            "(the operator creates one with `tcap token create`)"
        )
    name = current.tokens.check(presented.strip())
    if name is None:
        raise UnauthorizedError("the bearer token is not valid (mistyped or revoked)")
    return name
