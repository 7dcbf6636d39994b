"""What a remote server does with what TCap KG sends it, found by asking it (the capability probe).

Each finding is either handled by the store or an error that names the server setting to change:

- result-row cap (when a handle opens): an answer of `PROBE_ROWS` rows must arrive whole (Debian's
  Virtuoso cuts answers at 10000 rows): an error naming the setting;
- literal round-trip (when a store is first written): literals of the kinds TCap KG's data uses,
  stored in a scratch graph, must come back exactly. A datatype the server changes travels under a
  stand-in datatype from then on (Virtuoso: `geo:wktLiteral`); text that comes back changed, or a
  datatype that even a stand-in cannot save, is an error. The finding is kept in the store, so
  every handle, read-only ones too, maps the data it holds the same way;
- union default graph (checked once the store has data): the default graph must show the named
  graphs' triples, with Oxigraph's `union-default-graph` parameter if that is what it takes;
- dataset parameters (checked before the first query narrowed to some graphs): a query with
  `default-graph-uri` / `named-graph-uri` naming a graph that does not exist must see nothing
  (rdflib-endpoint ignores them and would answer from every graph).

Blank nodes need no probe: they are always skolemised (see `portable`).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence

import pyoxigraph as ox

from ...errors import StoreError
from ...namespaces import STAGING_PREFIX, XSD
from ...sparql_text import sparql_term
from ..base import QueryResult, Row, Solutions
from .portable import Portable
from .transport import ROW_CAP_HELP

log = logging.getLogger(__name__)

Ask = Callable[[str, Sequence[tuple[str, str]]], QueryResult]
"""Runs a query on the server with extra protocol parameters."""

PROBE_ROWS = 10_001
UNION_PARAMETER = ("union-default-graph", "true")
NOWHERE = "urn:tcap:probe:no-such-graph"
GEO_WKT = "http://www.opengis.net/ont/geosparql#wktLiteral"

PROBE_LITERALS = (
    ox.Literal("POINT(116.39723 39.9075)", datatype=ox.NamedNode(GEO_WKT)),
    ox.Literal('quote " backslash \\ newline \n tab \t control \u0001 emoji \U0001f3d9 end'),
    ox.Literal("北京市", language="zh-hans"),
    ox.Literal("39.9075", datatype=ox.NamedNode(XSD + "decimal")),
    ox.Literal("42", datatype=ox.NamedNode(XSD + "integer")),
    ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean")),
    ox.Literal("2016", datatype=ox.NamedNode(XSD + "gYear")),
    ox.Literal("2021-03-01", datatype=ox.NamedNode(XSD + "date")),
    ox.Literal("2021-03-01T10:00:00Z", datatype=ox.NamedNode(XSD + "dateTime")),
)
_TEXT = (XSD + "string", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString")

UNION_HELP = (
    "the default graph of the SPARQL server at {url} is not the union of its named graphs, which "
    "TCap KG's queries rely on. Configure the server so it is (Oxigraph: `--union-default-graph`; "
    "Fuseki: `tdb2:unionDefaultGraph true` on the dataset; GraphDB, Virtuoso and Neptune do so "
    "by default) or add the server's parameter for it to TCAP_STORE"
)


def row_cap(rows_in_answer: Callable[[str], int], url: str) -> None:
    """Refuse a server that cuts an answer of `PROBE_ROWS` rows short."""
    digits = " ".join(str(n) for n in range(10))
    blocks = " ".join(f"VALUES ?{name} {{ {digits} }}" for name in "abcd")
    received = rows_in_answer(f"SELECT ?a WHERE {{ {{ {blocks} }} UNION {{ BIND(0 AS ?a) }} }}")
    if received < PROBE_ROWS:
        raise StoreError(
            f"the store at {url} answered {received} rows where there are {PROBE_ROWS}: it cuts "
            f"answers short, so exports and large queries would be silently incomplete; "
            f"{ROW_CAP_HELP}"
        )


def standins(
    update: Callable[[str], None], select: Callable[[str], list[Row]], url: str
) -> frozenset[str]:
    """The datatypes that must travel under a stand-in: each probe literal is stored as it is
    and, if typed, under a stand-in too, in a scratch graph that is dropped afterwards. A datatype
    whose literal comes back changed but whose stand-in brings it back exactly needs one; changed
    text, or a stand-in that does not help, is an error. (Answers are read with stand-ins already
    turned back into their own datatypes.)"""
    typed = [literal for literal in PROBE_LITERALS if literal.datatype.value not in _TEXT]
    carried = Portable(frozenset(literal.datatype.value for literal in typed))
    sent = [*PROBE_LITERALS, *(carried.stored(literal) for literal in typed)]
    graph = f"urn:tcap:probe:{uuid.uuid4().hex}"
    triples = " ".join(
        f"<{graph}> <{graph}:{n}> {sparql_term(literal)} ." for n, literal in enumerate(sent)
    )
    update(f"INSERT DATA {{ GRAPH <{graph}> {{ {triples} }} }}")
    try:
        stored = select(f"SELECT ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    finally:
        update(f"DROP SILENT GRAPH <{graph}>")
    back = {
        int(row["p"].value.rsplit(":", 1)[1]): row["o"]
        for row in stored
        if isinstance(row["p"], ox.NamedNode)
    }
    needed: set[str] = set()
    for n, literal in enumerate(PROBE_LITERALS):
        if back.get(n) == literal:
            continue
        rescued = (
            literal in typed and back.get(len(PROBE_LITERALS) + typed.index(literal)) == literal
        )
        if not rescued:
            raise StoreError(
                f"the store at {url} changes literals: {literal} comes back as "
                f"{back.get(n, 'nothing')}; TCap KG cannot keep its data exact on this server"
            )
        needed.add(literal.datatype.value)
    if needed:
        log.info(
            "the store at %s changes %s literals: they are stored under a stand-in datatype",
            url,
            ", ".join(sorted(needed)),
        )
    return frozenset(needed)


def union_parameters(
    ask: Ask, url: str, own: tuple[tuple[str, str], ...]
) -> tuple[tuple[str, str], ...] | None:
    """The parameters that make the server's default graph the union of its named graphs: the
    configured ones, or those plus Oxigraph's `union-default-graph`; None while the store holds
    nothing to tell by."""
    found = list(
        _solutions(
            ask(
                "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } "
                f'FILTER(isIRI(?s) && isIRI(?o) && !STRSTARTS(STR(?g), "{STAGING_PREFIX}")) }} LIMIT 1',
                own,
            )
        )
    )
    if not found:
        return None
    portable = Portable()
    triple = " ".join(
        sparql_term(portable.stored(term)) for term in (found[0]["s"], found[0]["p"], found[0]["o"])
    )
    for candidate in (own, (*own, UNION_PARAMETER)):
        if ask(f"ASK {{ {triple} }}", candidate) is True:
            if candidate is not own:
                log.info("using the union-default-graph parameter of %s", url)
            return candidate
    raise StoreError(UNION_HELP.format(url=url))


def datasets_honoured(ask: Ask, url: str, own: tuple[tuple[str, str], ...]) -> bool | None:
    """Whether the server honours `default-graph-uri` / `named-graph-uri` (None: it holds nothing
    to tell by). A server that ignores them is an error: narrowed queries would see everything."""
    everything = "ASK { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
    if ask(everything, own) is not True:
        return None
    narrowed = (*own, ("default-graph-uri", NOWHERE), ("named-graph-uri", NOWHERE))
    if ask(everything, narrowed) is True:
        raise StoreError(
            f"the store at {url} ignores the SPARQL protocol's default-graph-uri and "
            "named-graph-uri parameters, so a query narrowed to some graphs (tcap query "
            "--default-graph, tcap link) would see every graph; use a server that honours them "
            "(rdflib-endpoint does not)"
        )
    return True


def _solutions(result: QueryResult) -> list[Row]:
    if not isinstance(result, Solutions):
        raise StoreError("internal: the probe expected SELECT results")
    return list(result)
