"""Quality checks over the ontology, written as SPARQL so they read like the rules they enforce.

Every check is run twice: on the shipped files, where it must find nothing, and on the shipped
files plus a small deliberate defect, where it must find that defect. A check that cannot fail
would prove nothing.

The header checks follow the FOOPS! tests that can run without the network (OM1, OM2, OM4.1,
OM5.1, OM5.2, VER1, FIND1, VOC1-VOC4) and the issue's own list (contributor, modified, status,
sources, CC BY 4.0).
"""

from __future__ import annotations

from collections.abc import Callable

import pyoxigraph as ox
import pytest
from knowledge_support import (
    ONTOLOGY,
    REPO,
    TCAP,
    ask,
    data_files,
    graph_name,
    ontology_files,
    prefixes,
    select,
    store_from,
    turtle_prefixes,
)
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDFS

# Vocabularies whose terms the ontology and data may use (declared in tcap.ttl, never redefined).
REUSED_VOCABULARIES = (
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://www.w3.org/2000/01/rdf-schema#",
    "http://www.w3.org/2002/07/owl#",
    "http://www.w3.org/2001/XMLSchema#",
    "http://www.w3.org/2004/02/skos/core#",
    "http://purl.org/dc/terms/",
    "http://purl.org/vocab/vann/",
    "http://www.w3.org/ns/prov#",
    "http://purl.org/ontology/bibo/",
    "http://xmlns.com/foaf/0.1/",
    "http://www.w3.org/ns/org#",
    "http://www.opengis.net/ont/geosparql#",
    "http://www.w3.org/2003/01/geo/wgs84_pos#",
    "http://rdfs.org/ns/void#",
)
# Standard metadata vocabularies FOOPS! VOC1 accepts for the header.
METADATA_VOCABULARIES = (
    "http://purl.org/dc/terms/",
    "http://purl.org/dc/elements/1.1/",
    "https://schema.org/",
    "http://schema.org/",
    "http://purl.org/vocab/vann/",
    "http://www.w3.org/ns/prov#",
    "http://purl.org/ontology/bibo/",
    "http://purl.org/pav/",
    "http://xmlns.com/foaf/0.1/",
    "http://usefulinc.com/ns/doap#",
    "https://w3id.org/mod#",
    "http://www.w3.org/2002/07/owl#",
    "http://www.w3.org/2000/01/rdf-schema#",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://www.w3.org/2004/02/skos/core#",
)
BUILT_IN_PREDICATES = (
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://www.w3.org/2000/01/rdf-schema#comment",
    "http://www.w3.org/2000/01/rdf-schema#seeAlso",
    "http://www.w3.org/2002/07/owl#sameAs",
    "http://www.w3.org/2002/07/owl#versionInfo",
    # OWL 2 axiom annotations: statement-level provenance of single triples (owl:Axiom)
    "http://www.w3.org/2002/07/owl#annotatedSource",
    "http://www.w3.org/2002/07/owl#annotatedProperty",
    "http://www.w3.org/2002/07/owl#annotatedTarget",
)
# Built-in classes the data may use without declaring them.
BUILT_IN_CLASSES = ("http://www.w3.org/2002/07/owl#Axiom",)


def _in_list(variable: str, iris: tuple[str, ...]) -> str:
    return f"{variable} IN ({', '.join(f'<{iri}>' for iri in iris)})"


def _starts_with_any(variable: str, namespaces: tuple[str, ...]) -> str:
    return " || ".join(f'STRSTARTS(STR({variable}), "{ns}")' for ns in namespaces)


# The ontology's own terms: everything typed as a class, property, datatype, concept, scheme or
# collection in our namespace.
OWN_TERM = f"""
  ?term a ?kind .
  FILTER(?kind IN (owl:Class, owl:ObjectProperty, owl:DatatypeProperty, owl:AnnotationProperty,
                   rdfs:Datatype, skos:Concept, skos:ConceptScheme, skos:Collection))
  FILTER(STRSTARTS(STR(?term), "{TCAP}"))
"""

GOOD_TERM = f"""
  rdfs:label "broken example"@en ; skos:prefLabel "broken example"@en ;
  skos:definition "A deliberately broken term."@en ; rdfs:isDefinedBy <{ONTOLOGY}> ;
"""

