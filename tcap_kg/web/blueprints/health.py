"""Liveness and readiness for load balancers and orchestrators."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from ..state import state

health = Blueprint("health", __name__)


@health.get("/healthz")
def healthz() -> ResponseReturnValue:
    """Answer 200 only if the store answers a trivial query."""
    ok = state().engine.query("ASK { }") is True
    return jsonify(
        {"status": "ok" if ok else "degraded", "store": state().engine.kind}
    ), 200 if ok else 503
