"""The shapes themselves: valid SHACL, named, explained, and passed by the shipped data."""

from __future__ import annotations

from pathlib import Path

import pyshacl
import rdflib
from validation_support import CORPUS, REPO, corpus

from tcap_kg.namespaces import RDF, SH
from tcap_kg.shipped import shipped_files
from tcap_kg.validation import load_shapes, validate_files
from tcap_kg.validation.shapes import shape_iris

SHSH = Path(pyshacl.__file__).parent / "assets" / "shacl-shacl.ttl"


def test_shapes_conform_to_shacl_for_shacl() -> None:
    shapes = load_shapes().rdflib_graph
    shsh = rdflib.Graph().parse(SHSH, format="turtle")
    conforms, _, text = pyshacl.validate(shapes, shacl_graph=shsh, inference="none")
    assert conforms, text


def test_every_shape_has_an_iri_and_every_constraint_a_message() -> None:
    bundle = load_shapes()
    graph = bundle.rdflib_graph
    named = shape_iris(bundle)
    assert len(named) > 60
    constraint_params = {
        SH + p
        for p in (
            "minCount",
            "maxCount",
            "datatype",
            "class",
            "pattern",
            "in",
            "minInclusive",
            "maxInclusive",
            "nodeKind",
            "uniqueLang",
            "languageIn",
            "qualifiedMinCount",
            "or",
            "xone",
            "node",
            "sparql",
            "maxLength",
            "hasValue",
        )
    }
    shapes_with_constraints = {
        str(s) for s, p in graph.subject_predicates() if str(p) in constraint_params
    }
    # Shapes used only inside sh:or / sh:xone / sh:node / qualified shapes speak through the
    # shape that uses them; every shape a report can name carries its own message.
    reportable = {
        iri
        for iri in named
        if (rdflib.URIRef(iri), rdflib.URIRef(SH + "targetClass"), None) in graph
        or (None, rdflib.URIRef(SH + "property"), rdflib.URIRef(iri)) in graph
        or any(
            (rdflib.URIRef(iri), rdflib.URIRef(SH + p), None) in graph
            for p in ("targetSubjectsOf", "targetNode", "targetObjectsOf")
        )
    }
    for iri in sorted(reportable & shapes_with_constraints):
        messages = [m for m in graph.objects(rdflib.URIRef(iri), rdflib.URIRef(SH + "message"))]
        sparql_messages = [
            m
            for c in graph.objects(rdflib.URIRef(iri), rdflib.URIRef(SH + "sparql"))
            for m in graph.objects(c, rdflib.URIRef(SH + "message"))
        ]
        assert messages or sparql_messages, f"{iri} has no sh:message"
        for message in messages + sparql_messages:
            assert isinstance(message, rdflib.Literal) and message.language == "en"
            assert len(str(message)) > 30, f"{iri}: say what to do, not just what failed"


def test_severities_are_deliberate() -> None:
    graph = load_shapes().rdflib_graph
    tcapsh = "https://w3id.org/tcap-kg/shapes#"

    def severity(local: str) -> str:
        value = graph.value(rdflib.URIRef(tcapsh + local), rdflib.URIRef(SH + "severity"))
        return str(value).removeprefix(SH) if value is not None else "Violation"

    assert severity("label-chinese") == "Info"
    assert severity("ClaimSourceShape") == "Violation"
    assert severity("Assessment-source") == "Violation"
    assert severity("Mapping-component") == "Violation"
    assert severity("City-wikidata-given") == "Warning"
    assert severity("label-english") == "Warning"


def test_every_class_the_shipped_data_uses_has_a_shape() -> None:
    graph = load_shapes().rdflib_graph
    targeted = {str(o) for o in graph.objects(None, rdflib.URIRef(SH + "targetClass"))}
    data = rdflib.Graph()
    for shipped in shipped_files():
        if shipped.relative.startswith("data/"):
            data.parse(shipped.path, format="turtle")
    used = {str(o) for o in data.objects(None, rdflib.URIRef(RDF + "type"))}
    assert used - targeted == set(), "classes of the shipped data without a shape"


def test_shipped_data_conforms() -> None:
    files = [f.path for f in shipped_files() if f.relative.startswith("data/")]
    report = validate_files(files, max_bytes=10_000_000)
    assert report.conforms, "\n".join(
        f"{f.focus} {f.message}" for f in report.findings if f.severity.value == "Violation"
    )
    assert report.triples > 500


def test_both_engines_give_the_same_findings_on_the_corpus_and_the_shipped_data() -> None:
    readable = [case.path for case in corpus() if case.exit != 2]
    shipped = [f.path for f in shipped_files() if f.relative.startswith("data/")]
    for files in (readable, shipped):
        fast = validate_files(files, max_bytes=10_000_000, engine="turbo")
        reference = validate_files(files, max_bytes=10_000_000, engine="pyshacl")
        assert len(fast.findings) > 5
        assert {(*f.key(), f.message) for f in fast.findings} == {
            (*f.key(), f.message) for f in reference.findings
        }
    assert CORPUS.is_dir() and REPO.is_dir()
