"""What only the remote backend does: URLs, staged and verified writes, cleanup, HTTP and auth.

The shared store contract runs on every server too (tests/store/test_store_contract.py); the
servers' own quirks are in test_servers.py.
"""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import httpx
import pyoxigraph as ox
import pytest
from processes import free_port

from tcap_kg.bulk import load_dumps
from tcap_kg.errors import InputError, StoreError
from tcap_kg.namespaces import STAGING_PREFIX
from tcap_kg.settings import Settings
from tcap_kg.store import ChangeSet, RemoteStore, Solutions, Store, open_store
from tcap_kg.store.remote import Endpoints

EX = "http://example.org/"
G = EX + "g"


def remote(location: str, *, read_only: bool = False, **settings: str) -> RemoteStore:
    store = open_store(Settings.from_env({}, store=location, **settings), read_only=read_only)
    assert isinstance(store, RemoteStore)
    return store


def quads(n: int, graph: str = G, start: int = 0) -> list[ox.Quad]:
    return [
        ox.Quad(
            ox.NamedNode(f"{EX}s{i}"),
            ox.NamedNode(EX + "p"),
            ox.Literal(f"v{i}"),
            ox.NamedNode(graph),
        )
        for i in range(start, start + n)
    ]


def staging_left(store: Store) -> bool:
    result = store.query(
        f'ASK {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{STAGING_PREFIX}")) }}'
    )
    return result is True


def endpoints(location: str, **settings: str) -> Endpoints:
    return Endpoints.from_settings(Settings.from_env({}, store=location, **settings))


def test_urls_are_derived_from_the_query_url():
    oxigraph = endpoints("sparql+http://db:7878/query")
    assert (oxigraph.query, oxigraph.update, oxigraph.gsp) == (
        "http://db:7878/query",
        "http://db:7878/update",
        "http://db:7878/store",
    )
    virtuoso = endpoints("sparql+https://db.example.org/sparql-auth")
    assert (virtuoso.query, virtuoso.update, virtuoso.gsp) == (
        "https://db.example.org/sparql-auth",
        "https://db.example.org/sparql-auth",
        None,
    )
    assert virtuoso.uses_tls and not oxigraph.uses_tls
    fuseki = endpoints("sparql+http://db:3030/ds/query", store_gsp_url="http://db:3030/ds/data")
    assert (fuseki.update, fuseki.gsp) == ("http://db:3030/ds/update", "http://db:3030/ds/data")
    assert endpoints("sparql+http://db/q?maxrows=5").query_params == (("maxrows", "5"),)


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


def test_a_commit_goes_out_in_pieces_and_leaves_no_staging(remote_store: Store):
    assert isinstance(remote_store, RemoteStore)
    remote_store.piece_bytes = 1000
    node = ox.BlankNode()
    change = [
        *quads(500),
        ox.Quad(ox.NamedNode(EX + "city"), ox.NamedNode(EX + "geo"), node, ox.NamedNode(G)),
        ox.Quad(node, ox.NamedNode(EX + "wkt"), ox.Literal("POINT(1 2)"), ox.NamedNode(G)),
    ]
    remote_store.add(quads(1, EX + "old"))
    remote_store.commit(ChangeSet(drop_graphs=[G, EX + "old"], add=change))
    assert remote_store.count(G) == 502
    assert not remote_store.has_graph(EX + "old")
    assert remote_store.query(f"ASK {{ <{EX}city> <{EX}geo>/<{EX}wkt> ?w }}") is True
    assert not staging_left(remote_store)


def test_the_same_commit_without_a_graph_store_goes_by_insert_data(oxigraph_server):
    store = remote(oxigraph_server.store_location, store_gsp_url="")
    store.endpoints = Endpoints(store.endpoints.query, store.endpoints.update, None)
    store.piece_bytes = 500
    store.replace_graph(G, quads(40))
    assert store.count(G) == 40 and not staging_left(store)
    store.close()


def test_a_failed_upload_leaves_the_store_as_it_was(oxigraph_server):
    store = remote(oxigraph_server.store_location)
    store.replace_graph(G, quads(1))
    broken = remote(oxigraph_server.store_location, store_gsp_url=oxigraph_server.url + "/nowhere")
    with pytest.raises(StoreError, match="/nowhere"):
        broken.replace_graph(G, quads(3, start=10))
    broken.close()
    assert store.count(G) == 1 and not staging_left(store)
    store.close()


