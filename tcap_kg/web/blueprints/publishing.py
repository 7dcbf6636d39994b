"""Publishing the graph as Linked Data: VoID, full dumps, and dereferenceable IRIs.

Follows the W3C Note "Best Practice Recipes for Publishing RDF Vocabularies" (recipe 3, a hash
namespace with content negotiation): the ontology IRI `/ontology` answers 303 See Other to a
document in the format the client prefers (`/ontology.html`, `.ttl`, `.jsonld`, `.rdf`), with
RDF (Turtle) for clients that state no preference. Instance IRIs under `/id/` name things, not
documents, so they also answer 303: a browser goes to the city page (`/city/<slug>`) or to
`/doc/<path>`, an RDF client to `/doc/<path>`, which describes the thing in the format asked for.

`/.well-known/void` describes the dataset (VoID): its named graphs with triple counts and
provenance, the link sets with their targets, the licence, the endpoint and the dumps. It is
built from the catalogue records, cached per store generation. `/dump.nq.gz` and `/dump.trig`
stream the whole store while it is read, never buffering it.
"""

from __future__ import annotations

import gzip
import io
import logging
import queue
import threading
from collections.abc import Iterator
from typing import IO, Any, cast

import pyoxigraph as ox
from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue

from ... import formats
from ...engine.cache import Generated, digest
from ...engine.engine import Engine
from ...errors import NotFoundError
from ...formats import Format
from ...namespaces import DATASET_IRI, DCTERMS, GRAPH, ID, ONTOLOGY, PREFIXES, RDF, VOID, XSD
from ...ontology_docs import ontology_documentation
from ...records import read_records
from ...shipped import ontology_dir
from ...store import Solutions, Triples
from ...store.base import Queryable
from ..negotiation import from_accept, from_name
from ..pages.facts import city_slug
from ..pages.views import resource_page
from ..state import state

log = logging.getLogger(__name__)

publishing = Blueprint("publishing", __name__)

RDF_CHOICES = tuple(formats.get(name) for name in ("turtle", "jsonld", "rdfxml", "ntriples"))
DOCUMENT_CHOICES = (formats.get("html"), *RDF_CHOICES)
EXTENSIONS = {fmt.extension: fmt for fmt in DOCUMENT_CHOICES}
TARGETS = {
    ID + "dataset/geonames": "https://sws.geonames.org/",
    ID + "dataset/wikidata": "http://www.wikidata.org/entity/",
}
PREFIX_LINES = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items())
DESCRIBE_LIMIT = 2000


def _choose(choices: tuple[Format, ...]) -> Format:
    """`?format=` first (short name or media type), else the Accept header; Turtle by default."""
    named = request.args.get("format")
    if named:
        return from_name(named, choices, "graph")
    return from_accept(request.accept_mimetypes, choices, formats.get("turtle"))


def _see_other(location: str) -> ResponseReturnValue:
    response = redirect(location, code=303)
    response.headers["Vary"] = "Accept"
    return response


def _serialise(triples: list[ox.Triple], fmt: Format) -> Response:
    buffer = io.BytesIO()
    rdf_format = fmt.rdf
    assert rdf_format is not None
    prefixes = PREFIXES if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
    ox.serialize(triples, buffer, rdf_format, prefixes=prefixes)
    response = Response(buffer.getvalue(), mimetype=rdf_format.media_type)
    response.headers["Vary"] = "Accept"
    return response


# -- the ontology ----------------------------------------------------------------------------


@publishing.get("/ontology")
def ontology() -> ResponseReturnValue:
    """The ontology IRI: 303 to the document in the negotiated format (recipe 3)."""
    fmt = _choose(DOCUMENT_CHOICES)
    return _see_other(url_for("publishing.ontology_document", extension=fmt.extension))


@publishing.get("/ontology.<extension>")
def ontology_document(extension: str) -> ResponseReturnValue:
    fmt = EXTENSIONS.get(extension)
    if fmt is None:
        raise NotFoundError(f"no ontology document .{extension} (try .html, .ttl, .jsonld, .rdf)")
    if fmt.rdf is None:
        documents = [(choice.extension, choice.bare_media_type) for choice in RDF_CHOICES]
        doc = ontology_documentation(ontology_dir())
        return render_template("ontology.html", doc=doc, formats=documents)
    result = state().engine.query(
        "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } "
        f'FILTER(STRSTARTS(STR(?g), "{GRAPH}ontology/")) }}'
    )
    assert isinstance(result, Triples)
    return _serialise(list(result), fmt)


# -- resources -------------------------------------------------------------------------------


