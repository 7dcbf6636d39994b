"""Named queries as an API, and the OpenAPI document describing every route."""

from __future__ import annotations

import json
import re

from flask import Flask
from flask.testing import FlaskClient

from tcap_kg.catalogue import catalogue

BEIJING = "https://w3id.org/tcap-kg/id/city/beijing"


def test_list_names_every_query_with_typed_parameters(client: FlaskClient) -> None:
    listed = {q["name"]: q for q in client.get("/api/queries").json["queries"]}
    assert set(listed) == set(catalogue())
    city = listed["city-components"]
    assert city["title"] and city["description"]
    assert city["parameters"] == [
        {
            "name": "city",
            "type": "iri",
            "required": True,
            "description": city["parameters"][0]["description"],
        }
    ]
    assert city["url"] == "/api/queries/city-components"


def test_run_a_named_query_in_each_format(client: FlaskClient) -> None:
    url = "/api/queries/city-components"
    as_json = client.get(url, query_string={"city": BEIJING})
    assert as_json.status_code == 200 and as_json.mimetype == "application/sparql-results+json"
    rows = as_json.json["results"]["bindings"]
    assert rows and {row["city"]["value"] for row in rows} == {BEIJING}
    csv = client.get(url, query_string={"city": BEIJING}, headers={"Accept": "text/csv"})
    assert csv.mimetype == "text/csv" and csv.data.count(b"\r\n") == len(rows) + 1
    tsv = client.get(url, query_string={"city": BEIJING, "format": "tsv"})
    assert tsv.mimetype == "text/tab-separated-values"
    html = client.get(url, query_string={"city": BEIJING, "format": "html"})
    assert html.mimetype == "text/html" and b"<table>" in html.data


def test_parameters_are_bound_as_terms_never_pasted(client: FlaskClient) -> None:
    injection = BEIJING + "> } UNION { ?city ?p ?o"
    response = client.get("/api/queries/city-components", query_string={"city": injection})
    assert response.status_code == 400
    assert "city" in json.loads(response.data)["detail"]
    literal = client.get("/api/queries/city-components", query_string={"city": '"x" } ; DROP ALL'})
    assert literal.status_code == 400


def test_unknown_query_and_bad_parameters(client: FlaskClient) -> None:
    missing = client.get("/api/queries/city-component")
    assert (
        missing.status_code == 404
        and "did you mean 'city-components'" in json.loads(missing.data)["detail"]
    )
    no_param = client.get("/api/queries/city-components")
    assert no_param.status_code == 400 and "'city'" in json.loads(no_param.data)["detail"]
    unknown = client.get(
        "/api/queries/city-components", query_string={"city": BEIJING, "town": "x"}
    )
    assert unknown.status_code == 400 and "'town'" in json.loads(unknown.data)["detail"]
    twice = client.get(f"/api/queries/city-components?city={BEIJING}&city={BEIJING}")
    assert twice.status_code == 400


def test_openapi_describes_every_route_and_named_query(app: Flask, client: FlaskClient) -> None:
    document = client.get("/openapi.json").json
    assert document["openapi"].startswith("3.1")
    paths = document["paths"]
    for rule in app.url_map.iter_rules():
        if rule.endpoint.endswith("static"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        assert path in paths, path
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            assert method.lower() in paths[path]
    sparql_get = paths["/sparql"]["get"]
    assert {p["name"] for p in sparql_get["parameters"]} >= {
        "query",
        "default-graph-uri",
        "named-graph-uri",
    }
    assert "application/sparql-update" in paths["/sparql"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in paths["/store"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" not in paths["/store"]["put"]["requestBody"]["content"]
    for name, query in catalogue().items():
        operation = paths[f"/api/queries/{name}"]["get"]
        declared = {p["name"]: p for p in operation["parameters"]}
        for parameter in query.parameters:
            assert declared[parameter.name]["required"] == parameter.required
    city = {p["name"]: p for p in paths["/api/queries/city-components"]["get"]["parameters"]}
    assert city["city"]["schema"] == {"type": "string", "format": "iri"}
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
