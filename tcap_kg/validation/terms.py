"""Terms of our namespaces that the ontology does not define, with a "did you mean".

A mistyped property (`tcap:wikidataID`) is not an error to a SHACL engine: the shapes simply never
see the value, and the dataset would load with its identifier silently missing. So every `tcap:`
IRI used as a property or a value is checked against the ontology, and the closest defined term is
suggested when it is a plausible typo (`tcap:C11` is not a typo of `tcap:C1`: a different number
names a different thing). One finding per unknown term (not per use) keeps a repeated typo
readable. A dataset may not define terms of its own in the ontology's or the shapes' namespace
either: an undefined `tcap:` or `tcapsh:` IRI as a subject is refused like any statement about
the ontology (see `protected`).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

import pyoxigraph as ox

from ..namespaces import RDF, TCAP
from .context import CONTEXT_GRAPH, ONTOLOGY_GRAPH
from .model import Finding, Severity
from .render import name
from .shapes import KNOWN_TERMS_SHAPE, PROTECTED_TERMS_SHAPE, SHAPES_NS, SPARQL_COMPONENT

PLAUSIBLE = 0.75

_IN_DATASET = f"?g != <{CONTEXT_GRAPH.value}> && ?g != <{ONTOLOGY_GRAPH.value}>"

_AS_PROPERTY = f"""
SELECT ?term (SAMPLE(?s) AS ?subject) (COUNT(*) AS ?uses) WHERE {{
  GRAPH ?g {{ ?s ?term ?o }}
  FILTER ({_IN_DATASET} && STRSTARTS(STR(?term), "{TCAP}"))
}} GROUP BY ?term"""

_AS_VALUE = f"""
SELECT ?term (SAMPLE(?s) AS ?subject) (SAMPLE(?p) AS ?via) (COUNT(*) AS ?uses) WHERE {{
  GRAPH ?g {{ ?s ?p ?term }}
  FILTER ({_IN_DATASET} && isIRI(?term) && STRSTARTS(STR(?term), "{TCAP}"))
}} GROUP BY ?term"""

_AS_SUBJECT = f"""
SELECT ?term (SAMPLE(?p) AS ?via) (SAMPLE(?o) AS ?value) WHERE {{
  GRAPH ?g {{ ?term ?p ?o }}
  FILTER ({_IN_DATASET} && isIRI(?term)
          && (STRSTARTS(STR(?term), "{TCAP}") || STRSTARTS(STR(?term), "{SHAPES_NS}")))
}} GROUP BY ?term"""

_DEFINED = f"""
SELECT DISTINCT ?term WHERE {{
  GRAPH <{ONTOLOGY_GRAPH.value}> {{ ?term ?p ?o }}
  FILTER (isIRI(?term) && STRSTARTS(STR(?term), "{TCAP}"))
}}"""


def defined_terms(workspace: ox.Store) -> set[str]:
    """The `tcap:` terms the ontology (in the workspace's ontology graph) describes."""
    return {row["term"].value for row in workspace.query(_DEFINED)}  # type: ignore[union-attr]


def unknown_term_findings(
    workspace: ox.Store, message: str, protected_message: str
) -> list[Finding]:
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
    for row in workspace.query(_AS_SUBJECT):  # type: ignore[union-attr]
        term, via, value = row["term"], row["via"], row["value"]
        if term.value not in known:
            findings[f"subject {term.value}"] = _new_term(term, via, value, protected_message)
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
    if suggestion:
        text += f"; did you mean tcap:{suggestion}?"
    else:
        family = numbered_family(local, known)
        text += f"; the terms like it are {family}." if family else f". {message}"
    return Finding(
        severity=Severity.VIOLATION,
        message=text,
        focus=subject,
        path=path,
        value=value,
        source_shape=KNOWN_TERMS_SHAPE,
        component=SPARQL_COMPONENT,
    )


def _new_term(
    term: ox.NamedNode, via: ox.NamedNode, value: ox.NamedNode | ox.Literal, message: str
) -> Finding:
    return Finding(
        severity=Severity.VIOLATION,
        message=f"{name(term.value)} is not a term of the TCap KG ontology or shapes, and "
        f"datasets may not define new terms in their namespaces. {message}",
        focus=term,
        path=via.value,
        value=value,
        source_shape=PROTECTED_TERMS_SHAPE,
        component=SPARQL_COMPONENT,
    )


def suggest(local: str, known: Iterable[str]) -> str | None:
    """The defined local name `local` is plausibly a typo of: the same letters in another case,
    or a close spelling with the same numbers in it."""
    names = [iri.removeprefix(TCAP) for iri in known if iri.startswith(TCAP)]
    for candidate in names:
        if candidate.lower() == local.lower():
            return candidate
    digits = _digits(local)
    candidates = [name for name in names if _digits(name) == digits]
    close = difflib.get_close_matches(local, candidates, n=1, cutoff=PLAUSIBLE)
    return close[0] if close else None


def numbered_family(local: str, known: Iterable[str]) -> str | None:
    """For a numbered term (`C11`), the defined terms of the same name and other numbers
    (`tcap:C1 to tcap:C10`)."""
    stem = re.sub(r"\d+", "#", local)
    if stem == local:
        return None
    terms = (iri.removeprefix(TCAP) for iri in known)
    family = sorted(
        (term for term in terms if re.sub(r"\d+", "#", term) == stem),
        key=lambda term: [int(n) for n in re.findall(r"\d+", term)],
    )
    if not family:
        return None
    if len(family) == 1:
        return f"tcap:{family[0]}"
    return f"tcap:{family[0]} to tcap:{family[-1]}"


def _digits(name: str) -> str:
    return "".join(re.findall(r"\d", name))
