"""Running a SHACL engine over the workspace and reading its report back as findings.

Two engines give the same findings (a test runs both over the whole corpus): pyshacl-turbo, a
Rust engine with pySHACL's API that validates a pyoxigraph store directly, is the default because
it is several times faster; plain pySHACL is the reference and the fallback (`TCAP_VALIDATOR`).
Results are read into findings the same way for both, and results that differ only by which
constraint of one shape fired (a datatype and a range test on the same bad value) become one
finding, since the shape has one message for both.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pyoxigraph as ox
import pyshacl_turbo
import rdflib
from rdflib.term import Node as RdflibNode

from ..errors import InputError, TcapError
from ..locations import Value
from ..namespaces import RDF, SH
from .model import Finding, Severity
from .shapes import ShapesBundle

log = logging.getLogger(__name__)

ENGINES = ("turbo", "pyshacl")

_SH = rdflib.Namespace(SH)
_RDF_LIST = rdflib.URIRef(RDF + "first")


def run_engine(workspace: ox.Store, shapes: ShapesBundle, engine: str) -> list[Finding]:
    """Validate everything in `workspace` (the union of its graphs) against `shapes`."""
    if engine not in ENGINES:
        raise InputError(f"unknown validation engine {engine!r} (use one of: {', '.join(ENGINES)})")
    report = _run_turbo(workspace, shapes) if engine == "turbo" else _run_pyshacl(workspace, shapes)
    return findings_from_report(report)


def _not_an_ill_typed_literal(record: logging.LogRecord) -> bool:
    """rdflib logs a traceback for every ill-typed literal it meets; such a literal is a finding
    here, reported once with its location, so that one log message is dropped."""
    return "Failed to convert Literal lexical form" not in record.getMessage()


logging.getLogger("rdflib.term").addFilter(_not_an_ill_typed_literal)


def _run_turbo(workspace: ox.Store, shapes: ShapesBundle) -> rdflib.Graph:
    try:
        _, report, _ = shapes.turbo.validate(workspace)
    except pyshacl_turbo.ValidationFailure as exc:
        raise TcapError(f"validation could not run: {exc}") from exc
    assert isinstance(report, rdflib.Graph)
    return report


def _run_pyshacl(workspace: ox.Store, shapes: ShapesBundle) -> rdflib.Graph:
    import pyshacl  # noqa: PLC0415 (the reference engine: its import costs 0.2 s, paid when used)

    data = rdflib.Graph()
    for quad in workspace:
        data.add((_to_rdflib(quad.subject), _to_rdflib(quad.predicate), _to_rdflib(quad.object)))
    _, report, _ = pyshacl.validate(
        data,
        shacl_graph=shapes.rdflib_graph,
        inference="none",
        advanced=False,
        do_owl_imports=False,
        allow_warnings=True,
        allow_infos=True,
    )
    assert isinstance(report, rdflib.Graph)
    return report


def findings_from_report(report: rdflib.Graph) -> list[Finding]:
    """The findings of a standard `sh:ValidationReport`, one per shape, node, path and value."""
    findings: dict[tuple[str, ...], Finding] = {}
    # Only the report's own results: nested ones (sh:detail) explain a result, they are not one.
    for result in report.objects(None, _SH.result):
        focus = _from_rdflib(report.value(result, _SH.focusNode))
        if not isinstance(focus, ox.NamedNode | ox.BlankNode):
            continue
        path_node = report.value(result, _SH.resultPath)
        value_node = report.value(result, _SH.value)
        if path_node is None and value_node == report.value(result, _SH.focusNode):
            value_node = None
        shape = report.value(result, _SH.sourceShape)
        severity = report.value(result, _SH.resultSeverity)
        component = report.value(result, _SH.sourceConstraintComponent)
        finding = Finding(
            severity=Severity.from_iri(str(severity)) if severity else Severity.VIOLATION,
            message=_message(report, result),
            focus=focus,
            path=path_text(report, path_node) if path_node is not None else None,
            value=_from_rdflib(value_node) if value_node is not None else None,
            source_shape=str(shape) if isinstance(shape, rdflib.URIRef) else None,
            component=str(component) if component is not None else None,
        )
        findings.setdefault(finding.key(), finding)
    return list(findings.values())


def _message(report: rdflib.Graph, result: RdflibNode) -> str:
    messages = list(report.objects(result, _SH.resultMessage))
    for message in messages:
        if isinstance(message, rdflib.Literal) and message.language in (None, "en"):
            return str(message)
    return str(messages[0]) if messages else "the data does not meet this shape"


def path_text(graph: rdflib.Graph, node: RdflibNode) -> str:
    """A property path as text: a bare IRI for a plain property, else SPARQL path syntax."""
    if isinstance(node, rdflib.URIRef):
        return str(node)
    return _path_expression(graph, node)


def _path_expression(graph: rdflib.Graph, node: RdflibNode) -> str:
    if isinstance(node, rdflib.URIRef):
        return f"<{node}>"
    alternatives = graph.value(node, _SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(_path_expression(graph, n) for n in _items(graph, alternatives)) + ")"
    inverse = graph.value(node, _SH.inversePath)
    if inverse is not None:
        return "^" + _path_expression(graph, inverse)
    for predicate, suffix in (
        (_SH.zeroOrMorePath, "*"),
        (_SH.oneOrMorePath, "+"),
        (_SH.zeroOrOnePath, "?"),
    ):
        inner = graph.value(node, predicate)
        if inner is not None:
            return "(" + _path_expression(graph, inner) + ")" + suffix
    if graph.value(node, _RDF_LIST) is not None:
        return "/".join(_path_expression(graph, n) for n in _items(graph, node))
    return str(node)


def _items(graph: rdflib.Graph, head: RdflibNode) -> Iterator[RdflibNode]:
    yield from graph.items(head)


def _to_rdflib(term: Value | ox.NamedNode) -> rdflib.term.Identifier:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
    raise InputError("RDF-star triples cannot be validated")


def _from_rdflib(term: RdflibNode | None) -> Value | None:
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        datatype = term.datatype or rdflib.XSD.string
        return ox.Literal(str(term), datatype=ox.NamedNode(str(datatype)))
    return None
