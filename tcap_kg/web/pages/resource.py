"""What the page of one resource (`/doc/<path>`) shows: its statements as labelled facts, the
things that refer to it, and, for a source, every claim it supports; for a claim, its card.

Each fact is grouped under its property (named by its label where the ontology gives one, in the
reader's language), each value under its label; blank nodes (an author list, a date range) are
shown inside the fact that points at them, so nothing is listed twice. Reads go through
`facts.select`, so they see the shipped and validated graphs only (see `provenance`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from ...namespaces import PREFIXES
from ...store import Term
from ...store.base import Queryable
from . import facts
from .facts import Claim, Node, add_text, select, sparql, value

RDF_TYPE = PREFIXES["rdf"] + "type"
FOAF = "http://xmlns.com/foaf/0.1/"
NAME_PREDICATES = {
    PREFIXES["rdfs"] + "label",
    PREFIXES["skos"] + "prefLabel",
    PREFIXES["dcterms"] + "title",
}
# Properties whose values say where a source can be read (DOIs become doi.org links).
READ_AT = {
    PREFIXES["bibo"] + "uri": "",
    FOAF + "page": "",
    PREFIXES["rdfs"] + "seeAlso": "",
    PREFIXES["bibo"] + "doi": "https://doi.org/",
    PREFIXES["schema"] + "url": "",
}
# Facts listed first, in this order; the rest follow by property name.
FIRST = [
    PREFIXES["dcterms"] + name
    for name in ("title", "creator", "issued", "publisher", "isPartOf", "source")
]
REFERRERS_SHOWN = 200


@dataclass
class Value:
    """A value of a fact: a labelled IRI, a literal, or a blank node with its own facts."""

    iri: str | None = None
    node: Node | None = None
    text: str = ""
    lang: str = ""
    datatype: str = ""
    details: list[Fact] = field(default_factory=list)


@dataclass
class Fact:
    prop: Node
    values: list[Value] = field(default_factory=list)


@dataclass
class Resource(Node):
    types: list[Node] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    read_at: list[str] = field(default_factory=list)
    referrers: list[tuple[Node, list[Node]]] = field(default_factory=list)
    more_referrers: bool = False


_OUT = sparql("""
SELECT ?r ?p ?o ?q ?x WHERE {
  ?r ?p ?o .
  OPTIONAL { FILTER(isBlank(?o)) ?o ?q ?x }
}""")

_IN = sparql(f"""
SELECT ?r ?s ?p WHERE {{ ?s ?p ?r . FILTER(isIRI(?s)) }} LIMIT {REFERRERS_SHOWN + 1}""")

# The neighbours are found in a subquery first: joined in one pattern, Oxigraph read every label
# of the graph and took a quarter of a second per page; this way it takes a few milliseconds.
_LABELS = sparql("""
SELECT DISTINCT ?r ?n ?label WHERE {
  { SELECT DISTINCT ?r ?n WHERE {
    { ?r ?n ?o } UNION { ?r ?p ?n } UNION { ?r ?p ?b . ?b ?n ?x } UNION { ?r ?p ?b . ?b ?q ?n }
    UNION { ?n ?p ?r } UNION { ?s ?n ?r }
    FILTER(isIRI(?n))
  } }
  ?n rdfs:label|skos:prefLabel|dcterms:title ?label .
}""")


def _value(term: Term | None, labels: dict[str, Node]) -> Value | None:
    if isinstance(term, ox.NamedNode):
        return Value(iri=term.value, node=labels.get(term.value) or Node(term.value))
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value if term.datatype else ""
        return Value(text=term.value, lang=term.language or "", datatype=datatype)
    return None


def _fact(facts_by_prop: dict[str, Fact], prop: str, labels: dict[str, Node]) -> Fact:
    return facts_by_prop.setdefault(prop, Fact(labels.get(prop) or Node(prop)))


def describe(store: Queryable, iri: str) -> Resource | None:
    """The resource's page content, or None if the graph says nothing about it."""
    bound = ox.NamedNode(iri)
    labels: dict[str, Node] = {}
    for row in select(store, _LABELS, r=bound):
        node = value(row["n"])
        if node is not None:
            add_text(labels.setdefault(node, Node(node)).labels, row["label"])
    rows = select(store, _OUT, r=bound)
    incoming = select(store, _IN, r=bound)
    if not rows and not incoming:
        return None
    found = Resource(iri)
    found.facts = sorted(
        _collect_facts(found, rows, labels),
        key=lambda f: (
            FIRST.index(f.prop.iri) if f.prop.iri in FIRST else len(FIRST),
            f.prop.name("en").casefold(),
        ),
    )
    referrers: dict[str, tuple[Node, list[Node]]] = {}
    for row in incoming[:REFERRERS_SHOWN]:
        subject, prop = value(row["s"]), value(row["p"])
        if subject is None or prop is None:
            continue
        entry = referrers.setdefault(subject, (labels.get(subject) or Node(subject), []))
        if all(p.iri != prop for p in entry[1]):
            entry[1].append(labels.get(prop) or Node(prop))
    found.referrers = list(referrers.values())
    found.more_referrers = len(incoming) > REFERRERS_SHOWN
    return found


