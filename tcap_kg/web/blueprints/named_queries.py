"""`/api/queries`: the named queries in `queries/` as a small REST API.

Parameter values are typed by the query's header and bound to its variables as RDF terms by the
engine, never pasted into the text, so a value cannot change what a query does (the injection
hole of folder-of-queries APIs). Answers go through the same executors, cache and row cap as
`/sparql`.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request, url_for

from ...catalogue import NamedQuery, catalogue, get_query
from ...errors import InputError
from ..protocol import first, strict_params
from ..state import state
from .sparql import answer

named_queries = Blueprint("named_queries", __name__)

RESERVED_PARAMS = ("format",)


def describe(query: NamedQuery) -> dict[str, object]:
    """A named query's public description: what it answers and what it needs."""
    return {
        "name": query.name,
        "title": query.title,
        "description": query.description,
        "parameters": [
            {
                "name": p.name,
                "type": p.type,
                "required": p.required,
                "description": p.description,
            }
            for p in query.parameters
        ],
        "url": url_for("named_queries.run_query", name=query.name),
    }


@named_queries.get("/api/queries")
def list_queries() -> Response:
    """Every named query with its title, description and typed parameters."""
    return jsonify({"queries": [describe(query) for query in catalogue().values()]})


@named_queries.get("/api/queries/<name>")
def run_query(name: str) -> Response:
    """Run one named query with typed parameters; JSON, CSV, TSV or HTML."""
    query = get_query(name)
    params = strict_params(request.query_string, "query string")
    repeated = sorted(key for key, values in params.items() if len(values) > 1)
    if repeated:
        raise InputError(f"parameter {repeated[0]!r} is given more than once")
    raw = {key: values[0] for key, values in params.items() if key not in RESERVED_PARAMS}
    bindings = query.bindings(raw)
    checked = state().engine.check(query.sparql).with_bindings(bindings)
    return answer(checked, first(params, "format"))
