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

from ... import formats
from ...catalogue import NamedQuery, catalogue, get_query
from ...errors import TcapError
from ...namespaces import ID, PREFIXES, TCAP
from ...ontology_docs import ontology_documentation
from ...shipped import ontology_dir
from ...store import QueryResult, Solutions, Term
from ..middleware.assets import asset_url
from ..state import state
from . import facts
from .i18n import pick, pick_tag, request_language, t

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
    "error_at",
    "views",
    "view_table",
    "view_bar",
    "view_map",
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


def run(text: str, bindings: dict[str, Term], *, max_rows: int) -> tuple[QueryResult, bool]:
    """Check and run a query in the executors, as `/sparql` does."""
    engine = state().engine
    found = engine.rows(engine.check(text).with_bindings(bindings), max_rows=max_rows)
    return found.result(), found.truncated


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
    engine = current.engine
    select_format, graph_format, extension = DOWNLOADS[wanted]
    query = engine.check(text).with_bindings(bindings)
    chosen = formats.get(graph_format if query.result_kind == "graph" else select_format)
    found, _ = engine.answer(query, chosen, max_rows=current.settings.max_rows)
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
            if form.get("edit"):
                return page(named.sparql)
            raw = {p.name: form.get(p.name, "") for p in named.parameters}
            bindings = named.bindings({key: item for key, item in raw.items() if item})
            text = named.sparql
        if wanted in DOWNLOADS:
            return download(text, bindings, named.name if named else "results", wanted)
        result, truncated = run(text, bindings, max_rows=PAGE_ROWS)
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
    store = state().engine
    suggestions = [(city.iri, city.name(lang)) for city in facts.cities(store, lang)]
    config = {
        "strings": {key: t(f"query.{key}", lang) for key in SCRIPT_STRINGS},
        "lang": lang,
        "cityBase": facts.CITY_BASE,
        "idBase": ID,
        "ontologyBase": TCAP,
        "sparqlUrl": "/sparql",
        "apiUrl": "/api/queries/",
        "queryUrl": url_for("pages.query"),
        "chartsUrl": asset_url("vendor/charts.js"),
        "landUrl": asset_url("vendor/land-50m.json"),
        "pageRows": PAGE_ROWS,
        "prefixes": PREFIXES,
        "terms": completions(lang),
    }
    labels = facts.labels_of(store, result_iris(result)) if result else {}
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
            cell=lambda term: cell(term, labels, lang),
            config=config,
        ),
        status,
    )


def result_iris(result: Outcome) -> list[str]:
    """The IRIs a result shows (at most 500: the labels are a courtesy)."""
    terms: list[Term | None] = [t for row in result.rows for t in row]
    for triple in result.triples:
        terms += [triple.subject, triple.predicate, triple.object]
    found = dict.fromkeys(t.value for t in terms if isinstance(t, ox.NamedNode))
    return list(found)[:500]


def completions(lang: str) -> list[dict[str, str]]:
    """The ontology's terms for the editor's completion: prefixed name, label, kind."""
    doc = ontology_documentation(ontology_dir())
    return [
        {"name": f"tcap:{term.local}", "label": pick(term.labels, lang), "kind": term.kind}
        for term in sorted(doc.terms.values(), key=lambda t: t.local.lower())
    ]


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


def cell(term: Term | None, labels: dict[str, facts.Node], lang: str) -> Cell:
    """A result term as the table shows it: IRIs by their label where the graph has one."""
    if term is None:
        return Cell("")
    if isinstance(term, ox.NamedNode):
        node = labels.get(term.value)
        if node is not None and node.labels:
            return Cell(node.name(lang), iri=term.value, lang=pick_tag(node.labels, lang) or None)
        return Cell(term.value, iri=term.value)
    if isinstance(term, ox.BlankNode):
        return Cell(f"_:{term.value}")
    if isinstance(term, ox.Literal):
        return Cell(term.value, lang=term.language, number=term.datatype.value in _NUMERIC)
    return Cell(str(term))
