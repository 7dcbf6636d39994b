"""The shipped facts keep their provenance: every claim has a scope, a paraphrase, a source or an
explicit from-memory flag, a short exact quote and the page it was read on (with the date read);
blog claims say they are thin evidence; component mappings say who made them and stay within their
study's framework; a claim or designation is never marked more verified than the page it was read
on; programmes, designations, plans and measures name their source; province, administrative level
and identity links carry their own provenance (owl:Axiom); nothing cites the project's private
research notes; nothing is rated.

Like the ontology checks, each SPARQL check also runs against the data plus a deliberate defect
and must report it.
"""

from __future__ import annotations

import re
from datetime import date

import pyoxigraph as ox
import pytest
from knowledge_support import (
    ID,
    SOURCE_POST,
    data_files,
    prefixes,
    select,
    store_from,
    turtle_prefixes,
)

BLOG = f"<{ID}publication/sss-blog-2023>"
PROJECT = f"<{ID}org/tcap-kg>"
CLAIM = f"<{ID}claim/broken>"

# name -> (query returning offending nodes, Turtle defect that must be reported)
FACT_CHECKS: dict[str, tuple[str, str]] = {
    "claim without scope, English statement or verification status": (
        """SELECT ?claim WHERE { ?claim a tcap:Claim .
            MINUS { ?claim tcap:claimScope ?scope ; tcap:verificationStatus ?status ;
                           tcap:statement ?text FILTER(LANG(?text) = "en") } }""",
        f"""{CLAIM} a tcap:Claim ; tcap:claimScope <{ID}city/beijing> ;
            tcap:statement "no status"@en .""",
    ),
    "claim with neither a source nor a from-memory flag of this project": (
        f"""SELECT ?claim WHERE {{ ?claim a tcap:Claim .
            MINUS {{ ?claim dcterms:source ?source }}
            MINUS {{ ?claim tcap:verificationStatus tcap:FromMemory ;
                            prov:wasAttributedTo {PROJECT} }} }}""",
        f"""{CLAIM} a tcap:Claim ; tcap:claimScope <{ID}city/beijing> ;
            tcap:statement "unsourced"@en ; tcap:verificationStatus tcap:Verified .""",
    ),
    "sourced claim not derived from its source or without evidence type": (
        """SELECT ?claim WHERE { ?claim a tcap:Claim ; dcterms:source ?source .
            MINUS { ?claim prov:wasDerivedFrom ?source ; tcap:evidenceType ?type } }""",
        f"""{CLAIM} a tcap:Claim ; dcterms:source {BLOG} .""",
    ),
    "blog claim not marked as thin evidence of kind blog": (
        """SELECT ?claim WHERE { ?claim a tcap:Claim ; dcterms:source ?source .
            { ?source tcap:evidenceType tcap:EvidenceBlog } UNION { ?claim tcap:evidenceType tcap:EvidenceBlog }
            MINUS { ?claim tcap:evidenceType tcap:EvidenceBlog ; skos:note ?note
                    FILTER(CONTAINS(LCASE(?note), "thin")) } }""",
        f"""{CLAIM} a tcap:Claim ; dcterms:source {BLOG} ;
            tcap:evidenceType tcap:EvidenceAcademicPublication .""",
    ),
    "deprecated evidence type used": (
        """SELECT ?node WHERE { ?node tcap:evidenceType tcap:EvidenceSecondaryBlogNews }""",
        f"""{CLAIM} tcap:evidenceType tcap:EvidenceSecondaryBlogNews .""",
    ),
    "sourced claim without a quote or without the page it was read on": (
        """SELECT ?claim WHERE { ?claim a tcap:Claim ; dcterms:source ?source .
            MINUS { ?claim tcap:quote ?quote ; tcap:accessedVia ?page .
                    ?page a bibo:Webpage ; rdfs:label ?label ; tcap:readOn ?read ;
                          tcap:evidenceType ?kind ; tcap:verificationStatus ?status } }""",
        f"""{CLAIM} a tcap:Claim ; dcterms:source {BLOG} ; tcap:quote "x"@en ;
            tcap:accessedVia <http://example.org/unread-page> .
            <http://example.org/unread-page> a bibo:Webpage ; rdfs:label "A page"@en .""",
    ),
    "claim or designation marked more verified than the page it was read on": (
        """SELECT ?node WHERE {
            { ?node tcap:accessedVia ?page } UNION { ?node a tcap:PilotDesignation ; dcterms:source ?page
              MINUS { ?node dcterms:source ?other . ?other tcap:verificationStatus tcap:Verified } }
            ?node tcap:verificationStatus ?mine . ?page tcap:verificationStatus ?theirs .
            FILTER((?mine = tcap:Verified && ?theirs != tcap:Verified)
                   || (?mine = tcap:VerifiedSecondary && ?theirs = tcap:FromMemory)) }""",
        f"""<{ID}designation/broken> a tcap:PilotDesignation ; tcap:verificationStatus tcap:Verified ;
            dcterms:source <http://www.plnmw.com/InformationTechnologyConsulting/rteqhfeumu.html> .""",
    ),
    "web page read without a kind, a read date or a verification status": (
        """SELECT ?page WHERE { ?page a bibo:Webpage .
            MINUS { ?page tcap:evidenceType ?kind ; tcap:readOn ?date ; tcap:verificationStatus ?s } }""",
        """<http://example.org/page> a bibo:Webpage ; rdfs:label "A page"@en .""",
    ),
    "node citing the project's private research notes": (
        f"""SELECT ?node WHERE {{ ?node dcterms:source|prov:wasDerivedFrom|tcap:accessedVia ?doc
            FILTER(STRSTARTS(STR(?doc), "{ID}document/")) }}""",
        f"""<{ID}city/beijing> prov:wasDerivedFrom <{ID}document/tcap-kg-domain-research> .""",
    ),
    "province or administrative level without its own source (owl:Axiom)": (
        """SELECT ?city ?p WHERE { VALUES ?p { tcap:inProvince tcap:administrativeLevel }
            ?city ?p ?value .
            MINUS { ?axiom a owl:Axiom ; owl:annotatedSource ?city ; owl:annotatedProperty ?p ;
                           owl:annotatedTarget ?value ; dcterms:source ?source ;
                           tcap:verificationStatus ?status } }""",
        f"""<{ID}city/beijing> tcap:administrativeLevel tcap:SubProvincialCity .""",
    ),
    "identity link without its link set, source and status (owl:Axiom)": (
        """SELECT ?s ?p ?o WHERE { VALUES ?p { owl:sameAs skos:closeMatch } ?s ?p ?o .
            MINUS { ?axiom a owl:Axiom ; owl:annotatedSource ?s ; owl:annotatedProperty ?p ;
                           owl:annotatedTarget ?o ; dcterms:isPartOf ?linkset ;
                           dcterms:source ?source ; tcap:verificationStatus ?status .
                    ?linkset a void:Linkset ; void:linkPredicate ?p } }""",
        f"""<{ID}city/shanghai> skos:closeMatch <https://sws.geonames.org/1/> .""",
    ),
    "governance capacity mapped outside its framework, or its study mapped to components": (
        """SELECT ?claim WHERE { ?claim tcap:hasComponentMapping ?m ; dcterms:source ?source .
            OPTIONAL { ?source tcap:analyticalFramework ?framework }
            OPTIONAL { ?m tcap:mapsToCapacity ?capacity }
            OPTIONAL { ?m tcap:mapsToComponent|tcap:mapsToGroup ?component }
            BIND(COALESCE(?framework = tcap:FrameworkGovernanceCapacities, false) AS ?holscher)
            FILTER((BOUND(?capacity) && !?holscher) || (BOUND(?component) && ?holscher)) }""",
        f"""<{ID}claim/broken> dcterms:source <{ID}publication/meyer-2021> ;
            tcap:hasComponentMapping <{ID}mapping/broken> .
            <{ID}mapping/broken> tcap:mapsToCapacity tcap:UnlockingCapacity .""",
    ),
    "component mapping without target, basis or author": (
        """SELECT ?mapping WHERE { ?claim tcap:hasComponentMapping ?mapping .
            MINUS { ?mapping a tcap:ComponentMapping ; tcap:mappingBasis ?basis ;
                             prov:wasAttributedTo ?agent ;
                             tcap:mapsToComponent|tcap:mapsToGroup|tcap:mapsToCapacity ?target } }""",
        f"""{CLAIM} tcap:hasComponentMapping <{ID}mapping/broken> .
            <{ID}mapping/broken> a tcap:ComponentMapping ; tcap:mapsToComponent tcap:C1 .""",
    ),
    "mapping attributed to the wrong agent for its basis": (
        f"""SELECT ?mapping WHERE {{
            {{ ?claim tcap:hasComponentMapping ?mapping .
               ?mapping tcap:mappingBasis tcap:MappingInSourceWording ; prov:wasAttributedTo ?agent
               MINUS {{ ?claim prov:wasAttributedTo ?agent }} }}
            UNION
            {{ ?mapping tcap:mappingBasis tcap:MappingProjectReading ; prov:wasAttributedTo ?agent
               FILTER(?agent != {PROJECT}) }} }}""",
        f"""<{ID}claim/sss-blog-2023-diverse-actors> tcap:hasComponentMapping <{ID}mapping/broken> .
            <{ID}mapping/broken> a tcap:ComponentMapping ; tcap:mapsToComponent tcap:C3 ;
                tcap:mappingBasis tcap:MappingInSourceWording ; prov:wasAttributedTo {PROJECT} .""",
    ),
    "project reading without a stated reason": (
        """SELECT ?mapping WHERE { ?mapping tcap:mappingBasis tcap:MappingProjectReading .
            MINUS { ?mapping rdfs:comment ?reason } }""",
        f"""<{ID}mapping/broken> a tcap:ComponentMapping ; tcap:mapsToComponent tcap:C3 ;
            tcap:mappingBasis tcap:MappingProjectReading ; prov:wasAttributedTo {PROJECT} .""",
    ),
    "quotation longer than a short quote": (
        """SELECT ?claim WHERE { ?claim tcap:quote ?quote FILTER(STRLEN(?quote) > 250) }""",
        f"""{CLAIM} tcap:quote "{"x" * 251}"@en .""",
    ),
    "designation without programme, place or source": (
        """SELECT ?designation WHERE { ?designation a tcap:PilotDesignation .
            MINUS { ?designation tcap:inProgramme ?p ; tcap:designatedPlace ?place ;
                                 dcterms:source ?source } }""",
        f"""<{ID}designation/broken> a tcap:PilotDesignation ;
            tcap:designatedPlace <{ID}city/shenzhen> .""",
    ),
    "programme, batch, project, cooperation, plan, implementation or measure without source": (
        """SELECT ?node WHERE { ?node a ?kind
            FILTER(?kind IN (tcap:PilotProgramme, tcap:PilotBatch, tcap:Project,
                             tcap:InternationalCooperation, tcap:Plan, tcap:PlanImplementation,
                             tcap:Measure))
            MINUS { ?node dcterms:source ?source } }""",
        f"""<{ID}programme/broken> a tcap:PilotProgramme .""",
    ),
    "source without a label to show": (
        """SELECT DISTINCT ?source WHERE { ?node dcterms:source ?source
            FILTER(STRSTARTS(STR(?node), "https://w3id.org/tcap-kg/id/"))
            MINUS { ?source rdfs:label ?label } }""",
        f"""{CLAIM} dcterms:source <http://example.org/unlabelled-page> .""",
    ),
    "rating or assessment in the shipped data (no source rates a component)": (
        """SELECT ?node WHERE { { ?node a tcap:ComponentAssessment }
            UNION { ?node tcap:hasRating ?rating } UNION { ?node tcap:ordinalValue ?value
            FILTER(STRSTARTS(STR(?node), "https://w3id.org/tcap-kg/id/")) } }""",
        f"""<{ID}assessment/broken> a tcap:ComponentAssessment ; tcap:hasRating tcap:RatingEvidencePresent .""",
    ),
    "unsourced administrative level not flagged from memory": (
        """SELECT ?claim WHERE { ?claim tcap:claimedAdministrativeLevel ?level .
            MINUS { ?claim dcterms:source ?source }
            MINUS { ?claim tcap:verificationStatus tcap:FromMemory } }""",
        f"""{CLAIM} a tcap:Claim ; tcap:claimedAdministrativeLevel tcap:PrefectureLevelCity .""",
    ),
    "volume recorded for the MDPI book or chapter": (
        f"""SELECT ?work WHERE {{ ?work bibo:volume ?volume
            FILTER(?work IN (<{ID}publication/meyer-2021>,
                             <{ID}publication/towards-socially-integrative-cities-2021>)) }}""",
        f"""<{ID}publication/meyer-2021> bibo:volume "9" .""",
    ),
    "subject outside our identifiers that is not a described web page": (
        """SELECT DISTINCT ?s WHERE { ?s ?p ?o
            FILTER(isBlank(?s) || (isIRI(?s) && !STRSTARTS(STR(?s), "https://w3id.org/tcap-kg/")))
            MINUS { ?s a bibo:Webpage }
            MINUS { ?s a owl:Axiom ; owl:annotatedSource ?annotated } }""",
        """<http://www.wikidata.org/entity/Q956> rdfs:label "Beijing"@en .""",
    ),
    "identifier IRI not of the form id/<kind>/<lowercase-hyphen slug>": (
        f"""SELECT DISTINCT ?node WHERE {{ {{ ?node ?p ?o }} UNION {{ ?s ?p ?node }}
            FILTER(isIRI(?node) && STRSTARTS(STR(?node), "{ID}"))
            FILTER(!REGEX(STR(?node), "^{ID}[a-z0-9]+(-[a-z0-9]+)*/[a-z0-9]+(-[a-z0-9]+)*$")) }}""",
        f"""<{ID}city/Xian_City> a tcap:City .""",
    ),
}


