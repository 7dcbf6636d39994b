"""POST /validate: the same report over HTTP, by content negotiation, storing nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient
from validation_support import CORPUS, EXAMPLES, TEMPLATES

from tcap_kg.settings import Settings
from tcap_kg.web.app import create_app

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


@pytest.fixture(scope="module")
def client() -> Iterator[FlaskClient]:
    app = create_app(Settings.from_env({}, store="memory:"))
    yield app.test_client()
    app.extensions["tcap"].close()


def _count(client: FlaskClient) -> str:
    answer = client.post(
        "/sparql", data={"query": COUNT}, headers={"Accept": "application/sparql-results+json"}
    )
    return answer.json["results"]["bindings"][0]["n"]["value"]


def test_json_report_by_default_and_nothing_is_stored(client: FlaskClient) -> None:
    before = _count(client)
    response = client.post(
        "/validate", data=(EXAMPLES / "dalian-draft.ttl").read_bytes(), content_type="text/turtle"
    )
    assert response.status_code == 200
    assert response.content_type == "application/json"
    report = response.json
    assert report["conforms"] is False
    assert report["counts"]["Violation"] == 3
    dalian = next(n for n in report["nodes"] if n["label"] == "Dalian")
    latitude = next(f for f in dalian["findings"] if f["pathName"] == "wgs:lat")
    assert latitude["location"] == {
        "source": "request body",
        "line": 23,
        "column": 13,
        "row": None,
        "field": None,
        "text": "request body:23:13",
    }
    assert _count(client) == before


def test_turtle_report_is_a_standard_shacl_report(client: FlaskClient) -> None:
    response = client.post(
        "/validate",
        data=(CORPUS / "duplicate-city.ttl").read_bytes(),
        content_type="text/turtle",
        headers={"Accept": "text/turtle"},
    )
    assert response.status_code == 200
    assert response.content_type.startswith("text/turtle")
    store = ox.Store()
    store.load(response.data, ox.RdfFormat.TURTLE)
    row = next(
        iter(
            store.query(
                "PREFIX sh: <http://www.w3.org/ns/shacl#> SELECT ?conforms ?shape ?path WHERE { "
                "?r a sh:ValidationReport ; sh:conforms ?conforms ; sh:result ?x . "
                "?x sh:resultSeverity sh:Violation ; sh:sourceShape ?shape ; sh:resultPath ?path ; "
                "sh:focusNode ?node ; sh:resultMessage ?m ; sh:sourceConstraintComponent ?c }"
            )
        )
    )
    assert row["conforms"].value == "false"
    assert row["shape"].value.endswith("#City-duplicate-wikidata")
    assert row["path"].value == "https://w3id.org/tcap-kg/ontology#wikidataId"


def test_html_report_inside_the_site_layout(client: FlaskClient) -> None:
    response = client.post(
        "/validate?format=html",
        data=(CORPUS / "warnings-only.ttl").read_bytes(),
        content_type="text/turtle",
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<nav class="site-nav"' in page
    assert 'class="validation-report conforms"' in page
    assert "Add the city&#x27;s Wikidata ID" in page


def test_form_uploads_and_pasted_text_from_the_validate_page(client: FlaskClient) -> None:
    upload = client.post(
        "/validate",
        data={"file": ((TEMPLATES / "dalian" / "cities.csv").open("rb"), "cities.csv")},
        content_type="multipart/form-data",
        headers={"Accept": "text/html,*/*;q=0.8"},
    )
    assert upload.status_code == 200 and upload.content_type.startswith("text/html")
    assert "cities.csv row 2, column wikidata_id" in upload.get_data(as_text=True)
    pasted = client.post(
        "/validate", data={"text": (CORPUS / "bad-doi.ttl").read_text(), "format": "turtle"}
    )
    assert pasted.json["counts"]["Violation"] == 1
    assert pasted.json["sources"] == ["pasted text"]


def test_unreadable_bodies_are_problem_documents(client: FlaskClient) -> None:
    broken = client.post(
        "/validate", data=(CORPUS / "syntax-turtle.ttl").read_bytes(), content_type="text/turtle"
    )
    assert broken.status_code == 400
    assert broken.json["line"] == 18 and broken.json["column"] == 16
    assert client.post("/validate", data=b"x", content_type="image/png").status_code == 415
    assert client.post("/validate", data=b"", content_type="text/turtle").status_code == 400
    assert client.post("/validate", data=b"<a> <b> <c> .").status_code == 415
