"""Statements about the ontology's or the shapes' own terms: never data.

`tcap:City rdfs:subClassOf tcap:Claim .` is valid RDF and no shape forbids it, yet once loaded
every city is a claim and the reasoner finds the whole graph inconsistent; a new label for
`tcap:Claim` or a statement about a shape would change what pages show and what validation
means. The ontology and the shapes change only through the project's own files, so a dataset
(a file, an upload, a write through the endpoint) may not state anything about their terms:

- no statement whose subject is a term the ontology or the shapes describe;
- no identity or equivalence (`owl:sameAs`, `owl:equivalentClass`, ...) with such a term, which
  says as much about the term as about the other node.

Each such statement is one Violation that names the triple, and it is taken out of the dataset
before the shapes run, so that the rest of the report is not buried under its consequences.
Terms of our namespaces that nobody defined are caught by the unknown-terms check (`terms`).
"""

from __future__ import annotations

import pyoxigraph as ox

from ..locations import Value
from ..namespaces import OWL
from .context import CONTEXT_GRAPHS, ONTOLOGY_GRAPH
from .model import Finding, Severity
from .render import name, value_text
from .shapes import PROTECTED_TERMS_SHAPE, SPARQL_COMPONENT, ShapesBundle

# Statements that say what a term *is*, whichever side the term is on.
_SYMMETRIC = tuple(
    ox.NamedNode(OWL + local)
    for local in (
        "sameAs",
        "equivalentClass",
        "equivalentProperty",
        "inverseOf",
        "disjointWith",
        "propertyDisjointWith",
        "complementOf",
        "differentFrom",
    )
)


def protected_terms(workspace: ox.Store, shapes: ShapesBundle) -> set[str]:
    """Every IRI the ontology (in the workspace's ontology graph) or the shapes describe."""
    terms = set(shapes.subjects)
    for quad in workspace.quads_for_pattern(None, None, None, ONTOLOGY_GRAPH):
        if isinstance(quad.subject, ox.NamedNode):
            terms.add(quad.subject.value)
    return terms


def take_protected_statements(workspace: ox.Store, shapes: ShapesBundle) -> list[Finding]:
    """Remove the dataset's statements about protected terms; one finding for each."""
    found: dict[ox.Quad, ox.NamedNode] = {}
    for iri in protected_terms(workspace, shapes):
        term = ox.NamedNode(iri)
        for quad in workspace.quads_for_pattern(term, None, None):
            if quad.graph_name not in CONTEXT_GRAPHS:
                found[quad] = term
        for predicate in _SYMMETRIC:
            for quad in workspace.quads_for_pattern(None, predicate, term):
                if quad.graph_name not in CONTEXT_GRAPHS:
                    found[quad] = term
    findings = []
    for quad, term in found.items():
        workspace.remove(quad)
        findings.append(_finding(quad, term, shapes.message(PROTECTED_TERMS_SHAPE)))
    return findings


def _finding(quad: ox.Quad, term: ox.NamedNode, message: str) -> Finding:
    subject = quad.subject
    assert isinstance(subject, ox.NamedNode | ox.BlankNode)
    statement = f"{_short(subject)} {_short(quad.predicate)} {_short(quad.object)} ."
    return Finding(
        severity=Severity.VIOLATION,
        message=f"The statement `{statement}` is about {_short(term)}, a term of the TCap KG "
        f"ontology or shapes. {message}",
        focus=subject,
        path=quad.predicate.value,
        value=quad.object,
        source_shape=PROTECTED_TERMS_SHAPE,
        component=SPARQL_COMPONENT,
    )


def _short(term: Value | ox.NamedNode) -> str:
    if isinstance(term, ox.BlankNode):
        return "[]"
    return name(term.value) if isinstance(term, ox.NamedNode) else value_text(term)