def test_abandoned_staging_graphs_are_dropped_and_running_ones_kept(oxigraph_server):
    store = remote(oxigraph_server.store_location)
    dead, running = f"{int(time.time()) - 7 * 3600}:dead:", f"{int(time.time())}:running:"
    old, fresh = f"{STAGING_PREFIX}{dead}0", f"{STAGING_PREFIX}{running}0"
    store._post_update(  # as killed and running commits leave them: marked, staged
        "INSERT DATA { GRAPH <urn:tcap:store> { "
        f'<{old}> <urn:tcap:store:filling> "{STAGING_PREFIX}{dead}" . '
        f'<{fresh}> <urn:tcap:store:filling> "{STAGING_PREFIX}{running}" . }} '
        f"GRAPH <{old}> {{ <{EX}a> <{EX}p> 1 }} GRAPH <{fresh}> {{ <{EX}b> <{EX}p> 2 }} }}"
    )
    assert [g.iri for g in store.graphs() if g.iri.startswith(STAGING_PREFIX)] == []
    remote(oxigraph_server.store_location).close()
    remaining = store.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert isinstance(remaining, Solutions)
    names = {row["g"].value for row in remaining}  # type: ignore[union-attr]
    assert fresh in names and old not in names
    store.update(f"DROP GRAPH <{fresh}> ; DROP SILENT GRAPH <urn:tcap:store>")
    store.close()


def test_graphs_a_killed_load_was_filling_are_dropped_unless_kept(oxigraph_server):
    store = remote(oxigraph_server.store_location)
    store.replace_graph(G, quads(2))
    killed = f"{STAGING_PREFIX}{int(time.time()) - 7 * 3600}:dead:"
    running = f"{STAGING_PREFIX}{int(time.time())}:running:"
    marks = {EX + "half": killed, G: killed, EX + "busy": running}
    store._post_update(  # as a killed load leaves it: marked, filled, not registered
        "INSERT DATA { GRAPH <urn:tcap:store> { "
        + " ".join(f'<{g}> <urn:tcap:store:filling> "{load}" .' for g, load in marks.items())
        + f" }} GRAPH <{EX}half> {{ <{EX}a> <{EX}p> 1 }} GRAPH <{EX}busy> {{ <{EX}a> <{EX}p> 1 }} }}"
    )
    remote(oxigraph_server.store_location).close()
    left = store.query(
        "SELECT ?g WHERE { GRAPH <urn:tcap:store> { ?g <urn:tcap:store:filling> ?load } }"
    )
    assert [row["g"] for row in left] == [ox.NamedNode(EX + "busy")]  # type: ignore[union-attr]
    assert store._counts([EX + "half", G, EX + "busy"]) == {G: 2, EX + "busy": 1}
    store.update(f"DROP SILENT GRAPH <{EX}busy> ; DROP SILENT GRAPH <urn:tcap:store>")
    store.close()


def test_read_only_handles_refuse_writes(oxigraph_server):
    reader = remote(oxigraph_server.store_location, read_only=True)
    with pytest.raises(StoreError, match="read-only"):
        reader.update(f"INSERT DATA {{ GRAPH <{G}> {{ <{EX}a> <{EX}p> 1 }} }}")
    with pytest.raises(StoreError, match="read-only"):
        reader.add(quads(1))
    reader.close()


def test_an_unreachable_store_is_named_in_the_error():
    location = f"sparql+http://127.0.0.1:{free_port()}/query"
    with pytest.raises(
        StoreError, match=r"cannot reach the store at http://127\.0\.0\.1:\d+/query"
    ):
        remote(location)


def test_bulk_load_streams_ntriples_and_splits_nquads_by_graph(remote_store: Store, tmp_path: Path):
    assert isinstance(remote_store, RemoteStore)
    remote_store.piece_bytes = 4000
    triples = tmp_path / "dump.nt"
    lines = "".join(f'<{EX}e{i}> <{EX}p> "{i}" .\n' for i in range(300))
    triples.write_text(lines + f'_:b <{EX}p> _:c .\n_:c <{EX}p> "1" .\n')
    nquads = tmp_path / "dump.nq"
    nquads.write_text(
        f'<{EX}a> <{EX}p> "1" <{EX}one> .\n<{EX}b> <{EX}p> "2" <{EX}two> .\n<{EX}c> <{EX}p> "3" .\n'
    )
    assert load_dumps(remote_store, [triples], G).graphs == {G: 302}
    assert load_dumps(remote_store, [triples], G).graphs == {G: 302}, "a reload is staged"
    assert load_dumps(remote_store, [nquads], EX + "rest").graphs == {
        EX + "one": 1,
        EX + "two": 1,
        EX + "rest": 1,
    }
    assert remote_store.count(G) == 302
    chained = remote_store.query(f'ASK {{ ?x <{EX}p>/<{EX}p> "1" FILTER(isBlank(?x)) }}')
    assert chained is True and not staging_left(remote_store)


