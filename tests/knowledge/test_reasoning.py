"""The ontology, alone and with every shipped data file, is consistent under HermiT and within
OWL 2 DL; the OWL 2 RL closure gives the inferred types queries may want.

These tests really run Java (HermiT and the OWL API from owlready2's jar); each run takes a few
seconds. The negative tests prove the reasoner sees the data: a city that is also a province, or a
claim whose scope is a component, must come out inconsistent.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from knowledge_support import ID, REPO, TCAP, turtle_prefixes
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from tcap_kg.reasoning import (
    ReasoningError,
    check_consistency,
    check_owl2_dl_profile,
    load_rdf,
    owl_rl_closure,
    shipped_sources,
)


def _graph(turtle: str) -> Graph:
    return Graph().parse(data=turtle_prefixes() + turtle, format="turtle")


@pytest.fixture(scope="module")
def ontology_only() -> list[Path]:
    return shipped_sources(REPO, include_data=False)


@pytest.fixture(scope="module")
def everything() -> list[Path]:
    return shipped_sources(REPO)


def test_sources_cover_every_ontology_and_data_file(everything: list[Path]) -> None:
    names = {p.relative_to(REPO).as_posix() for p in everything}
    assert {"ontology/tcap.ttl", "ontology/components.ttl", "ontology/vocabularies.ttl"} <= names
    assert "data/links/wikidata-geonames.ttl" in names
    assert len([n for n in names if n.startswith("data/")]) == len(
        list((REPO / "data").rglob("*.ttl"))
    )


def test_ontology_alone_is_consistent_under_hermit(ontology_only: list[Path]) -> None:
    report = check_consistency(ontology_only)
    assert report.consistent
    assert report.unsatisfiable_classes == ()
    assert report.ok


def test_ontology_with_all_shipped_data_is_consistent_under_hermit(everything: list[Path]) -> None:
    report = check_consistency(everything)
    assert report.ok, report
    assert report.triples > 2000


def test_hermit_finds_a_disjointness_violation(ontology_only: list[Path]) -> None:
    bad = _graph(f"<{ID}city/nowhere> a tcap:City , tcap:Province .")
    assert not check_consistency([*ontology_only, bad]).consistent


def test_hermit_finds_a_range_violation_through_a_union_range(ontology_only: list[Path]) -> None:
    bad = _graph(f"<{ID}claim/broken> a tcap:Claim ; tcap:claimScope tcap:C1 .")
    assert not check_consistency([*ontology_only, bad]).consistent


def test_hermit_reports_an_unsatisfiable_class(ontology_only: list[Path]) -> None:
    bad = _graph("""tcap:CityProvince a owl:Class ; rdfs:subClassOf tcap:City , tcap:Province .""")
    report = check_consistency([*ontology_only, bad])
    assert report.consistent
    assert report.unsatisfiable_classes == (TCAP + "CityProvince",)
    assert not report.ok


def test_hermit_needs_unsupported_datatypes_ignored_for_dates(everything: list[Path]) -> None:
    """Why the default is to ignore them: the data's xsd:date values stop HermiT otherwise."""
    with pytest.raises(ReasoningError, match="UnsupportedDatatype"):
        check_consistency(everything, ignore_unsupported_datatypes=False)


def test_ontology_and_data_are_within_owl2_dl(everything: list[Path]) -> None:
    assert check_owl2_dl_profile(everything) == []


def test_profile_check_reports_undeclared_terms_and_illegal_punning(
    everything: list[Path],
) -> None:
    bad = _graph(
        f"""<{ID}city/beijing> <http://example.org/undeclared> <{ID}city/shanghai> .
        tcap:statement a owl:ObjectProperty ."""
    )
    violations = check_owl2_dl_profile([*everything, bad])
    assert any("undeclared" in v.lower() for v in violations), violations
    assert any("pun" in v.lower() for v in violations), violations


@pytest.fixture(scope="module")
def closure(everything: list[Path]) -> Graph:
    return owl_rl_closure(load_rdf(everything))


def test_owl_rl_closure_infers_superclasses_and_domains(closure: Graph) -> None:
    beijing = URIRef(ID + "city/beijing")
    assert (beijing, RDF.type, URIRef(TCAP + "AdministrativeArea")) in closure
    assert (beijing, RDF.type, URIRef("http://www.opengis.net/ont/geosparql#Feature")) in closure
    claim = URIRef(ID + "claim/sss-blog-2023-international-cooperation")
    assert (claim, RDF.type, URIRef("http://www.w3.org/ns/prov#Entity")) in closure
    mohurd = URIRef(ID + "org/mohurd")
    assert (mohurd, RDF.type, URIRef("http://www.w3.org/ns/prov#Agent")) in closure
    group = URIRef(ID + "city-group/six-cities-sss-blog-2023")
    assert (group, RDF.type, URIRef(TCAP + "CityGroup")) not in closure  # asserted, not inferred


def test_owl_rl_closure_leaves_out_identity_copies_and_trivia(closure: Graph) -> None:
    assert not list(closure.triples((URIRef("http://www.wikidata.org/entity/Q956"), None, None)))
    assert not [t for t in closure if t[1] == OWL.sameAs]
    assert not [t for t in closure if t[1] == RDF.type and t[2] == OWL.Thing]
    assert not [t for t in closure if t[1] == RDFS.subClassOf and t[0] == t[2]]


def test_owl_rl_closure_can_follow_same_as_when_asked(everything: list[Path]) -> None:
    inferred = owl_rl_closure(load_rdf(everything), follow_same_as=True)
    wikidata_beijing = URIRef("http://www.wikidata.org/entity/Q956")
    assert (wikidata_beijing, RDFS.label, Literal("Beijing", lang="en")) in inferred
