"""Reports people can read: grouped by node, located in the file, in text, JSON and Turtle."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from validation_support import EXAMPLES

from tcap_kg.locations import TextLocator
from tcap_kg.validation import render, validate_files, validate_quads

DALIAN = ox.NamedNode("https://w3id.org/tcap-kg/id/city/dalian")
LAT = "http://www.w3.org/2003/01/geo/wgs84_pos#lat"


def test_text_report_groups_by_node_and_ends_with_the_counts() -> None:
    report = validate_files(
        [EXAMPLES / "dalian-draft.ttl"], max_bytes=1_000_000, names=["dalian-draft.ttl"]
    )
    text = render(report, "text")
    lines = text.splitlines()
    assert lines[0] == "Dalian  city:dalian"
    assert lines[1].split() == [
        "VIOLATION",
        "wgs:lat",
        "=",
        "121.60222",
        "at",
        "dalian-draft.ttl:23:13",
    ]
    assert "did you mean tcap:geonamesId?" in text
    assert lines[-1] == (
        "dalian-draft.ttl: does not conform: 3 violations, 1 warning, 1 info on 2 nodes "
        "(23 triples checked)"
    )
    grouped = [line for line in lines if line and not line.startswith(" ")]
    assert grouped[:2] == [
        "Dalian  city:dalian",
        "Capacity development used in the Dalian case study "
        "(TRANS-URBAN-EU-CHINA compendium)  "
        "claim:trans-urban-eu-china-capacity-development-dalian",
    ]


def test_json_report_is_complete() -> None:
    report = validate_files([EXAMPLES / "dalian.ttl"], max_bytes=1_000_000, names=["dalian.ttl"])
    document = json.loads(render(report, "json"))
    assert document["conforms"] is True
    assert document["shapes"] == ["https://w3id.org/tcap-kg/graph/shapes/tcap"]
    finding = document["nodes"][0]["findings"][0]
    assert set(finding) == {
        "node",
        "followOns",
        "severity",
        "message",
        "path",
        "pathName",
        "value",
        "valueText",
        "sourceShape",
        "component",
        "location",
    }
    assert finding["severity"] == "Warning"


def test_validate_quads_is_the_api_for_parsed_data() -> None:
    quads = [
        ox.Quad(
            DALIAN,
            ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            ox.NamedNode("https://w3id.org/tcap-kg/ontology#City"),
            ox.NamedNode("urn:g"),
        ),
        ox.Quad(
            DALIAN,
            ox.NamedNode(LAT),
            ox.Literal("91.5", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")),
            ox.NamedNode("urn:g"),
        ),
    ]
    report = validate_quads(quads, source="update")
    assert not report.conforms
    kinds = {
        f.source_shape.rsplit("#", 1)[1] for f in report.findings if f.severity.value == "Violation"
    }
    assert kinds == {"latitude", "label-required"}
    assert report.triples == 2


@pytest.mark.parametrize(
    ("fmt", "text", "line"),
    [
        (
            ox.RdfFormat.TURTLE,
            "@prefix city: <https://w3id.org/tcap-kg/id/city/> .\n\ncity:other a <x:C> .\ncity:dalian\n"
            "    a <x:C> ;\n    <http://www.w3.org/2003/01/geo/wgs84_pos#lat> 91.5 .\n",
            6,
        ),
        (
            ox.RdfFormat.TRIG,
            "<urn:g> {\n    <https://w3id.org/tcap-kg/id/city/dalian> a <x:C> ;\n"
            "        <http://www.w3.org/2003/01/geo/wgs84_pos#lat> 91.5 .\n}\n",
            3,
        ),
        (
            ox.RdfFormat.N_TRIPLES,
            '<https://w3id.org/tcap-kg/id/city/dalian> <x:p> "a" .\n'
            '<https://w3id.org/tcap-kg/id/city/dalian> <http://www.w3.org/2003/01/geo/wgs84_pos#lat> "91.5" .\n',
            2,
        ),
        (
            ox.RdfFormat.JSON_LD,
            '{\n  "@context": {"wgs": "http://www.w3.org/2003/01/geo/wgs84_pos#"},\n'
            '  "@id": "https://w3id.org/tcap-kg/id/city/dalian",\n  "name": "91.5",\n  "wgs:lat": 91.5\n}\n',
            5,
        ),
        (
            ox.RdfFormat.RDF_XML,
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"\n'
            '         xmlns:wgs="http://www.w3.org/2003/01/geo/wgs84_pos#">\n'
            '  <rdf:Description rdf:about="https://w3id.org/tcap-kg/id/city/dalian">\n'
            "    <wgs:lat>91.5</wgs:lat>\n  </rdf:Description>\n</rdf:RDF>\n",
            4,
        ),
    ],
    ids=["turtle", "trig", "ntriples", "jsonld", "rdfxml"],
)
def test_findings_are_located_on_the_line_of_the_value(
    fmt: ox.RdfFormat, text: str, line: int
) -> None:
    locator = TextLocator("f", text, fmt)
    locator.prepare()
    value = ox.Literal("91.5", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal"))
    found = locator.locate(DALIAN, LAT, value)
    assert found is not None and found.line == line
    missing = locator.locate(ox.NamedNode("https://w3id.org/tcap-kg/id/city/nowhere"), LAT, None)
    assert missing is None
