"""The same answers from every backend, and each third-party server's quirks met.

Every named query, with every value its parameters can take in the shipped data and the Dalian
example, gives the same rows on the embedded store, `oxigraph serve` and Virtuoso. Virtuoso's
behaviours the remote store works around are shown on the real server (so a Virtuoso that stops
doing them would be noticed), and rdflib-endpoint's ignored dataset parameters are refused.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
from sparql_servers import (
    REMOTE_SERVERS,
    RdflibEndpoint,
    VirtuosoServer,
    emptied,
    remote_settings,
    start_rdflib_endpoint,
)

from tcap_kg.bootstrap import sync_shipped
from tcap_kg.catalogue import NamedQuery, catalogue
from tcap_kg.errors import NotFoundError, StoreError
from tcap_kg.loading import commit_datasets
from tcap_kg.namespaces import GRAPH, TCAP
from tcap_kg.rdfio import format_from_name, parse_bytes
from tcap_kg.settings import Settings
from tcap_kg.store import ChangeSet, OxigraphStore, RemoteStore, Solutions, Store, open_store

REPO = Path(__file__).resolve().parents[2]
EX = "http://example.org/"
DALIAN = GRAPH + "dataset/dalian"
VIRTRDF = "http://www.openlinksw.com/schemas/virtrdf#"
WKT = "http://www.opengis.net/ont/geosparql#wktLiteral"
BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"

virtuoso_only = pytest.mark.skipif(
    "virtuoso" not in REMOTE_SERVERS, reason="TCAP_TEST_SERVERS leaves Virtuoso out"
)


def fill(store: Store) -> Store:
    """The shipped graphs and the Dalian example, as `tcap init` and `tcap load` write them."""
    sync_shipped(store)
    path = REPO / "examples/dalian/dalian.ttl"
    parsed = parse_bytes(path.read_bytes(), format_from_name(path.name), source=path.name)
    commit_datasets(store, [(parsed, DALIAN)])
    return store


@pytest.fixture(scope="module")
def embedded() -> Iterator[Store]:
    store = fill(OxigraphStore.memory())
    yield store
    store.close()


def parameter_values(store: Store, query: NamedQuery) -> list[dict[str, ox.NamedNode]]:
    """Every binding to try: none (if no parameter is required) and each city and source."""
    names = {parameter.name for parameter in query.parameters}
    values: list[dict[str, ox.NamedNode]] = []
    if not any(parameter.required for parameter in query.parameters):
        values.append({})
    pools = {
        "city": f"SELECT DISTINCT ?v WHERE {{ ?v a <{TCAP}City> }}",
        "source": "SELECT DISTINCT ?v WHERE { ?c <http://purl.org/dc/terms/source> ?v }",
    }
    for name in sorted(names):
        assert name in pools, f"no values to try for parameter {name} of {query.name}"
        found = store.query(pools[name])
        assert isinstance(found, Solutions)
        values += [{name: row["v"]} for row in found if isinstance(row["v"], ox.NamedNode)]
    return values


def answer(
    store: Store, query: NamedQuery, bindings: dict[str, ox.NamedNode]
) -> list[tuple[str, ...]]:
    """The rows as text, sorted; GROUP_CONCAT columns as sorted sets of their parts.

    SPARQL leaves the order inside a GROUP_CONCAT open, and engines differ on a concatenation
    of nothing (Virtuoso gives "", Oxigraph leaves it unbound); everything else must be equal.
    """
    concatenated = set(re.findall(r"GROUP_CONCAT\(.*?\)\s+AS\s+\?(\w+)", query.sparql, re.S))
    concatenated |= {
        outer
        for inner, outer in re.findall(r"SAMPLE\(\?(\w+)\)\s+AS\s+\?(\w+)", query.sparql)
        if inner in concatenated
    }
    result = store.query(query.sparql, bindings=bindings)
    assert isinstance(result, Solutions)
    rows = []
    for row in result:
        cells = []
        for name in result.variables:
            term = row[name]
            if name in concatenated:
                cells.append(" ".join(sorted(term.value.split())) if term is not None else "")
            else:
                cells.append(str(term) if term is not None else "")
        rows.append(tuple(cells))
    return sorted(rows)


@pytest.mark.parametrize("server", REMOTE_SERVERS)
def test_every_named_query_gives_the_embedded_stores_rows(
    server: str, request: pytest.FixtureRequest, embedded: Store
):
    remote = fill(emptied(remote_settings(request, server)))
    tried = 0
    for query in catalogue().values():
        for bindings in parameter_values(embedded, query):
            expected = answer(embedded, query, bindings)
            assert answer(remote, query, bindings) == expected, (query.name, bindings)
            tried += 1
    assert tried > 40
    remote.close()


@virtuoso_only
def test_virtuoso_drops_a_body_sent_in_chunks_and_tcap_never_sends_one(virtuoso: VirtuosoServer):
    line = f"<{EX}a> <{EX}p> <{EX}b> .\n".encode()
    settings = virtuoso.settings()
    auth = httpx.DigestAuth(settings["store_user"], settings["store_password"])
    chunked = httpx.post(
        virtuoso.url + "/sparql-graph-crud-auth",
        params={"graph": EX + "chunked"},
        content=iter([line]),
        headers={"Content-Type": "application/n-triples"},
        auth=auth,
        timeout=30,
    )
    assert chunked.status_code in (200, 201), "Virtuoso answers a chunked body with success..."
    store = emptied(settings)
    assert store.count(EX + "chunked") == 0, "...and stores nothing of it"
    store.replace_graph(
        EX + "g",
        [
            ox.Quad(
                ox.NamedNode(EX + "a"),
                ox.NamedNode(EX + "p"),
                ox.NamedNode(EX + "b"),
                ox.NamedNode(EX + "g"),
            )
        ],
    )
    assert store.count(EX + "g") == 1
    store.close()


@virtuoso_only
def test_virtuosos_own_graphs_are_never_listed_exported_or_dropped(
    virtuoso: VirtuosoServer, tcap: Any
):
    store = emptied(virtuoso.settings())
    system = store.query(f"ASK {{ GRAPH <{VIRTRDF}> {{ ?s ?p ?o }} }}")
    assert system is True, "Virtuoso keeps its own graphs beside ours"
    size = _size(store, VIRTRDF)
    forced = tcap("init", "--force", store=virtuoso.settings()["store"], env=virtuoso.environment())
    assert forced.code == 0, forced.stderr
    again = tcap("init", "--force", store=virtuoso.settings()["store"], env=virtuoso.environment())
    assert again.code == 0, again.stderr
    assert _size(store, VIRTRDF) == size
    listed = {info.iri for info in store.graphs()}
    assert VIRTRDF not in listed and GRAPH + "ontology/tcap" in listed
    with pytest.raises(NotFoundError):
        store.drop_graph(VIRTRDF)
    out = io.BytesIO()
    store.export(out, ox.RdfFormat.N_QUADS)
    graphs = {quad.graph_name.value for quad in ox.parse(out.getvalue(), ox.RdfFormat.N_QUADS)}  # type: ignore[union-attr]
    assert graphs == listed
    assert store.count() == sum(info.triples for info in store.graphs())
    store.close()


def _size(store: Store, graph: str) -> int:
    result = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    assert isinstance(result, Solutions)
    return int(next(iter(result))["n"].value)  # type: ignore[union-attr]


@virtuoso_only
def test_virtuoso_digest_credentials_are_checked_and_anonymous_writes_explained(
    virtuoso: VirtuosoServer,
):
    wrong = {**virtuoso.settings(), "store_password": "not-the-password"}
    with pytest.raises(StoreError, match="TCAP_STORE_USER"):
        open_store(Settings.from_env({}, **wrong))
    anonymous = open_store(
        Settings.from_env({}, store=f"sparql+{virtuoso.url}/sparql"), read_only=True
    )
    assert anonymous.query("ASK {}") is True
    anonymous.close()
    writer = emptied(virtuoso.settings())
    writer.close()
    with pytest.raises(StoreError, match="SPARQL_UPDATE"):
        open_store(Settings.from_env({}, store=f"sparql+{virtuoso.url}/sparql")).add([_quad(1)])


@virtuoso_only
def test_virtuosos_row_cap_is_an_error_naming_the_setting(virtuoso: VirtuosoServer):
    settings = virtuoso.settings()
    capped = {**settings, "store": settings["store"] + "?maxrows=100"}
    with pytest.raises(StoreError, match=r"cut an answer at 100 rows.*ResultSetMaxRows"):
        open_store(Settings.from_env({}, **capped))
    store = emptied(settings)
    store.replace_graph(EX + "big", [_quad(i) for i in range(10_100)])
    store.close()
    loose = open_store(
        Settings.from_env({}, **{**settings, "store": settings["store"] + "?maxrows=10002"})
    )
    with pytest.raises(StoreError, match=r"cut an answer at 10002 rows.*ResultSetMaxRows"):
        loose.export(io.BytesIO(), ox.RdfFormat.N_QUADS)
    with pytest.raises(StoreError, match="cut an answer"):
        list(loose.query("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }"))  # type: ignore[call-overload]
    loose.close()


def _quad(i: int) -> ox.Quad:
    return ox.Quad(
        ox.NamedNode(f"{EX}s{i}"),
        ox.NamedNode(EX + "p"),
        ox.Literal(str(i)),
        ox.NamedNode(EX + "big"),
    )


@pytest.mark.parametrize("server", REMOTE_SERVERS)
def test_the_literal_probe_is_kept_in_the_store_for_every_handle(
    server: str, request: pytest.FixtureRequest
):
    settings = remote_settings(request, server)
    writer = emptied(settings)
    writer.close()
    fresh = open_store(Settings.from_env({}, **settings))
    reader = open_store(Settings.from_env({}, **settings), read_only=True)
    expected = frozenset({WKT, BOOLEAN}) if server == "virtuoso" else frozenset()
    assert fresh.capabilities.literal_standins == reader.capabilities.literal_standins == expected
    assert isinstance(fresh, RemoteStore) and fresh.capabilities.skolemised_blank_nodes
    fresh.close()
    reader.close()


@pytest.fixture(scope="module")
def rdflib_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RdflibEndpoint]:
    """rdflib-endpoint started on a dump of an initialised store: building the store through its
    SPARQL Update takes rdflib about 30 s (its parser, not ours); the writes this test makes
    are a dataset load, through the same path."""
    directory = tmp_path_factory.mktemp("rdflib-endpoint")
    shipped = OxigraphStore.memory()
    sync_shipped(shipped)
    dump = directory / "initialised.nq"
    with dump.open("wb") as out:
        shipped.export(out, ox.RdfFormat.N_QUADS)
    shipped.close()
    endpoint = start_rdflib_endpoint(directory, [dump])
    yield endpoint
    endpoint.stop()


def test_rdflib_endpoint_serves_but_narrowed_queries_and_links_are_refused(
    rdflib_endpoint: RdflibEndpoint, tcap: Any
):
    location = rdflib_endpoint.store_location
    assert tcap("init", store=location).code == 0
    loaded = tcap(
        "load", "--graph", DALIAN, str(REPO / "examples/dalian/dalian.ttl"), store=location
    )
    assert loaded.code == 0, loaded.stderr
    cities = tcap("query", "--name", "cities", "--format", "csv", store=location)
    assert cities.code == 0 and "Dalian" in cities.stdout
    linked = tcap("link", "dataset/dalian", store=location)
    assert linked.code != 0 and "default-graph-uri" in linked.stderr
    narrowed = tcap(
        "query", "--default-graph", DALIAN, "SELECT * WHERE { ?s ?p ?o }", store=location
    )
    assert narrowed.code != 0 and "rdflib-endpoint does not" in narrowed.stderr
    store = open_store(Settings.from_env({}, store=location))
    assert GRAPH + "linkset/geonames/dataset/dalian" not in {info.iri for info in store.graphs()}
    for info in store.graphs():
        store.commit(ChangeSet(drop_graphs=[info.iri]))
    store.close()
