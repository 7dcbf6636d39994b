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
from pinned import CITY_IDS

from tcap_kg.catalogue import parse_named_query

QUERIES = sorted((REPO / "queries").glob("*.rq"))
CITIES = ["beijing", "shanghai", "shenzhen", "wuhan", "chongqing", "tianjin"]
BLOG = f"{ID}publication/sss-blog-2023"
MEYER = f"{ID}publication/meyer-2021"
COMPENDIUM = "http://transurbaneuchina.eu/online-compedium/capacity-development/"
RESEARCH_NOTES = f"{ID}document/tcap-kg-domain-research"
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


def test_international_cooperation_is_exactly_the_six_cities_with_the_blog(
    run_named_query: RunQuery,
) -> None:
    rows = run_named_query("international-cooperation")
    assert sorted(
        (r["city"], r["source"], r["evidenceCount"], r["evidenceItems"]) for r in rows
    ) == sorted((city(c), BLOG, "1", INTL_CLAIM) for c in CITIES)
    for row in rows:
        assert row["scopes"] == f"{ID}city-group/six-cities-sss-blog-2023"
        assert row["evidenceTypes"] == TCAP + "EvidenceSecondaryBlogNews"
        assert row["sourceLabel"] and "Smart City Strategies and Solutions" in row["sourceLabel"]


@pytest.mark.parametrize("slug", CITIES)
def test_city_components(slug: str, run_named_query: RunQuery) -> None:
    rows = run_named_query("city-components", city=city(slug))
    assert [
        (
            r["aspectKind"],
            r["aspect"],
            r["notation"],
            r["claim"],
            r["basis"],
            r["mappedBy"],
            r["source"],
        )
        for r in rows
    ] == [
        (
            "component",
            TCAP + "C10",
            "C10",
            INTL_CLAIM,
            TCAP + "MappingProjectReading",
            PROJECT,
            BLOG,
        ),
        (
            "group",
            TCAP + "RelationalDimensions",
            None,
            INTL_CLAIM,
            TCAP + "MappingInSourceWording",
            SSS,
            BLOG,
        ),
    ]


@pytest.mark.parametrize("slug", CITIES)
def test_city_component_gaps(slug: str, run_named_query: RunQuery) -> None:
    rows = run_named_query("city-component-gaps", city=city(slug))
    assert [(r["city"], r["notation"]) for r in rows] == [
        (city(slug), f"C{n}") for n in range(1, 10)
    ]


def test_city_component_gaps_without_a_city_covers_every_city(run_named_query: RunQuery) -> None:
    rows = run_named_query("city-component-gaps")
    assert Counter(r["city"] for r in rows) == {city(c): 9 for c in CITIES}


def test_claims_by_source(run_named_query: RunQuery) -> None:
    rows = run_named_query("claims-by-source")
    by_source = Counter(r["source"] for r in rows)
    assert by_source == {BLOG: 9, MEYER: 2, COMPENDIUM: 1, RESEARCH_NOTES: 6}
    assert len({r["claim"] for r in rows}) == 18
    compendium = next(r for r in rows if r["source"] == COMPENDIUM)
    assert set((compendium["scopes"] or "").split()) == {city("beijing"), city("shenzhen")}
    reported = [r for r in rows if r["reportsClaimOf"]]
    assert [(r["claim"], r["reportsClaimOf"]) for r in reported] == [
        (f"{ID}claim/sss-blog-2023-locally-fitting-technology", MEYER)
    ]
    assert all(r["sourceLabel"] and r["statement"] and r["verificationStatus"] for r in rows)


def test_claims_by_one_source(run_named_query: RunQuery) -> None:
    rows = run_named_query("claims-by-source", source=MEYER)
    assert sorted(r["claim"] for r in rows) == [
        f"{ID}claim/meyer-2021-capacity-building-approaches",
        f"{ID}claim/meyer-2021-planning-implementation-gap",
    ]
    assert {r["evidenceType"] for r in rows} == {TCAP + "EvidenceAcademicPublication"}


PILOTS = {
    (
        city("beijing"),
        f"{ID}programme/mohurd-national-smart-city-pilots",
        f"{ID}area/beijing-economic-and-technological-development-zone",
        "http://ccprjournal.com.cn/news/9107.htm",
        "2013-08-05",
    ),
    (
        city("beijing"),
        f"{ID}programme/smart-infrastructure-and-connected-vehicles-pilots",
        city("beijing"),
        f"{ID}publication/chinanews-2021-05-06-smart-infrastructure-pilots",
        None,
    ),
    (
        city("shanghai"),
        f"{ID}programme/smart-infrastructure-and-connected-vehicles-pilots",
        city("shanghai"),
        f"{ID}publication/chinanews-2021-05-06-smart-infrastructure-pilots",
        None,
    ),
    (
        city("wuhan"),
        f"{ID}programme/smart-infrastructure-and-connected-vehicles-pilots",
        city("wuhan"),
        f"{ID}publication/chinanews-2021-05-06-smart-infrastructure-pilots",
        None,
    ),
    (
        city("wuhan"),
        f"{ID}programme/nasg-smart-city-pilots",
        city("wuhan"),
        "http://usa.chinadaily.com.cn/china/2013-08/13/content_16891670.htm",
        "2013-08-13",
    ),
    (
        city("chongqing"),
        f"{ID}programme/nasg-smart-city-pilots",
        city("chongqing"),
        "http://usa.chinadaily.com.cn/china/2013-08/13/content_16891670.htm",
        "2013-08-13",
    ),
}


