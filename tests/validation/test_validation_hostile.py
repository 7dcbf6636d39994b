"""Hostile inputs fail cleanly: bounded time and memory, no network access, store untouched."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from processes import Listener
from validation_support import CORPUS, corpus

from tcap_kg.errors import TcapError, TooLargeError, UnsafeInputError
from tcap_kg.ingest.archive import MAX_MEMBERS
from tcap_kg.settings import Settings
from tcap_kg.validation import validate_files, validate_quads
from tcap_kg.web.app import create_app

HOSTILE = [
    "billion-laughs.rdf",
    "external-entity.rdf",
    "remote-context.jsonld",
    "binary-garbage.ttl",
    "deep-nesting.jsonld",
]


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


def hostile_files(folder: Path, port: int) -> list[Path]:
    """The corpus' hostile files, with every URL pointed at the listener, plus a CSV whose source
    column and a JSON-LD whose @import name it too."""
    made = []
    for name in HOSTILE:
        data = (CORPUS / name).read_bytes().replace(b"127.0.0.1:9/", f"127.0.0.1:{port}/".encode())
        target = folder / name
        target.write_bytes(data)
        made.append(target)
    imported = folder / "remote-import.jsonld"
    imported.write_text(
        json.dumps(
            {
                "@context": {"@import": f"http://127.0.0.1:{port}/ctx.jsonld"},
                "@id": "https://w3id.org/tcap-kg/id/city/dalian",
            }
        )
    )
    made.append(imported)
    return made


def test_hostile_files_open_no_connection_in_process_or_through_the_cli(
    tmp_path: Path, listener: Listener, tcap
) -> None:
    files = hostile_files(tmp_path, listener.port)
    for path in files:
        started = time.perf_counter()
        with pytest.raises(TcapError) as caught:
            validate_files([path], max_bytes=10_000_000)
        assert caught.value.exit_code == 2
        assert time.perf_counter() - started < 2
    # A CSV naming the listener as a source is data, never fetched.
    csv = tmp_path / "dalian-claims.csv"
    csv.write_text(
        "claim_id,label_en,scope_city_id,statement_en,source_url,verification\n"
        f"x,A claim,beijing,Something.,http://127.0.0.1:{listener.port}/page,Verified\n"
    )
    validate_files([csv], max_bytes=10_000_000)
    for path in files:
        result = tcap("validate", str(path), timeout=60)
        assert result.code == 2, result.stderr
        assert "tcap: error:" in result.stderr
    time.sleep(0.3)
    assert listener.connections == 0


def test_hostile_loads_leave_the_store_exactly_as_it_was(
    tmp_path: Path, listener: Listener, tcap
) -> None:
    assert tcap("init").code == 0
    before = tcap("export", "--format", "nquads").stdout
    files = [*hostile_files(tmp_path, listener.port), CORPUS / "duplicate-city.ttl"]
    for path in files:
        result = tcap("load", str(path), timeout=60)
        assert result.code in (1, 2), result.stderr
    after = tcap("export", "--format", "nquads").stdout
    assert sorted(before.splitlines()) == sorted(after.splitlines())
    assert listener.connections == 0


_MEASURE = (
    "import resource, subprocess, sys; "
    "code = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)"
)


def _run_measured(command: list[str], env: dict[str, str]) -> tuple[int, float, float, str]:
    """Exit status, seconds and peak memory (MiB) of one child process, and its stderr.

    Linux carries a parent's peak RSS into its children across exec, so a child of the (large)
    test process would report at least the test process's size; a small Python process in
    between starts the command and reports that command's own peak.
    """
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command], env=env, capture_output=True, check=False
    )
    peak_kib, code = (int(value) for value in done.stdout.split())
    return code, time.perf_counter() - started, peak_kib / 1024, done.stderr.decode()


def test_a_200_megabyte_file_is_refused_quickly_in_little_memory(tmp_path: Path) -> None:
    big = tmp_path / "big.ttl"
    line = b'<https://w3id.org/tcap-kg/id/city/x> <http://www.w3.org/2000/01/rdf-schema#label> "padding padding padding padding"@en .\n'
    with big.open("wb") as handle:
        chunk = line * (1024 * 1024 // len(line) + 1)
        while handle.tell() < 200 * 1024 * 1024:
            handle.write(chunk)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TCAP_")}
    env["TCAP_STORE"] = str(tmp_path / "store")
    code, seconds, peak, errors = _run_measured(
        [sys.executable, "-m", "tcap_kg", "validate", str(big)], env
    )
    assert code == 2
    assert "larger than the 134,217,728-byte limit" in errors
    assert seconds < 20
    assert peak < 400, f"peak memory {peak:.0f} MiB"


def test_http_refuses_an_oversized_body_and_hostile_bodies(
    tmp_path: Path, listener: Listener
) -> None:
    settings = Settings.from_env({}, store="memory:", max_body_bytes=1024 * 1024)
    app = create_app(settings)
    try:
        client = app.test_client()
        before = client.post(
            "/sparql",
            data={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"},
            headers={"Accept": "application/sparql-results+json"},
        ).json
        too_big = client.post(
            "/validate", data=b"#" * (2 * 1024 * 1024), content_type="text/turtle"
        )
        assert too_big.status_code == 413
        for path in hostile_files(tmp_path, listener.port):
            media = {
                "rdf": "application/rdf+xml",
                "jsonld": "application/ld+json",
                "ttl": "text/turtle",
            }[path.suffix.lstrip(".")]
            response = client.post("/validate", data=path.read_bytes(), content_type=media)
            assert response.status_code == 400, path.name
            assert response.content_type == "application/problem+json"
        after = client.post(
            "/sparql",
            data={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"},
            headers={"Accept": "application/sparql-results+json"},
        ).json
        assert before == after
    finally:
        app.extensions["tcap"].close()
    assert listener.connections == 0


def test_every_hostile_file_named_here_is_in_the_corpus_as_unreadable() -> None:
    unreadable = {case.file for case in corpus() if case.exit == 2}
    assert set(HOSTILE) <= unreadable


def _zip(members: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def test_hostile_archives_are_refused_or_read_in_memory_only(tmp_path: Path) -> None:
    cities = (CORPUS / "wrong-datatype-cities.csv").read_bytes()
    many = tmp_path / "many.zip"
    many.write_bytes(_zip([(f"{n}.txt", b"") for n in range(MAX_MEMBERS + 1)]))
    with pytest.raises(UnsafeInputError, match="at most 1,000"):
        validate_files([many], max_bytes=10_000_000)
    escaping = tmp_path / "escaping.zip"
    inner = _zip([("x.ttl", b"<a> <b> <c> .")])
    escaping.write_bytes(
        _zip(
            [
                ("../../outside/cities.csv", cities),
                ("inner.zip", inner),
                (".hidden/claims.csv", b"claim_id\n"),
                ("dalian/cities.csv", cities),
            ]
        )
    )
    report = validate_files([escaping], max_bytes=10_000_000, names=["escaping.zip"])
    assert report.sources == ["escaping.zip/dalian/cities.csv"], "only the plain member is read"
    assert not (tmp_path.parent / "outside").exists()
    bomb = tmp_path / "bomb.zip"
    bomb.write_bytes(_zip([("a.ttl", b" " * 8_000_000), ("b.ttl", b" " * 8_000_000)]))
    with pytest.raises(TooLargeError, match="unpacks to more than"):
        validate_files([bomb], max_bytes=10_000_000)


def test_a_crafted_wkt_literal_takes_no_time_in_either_engine() -> None:
    """The WKT patterns are linear even under a backtracking regex engine (pySHACL's)."""
    digits = "1" * 50_000
    document = (
        "@prefix geo: <http://www.opengis.net/ont/geosparql#> .\n"
        "@prefix wgs: <http://www.w3.org/2003/01/geo/wgs84_pos#> .\n"
        "<https://w3id.org/tcap-kg/id/city/x> wgs:lat 30.29 ; wgs:long 120.16 ;\n"
        "    geo:hasGeometry <https://w3id.org/tcap-kg/id/geometry/x> .\n"
        "<https://w3id.org/tcap-kg/id/geometry/x> a geo:Geometry ;\n"
        f'    geo:asWKT "POINT({digits}.{digits}x {digits}"^^geo:wktLiteral .\n'
    ).encode()
    for engine in ("turbo", "pyshacl"):
        started = time.perf_counter()
        validate_quads(ox.parse(document, ox.RdfFormat.TURTLE), source="crafted", engine=engine)
        assert time.perf_counter() - started < 10, engine