# name -> (query returning one row per offending term, Turtle that must be reported)
TERM_CHECKS: dict[str, tuple[str, str]] = {
    "missing English rdfs:label": (
        f"""SELECT DISTINCT ?term WHERE {{ {OWN_TERM}
            MINUS {{ ?term rdfs:label ?label FILTER(LANGMATCHES(LANG(?label), "en")) }} }}""",
        f"""tcap:Broken a owl:Class ; skos:prefLabel "broken example"@en ;
            skos:definition "x"@en ; rdfs:isDefinedBy <{ONTOLOGY}> .""",
    ),
    "missing English skos:prefLabel": (
        f"""SELECT DISTINCT ?term WHERE {{ {OWN_TERM}
            MINUS {{ ?term skos:prefLabel ?label FILTER(LANGMATCHES(LANG(?label), "en")) }} }}""",
        f"""tcap:Broken a owl:Class ; rdfs:label "broken example"@en ;
            skos:definition "x"@en ; rdfs:isDefinedBy <{ONTOLOGY}> .""",
    ),
    "rdfs:label differs from skos:prefLabel": (
        """SELECT DISTINCT ?term WHERE { ?term rdfs:label ?a ; skos:prefLabel ?b
            FILTER(STRSTARTS(STR(?term), "https://w3id.org/tcap-kg/ontology#"))
            FILTER(LANG(?a) = LANG(?b) && STR(?a) != STR(?b)) }""",
        f"""tcap:Broken a owl:Class ; rdfs:label "one name"@en ; skos:prefLabel "another"@en ;
            skos:definition "x"@en ; rdfs:isDefinedBy <{ONTOLOGY}> .""",
    ),
    "several labels in one language": (
        """SELECT DISTINCT ?term WHERE { VALUES ?p { rdfs:label skos:prefLabel } ?term ?p ?a , ?b
            FILTER(STRSTARTS(STR(?term), "https://w3id.org/tcap-kg/ontology#"))
            FILTER(LANG(?a) = LANG(?b) && ?a != ?b) }""",
        f"""tcap:Broken a owl:Class ; rdfs:label "broken example"@en , "second name"@en ;
            skos:prefLabel "broken example"@en ; skos:definition "x"@en ;
            rdfs:isDefinedBy <{ONTOLOGY}> .""",
    ),
    "missing definition": (
        f"""SELECT DISTINCT ?term WHERE {{ {OWN_TERM}
            MINUS {{ ?term skos:definition|rdfs:comment ?definition }} }}""",
        f"""tcap:Broken a owl:Class ; rdfs:label "broken example"@en ;
            skos:prefLabel "broken example"@en ; rdfs:isDefinedBy <{ONTOLOGY}> .""",
    ),
    "missing Chinese definition": (
        f"""SELECT DISTINCT ?term WHERE {{ {OWN_TERM}
            MINUS {{ ?term skos:definition ?definition FILTER(LCASE(LANG(?definition)) = "zh-hans") }} }}""",
        f"""tcap:Broken a owl:Class ; {GOOD_TERM} skos:note "x" .""",
    ),
    "several definitions in one language": (
        """SELECT DISTINCT ?term WHERE { ?term skos:definition ?a , ?b
            FILTER(STRSTARTS(STR(?term), "https://w3id.org/tcap-kg/ontology#"))
            FILTER(LANG(?a) = LANG(?b) && ?a != ?b) }""",
        f"""tcap:Broken a owl:Class ; {GOOD_TERM} skos:definition "Another one."@en .""",
    ),
    "missing rdfs:isDefinedBy": (
        f"""SELECT DISTINCT ?term WHERE {{ {OWN_TERM}
            MINUS {{ ?term rdfs:isDefinedBy <{ONTOLOGY}> }} }}""",
        """tcap:Broken a owl:Class ; rdfs:label "broken example"@en ;
            skos:prefLabel "broken example"@en ; skos:definition "x"@en .""",
    ),
    "object property without domain": (
        f"""SELECT ?term WHERE {{ ?term a owl:ObjectProperty
            FILTER(STRSTARTS(STR(?term), "{TCAP}")) MINUS {{ ?term rdfs:domain ?d }} }}""",
        f"""tcap:brokenProperty a owl:ObjectProperty ; {GOOD_TERM} rdfs:range tcap:City .""",
    ),
    "object property without range": (
        f"""SELECT ?term WHERE {{ ?term a owl:ObjectProperty
            FILTER(STRSTARTS(STR(?term), "{TCAP}")) MINUS {{ ?term rdfs:range ?r }} }}""",
        f"""tcap:brokenProperty a owl:ObjectProperty ; {GOOD_TERM} rdfs:domain tcap:City .""",
    ),
    "datatype property without domain or range": (
        f"""SELECT ?term WHERE {{ VALUES ?axiom {{ rdfs:domain rdfs:range }}
            ?term a owl:DatatypeProperty FILTER(STRSTARTS(STR(?term), "{TCAP}"))
            MINUS {{ ?term ?axiom ?value }} }}""",
        f"""tcap:brokenProperty a owl:DatatypeProperty ; {GOOD_TERM} rdfs:domain tcap:City .""",
    ),
    "label used by two terms": (
        f"""SELECT DISTINCT ?term ?other ?label WHERE {{ {OWN_TERM}
            ?term rdfs:label|skos:prefLabel ?label .
            ?other rdfs:label|skos:prefLabel ?otherLabel .
            FILTER(STRSTARTS(STR(?other), "{TCAP}") && ?other != ?term)
            FILTER(LANG(?label) = LANG(?otherLabel) && LCASE(STR(?label)) = LCASE(STR(?otherLabel))) }}""",
        f"""tcap:Broken a owl:Class ; rdfs:label "City"@en ; skos:prefLabel "City"@en ;
            skos:definition "x"@en ; rdfs:isDefinedBy <{ONTOLOGY}> .""",
    ),
    "stray whitespace in a label or definition": (
        """SELECT ?term ?text WHERE { ?term rdfs:label|skos:prefLabel|skos:definition ?text
            FILTER(STRSTARTS(STR(?term), "https://w3id.org/tcap-kg/ontology"))
            FILTER(REGEX(STR(?text), "^\\\\s|\\\\s$|\\\\s\\\\s")) }""",
        f"""tcap:Broken a owl:Class ; rdfs:label "broken  example"@en ;
            skos:prefLabel "broken  example"@en ; skos:definition "x"@en ;
            rdfs:isDefinedBy <{ONTOLOGY}> .""",
    ),
    "naming convention (classes and concepts UpperCamelCase, properties lowerCamelCase)": (
        f"""SELECT ?term WHERE {{ {OWN_TERM}
            BIND(STRAFTER(STR(?term), "#") AS ?local)
            FILTER(
              (?kind IN (owl:Class, skos:Concept, skos:ConceptScheme, skos:Collection, rdfs:Datatype)
                 && !REGEX(?local, "^[A-Z][A-Za-z0-9]*$"))
              || (?kind IN (owl:ObjectProperty, owl:DatatypeProperty, owl:AnnotationProperty)
                 && !REGEX(?local, "^[a-z][A-Za-z0-9]*$"))) }}""",
        f"""tcap:broken_class a owl:Class ; {GOOD_TERM} skos:note "x" .""",
    ),
    "term of a foreign namespace described (namespace hijacking)": (
        f"""SELECT ?term ?p WHERE {{ ?term ?p ?o
            FILTER(isIRI(?term) && !STRSTARTS(STR(?term), "{ONTOLOGY}"))
            FILTER(?p != rdf:type) }}""",
        """prov:Entity rdfs:label "entity"@en .""",
    ),
    "foreign term declared as something other than a class, property or datatype": (
        f"""SELECT ?term ?kind WHERE {{ ?term a ?kind
            FILTER(isIRI(?term) && !STRSTARTS(STR(?term), "{ONTOLOGY}"))
            FILTER(!(?kind IN (owl:Class, owl:ObjectProperty, owl:DatatypeProperty,
                               owl:AnnotationProperty, rdfs:Datatype))) }}""",
        """prov:Entity a skos:Concept .""",
    ),
    "foreign term from a vocabulary not on the reuse list": (
        f"""SELECT ?term WHERE {{ ?term a ?kind
            FILTER(isIRI(?term) && !STRSTARTS(STR(?term), "{ONTOLOGY}"))
            FILTER(!({_starts_with_any("?term", REUSED_VOCABULARIES)})) }}""",
        """<http://example.org/vocab#Thing> a owl:Class .""",
    ),
    "concept outside every concept scheme": (
        f"""SELECT ?term WHERE {{ ?term a skos:Concept FILTER(STRSTARTS(STR(?term), "{TCAP}"))
            MINUS {{ ?term skos:inScheme ?scheme }} }}""",
        f"""tcap:BrokenConcept a skos:Concept , tcap:Topic ; {GOOD_TERM} skos:note "x" .""",
    ),
    "member of a concept class not typed skos:Concept": (
        f"""SELECT ?term WHERE {{ ?term a ?class . ?class rdfs:subClassOf skos:Concept
            FILTER(STRSTARTS(STR(?term), "{TCAP}")) MINUS {{ ?term a skos:Concept }} }}""",
        f"""tcap:BrokenConcept a tcap:Topic ; skos:inScheme tcap:TopicScheme ; {GOOD_TERM}
            skos:note "x" .""",
    ),
    "top concept stated only one way": (
        """SELECT ?scheme ?term WHERE {
            { ?scheme skos:hasTopConcept ?term MINUS { ?term skos:topConceptOf ?scheme } }
            UNION { ?term skos:topConceptOf ?scheme MINUS { ?scheme skos:hasTopConcept ?term } } }""",
        """tcap:TopicExperimentation skos:topConceptOf tcap:ComponentScheme .""",
    ),
}


