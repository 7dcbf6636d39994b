"""Terms as a remote server can hold them, and back: blank nodes and literals the server would change.

Blank nodes are skolemised on the way in: each becomes a well-known genid IRI made from its label
(`<https://w3id.org/tcap-kg/.well-known/genid/LABEL>`), so `INSERT DATA` never carries one
(Virtuoso refuses them there) and a node keeps its identity across requests. On the way out every
genid IRI becomes the blank node it was, so the same graph comes back from every backend; blank
nodes the server made itself come back under labels that are valid anywhere (Virtuoso names them
`nodeID://b10257`, which no RDF parser accepts).

Literals whose datatype a server changes (Virtuoso turns `geo:wktLiteral` into its own geometry
type, with float noise in the coordinates) travel under a stand-in datatype that keeps the
lexical form, and come back under their own. Which datatypes need one is found by the probe.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TypeAlias, cast

import pyoxigraph as ox

from ...namespaces import BASE
from ...sparql_text import Term, sparql_term

GENID = BASE + ".well-known/genid/"
STANDIN = BASE + ".well-known/datatype/"
_PLAIN = re.compile(r"[A-Za-z0-9]+")
_Node: TypeAlias = ox.NamedNode | ox.BlankNode | ox.Triple


def blank_label(label: str) -> str:
    """A label valid in every RDF syntax for a blank node the server named: unchanged when it
    already is one, else each character outside [A-Za-z0-9] written as `_` and its UTF-8 hex."""
    try:
        ox.BlankNode(label)
    except ValueError:
        return "".join(
            part if _PLAIN.fullmatch(part) else "".join(f"_{byte:02x}" for byte in part.encode())
            for part in re.split(r"([A-Za-z0-9]+)", label)
        )
    return label


def released(iri: str) -> ox.NamedNode | ox.BlankNode:
    """A genid IRI as its blank node; any other IRI (or a genid one no label can come from)
    as itself."""
    if iri.startswith(GENID):
        try:
            return ox.BlankNode(iri[len(GENID) :])
        except ValueError:
            pass
    return ox.NamedNode(iri)


def own_datatype(iri: str) -> str:
    """The datatype a stand-in datatype IRI stands for (other IRIs as they are)."""
    return iri[len(STANDIN) :] if iri.startswith(STANDIN) else iri


@dataclass(frozen=True)
class Portable:
    """The mapping between TCap KG's terms and one server's terms."""

    standins: frozenset[str] = frozenset()
    """Datatypes the server changes, carried under a stand-in datatype."""

    def stored(self, term: Term) -> Term:
        """A term as it is sent to the server."""
        if isinstance(term, ox.BlankNode):
            return ox.NamedNode(GENID + term.value)
        if isinstance(term, ox.Literal) and term.datatype.value in self.standins:
            return ox.Literal(term.value, datatype=ox.NamedNode(STANDIN + term.datatype.value))
        if isinstance(term, ox.Triple):
            subject = cast(_Node, self.stored(term.subject))
            return ox.Triple(subject, term.predicate, self.stored(term.object))
        return term

    def ntriples(self, text: bytes) -> bytes:
        """N-Triples text (without blank nodes) with literals of stand-in datatypes retyped.

        In N-Triples a quote followed by `^^<` ends a literal unless an odd number of backslashes
        escapes it, so the pattern cannot match inside a literal's value.
        """
        for datatype in self.standins:
            typed = re.compile(rb'(?<!\\)((?:\\\\)*)"\^\^<' + re.escape(datatype.encode()) + rb">")
            text = typed.sub(rb'\1"^^<' + (STANDIN + datatype).encode() + rb">", text)
        return text

    def line(self, quad: ox.Quad) -> str:
        """A quad's triple as an N-Triples line, as the server will hold it."""
        return (
            f"{sparql_term(self.stored(quad.subject))} {sparql_term(quad.predicate)} "
            f"{sparql_term(self.stored(quad.object))} .\n"
        )

    @staticmethod
    def given(term: Term) -> Term:
        """A term the server gave, as TCap KG's own."""
        if isinstance(term, ox.NamedNode):
            return released(term.value)
        if isinstance(term, ox.Literal) and term.datatype.value.startswith(STANDIN):
            return ox.Literal(term.value, datatype=ox.NamedNode(own_datatype(term.datatype.value)))
        if isinstance(term, ox.Triple):
            return Portable.given_triple(term)
        return term

    @staticmethod
    def given_triple(triple: ox.Triple) -> ox.Triple:
        subject = cast(_Node, Portable.given(triple.subject))
        return ox.Triple(subject, triple.predicate, Portable.given(triple.object))
