"""Synthetic city datasets in the TCap KG vocabulary, for benchmarks of validation and the endpoint.

Run by hand, e.g.:

    python benchmarks/synth.py --triples 1000000 --seed 1 -o /tmp/synth-1m.ttl
    python benchmarks/synth.py --cities 500 --violations 0 -o /tmp/cities.nq --graph https://example.org/g

Each city gets what the shipped data gives a real one: labels in English and Chinese, coordinates
and a point geometry, identifiers, actors, a publication, claims with component mappings and
component assessments on the shipped rating scale. A known share of cities carries exactly one
seeded violation each, of kinds the shapes must catch (missing source, malformed Wikidata or
GeoNames ID, coordinates out of range, a literal of the wrong datatype, an unknown component, a
rating outside its scale, a claim without a scope); the summary printed (and `Synth.seeded`)
says how many of each. The same seed always gives the same bytes.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from tcap_kg.namespaces import DCTERMS, ID, PREFIXES, PROV, RDF, RDFS, SKOS, TCAP, XSD
from tcap_kg.rdfio import format_from_name

WGS = "http://www.w3.org/2003/01/geo/wgs84_pos#"
GEO = "http://www.opengis.net/ont/geosparql#"
BIBO = "http://purl.org/ontology/bibo/"
ORG = "http://www.w3.org/ns/org#"

TRIPLES_PER_CITY = 186
CLAIMS_PER_CITY = 6
ACTORS_PER_CITY = 3
ASSESSED_COMPONENTS = 6

VIOLATION_KINDS = (
    "missing-source",
    "malformed-wikidata-id",
    "malformed-geonames-id",
    "latitude-out-of-range",
    "wrong-datatype",
    "unknown-component",
    "rating-outside-scale",
    "claim-without-scope",
)

EVIDENCE_TYPES = ("EvidencePolicyDocument", "EvidenceProjectDocumentation", "EvidenceInterview")
TOPICS = ("TopicInternationalCooperation", "TopicPlanningImplementationGap", "TopicExperimentation")
SECTORS = ("SectorGovernment", "SectorBusiness", "SectorCivilSociety", "SectorAcademia")
RATINGS = ("RatingEvidencePresent", "RatingEvidenceAbsent", "RatingNotExamined")
METHODS = ("MethodDocumentCoding", "MethodStakeholderAssessment", "MethodSelfAssessment")


def _iri(value: str) -> ox.NamedNode:
    return ox.NamedNode(value)


def _tcap(local: str) -> ox.NamedNode:
    return ox.NamedNode(TCAP + local)


def _en(text: str) -> ox.Literal:
    return ox.Literal(text, language="en")


def _typed(text: str, datatype: str) -> ox.Literal:
    return ox.Literal(text, datatype=ox.NamedNode(datatype))


A = _iri(RDF + "type")
LABEL = _iri(RDFS + "label")
PREF = _iri(SKOS + "prefLabel")
SOURCE = _iri(DCTERMS + "source")


@dataclass
class Synth:
    """A generated dataset: its quads, how many cities, and the violations seeded per kind."""

    quads: list[ox.Quad]
    cities: int
    seeded: Counter[str] = field(default_factory=Counter)

    @property
    def triples(self) -> int:
        return len(self.quads)

    @property
    def violations(self) -> int:
        return sum(self.seeded.values())

    def serialize(self, fmt: ox.RdfFormat = ox.RdfFormat.TURTLE) -> bytes:
        """The dataset in `fmt` (graph formats merge graphs), with the usual prefixes."""
        out = io.BytesIO()
        if fmt.supports_datasets:
            ox.serialize(self.quads, out, fmt, prefixes=_prefixes())
        else:
            triples = [ox.Triple(q.subject, q.predicate, q.object) for q in self.quads]
            ox.serialize(triples, out, fmt, prefixes=_prefixes())
        return out.getvalue()


def _prefixes() -> dict[str, str]:
    return {**PREFIXES, "city": ID + "city/", "claim": ID + "claim/", "mapping": ID + "mapping/"}


def generate(
    *,
    triples: int | None = None,
    cities: int | None = None,
    seed: int = 1,
    violation_rate: float = 0.35,
    graph: str | None = None,
) -> Synth:
    """About `triples` triples (or exactly `cities` cities); `violation_rate` is the share of
    cities with one seeded violation (0 gives a conforming dataset)."""
    if cities is None:
        cities = max(1, round((triples or 10_000) / TRIPLES_PER_CITY))
    rng = random.Random(seed)
    target = ox.NamedNode(graph) if graph else ox.DefaultGraph()
    quads: list[ox.Quad] = []
    seeded: Counter[str] = Counter()
    for index in range(cities):
        kind = rng.choice(VIOLATION_KINDS) if rng.random() < violation_rate else None
        if kind is not None:
            seeded[kind] += 1
        quads.extend(ox.Quad(s, p, o, target) for s, p, o in _city(index, rng, kind))
    return Synth(quads, cities, seeded)


def _city(
    index: int, rng: random.Random, kind: str | None
) -> Iterator[tuple[ox.NamedNode, ox.NamedNode, ox.NamedNode | ox.Literal]]:
    slug = f"synth-{index:07d}"
    city = _iri(f"{ID}city/{slug}")
    geometry = _iri(f"{ID}geometry/{slug}")
    publication = _iri(f"{ID}publication/{slug}-report")
    lat = round(rng.uniform(18.0, 50.0), 5)
    lon = round(rng.uniform(75.0, 134.0), 5)
    name = f"Synthetic City {index}"

    yield city, A, _tcap("City")
    yield city, LABEL, _en(name)
    yield city, LABEL, ox.Literal(f"合成城市{index}", language="zh-Hans")
    yield city, PREF, _en(name)
    yield city, PREF, ox.Literal(f"合成城市{index}", language="zh-Hans")
    yield city, _tcap("inCountry"), _iri(ID + "country/china")
    if kind == "latitude-out-of-range":
        yield city, _iri(WGS + "lat"), _typed(f"{lat + 90:.5f}", XSD + "decimal")
    elif kind == "wrong-datatype":
        yield city, _iri(WGS + "lat"), ox.Literal(f"{lat:.5f}")
    else:
        yield city, _iri(WGS + "lat"), _typed(f"{lat:.5f}", XSD + "decimal")
    yield city, _iri(WGS + "long"), _typed(f"{lon:.5f}", XSD + "decimal")
    yield city, _iri(GEO + "hasGeometry"), geometry
    yield city, _iri(PROV + "wasDerivedFrom"), publication
    qid = "Q-" + str(index) if kind == "malformed-wikidata-id" else f"Q{90_000_000 + index}"
    geonames = f"gn{index}" if kind == "malformed-geonames-id" else str(50_000_000 + index)
    yield city, _tcap("wikidataId"), ox.Literal(qid)
    yield city, _tcap("geonamesId"), ox.Literal(geonames)

    yield geometry, A, _iri(GEO + "Geometry")
    yield geometry, LABEL, _en(f"Point of {name}")
    yield geometry, _iri(GEO + "asWKT"), _typed(f"POINT({lon:.5f} {lat:.5f})", GEO + "wktLiteral")
    yield geometry, SOURCE, publication

    yield publication, A, _iri(BIBO + "Document")
    yield publication, LABEL, _en(f"Capacity report on {name}")
    yield publication, _iri(DCTERMS + "title"), _en(f"Transformative capacity in {name}")
    yield publication, _iri(DCTERMS + "issued"), _typed(str(2015 + index % 10), XSD + "gYear")
    yield publication, _iri(BIBO + "doi"), ox.Literal(f"10.5555/synth.{index}")

    actors = []
    for number in range(ACTORS_PER_CITY):
        actor = _iri(f"{ID}org/{slug}-actor-{number}")
        actors.append(actor)
        yield actor, A, _tcap("Actor")
        yield actor, A, _iri(ORG + "Organization")
        yield actor, LABEL, _en(f"Actor {number} of {name}")
        yield actor, _tcap("sector"), _tcap(SECTORS[(index + number) % len(SECTORS)])
        yield actor, _iri(DCTERMS + "spatial"), city

    for number in range(CLAIMS_PER_CITY):
        claim = _iri(f"{ID}claim/{slug}-{number}")
        mapping = _iri(f"{ID}mapping/{slug}-{number}")
        component = f"C{(index + number) % 10 + 1}"
        yield claim, A, _tcap("Claim")
        yield claim, LABEL, _en(f"Claim {number} about {name}")
        if not (kind == "claim-without-scope" and number == 0):
            yield claim, _tcap("claimScope"), city
        yield claim, _tcap("statement"), _en(f"Actors of {name} show capacity {component}.")
        yield claim, _tcap("aboutTopic"), _tcap(TOPICS[number % len(TOPICS)])
        yield claim, _tcap("hasComponentMapping"), mapping
        if not (kind == "missing-source" and number == 0):
            yield claim, SOURCE, publication
        yield claim, _iri(PROV + "wasDerivedFrom"), publication
        yield claim, _iri(PROV + "wasAttributedTo"), actors[number % ACTORS_PER_CITY]
        yield claim, _tcap("evidenceType"), _tcap(EVIDENCE_TYPES[number % len(EVIDENCE_TYPES)])
        yield claim, _tcap("verificationStatus"), _tcap("Verified")

        yield mapping, A, _tcap("ComponentMapping")
        yield mapping, LABEL, _en(f"Reading of claim {number} about {name} as {component}")
        if kind == "unknown-component" and number == 0:
            yield mapping, _tcap("mapsToComponent"), _tcap("C11")
        else:
            yield mapping, _tcap("mapsToComponent"), _tcap(component)
        yield mapping, _tcap("mappingBasis"), _tcap("MappingProjectReading")
        yield mapping, _iri(PROV + "wasAttributedTo"), _iri(ID + "org/tcap-kg")

    for number in range(ASSESSED_COMPONENTS):
        assessment = _iri(f"{ID}assessment/{slug}-c{number + 1}")
        yield assessment, A, _tcap("ComponentAssessment")
        yield assessment, LABEL, _en(f"Assessment of C{number + 1} in {name}")
        yield assessment, _tcap("assessedCity"), city
        yield assessment, _tcap("assessedComponent"), _tcap(f"C{number + 1}")
        if kind == "rating-outside-scale" and number == 0:
            yield assessment, _tcap("hasRating"), _tcap("RatingExcellent")
        else:
            yield assessment, _tcap("hasRating"), _tcap(RATINGS[(index + number) % len(RATINGS)])
        yield assessment, _tcap("assessmentMethod"), _tcap(METHODS[number % len(METHODS)])
        yield assessment, _iri(PROV + "wasAttributedTo"), actors[0]
        yield assessment, SOURCE, publication
        yield (
            assessment,
            _iri(PROV + "generatedAtTime"),
            _typed(f"{2016 + number}-06-01T00:00:00Z", XSD + "dateTime"),
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--triples", type=int, help="about this many triples (default 10000)")
    size.add_argument("--cities", type=int, help="exactly this many cities")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--violations",
        type=float,
        default=0.35,
        help="share of cities with one seeded violation (default 0.35; 0 = conforming)",
    )
    parser.add_argument("--graph", help="put the triples in this named graph (for .nq / .trig)")
    parser.add_argument("-o", "--output", type=Path, help="file to write (format from extension)")
    args = parser.parse_args(argv)
    synth = generate(
        triples=args.triples,
        cities=args.cities,
        seed=args.seed,
        violation_rate=args.violations,
        graph=args.graph,
    )
    fmt = format_from_name(args.output.name) if args.output else ox.RdfFormat.TURTLE
    body = synth.serialize(fmt)
    if args.output:
        args.output.write_bytes(body)
    else:
        sys.stdout.buffer.write(body)
    summary = {
        "triples": synth.triples,
        "cities": synth.cities,
        "seeded_violations": synth.violations,
        "by_kind": dict(sorted(synth.seeded.items())),
    }
    print(json.dumps(summary), file=sys.stderr)


if __name__ == "__main__":
    main()