@pytest.mark.parametrize("check", sorted(TERM_CHECKS))
def test_ontology_passes_term_check(check: str, ontology_store: ox.Store) -> None:
    query, _ = TERM_CHECKS[check]
    assert select(ontology_store, prefixes() + query) == []


@pytest.mark.parametrize("check", sorted(TERM_CHECKS))
def test_term_check_reports_a_defect(check: str) -> None:
    query, defect = TERM_CHECKS[check]
    broken = store_from(ontology_files(), turtle_prefixes() + defect, "ontology/broken")
    assert select(broken, prefixes() + query), f"check {check!r} did not report {defect!r}"


# ---------------------------------------------------------------------------------------------
# Header (FOOPS!)
# ---------------------------------------------------------------------------------------------

ONT = f"<{ONTOLOGY}>"

# name -> (ASK that must hold, function that removes or spoils what the check looks for)
HEADER_CHECKS: dict[str, tuple[str, Callable[[Graph], None]]] = {}


def _drop(*predicates: URIRef) -> Callable[[Graph], None]:
    def spoil(graph: Graph) -> None:
        for predicate in predicates:
            graph.remove((URIRef(ONTOLOGY), predicate, None))

    return spoil


def _header(name: str, ask_query: str, spoil: Callable[[Graph], None]) -> None:
    HEADER_CHECKS[name] = (ask_query, spoil)


