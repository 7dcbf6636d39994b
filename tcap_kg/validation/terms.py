"""Terms of our namespace that the ontology does not define, with a "did you mean".

A mistyped property (`tcap:wikidataID`) is not an error to a SHACL engine: the shapes simply never
see the value, and the dataset would load with its identifier silently missing. So every `tcap:`
IRI used as a property or a value is checked against the ontology, and the closest defined term is
suggested. One finding per unknown term (not per use) keeps a repeated typo readable.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

import pyoxigraph as ox

from ..namespaces import RDF, TCAP
from .context import CONTEXT_GRAPH
from .model import Finding, Severity
from .shapes import KNOWN_TERMS_SHAPE

SPARQL_COMPONENT = "http://www.w3.org/ns/shacl#SPARQLConstraintComponent"

_AS_PROPERTY = f"""
SELECT ?term (SAMPLE(?s) AS ?subject) (COUNT(*) AS ?uses) WHERE {{
  GRAPH ?g {{ ?s ?term ?o }}
  FILTER (?g != <{CONTEXT_GRAPH.value}> && STRSTARTS(STR(?term), "{TCAP}"))
}} GROUP BY ?term"""

_AS_VALUE = f"""
SELECT ?term (SAMPLE(?s) AS ?subject) (SAMPLE(?p) AS ?via) (COUNT(*) AS ?uses) WHERE {{
  GRAPH ?g {{ ?s ?p ?term }}
  FILTER (?g != <{CONTEXT_GRAPH.value}> && isIRI(?term) && STRSTARTS(STR(?term), "{TCAP}"))
}} GROUP BY ?term"""

_DEFINED = f"""
SELECT DISTINCT ?term WHERE {{
  GRAPH <{CONTEXT_GRAPH.value}> {{ ?term ?p ?o }}
  FILTER (isIRI(?term) && STRSTARTS(STR(?term), "{TCAP}"))
}}"""


def defined_terms(workspace: ox.Store) -> set[str]:
    """The `tcap:` terms the ontology (in the workspace's context graph) describes."""
    return {row["term"].value for row in workspace.query(_DEFINED)}  # type: ignore[union-attr]


def unknown_term_findings(workspace: ox.Store, message: str) -> list[Finding]:
    """A finding for each `tcap:` IRI the dataset uses that the ontology does not define."""
    known = defined_terms(workspace)
    if not known:
        return []
    findings: dict[str, Finding] = {}
    for row in workspace.query(_AS_PROPERTY):  # type: ignore[union-attr]
        term, subject, uses = row["term"], row["subject"], row["uses"]
        if term.value in known or not isinstance(subject, ox.NamedNode | ox.BlankNode):
            continue
        findings[term.value] = _finding(
            term, subject, term.value, None, int(uses.value), known, message
        )
    for row in workspace.query(_AS_VALUE):  # type: ignore[union-attr]
        term, subject, via, uses = row["term"], row["subject"], row["via"], row["uses"]
        if term.value in known or term.value in findings:
            continue
        if not isinstance(subject, ox.NamedNode | ox.BlankNode):
            continue
        findings[term.value] = _finding(
            term, subject, via.value, term, int(uses.value), known, message
        )
    return list(findings.values())


def _finding(
    term: ox.NamedNode,
    subject: ox.NamedNode | ox.BlankNode,
    path: str,
    value: ox.NamedNode | None,
    uses: int,
    known: Iterable[str],
    message: str,
) -> Finding:
    local = term.value.removeprefix(TCAP)
    role = "class" if path == RDF + "type" else ("property" if value is None else "value")
    text = f"tcap:{local} is not defined by the TCap KG ontology ({role}, used {uses} time"
    text += ")" if uses == 1 else "s)"
    suggestion = suggest(local, known)
    text += f"; did you mean tcap:{suggestion}?" if suggestion else f". {message}"
    return Finding(
        severity=Severity.VIOLATION,
        message=text,
        focus=subject,
        path=path,
        value=value if value is not None else None,
        source_shape=KNOWN_TERMS_SHAPE,
        component=SPARQL_COMPONENT,
    )


def suggest(local: str, known: Iterable[str]) -> str | None:
    """The defined local name closest to `local`: same letters in another case first."""
    names = [iri.removeprefix(TCAP) for iri in known if iri.startswith(TCAP)]
    for name in names:
        if name.lower() == local.lower():
            return name
    close = difflib.get_close_matches(local, names, n=1, cutoff=0.6)
    return close[0] if close else None