def _data_store(defect: str = "") -> ox.Store:
    """The data files alone (the ontology's terms and declarations are not facts)."""
    return store_from(data_files(), turtle_prefixes() + defect, "data/broken")


@pytest.fixture(scope="module")
def data_store() -> ox.Store:
    return _data_store()


@pytest.mark.parametrize("check", sorted(FACT_CHECKS))
def test_shipped_facts_pass(check: str, data_store: ox.Store) -> None:
    query, _ = FACT_CHECKS[check]
    assert select(data_store, prefixes() + query) == []


@pytest.mark.parametrize("check", sorted(FACT_CHECKS))
def test_fact_check_reports_a_defect(check: str) -> None:
    query, defect = FACT_CHECKS[check]
    assert select(_data_store(defect), prefixes() + query), f"{check!r} missed {defect!r}"


def test_every_claim_of_the_blog_post_is_there(data_store: ox.Store) -> None:
    rows = select(
        data_store,
        prefixes() + f"SELECT ?claim WHERE {{ ?claim a tcap:Claim ; dcterms:source {BLOG} }}",
    )
    slugs = sorted((r["claim"] or "").removeprefix(f"{ID}claim/sss-blog-2023-") for r in rows)
    assert slugs == [
        "diverse-actors",
        "experimentation",
        "integration-of-plans",
        "international-cooperation",
        "leadership-and-ownership",
        "local-adaptation-of-national-plans",
        "locally-fitting-technology",
        "public-awareness-and-social-learning",
        "top-down-legal-status-and-monitoring",
    ]


