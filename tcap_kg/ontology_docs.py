"""HTML documentation of the TCap KG ontology, generated from the ontology files with pyLODE.

The app serves this page at the ontology IRI, so it is generated from the shipped Turtle at run
time (and cached per file state) rather than committed: documentation and ontology cannot drift.

pyLODE's OntPub profile documents classes and properties only, titles every term with all its
labels run together, ignores editorial notes and skips SKOS concepts. The graph handed to it is
therefore a documentation view of the ontology, never written back:

* only terms in our own namespace are documented (the declarations of reused terms such as
  ``prov:Entity`` exist for OWL 2 DL, not as part of our vocabulary);
* titles use the English labels; Chinese labels, editorial notes (which carry the "from memory,
  verify" warnings) and verification statuses become notes that pyLODE shows;
* the members of each concept class (the components C1-C10 and the controlled vocabularies) are
  listed, with notation and definition, as notes on their class, and the concept schemes as notes
  on the ontology (pyLODE would otherwise merge every scheme's title and metadata into the
  ontology's own, because it treats a concept scheme like an ontology header);
* HTML anchors are the terms' local names, so ``https://w3id.org/tcap-kg/ontology#City`` lands on
  the City section of the page.

pyLODE reads only its bundled background ontologies and the graph given to it: no network access
(a test runs it with sockets disabled). Releases 3.4.x read a ``pyproject.toml`` at import time
that their wheels do not contain, so pyLODE 3.3 is required.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

log = logging.getLogger(__name__)

ONTOLOGY_IRI = "https://w3id.org/tcap-kg/ontology"
TCAP = ONTOLOGY_IRI + "#"
_VERIFICATION_STATUS = URIRef(TCAP + "verificationStatus")
_DOC_LANGUAGE = "en"


def render_ontology_html(path: Path) -> str:
    """Return the ontology's HTML documentation for a Turtle file or a folder of them.

    A folder is read whole (``*.ttl``) because the ontology is split over several files that
    share one ontology IRI. The result is cached until one of the files changes.
    """
    files = sorted(path.glob("*.ttl")) if path.is_dir() else [path]
    state = tuple((str(f.resolve()), f.stat().st_mtime_ns, f.stat().st_size) for f in files)
    return _render(state)


@lru_cache(maxsize=4)
def _render(state: tuple[tuple[str, int, int], ...]) -> str:
    source = Graph()
    for file_name, _, _ in state:
        source.parse(file_name, format="turtle")
    view = documentation_view(source)
    with _root_logging_kept():
        from pylode.profiles.ontpub import OntPub  # type: ignore[import-untyped]  # noqa: PLC0415

        document = OntPub(ontology=view)
    # pyLODE derives anchors from labels unless an IRI already has one; pre-seed local names.
    document.fids = {
        str(term): str(term)[len(TCAP) :]
        for term in set(view.subjects())
        if isinstance(term, URIRef) and str(term).startswith(TCAP)
    }
    with _root_logging_kept():
        html = document.make_html()
    if not isinstance(html, str):
        raise TypeError("pyLODE returned no HTML")
    log.info("rendered ontology documentation (%d terms)", len(document.fids))
    return html


@contextmanager
def _root_logging_kept() -> Iterator[None]:
    """pyLODE configures the root logger (DEBUG, a stderr handler) when imported and when it
    renders; that would flood every program embedding this module, so undo it afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


def _english(graph: Graph, subject: URIRef, predicate: URIRef) -> str | None:
    for value in graph.objects(subject, predicate):
        if isinstance(value, Literal) and value.language in (None, _DOC_LANGUAGE):
            return str(value)
    return None


def documentation_view(source: Graph) -> Graph:
    """Build the graph pyLODE documents from the ontology graph (see the module docstring)."""
    view = Graph()
    for prefix, namespace in source.namespaces():
        view.bind(prefix, namespace)
    for subject, predicate, obj in source:
        if isinstance(subject, URIRef) and not str(subject).startswith(ONTOLOGY_IRI):
            continue
        if predicate == RDF.type and obj == SKOS.ConceptScheme:
            continue
        if predicate == RDFS.label and (subject, DCTERMS.title, None) in source:
            continue  # pyLODE would run the label and the title together as the page heading
        if (
            predicate in (RDFS.label, SKOS.prefLabel)
            and isinstance(obj, Literal)
            and obj.language not in (None, _DOC_LANGUAGE)
        ):
            view.add((subject, SKOS.note, Literal(f"Label ({obj.language}): {obj}")))
            continue
        if predicate == SKOS.editorialNote:
            view.add((subject, SKOS.note, Literal(f"Editorial note: {obj}")))
            continue
        if predicate == _VERIFICATION_STATUS and isinstance(obj, URIRef):
            status = _english(source, obj, SKOS.prefLabel) or str(obj)
            view.add((subject, SKOS.note, Literal(f"Verification status: {status}")))
            continue
        view.add((subject, predicate, obj))
    _describe_concepts(source, view)
    _describe_schemes(source, view)
    return view


def _describe_schemes(source: Graph, view: Graph) -> None:
    ontology = URIRef(ONTOLOGY_IRI)
    for scheme in sorted(
        s for s in source.subjects(RDF.type, SKOS.ConceptScheme) if isinstance(s, URIRef)
    ):
        if not str(scheme).startswith(TCAP):
            continue
        label = _english(source, scheme, SKOS.prefLabel) or str(scheme)
        definition = _english(source, scheme, SKOS.definition) or ""
        local = str(scheme)[len(TCAP) :]
        view.add(
            (ontology, SKOS.note, Literal(f"Concept scheme tcap:{local} ({label}): {definition}"))
        )


def _describe_concepts(source: Graph, view: Graph) -> None:
    """List each concept class's members as notes, since pyLODE has no section for concepts."""
    for concept_class in source.subjects(RDFS.subClassOf, SKOS.Concept):
        if not (isinstance(concept_class, URIRef) and str(concept_class).startswith(TCAP)):
            continue
        if (concept_class, RDF.type, OWL.Class) not in source:
            continue
        members = sorted(
            (m for m in source.subjects(RDF.type, concept_class) if isinstance(m, URIRef)),
            key=_concept_sort_key(source),
        )
        for member in members:
            local = str(member)[len(TCAP) :]
            notation = _english(source, member, SKOS.notation)
            label = _english(source, member, SKOS.prefLabel) or local
            definition = _english(source, member, SKOS.definition) or ""
            heading = f"{notation} {label}" if notation else label
            view.add(
                (
                    concept_class,
                    SKOS.note,
                    Literal(f"Member tcap:{local} ({heading}): {definition}"),
                )
            )


def _concept_sort_key(source: Graph) -> Callable[[URIRef], tuple[int, str]]:
    def key(member: URIRef) -> tuple[int, str]:
        notation = _english(source, member, SKOS.notation)
        if notation and notation[1:].isdigit():
            return (int(notation[1:]), str(member))
        return (0, str(member))

    return key
