"""Content negotiation: which result format to send, from `?format=` or the Accept header.

Formats are our short names (`json`, `turtle`, ...), the same ones `tcap_kg.results` writes. A
client that asks for nothing we have gets the default for the result kind rather than a 406:
SPARQL clients send all kinds of Accept headers, and an answer in a standard format is more useful
than an error. An explicit `?format=` that we do not know is an error, though.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import InputError

SELECT_CHOICES = ("json", "xml", "csv", "tsv", "html")
GRAPH_CHOICES = ("turtle", "ntriples", "nquads", "trig", "rdfxml", "jsonld", "html")
DEFAULTS = {"select": "json", "ask": "json", "graph": "turtle"}

MEDIA_TYPE_FORMATS: dict[str, str] = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "text/n3": "turtle",
    "application/n-triples": "ntriples",
    "text/plain": "ntriples",
    "application/n-quads": "nquads",
    "application/trig": "trig",
    "application/rdf+xml": "rdfxml",
    "application/ld+json": "jsonld",
}

FORMAT_ALIASES: dict[str, str] = {
    "json": "json",
    "srj": "json",
    "xml": "xml",
    "srx": "xml",
    "csv": "csv",
    "tsv": "tsv",
    "html": "html",
    "turtle": "turtle",
    "ttl": "turtle",
    "n3": "turtle",
    "ntriples": "ntriples",
    "nt": "ntriples",
    "n-triples": "ntriples",
    "nquads": "nquads",
    "nq": "nquads",
    "n-quads": "nquads",
    "trig": "trig",
    "rdfxml": "rdfxml",
    "rdf": "rdfxml",
    "rdf+xml": "rdfxml",
    "jsonld": "jsonld",
    "json-ld": "jsonld",
}

GRAPH_ALIASES = {"json": "jsonld", "xml": "rdfxml"}


def parse_accept(header: str) -> list[tuple[str, float, int]]:
    """(media range, q, specificity) for each entry of an Accept header; q=0 entries dropped."""
    entries = []
    for part in header.split(","):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if not media:
            continue
        quality = 1.0
        for parameter in pieces[1:]:
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = max(0.0, min(1.0, float(value)))
                except ValueError:
                    quality = 0.0
        if quality > 0:
            specificity = 0 if media == "*/*" else 1 if media.endswith("/*") else 2
            entries.append((media, quality, specificity))
    return entries


def _quality(media: str, accepted: list[tuple[str, float, int]]) -> tuple[float, int]:
    """The q of the most specific Accept range that matches a concrete media type."""
    best: tuple[float, int] | None = None
    major = media.split("/", 1)[0]
    for pattern, quality, specificity in accepted:
        if pattern in (media, "*/*", f"{major}/*") and (best is None or specificity > best[1]):
            best = (quality, specificity)
    return best or (0.0, -1)


def from_accept(header: str | None, choices: Sequence[str], default: str) -> str:
    """The best of `choices` for an Accept header (ties go to the order of `choices`)."""
    if not header:
        return default
    accepted = parse_accept(header)
    candidates = [(media, fmt) for media, fmt in MEDIA_TYPE_FORMATS.items() if fmt in choices]
    best, best_key = default, (0.0, -1, 0)
    for media, fmt in candidates:
        quality, specificity = _quality(media, accepted)
        if quality <= 0:
            continue
        preference = 0 if fmt == default else -1 - choices.index(fmt)
        key = (quality, specificity, preference)
        if key > best_key:
            best, best_key = fmt, key
    return best


def from_name(name: str, choices: Sequence[str], kind: str) -> str:
    """A `?format=` value (short name or media type) checked against the choices of a kind."""
    wanted = name.strip().lower()
    fmt = MEDIA_TYPE_FORMATS.get(wanted.split(";", 1)[0].strip()) or FORMAT_ALIASES.get(wanted)
    if fmt and kind == "graph" and fmt in GRAPH_ALIASES:
        fmt = GRAPH_ALIASES[fmt]
    if fmt is None or fmt not in choices:
        raise InputError(
            f"format {name!r} is not available for this {kind} result (use one of: "
            f"{', '.join(choices)})"
        )
    return fmt


def choose(format_param: str | None, accept: str | None, kind: str) -> str:
    """The format for a result kind (`select`, `ask` or `graph`), `?format=` first."""
    choices = GRAPH_CHOICES if kind == "graph" else SELECT_CHOICES
    if format_param:
        return from_name(format_param, choices, kind)
    return from_accept(accept, choices, DEFAULTS[kind])
