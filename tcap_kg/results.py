"""Writing query results in the standard SPARQL result formats and as RDF, with a row cap.

The endpoint and the CLI share these writers, so a result looks the same however it is asked for.
Rows are counted while written: a cut result says so (the caller announces it), instead of a
client silently receiving a partial answer.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TypeVar
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from . import formats
from .errors import InputError
from .namespaces import PREFIXES, XSD
from .store import QueryResult, Solutions, Triples
from .store.base import Row

SELECT_FORMATS = ("json", "xml", "csv", "tsv", "table")
GRAPH_FORMATS = tuple(fmt.name for fmt in formats.rdf_formats(formats.GRAPH))


_XSD_STRING = XSD + "string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

AnyTerm = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
T = TypeVar("T")


@dataclass(frozen=True)
class Rendered:
    """A serialised result and whether rows were cut at the cap."""

    body: bytes
    media_type: str
    rows: int
    truncated: bool


def result_kind(result: QueryResult) -> str:
    """`select`, `ask` or `graph`: which family of formats applies."""
    if isinstance(result, bool):
        return "ask"
    if isinstance(result, Solutions):
        return "select"
    return "graph"


def render(result: QueryResult, fmt: str, *, max_rows: int | None = None) -> Rendered:
    """Serialise any query result in `fmt`, refusing formats that do not fit the result kind."""
    kind = result_kind(result)
    if kind == "graph":
        if fmt not in GRAPH_FORMATS:
            raise InputError(
                f"a CONSTRUCT/DESCRIBE result cannot be written as {fmt!r} (use one of {', '.join(GRAPH_FORMATS)})"
            )
        assert isinstance(result, Triples)
        return _render_graph(result, fmt, max_rows)
    if fmt not in SELECT_FORMATS:
        raise InputError(
            f"a SELECT/ASK result cannot be written as {fmt!r} (use one of {', '.join(SELECT_FORMATS)})"
        )
    if isinstance(result, bool):
        return Rendered(_render_boolean(result, fmt), formats.get(fmt).media_type, 1, False)
    assert isinstance(result, Solutions)
    rows, truncated = take(result, max_rows)
    writer = {"json": _json, "xml": _xml, "csv": _csv, "tsv": _tsv, "table": _table}[fmt]
    body = (
        _json(result.variables, rows, truncated)
        if fmt == "json"
        else writer(result.variables, rows)
    )
    return Rendered(body, formats.get(fmt).media_type, len(rows), truncated)


def take(results: Iterable[T], max_rows: int | None) -> tuple[list[T], bool]:
    """Up to `max_rows` rows (solutions or triples), and whether more were available; a cut
    stream is closed at once, so the store's read lock or HTTP answer is not held until GC."""
    rows: list[T] = []
    iterator: Iterator[T] = iter(results)
    for row in iterator:
        if max_rows is not None and len(rows) >= max_rows:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()
            return rows, True
        rows.append(row)
    return rows, False


def _render_graph(result: Triples, fmt: str, max_rows: int | None) -> Rendered:
    triples, truncated = take(result, max_rows)
    buffer = io.BytesIO()
    rdf_format = formats.get(fmt).rdf
    assert rdf_format is not None
    prefixes = PREFIXES if fmt in ("turtle", "trig", "rdfxml") else None
    ox.serialize(triples, buffer, rdf_format, prefixes=prefixes)
    return Rendered(buffer.getvalue(), formats.get(fmt).media_type, len(triples), truncated)


def _render_boolean(value: bool, fmt: str) -> bytes:
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": value}).encode()
    if fmt == "xml":
        return (
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head/><boolean>{'true' if value else 'false'}</boolean></sparql>\n"
        ).encode()
    return ("true\n" if value else "false\n").encode()


