"""The ontology documentation is generated from the ontology files, offline, and documents every
class and property of ours under an anchor equal to its local name (so the term IRI's fragment
lands on its section when the app serves the page at the ontology IRI).
"""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest
from knowledge_support import REPO, TCAP
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

from tcap_kg.ontology_docs import render_ontology_html

ONTOLOGY_DIR = REPO / "ontology"


def _own_terms(kinds: tuple[URIRef, ...]) -> list[str]:
    graph = Graph()
    for path in sorted(ONTOLOGY_DIR.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return sorted(
        str(term)
        for kind in kinds
        for term in graph.subjects(RDF.type, kind)
        if str(term).startswith(TCAP)
    )


@pytest.fixture(scope="module")
def html() -> str:
    """Rendered with every socket connection refused, to prove no network is needed."""
    original = socket.socket.connect

    def refuse(self: socket.socket, address: object) -> None:
        raise AssertionError(f"documentation tried to connect to {address!r}")

    socket.socket.connect = refuse  # type: ignore[method-assign]
    try:
        return render_ontology_html(ONTOLOGY_DIR)
    finally:
        socket.socket.connect = original  # type: ignore[method-assign]


CLASSES = _own_terms((OWL.Class,))
PROPERTIES = _own_terms((OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty))


def test_there_are_terms_to_document() -> None:
    assert len(CLASSES) > 25
    assert len(PROPERTIES) > 40


@pytest.mark.parametrize("term", CLASSES + PROPERTIES, ids=lambda t: t.removeprefix(TCAP))
def test_every_class_and_property_is_documented_under_its_local_name(term: str, html: str) -> None:
    local = term.removeprefix(TCAP)
    assert f'id="{local}"' in html
    assert f"<code>{term}</code>" in html


def test_titles_are_english_and_chinese_labels_are_kept_as_notes(html: str) -> None:
    section = html[html.index('id="City"') :]
    title = section[section.index("<h3>") : section.index("</h3>")]
    assert "city" in title and "城市" not in title
    assert "Label (zh-Hans): 城市" in html


def test_from_memory_warnings_and_components_are_shown(html: str) -> None:
    assert "Verification status: from memory, unverified" in html
    assert "Editorial note: Definition paraphrased from memory" in html
    for n in range(1, 11):
        assert f"Member tcap:C{n} (C{n} " in html


def test_reused_terms_are_not_documented_as_ours(html: str) -> None:
    assert 'id="Entity"' not in html
    assert "<code>http://www.w3.org/ns/prov#Entity</code>" not in html


def test_page_loads_nothing_from_elsewhere(html: str) -> None:
    assert not re.search(r"<script[^>]+src=\"https?:", html)
    assert not re.search(r"<link[^>]+href=\"https?:", html)
    assert "<title>TCap KG ontology: urban transformative capacity</title>" in html


def test_documentation_follows_changes_to_the_ontology(tmp_path: Path) -> None:
    ontology = tmp_path / "ontology"
    ontology.mkdir()
    for path in ONTOLOGY_DIR.glob("*.ttl"):
        (ontology / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    before = render_ontology_html(ontology)
    assert 'id="Neighbourhood"' not in before
    with (ontology / "tcap.ttl").open("a", encoding="utf-8") as handle:
        handle.write(
            '\ntcap:Neighbourhood a owl:Class ; rdfs:label "neighbourhood"@en ; '
            'skos:prefLabel "neighbourhood"@en ; skos:definition "A part of a district."@en ; '
            "rdfs:isDefinedBy <https://w3id.org/tcap-kg/ontology> .\n"
        )
    assert 'id="Neighbourhood"' in render_ontology_html(ontology)