def test_blog_groups_are_the_blogs_own_and_kept_apart_from_project_readings(
    data_store: ox.Store,
) -> None:
    rows = select(
        data_store,
        prefixes()
        + f"""SELECT ?slug ?target ?basis WHERE {{
            ?claim dcterms:source {BLOG} ; tcap:hasComponentMapping ?m .
            ?m tcap:mapsToComponent|tcap:mapsToGroup ?target ; tcap:mappingBasis ?basis .
            BIND(STRAFTER(STR(?claim), "sss-blog-2023-") AS ?slug) }}""",
    )
    by_source = {
        (r["slug"], (r["target"] or "").split("#")[1])
        for r in rows
        if (r["basis"] or "").endswith("MappingInSourceWording")
    }
    assert by_source == {
        ("diverse-actors", "AgencyAndInteractionForms"),
        ("leadership-and-ownership", "AgencyAndInteractionForms"),
        ("public-awareness-and-social-learning", "AgencyAndInteractionForms"),
        ("integration-of-plans", "CoreDevelopmentProcesses"),
        ("experimentation", "CoreDevelopmentProcesses"),
        ("international-cooperation", "RelationalDimensions"),
    }
    by_project = {
        (r["slug"], (r["target"] or "").split("#")[1])
        for r in rows
        if (r["basis"] or "").endswith("MappingProjectReading")
    }
    assert by_project == {
        ("local-adaptation-of-national-plans", "C10"),
        ("top-down-legal-status-and-monitoring", "C8"),
        ("diverse-actors", "C1"),
        ("leadership-and-ownership", "C2"),
        ("public-awareness-and-social-learning", "C8"),
        ("integration-of-plans", "C7"),
        ("experimentation", "C6"),
        ("international-cooperation", "C10"),
    }


