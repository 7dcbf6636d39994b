"""`/store`: the SPARQL 1.1 Graph Store HTTP Protocol (indirect graph identification).

`?graph=IRI` names a graph; `?default` is the default graph, which here is the read-only union of
all named graphs (so it can be read but not written). Reads are open; PUT, POST and DELETE need
updates switched on and a bearer token, and go through the same validation as SPARQL Update.
POST also takes `multipart/form-data`, merging every part's RDF in one write (see `uploads`).
"""

from __future__ import annotations

import io
import uuid

import pyoxigraph as ox
from flask import Blueprint, Response, jsonify, request
from werkzeug.exceptions import MethodNotAllowed

from ... import formats
from ...engine.cache import digest, etag_for
from ...engine.writes import WriteSummary, delete_graph, graph_quads, post_graph, put_graph
from ...errors import InputError, UnsupportedMediaTypeError
from ...namespaces import GRAPH
from ...rdfio import format_from_media_type, parse_bytes
from .. import negotiation
from ..auth import require_writer
from ..protocol import first, graph_iris, strict_params
from ..state import state
from ..uploads import is_multipart, multipart_quads

graph_store = Blueprint("graph_store", __name__)

GRAPH_FORMATS = formats.rdf_formats()
READ_ONLY_DEFAULT = (
    "the default graph is the union of all named graphs and is read-only; "
    "write to a named graph with ?graph=IRI"
)


def _target() -> str | None:
    """The graph a request names: an IRI, or None for `?default`."""
    params = strict_params(request.query_string, "query string")
    graphs = params.get("graph", [])
    if "default" in params and graphs:
        raise InputError("give either ?graph=IRI or ?default, not both")
    if len(graphs) > 1:
        raise InputError("give one ?graph=IRI per request")
    if graphs:
        return graph_iris(graphs, "graph")[0]
    if "default" in params:
        return None
    raise InputError("name the graph: ?graph=IRI, or ?default for the union of all graphs")


def _named_target() -> str:
    """The named graph a write goes to; `?default` (the read-only union) is answered with 405."""
    graph = _target()
    if graph is None:
        raise MethodNotAllowed(valid_methods=["GET", "HEAD"], description=READ_ONLY_DEFAULT)
    return graph


@graph_store.route("/store", methods=["GET"])
def read_graph() -> Response:
    """A graph (or the union of all graphs) in the negotiated RDF format, Turtle by default."""
    current = state()
    graph = _target()
    params = strict_params(request.query_string, "query string")
    wanted = first(params, "format")
    fmt = (
        negotiation.from_name(wanted, GRAPH_FORMATS, "graph")
        if wanted
        else negotiation.from_accept(request.accept_mimetypes, GRAPH_FORMATS, formats.get("turtle"))
    )
    engine = current.engine
    etag = etag_for(digest("graph-store", str(graph), fmt.name, engine.generation()))
    if request.if_none_match.contains(etag.strip('"')):
        return Response(status=304, headers={"ETag": etag, "Cache-Control": "public, no-cache"})
    assert fmt.rdf is not None
    buffer = io.BytesIO()
    engine.export(buffer, fmt.rdf, graph=graph)
    response = Response(buffer.getvalue(), content_type=fmt.media_type)
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = "public, no-cache"
    response.vary.add("Accept")
    return response


def _body_quads(graph: str) -> list[ox.Quad]:
    """The request body parsed (safely) into triples of the target graph."""
    try:
        fmt = format_from_media_type(request.content_type or "")
    except InputError:
        shown = request.mimetype or "none"
        raise UnsupportedMediaTypeError(
            f"Content-Type {shown} is not an RDF format this store reads (use text/turtle, "
            "application/n-triples, application/rdf+xml, application/ld+json, ...)"
        ) from None
    parsed = parse_bytes(request.get_data(cache=False), fmt, source="request body")
    return graph_quads(parsed.quads, graph)


def _written(summary: WriteSummary, graph: str) -> Response:
    if summary.created:
        response = jsonify(
            {"status": "created", "graph": graph, "triples": summary.graphs.get(graph, 0)}
        )
        response.status_code = 201
        response.headers["Location"] = graph
        return response
    return Response(status=204)


@graph_store.route("/store", methods=["PUT"])
def replace_graph() -> Response:
    """Make a graph exactly the request body (validated first)."""
    require_writer()
    graph = _named_target()
    return _written(put_graph(state().engine, graph, _body_quads(graph)), graph)


@graph_store.route("/store", methods=["POST"])
def merge_graph() -> Response:
    """Add the body's triples to a graph; without ?graph, create a new graph for them.

    A `multipart/form-data` body (GSP §5.5) adds the triples of all its parts in one write.
    """
    require_writer()
    params = strict_params(request.query_string, "query string")
    if not params.get("graph") and "default" not in params:
        graph = f"{GRAPH}dataset/{uuid.uuid4().hex}"
    else:
        graph = _named_target()
    quads = multipart_quads(graph) if is_multipart() else _body_quads(graph)
    return _written(post_graph(state().engine, graph, quads), graph)


@graph_store.route("/store", methods=["DELETE"])
def remove_graph() -> Response:
    """Drop a graph and its record; 404 if there is no such graph."""
    require_writer()
    graph = _named_target()
    delete_graph(state().engine, graph)
    return Response(status=204)