def term_json(term: AnyTerm) -> dict[str, object]:
    """A term in the SPARQL 1.1 JSON results encoding."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, object] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != _XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {
        "type": "triple",
        "value": {
            "subject": term_json(term.subject),
            "predicate": term_json(term.predicate),
            "object": term_json(term.object),
        },
    }


def _json(variables: list[str], rows: list[Row], truncated: bool = False) -> bytes:
    """SPARQL JSON results; a cut result also says so in a top-level `truncated` member."""
    bindings = []
    for row in rows:
        binding = {}
        for name in variables:
            value = row[name]
            if value is not None:
                binding[name] = term_json(value)
        bindings.append(binding)
    document: dict[str, object] = {"head": {"vars": variables}, "results": {"bindings": bindings}}
    if truncated:
        document["truncated"] = True
    return json.dumps(document, ensure_ascii=False).encode()


def _xml_term(term: AnyTerm) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != _XSD_STRING:
            return (
                f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
            )
        return f"<literal>{escape(term.value)}</literal>"
    return (
        f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}"
        f"</predicate><object>{_xml_term(term.object)}</object></triple>"
    )


def _xml(variables: list[str], rows: list[Row]) -> bytes:
    parts = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
    parts += [f"<variable name={quoteattr(name)}/>" for name in variables]
    parts.append("</head><results>")
    for row in rows:
        parts.append("<result>")
        for name in variables:
            value = row[name]
            if value is not None:
                parts.append(f"<binding name={quoteattr(name)}>{_xml_term(value)}</binding>")
        parts.append("</result>")
    parts.append("</results></sparql>\n")
    return "".join(parts).encode()


def csv_value(term: AnyTerm | None) -> str:
    """A term as the SPARQL 1.1 CSV format writes it (lexical form only)."""
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    return str(term)


def _csv(variables: list[str], rows: list[Row]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(variables)
    for row in rows:
        writer.writerow([csv_value(row[name]) for name in variables])
    return buffer.getvalue().encode()


_TSV_BARE = {
    XSD + "integer": re.compile(r"^[+-]?\d+$"),
    XSD + "decimal": re.compile(r"^[+-]?\d*\.\d+$"),
    XSD + "double": re.compile(r"^[+-]?(\d+\.\d*|\.?\d+)[eE][+-]?\d+$"),
    XSD + "boolean": re.compile(r"^(true|false)$"),
}


def tsv_value(term: AnyTerm | None) -> str:
    """A term as SPARQL 1.1 TSV writes it: Turtle syntax, numbers and booleans bare."""
    if term is None:
        return ""
    if isinstance(term, ox.Literal) and not term.language:
        bare = _TSV_BARE.get(term.datatype.value)
        if bare is not None and bare.match(term.value):
            return term.value
    return str(term)


def _tsv(variables: list[str], rows: list[Row]) -> bytes:
    lines = ["\t".join(f"?{name}" for name in variables)]
    for row in rows:
        lines.append("\t".join(tsv_value(row[name]) for name in variables))
    return ("\n".join(lines) + "\n").encode()


def short(term: AnyTerm | None) -> str:
    """A term for people: prefixed name where a known prefix fits, else its value."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        for prefix, namespace in PREFIXES.items():
            if term.value.startswith(namespace) and len(term.value) > len(namespace):
                return f"{prefix}:{term.value[len(namespace) :]}"
        return term.value
    if isinstance(term, ox.Literal):
        return f"{term.value}@{term.language}" if term.language else term.value
    return str(term)


def _table(variables: list[str], rows: list[Row]) -> bytes:
    cells = [[short(row[name]) for name in variables] for row in rows]
    widths = [
        min(60, max([len(name)] + [len(line[i]) for line in cells]))
        for i, name in enumerate(variables)
    ]

    def fit(text: str, width: int) -> str:
        text = text.replace("\n", " ")
        return text if len(text) <= width else text[: width - 1] + "…"

    out = [" | ".join(name.ljust(w) for name, w in zip(variables, widths, strict=True))]
    out.append("-+-".join("-" * w for w in widths))
    out += [
        " | ".join(fit(cell, w).ljust(w) for cell, w in zip(line, widths, strict=True))
        for line in cells
    ]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return ("\n".join(out) + "\n").encode()
