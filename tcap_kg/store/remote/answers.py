"""A server's answers read into the store's result types, with its terms turned back into ours.

SELECT and ASK answers are asked for as SPARQL JSON (Virtuoso's XML writes control characters as
`&#1;`, which XML forbids and parsers drop); graph answers as N-Triples (Virtuoso's Turtle writer
gives doubles without an exponent, which reads back as decimals). Both are parsed as they stream in.

A JSON answer passes through a filter before the parser sees it, because a parser cannot read what
some servers send and result rows cannot be rebuilt afterwards: blank node labels that are not
valid labels are rewritten, genid IRIs become blank nodes again and stand-in datatypes their own.
The filter only touches term objects of those kinds; JSON strings cannot contain an unescaped
quote, so its patterns cannot match inside a literal's value.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pyoxigraph as ox

from ...errors import InputError, StoreError
from ...rdfio import format_from_media_type
from ..base import HeldIterator, QueryResult, Row, Solutions, Triples
from .portable import GENID, STANDIN, Portable, blank_label, own_datatype
from .transport import CHUNK, ResponseReader

ACCEPT_RESULTS = "application/sparql-results+json, application/json;q=0.9"
ACCEPT_GRAPH = "application/n-triples, text/turtle;q=0.5, application/rdf+xml;q=0.3"
_JSON_TYPES = {"application/sparql-results+json", "application/json"}


def _escaped_prefix(iri: str) -> bytes:
    r"""A regex for an IRI prefix as it may be written in a JSON string (`/` or `\/`)."""
    return b"(?:/|\\\\/)".join(re.escape(part.encode()) for part in iri.split("/"))


_STR = rb'(?:[^"\\]|\\.)*'
_TERMS = re.compile(
    rb'"type"\s*:\s*"bnode"\s*,\s*"value"\s*:\s*"(?P<b1>' + _STR + rb')"'
    rb'|"value"\s*:\s*"(?P<b2>' + _STR + rb')"\s*,\s*"type"\s*:\s*"bnode"'
    rb'|"type"\s*:\s*"uri"\s*,\s*"value"\s*:\s*"(?P<g1>' + _escaped_prefix(GENID) + _STR + rb')"'
    rb'|"value"\s*:\s*"(?P<g2>' + _escaped_prefix(GENID) + _STR + rb')"\s*,\s*"type"\s*:\s*"uri"'
    rb'|"datatype"\s*:\s*"(?P<d>' + _escaped_prefix(STANDIN) + _STR + rb')"'
)


def _json_string(raw: bytes) -> str:
    value: str = json.loads(b'"' + raw + b'"')
    return value


def _term_object(kind: str, value: str) -> bytes:
    return f'"type": "{kind}", "value": {json.dumps(value)}'.encode()


def _rewrite(match: re.Match[bytes]) -> bytes:
    """One term of a JSON answer as TCap KG's own term."""
    groups = match.groupdict()
    if (raw := groups["b1"] if groups["b1"] is not None else groups["b2"]) is not None:
        label = _json_string(raw)
        fixed = blank_label(label)
        return match.group() if fixed == label else _term_object("bnode", fixed)
    if (raw := groups["g1"] if groups["g1"] is not None else groups["g2"]) is not None:
        node = Portable.given(ox.NamedNode(_json_string(raw)))
        return (
            _term_object("bnode", node.value) if isinstance(node, ox.BlankNode) else match.group()
        )
    datatype = own_datatype(_json_string(groups["d"]))
    return f'"datatype": {json.dumps(datatype)}'.encode()


class JsonTerms(io.RawIOBase):
    """A JSON answer stream with `_rewrite` applied to its term objects.

    Text is passed on up to the last `{` read so far: every term object starts with one, so no
    term object is split between two passes.
    """

    def __init__(self, raw: io.RawIOBase) -> None:
        self._raw = raw
        self._held = b""
        self._ready = b""
        self._done = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._ready and not self._done:
            chunk = self._raw.read(CHUNK)
            if not chunk:
                self._done = True
                text, self._held = self._held, b""
            else:
                text = self._held + chunk
                cut = text.rfind(b"{")
                cut = cut if cut > 0 else len(text) if len(text) > 64 * CHUNK else 0
                text, self._held = text[:cut], text[cut:]
            self._ready = _TERMS.sub(_rewrite, text)
        size = min(len(buffer), len(self._ready))
        buffer[:size] = self._ready[:size]
        self._ready = self._ready[size:]
        return size


def read_answer(response: httpx.Response, url: str, graph: bool) -> QueryResult:
    """A streamed answer as solutions, a boolean or triples (the response is closed when the
    results are exhausted or dropped)."""
    media_type = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    raw = ResponseReader(response)
    try:
        if graph:
            parsed = ox.parse(io.BufferedReader(raw, CHUNK), format_from_media_type(media_type))
            return Triples(
                HeldIterator((Portable.given_triple(quad.triple) for quad in parsed), raw.finish)
            )
        if media_type not in _JSON_TYPES:
            raise StoreError(
                f"{url} answered with {media_type or 'no content type'}, not SPARQL JSON results"
            )
        results = ox.parse_query_results(
            io.BufferedReader(JsonTerms(raw), CHUNK), ox.QueryResultsFormat.JSON
        )
    except (SyntaxError, ValueError, OSError, InputError) as exc:
        response.close()
        raise StoreError(f"unreadable answer from {url}: {exc}") from exc
    except StoreError:
        response.close()
        raise
    if isinstance(results, ox.QueryBoolean):
        raw.finish()
        return bool(results)
    names = [variable.value for variable in results.variables]
    return Solutions(names, HeldIterator(results, raw.finish))


def rows(result: QueryResult) -> Iterator[Row]:
    """The rows of a SELECT answer (an internal query that must be one)."""
    if not isinstance(result, Solutions):
        raise StoreError("internal: expected SELECT results")
    return iter(result)


Reader = Callable[[httpx.Response, str, bool], QueryResult]
