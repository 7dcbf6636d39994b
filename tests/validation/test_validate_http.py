"""POST /validate: the same report over HTTP, by content negotiation, storing nothing."""

from __future__ import annotations

import html
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

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
    assert "Add the city's Wikidata ID" in html.unescape(page)


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


def _files(*paths: Path) -> dict[str, list[tuple[object, str]]]:
    return {"file": [(path.open("rb"), path.name) for path in paths]}


def test_several_uploads_are_checked_together_and_named_by_file(client: FlaskClient) -> None:
    cities, claims = TEMPLATES / "dalian" / "cities.csv", TEMPLATES / "dalian" / "claims.csv"
    alone = client.post("/validate", data=_files(claims), content_type="multipart/form-data")
    assert alone.json["conforms"] is False
    scope = alone.json["nodes"][0]["findings"][0]
    assert scope["sourceShape"].endswith("#Claim-scope")
    assert scope["location"]["text"] == "claims.csv row 2, column scope_city_id"
    together = client.post(
        "/validate", data=_files(cities, claims), content_type="multipart/form-data"
    )
    assert together.json["conforms"] is True, together.json
    assert together.json["sources"] == ["cities.csv", "claims.csv"]
    located = {f["location"]["source"] for node in together.json["nodes"] for f in node["findings"]}
    assert located == {"cities.csv", "claims.csv"}


def _zip(folder: Path, *members: tuple[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_zip_upload_and_a_zip_body(client: FlaskClient, tmp_path: Path) -> None:
    bad = (CORPUS / "wrong-datatype-cities.csv").read_bytes()
    archive = _zip(
        tmp_path,
        ("dalian/claims.csv", (TEMPLATES / "dalian" / "claims.csv").read_bytes()),
        ("dalian/cities.csv", bad),
        ("__MACOSX/dalian/._cities.csv", b"\x00\x05"),
        ("README.txt", b"notes"),
    )
    upload = client.post(
        "/validate",
        data={"file": (io.BytesIO(archive), "dalian.zip")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 200
    assert upload.json["sources"] == [
        "dalian.zip/dalian/claims.csv",
        "dalian.zip/dalian/cities.csv",
    ]
    latitude = next(
        f
        for node in upload.json["nodes"]
        for f in node["findings"]
        if f["sourceShape"].endswith("#latitude")
    )
    assert latitude["location"]["text"] == "dalian.zip/dalian/cities.csv row 2, column latitude"
    body = client.post("/validate", data=archive, content_type="application/zip")
    assert body.json["counts"] == upload.json["counts"]
    assert body.json["sources"][0] == "request body.zip/dalian/claims.csv"
    empty = client.post(
        "/validate", data=_zip(tmp_path, ("notes.txt", b"x")), content_type="application/zip"
    )
    assert empty.status_code == 400 and "no RDF or CSV files" in empty.json["detail"]
    broken = client.post("/validate", data=b"PK\x03\x04 not really", content_type="application/zip")
    assert broken.status_code == 400 and "zip" in broken.json["detail"]


def test_a_zip_bomb_is_refused_before_it_is_unpacked(client: FlaskClient, tmp_path: Path) -> None:
    limited = create_app(Settings.from_env({}, store="memory:", max_file_bytes=1024 * 1024))
    try:
        bomb = _zip(tmp_path, ("cities.csv", b"city_id\n" + b"x" * 50 * 1024 * 1024))
        assert len(bomb) < 200 * 1024
        answer = limited.test_client().post("/validate", data=bomb, content_type="application/zip")
        assert answer.status_code == 413, answer.json
        assert "unpacks to more than" in answer.json["detail"]
    finally:
        limited.extensions["tcap"].close()


def test_syntax_errors_show_the_lines_over_http(client: FlaskClient) -> None:
    text = (
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "<https://w3id.org/tcap-kg/id/city/dalian> a <https://w3id.org/tcap-kg/ontology#City> ;\n"
        '    rdfs:label "Dalian"@en\n'
        '    rdfs:label "大连市"@zh-Hans .\n'
    )
    problem = client.post("/validate", data=text.encode(), content_type="text/turtle")
    assert problem.status_code == 400
    assert problem.json["line"] == 4
    assert "missing at the end of line 3" in problem.json["detail"]
    assert problem.json["excerpt"].splitlines()[0].startswith("  3 |")
    page = client.post(
        "/validate",
        data={"text": text, "format": "turtle"},
        headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"},
    )
    assert page.status_code == 400 and page.content_type.startswith("text/html")
    shown = page.get_data(as_text=True)
    assert '<nav class="site-nav"' in shown and "pasted text:4:5" in shown
    assert "  4 |     rdfs:label" in shown and "^^^^" in shown


def test_pasted_rdf_xml_and_a_file_without_extension(client: FlaskClient) -> None:
    xml = (CORPUS / "malformed-geonames-id.rdf").read_text(encoding="utf-8")
    pasted = client.post("/validate", data={"text": xml, "format": "rdfxml"})
    assert pasted.status_code == 200 and pasted.json["counts"]["Violation"] >= 1
    named = client.post(
        "/validate",
        data={"file": (io.BytesIO(xml.encode()), "export"), "format": "rdfxml"},
        content_type="multipart/form-data",
    )
    assert named.json["sources"] == ["export"]
