"""POST /store with multipart/form-data (GSP §5.5): every part's RDF merged in one write.

Bodies are built by hand so each part's headers are exactly what a test says (a part with no
Content-Type at all cannot be sent with the test client's own form encoding). The last test sends
a real upload with httpx to a live `tcap serve` on 127.0.0.1.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pyoxigraph as ox
import pytest
from conftest import Writable
from endpoint_support import DATA_GRAPH, EX, Server, make_app, run_tcap

from tcap_kg.tokens import TokenFile
from tcap_kg.web.uploads import MAX_PARTS

TARGET = "/store?graph=" + quote(DATA_GRAPH, safe="")
BOUNDARY = "tcap-test-boundary"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"
ALICE = f"<{EX}alice> <{EX}name> 'Alice' ; <{EX}knows> <{EX}bob> ."
BOB_NT = f'<{EX}bob> <{EX}name> "Bob" .\n<{EX}alice> <{EX}knows> <{EX}bob> .\n'
CAROL = f"<{EX}carol> <{EX}name> 'Carol' ."

Part = tuple[str, str | None, str | None, str]
"""Field name, filename (None: a plain field), Content-Type (None: no header), content."""


def body(*parts: Part) -> bytes:
    chunks = []
    for name, filename, content_type, content in parts:
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        head = f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n"
        if content_type is not None:
            head += f"Content-Type: {content_type}\r\n"
        chunks.append(f"{head}\r\n{content}\r\n".encode())
    return b"".join(chunks) + f"--{BOUNDARY}--\r\n".encode()


def post(w: Writable, *parts: Part, target: str = TARGET, auth: bool = True):  # type: ignore[no-untyped-def]
    return w.client.post(
        target, data=body(*parts), content_type=MULTIPART, headers=w.auth if auth else {}
    )


def graph(w: Writable, target: str = TARGET) -> set[tuple[str, str, str]]:
    response = w.client.get(target, headers={"Accept": "application/n-triples"})
    if response.status_code == 404:
        return set()
    assert response.status_code == 200, response.data
    parsed = ox.parse(response.data, ox.RdfFormat.N_TRIPLES)
    return {(str(q.subject), str(q.predicate), str(q.object)) for q in parsed}


def problem(response, status: int) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.data
    assert response.mimetype == "application/problem+json"
    detail: str = response.get_json()["detail"]
    return detail


def test_two_parts_in_two_formats_are_merged(writable: Writable) -> None:
    response = post(
        writable,
        ("people", "alice.ttl", "text/turtle; charset=utf-8", ALICE),
        ("more", "bob.nt", "application/octet-stream", BOB_NT),
    )
    assert response.status_code == 201, response.data
    # alice's two triples, bob's name; "alice knows bob" is in both parts and counts once
    assert response.get_json()["triples"] == 3
    assert graph(writable) == {
        (f"<{EX}alice>", f"<{EX}name>", '"Alice"'),
        (f"<{EX}alice>", f"<{EX}knows>", f"<{EX}bob>"),
        (f"<{EX}bob>", f"<{EX}name>", '"Bob"'),
    }
    again = post(writable, ("extra", "carol.jsonld", None, _carol_jsonld()))
    assert again.status_code == 204
    assert len(graph(writable)) == 4


def _carol_jsonld() -> str:
    return f'{{"@id": "{EX}carol", "{EX}name": "Carol"}}'


def test_each_part_keeps_its_own_blank_nodes(writable: Writable) -> None:
    first = f'_:x <{EX}name> "one" .\n_:x <{EX}age> "1" .'
    second = f'_:x <{EX}name> "two" .'
    response = post(writable, ("a", "a.nt", None, first), ("b", "b.nt", None, second))
    assert response.status_code == 201
    got = graph(writable)
    assert len(got) == 3 and len({subject for subject, _, _ in got}) == 2


def test_without_graph_a_new_graph_holds_all_parts(writable: Writable) -> None:
    response = post(
        writable,
        ("a", "alice.ttl", "text/turtle", ALICE),
        ("b", "carol.ttl", None, CAROL),
        target="/store",
    )
    assert response.status_code == 201
    created = "/store?graph=" + quote(response.headers["Location"], safe="")
    assert len(graph(writable, created)) == 3


def test_a_bad_part_leaves_the_graph_unchanged(writable: Writable) -> None:
    assert post(writable, ("a", "alice.ttl", "text/turtle", ALICE)).status_code == 201
    before = graph(writable)
    response = post(
        writable,
        ("fine", "carol.ttl", "text/turtle", CAROL),
        ("broken", "bob.ttl", "text/turtle", f"<{EX}bob> <{EX}name> 'Bob'\n<{EX}x> <{EX}y> ."),
    )
    detail = problem(response, 400)
    assert detail.startswith("part 'broken' (bob.ttl):2:")
    assert response.get_json()["line"] == 2 and "excerpt" in response.get_json()
    assert graph(writable) == before


def test_a_part_that_is_not_rdf_is_415(writable: Writable) -> None:
    detail = problem(
        post(
            writable,
            ("a", "alice.ttl", "text/turtle", ALICE),
            ("scan", "report.pdf", "application/pdf", "%PDF-1.7"),
        ),
        415,
    )
    assert "part 'scan' (report.pdf)" in detail and "application/pdf" in detail
    untyped = problem(post(writable, ("notes", "notes.docx", None, "hello")), 415)
    assert "part 'notes' (notes.docx)" in untyped and "extension" in untyped
    assert graph(writable) == set()


def test_a_part_naming_another_graph_is_refused(writable: Writable) -> None:
    trig = f"<{EX}elsewhere> {{ <{EX}a> <{EX}b> <{EX}c> . }}"
    detail = problem(post(writable, ("g", "other.trig", "application/trig", trig)), 400)
    assert detail.startswith("part 'g' (other.trig): the body names its own graphs")


def test_merged_data_that_fails_the_shapes_is_422(writable: Writable) -> None:
    city = (
        "<https://w3id.org/tcap-kg/id/city/atlantis> a <https://w3id.org/tcap-kg/ontology#City> ."
    )
    response = post(
        writable, ("a", "alice.ttl", "text/turtle", ALICE), ("c", "city.ttl", "text/turtle", city)
    )
    assert "rdfs:label" in problem(response, 422)
    assert graph(writable) == set()


def test_empty_and_malformed_bodies_are_400(writable: Writable) -> None:
    empty = writable.client.post(
        TARGET,
        input_stream=io.BytesIO(b""),
        content_length=0,
        content_type=MULTIPART,
        headers=writable.auth,
    )
    assert "empty" in problem(empty, 400)
    no_parts = writable.client.post(
        TARGET, data=f"--{BOUNDARY}--\r\n".encode(), content_type=MULTIPART, headers=writable.auth
    )
    assert "no parts" in problem(no_parts, 400)
    cut = body(("a", "alice.ttl", "text/turtle", ALICE))[:-20]
    truncated = writable.client.post(
        TARGET, data=cut, content_type=MULTIPART, headers=writable.auth
    )
    assert "malformed" in problem(truncated, 400)
    field = problem(post(writable, ("data", None, None, ALICE)), 400)
    assert "part 'data'" in field and "filename" in field
    assert graph(writable) == set()


def test_more_parts_than_the_cap_is_413(writable: Writable) -> None:
    parts = [(f"p{i}", f"p{i}.nt", None, f"<{EX}s{i}> <{EX}p> <{EX}o> .") for i in range(MAX_PARTS)]
    assert post(writable, *parts).status_code == 201
    assert len(graph(writable)) == MAX_PARTS
    over = [*parts, ("one-more", "x.nt", None, "")]
    detail = problem(post(writable, *over), 413)
    assert f"more than {MAX_PARTS} parts" in detail
    assert len(graph(writable)) == MAX_PARTS


@pytest.fixture
def small_limit(tmp_path: Path) -> Iterator[Writable]:
    tokens = tmp_path / "tokens.json"
    _, token = TokenFile(tokens).create("tester")
    built = make_app(update=True, tokens_file=str(tokens), max_body_bytes=2000)
    yield Writable(built, built.test_client(), token)
    built.extensions["tcap"].close()


def test_a_body_over_the_size_limit_is_413(small_limit: Writable) -> None:
    big = "\n".join(f"<{EX}s{i}> <{EX}p> <{EX}o> ." for i in range(100))
    detail = problem(
        post(small_limit, ("a", "alice.ttl", None, ALICE), ("big", "big.nt", None, big)), 413
    )
    assert "2,000-byte limit" in detail and "TCAP_MAX_BODY_BYTES" in detail
    assert graph(small_limit) == set()
    assert post(small_limit, ("a", "alice.ttl", None, ALICE)).status_code == 201


def test_a_multipart_post_still_needs_a_token(writable: Writable) -> None:
    response = post(writable, ("a", "alice.ttl", "text/turtle", ALICE), auth=False)
    assert "bearer token" in problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert graph(writable) == set()


@pytest.mark.slow
def test_httpx_uploads_files_to_a_live_server(server_factory: Callable[..., Server]) -> None:
    server = server_factory(update="on")
    created = run_tcap(server, "token", "create", "--name", "multipart")
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip().splitlines()[-1]
    url = server.url + TARGET
    files = [
        ("file", ("alice.ttl", ALICE.encode(), "text/turtle")),
        ("file", ("bob.nt", BOB_NT.encode(), "application/octet-stream")),
    ]
    with httpx.Client(timeout=30) as client:
        assert client.post(url, files=files).status_code == 401
        response = client.post(url, files=files, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 201, response.text
        assert response.json()["triples"] == 3
        bad = client.post(
            url,
            files=[("file", ("x.ttl", b"<a> <b>", "text/turtle"))],
            headers={"Authorization": f"Bearer {token}"},
        )
        assert bad.status_code == 400 and bad.json()["detail"].startswith("part 'file' (x.ttl)")
        got = client.get(url, headers={"Accept": "application/n-triples"})
    assert len(list(ox.parse(got.content, ox.RdfFormat.N_TRIPLES))) == 3
