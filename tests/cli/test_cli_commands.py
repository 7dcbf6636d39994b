"""Every `tcap` command, run for real in a subprocess against an on-disk store."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from tcap_kg.shipped import shipped_files

TTL = """@prefix ex: <http://example.org/> .
ex:a ex:p "one" ; ex:q ex:b .
ex:b ex:p "two"@en .
"""
TRIG = """@prefix ex: <http://example.org/> .
ex:g1 { ex:a ex:p "in g1" . }
ex:g2 { ex:a ex:p "in g2" . ex:b ex:p "also g2" . }
"""
DALIAN_GRAPH = "https://w3id.org/tcap-kg/graph/dataset/sample"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def graph_counts(tcap) -> dict[str, int]:
    result = tcap("graphs")
    assert result.code == 0, result.stderr
    counts = {}
    for line in result.stdout.splitlines()[1:]:
        parts = line.split()
        counts[parts[0]] = int(parts[1])
    return counts


def test_init_builds_every_shipped_graph_and_is_idempotent(tcap):
    first = tcap("init")
    assert first.code == 0, first.stderr
    assert "store ready" in first.stdout
    counts = graph_counts(tcap)
    for shipped in shipped_files():
        assert counts.get(shipped.graph, 0) > 0, f"{shipped.relative} was not loaded"
    again = tcap("-v", "init")
    assert again.code == 0
    assert f"0 loaded, {len(shipped_files())} unchanged" in again.stderr


def test_init_force_rebuilds_and_drops_loaded_datasets(tcap, tmp_path):
    assert tcap("load", str(write(tmp_path, "sample.ttl", TTL))).code == 0
    assert DALIAN_GRAPH in graph_counts(tcap)
    rebuilt = tcap("init", "--force")
    assert rebuilt.code == 0, rebuilt.stderr
    assert DALIAN_GRAPH not in graph_counts(tcap)


def test_load_turtle_into_default_graph_and_query_it(tcap, tmp_path):
    loaded = tcap("load", str(write(tmp_path, "sample.ttl", TTL)))
    assert loaded.code == 0, loaded.stderr
    assert f"loaded 3 triples into <{DALIAN_GRAPH}>" in loaded.stdout
    assert graph_counts(tcap)[DALIAN_GRAPH] == 3
    answer = tcap(
        "query",
        "SELECT ?o WHERE { <http://example.org/a> <http://example.org/p> ?o }",
        "--format",
        "csv",
    )
    assert answer.code == 0
    assert answer.stdout.splitlines() == ["o", "one"]


def test_load_with_explicit_graph_and_reload_replaces(tcap, tmp_path):
    target = "http://example.org/graph/mine"
    path = write(tmp_path, "sample.ttl", TTL)
    assert tcap("load", str(path), "--graph", target).code == 0
    path.write_text('<http://example.org/x> <http://example.org/p> "only" .\n')
    assert tcap("load", str(path), "--graph", target).code == 0
    assert graph_counts(tcap)[target] == 1


def test_trig_and_nquads_keep_their_graphs(tcap, tmp_path):
    assert tcap("load", str(write(tmp_path, "multi.trig", TRIG))).code == 0
    counts = graph_counts(tcap)
    assert counts["http://example.org/g1"] == 1
    assert counts["http://example.org/g2"] == 2
    nquads = '<http://example.org/s> <http://example.org/p> "v" <http://example.org/g3> .\n'
    assert tcap("load", str(write(tmp_path, "one.nq", nquads))).code == 0
    assert graph_counts(tcap)["http://example.org/g3"] == 1


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("doc.nt", '<http://example.org/s> <http://example.org/p> "v" .\n'),
        ("doc.jsonld", json.dumps({"@id": "http://example.org/s", "http://example.org/p": "v"})),
        (
            "doc.rdf",
            '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns:ex="http://example.org/"><rdf:Description rdf:about="http://example.org/s">'
            "<ex:p>v</ex:p></rdf:Description></rdf:RDF>",
        ),
    ],
)
def test_load_other_formats(tcap, tmp_path, name, text):
    result = tcap("load", str(write(tmp_path, name, text)), "--graph", "http://example.org/g")
    assert result.code == 0, result.stderr
    assert graph_counts(tcap)["http://example.org/g"] == 1


def test_load_gzip(tcap, tmp_path):
    path = tmp_path / "sample.ttl.gz"
    path.write_bytes(gzip.compress(TTL.encode()))
    assert tcap("load", str(path)).code == 0
    assert graph_counts(tcap)[DALIAN_GRAPH] == 3


def test_a_file_failing_halfway_leaves_the_store_exactly_as_it_was(tcap, tmp_path):
    assert tcap("load", str(write(tmp_path, "sample.ttl", TTL))).code == 0
    before = tcap("export", "--format", "nquads")
    good = "".join(
        f'<http://example.org/n{i}> <http://example.org/p> "{i}" .\n' for i in range(5000)
    )
    broken = write(
        tmp_path,
        "broken.ttl",
        good + '<http://example.org/bad> <http://example.org/p> "unterminated .\n',
    )
    failed = tcap("load", str(broken), str(write(tmp_path, "other.ttl", TTL)))
    assert failed.code == 2
    assert failed.stderr.strip().startswith("tcap: error: ")
    assert "broken.ttl:5001:" in failed.stderr
    assert "Traceback" not in failed.stderr
    after = tcap("export", "--format", "nquads")
    assert sorted(after.stdout.splitlines()) == sorted(before.stdout.splitlines())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["load", "missing.ttl"], "no such file"),
        (["load", "notes.txt"], "cannot tell the RDF format"),
        (["load", "sample.ttl", "--graph", "not an iri"], "not an absolute IRI"),
        (
            ["load", "sample.ttl", "--graph", "https://w3id.org/tcap-kg/graph/data/cities"],
            "reserved for the shipped",
        ),
        (["drop", "https://w3id.org/tcap-kg/graph/nothing"], "no graph"),
        (["export", "--graph", "http://example.org/none"], "no graph"),
        (["query", "SELECT * WHERE { ?s ?p ?o"], "query:1:"),
        (["query", "--name", "no-such-query"], "no named query"),
        (["query", "SELECT * {}", "--name", "x"], "exactly one of"),
        (
            ["query", "CONSTRUCT WHERE { ?s ?p ?o }", "--format", "csv"],
            "cannot be written as 'csv'",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tcap, tmp_path, args, message):
    write(tmp_path, "sample.ttl", TTL)
    write(tmp_path, "notes.txt", "hello")
    resolved = [str(tmp_path / a) if a.endswith((".ttl", ".txt")) else a for a in args]
    result = tcap(*resolved)
    assert result.code == 2, (result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.startswith("tcap: error:")]
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_usage_errors_exit_2(tcap):
    result = tcap("load")
    assert result.code == 2
    assert "Missing argument" in result.stderr


def test_drop_removes_graph_and_record(tcap, tmp_path):
    assert tcap("load", str(write(tmp_path, "sample.ttl", TTL))).code == 0
    dropped = tcap("drop", DALIAN_GRAPH)
    assert dropped.code == 0
    assert DALIAN_GRAPH not in graph_counts(tcap)
    record = tcap("query", f"ASK {{ GRAPH ?g {{ <{DALIAN_GRAPH}> ?p ?o }} }}", "--format", "csv")
    assert record.stdout.strip() == "false"


def test_export_formats_round_trip(tcap, tmp_path):
    assert tcap("load", str(write(tmp_path, "multi.trig", TRIG))).code == 0
    for fmt, rdf_format in (("nquads", ox.RdfFormat.N_QUADS), ("trig", ox.RdfFormat.TRIG)):
        out = tmp_path / f"dump.{fmt}"
        result = tcap("export", "--format", fmt, "-o", str(out))
        assert result.code == 0, result.stderr
        quads = list(ox.parse(path=str(out), format=rdf_format))
        assert (
            ox.Quad(
                ox.NamedNode("http://example.org/a"),
                ox.NamedNode("http://example.org/p"),
                ox.Literal("in g1"),
                ox.NamedNode("http://example.org/g1"),
            )
            in quads
        )
        assert not (tmp_path / f"dump.{fmt}.part").exists()
    turtle = tcap("export", "--graph", "http://example.org/g2", "--format", "turtle")
    triples = list(ox.parse(turtle.stdout, ox.RdfFormat.TURTLE))
    assert len(triples) == 2


def test_query_formats_and_named_queries(tcap):
    select = "SELECT ?n WHERE { VALUES ?n { 1 2 } } ORDER BY ?n"
    as_json = json.loads(tcap("query", select, "--format", "json").stdout)
    assert [b["n"]["value"] for b in as_json["results"]["bindings"]] == ["1", "2"]
    assert tcap("query", select, "--format", "tsv").stdout.splitlines() == ["?n", "1", "2"]
    table = tcap("query", select).stdout
    assert "(2 rows)" in table
    ask = tcap("query", "ASK { FILTER(false) }", "--format", "json")
    assert json.loads(ask.stdout)["boolean"] is False
    construct = tcap(
        "query",
        'CONSTRUCT { <http://example.org/s> <http://example.org/p> "v" } WHERE {}',
        "--format",
        "ntriples",
    )
    assert construct.stdout.strip() == '<http://example.org/s> <http://example.org/p> "v" .'


def test_query_from_file(tcap, tmp_path):
    path = write(tmp_path, "q.rq", "SELECT (1 AS ?one) WHERE {}")
    result = tcap("query", "-f", str(path), "--format", "csv")
    assert result.stdout.splitlines() == ["one", "1"]


def test_stats(tcap):
    result = tcap("stats")
    assert result.code == 0, result.stderr
    assert "graphs:" in result.stdout and "triples:" in result.stdout


def test_progress_output_is_quiet_when_piped(tcap, tmp_path):
    result = tcap("load", str(write(tmp_path, "sample.ttl", TTL)))
    assert "\r" not in result.stderr
    assert "it/s" not in result.stderr


@pytest.mark.parametrize(
    "command", ["init", "serve", "query", "load", "drop", "graphs", "export", "stats"]
)
def test_every_command_has_help_with_an_example(tcap, command):
    result = tcap(command, "--help")
    assert result.code == 0
    assert "Example" in result.stdout
