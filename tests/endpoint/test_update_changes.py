"""The write path works out what a SPARQL Update changed and acts on that alone (issue 19.1):
it validates the change in the context of the store, keeps the graph records exact without
counting graphs again, refuses managed graphs whatever spells or reaches them, and a refused
update changes nothing, on the in-memory store and on the on-disk versioned store."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import Writable
from endpoint_support import DATA_GRAPH, EX
from flask.testing import FlaskClient

from tcap_kg.namespaces import CATALOG_GRAPH, GRAPH, INFERRED_GRAPH
from tcap_kg.records import read_records
from tcap_kg.settings import Settings
from tcap_kg.tokens import TokenFile
from tcap_kg.web import create_app

FORM = "application/x-www-form-urlencoded"
PREFIXES = (
    "PREFIX tcap: <https://w3id.org/tcap-kg/ontology#> "
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
    "PREFIX city: <https://w3id.org/tcap-kg/id/city/> "
    "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> "
)
DALIAN = (
    "city:dalian a tcap:City ; rdfs:label 'Dalian'@en ; "
    "tcap:inCountry <https://w3id.org/tcap-kg/id/country/china> ; "
    "<http://www.w3.org/2003/01/geo/wgs84_pos#lat> 38.91222 ; "
    "<http://www.w3.org/2003/01/geo/wgs84_pos#long> 121.60222 ; "
    "<http://www.w3.org/ns/prov#wasDerivedFrom> <https://w3id.org/tcap-kg/id/publication/sss-blog-2023> ."
)


@pytest.fixture(params=["memory", "disk"])
def store_writable(
    request: pytest.FixtureRequest, tmp_path: Path, tcap: Callable[..., Any]
) -> Iterator[Writable]:
    tokens = tmp_path / "tokens.json"
    _, token = TokenFile(tokens).create("tester")
    store = "memory:" if request.param == "memory" else str(tmp_path / "store")
    settings = Settings.from_env({}, store=store, update=True, tokens_file=str(tokens))
    if request.param == "disk":
        assert tcap("init", store=store).code == 0
    app = create_app(settings)
    yield Writable(app, app.test_client(), token)
    app.extensions["tcap"].close()


def update(w: Writable, text: str) -> tuple[int, dict[str, object]]:
    response = w.client.post(
        "/sparql", data={"update": PREFIXES + text}, content_type=FORM, headers=w.auth
    )
    return response.status_code, json.loads(response.data)


def triples(client: FlaskClient, graph: str) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    response = client.post("/sparql", data={"query": query}, content_type=FORM)
    return int(response.json["results"]["bindings"][0]["n"]["value"])


def recorded(w: Writable, graph: str) -> int | None:
    record = read_records(w.app.extensions["tcap"].engine).get(graph)
    return None if record is None else record.triples


def test_adding_to_a_city_described_elsewhere_is_accepted(store_writable: Writable) -> None:
    code, body = update(
        store_writable,
        f"INSERT DATA {{ GRAPH <{DATA_GRAPH}> {{ city:beijing skos:altLabel 'Peking'@en }} }}",
    )
    assert code == 200, body
    assert body["graphs"] == {DATA_GRAPH: 1}
    assert recorded(store_writable, DATA_GRAPH) == 1


def test_a_pattern_update_changes_and_records_exactly_what_matched(
    store_writable: Writable,
) -> None:
    code, body = update(
        store_writable,
        f"INSERT DATA {{ GRAPH <{DATA_GRAPH}> {{ <{EX}a> <{EX}b> 'c', 'd', '01'^^xsd:integer }} }}",
    )
    assert code == 200, body
    code, body = update(
        store_writable,
        f"DELETE {{ GRAPH ?g {{ ?s <{EX}b> ?o }} }} INSERT {{ GRAPH ?g {{ ?s <{EX}e> ?o }} }} "
        f"WHERE {{ GRAPH ?g {{ ?s <{EX}b> ?o FILTER (?o IN ('c', 1)) }} }}",
    )
    assert code == 200, body
    assert body["graphs"] == {DATA_GRAPH: 3}
    assert triples(store_writable.client, DATA_GRAPH) == 3 == recorded(store_writable, DATA_GRAPH)
    code, body = update(
        store_writable, f"DELETE DATA {{ GRAPH <{DATA_GRAPH}> {{ <{EX}a> <{EX}e> 1 }} }}"
    )
    assert code == 200 and body["graphs"] == {DATA_GRAPH: 2}
    assert triples(store_writable.client, DATA_GRAPH) == 2 == recorded(store_writable, DATA_GRAPH)
    code, body = update(store_writable, f"CLEAR GRAPH <{DATA_GRAPH}>")
    assert code == 200 and body["graphs"] == {DATA_GRAPH: 0}
    assert recorded(store_writable, DATA_GRAPH) is None


def test_a_deletion_that_leaves_a_violation_is_refused_and_undone(
    store_writable: Writable,
) -> None:
    code, body = update(store_writable, f"INSERT DATA {{ GRAPH <{DATA_GRAPH}> {{ {DALIAN} }} }}")
    assert code == 200, body
    code, body = update(
        store_writable,
        f"DELETE WHERE {{ GRAPH <{DATA_GRAPH}> {{ city:dalian rdfs:label ?name }} }}",
    )
    assert code == 422 and "rdfs:label" in str(body["detail"]), body
    assert triples(store_writable.client, DATA_GRAPH) == 6 == recorded(store_writable, DATA_GRAPH)
    follow_up = f"INSERT DATA {{ GRAPH <{DATA_GRAPH}> {{ city:dalian skos:altLabel 'Lüda'@en }} }}"
    assert update(store_writable, follow_up)[0] == 200
    assert triples(store_writable.client, DATA_GRAPH) == 7 == recorded(store_writable, DATA_GRAPH)


def test_a_variable_graph_reaching_a_managed_graph_changes_nothing(
    store_writable: Writable,
) -> None:
    before = triples(store_writable.client, GRAPH + "data/cities")
    code, body = update(
        store_writable,
        "INSERT { GRAPH ?g { ?city skos:note 'x' } } WHERE { GRAPH ?g { ?city a tcap:City } }",
    )
    assert code == 403 and "managed by TCap KG" in str(body["detail"]), body
    assert triples(store_writable.client, GRAPH + "data/cities") == before
    ask = "ASK { GRAPH ?g { ?city <http://www.w3.org/2004/02/skos/core#note> 'x' } }"
    response = store_writable.client.post("/sparql", data={"query": ask}, content_type=FORM)
    assert response.json["boolean"] is False


@pytest.mark.parametrize(
    "graph",
    [
        CATALOG_GRAPH.replace("https://", "http://"),
        INFERRED_GRAPH,
        INFERRED_GRAPH.replace("https://w3id.org", "https://W3ID.org:443"),
        GRAPH + "dataset/../data/cities",
        GRAPH + "%64ata/cities",
    ],
)
def test_managed_graphs_are_refused_in_any_spelling(writable: Writable, graph: str) -> None:
    code, body = update(writable, f"INSERT DATA {{ GRAPH <{graph}> {{ <{EX}a> <{EX}b> 'c' }} }}")
    assert code == 403, body
    put = writable.client.put(
        "/store",
        query_string={"graph": graph},
        data=f"<{EX}a> <{EX}b> 'c' .",
        content_type="text/turtle",
        headers=writable.auth,
    )
    assert put.status_code == 403, put.data
