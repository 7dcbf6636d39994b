"""`/sparql`: the SPARQL 1.1 Protocol (query, update, service description)."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify, request

from ...engine.cache import etag_for
from ...engine.guard import Query
from ...engine.writes import run_update
from ...errors import QueryTimeoutError
from ...sparql_text import with_using
from .. import negotiation
from ..auth import require_writer
from ..middleware.replay import REPLAYABLE, Replayable
from ..protocol import Operation, read_operation
from ..state import state
from .service_description import render_description

log = logging.getLogger(__name__)

sparql = Blueprint("sparql", __name__)

ROW_LIMIT_HEADER = "TCap-Row-Limit"
TRUNCATED_HEADER = "TCap-Truncated"
GET_CACHE_CONTROL = "public, no-cache"


@sparql.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    """Query by GET, POST form or POST body; update by POST; service description otherwise."""
    operation = read_operation(request)
    if operation.kind == "describe":
        return service_description(operation)
    if operation.kind == "update":
        return update(operation)
    query = state().engine.check(operation.text, base_iri=request.base_url)
    if not operation.dataset.is_default:
        query = query.with_dataset(operation.dataset)
    return answer(query, operation.param("format", "output"))


def answer(query: Query, format_param: str | None) -> Response:
    """Run (or reuse) a checked read query and build the HTTP answer with its validators."""
    current = state()
    engine = current.engine
    fmt = negotiation.choose(format_param, request.accept_mimetypes, query.result_kind)
    max_rows = current.settings.max_rows
    key = engine.answer_key(query, fmt, max_rows)
    etag = etag_for(key)
    reusable = request.method in ("GET", "HEAD")
    if reusable and request.if_none_match.contains(etag.strip('"')):
        current.metrics.cache_hits.inc()
        return _validators(Response(status=304), etag)
    try:
        found, cached = engine.answer(query, fmt, max_rows=max_rows, key=key)
    except QueryTimeoutError:
        current.metrics.timeouts.inc()
        raise
    if cached:
        current.metrics.cache_hits.inc()
    response = Response(found.body, content_type=found.media_type)
    response.vary.add("Accept")
    if max_rows is not None:
        response.headers[ROW_LIMIT_HEADER] = str(max_rows)
    if found.truncated:
        response.headers[TRUNCATED_HEADER] = f"true; rows={found.rows}"
    if not reusable:
        return response
    if request.method == "GET" and request.url_rule is not None:
        request.environ[REPLAYABLE] = Replayable(engine.generation(), request.url_rule.rule)
    return _validators(response, etag)


def _validators(response: Response, etag: str) -> Response:
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = GET_CACHE_CONTROL
    response.vary.add("Accept")
    return response


def service_description(operation: Operation) -> Response:
    """The service description in the negotiated RDF format (Turtle by default) or HTML."""
    current = state()
    fmt = negotiation.choose(operation.param("format", "output"), request.accept_mimetypes, "graph")
    body = render_description(
        current.engine, current.settings, request.base_url, request.url_root, fmt
    )
    response = Response(body, content_type=fmt.media_type)
    response.vary.add("Accept")
    return response


def update(operation: Operation) -> Response:
    """Apply a SPARQL Update after the token check, the guard and shape validation."""
    require_writer()
    current = state()
    text = with_using(
        operation.text,
        operation.dataset.default_graphs or (),
        operation.dataset.named_graphs or (),
    )
    checked = current.engine.check_update(text, base_iri=request.base_url)
    summary = run_update(current.engine, checked)
    return jsonify({"status": "updated", "graphs": summary.graphs})