@publishing.get("/id/<path:path>")
def resource(path: str) -> ResponseReturnValue:
    """A thing, not a document: 303 to its page (HTML) or to its description (RDF)."""
    iri = ID + path
    if not _described(state().engine, iri):
        raise NotFoundError(f"nothing is known about <{iri}>")
    fmt = _choose(DOCUMENT_CHOICES)
    slug = city_slug(iri)
    if fmt.rdf is None and slug is not None:
        return _see_other(url_for("pages.city", slug=slug))
    if fmt.rdf is None:
        return _see_other(url_for("publishing.document", path=path))
    return _see_other(url_for("publishing.document", path=path, format=fmt.name))


@publishing.get("/doc/<path:path>")
def document(path: str) -> ResponseReturnValue:
    """The description of `.../id/<path>`: its statements, its blank-node details and the
    statements that point at it."""
    iri = ID + path
    triples = _describe(state().engine, iri)
    if not triples:
        raise NotFoundError(f"nothing is known about <{iri}>")
    fmt = _choose(DOCUMENT_CHOICES)
    if fmt.rdf is not None:
        return _serialise(triples, fmt)
    response = Response(resource_page(state().engine, iri, path), mimetype="text/html")
    response.headers["Vary"] = "Accept"
    return response


def _described(store: Queryable, iri: str) -> bool:
    return bool(
        store.query("ASK { { ?r ?p ?o } UNION { ?s ?p ?r } }", bindings={"r": ox.NamedNode(iri)})
    )


def _describe(store: Queryable, iri: str) -> list[ox.Triple]:
    result = store.query(
        "CONSTRUCT { ?r ?p ?o . ?o ?p2 ?o2 . ?s ?q ?r } WHERE { "
        "{ ?r ?p ?o OPTIONAL { ?o ?p2 ?o2 FILTER(isBlank(?o)) } } UNION { ?s ?q ?r } } "
        f"LIMIT {DESCRIBE_LIMIT}",
        bindings={"r": ox.NamedNode(iri)},
    )
    assert isinstance(result, Triples)
    return list(result)


# -- VoID ------------------------------------------------------------------------------------


@publishing.get("/.well-known/void")
def void() -> ResponseReturnValue:
    """The VoID description of the dataset, in the negotiated RDF format."""
    fmt = _choose(RDF_CHOICES)
    engine = state().engine
    root = request.url_root
    key = digest("void", engine.generation(), root, fmt.name)
    cached = engine.cache.get(key, Generated)
    if cached is None:
        cached = Generated(_serialise(void_description(engine, root), fmt).get_data())
        engine.cache.put(key, cached)
    response = Response(cached.body, mimetype=fmt.bare_media_type)
    response.headers["Vary"] = "Accept"
    return response


_LINKSETS = (
    PREFIX_LINES
    + """
SELECT ?set ?predicate ?subjects ?objects ?triples WHERE {
  ?set a void:Linkset ; void:linkPredicate ?predicate .
  OPTIONAL { ?set void:subjectsTarget ?subjects }
  OPTIONAL { ?set void:objectsTarget ?objects }
  OPTIONAL { ?set void:triples ?triples }
}"""
)