def test_pilot_programmes(run_named_query: RunQuery) -> None:
    rows = run_named_query("pilot-programmes")
    got = [(r["city"], r["programme"], r["designatedPlace"], r["source"], r["date"]) for r in rows]
    assert len(got) == len(PILOTS)
    assert set(got) == PILOTS


@pytest.mark.parametrize("slug", CITIES)
def test_pilot_programmes_of_one_city(slug: str, run_named_query: RunQuery) -> None:
    rows = run_named_query("pilot-programmes", city=city(slug))
    assert {
        (r["city"], r["programme"], r["designatedPlace"], r["source"], r["date"]) for r in rows
    } == {p for p in PILOTS if p[0] == city(slug)}


def test_city_links(run_named_query: RunQuery) -> None:
    rows = run_named_query("city-links")
    assert sorted(
        (r["city"], r["wikidataId"], r["wikidata"], r["geonamesId"], r["geonames"]) for r in rows
    ) == sorted(
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
        assert row["wikidataLinkset"] == f"{ID}linkset/wikidata"
        assert row["geonamesLinkset"] == f"{ID}linkset/geonames"
        assert row["linksetSource"] == f"{ID}document/tcap-kg-domain-research"


def test_planning_implementation_gap(run_named_query: RunQuery) -> None:
    rows = run_named_query("planning-implementation-gap")
    assert [(r["source"], r["claim"]) for r in rows] == [
        (MEYER, f"{ID}claim/meyer-2021-capacity-building-approaches"),
        (MEYER, f"{ID}claim/meyer-2021-planning-implementation-gap"),
        (BLOG, f"{ID}claim/sss-blog-2023-experimentation"),
        (BLOG, f"{ID}claim/sss-blog-2023-locally-fitting-technology"),
        (BLOG, f"{ID}claim/sss-blog-2023-top-down-legal-status-and-monitoring"),
    ]
    meyer = [r for r in rows if r["source"] == MEYER]
    assert {r["accessedVia"] for r in meyer} == {
        "https://publications.ait.ac.at/de/publications/"
        "enhancing-capacity-building-for-urban-transformation-as-a-means-t"
    }
    assert {r["verificationStatus"] for r in rows} == {TCAP + "Verified"}
    assert all(r["statement"] and r["sourceLabel"] for r in rows)


def test_cities(run_named_query: RunQuery) -> None:
    rows = run_named_query("cities")
    assert [
        (r["city"], r["name"], r["nameZh"], r["province"], r["level"], r["levelStatus"])
        for r in rows
    ] == [
        (
            city("beijing"),
            "Beijing",
            "北京市",
            None,
            TCAP + "DirectAdministeredMunicipality",
            TCAP + "FromMemory",
        ),
        (
            city("chongqing"),
            "Chongqing",
            "重庆市",
            None,
            TCAP + "DirectAdministeredMunicipality",
            TCAP + "FromMemory",
        ),
        (
            city("shanghai"),
            "Shanghai",
            "上海市",
            None,
            TCAP + "DirectAdministeredMunicipality",
            TCAP + "FromMemory",
        ),
        (
            city("shenzhen"),
            "Shenzhen",
            "深圳市",
            f"{ID}province/guangdong",
            TCAP + "SubProvincialCity",
            TCAP + "FromMemory",
        ),
        (
            city("tianjin"),
            "Tianjin",
            "天津市",
            None,
            TCAP + "DirectAdministeredMunicipality",
            TCAP + "FromMemory",
        ),
        (
            city("wuhan"),
            "Wuhan",
            "武汉市",
            f"{ID}province/hubei",
            TCAP + "SubProvincialCity",
            TCAP + "FromMemory",
        ),
    ]
    assert all(r["lat"] and r["long"] for r in rows)


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
    assert all(r["label"] and r["labelZh"] and r["definition"] for r in rows)
    assert {r["status"] for r in rows} == {TCAP + "FromMemory"}


CITY_CLAIMS = {
    "beijing": {
        "beijing-administrative-level",
        "sss-blog-2023-international-cooperation",
        "trans-urban-eu-china-capacity-development-case-studies",
    },
    "shenzhen": {
        "shenzhen-administrative-level",
        "sss-blog-2023-international-cooperation",
        "trans-urban-eu-china-capacity-development-case-studies",
    },
    "shanghai": {"shanghai-administrative-level", "sss-blog-2023-international-cooperation"},
    "wuhan": {"wuhan-administrative-level", "sss-blog-2023-international-cooperation"},
    "chongqing": {"chongqing-administrative-level", "sss-blog-2023-international-cooperation"},
    "tianjin": {"tianjin-administrative-level", "sss-blog-2023-international-cooperation"},
}


@pytest.mark.parametrize("slug", CITIES)
def test_city_claims(slug: str, run_named_query: RunQuery) -> None:
    rows = run_named_query("city-claims", city=city(slug))
    assert {(r["claim"] or "").removeprefix(f"{ID}claim/") for r in rows} == CITY_CLAIMS[slug]
    for row in rows:
        assert row["source"] or row["verificationStatus"] == TCAP + "FromMemory"
