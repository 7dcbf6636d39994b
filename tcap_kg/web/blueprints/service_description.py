"""The SPARQL 1.1 Service Description (GET `/sparql` without a query), with a VoID description.

It names the endpoint's real URL (as the client reached it), the languages, result formats and
features on offer, and the dataset: every graph with its triple count, read from the graph records
so it costs one small query. The dataset points (`rdfs:seeAlso`) to the full VoID document at
`/.well-known/void`, which adds what a service description has no place for (link sets, licence,
dumps), so a client that found the endpoint can find the rest. It is rebuilt only when the
store's generation changes.
"""

from __future__ import annotations

import io
from html import escape

import pyoxigraph as ox

from ... import formats
from ...engine.cache import Generated, digest
from ...engine.engine import Engine
from ...formats import Format
from ...namespaces import DATASET_IRI, DCTERMS, PREFIXES, RDF, RDFS, VOID, XSD
from ...records import read_records
from ...results_html import page, table
from ...settings import Settings
from ...store.base import Queryable

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
ENTAILMENT = "http://www.w3.org/ns/entailment/"

RESULT_FORMAT_IRIS = {
    "json": "SPARQL_Results_JSON",
    "xml": "SPARQL_Results_XML",
    "csv": "SPARQL_Results_CSV",
    "tsv": "SPARQL_Results_TSV",
    "turtle": "Turtle",
    "ntriples": "N-Triples",
    "rdfxml": "RDF_XML",
    "jsonld": "JSON-LD",
    "trig": "TriG",
    "nquads": "N-Quads",
}

VOID_PATH = ".well-known/void"


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_n(XSD + "integer"))


def description(store: Queryable, settings: Settings, endpoint: str, void: str) -> list[ox.Triple]:
    """The service description and VoID triples for an endpoint URL and its VoID document."""
    records = read_records(store)
    service = _n(endpoint + "#service")
    dataset = _n(DATASET_IRI)
    a = _n(RDF + "type")
    triples = [
        ox.Triple(service, a, _n(SD + "Service")),
        ox.Triple(service, _n(SD + "endpoint"), _n(endpoint)),
        ox.Triple(service, _n(SD + "supportedLanguage"), _n(SD + "SPARQL11Query")),
        ox.Triple(service, _n(SD + "feature"), _n(SD + "UnionDefaultGraph")),
        ox.Triple(service, _n(SD + "defaultEntailmentRegime"), _n(ENTAILMENT + "Simple")),
        ox.Triple(service, _n(SD + "defaultDataset"), dataset),
        ox.Triple(dataset, a, _n(SD + "Dataset")),
        ox.Triple(dataset, a, _n(VOID + "Dataset")),
        ox.Triple(dataset, _n(VOID + "sparqlEndpoint"), _n(endpoint)),
        ox.Triple(dataset, _n(RDFS + "seeAlso"), _n(void)),
    ]
    if settings.update:
        triples.append(ox.Triple(service, _n(SD + "supportedLanguage"), _n(SD + "SPARQL11Update")))
    if settings.service_allow:
        triples.append(ox.Triple(service, _n(SD + "feature"), _n(SD + "BasicFederatedQuery")))
    triples += [
        ox.Triple(service, _n(SD + "resultFormat"), _n(FORMATS + name))
        for name in RESULT_FORMAT_IRIS.values()
    ]
    default_graph = ox.BlankNode()
    total = sum(record.triples for record in records.values())
    triples += [
        ox.Triple(dataset, _n(SD + "defaultGraph"), default_graph),
        ox.Triple(default_graph, a, _n(SD + "Graph")),
        ox.Triple(default_graph, _n(VOID + "triples"), _integer(total)),
        ox.Triple(
            default_graph,
            _n(DCTERMS + "description"),
            ox.Literal("The union of all named graphs.", language="en"),
        ),
        ox.Triple(dataset, _n(VOID + "triples"), _integer(total)),
    ]
    for iri, record in sorted(records.items()):
        named, graph = ox.BlankNode(), _n(iri)
        triples += [
            ox.Triple(dataset, _n(SD + "namedGraph"), named),
            ox.Triple(named, a, _n(SD + "NamedGraph")),
            ox.Triple(named, _n(SD + "name"), graph),
            ox.Triple(named, _n(SD + "graph"), graph),
            ox.Triple(graph, a, _n(SD + "Graph")),
            ox.Triple(graph, a, _n(VOID + "Dataset")),
            ox.Triple(graph, _n(VOID + "triples"), _integer(record.triples)),
            ox.Triple(graph, _n(DCTERMS + "type"), ox.Literal(record.role)),
            ox.Triple(dataset, _n(VOID + "subset"), graph),
        ]
    return triples


def _html(store: Queryable, endpoint: str, void: str) -> bytes:
    records = read_records(store)
    rows = [
        [escape(iri), escape(record.role), f"{record.triples:,}"]
        for iri, record in sorted(records.items())
    ]
    offered = ", ".join(escape(formats.get(name).bare_media_type) for name in RESULT_FORMAT_IRIS)
    content = (
        f"<p>SPARQL 1.1 endpoint: <code>{escape(endpoint)}</code>. Send a query as "
        "<code>?query=</code> or POST it. The default graph is the union of all named graphs.</p>"
        f"<p>Result formats: {offered}.</p>"
        f'<p>The dataset is described in full (VoID) at <a href="{escape(void)}">'
        f"{escape(void)}</a>.</p>" + table(["graph", "role", "triples"], rows)
    )
    return page("SPARQL service description", content)


def render_description(
    engine: Engine, settings: Settings, endpoint: str, url_root: str, fmt: Format
) -> bytes:
    """The description in `fmt` (an RDF format or HTML), cached per store generation;
    `url_root` is the app's root URL as the client reached it (the VoID document is under it)."""
    void = url_root + VOID_PATH
    key = digest(
        "service-description",
        engine.generation(),
        endpoint,
        void,
        fmt.name,
        str(settings.update),
        *settings.service_allow,
    )
    cached = engine.cache.get(key, Generated)
    if cached is not None:
        return cached.body
    if fmt.rdf is None:
        body = _html(engine, endpoint, void)
    else:
        buffer = io.BytesIO()
        prefixes = {**PREFIXES, "sd": SD, "formats": FORMATS}
        triples = description(engine, settings, endpoint, void)
        if fmt.rdf.supports_datasets:
            ox.serialize(
                (ox.Quad(t.subject, t.predicate, t.object) for t in triples),
                buffer,
                fmt.rdf,
                prefixes=prefixes,
            )
        else:
            ox.serialize(
                triples,
                buffer,
                fmt.rdf,
                prefixes=prefixes if fmt.rdf != ox.RdfFormat.N_TRIPLES else None,
            )
        body = buffer.getvalue()
    engine.cache.put(key, Generated(body))
    return body
