"""What a dataset is checked with: the store's description of every node within the shapes' reach.

Updates to cities already in the graph conform and load (in every format, with a byte-order
mark, with CRLF line ends, with xsd:double coordinates); a change is judged by the nodes it
touches and those that refer to them, never by re-validating whole graphs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from validation_support import EXAMPLES, REPO, TEMPLATES

from tcap_kg.loading import commit_datasets, default_graph_for
from tcap_kg.namespaces import GRAPH, RDF, SKOS, TCAP
from tcap_kg.store import ChangeSet, OxigraphStore, Store
from tcap_kg.validation import load_shapes, validate_change, validate_files, validate_quads
from tcap_kg.validation.gate import gate, read_datasets
from tcap_kg.validation.reach import description_reach
from tcap_kg.validation.workspace import Workspace

VALID = REPO / "tests" / "data" / "valid"
UPDATES = json.loads((VALID / "manifest.json").read_text(encoding="utf-8"))["cases"]
CITY = "https://w3id.org/tcap-kg/id/city/"
GEO = "http://www.opengis.net/ont/geosparql#"
CITIES_GRAPH = GRAPH + "data/cities"


@pytest.fixture
def store(fresh_store: Store) -> Store:
    """A store with the shipped graphs that a test may change."""
    return fresh_store


def load(store: Store, path: Path, name: str | None = None) -> None:
    """What `tcap load FILE` does: read, validate against the store, commit."""
    read = read_datasets(path, name=name or path.name, max_bytes=10_000_000)
    datasets = [(dataset, default_graph_for(path)) for dataset, _ in read]
    report, records = gate(store, datasets, locators=[locator for _, locator in read])
    commit_datasets(store, datasets, conforms_to=report.shapes[0], records=records)


def quad(s: str, p: str, o: ox.NamedNode | ox.Literal, graph: str) -> ox.Quad:
    return ox.Quad(ox.NamedNode(s), ox.NamedNode(p), o, ox.NamedNode(graph))


PEKING = quad(
    CITY + "beijing", SKOS + "altLabel", ox.Literal("Peking", language="en"), GRAPH + "dataset/x"
)


def violations(report) -> list[str]:  # type: ignore[no-untyped-def]
    return [
        f"{f.focus} {f.source_shape}" for f in report.findings if f.severity.value == "Violation"
    ]


@pytest.mark.parametrize("case", UPDATES, ids=[c["file"] for c in UPDATES])
def test_an_update_to_a_city_in_the_graph_conforms_and_loads(store: Store, case: dict) -> None:
    if "needs" in case:
        load(store, REPO / case["needs"])
    path = VALID / case["file"]
    report = validate_files([path], max_bytes=1_000_000, context=store)
    assert report.conforms, violations(report)
    assert report.findings == [] or all(f.severity.value != "Violation" for f in report.findings)
    load(store, path)
    answer = store.query(f"SELECT ?name WHERE {{ <{CITY}{case['city']}> <{SKOS}altLabel> ?name }}")
    names = [row["name"] for row in answer]  # type: ignore[index]
    assert [name.language for name in names] == ["zh-latn-pinyin"]


def test_the_shipped_cities_are_updated_against_the_shipped_graph_by_default() -> None:
    files = [VALID / c["file"] for c in UPDATES if "needs" not in c]
    report = validate_files(files, max_bytes=1_000_000)
    assert report.conforms and report.findings == [], violations(report)


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"),
        lambda text: text.encode("utf-16"),
        lambda text: text.replace("\n", "\r\n").encode("utf-8"),
        lambda text: b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"),
    ],
    ids=["utf8-bom", "utf16-bom", "crlf", "bom-and-crlf"],
)
def test_byte_order_marks_and_crlf_are_accepted_in_every_format(
    tmp_path: Path, store: Store, encode
) -> None:  # type: ignore[no-untyped-def]
    for case in UPDATES:
        if "needs" in case:
            continue
        source = VALID / case["file"]
        variant = tmp_path / case["file"]
        variant.write_bytes(encode(source.read_text(encoding="utf-8")))
        report = validate_files([variant], max_bytes=1_000_000, context=store)
        assert report.conforms and report.triples == 1, (case["file"], violations(report))
        load(store, variant)
    draft = tmp_path / "dalian-draft.ttl"
    draft.write_bytes(encode((EXAMPLES / "dalian-draft.ttl").read_text(encoding="utf-8")))
    located = validate_files([draft], max_bytes=1_000_000)
    latitude = next(f for f in located.findings if f.source_shape.endswith("#latitude"))
    assert latitude.location is not None
    assert (latitude.location.line, latitude.location.column) == (23, 13)


def test_csv_with_a_byte_order_mark_and_crlf(tmp_path: Path) -> None:
    for name in ("cities.csv", "claims.csv"):
        text = (TEMPLATES / "dalian" / name).read_text(encoding="utf-8")
        (tmp_path / name).write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    report = validate_files(sorted(tmp_path.glob("*.csv")), max_bytes=1_000_000)
    assert report.conforms, violations(report)
    assert report.triples == 17


def test_coordinates_as_xsd_double_conform_and_load(tmp_path: Path, store: Store) -> None:
    text = (EXAMPLES / "dalian.ttl").read_text(encoding="utf-8")
    doubled = text.replace("wgs:lat 38.91222", "wgs:lat 3.891222E1").replace(
        "wgs:long 121.60222", 'wgs:long "121.60222"^^<http://www.w3.org/2001/XMLSchema#double>'
    )
    assert doubled.count("E1") == 1 and "XMLSchema#double" in doubled
    path = tmp_path / "dalian.ttl"
    path.write_text(doubled, encoding="utf-8")
    report = validate_files([path], max_bytes=1_000_000, context=store)
    assert report.conforms, violations(report)
    load(store, path)


def test_a_csv_set_for_a_city_loaded_from_turtle(store: Store) -> None:
    load(store, EXAMPLES / "dalian.ttl")
    files = sorted((TEMPLATES / "dalian").glob("*.csv"))
    report = validate_files(files, max_bytes=1_000_000, context=store)
    assert report.conforms, violations(report)
    for path in files:
        load(store, path)


def test_a_value_described_only_in_the_store_is_checked_against_that_description(
    store: Store,
) -> None:
    """The store's geometry of Beijing makes a one-triple update conform; the same update in
    a store where that geometry is not a geo:Geometry is refused, so the check really runs."""
    update = [PEKING]
    assert validate_quads(update, context=store).conforms
    store.update(
        f"DELETE DATA {{ GRAPH <{CITIES_GRAPH}> {{ <https://w3id.org/tcap-kg/id/geometry/beijing> "
        f"a <{GEO}Geometry> }} }}"
    )
    refused = validate_quads(update, context=store)
    assert violations(refused) == [f"<{CITY}beijing> https://w3id.org/tcap-kg/shapes#City-geometry"]


def test_a_change_is_judged_by_the_nodes_it_touches(store: Store) -> None:
    """A node elsewhere in the store that breaks the shapes (written without validation) does
    not make an unrelated change fail: the change is not judged by whole graphs."""
    store.commit(
        ChangeSet(
            add=[
                quad(
                    CITY + "nameless",
                    RDF + "type",
                    ox.NamedNode(TCAP + "City"),
                    GRAPH + "external/junk",
                ),
            ]
        )
    )
    added = [PEKING]
    report = validate_change(store, added, source="SPARQL Update")
    assert report.conforms and report.findings == [], violations(report)
    nameless = [
        quad(
            CITY + "nameless",
            SKOS + "altLabel",
            ox.Literal("X", language="en"),
            GRAPH + "dataset/x",
        )
    ]
    assert "label-required" in " ".join(violations(validate_change(store, nameless)))


def test_removing_a_statement_checks_the_nodes_that_refer_to_it(store: Store) -> None:
    typed = quad(
        "https://w3id.org/tcap-kg/id/geometry/beijing",
        RDF + "type",
        ox.NamedNode(GEO + "Geometry"),
        CITIES_GRAPH,
    )
    report = validate_change(store, [], [typed], source="SPARQL Update")
    assert violations(report) == [f"<{CITY}beijing> https://w3id.org/tcap-kg/shapes#City-geometry"]
    # The same statement held by a second graph stays: removing one copy changes nothing.
    store.commit(
        ChangeSet(
            add=[
                ox.Quad(
                    typed.subject,
                    typed.predicate,
                    typed.object,
                    ox.NamedNode(GRAPH + "dataset/copy"),
                )
            ]
        )
    )
    assert validate_change(store, [], [typed]).conforms


def test_moving_an_identifier_is_not_a_duplicate(store: Store) -> None:
    """The identifiers of every place are context; one the change removes no longer counts."""
    peking = CITY + "peking"
    graph = GRAPH + "dataset/peking"
    qid = ox.Literal("Q956")
    added = [
        quad(peking, RDF + "type", ox.NamedNode(TCAP + "City"), graph),
        quad(
            peking,
            "http://www.w3.org/2000/01/rdf-schema#label",
            ox.Literal("Peking", language="en"),
            graph,
        ),
        quad(peking, TCAP + "wikidataId", qid, graph),
    ]
    duplicate = validate_change(store, added)
    assert any("City-duplicate-wikidata" in v for v in violations(duplicate))
    links = GRAPH + "data/links/wikidata-geonames"
    moved = validate_change(store, added, [quad(CITY + "beijing", TCAP + "wikidataId", qid, links)])
    assert not any("duplicate" in v for v in violations(moved)), violations(moved)


def test_reloading_a_dataset_without_a_city_checks_what_still_refers_to_it(
    store: Store, tmp_path: Path
) -> None:
    load(store, EXAMPLES / "dalian.ttl", "dalian.ttl")
    claims = tmp_path / "dalian-claims.csv"
    claims.write_text(
        "claim_id,label_en,scope_city_id,statement_en,source_url,verification\n"
        "dalian-again,Capacity development in Dalian,dalian,The compendium names Dalian.,"
        "http://transurbaneuchina.eu/online-compedium/capacity-development/,Verified\n",
        encoding="utf-8",
    )
    load(store, claims)
    emptied = tmp_path / "dalian.ttl"
    emptied.write_text(
        "<https://w3id.org/tcap-kg/id/org/x> a <http://www.w3.org/ns/org#Organization> ;\n"
        '    <http://www.w3.org/2000/01/rdf-schema#label> "X"@en .\n',
        encoding="utf-8",
    )
    report = validate_files(
        [emptied], max_bytes=1_000_000, context=store, exclude_graphs=[default_graph_for(emptied)]
    )
    assert any(
        v.startswith("<https://w3id.org/tcap-kg/id/claim/dalian-again>") and "Claim-scope" in v
        for v in violations(report)
    ), violations(report)


def test_the_reach_comes_from_the_shapes() -> None:
    assert description_reach(load_shapes().rdflib_graph) == 2


DEEP_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
ex:AShape a sh:NodeShape ; sh:targetClass ex:A ;
  sh:property [ sh:path ex:p ; sh:message "p" ;
    sh:node [ sh:property [ sh:path ex:q ;
      sh:node [ sh:property [ sh:path ex:r ; sh:class ex:D ] ] ] ] ] .
"""