VANN = "http://purl.org/vocab/vann/"
BIBO_STATUS = URIRef("http://purl.org/ontology/bibo/status")

_header(
    "OM1 minimum metadata (title, description, license, version IRI, creator)",
    f"""ASK {{ {ONT} a owl:Ontology ; dcterms:title ?t ; dcterms:description ?d ;
        dcterms:license ?l ; owl:versionIRI ?v ; dcterms:creator ?c }}""",
    _drop(DCTERMS.creator),
)
_header(
    "OM2 recommended metadata (prefix, version info, created, citation)",
    f"""ASK {{ {ONT} vann:preferredNamespacePrefix ?p ; owl:versionInfo ?v ; dcterms:created ?c ;
        dcterms:bibliographicCitation ?b }}""",
    _drop(DCTERMS.bibliographicCitation),
)
_header(
    "OM4.1 license is CC BY 4.0",
    f"ASK {{ {ONT} dcterms:license <https://creativecommons.org/licenses/by/4.0/> }}",
    _drop(DCTERMS.license),
)
_header(
    "OM5.1 basic provenance (creator, created)",
    f"""ASK {{ {ONT} dcterms:creator ?c ; dcterms:created ?d
        FILTER(DATATYPE(?d) IN (xsd:date, xsd:dateTime)) }}""",
    _drop(DCTERMS.created),
)
_header(
    "OM5.2 detailed provenance (issued, publisher)",
    f"ASK {{ {ONT} dcterms:issued ?i ; dcterms:publisher ?p }}",
    _drop(DCTERMS.publisher),
)
_header(
    "VER1 version IRI differs from the ontology IRI and extends it",
    f"""ASK {{ {ONT} owl:versionIRI ?v ; owl:versionInfo ?info
        FILTER(?v != {ONT} && STR(?v) = CONCAT("{ONTOLOGY}/", STR(?info))) }}""",
    _drop(OWL.versionIRI),
)
_header(
    "FIND1 preferred namespace prefix and URI",
    f"""ASK {{ {ONT} vann:preferredNamespacePrefix "tcap" ;
        vann:preferredNamespaceUri "{TCAP}" }}""",
    _drop(URIRef(VANN + "preferredNamespaceUri")),
)
_header(
    "contributor, modified date and status",
    f"""ASK {{ {ONT} dcterms:contributor ?c ; dcterms:modified ?m ;
        bibo:status <http://purl.org/ontology/bibo/status/draft> }}""",
    _drop(BIBO_STATUS),
)
_header(
    "sources: Wolfram (2016) and Meyer et al. (2021)",
    f"""ASK {{ {ONT} dcterms:source <https://w3id.org/tcap-kg/id/publication/wolfram-2016> ,
        <https://w3id.org/tcap-kg/id/publication/meyer-2021> }}""",
    _drop(DCTERMS.source),
)


