"""The documentation of the TCap KG ontology, read from the ontology files.

The app serves it at the ontology IRI (`/ontology.html`, `templates/ontology.html`), so it is read
from the shipped Turtle at run time (and cached per file state) rather than committed:
documentation and ontology cannot drift. Every term of our namespace gets a section whose anchor is
its local name, so `https://w3id.org/tcap-kg/ontology#C1` (and every link the pages make to a term)
lands on it: classes, properties, concept schemes, the concepts of every scheme (components C1-C10,
evidence types, verification statuses, topics, reading bases...) and the component groups. Labels
and definitions are kept in every language the files give, so the page speaks the reader's
language where a translation exists and says which language it falls back to where none does.

Terms of other vocabularies (`prov:Entity`, ...) are declared in the ontology for OWL 2 DL, not
defined by it, so they get no section of their own; they appear as links where our terms use them.
Reading needs no network (rdflib's Turtle parser fetches nothing).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

ONTOLOGY_IRI = "https://w3id.org/tcap-kg/ontology"
TCAP = ONTOLOGY_IRI + "#"
_VERIFICATION_STATUS = URIRef(TCAP + "verificationStatus")
_NOTATION_NUMBER = re.compile(r"(\d+)")

Texts = dict[str, str]
"""Language tag (lower case, "" for none) -> text."""

# Kinds of terms, in the order the page lists them: (kind, rdf:type that makes a term that kind).
KINDS: tuple[tuple[str, URIRef], ...] = (
    ("class", OWL.Class),
    ("object-property", OWL.ObjectProperty),
    ("datatype-property", OWL.DatatypeProperty),
    ("annotation-property", OWL.AnnotationProperty),
    ("scheme", SKOS.ConceptScheme),
    ("collection", SKOS.Collection),
    ("concept", SKOS.Concept),
)

# Relations a term section lists, by the key the template translates: (key, predicate, inverse).
RELATIONS: tuple[tuple[str, URIRef, bool], ...] = (
    ("subclass-of", RDFS.subClassOf, False),
    ("superclass-of", RDFS.subClassOf, True),
    ("subproperty-of", RDFS.subPropertyOf, False),
    ("domain", RDFS.domain, False),
    ("range", RDFS.range, False),
    ("inverse-of", OWL.inverseOf, False),
    ("in-scheme", SKOS.inScheme, False),
    ("members", SKOS.member, False),
    ("member-of", SKOS.member, True),
    ("broader", SKOS.broader, False),
    ("source", DCTERMS.source, False),
    ("status", _VERIFICATION_STATUS, False),
)


@dataclass
class Ref:
    """A term a section points at: ours (an anchor on this page) or another vocabulary's."""

    iri: str
    union: list[Ref] = field(default_factory=list)

    @property
    def local(self) -> str | None:
        return self.iri[len(TCAP) :] if self.iri.startswith(TCAP) else None


@dataclass
class Term:
    """One documented term."""

    iri: str
    kind: str
    labels: Texts = field(default_factory=dict)
    definitions: Texts = field(default_factory=dict)
    notes: list[Texts] = field(default_factory=list)
    notation: str = ""
    relations: list[tuple[str, list[Ref]]] = field(default_factory=list)

    @property
    def local(self) -> str:
        return self.iri[len(TCAP) :]

    @property
    def order(self) -> tuple[int, str]:
        match = _NOTATION_NUMBER.search(self.notation)
        return (int(match.group(1)) if match else -1, self.labels.get("en", self.local).lower())


@dataclass
class Scheme:
    """A concept scheme with its concepts (and collections, for the components' groups)."""

    term: Term
    concepts: list[Term] = field(default_factory=list)
    collections: list[Term] = field(default_factory=list)


@dataclass
class OntologyDoc:
    """What the ontology page shows."""

    iri: str
    titles: Texts
    descriptions: Texts
    notes: list[Texts]
    header: list[tuple[str, list[str]]]
    sections: list[tuple[str, list[Term]]]
    schemes: list[Scheme]
    terms: dict[str, Term]
    """Every documented term by IRI (to label the references between them)."""


def ontology_documentation(path: Path) -> OntologyDoc:
    """The documentation of a Turtle file or a folder of them (cached until a file changes).

    A folder is read whole (``*.ttl``) because the ontology is split over several files that
    share one ontology IRI.
    """
    files = sorted(path.glob("*.ttl")) if path.is_dir() else [path]
    state = tuple((str(f.resolve()), f.stat().st_mtime_ns, f.stat().st_size) for f in files)
    return _document(state)


