"""The IRIs we own and the well-known vocabularies we reuse, in one place."""

from __future__ import annotations

BASE = "https://w3id.org/tcap-kg/"
ONTOLOGY = BASE + "ontology"
TCAP = ONTOLOGY + "#"
ID = BASE + "id/"
GRAPH = BASE + "graph/"
CATALOG_GRAPH = GRAPH + "catalog"
INFERRED_GRAPH = GRAPH + "inferred"
DATASET_IRI = BASE + "dataset"
STAGING_PREFIX = "urn:tcap:staging:"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
SPDX = "http://spdx.org/rdf/terms#"
SH = "http://www.w3.org/ns/shacl#"

PREFIXES: dict[str, str] = {
    "tcap": TCAP,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "owl": OWL,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "prov": PROV,
    "void": VOID,
    "dcat": DCAT,
    "spdx": SPDX,
    "sh": SH,
    "wgs": "http://www.w3.org/2003/01/geo/wgs84_pos#",
    "geo": "http://www.opengis.net/ont/geosparql#",
    "org": "http://www.w3.org/ns/org#",
    "schema": "https://schema.org/",
    "bibo": "http://purl.org/ontology/bibo/",
    "fabio": "http://purl.org/spar/fabio/",
    "wd": "http://www.wikidata.org/entity/",
}


def graph_for_path(relative_path: str) -> str:
    """Graph IRI of a shipped file: its path inside the project without the extension."""
    stem = relative_path.replace("\\", "/")
    for suffix in (".gz",):
        stem = stem.removesuffix(suffix)
    stem = stem.rsplit(".", 1)[0] if "." in stem.rsplit("/", 1)[-1] else stem
    return GRAPH + stem


def is_staging_graph(iri: str) -> bool:
    """Staging graphs hold a half-committed change; they never survive a finished operation."""
    return iri.startswith(STAGING_PREFIX)
