"""`tcap load` validates first: violations refuse the whole dataset; records say what passed."""

from __future__ import annotations

import json
import zipfile

from validation_support import CORPUS, EXAMPLES, TEMPLATES

CATALOG = "https://w3id.org/tcap-kg/graph/catalog"
DALIAN_GRAPH = "https://w3id.org/tcap-kg/graph/dataset/dalian"


def _record(tcap, graph: str) -> dict[str, list[str]]:
    query = (
        "PREFIX dqv: <http://www.w3.org/ns/dqv#> "
        f"SELECT ?p ?o WHERE {{ GRAPH <{CATALOG}> {{ {{ <{graph}> ?p ?o }} UNION "
        f"{{ <{graph}> dqv:hasQualityAnnotation ?a . ?a ?p ?o }} }} }}"
    )
    result = tcap("query", query, "--format", "json")
    assert result.code == 0, result.stderr
    found: dict[str, list[str]] = {}
    for row in json.loads(result.stdout)["results"]["bindings"]:
        found.setdefault(row["p"]["value"], []).append(row["o"]["value"])
    return found


def test_a_violating_dataset_is_refused_whole_with_the_report(tcap, tmp_path) -> None:
    assert tcap("init").code == 0
    before = tcap("export").stdout
    mixed = tmp_path / "mixed.ttl"
    good = (EXAMPLES / "dalian.ttl").read_text(encoding="utf-8")
    mixed.write_text(good.replace("wgs:lat 38.91222", "wgs:lat 138.91222"), encoding="utf-8")
    result = tcap("load", str(mixed), str(CORPUS / "warnings-only.ttl"), "--graph", DALIAN_GRAPH)
    assert result.code == 1
    assert "Latitude (wgs:lat) must be one number" in result.stdout
    assert "mixed.ttl:" in result.stdout
    assert "dataset refused, nothing was written" in result.stderr
    assert tcap("export").stdout == before


def test_a_conforming_dataset_is_loaded_with_its_validation_record(tcap) -> None:
    result = tcap("load", str(EXAMPLES / "dalian.ttl"), "--graph", DALIAN_GRAPH)
    assert result.code == 0, result.stderr
    assert "1 warning" in result.stderr
    record = _record(tcap, DALIAN_GRAPH)
    assert record["http://purl.org/dc/terms/conformsTo"] == [
        "https://w3id.org/tcap-kg/graph/shapes/tcap"
    ]
    assert record["http://purl.org/dc/terms/source"] == ["dalian.ttl"]
    assert record["http://www.w3.org/ns/shacl#conforms"] == ["true"]
    assert (
        "0 violations, 1 warnings, 1 info"
        in record["http://www.w3.org/2000/01/rdf-schema#comment"][0]
    )
    assert record["http://rdfs.org/ns/void#triples"] == ["25"]
    answer = tcap(
        "query",
        "SELECT ?label WHERE { ?claim <https://w3id.org/tcap-kg/ontology#claimScope> ?city . "
        "?city <http://www.w3.org/2000/01/rdf-schema#label> ?label FILTER(lang(?label) = 'en') }",
        "--format",
        "csv",
    )
    assert "Dalian" in answer.stdout.splitlines()


def test_the_csv_templates_load_like_turtle(tcap) -> None:
    result = tcap("load", str(TEMPLATES / "dalian"), "--graph", DALIAN_GRAPH)
    assert result.code == 0, result.stderr
    assert f"loaded 17 triples into <{DALIAN_GRAPH}>" in result.stdout
    record = _record(tcap, DALIAN_GRAPH)
    assert sorted(record["http://purl.org/dc/terms/source"]) == ["cities.csv", "claims.csv"]


def test_a_claim_about_a_city_loaded_earlier_passes_against_the_store(tcap, tmp_path) -> None:
    assert tcap("load", str(EXAMPLES / "dalian.ttl"), "--graph", DALIAN_GRAPH).code == 0
    claim = tmp_path / "dalian-claims.csv"
    claim.write_text(
        "claim_id,label_en,scope_city_id,statement_en,source_url,verification\n"
        "dalian-again,Capacity development in Dalian,dalian,The compendium names Dalian.,"
        "http://transurbaneuchina.eu/online-compedium/capacity-development/,Verified\n",
        encoding="utf-8",
    )
    alone = tcap("validate", str(claim))
    assert alone.code == 1 and "city:dalian" in alone.stdout
    against_store = tcap("validate", "--against-store", str(claim))
    assert against_store.code == 0, against_store.stdout
    assert tcap("load", str(claim)).code == 0


def test_a_zip_of_the_csv_templates_validates_and_loads(tcap, tmp_path) -> None:
    archive = tmp_path / "dalian-set.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for path in sorted((TEMPLATES / "dalian").glob("*.csv")):
            bundle.write(path, f"dalian/{path.name}")
    checked = tcap("validate", str(archive), "--format", "json")
    assert checked.code == 0, checked.stdout + checked.stderr
    assert json.loads(checked.stdout)["sources"] == [
        f"{archive}/dalian/cities.csv",
        f"{archive}/dalian/claims.csv",
    ]
    loaded = tcap("load", str(archive), "--graph", DALIAN_GRAPH)
    assert loaded.code == 0, loaded.stderr
    assert f"loaded 17 triples into <{DALIAN_GRAPH}>" in loaded.stdout
    record = _record(tcap, DALIAN_GRAPH)
    assert sorted(record["http://purl.org/dc/terms/source"]) == [
        "dalian-set.zip/dalian/cities.csv",
        "dalian-set.zip/dalian/claims.csv",
    ]
