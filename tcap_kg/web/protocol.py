"""Reading a SPARQL 1.1 Protocol request strictly: which operation, its text and its dataset.

Werkzeug's own form parsing replaces bad UTF-8 with U+FFFD and silently keeps the last of repeated
fields; the protocol wants a 400 for both, and for a query given twice or in both the URL and the
body. So parameters are parsed here from the raw bytes, strictly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from flask import Request

from ..errors import InputError, UnsupportedMediaTypeError
from ..store import QueryDataset

FORM = "application/x-www-form-urlencoded"
QUERY_BODY = "application/sparql-query"
UPDATE_BODY = "application/sparql-update"
MAX_FIELDS = 1000

_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*$")


@dataclass(frozen=True)
class Operation:
    """A protocol request: `query`, `update` or `describe` (no operation: service description)."""

    kind: str
    text: str = ""
    dataset: QueryDataset = field(default_factory=QueryDataset)
    params: dict[str, list[str]] = field(default_factory=dict)

    def param(self, *names: str) -> str | None:
        """The first value of the first of `names` present (e.g. `format`, `output`)."""
        for name in names:
            values = self.params.get(name)
            if values:
                return values[0]
        return None


def strict_params(raw: bytes, where: str) -> dict[str, list[str]]:
    """Parameters from a query string or form body; bad UTF-8 (raw or %-encoded) is a 400."""
    try:
        pairs = parse_qsl(
            raw.decode("utf-8"),
            keep_blank_values=True,
            encoding="utf-8",
            errors="strict",
            max_num_fields=MAX_FIELDS,
        )
    except UnicodeDecodeError as exc:
        raise InputError(
            f"the {where} is not valid UTF-8 (byte {exc.start}: {exc.reason}); percent-encode "
            "the text as UTF-8"
        ) from None
    except ValueError as exc:
        raise InputError(f"the {where} has too many fields: {exc}") from None
    params: dict[str, list[str]] = {}
    for key, value in pairs:
        params.setdefault(key, []).append(value)
    return params


def first(params: dict[str, list[str]], name: str) -> str | None:
    """The first value of a parameter, if it was given."""
    values = params.get(name)
    return values[0] if values else None


def body_text(request: Request) -> str:
    """A query or update sent directly as the body: UTF-8, as the protocol requires."""
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise InputError(f"the body must be UTF-8, not {charset!r}")
    try:
        return request.get_data(cache=True).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"the request body is not valid UTF-8 (byte {exc.start}: {exc.reason})"
        ) from None


def graph_iris(values: list[str], name: str) -> tuple[str, ...]:
    """Dataset parameter values, each checked to be an absolute IRI."""
    for value in values:
        if not _IRI.match(value):
            raise InputError(f"{name}: {value!r} is not an absolute IRI")
    return tuple(values)


def read_operation(request: Request) -> Operation:
    """What a `/sparql` request asks for, or a 400/415 explaining what is wrong with it."""
    url = strict_params(request.query_string, "query string")
    if request.method in ("GET", "HEAD"):
        if "update" in url:
            raise InputError("an update must be sent with POST, not GET")
        return _operation(url, url, "query" in url)
    mimetype = request.mimetype
    if mimetype == FORM:
        body = strict_params(request.get_data(cache=True), "form body")
        for name in ("query", "update"):
            if name in url and name in body:
                raise InputError(f"the {name} is given both in the URL and in the body")
        merged = {**url, **body}
        return _operation(merged, merged, "query" in merged or "update" in merged)
    if mimetype in (QUERY_BODY, UPDATE_BODY):
        if "query" in url or "update" in url:
            raise InputError(
                f"a {mimetype} body was sent and the URL has a query or update parameter too; "
                "send it in one place"
            )
        name = "query" if mimetype == QUERY_BODY else "update"
        return _operation({**url, name: [body_text(request)]}, url, True)
    shown = mimetype or "none"
    raise UnsupportedMediaTypeError(
        f"Content-Type {shown} is not accepted here: send {FORM}, {QUERY_BODY} or {UPDATE_BODY}"
    )


def _operation(
    params: dict[str, list[str]], dataset_params: dict[str, list[str]], has_operation: bool
) -> Operation:
    queries, updates = params.get("query", []), params.get("update", [])
    if queries and updates:
        raise InputError("the request has both a query and an update; send one operation")
    if len(queries) > 1 or len(updates) > 1:
        raise InputError("the request has more than one query or update; send exactly one")
    if not has_operation:
        return Operation("describe", params=params)
    if updates:
        dataset = QueryDataset(
            graph_iris(dataset_params.get("using-graph-uri", []), "using-graph-uri") or None,
            graph_iris(dataset_params.get("using-named-graph-uri", []), "using-named-graph-uri")
            or None,
        )
        return Operation("update", updates[0], dataset, params)
    default = graph_iris(dataset_params.get("default-graph-uri", []), "default-graph-uri")
    named = graph_iris(dataset_params.get("named-graph-uri", []), "named-graph-uri")
    if named and not default:
        dataset = QueryDataset((), named)
    else:
        dataset = QueryDataset(default or None, named or None)
    return Operation("query", queries[0], dataset, params)