def _note_name_and_link(found: Resource, prop: str, obj: Term) -> None:
    """Names and where-to-read links are also shown apart from the facts."""
    if prop in NAME_PREDICATES:
        add_text(found.labels, obj)
    if prop in READ_AT and isinstance(obj, ox.Literal | ox.NamedNode):
        url = READ_AT[prop] + obj.value
        if url.startswith(("http://", "https://")) and url not in found.read_at:
            found.read_at.append(url)


def _collect_facts(
    found: Resource, rows: list[dict[str, Term | None]], labels: dict[str, Node]
) -> list[Fact]:
    by_prop: dict[str, Fact] = {}
    blanks: dict[str, Value] = {}
    blank_facts: dict[str, dict[str, Fact]] = {}
    for row in rows:
        prop, obj = value(row["p"]), row["o"]
        if prop is None or obj is None:
            continue
        if prop == RDF_TYPE and isinstance(obj, ox.NamedNode):
            if all(t.iri != obj.value for t in found.types):
                found.types.append(labels.get(obj.value) or Node(obj.value))
            continue
        _note_name_and_link(found, prop, obj)
        fact = _fact(by_prop, prop, labels)
        if isinstance(obj, ox.BlankNode):
            blank = blanks.get(obj.value)
            if blank is None:
                blank = blanks[obj.value] = Value()
                fact.values.append(blank)
            detail_prop, detail = value(row["q"]), _value(row["x"], labels)
            if detail_prop is not None and detail is not None:
                inner = _fact(blank_facts.setdefault(obj.value, {}), detail_prop, labels)
                if detail not in inner.values:
                    inner.values.append(detail)
            continue
        shown = _value(obj, labels)
        if shown is not None and shown not in fact.values:
            fact.values.append(shown)
    for blank_id, blank in blanks.items():
        blank.details = list(blank_facts.get(blank_id, {}).values())
    return list(by_prop.values())


ABOUT_SOURCE = """
  ?claim a tcap:Claim ; dcterms:source ?source . BIND("city" AS ?via)
"""
ONE_CLAIM = """
  ?claim a tcap:Claim . BIND("city" AS ?via)
"""


def claims_from_source(store: Queryable, iri: str) -> tuple[list[Claim], dict[str, Node]]:
    """Every claim that names the resource as its source."""
    return facts.claims(store, ABOUT_SOURCE, source=ox.NamedNode(iri))


def claim(store: Queryable, iri: str) -> tuple[list[Claim], dict[str, Node]]:
    """The resource as a claim (an empty list if it is not one)."""
    return facts.claims(store, ONE_CLAIM, claim=ox.NamedNode(iri))
