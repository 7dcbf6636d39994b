"""What only the remote backend does: URL derivation, staging uploads, cleanup, HTTP errors.

The shared store contract runs on this backend too (tests/store/test_store_contract.py).
"""

from __future__ import annotations

import base64
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import pyoxigraph as ox
import pytest

from tcap_kg.bulk import load_dumps
from tcap_kg.errors import InputError, QueryError, StoreError
from tcap_kg.namespaces import STAGING_PREFIX
from tcap_kg.settings import Settings
from tcap_kg.store import ChangeSet, RemoteStore, Solutions, open_store
from tcap_kg.store.remote import Endpoints, bind

EX = "http://example.org/"
G = EX + "g"


def remote(location: str, *, read_only: bool = False, **settings: str) -> RemoteStore:
    store = open_store(Settings.from_env({}, store=location, **settings), read_only=read_only)
    assert isinstance(store, RemoteStore)
    return store


@pytest.fixture
def store(oxigraph_server) -> Iterator[RemoteStore]:
    opened = remote(oxigraph_server.store_location)
    opened.update("DROP ALL")
    yield opened
    opened.close()


def endpoints(location: str, **settings: str) -> Endpoints:
    return Endpoints.from_settings(Settings.from_env({}, store=location, **settings))


def test_urls_are_derived_from_the_query_url():
    oxigraph = endpoints("sparql+http://db:7878/query")
    assert (oxigraph.query, oxigraph.update, oxigraph.gsp) == (
        "http://db:7878/query",
        "http://db:7878/update",
        "http://db:7878/store",
    )
    virtuoso = endpoints("sparql+https://db.example.org/sparql")
    assert (virtuoso.query, virtuoso.update, virtuoso.gsp) == (
        "https://db.example.org/sparql",
        "https://db.example.org/sparql",
        None,
    )
    fuseki = endpoints("sparql+http://db:3030/ds/query", store_gsp_url="http://db:3030/ds/data")
    assert (fuseki.update, fuseki.gsp) == ("http://db:3030/ds/update", "http://db:3030/ds/data")
    assert endpoints("sparql+http://db/q?union-default-graph").query_params == (
        ("union-default-graph", ""),
    )


@pytest.mark.parametrize(
    "location, message",
    [
        ("sparql+http://user:secret@db/query", "TCAP_STORE_USER"),
        ("sparql+http:///query", "no host"),
    ],
)
def test_bad_store_urls_are_refused(location: str, message: str):
    with pytest.raises(InputError, match=message):
        endpoints(location)


def test_bindings_go_into_the_where_clause_as_values():
    term = ox.Literal('a "quoted" } value')
    text = bind("SELECT ?s ?o WHERE { ?s ?p ?o } # { not here\n", {"o": term, "unused": term})
    assert text.startswith('SELECT ?s ?o WHERE { VALUES (?o) { ("a \\"quoted\\" } value") }')
    construct = bind("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", {"s": ox.NamedNode(EX + "a")})
    assert construct.index("VALUES") > construct.index("WHERE")
    described = bind("DESCRIBE ?s", {"s": ox.NamedNode(EX + "a")})
    assert described.endswith(f"VALUES (?s) {{ (<{EX}a>) }}")
    with pytest.raises(QueryError, match="blank node"):
        bind("SELECT ?s WHERE { ?s ?p ?o }", {"s": ox.BlankNode()})


def test_a_large_commit_is_staged_by_the_graph_store_protocol(store: RemoteStore):
    store.inline_bytes = 1000
    node = ox.BlankNode()
    quads = [
        ox.Quad(
            ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(EX + "p"), ox.Literal(f"v{i}"), ox.NamedNode(G)
        )
        for i in range(500)
    ]
    quads += [
        ox.Quad(ox.NamedNode(EX + "city"), ox.NamedNode(EX + "geo"), node, ox.NamedNode(G)),
        ox.Quad(node, ox.NamedNode(EX + "wkt"), ox.Literal("POINT(1 2)"), ox.NamedNode(G)),
    ]
    store.add(
        [
            ox.Quad(
                ox.NamedNode(EX + "old"), ox.NamedNode(EX + "p"), ox.Literal("x"), ox.NamedNode(G)
            )
        ]
    )
    store.commit(ChangeSet(drop_graphs=[G], add=quads))
    assert store.count(G) == 502
    assert not store.has_graph(EX + "old")
    joined = store.query(f"ASK {{ <{EX}city> <{EX}geo>/<{EX}wkt> ?w }}")
    assert joined is True
    leftovers = store.query(
        f'ASK {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{STAGING_PREFIX}")) }}'
    )
    assert leftovers is False


