"""Federated queries: SERVICE to an allow-listed endpoint joins data across two servers.

The "external" endpoint is a second real Oxigraph server on 127.0.0.1 holding GeoNames-shaped
fixture data; TCap KG's endpoint joins its own link set with it through `SERVICE`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from flask import Flask

from tcap_kg.namespaces import GRAPH, ID
from tcap_kg.settings import Settings
from tcap_kg.web import create_app

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
LINKS = GRAPH + "data/links/wikidata-geonames"


@pytest.fixture(scope="module")
def external(external_oxigraph_server) -> str:
    """The second endpoint, holding the GeoNames fixture in its default graph."""
    upload = httpx.post(
        external_oxigraph_server.url + "/store?default",
        content=(FIXTURES / "geonames-cities.nt").read_bytes(),
        headers={"Content-Type": "application/n-triples"},
        timeout=10,
    )
    assert upload.status_code in (200, 201, 204), upload.text
    return external_oxigraph_server.query_url


def make_app(allow: str) -> Flask:
    return create_app(Settings.from_env({}, store="memory:", service_allow=(allow,)))


@pytest.fixture(scope="module")
def allowed_app(external: str) -> Iterator[Flask]:
    app = make_app(external)
    yield app
    app.extensions["tcap"].close()


def federated(endpoint: str) -> str:
    return f"""
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX gn: <http://www.geonames.org/ontology#>
SELECT ?city ?name WHERE {{
  GRAPH <{LINKS}> {{ ?city skos:closeMatch ?feature }}
  SERVICE <{endpoint}> {{ ?feature gn:name ?name }}
}} ORDER BY ?city"""


def test_an_allow_listed_service_joins_across_two_servers(allowed_app: Flask, external: str):
    response = allowed_app.test_client().post(
        "/sparql",
        data={"query": federated(external)},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    rows = {
        b["city"]["value"].removeprefix(ID + "city/"): b["name"]["value"]
        for b in response.get_json()["results"]["bindings"]
    }
    assert rows == {
        "beijing": "Beijing",
        "chongqing": "Chongqing",
        "shanghai": "Shanghai",
        "shenzhen": "Shenzhen",
        "tianjin": "Tianjin",
        "wuhan": "Wuhan",
    }


def test_an_endpoint_not_on_the_list_is_refused_naming_the_setting(external: str):
    app = make_app("http://127.0.0.1:1/elsewhere")
    try:
        response = app.test_client().post("/sparql", data={"query": federated(external)})
    finally:
        app.extensions["tcap"].close()
    assert response.status_code == 403
    assert "TCAP_SERVICE_ALLOW" in response.get_data(as_text=True)


def test_the_cli_applies_the_same_allow_list(tcap, external: str):
    refused = tcap("--store", "memory:", "query", federated(external))
    assert refused.code == 2 and "TCAP_SERVICE_ALLOW" in refused.stderr
    allowed = tcap(
        "--store",
        "memory:",
        "query",
        federated(external),
        "--format",
        "csv",
        env={"TCAP_SERVICE_ALLOW": external},
    )
    assert allowed.code == 0, allowed.stderr
    assert "Wuhan" in allowed.stdout and len(allowed.stdout.strip().splitlines()) == 7


def test_federation_also_works_when_the_graph_is_on_a_remote_store(
    tcap, oxigraph_server, external: str
):
    """Here the remote server runs the SERVICE call; TCap KG still applies its allow-list first."""
    store = oxigraph_server.store_location
    assert tcap("init", store=store).code == 0
    refused = tcap("query", federated(external), store=store)
    assert refused.code == 2 and "TCAP_SERVICE_ALLOW" in refused.stderr
    allowed = tcap(
        "query",
        federated(external),
        "--format",
        "csv",
        store=store,
        env={"TCAP_SERVICE_ALLOW": external},
    )
    assert allowed.code == 0, allowed.stderr
    assert len(allowed.stdout.strip().splitlines()) == 7