@lru_cache(maxsize=4)
def _document(state: tuple[tuple[str, int, int], ...]) -> OntologyDoc:
    graph = Graph()
    for file_name, _, _ in state:
        graph.parse(file_name, format="turtle")
    return documentation(graph)


def _texts(graph: Graph, subject: URIRef, *predicates: URIRef) -> Texts:
    found: Texts = {}
    for predicate in predicates:
        for value in graph.objects(subject, predicate):
            if isinstance(value, Literal):
                found.setdefault((value.language or "").lower(), str(value))
    return found


def _ref(graph: Graph, node: object) -> Ref | None:
    if isinstance(node, URIRef):
        return Ref(str(node))
    if isinstance(node, BNode):
        for list_node in graph.objects(node, OWL.unionOf):
            members = [_ref(graph, item) for item in Collection(graph, list_node)]
            return Ref("", union=[m for m in members if m is not None])
    return None


def _kind(graph: Graph, subject: URIRef) -> str | None:
    types = set(graph.objects(subject, RDF.type))
    return next((kind for kind, rdf_type in KINDS if rdf_type in types), None)


def _term(graph: Graph, subject: URIRef, kind: str) -> Term:
    term = Term(
        str(subject),
        kind,
        labels=_texts(graph, subject, SKOS.prefLabel, RDFS.label),
        definitions=_texts(graph, subject, SKOS.definition, RDFS.comment),
        notation=str(next(graph.objects(subject, SKOS.notation), "")),
    )
    for predicate in (SKOS.scopeNote, SKOS.editorialNote, SKOS.note, SKOS.example):
        term.notes += [
            {(v.language or "").lower(): str(v)}
            for v in graph.objects(subject, predicate)
            if isinstance(v, Literal)
        ]
    for key, predicate, inverse in RELATIONS:
        nodes = graph.subjects(predicate, subject) if inverse else graph.objects(subject, predicate)
        refs = [r for r in (_ref(graph, n) for n in nodes) if r is not None]
        if refs:
            term.relations.append((key, sorted(refs, key=lambda r: r.iri)))
    return term


def documentation(graph: Graph) -> OntologyDoc:
    """Build the documentation of every term of our namespace the graph defines."""
    ontology = URIRef(ONTOLOGY_IRI)
    terms: dict[str, Term] = {}
    for subject in set(graph.subjects()):
        if not (isinstance(subject, URIRef) and str(subject).startswith(TCAP)):
            continue
        kind = _kind(graph, subject)
        if kind is not None:
            terms[str(subject)] = _term(graph, subject, kind)
    sections = [
        (kind, sorted((t for t in terms.values() if t.kind == kind), key=lambda t: t.local.lower()))
        for kind, _ in KINDS[:4]
    ]
    schemes = []
    for scheme_term in sorted(
        (t for t in terms.values() if t.kind == "scheme"), key=lambda t: t.local
    ):
        scheme = URIRef(scheme_term.iri)
        members = {str(c) for c in graph.subjects(SKOS.inScheme, scheme)}
        concepts = sorted((terms[m] for m in members if m in terms), key=lambda t: t.order)
        collections = sorted(
            (
                t
                for t in terms.values()
                if t.kind == "collection"
                and any(str(m) in members for m in graph.objects(URIRef(t.iri), SKOS.member))
            ),
            key=lambda t: t.local,
        )
        schemes.append(Scheme(scheme_term, concepts, collections))
    schemes.sort(key=lambda s: (s.term.local != "ComponentScheme", s.term.local))
    header = [
        (key, sorted(str(v) for v in graph.objects(ontology, predicate)))
        for key, predicate in (
            ("version", OWL.versionInfo),
            ("version-iri", OWL.versionIRI),
            ("licence", DCTERMS.license),
            ("creator", DCTERMS.creator),
            ("modified", DCTERMS.modified),
            ("citation", DCTERMS.bibliographicCitation),
            ("sources", DCTERMS.source),
        )
    ]
    return OntologyDoc(
        ONTOLOGY_IRI,
        titles=_texts(graph, ontology, DCTERMS.title, RDFS.label),
        descriptions=_texts(graph, ontology, DCTERMS.description),
        notes=[
            {(v.language or "").lower(): str(v)}
            for v in graph.objects(ontology, SKOS.editorialNote)
            if isinstance(v, Literal)
        ],
        header=[(key, values) for key, values in header if values],
        sections=sections,
        schemes=schemes,
        terms=terms,
    )