def test_a_dump_with_repeated_lines_is_counted_as_the_server_holds_it(
    remote_store: Store, tmp_path: Path
):
    dump = tmp_path / "twice.nt"
    line = f'<{EX}a> <{EX}p> "x" .\n'
    dump.write_text("# a comment\n" + line + line + f'<{EX}b> <{EX}p> "1" .\n')
    assert load_dumps(remote_store, [dump], G).graphs == {G: 2}


class _Swallowing(BaseHTTPRequestHandler):
    """A proxy in front of a real server that answers some writes with success and drops them,
    as Virtuoso does with a body sent in chunks, or cuts tab-separated answers short without a
    word, as a server with a row cap may."""

    upstream: ClassVar[str] = ""
    swallow: ClassVar[str] = ""
    cut: ClassVar[int | None] = None

    def do_GET(self) -> None:
        self._relay()

    def do_POST(self) -> None:
        self._relay()

    def _relay(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.command == "POST" and self.path.startswith(self.swallow):
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        headers = {
            k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")
        }
        answer = httpx.request(
            self.command, self.upstream + self.path, content=body, headers=headers, timeout=30
        )
        content = answer.content
        if self.cut is not None and answer.headers.get("content-type", "").startswith("text/tab"):
            content = b"".join(content.splitlines(keepends=True)[: self.cut + 1])
        self.send_response(answer.status_code)
        if "content-type" in answer.headers:
            self.send_header("Content-Type", answer.headers["content-type"])
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def swallowing(oxigraph_server) -> Iterator[str]:
    """The proxy's URL; set `_Swallowing.swallow` to the path whose POSTs it drops."""
    _Swallowing.upstream = oxigraph_server.url
    _Swallowing.swallow = "/nothing"
    _Swallowing.cut = None
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Swallowing)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("swallowed", ["/store", "/update"])
def test_a_write_the_server_drops_is_an_error_and_changes_nothing(
    oxigraph_server, swallowing: str, swallowed: str
):
    direct = remote(oxigraph_server.store_location)
    direct.replace_graph(G, quads(2))
    before = direct.generation()
    through = remote(f"sparql+{swallowing}/query")
    _Swallowing.swallow = swallowed
    message = "kept 0 of the 5 triples" if swallowed == "/store" else "does not show it"
    with pytest.raises(StoreError, match=message):
        through.replace_graph(G, quads(5, start=10))
    assert direct.count(G) == 2
    if swallowed == "/store":
        assert direct.generation() == before
    through.close()
    direct.close()


def test_a_server_that_cuts_answers_silently_is_refused_when_opened(swallowing: str):
    _Swallowing.cut = 5000
    with pytest.raises(StoreError, match="answered 5000 rows where there are 10001"):
        remote(f"sparql+{swallowing}/query", read_only=True)


class _Recorder(BaseHTTPRequestHandler):
    """A server that redirects, or challenges for credentials, recording what it was sent."""

    seen: ClassVar[list[tuple[str, str | None]]] = []
    challenge: ClassVar[str] = 'Basic realm="tcap"'

    def do_POST(self) -> None:
        _Recorder.seen.append((self.path, self.headers.get("Authorization")))
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path.startswith("/moved"):
            self.send_response(302)
            self.send_header("Location", "http://127.0.0.1:9/elsewhere")
        else:
            self.send_response(401)
            self.send_header("WWW-Authenticate", self.challenge)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[str]:
    _Recorder.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_redirects_are_never_followed(recorder: str):
    with pytest.raises(StoreError, match="follows no redirects"):
        remote(f"sparql+{recorder}/moved/query", read_only=True)
    assert [path for path, _ in _Recorder.seen] == ["/moved/query"]


def test_a_password_goes_out_only_after_a_challenge_and_in_its_scheme(recorder: str):
    _Recorder.challenge = 'Basic realm="tcap"'
    with pytest.raises(StoreError, match="TCAP_STORE_USER"):
        remote(f"sparql+{recorder}/query", read_only=True, store_user="reader", store_password="pw")
    assert [auth for _, auth in _Recorder.seen] == [
        None,
        "Basic " + base64.b64encode(b"reader:pw").decode(),
    ]
    _Recorder.seen.clear()
    _Recorder.challenge = 'Digest realm="SPARQL", nonce="abc", qop="auth", algorithm="MD5"'
    with pytest.raises(StoreError, match="TCAP_STORE_USER"):
        remote(f"sparql+{recorder}/query", read_only=True, store_user="reader", store_password="pw")
    first, answer = (auth for _, auth in _Recorder.seen)
    assert first is None and answer is not None and answer.startswith("Digest ")
    assert "pw" not in answer and 'username="reader"' in answer


def test_a_token_is_sent_as_a_bearer_token(recorder: str):
    with pytest.raises(StoreError):
        remote(f"sparql+{recorder}/query", read_only=True, store_token="t0k3n")
    assert [auth for _, auth in _Recorder.seen] == ["Bearer t0k3n"]
