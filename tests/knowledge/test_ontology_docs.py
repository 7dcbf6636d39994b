"""The ontology documentation is read from the ontology files, offline, and documents every
class, property, concept scheme and concept of ours under an anchor equal to its local name (so
the term IRI's fragment lands on its section when the app serves the page at the ontology IRI),
in the reader's language.
"""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pytest
from knowledge_support import REPO, TCAP
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, SKOS

from tcap_kg.ontology_docs import ontology_documentation
from tcap_kg.settings import Settings
from tcap_kg.web import create_app

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
def pages() -> dict[str, str]:
    """The page in both languages, built with every socket connection refused (no network)."""
    original = socket.socket.connect

    def refuse(self: socket.socket, address: object) -> None:
        raise AssertionError(f"documentation tried to connect to {address!r}")

    app = create_app(Settings.from_env({}, store="memory:"))
    socket.socket.connect = refuse  # type: ignore[method-assign]
    try:
        client = app.test_client()
        return {
            lang: client.get(f"/ontology.html?lang={lang}").get_data(as_text=True)
            for lang in ("en", "zh")
        }
    finally:
        socket.socket.connect = original  # type: ignore[method-assign]
        app.extensions["tcap"].close()


@pytest.fixture(scope="module")
def html(pages: dict[str, str]) -> str:
    return pages["en"]


CLASSES = _own_terms((OWL.Class,))
PROPERTIES = _own_terms((OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty))
CONCEPTS = _own_terms((SKOS.Concept, SKOS.ConceptScheme, SKOS.Collection))


def test_there_are_terms_to_document() -> None:
    assert len(CLASSES) > 25
    assert len(PROPERTIES) > 40
    assert len(CONCEPTS) > 40


@pytest.mark.parametrize(
    "term", CLASSES + PROPERTIES + CONCEPTS, ids=lambda t: t.removeprefix(TCAP)
)
def test_every_term_is_documented_once_under_its_local_name(term: str, html: str) -> None:
    local = term.removeprefix(TCAP)
    assert html.count(f'id="{local}"') == 1
    assert f"<code>{term}</code>" in html


def test_labels_follow_the_readers_language(pages: dict[str, str]) -> None:
    english, chinese = pages["en"], pages["zh"]
    section = english[english.index('id="City"') :]
    assert "city" in section[: section.index("</h3>")]
    section = chinese[chinese.index('id="City"') :]
    assert "城市" in section[: section.index("</h3>")]
    assert '<html lang="zh-Hans">' in chinese
    assert "包容与多元的城市治理" in chinese
    # Every term has a Chinese definition now; the Chinese page shows it, not the English one.
    assert "作为地域和行政单位的城市" in chinese
    assert "作为地域和行政单位的城市" not in english


def test_from_memory_warnings_and_components_are_shown(html: str) -> None:
    assert "from memory, unverified" in html
    assert "Name and definition from memory" in html
    doc = ontology_documentation(ONTOLOGY_DIR)
    components = next(s for s in doc.schemes if s.term.local == "ComponentScheme")
    assert [c.notation for c in components.concepts] == [f"C{n}" for n in range(1, 11)]
    assert len(components.collections) == 3


def test_reused_terms_are_not_documented_as_ours(html: str) -> None:
    assert 'id="Entity"' not in html
    assert "<code>http://www.w3.org/ns/prov#Entity</code>" not in html
    assert "<code>prov:Entity</code>" in html


def test_page_loads_nothing_from_elsewhere(html: str) -> None:
    assert not re.search(r"<script[^>]+src=\"https?:", html)
    assert not re.search(r"<link[^>]+href=\"https?:", html)
    assert "<title>TCap KG ontology: urban transformative capacity · TCap KG</title>" in html
    assert '<meta name="viewport"' in html


def test_documentation_follows_changes_to_the_ontology(tmp_path: Path) -> None:
    ontology = tmp_path / "ontology"
    ontology.mkdir()
    for path in ONTOLOGY_DIR.glob("*.ttl"):
        (ontology / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    before = ontology_documentation(ontology)
    assert TCAP + "Neighbourhood" not in before.terms
    with (ontology / "tcap.ttl").open("a", encoding="utf-8") as handle:
        handle.write(
            '\ntcap:Neighbourhood a owl:Class ; rdfs:label "neighbourhood"@en ; '
            'skos:prefLabel "neighbourhood"@en ; skos:definition "A part of a district."@en ; '
            "rdfs:isDefinedBy <https://w3id.org/tcap-kg/ontology> .\n"
        )
    assert TCAP + "Neighbourhood" in ontology_documentation(ontology).terms