def test_six_city_list_is_a_claim_of_the_blog_not_of_meyer(data_store: ox.Store) -> None:
    rows = select(
        data_store,
        prefixes()
        + f"""SELECT ?group ?source (COUNT(?city) AS ?cities) WHERE {{
            <{ID}claim/sss-blog-2023-international-cooperation> tcap:claimScope ?group ;
                prov:wasAttributedTo <{ID}org/smart-city-strategies-and-solutions> .
            ?group tcap:hasMemberCity ?city ; dcterms:source ?source }} GROUP BY ?group ?source""",
    )
    assert rows == [
        {
            "group": f"{ID}city-group/six-cities-sss-blog-2023",
            "source": f"{ID}publication/sss-blog-2023",
            "cities": "6",
        }
    ]
    meyer = select(
        data_store,
        prefixes()
        + f"""SELECT ?city WHERE {{ ?claim dcterms:source <{ID}publication/meyer-2021> ;
            tcap:claimScope ?scope . ?scope tcap:hasMemberCity? ?city . ?city a tcap:City }}""",
    )
    assert meyer == []


@pytest.mark.skipif(not SOURCE_POST.exists(), reason="the source post is not in this checkout")
def test_quotes_are_verbatim_from_the_blog_post(data_store: ox.Store) -> None:
    text = " ".join(SOURCE_POST.read_text(encoding="utf-8").split())
    rows = select(
        data_store,
        prefixes() + f"SELECT ?quote WHERE {{ ?claim dcterms:source {BLOG} ; tcap:quote ?quote }}",
    )
    assert len(rows) >= 3
    for row in rows:
        assert row["quote"] in text