def _spoil_metadata_vocabulary(graph: Graph) -> None:
    graph.add((URIRef(ONTOLOGY), URIRef("http://example.org/meta#owner"), Literal("someone")))


_header(
    "VOC1 header uses standard metadata vocabularies only",
    f"""ASK {{ FILTER NOT EXISTS {{ {ONT} ?p ?o
        FILTER(!({_starts_with_any("?p", METADATA_VOCABULARIES)})) }} }}""",
    _spoil_metadata_vocabulary,
)


def _spoil_reuse(graph: Graph) -> None:
    for predicate in (RDFS.subClassOf, RDFS.domain, RDFS.range):
        for subject, obj in list(graph.subject_objects(predicate)):
            if isinstance(obj, URIRef) and not str(obj).startswith(ONTOLOGY):
                graph.remove((subject, predicate, obj))


_header(
    "VOC2 reuses terms from other vocabularies",
    f"""ASK {{ ?term rdfs:subClassOf|rdfs:domain|rdfs:range ?reused
        FILTER(STRSTARTS(STR(?term), "{TCAP}") && isIRI(?reused)
               && !STRSTARTS(STR(?reused), "{ONTOLOGY}")
               && !STRSTARTS(STR(?reused), "http://www.w3.org/2001/XMLSchema#")
               && !STRSTARTS(STR(?reused), "http://www.w3.org/2000/01/rdf-schema#")) }}""",
    _spoil_reuse,
)


