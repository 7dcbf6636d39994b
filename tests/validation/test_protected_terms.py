"""Data may not state anything about the ontology's or the shapes' terms (issue 18 §2).

Refused with the triple named, by `tcap validate`, `tcap load`, POST /validate and writes
through the endpoint; the reasoner stays consistent because such data never loads.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient
from validation_support import EXAMPLES

from tcap_kg.bootstrap import sync_shipped
from tcap_kg.settings import Settings
from tcap_kg.store import OxigraphStore
from tcap_kg.tokens import TokenFile
from tcap_kg.validation import validate_change, validate_files
from tcap_kg.web.app import create_app

PREFIXES = """@prefix tcap: <https://w3id.org/tcap-kg/ontology#> .
@prefix tcapsh: <https://w3id.org/tcap-kg/shapes#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
"""
SUBCLASS = "tcap:City rdfs:subClassOf tcap:Claim ."
REWRITES = {
    "subclass": (SUBCLASS, "`tcap:City rdfs:subClassOf tcap:Claim .`"),
    "label": ('tcap:Claim rdfs:label "Gossip"@en .', '`tcap:Claim rdfs:label "Gossip"@en .`'),
    "shape": ("tcapsh:CityShape sh:deactivated true .", "`tcapsh:CityShape sh:deactivated true .`"),
    "component": ('tcap:C1 skos:prefLabel "Anything"@en .', "about tcap:C1"),
    "borrowed-term": ("dcterms:source rdfs:range tcap:City .", "about dcterms:source"),
    "ontology-header": (
        "<https://w3id.org/tcap-kg/ontology> owl:imports <http://example.org/evil> .",
        "a term of the TCap KG ontology",
    ),
    "same-as": (
        "<https://w3id.org/tcap-kg/id/city/x> owl:sameAs tcap:Claim .",
        "`city:x owl:sameAs tcap:Claim .`",
    ),
    "equivalent": ("[] owl:equivalentClass tcap:City .", "`[] owl:equivalentClass tcap:City .`"),
    "new-term": ("tcap:Gossip rdfs:subClassOf tcap:Claim .", "tcap:Gossip is not a term"),
    "new-shape": ("tcapsh:Mine a sh:NodeShape .", "tcapsh:Mine is not a term"),
}


@pytest.mark.parametrize("case", list(REWRITES), ids=list(REWRITES))
def test_each_statement_about_our_terms_is_refused_by_name(tmp_path: Path, case: str) -> None:
    statement, named = REWRITES[case]
    path = tmp_path / f"{case}.ttl"
    path.write_text(PREFIXES + statement + "\n", encoding="utf-8")
    report = validate_files([path], max_bytes=100_000)
    refused = [f for f in report.findings if f.source_shape.endswith("#ProtectedTermsShape")]
    assert len(refused) == 1 and not report.conforms, report.findings
    assert named in refused[0].message
    if not statement.startswith("[]"):  # an unnamed subject has no place to point at
        assert refused[0].location is not None and refused[0].location.line == 8


def test_the_rest_of_a_dataset_is_judged_as_if_the_statement_were_not_there(
    tmp_path: Path,
) -> None:
    """Were the subclass statement kept, Dalian would be a claim without a source or scope."""
    path = tmp_path / "dalian.ttl"
    text = (EXAMPLES / "dalian.ttl").read_text(encoding="utf-8")
    path.write_text(text + "\n" + SUBCLASS + "\n", encoding="utf-8")
    report = validate_files([path], max_bytes=100_000)
    violations = [f for f in report.findings if f.severity.value == "Violation"]
    assert [f.source_shape.rsplit("#", 1)[1] for f in violations] == ["ProtectedTermsShape"]


def test_a_change_through_the_api_is_refused_too() -> None:
    store = OxigraphStore.memory()
    sync_shipped(store)
    quad = ox.Quad(
        ox.NamedNode("https://w3id.org/tcap-kg/ontology#City"),
        ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf"),
        ox.NamedNode("https://w3id.org/tcap-kg/ontology#Claim"),
        ox.NamedNode("https://w3id.org/tcap-kg/graph/dataset/x"),
    )
    assert not validate_change(store, [quad]).conforms
    store.close()


def test_the_cli_refuses_to_load_it_and_the_graph_stays_consistent(tcap, tmp_path: Path) -> None:
    path = tmp_path / "rewrite.ttl"
    path.write_text(PREFIXES + SUBCLASS + "\n", encoding="utf-8")
    checked = tcap("validate", str(path))
    assert checked.code == 1
    assert "`tcap:City rdfs:subClassOf tcap:Claim .`" in checked.stdout
    assert "rewrite.ttl:8:" in checked.stdout
    assert tcap("init").code == 0
    loaded = tcap("load", str(path))
    assert loaded.code == 1
    assert "dataset refused, nothing was written" in loaded.stderr
    reasoned = tcap("reason", timeout=300)
    assert reasoned.code == 0, reasoned.stdout + reasoned.stderr
    assert reasoned.stdout.startswith("consistent: ")


@pytest.fixture
def writable(tmp_path: Path) -> Iterator[tuple[FlaskClient, dict[str, str]]]:
    tokens = tmp_path / "tokens.json"
    _, token = TokenFile(tokens).create("tester")
    app = create_app(Settings.from_env({}, store="memory:", update=True, tokens_file=str(tokens)))
    yield app.test_client(), {"Authorization": f"Bearer {token}"}
    app.extensions["tcap"].close()


def test_http_validation_and_writes_refuse_it(
    writable: tuple[FlaskClient, dict[str, str]],
) -> None:
    client, auth = writable
    body = (PREFIXES + SUBCLASS + "\n").encode()
    report = client.post("/validate", data=body, content_type="text/turtle")
    assert report.status_code == 200 and report.json["conforms"] is False
    assert (
        "tcap:City rdfs:subClassOf tcap:Claim" in report.json["nodes"][0]["findings"][0]["message"]
    )
    graph = "https://w3id.org/tcap-kg/graph/dataset/rewrite"
    update = (
        f"INSERT DATA {{ GRAPH <{graph}> {{ <https://w3id.org/tcap-kg/ontology#City> "
        "<http://www.w3.org/2000/01/rdf-schema#subClassOf> "
        "<https://w3id.org/tcap-kg/ontology#Claim> } }"
    )
    written = client.post(
        "/sparql", data=update, content_type="application/sparql-update", headers=auth
    )
    assert written.status_code == 422, written.data
    assert "tcap:City rdfs:subClassOf tcap:Claim" in written.json["detail"]
    put = client.put(f"/store?graph={graph}", data=body, content_type="text/turtle", headers=auth)
    assert put.status_code == 422, put.data
    asked = client.post(
        "/sparql",
        data={
            "query": "ASK { <https://w3id.org/tcap-kg/ontology#City> ?p <https://w3id.org/tcap-kg/ontology#Claim> }"
        },
        headers={"Accept": "application/sparql-results+json"},
    )
    assert asked.json["boolean"] is False