def void_description(store: Engine, root: str) -> list[ox.Triple]:
    """VoID for the whole store: the dataset, each named graph as a subset, the link sets."""
    dataset = ox.NamedNode(DATASET_IRI)
    triples: list[ox.Triple] = []

    def add(subject: ox.NamedNode, predicate: str, value: ox.NamedNode | ox.Literal) -> None:
        triples.append(ox.Triple(subject, ox.NamedNode(predicate), value))

    def integer(value: int) -> ox.Literal:
        return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))

    add(dataset, RDF + "type", ox.NamedNode(VOID + "Dataset"))
    add(dataset, DCTERMS + "title", ox.Literal("TCap KG", language="en"))
    add(dataset, VOID + "sparqlEndpoint", ox.NamedNode(root + "sparql"))
    add(dataset, VOID + "dataDump", ox.NamedNode(root + "dump.nq.gz"))
    add(dataset, VOID + "dataDump", ox.NamedNode(root + "dump.trig"))
    add(dataset, VOID + "uriSpace", ox.Literal(ID))
    add(dataset, VOID + "vocabulary", ox.NamedNode(ONTOLOGY))
    for licence in _licences(store):
        add(dataset, DCTERMS + "license", licence)
    records = read_records(store)
    sizes = {info.iri: info.triples for info in store.graphs()}
    add(dataset, VOID + "triples", integer(sum(sizes.values())))
    for graph, record in sorted(records.items()):
        subset = ox.NamedNode(graph)
        add(dataset, VOID + "subset", subset)
        add(subset, RDF + "type", ox.NamedNode(VOID + "Dataset"))
        add(subset, VOID + "triples", integer(sizes.get(graph, record.triples)))
        add(subset, DCTERMS + "type", ox.Literal(record.role))
        add(
            subset,
            PREFIXES["prov"] + "generatedAtTime",
            ox.Literal(record.loaded_at.isoformat(), datatype=ox.NamedNode(XSD + "dateTime")),
        )
        for source in record.sources:
            add(subset, DCTERMS + "source", ox.Literal(source))
        if record.conforms_to:
            add(subset, DCTERMS + "conformsTo", ox.NamedNode(record.conforms_to))
    result = store.query(_LINKSETS)
    assert isinstance(result, Solutions)
    targets: set[str] = set()
    for row in result:
        linkset, predicate = row["set"], row["predicate"]
        if not isinstance(linkset, ox.NamedNode) or not isinstance(predicate, ox.NamedNode):
            continue
        if linkset.value not in records:
            add(dataset, VOID + "subset", linkset)
        add(linkset, RDF + "type", ox.NamedNode(VOID + "Linkset"))
        add(linkset, VOID + "linkPredicate", predicate)
        for name in ("subjects", "objects"):
            value = row[name]
            if isinstance(value, ox.NamedNode):
                add(linkset, VOID + f"{name}Target", value)
                targets.add(value.value)
        count = row["triples"]
        if isinstance(count, ox.Literal) and linkset.value not in records:
            add(linkset, VOID + "triples", count)
    for target, space in TARGETS.items():
        if target in targets:
            add(ox.NamedNode(target), RDF + "type", ox.NamedNode(VOID + "Dataset"))
            add(ox.NamedNode(target), VOID + "uriSpace", ox.Literal(space))
    unique = list(dict.fromkeys(triples))
    return sorted(unique, key=lambda t: (t.subject != dataset, str(t.subject)))


def _licences(store: Queryable) -> list[ox.NamedNode]:
    """The licence the dataset states, else the one its ontology states."""
    result = store.query(
        f"SELECT DISTINCT ?l WHERE {{ {{ <{DATASET_IRI}> <{DCTERMS}license> ?l }} UNION "
        f"{{ <{ONTOLOGY}> <{DCTERMS}license> ?l }} }}"
    )
    assert isinstance(result, Solutions)
    return sorted((row["l"] for row in result if isinstance(row["l"], ox.NamedNode)), key=str)


# -- dumps -----------------------------------------------------------------------------------


@publishing.get("/dump.nq.gz")
def dump_nquads() -> ResponseReturnValue:
    return _dump(ox.RdfFormat.N_QUADS, compress=True, filename="tcap-kg.nq.gz")


@publishing.get("/dump.trig")
def dump_trig() -> ResponseReturnValue:
    return _dump(ox.RdfFormat.TRIG, compress=False, filename="tcap-kg.trig")


def _dump(fmt: ox.RdfFormat, *, compress: bool, filename: str) -> ResponseReturnValue:
    engine = state().engine
    etag = f'"{engine.generation()}-{filename}"'
    if etag in request.headers.get("If-None-Match", ""):
        return Response(status=304, headers={"ETag": etag})
    media_type = "application/gzip" if compress else fmt.media_type
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    response = Response(_stream(app, engine, fmt, compress), mimetype=media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["ETag"] = etag
    return response


def _stream(app: Flask, engine: Engine, fmt: ox.RdfFormat, compress: bool) -> Iterator[bytes]:
    """The export, produced by a thread into a bounded queue and sent as it comes."""
    chunks: queue.Queue[bytes | BaseException | None] = queue.Queue(maxsize=32)
    stop = threading.Event()

    def put(item: bytes | BaseException | None) -> None:
        while not stop.is_set():
            try:
                chunks.put(item, timeout=0.5)
                return
            except queue.Full:
                continue
        raise OSError("the client went away")

    class Sink(io.RawIOBase):
        def writable(self) -> bool:
            return True

        def write(self, data: Any) -> int:
            put(bytes(data))
            return len(data)

    def produce() -> None:
        try:
            with app.app_context():
                sink = Sink()
                target = cast(
                    IO[bytes],
                    gzip.GzipFile(fileobj=sink, mode="wb", mtime=0)
                    if compress
                    else io.BufferedWriter(sink, 256 * 1024),
                )
                with target:
                    engine.export(target, fmt)
            put(None)
        except BaseException as exc:  # handed to the response generator, which logs it
            if not stop.is_set():
                put(exc)

    producer = threading.Thread(target=produce, name="tcap-dump", daemon=True)
    producer.start()
    try:
        while True:
            item = chunks.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                log.error("dump failed midway; the download is cut short: %s", item)
                return
            yield item
    finally:
        stop.set()
