"""The `Store` contract, run on every backend: in memory, on disk, and real Oxigraph and Virtuoso servers.

Whatever the CLI, the loader and the endpoint rely on is asserted here once and must hold for
each backend alike; backend-specific behaviour (locks, recovery, staging uploads) is tested
beside each backend.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from sparql_servers import REMOTE_SERVERS, emptied, remote_settings

from tcap_kg.bootstrap import sync_shipped
from tcap_kg.errors import InputError, NotFoundError, QueryError, StoreError
from tcap_kg.namespaces import CATALOG_GRAPH, DCTERMS, XSD
from tcap_kg.rdfio import format_from_name, parse_bytes
from tcap_kg.records import GraphRecord, now, read_records
from tcap_kg.shipped import shipped_files
from tcap_kg.store import (
    BulkSource,
    ChangeSet,
    OxigraphStore,
    QueryDataset,
    Solutions,
    Store,
    Triples,
)

EX = "http://example.org/"
G1, G2 = EX + "g1", EX + "g2"
WKT = "http://www.opengis.net/ont/geosparql#wktLiteral"
P = ox.NamedNode(EX + "p")


def quad(i: int, graph: str = G1, value: ox.Literal | None = None) -> ox.Quad:
    return ox.Quad(ox.NamedNode(f"{EX}s{i}"), P, value or ox.Literal(str(i)), ox.NamedNode(graph))


def rows(result: object, *names: str) -> list[tuple[str, ...]]:
    assert isinstance(result, Solutions)
    return sorted(tuple(str(row[name]) for name in names) for row in result)


def data_graphs(store: Store) -> dict[str, int]:
    """Graphs and sizes, without the catalogue (a remote store keeps its generation there)."""
    return {info.iri: info.triples for info in store.graphs() if info.iri != CATALOG_GRAPH}


@pytest.fixture(params=["memory", "disk", *REMOTE_SERVERS])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "memory":
        opened: Store = OxigraphStore.memory()
    elif request.param == "disk":
        opened = OxigraphStore(tmp_path / "store")
    else:
        opened = emptied(remote_settings(request, request.param))
    yield opened
    opened.close()


def test_add_list_count_and_has_graph(store: Store):
    store.add([quad(i) for i in range(3)] + [quad(9, G2)])
    assert data_graphs(store) == {G1: 3, G2: 1}
    assert store.count(G1) == 3 and store.count(G2) == 1
    assert store.has_graph(G1) and not store.has_graph(EX + "nope")


def test_replace_graph_leaves_exactly_the_new_content(store: Store):
    store.add([quad(i) for i in range(5)] + [quad(7, G2)])
    store.replace_graph(G1, [quad(100)])
    assert rows(
        store.query(
            "SELECT ?g ?s WHERE { GRAPH ?g { ?s ?p ?o } }", bindings={"g": ox.NamedNode(G1)}
        ),
        "s",
    ) == [(f"<{EX}s100>",)]
    assert data_graphs(store) == {G1: 1, G2: 1}


def test_a_commit_that_fails_midway_changes_nothing(store: Store):
    store.add([quad(0)])
    before = data_graphs(store), store.generation()

    def poisoned() -> Iterator[ox.Quad]:
        yield from (quad(i) for i in range(1, 500))
        yield ox.Quad(ox.NamedNode(EX + "x"), P, ox.Literal("no graph"))

    with pytest.raises(InputError):
        store.commit(ChangeSet(drop_graphs=[G1], add=poisoned()))
    assert (data_graphs(store), store.generation()) == before
    assert store.count(G1) == 1


def test_records_are_replaced_and_forgotten_with_their_graph(store: Store):
    record = GraphRecord(G1, ("one.ttl",), ("ab" * 32,), 2, now(), "dataset")
    store.commit(ChangeSet(drop_graphs=[G1], add=[quad(1), quad(2), *record.quads()]))
    assert read_records(store)[G1].sha256 == ("ab" * 32,)
    newer = GraphRecord(G1, ("two.ttl",), ("cd" * 32,), 1, now(), "dataset")
    store.commit(ChangeSet(drop_graphs=[G1], add=[quad(3), *newer.quads()]))
    assert read_records(store)[G1].sources == ("two.ttl",)
    leftover = store.query(
        "ASK { GRAPH ?c { ?checksum ?p ?old } }",
        bindings={"c": ox.NamedNode(CATALOG_GRAPH), "old": ox.Literal("ab" * 32)},
    )
    assert leftover is False, "the blank checksum node of the old record must go too"
    store.drop_graph(G1)
    assert G1 not in read_records(store) and not store.has_graph(G1)


def test_dropping_an_unknown_graph_names_the_closest_one(store: Store):
    store.add([quad(1)])
    with pytest.raises(NotFoundError, match=re.escape("did you mean <http://example.org/g1>")):
        store.drop_graph(EX + "g11")


def test_literals_and_iris_round_trip_exactly(store: Store):
    tricky = [
        ox.Literal('quote " backslash \\ newline \n tab \t end'),
        ox.Literal("北京市", language="zh-hans"),
        ox.Literal("Beijing", language="en"),
        ox.Literal("39.9075", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")),
        ox.Literal("} } ; DROP ALL ; INSERT DATA { <x> <y> <z> }"),
        ox.Literal("emoji 🏙 and \u0001 control"),
    ]
    store.add([quad(i, value=value) for i, value in enumerate(tricky)])
    result = store.query(f"SELECT ?o WHERE {{ GRAPH <{G1}> {{ ?s ?p ?o }} }}")
    assert sorted(r[0] for r in rows(result, "o")) == sorted(str(v) for v in tricky)


def test_bindings_are_values_never_text(store: Store):
    hostile = ox.Literal('x" } ; DROP ALL ; SELECT * { "')
    store.add([quad(1), quad(2, value=hostile)])
    found = store.query("SELECT ?s ?o WHERE { ?s ?p ?o }", bindings={"o": hostile})
    assert rows(found, "s") == [(f"<{EX}s2>",)]
    assert store.count(G1) == 2


def test_bindings_constrain_before_aggregation(store: Store):
    store.add([quad(i) for i in range(4)] + [quad(9, G2)])
    counted = store.query(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
        bindings={"g": ox.NamedNode(G2)},
    )
    assert rows(counted, "n") == [('"1"^^<http://www.w3.org/2001/XMLSchema#integer>',)]
    asked = store.query("ASK { ?s ?p ?o }", bindings={"s": ox.NamedNode(EX + "s9")})
    assert asked is True
    built = store.query(
        "CONSTRUCT { ?s <http://example.org/q> ?o } WHERE { ?s ?p ?o }",
        bindings={"s": ox.NamedNode(EX + "s1")},
    )
    assert isinstance(built, Triples)
    assert [str(t.object) for t in built] == ['"1"']


def test_default_dataset_is_the_union_and_can_be_narrowed(store: Store):
    store.add([quad(1), quad(2, G2)])
    everything = "SELECT ?s WHERE { ?s ?p ?o }"
    assert {r[0] for r in rows(store.query(everything), "s")} >= {f"<{EX}s1>", f"<{EX}s2>"}
    only_g2 = store.query(everything, dataset=QueryDataset(default_graphs=(G2,)))
    assert rows(only_g2, "s") == [(f"<{EX}s2>",)]
    named = store.query(
        "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", dataset=QueryDataset(named_graphs=(G1,))
    )
    assert rows(named, "g") == [(f"<{G1}>",)]


def test_query_errors_are_query_errors(store: Store):
    with pytest.raises(QueryError):
        store.query("SELECT ?s WHERE { ?s ?p }")


def test_update_is_atomic_and_a_bad_one_changes_nothing(store: Store):
    store.update(f"INSERT DATA {{ GRAPH <{G1}> {{ <{EX}a> <{EX}p> 1 }} }}")
    assert store.count(G1) == 1
    before = store.generation()
    with pytest.raises(QueryError):
        store.update(
            f"INSERT DATA {{ GRAPH <{G1}> {{ <{EX}b> <{EX}p> 2 }} }} ; DROP GRAPH nonsense"
        )
    assert store.count(G1) == 1 and store.generation() == before


def test_generation_changes_on_every_write(store: Store):
    seen = {store.generation()}
    store.add([quad(1)])
    seen.add(store.generation())
    store.update(f"INSERT DATA {{ GRAPH <{G1}> {{ <{EX}a> <{EX}p> 1 }} }}")
    seen.add(store.generation())
    store.drop_graph(G1)
    seen.add(store.generation())
    assert len(seen) == 4


def test_blank_nodes_keep_their_identity_within_a_commit(store: Store):
    node = ox.BlankNode()
    graph = ox.NamedNode(G1)
    store.add(
        [
            ox.Quad(ox.NamedNode(EX + "city"), ox.NamedNode(EX + "geometry"), node, graph),
            ox.Quad(node, ox.NamedNode(EX + "wkt"), ox.Literal("POINT(116.39723 39.9075)"), graph),
        ]
    )
    joined = store.query(f"SELECT ?w WHERE {{ <{EX}city> <{EX}geometry>/<{EX}wkt> ?w }}")
    assert rows(joined, "w") == [('"POINT(116.39723 39.9075)"',)]


def test_export_writes_every_named_graph_or_one(store: Store):
    store.add([quad(1), quad(2), quad(3, G2)])
    everything = io.BytesIO()
    written = store.export(everything, ox.RdfFormat.N_QUADS)
    parsed = list(ox.parse(everything.getvalue(), ox.RdfFormat.N_QUADS))
    assert written == len(parsed)
    assert {q for q in parsed if q.graph_name != ox.NamedNode(CATALOG_GRAPH)} == {
        quad(1),
        quad(2),
        quad(3, G2),
    }
    one = io.BytesIO()
    assert store.export(one, ox.RdfFormat.TURTLE, graph=G2) == 1
    assert "s3" in one.getvalue().decode()
    with pytest.raises(NotFoundError):
        store.export(io.BytesIO(), ox.RdfFormat.TRIG, graph=EX + "absent")


def _source(tmp_path: Path, name: str, text: str, graph: str) -> BulkSource:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    fmt = ox.RdfFormat.N_TRIPLES if name.endswith(".nt") else ox.RdfFormat.TURTLE
    return BulkSource(name, lambda: path.open("rb"), fmt, graph, (graph,))


def _record(counts: dict[str, int]) -> list[ox.Quad]:
    return [
        q
        for graph, n in counts.items()
        for q in GraphRecord(graph, ("dump",), (), n, now(), "external").quads()
    ]


def test_bulk_load_replaces_its_graph_with_a_record(store: Store, tmp_path: Path):
    store.add([quad(1), quad(5, G2)])
    lines = "".join(f'<{EX}e{i}> <{EX}p> "{i}" .\n' for i in range(200))
    counts = store.bulk_load([_source(tmp_path, "dump.nt", lines, G1)], _record)
    assert counts == {G1: 200}
    assert store.count(G1) == 200 and store.count(G2) == 1
    assert read_records(store)[G1].role == "external"
    turtle = f"@prefix ex: <{EX}> .\nex:t1 ex:p 1 .\nex:t2 ex:p 2 .\n"
    assert store.bulk_load([_source(tmp_path, "dump.ttl", turtle, G1)], _record) == {G1: 2}
    assert read_records(store)[G1].triples == 2


def test_a_refused_bulk_load_leaves_other_graphs_alone(store: Store, tmp_path: Path):
    store.add([quad(5, G2)])

    def refuse(counts: dict[str, int]) -> list[ox.Quad]:
        raise InputError("refused")

    lines = "".join(f'<{EX}e{i}> <{EX}p> "{i}" .\n' for i in range(50))
    with pytest.raises(InputError):
        store.bulk_load([_source(tmp_path, "dump.nt", lines, G1)], refuse)
    assert data_graphs(store) == {G2: 1}
    assert not store.has_graph(G1)


def test_closed_stores_refuse_work(store: Store):
    store.close()
    with pytest.raises(StoreError):
        store.add([quad(1)])


def test_query_results_name_their_variables(store: Store):
    store.add([quad(1)])
    result = store.query(f"SELECT ?o ?s WHERE {{ GRAPH <{G1}> {{ ?s ?p ?o }} }}")
    assert isinstance(result, Solutions)
    assert result.variables == ["o", "s"]
    assert [str(r["o"]) for r in result] == ['"1"']
    assert store.query(f"ASK {{ <{EX}s1> <{DCTERMS}title> ?t }}") is False


def canonical(quads: Iterable[ox.Quad]) -> ox.Dataset:
    """Quads with blank nodes relabelled canonically, so isomorphic graphs compare equal."""
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return dataset


def exported(store: Store, graph: str | None = None) -> list[ox.Quad]:
    out = io.BytesIO()
    store.export(out, ox.RdfFormat.N_QUADS, graph=graph)
    return list(ox.parse(out.getvalue(), ox.RdfFormat.N_QUADS))


def test_every_shipped_graph_round_trips_exactly(store: Store):
    """Ontology and shapes carry blank nodes (OWL axioms, SHACL lists), the data WKT literals,
    the records blank checksum nodes: each graph comes back as the file it was loaded from."""
    sync_shipped(store)
    for shipped in shipped_files():
        parsed = parse_bytes(
            shipped.path.read_bytes(), format_from_name(shipped.path.name), source=shipped.relative
        )
        graph = ox.NamedNode(shipped.graph)
        expected = [ox.Quad(q.subject, q.predicate, q.object, graph) for q in parsed.quads]
        assert canonical(exported(store, shipped.graph)) == canonical(expected), shipped.relative
    assert read_records(store)[shipped.graph].sha256 == (
        hashlib.sha256(shipped.path.read_bytes()).hexdigest(),
    )


def test_a_blank_node_from_an_answer_can_be_bound_and_tested(store: Store):
    node, inner = ox.BlankNode(), ox.BlankNode()
    graph = ox.NamedNode(G1)
    store.add(
        [
            ox.Quad(ox.NamedNode(EX + "city"), ox.NamedNode(EX + "geometry"), node, graph),
            ox.Quad(node, ox.NamedNode(EX + "part"), inner, graph),
            ox.Quad(inner, P, ox.Literal("deep"), graph),
        ]
    )
    found = store.query(f"SELECT ?g WHERE {{ <{EX}city> <{EX}geometry> ?g }}")
    assert isinstance(found, Solutions)
    (answer,) = [row["g"] for row in found]
    assert isinstance(answer, ox.BlankNode)
    deep = store.query(f"SELECT ?g ?v WHERE {{ ?g <{EX}part>/<{EX}p> ?v }}", bindings={"g": answer})
    assert rows(deep, "v") == [('"deep"',)]
    blanks = store.query(
        "SELECT ?o WHERE { ?s ?p ?o FILTER(isBlank(?o) && !isIRI(?o) && !isURI(?o)) }"
    )
    assert len(rows(blanks, "o")) == 2
    assert store.query("ASK { ?s ?p ?o FILTER(isIRI(?s) && isBlank(?s)) }") is False


def test_wkt_literals_and_booleans_round_trip_and_match_in_queries(store: Store):
    wkt = ox.Literal("POINT(116.39723 39.9075)", datatype=ox.NamedNode(WKT))
    flag = ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean"))
    store.add([quad(1, value=wkt), quad(2, value=flag)])
    assert rows(store.query(f"SELECT ?o WHERE {{ GRAPH <{G1}> {{ ?s ?p ?o }} }}"), "o") == sorted(
        [(str(wkt),), (str(flag),)]
    )
    assert set(exported(store, G1)) == {quad(1, value=wkt), quad(2, value=flag)}
    matched = store.query(
        "PREFIX geo: <http://www.opengis.net/ont/geosparql#> "
        'SELECT ?s WHERE { ?s ?p "POINT(116.39723 39.9075)"^^geo:wktLiteral }'
    )
    assert rows(matched, "s") == [(f"<{EX}s1>",)]
    bound = store.query("SELECT ?s ?o WHERE { ?s ?p ?o }", bindings={"o": wkt})
    assert rows(bound, "s") == [(f"<{EX}s1>",)]


def test_graphs_an_update_creates_are_listed(store: Store):
    store.update(f"INSERT DATA {{ GRAPH <{G2}> {{ <{EX}a> <{EX}p> 1 }} }}")
    assert data_graphs(store) == {G2: 1}
    store.update(f"DROP SILENT GRAPH <{G2}>")
    assert data_graphs(store) == {}
