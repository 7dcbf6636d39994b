"""The whole app on a remote store: a real `oxigraph serve` or Virtuoso holds the graph, TCap KG
runs on it (CLI, `tcap serve`, named queries, export, writes through the endpoint)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
from processes import stop
from sparql_servers import REMOTE_SERVERS, emptied, remote_settings

from tcap_kg.namespaces import GRAPH
from tcap_kg.tokens import TokenFile

REPO = Path(__file__).resolve().parents[2]
DALIAN = GRAPH + "dataset/dalian"
WIKIDATA = GRAPH + "external/wikidata"
WRITTEN = GRAPH + "dataset/written-through-the-endpoint"
EX = "http://example.org/"


@pytest.fixture(scope="module", params=REMOTE_SERVERS)
def loaded(request: pytest.FixtureRequest) -> dict[str, str]:
    """The `TCAP_*` variables of an emptied server, initialised and holding the Dalian example,
    loaded by the real CLI."""
    settings = remote_settings(request, request.param)
    emptied(settings).close()
    variables = {f"TCAP_{key.upper()}": value for key, value in settings.items()}
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TCAP_")}
    environment.update(variables)
    for args in (["init"], ["load", "--graph", DALIAN, str(REPO / "examples/dalian/dalian.ttl")]):
        done = subprocess.run(
            [sys.executable, "-m", "tcap_kg", *args],
            env=environment,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
    return variables


def test_the_cli_works_on_a_remote_store(
    loaded: dict[str, str], tcap: Callable[..., Any], tmp_path: Path
) -> None:
    def run(*args: str) -> Any:
        return tcap(*args, store=loaded["TCAP_STORE"], env=loaded)

    graphs = run("graphs")
    assert graphs.code == 0 and DALIAN in graphs.stdout and "data/cities" in graphs.stdout
    cities = run("query", "--name", "cities", "--format", "csv")
    assert cities.code == 0 and "Dalian" in cities.stdout and "Wuhan" in cities.stdout
    refused = run("load", str(REPO / "tests/data/invalid/duplicate-city.ttl"))
    assert refused.code == 1
    assert run("graphs").stdout == graphs.stdout
    linked = run("link", "dataset/dalian")
    assert linked.code == 0 and "1814087" in linked.stdout
    streamed = run(
        "load",
        "--no-validate",
        "--graph",
        WIKIDATA,
        str(REPO / "tests/fixtures/wikidata-cities.nt"),
    )
    assert streamed.code == 0 and "streamed 27 triples" in streamed.stdout
    dump = tmp_path / "all.trig"
    exported = run("export", "--format", "trig", "-o", str(dump))
    assert exported.code == 0
    graph_names = {q.graph_name.value for q in ox.parse(path=str(dump), format=ox.RdfFormat.TRIG)}
    assert {DALIAN, WIKIDATA, GRAPH + "linkset/geonames/dataset/dalian"} <= graph_names


@dataclass
class Served:
    """`tcap serve` on the remote store, with updates on and a write token."""

    url: str
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture(scope="module")
def served(loaded: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`tcap serve` (granian) running on the remote store."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    tokens = tmp_path_factory.mktemp("tokens") / "tokens.json"
    _, token = TokenFile(tokens).create("tester")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TCAP_")}
    environment.update(
        {
            **loaded,
            "TCAP_PORT": str(port),
            "TCAP_WORKERS": "2",
            "TCAP_LOG_LEVEL": "WARNING",
            "TCAP_UPDATE": "on",
            "TCAP_TOKENS_FILE": str(tokens),
        }
    )
    environment.pop("PROMETHEUS_MULTIPROC_DIR", None)
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "tcap_kg", "serve"],
            env=environment,
            stdout=sink,
            stderr=subprocess.STDOUT,
            cwd=log.parent,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 15
    try:
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"tcap serve did not come up:\n{log.read_text(errors='replace')}"
                )
            try:
                if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield Served(url, token)
    finally:
        stop(process, timeout=20)


def test_the_endpoint_and_named_queries_answer_from_the_remote_store(served: Served) -> None:
    health = httpx.get(served.url + "/healthz", timeout=30)
    assert health.status_code == 200 and health.json()["store"] == "remote"
    answer = httpx.get(
        served.url + "/sparql",
        params={
            "query": "PREFIX tcap: <https://w3id.org/tcap-kg/ontology#> "
            "SELECT (COUNT(?c) AS ?n) WHERE { ?c a tcap:City }"
        },
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    assert int(answer.json()["results"]["bindings"][0]["n"]["value"]) == 19 + 1  # shipped + Dalian
    named = httpx.get(served.url + "/api/queries/cities", timeout=30)
    assert named.status_code == 200 and "Dalian" in named.text
    void = httpx.get(served.url + "/.well-known/void", timeout=30)
    assert void.status_code == 200 and DALIAN in void.text
    page = httpx.get(served.url + "/city/dalian", timeout=30)
    assert page.status_code == 200 and "Dalian" in page.text


def count_in(served: Served, graph: str) -> int:
    """Triples in a graph, asked through the served endpoint (answers may come from its cache)."""
    answer = httpx.get(
        served.url + "/sparql",
        params={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return int(answer.json()["results"]["bindings"][0]["n"]["value"])


def test_writes_through_the_endpoint_are_validated_and_reach_the_remote_store(
    served: Served,
) -> None:
    target = {"graph": WRITTEN}
    assert count_in(served, WRITTEN) == 0
    put = httpx.put(
        served.url + "/store",
        params=target,
        content=f"<{EX}alice> <{EX}name> 'Alice' .".encode(),
        headers={**served.auth, "Content-Type": "text/turtle"},
        timeout=60,
    )
    assert put.status_code == 201, put.text
    assert count_in(served, WRITTEN) == 1
    update = httpx.post(
        served.url + "/sparql",
        data={"update": f"INSERT DATA {{ GRAPH <{WRITTEN}> {{ <{EX}bob> <{EX}name> 'Bob' }} }}"},
        headers=served.auth,
        timeout=60,
    )
    assert update.status_code == 200, update.text
    assert count_in(served, WRITTEN) == 2
    refused = httpx.put(
        served.url + "/store",
        params=target,
        content=(REPO / "tests/data/invalid/duplicate-city.ttl").read_bytes(),
        headers={**served.auth, "Content-Type": "text/turtle"},
        timeout=60,
    )
    assert refused.status_code == 422, refused.text
    assert count_in(served, WRITTEN) == 2
    dump = httpx.get(served.url + "/dump.trig", timeout=60)
    assert dump.status_code == 200
    graphs = {q.graph_name.value for q in ox.parse(dump.content, ox.RdfFormat.TRIG)}
    assert {WRITTEN, DALIAN} <= graphs
    gone = httpx.delete(served.url + "/store", params=target, headers=served.auth, timeout=60)
    assert gone.status_code == 204
    assert count_in(served, WRITTEN) == 0