def test_the_context_follows_the_reach_of_other_shapes(tmp_path: Path) -> None:
    """Shapes that read three links away get a context three links deep."""
    (tmp_path / "deep.ttl").write_text(DEEP_SHAPES, encoding="utf-8")
    shapes = load_shapes(tmp_path)
    assert shapes.reach == 3
    ex = "http://example.org/"
    context = OxigraphStore.memory()
    chain = [
        quad(ex + "b", ex + "q", ox.NamedNode(ex + "c"), GRAPH + "dataset/chain"),
        quad(ex + "c", ex + "r", ox.NamedNode(ex + "d"), GRAPH + "dataset/chain"),
        quad(ex + "d", RDF + "type", ox.NamedNode(ex + "D"), GRAPH + "dataset/chain"),
    ]
    context.commit(ChangeSet(add=chain))
    dataset = [
        quad(ex + "a", RDF + "type", ox.NamedNode(ex + "A"), GRAPH + "dataset/a"),
        quad(ex + "a", ex + "p", ox.NamedNode(ex + "b"), GRAPH + "dataset/a"),
    ]

    def check(store: Store) -> bool:
        workspace = Workspace(context=store, shapes=shapes)
        workspace.add_quads(dataset)
        return workspace.validate().conforms

    assert check(context)
    context.update(f"DELETE DATA {{ GRAPH <{GRAPH}dataset/chain> {{ <{ex}d> a <{ex}D> }} }}")
    assert not check(context)