def _spoil_labels(graph: Graph) -> None:
    graph.remove((URIRef(TCAP + "City"), RDFS.label, None))
    graph.remove(
        (URIRef(TCAP + "City"), URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"), None)
    )


_header(
    "VOC3 every class and property labelled",
    f"""ASK {{ FILTER NOT EXISTS {{
        ?term a ?kind FILTER(?kind IN (owl:Class, owl:ObjectProperty, owl:DatatypeProperty,
                                       owl:AnnotationProperty))
        FILTER(STRSTARTS(STR(?term), "{TCAP}"))
        FILTER NOT EXISTS {{ ?term rdfs:label|skos:prefLabel ?label }} }} }}""",
    _spoil_labels,
)


def _spoil_definitions(graph: Graph) -> None:
    city = URIRef(TCAP + "City")
    graph.remove((city, RDFS.comment, None))
    graph.remove((city, URIRef("http://www.w3.org/2004/02/skos/core#definition"), None))


_header(
    "VOC4 every class and property defined",
    f"""ASK {{ FILTER NOT EXISTS {{
        ?term a ?kind FILTER(?kind IN (owl:Class, owl:ObjectProperty, owl:DatatypeProperty,
                                       owl:AnnotationProperty))
        FILTER(STRSTARTS(STR(?term), "{TCAP}"))
        FILTER NOT EXISTS {{ ?term rdfs:comment|skos:definition ?definition }} }} }}""",
    _spoil_definitions,
)


def _store_of(graph: Graph) -> ox.Store:
    store = ox.Store()
    store.load(
        graph.serialize(format="nt", encoding="utf-8"),
        format=ox.RdfFormat.N_TRIPLES,
        to_graph=ox.NamedNode(graph_name(ontology_files()[0])),
    )
    return store


@pytest.mark.parametrize("check", sorted(HEADER_CHECKS))
def test_ontology_header_passes(check: str, ontology_store: ox.Store) -> None:
    query, _ = HEADER_CHECKS[check]
    assert ask(ontology_store, prefixes() + query)


@pytest.mark.parametrize("check", sorted(HEADER_CHECKS))
def test_header_check_fails_when_metadata_is_missing(check: str, ontology_graph: Graph) -> None:
    query, spoil = HEADER_CHECKS[check]
    spoiled = Graph()
    for triple in ontology_graph:
        spoiled.add(triple)
    spoil(spoiled)
    assert not ask(_store_of(spoiled), prefixes() + query)


def test_one_ontology_declared_in_tcap_ttl(ontology_store: ox.Store) -> None:
    rows = select(
        ontology_store, prefixes() + "SELECT ?o ?g WHERE { GRAPH ?g { ?o a owl:Ontology } }"
    )
    assert rows == [{"o": ONTOLOGY, "g": graph_name(REPO / "ontology" / "tcap.ttl")}]


# ---------------------------------------------------------------------------------------------
# Data use only declared terms
# ---------------------------------------------------------------------------------------------

DATA_GRAPHS = 'FILTER(STRSTARTS(STR(?g), "https://w3id.org/tcap-kg/graph/data/"))'
ONTOLOGY_GRAPHS = 'FILTER(STRSTARTS(STR(?og), "https://w3id.org/tcap-kg/graph/ontology/"))'

DATA_CHECKS: dict[str, tuple[str, str]] = {
    "predicate used in data but not declared": (
        f"""SELECT DISTINCT ?p WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {DATA_GRAPHS}
            FILTER(!({_in_list("?p", BUILT_IN_PREDICATES)}))
            MINUS {{ GRAPH ?og {{ ?p a ?kind }} {ONTOLOGY_GRAPHS}
                    FILTER(?kind IN (owl:ObjectProperty, owl:DatatypeProperty, owl:AnnotationProperty)) }} }}""",
        """<https://w3id.org/tcap-kg/id/city/beijing> dcterms:spatial "somewhere" .""",
    ),
    "class used in data but not declared": (
        f"""SELECT DISTINCT ?class WHERE {{ GRAPH ?g {{ ?s a ?class }} {DATA_GRAPHS}
            FILTER(!({_in_list("?class", BUILT_IN_CLASSES)}))
            MINUS {{ GRAPH ?og {{ ?class a owl:Class }} {ONTOLOGY_GRAPHS} }} }}""",
        """<https://w3id.org/tcap-kg/id/city/beijing> a <https://schema.org/City> .""",
    ),
    "term of our namespace used in data but not defined": (
        f"""SELECT DISTINCT ?term WHERE {{ GRAPH ?g {{ {{ ?s ?term ?o }} UNION {{ ?s ?p ?term }} }}
            {DATA_GRAPHS} FILTER(isIRI(?term) && STRSTARTS(STR(?term), "{TCAP}"))
            MINUS {{ GRAPH ?og {{ ?term rdfs:isDefinedBy <{ONTOLOGY}> }} {ONTOLOGY_GRAPHS} }} }}""",
        """<https://w3id.org/tcap-kg/id/claim/x> tcap:aboutTopic tcap:TopicInternationalCoop .""",
    ),
    "vocabulary outside the reuse list used in data": (
        f"""SELECT DISTINCT ?term WHERE {{ GRAPH ?g {{ {{ ?s ?term ?o }} UNION {{ ?s a ?term }} }}
            {DATA_GRAPHS}
            FILTER(!STRSTARTS(STR(?term), "{ONTOLOGY}"))
            FILTER(!({_starts_with_any("?term", REUSED_VOCABULARIES)})) }}""",
        """<https://w3id.org/tcap-kg/id/city/beijing> <http://example.org/p> "x" .""",
    ),
}


@pytest.mark.parametrize("check", sorted(DATA_CHECKS))
def test_data_use_declared_terms(check: str, knowledge_store: ox.Store) -> None:
    query, _ = DATA_CHECKS[check]
    assert select(knowledge_store, prefixes() + query) == []


@pytest.mark.parametrize("check", sorted(DATA_CHECKS))
def test_data_term_check_reports_a_defect(check: str) -> None:
    query, defect = DATA_CHECKS[check]
    broken = store_from(ontology_files() + data_files(), turtle_prefixes() + defect, "data/broken")
    assert select(broken, prefixes() + query), f"check {check!r} did not report {defect!r}"


# ---------------------------------------------------------------------------------------------
# The framework
# ---------------------------------------------------------------------------------------------


def test_ten_components_with_notation_and_bilingual_labels(ontology_store: ox.Store) -> None:
    rows = select(
        ontology_store,
        prefixes()
        + """SELECT DISTINCT ?c ?notation WHERE {
            ?c a tcap:Component , skos:Concept ; skos:inScheme tcap:ComponentScheme ;
               skos:topConceptOf tcap:ComponentScheme ; skos:notation ?notation ;
               skos:prefLabel ?en , ?zh ; skos:definition ?def ;
               dcterms:source <https://w3id.org/tcap-kg/id/publication/wolfram-2016> ;
               tcap:verificationStatus tcap:FromMemory ; skos:editorialNote ?note .
            FILTER(LANG(?en) = "en" && LANGMATCHES(LANG(?zh), "zh")) }""",
    )
    assert sorted((r["c"], r["notation"]) for r in rows) == sorted(
        (f"{TCAP}C{n}", f"C{n}") for n in range(1, 11)
    )


def test_component_groups_as_commonly_reproduced_with_c8_caveat(ontology_store: ox.Store) -> None:
    rows = select(
        ontology_store,
        prefixes()
        + "SELECT ?group ?member WHERE { ?group a tcap:ComponentGroup , skos:Collection ; skos:member ?member }",
    )
    groups: dict[str, set[str]] = {}
    for row in rows:
        assert row["group"] is not None and row["member"] is not None
        groups.setdefault(row["group"].removeprefix(TCAP), set()).add(
            row["member"].removeprefix(TCAP)
        )
    assert groups == {
        "AgencyAndInteractionForms": {"C1", "C2", "C3"},
        "CoreDevelopmentProcesses": {"C4", "C5", "C6", "C7"},
        "RelationalDimensions": {"C8", "C9", "C10"},
    }
    notes = select(
        ontology_store,
        prefixes() + "SELECT ?note WHERE { tcap:RelationalDimensions skos:editorialNote ?note }",
    )
    assert any("C8" in (n["note"] or "") and "uncertain" in (n["note"] or "") for n in notes)


def test_group_memberships_are_annotated_as_from_memory(ontology_store: ox.Store) -> None:
    """Each skos:member triple of a component group carries its own owl:Axiom (from memory)."""
    rows = select(
        ontology_store,
        prefixes()
        + """SELECT ?group ?member WHERE {
            ?group a tcap:ComponentGroup ; skos:member ?member .
            FILTER NOT EXISTS { ?axiom a owl:Axiom ; owl:annotatedSource ?group ;
                owl:annotatedProperty skos:member ; owl:annotatedTarget ?member ;
                tcap:verificationStatus tcap:FromMemory } }""",
    )
    assert rows == []


def test_governance_capacities_are_a_separate_scheme(ontology_store: ox.Store) -> None:
    """Hölscher et al.'s four capacities are their own scheme, never merged into C1-C10."""
    capacities = select(
        ontology_store,
        prefixes()
        + """SELECT ?c WHERE { ?c a tcap:GovernanceCapacity , skos:Concept ;
            skos:inScheme tcap:GovernanceCapacityScheme ; skos:definition ?d .
            FILTER(LANG(?d) = "en") }""",
    )
    assert {r["c"] for r in capacities} == {
        TCAP + name
        for name in (
            "StewardingCapacity",
            "UnlockingCapacity",
            "TransformativeGovernanceCapacity",
            "OrchestratingCapacity",
        )
    }
    merged = select(
        ontology_store,
        prefixes()
        + """SELECT ?c ?x WHERE { ?c a tcap:GovernanceCapacity .
            { ?c skos:inScheme tcap:ComponentScheme BIND(tcap:ComponentScheme AS ?x) }
            UNION { ?c a tcap:Component BIND(tcap:Component AS ?x) }
            UNION { VALUES ?p { skos:exactMatch skos:closeMatch skos:broadMatch skos:narrowMatch
                                skos:relatedMatch skos:broader skos:narrower skos:related }
                    { ?c ?p ?x } UNION { ?x ?p ?c } ?x a tcap:Component } }""",
    )
    assert merged == []
