"""`/openapi.json`: an OpenAPI 3.1 description of every route of the app.

It is generated from the app's URL map at request time, so blueprints other modules add (pages,
validation, publishing) are described without anyone keeping a list: each route gets its methods,
path parameters and the first docstring line of its view as the summary. Routes with more to say
(the SPARQL protocol, the graph store) add details in `OPERATION_DETAILS`, and every named query
gets its own path with its typed parameters.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, request

from ... import __version__
from ...catalogue import NamedQuery, catalogue
from ..negotiation import GRAPH_CHOICES, SELECT_CHOICES
from ..uploads import MAX_PARTS

openapi = Blueprint("openapi", __name__)

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
RDF_BODY_TYPES = [
    "text/turtle",
    "application/n-triples",
    "application/rdf+xml",
    "application/ld+json",
    "application/trig",
    "application/n-quads",
]
SPARQL_RESULT_TYPES = [
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
    *RDF_BODY_TYPES,
    "text/html",
]
PARAM_SCHEMAS: dict[str, dict[str, Any]] = {
    "iri": {"type": "string", "format": "iri"},
    "string": {"type": "string"},
    "langstring": {"type": "string", "pattern": "^.+@[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$"},
    "integer": {"type": "integer"},
    "date": {"type": "string", "format": "date"},
}


def _query_param(
    name: str, description: str, *, many: bool = False, required: bool = False
) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    if many:
        schema = {"type": "array", "items": schema}
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": schema,
    }


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": PROBLEM_REF}},
    }


DATASET_PARAMS = [
    _query_param(
        "default-graph-uri",
        "Graph(s) forming the default graph (default: union of all).",
        many=True,
    ),
    _query_param("named-graph-uri", "Graph(s) visible to GRAPH (default: all).", many=True),
]
FORMAT_PARAM = _query_param(
    "format",
    f"Result format instead of Accept: {', '.join(dict.fromkeys(fmt.name for fmt in SELECT_CHOICES + GRAPH_CHOICES))}.",
)
QUERY_ERRORS = {
    "400": _problem("Malformed query or request (with the parser's line and column)."),
    "403": _problem("SERVICE to an endpoint not allowed, or LOAD."),
    "503": _problem("Query timeout, or every query worker busy (see Retry-After)."),
}
SPARQL_RESULTS = {
    "description": "Query results in the negotiated format.",
    "content": {media: {} for media in SPARQL_RESULT_TYPES},
}
WRITE_ERRORS = {
    "401": _problem("No valid bearer token."),
    "403": _problem("Writes are switched off, or the graph is managed by TCap KG."),
    "415": _problem(
        "The body, or a part of a multipart body, is not an RDF format the store reads."
    ),
    "422": _problem("The data violates the shapes; nothing was written."),
}
MULTIPART_BODY = {
    "multipart/form-data": {
        "schema": {
            "type": "object",
            "description": "RDF files, any field names; each part's Content-Type (or else its "
            "filename's extension) gives its format, and all parts are merged in one write.",
            "additionalProperties": {
                "type": "string",
                "contentMediaType": "application/octet-stream",
            },
        }
    }
}
BODY_TOO_LARGE = {
    "413": _problem(
        f"The body is over TCAP_MAX_BODY_BYTES, or a multipart body has more than {MAX_PARTS} parts."
    )
}
GRAPH_PARAMS = [
    _query_param("graph", "The graph IRI (indirect identification)."),
    {
        "name": "default",
        "in": "query",
        "allowEmptyValue": True,
        "schema": {"type": "string"},
        "description": "The default graph: the read-only union of all graphs.",
    },
]

OPERATION_DETAILS: dict[tuple[str, str], dict[str, Any]] = {
    ("sparql.endpoint", "GET"): {
        "summary": "SPARQL query by GET; without `query`, the service description.",
        "parameters": [_query_param("query", "The SPARQL query."), *DATASET_PARAMS, FORMAT_PARAM],
        "responses": {
            "200": SPARQL_RESULTS,
            "304": {"description": "Not modified (ETag)."},
            **QUERY_ERRORS,
        },
    },
    ("sparql.endpoint", "POST"): {
        "summary": "SPARQL query (form or direct body) or, when enabled, SPARQL Update.",
        "parameters": [*DATASET_PARAMS, FORMAT_PARAM],
        "requestBody": {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "query": {"type": "string"},
                            "update": {"type": "string"},
                            "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                            "named-graph-uri": {"type": "array", "items": {"type": "string"}},
                            "using-graph-uri": {"type": "array", "items": {"type": "string"}},
                            "using-named-graph-uri": {"type": "array", "items": {"type": "string"}},
                        },
                    }
                },
                "application/sparql-query": {"schema": {"type": "string"}},
                "application/sparql-update": {"schema": {"type": "string"}},
            },
        },
        "security": [{}, {"bearer": []}],
        "responses": {"200": SPARQL_RESULTS, **QUERY_ERRORS, **WRITE_ERRORS},
    },
    ("graph_store.read_graph", "GET"): {
        "parameters": [*GRAPH_PARAMS, FORMAT_PARAM],
        "responses": {
            "200": {
                "description": "The graph.",
                "content": {media: {} for media in RDF_BODY_TYPES},
            },
            "404": _problem("No such graph."),
        },
    },
    **{
        ("graph_store." + endpoint, method): {
            "parameters": GRAPH_PARAMS,
            "security": [{"bearer": []}],
            **(
                {}
                if method == "DELETE"
                else {
                    "requestBody": {
                        "required": True,
                        "content": {
                            **{media: {"schema": {"type": "string"}} for media in RDF_BODY_TYPES},
                            **(MULTIPART_BODY if method == "POST" else {}),
                        },
                    }
                }
            ),
            "responses": {
                "201": {"description": "Graph created."},
                "204": {"description": "Done."},
                "404": _problem("No such graph."),
                **WRITE_ERRORS,
                **({} if method == "DELETE" else BODY_TOO_LARGE),
            },
        }
        for endpoint, method in (
            ("replace_graph", "PUT"),
            ("merge_graph", "POST"),
            ("remove_graph", "DELETE"),
        )
    },
}


def _summary(view: Any) -> tuple[str, str]:
    doc = (view.__doc__ or "").strip()
    first, _, rest = doc.partition("\n")
    return first.strip(), " ".join(rest.split())


def _named_query_operation(query: NamedQuery) -> dict[str, Any]:
    parameters = [
        {
            "name": p.name,
            "in": "query",
            "required": p.required,
            "description": f"{p.description} ({p.type})",
            "schema": PARAM_SCHEMAS[p.type],
        }
        for p in query.parameters
    ]
    parameters.append(_query_param("format", "json (default), csv, tsv or html."))
    return {
        "operationId": f"query_{query.name.replace('-', '_')}",
        "tags": ["named queries"],
        "summary": query.title,
        "description": query.description,
        "parameters": parameters,
        "responses": {
            "200": {
                "description": "The answer.",
                "content": {m: {} for m in [*SPARQL_RESULT_TYPES[:4], "text/html"]},
            },
            "400": _problem("A parameter is missing or has the wrong type (the message names it)."),
            "503": _problem("Timeout or busy."),
        },
    }


def build_document(app: Flask, server_url: str) -> dict[str, Any]:
    """The OpenAPI document for an app as it is now wired."""
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        summary, description = _summary(app.view_functions[rule.endpoint])
        path_params = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in rule.arguments
        ]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            operation: dict[str, Any] = {
                "operationId": f"{rule.endpoint.replace('.', '_')}_{method.lower()}",
                "tags": [rule.endpoint.split(".", 1)[0]],
                "summary": summary or rule.endpoint,
                "responses": {"200": {"description": "OK"}},
            }
            if description:
                operation["description"] = description
            details = OPERATION_DETAILS.get((rule.endpoint, method), {})
            operation.update(details)
            operation["parameters"] = path_params + list(details.get("parameters", []))
            paths.setdefault(path, {})[method.lower()] = operation
    for query in catalogue().values():
        paths[f"/api/queries/{query.name}"] = {"get": _named_query_operation(query)}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "TCap KG",
            "version": __version__,
            "description": "SPARQL endpoint, Graph Store, named queries and pages of the "
            "knowledge graph of urban transformative capacity.",
        },
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Problem": {
                    "type": "object",
                    "required": ["type", "title", "status", "detail"],
                    "properties": {
                        "type": {"type": "string", "format": "uri"},
                        "title": {"type": "string"},
                        "status": {"type": "integer"},
                        "detail": {"type": "string"},
                        "line": {"type": "integer"},
                        "column": {"type": "integer"},
                    },
                }
            },
        },
    }


@openapi.get("/openapi.json")
def openapi_document() -> Response:
    """The OpenAPI 3.1 description of this server."""
    return jsonify(build_document(current_app, request.host_url.rstrip("/")))