def test_a_failed_upload_leaves_the_store_as_it_was(oxigraph_server, store: RemoteStore):
    store.add(
        [ox.Quad(ox.NamedNode(EX + "a"), ox.NamedNode(EX + "p"), ox.Literal("1"), ox.NamedNode(G))]
    )
    broken = remote(oxigraph_server.store_location, store_gsp_url=oxigraph_server.url + "/nowhere")
    broken.inline_bytes = 10
    with pytest.raises(StoreError, match="/nowhere"):
        broken.replace_graph(
            G,
            [
                ox.Quad(
                    ox.NamedNode(EX + "b"), ox.NamedNode(EX + "p"), ox.Literal("2"), ox.NamedNode(G)
                )
            ],
        )
    broken.close()
    assert store.count(G) == 1


def test_abandoned_staging_graphs_are_dropped_and_running_ones_kept(
    oxigraph_server, store: RemoteStore
):
    old = f"{STAGING_PREFIX}{int(time.time()) - 7 * 3600}:dead:0"
    fresh = f"{STAGING_PREFIX}{int(time.time())}:running:0"
    store.update(
        f"INSERT DATA {{ GRAPH <{old}> {{ <{EX}a> <{EX}p> 1 }} GRAPH <{fresh}> {{ <{EX}b> <{EX}p> 2 }} }}"
    )
    assert [g.iri for g in store.graphs() if g.iri.startswith(STAGING_PREFIX)] == []
    remote(oxigraph_server.store_location).close()
    remaining = store.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert isinstance(remaining, Solutions)
    names = {row["g"].value for row in remaining}  # type: ignore[union-attr]
    assert fresh in names and old not in names


def test_read_only_handles_refuse_writes(oxigraph_server):
    reader = remote(oxigraph_server.store_location, read_only=True)
    with pytest.raises(StoreError, match="read-only"):
        reader.update(f"INSERT DATA {{ GRAPH <{G}> {{ <{EX}a> <{EX}p> 1 }} }}")
    reader.close()


def test_an_unreachable_store_is_named_in_the_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    location = f"sparql+http://127.0.0.1:{port}/query"
    with pytest.raises(
        StoreError, match=r"cannot reach the store at http://127\.0\.0\.1:\d+/query"
    ):
        remote(location).count()


class _Recorder(BaseHTTPRequestHandler):
    """A server that redirects or refuses, recording what it was sent."""

    seen: ClassVar[list[tuple[str, str | None]]] = []

    def do_POST(self) -> None:
        _Recorder.seen.append((self.path, self.headers.get("Authorization")))
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path.startswith("/moved"):
            self.send_response(302)
            self.send_header("Location", "http://127.0.0.1:9/elsewhere")
        else:
            self.send_response(401)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[str]:
    _Recorder.seen = []
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_redirects_are_never_followed(recorder: str):
    store = remote(f"sparql+{recorder}/moved/query", read_only=True)
    with pytest.raises(StoreError, match="follows no redirects"):
        store.query("ASK {}")
    assert [path for path, _ in _Recorder.seen] == ["/moved/query"]


def test_credentials_are_sent_and_a_refusal_names_the_settings(recorder: str):
    store = remote(
        f"sparql+{recorder}/query", read_only=True, store_user="reader", store_password="pw"
    )
    with pytest.raises(StoreError, match="TCAP_STORE_USER"):
        store.query("ASK {}")
    token = remote(f"sparql+{recorder}/query", read_only=True, store_token="t0k3n")
    with pytest.raises(StoreError):
        token.query("ASK {}")
    headers = [auth for _, auth in _Recorder.seen]
    assert headers[0] == "Basic " + base64.b64encode(b"reader:pw").decode()
    assert headers[-1] == "Bearer t0k3n"


def test_bulk_load_streams_ntriples_and_splits_nquads_by_graph(store: RemoteStore, tmp_path: Path):
    triples = tmp_path / "dump.nt"
    triples.write_text("".join(f'<{EX}e{i}> <{EX}p> "{i}" .\n' for i in range(300)))
    quads = tmp_path / "dump.nq"
    quads.write_text(
        f'<{EX}a> <{EX}p> "1" <{EX}one> .\n<{EX}b> <{EX}p> "2" <{EX}two> .\n<{EX}c> <{EX}p> "3" .\n'
    )
    assert load_dumps(store, [triples], G).graphs == {G: 300}
    assert load_dumps(store, [quads], EX + "rest").graphs == {
        EX + "one": 1,
        EX + "two": 1,
        EX + "rest": 1,
    }
    assert store.count(G) == 300
