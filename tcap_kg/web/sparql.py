"""`/sparql`: the SPARQL 1.1 Protocol (query, update, service description)."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify, request

from ..errors import InputError, QueryTimeoutError
from ..results import MEDIA_TYPES
from ..sparql_guard import check_query, with_using
from ..store import QueryDataset, Term
from . import negotiation
from .auth import require_writer
from .cache import cache_key, etag_for
from .executor import Answer, QueryJob
from .protocol import Operation, read_operation
from .replay import REPLAYABLE, Replayable
from .results_html import MEDIA_TYPE as HTML_MEDIA_TYPE
from .service_description import render_description
from .state import state
from .writes import run_update

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
    checked = check_query(operation.text, service_allow=state().settings.service_allow)
    dataset = checked.dataset if operation.dataset.is_default else operation.dataset
    return answer(
        checked.normalised,
        operation.text,
        dataset,
        {},
        checked.result_kind,
        operation.param("format", "output"),
    )


def formats_for(kind: str, format_param: str | None) -> tuple[str, str, str]:
    """(chosen format, SELECT/ASK format, CONSTRUCT/DESCRIBE format) for a request.

    The scan's idea of the result kind decides; the other family gets a sensible format too, in
    case the engine disagrees about what the text is.
    """
    accept = request.headers.get("Accept")
    chosen = negotiation.choose(format_param, accept, kind)
    other_kind = "select" if kind == "graph" else "graph"
    try:
        other = negotiation.choose(format_param, accept, other_kind)
    except InputError:
        other = negotiation.DEFAULTS[other_kind]
    if kind == "graph":
        return chosen, other, chosen
    return chosen, chosen, other


def answer(
    normalised: str,
    text: str,
    dataset: QueryDataset,
    bindings: dict[str, Term],
    kind: str,
    format_param: str | None,
) -> Response:
    """Run (or reuse) a checked read query and build the HTTP answer with its validators."""
    current = state()
    fmt, select_format, graph_format = formats_for(kind, format_param)
    max_rows = current.settings.max_rows
    generation = current.store.generation()
    key = cache_key(normalised, dataset, bindings, fmt, max_rows, generation)
    etag = etag_for(key)
    reusable = request.method in ("GET", "HEAD")
    if reusable and etag.strip('"') in request.if_none_match:
        current.metrics.cache_hits.inc()
        return _validators(Response(status=304), etag)
    found = current.cache.get(key, Answer)
    if found is not None:
        current.metrics.cache_hits.inc()
    else:
        job = QueryJob(text, dataset, bindings, select_format, graph_format, max_rows)
        try:
            found = current.store.run(job)
        except QueryTimeoutError:
            current.metrics.timeouts.inc()
            raise
        current.cache.put(key, found)
    response = answer_response(found, max_rows)
    if not reusable:
        return response
    if request.method == "GET" and request.url_rule is not None:
        request.environ[REPLAYABLE] = Replayable(generation, request.url_rule.rule)
    return _validators(response, etag)


def answer_response(found: Answer, max_rows: int | None) -> Response:
    """An executor's answer as a response, announcing the row cap."""
    response = Response(found.body, content_type=found.media_type)
    response.vary.add("Accept")
    if max_rows is not None:
        response.headers[ROW_LIMIT_HEADER] = str(max_rows)
    if found.truncated:
        response.headers[TRUNCATED_HEADER] = f"true; rows={found.rows}"
    return response


def _validators(response: Response, etag: str) -> Response:
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = GET_CACHE_CONTROL
    response.vary.add("Accept")
    return response


def service_description(operation: Operation) -> Response:
    """The service description in the negotiated RDF format (Turtle by default) or HTML."""
    current = state()
    fmt = negotiation.choose(
        operation.param("format", "output"), request.headers.get("Accept"), "graph"
    )
    body = render_description(
        current.store, current.settings, request.base_url, request.url_root, fmt
    )
    media = HTML_MEDIA_TYPE if fmt == "html" else MEDIA_TYPES[fmt]
    response = Response(body, content_type=media)
    response.vary.add("Accept")
    return response


def update(operation: Operation) -> Response:
    """Apply a SPARQL Update after the token check, the safety scan and shape validation."""
    require_writer()
    current = state()
    text = with_using(
        operation.text,
        operation.dataset.default_graphs or (),
        operation.dataset.named_graphs or (),
    )
    summary = run_update(current.store, current.settings, text)
    return jsonify({"status": "updated", "graphs": summary.graphs})
