"""`/query`: the named-query gallery, the SPARQL editor and the results, without JavaScript too.

With JavaScript the page asks `/sparql` and `/api/queries/<name>` itself (static/js/query.js); a
plain form submission lands here and gets the same answer rendered by the server. Either way the
query passes the same safety checks and runs in the same killable executors with the same timeout
as the endpoint, so the page is no back door around them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox
from flask import Response, render_template, request, url_for
from flask.typing import ResponseReturnValue

from ...catalogue import NamedQuery, catalogue, get_query
from ...errors import TcapError
from ...namespaces import ID, PREFIXES, TCAP
from ...sparql_guard import check_query
from ...store import QueryDataset, QueryResult, Solutions, Term
from ..executor import QueryJob
from ..pooled_store import decode
from ..state import state
from . import facts
from .i18n import request_language, t

PAGE_ROWS = 1000
"""Most rows shown in the page; downloads get the endpoint's row cap."""

DOWNLOADS = {
    "csv": ("csv", "turtle", "csv"),
    "json": ("json", "jsonld", "json"),
}
"""download name -> (SELECT/ASK format, CONSTRUCT/DESCRIBE format, file extension)"""

SCRIPT_STRINGS = (
    "rows",
    "truncated",
    "running",
    "error",
    "ask_true",
    "ask_false",
    "download_csv",
    "download_json",
    "no_rows",
    "results",
    "editor_label",
    "graph",
)
"""Interface strings static/js/query.js needs (`query.<key>`)."""

EXAMPLE = "\n".join(
    [
        *(f"PREFIX {name}: <{PREFIXES[name]}>" for name in ("tcap", "skos", "rdfs", "dcterms")),
        "",
        "# Which components do the claims speak to, and how often?",
        "SELECT ?notation ?component (COUNT(DISTINCT ?claim) AS ?claims) WHERE {",
        "  ?claim tcap:hasComponentMapping/tcap:mapsToComponent ?c .",
        "  ?c skos:notation ?notation ; skos:prefLabel ?component .",
        '  FILTER(LANG(?component) = "en")',
        "}",
        "GROUP BY ?notation ?component",
        "ORDER BY DESC(?claims) ?notation",
    ]
)


@dataclass
class Outcome:
    """What the results section shows: a table, a boolean, triples, or an error."""

    kind: str = ""
    variables: list[str] = field(default_factory=list)
    rows: list[list[Term | None]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)
    truncated: bool = False
    error: TcapError | None = None


def run(
    text: str, bindings: dict[str, Term], *, max_rows: int, select_format: str, graph_format: str
) -> tuple[QueryResult, bool]:
    """Check and run a query in the executors, as `/sparql` does."""
    current = state()
    check_query(text, service_allow=current.settings.service_allow)
    job = QueryJob(text, QueryDataset(), bindings, select_format, graph_format, max_rows)
    found = current.store.run(job)
    return decode(found), found.truncated


def outcome(result: QueryResult, truncated: bool) -> Outcome:
    if isinstance(result, bool):
        return Outcome(kind="ask", boolean=result)
    if isinstance(result, Solutions):
        variables = result.variables
        rows = [[row[name] for name in variables] for row in result]
        return Outcome(kind="select", variables=variables, rows=rows, truncated=truncated)
    return Outcome(kind="graph", triples=list(result), truncated=truncated)


def download(text: str, bindings: dict[str, Term], name: str, wanted: str) -> Response:
    """The whole answer (up to the endpoint's row cap) as a file."""
    current = state()
    select_format, graph_format, extension = DOWNLOADS[wanted]
    check_query(text, service_allow=current.settings.service_allow)
    job = QueryJob(
        text, QueryDataset(), bindings, select_format, graph_format, current.settings.max_rows
    )
    found = current.store.run(job)
    if found.kind == "graph":
        extension = "ttl" if wanted == "csv" else "jsonld"
    response = Response(found.body, content_type=found.media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{extension}"'
    if found.truncated:
        response.headers["TCap-Truncated"] = f"true; rows={found.rows}"
    return response


def query() -> ResponseReturnValue:
    """GET shows the page (running `query` or `name` if given); POST does the same for long texts."""
    form = request.values
    text, name, wanted = form.get("query", ""), form.get("name", ""), form.get("download", "")
    if not name and not text.strip():
        return page(EXAMPLE)
    named: NamedQuery | None = None
    raw: dict[str, str] = {}
    try:
        bindings: dict[str, Term] = {}
        if name:
            named = get_query(name)
            raw = {p.name: form.get(p.name, "") for p in named.parameters}
            bindings = named.bindings({key: item for key, item in raw.items() if item})
            text = named.sparql
            if form.get("edit"):
                return page(text)
        if wanted in DOWNLOADS:
            return download(text, bindings, named.name if named else "results", wanted)
        result, truncated = run(
            text, bindings, max_rows=PAGE_ROWS, select_format="json", graph_format="ntriples"
        )
    except TcapError as exc:
        status = exc.http_status if exc.http_status < 500 else 503
        return page(
            text if named is None else EXAMPLE, named, raw, Outcome(kind="error", error=exc), status
        )
    return page(text if named is None else EXAMPLE, named, raw, outcome(result, truncated))


def page(
    text: str,
    named: NamedQuery | None = None,
    raw: dict[str, str] | None = None,
    result: Outcome | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    lang = request_language()
    suggestions = [(city.iri, city.name(lang)) for city in facts.cities(state().store, lang)]
    config = {
        "strings": {key: t(f"query.{key}", lang) for key in SCRIPT_STRINGS},
        "cityBase": facts.CITY_BASE,
        "idBase": ID,
        "ontologyBase": TCAP,
        "sparqlUrl": "/sparql",
        "apiUrl": "/api/queries/",
        "queryUrl": url_for("pages.query"),
        "pageRows": PAGE_ROWS,
    }
    return (
        render_template(
            "query.html",
            gallery=list(catalogue().values()),
            text=text,
            named=named,
            raw_params=raw or {},
            result=result,
            page_rows=PAGE_ROWS,
            suggestions=suggestions,
            cell=cell,
            config=config,
        ),
        status,
    )


@dataclass(frozen=True)
class Cell:
    """A result term as the table shows it."""

    text: str
    iri: str | None = None
    lang: str | None = None
    number: bool = False


_NUMERIC = {
    PREFIXES["xsd"] + name for name in ("integer", "decimal", "double", "float", "long", "int")
}


def cell(term: Term | None) -> Cell:
    if term is None:
        return Cell("")
    if isinstance(term, ox.NamedNode):
        return Cell(term.value, iri=term.value)
    if isinstance(term, ox.BlankNode):
        return Cell(f"_:{term.value}")
    if isinstance(term, ox.Literal):
        return Cell(term.value, lang=term.language, number=term.datatype.value in _NUMERIC)
    return Cell(str(term))