DATE_FORMS = {
    "http://www.w3.org/2001/XMLSchema#date": r"^\d{4}-\d{2}-\d{2}$",
    "http://www.w3.org/2001/XMLSchema#gYearMonth": r"^\d{4}-\d{2}$",
    "http://www.w3.org/2001/XMLSchema#gYear": r"^\d{4}$",
}


def test_date_literals_are_well_formed_and_not_in_the_future(data_store: ox.Store) -> None:
    """HermiT ignores these datatypes, so their lexical forms are checked here."""
    seen = 0
    for quad in data_store:
        literal = quad.object
        if not isinstance(literal, ox.Literal) or literal.datatype.value not in DATE_FORMS:
            continue
        seen += 1
        assert re.match(DATE_FORMS[literal.datatype.value], literal.value), literal
        padded = (literal.value + "-01-01")[:10] if len(literal.value) < 10 else literal.value
        assert date.fromisoformat(padded) <= date.today(), literal
    assert seen >= 10


def test_no_imports_or_ontology_headers_in_data(data_store: ox.Store) -> None:
    rows = select(
        data_store,
        prefixes()
        + """SELECT ?s WHERE { GRAPH ?g { { ?s owl:imports ?o } UNION { ?s a owl:Ontology } }
            FILTER(STRSTARTS(STR(?g), "https://w3id.org/tcap-kg/graph/data/")) }""",
    )
    assert rows == []
