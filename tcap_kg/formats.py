"""Every format TCap KG reads or writes, once: name, media types, file extensions, result kinds.

Content negotiation, the result writers, dumps, file loading, the Graph Store Protocol and the
remote store all look formats up here, so a media type means the same thing everywhere and adding
a format is one row. A format serves one or more *kinds*: `select` and `ask` (SPARQL result sets
and booleans), `graph` (triples) and `dataset` (quads); RDF formats carry their pyoxigraph format.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from .errors import InputError

SELECT = "select"
ASK = "ask"
GRAPH = "graph"
DATASET = "dataset"
RESULTS = frozenset({SELECT, ASK})
TRIPLES = frozenset({GRAPH, DATASET})


@dataclass(frozen=True)
class Format:
    """One format: `name` is ours (`?format=`, CLI options), `media_type` what we send."""

    name: str
    media_type: str
    kinds: frozenset[str]
    extension: str
    names: tuple[str, ...] = ()
    """Other names a user may give (`?format=`, file extensions)."""
    media_aliases: tuple[str, ...] = ()
    """Other media types that ask for, or announce, this format."""
    rdf: ox.RdfFormat | None = None
    results: ox.QueryResultsFormat | None = None

    @property
    def bare_media_type(self) -> str:
        return self.media_type.split(";", 1)[0].strip()

    @property
    def media_types(self) -> tuple[str, ...]:
        """Every media type that means this format, ours first."""
        return (self.bare_media_type, *self.media_aliases)


FORMATS: tuple[Format, ...] = (
    Format(
        "json",
        "application/sparql-results+json",
        RESULTS,
        "srj",
        ("srj",),
        ("application/json",),
        results=ox.QueryResultsFormat.JSON,
    ),
    Format(
        "xml",
        "application/sparql-results+xml",
        RESULTS,
        "srx",
        ("srx",),
        ("application/xml", "text/xml"),
        results=ox.QueryResultsFormat.XML,
    ),
    Format("csv", "text/csv; charset=utf-8", RESULTS, "csv", results=ox.QueryResultsFormat.CSV),
    Format(
        "tsv",
        "text/tab-separated-values; charset=utf-8",
        RESULTS,
        "tsv",
        results=ox.QueryResultsFormat.TSV,
    ),
    Format("table", "text/plain; charset=utf-8", RESULTS, "txt"),
    Format(
        "html",
        "text/html; charset=utf-8",
        RESULTS | TRIPLES,
        "html",
        media_aliases=("application/xhtml+xml",),
    ),
    Format(
        "turtle",
        "text/turtle; charset=utf-8",
        frozenset({GRAPH}),
        "ttl",
        ("ttl", "n3"),
        ("application/x-turtle", "text/n3"),
        rdf=ox.RdfFormat.TURTLE,
    ),
    Format(
        "ntriples",
        "application/n-triples",
        frozenset({GRAPH}),
        "nt",
        ("nt", "n-triples"),
        ("text/plain",),
        rdf=ox.RdfFormat.N_TRIPLES,
    ),
    Format(
        "nquads",
        "application/n-quads",
        TRIPLES,
        "nq",
        ("nq", "n-quads"),
        rdf=ox.RdfFormat.N_QUADS,
    ),
    Format("trig", "application/trig", TRIPLES, "trig", rdf=ox.RdfFormat.TRIG),
    Format(
        "rdfxml",
        "application/rdf+xml",
        frozenset({GRAPH}),
        "rdf",
        ("rdf", "rdf+xml", "owl", "xml"),
        ("application/xml", "text/xml"),
        rdf=ox.RdfFormat.RDF_XML,
    ),
    Format(
        "jsonld",
        "application/ld+json",
        TRIPLES,
        "jsonld",
        ("json-ld", "json"),
        ("application/json",),
        rdf=ox.RdfFormat.JSON_LD,
    ),
)

BY_NAME: dict[str, Format] = {fmt.name: fmt for fmt in FORMATS}
"""Our short names only; `lookup` also knows the other names."""


def get(name: str) -> Format:
    """A format by our short name (a programming error if unknown)."""
    return BY_NAME[name]


def for_kinds(kinds: Iterable[str]) -> tuple[Format, ...]:
    """The formats that can write any of these kinds, in registry order."""
    wanted = frozenset(kinds)
    return tuple(fmt for fmt in FORMATS if fmt.kinds & wanted)


def lookup(name: str, choices: Iterable[Format]) -> Format | None:
    """The format among `choices` that a user-given name or media type means, if any.

    Where a name is ambiguous across kinds (`json`, `xml`), the first of `choices` wins, so a
    graph result asked for as `json` gets JSON-LD and a result set gets SPARQL JSON.
    """
    wanted = name.strip().lower()
    media = wanted.split(";", 1)[0].strip()
    for fmt in choices:
        if wanted == fmt.name or wanted in fmt.names or media in fmt.media_types:
            return fmt
    return None


def rdf_formats(*kinds: str) -> tuple[Format, ...]:
    """The RDF serialisations that can hold these kinds (files, dumps, the Graph Store)."""
    return tuple(fmt for fmt in for_kinds(kinds or TRIPLES) if fmt.rdf is not None)


def rdf_from_name(name: str) -> ox.RdfFormat:
    """The RDF format a file name says it holds (`.gz` is looked through)."""
    lowered = name.lower().removesuffix(".gz")
    extension = lowered.rsplit(".", 1)[-1] if "." in lowered else ""
    fmt = lookup(extension, rdf_formats()) if extension else None
    if fmt is None or fmt.rdf is None:
        raise InputError(
            f"{name}: cannot tell the RDF format from the extension {extension!r} "
            f"(known: {', '.join(rdf_extensions())})"
        )
    return fmt.rdf


def rdf_from_media_type(media_type: str) -> ox.RdfFormat:
    """The RDF format of a Content-Type value (parameters such as charset ignored)."""
    bare = media_type.split(";", 1)[0].strip().lower()
    for fmt in rdf_formats():
        if bare in fmt.media_types and fmt.rdf is not None:
            return fmt.rdf
    raise InputError(f"unsupported RDF media type {bare!r}")


def rdf_by_name(name: str) -> ox.RdfFormat:
    """The RDF format for a user-given format name such as `turtle` or `nquads`."""
    fmt = lookup(name.replace("-", ""), rdf_formats()) or lookup(name, rdf_formats())
    if fmt is None or fmt.rdf is None:
        raise InputError(f"unknown RDF format {name!r} (known: {', '.join(rdf_extensions())})")
    return fmt.rdf


def rdf_extensions() -> list[str]:
    """Every name or extension that names an RDF format, for messages."""
    return sorted({n for fmt in rdf_formats() for n in (fmt.name, fmt.extension, *fmt.names)})


def results_from_media_type(media_type: str) -> ox.QueryResultsFormat | None:
    """The SPARQL results format of a Content-Type value, if it is one pyoxigraph reads."""
    bare = media_type.split(";", 1)[0].strip().lower()
    for fmt in for_kinds(RESULTS):
        if fmt.results is not None and bare in fmt.media_types:
            return fmt.results
    return None
