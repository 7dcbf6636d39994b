"""Linking cities to Wikidata through an extract: GeoNames IDs (P1566) first, labels second.

`owl:sameAs` claims identity, so it is asserted only when the Wikidata item states the GeoNames
ID the city is already linked to *and* one of its labels names the city (English or Chinese).
An item that shares the ID but names another place (one public dataset labels GeoNames 1792947
"Weihai") is reported as a conflict; an item found by its label alone is reported as weak. The
extract is read as a stream, keeping only the few statements matching needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from ..bulk import read_dump
from ..namespaces import RDFS, SKOS
from .decisions import CHAINING, CONFLICT, LEXICAL, Candidate, Match, decide
from .places import Place, is_chinese, normalise

ENTITY = "http://www.wikidata.org/entity/"
DIRECT = "http://www.wikidata.org/prop/direct/"
GEONAMES_ID = DIRECT + "P1566"
LABELS = {
    RDFS + "label",
    SKOS + "prefLabel",
    SKOS + "altLabel",
    "http://schema.org/name",
    "https://schema.org/name",
}


@dataclass
class Item:
    """What the extract says about one Wikidata item, as far as matching needs."""

    qid: str
    labels: set[tuple[str, str]] = field(default_factory=set)
    geonames_ids: set[str] = field(default_factory=set)

    @property
    def label(self) -> str:
        english = sorted(text for text, lang in self.labels if lang.startswith("en"))
        return (english or sorted(text for text, _ in self.labels) or [self.qid])[0]


@dataclass(frozen=True)
class Extract:
    """The items of a Wikidata extract, indexed by GeoNames ID and by normalised label."""

    items: dict[str, Item]
    by_geonames: dict[str, list[str]]
    by_label: dict[str, list[str]]
    source: str
    sha256: str


def read_extract(path: Path) -> Extract:
    """Read the item labels and GeoNames IDs of an N-Triples/N-Quads/Turtle/TriG extract."""
    items: dict[str, Item] = {}

    def keep(quad: ox.Quad) -> None:
        subject, predicate, value = quad.subject, quad.predicate.value, quad.object
        if not isinstance(subject, ox.NamedNode) or not subject.value.startswith(ENTITY):
            return
        if predicate == GEONAMES_ID and isinstance(value, ox.Literal):
            item = items.setdefault(subject.value, Item(subject.value.removeprefix(ENTITY)))
            item.geonames_ids.add(value.value)
        elif predicate in LABELS and isinstance(value, ox.Literal):
            item = items.setdefault(subject.value, Item(subject.value.removeprefix(ENTITY)))
            item.labels.add((value.value, value.language or ""))

    sha256 = read_dump(path, keep)
    by_geonames: dict[str, list[str]] = {}
    by_label: dict[str, list[str]] = {}
    for iri, item in items.items():
        for geonames_id in item.geonames_ids:
            by_geonames.setdefault(geonames_id, []).append(iri)
        for key in {normalise(text) for text, _ in item.labels}:
            by_label.setdefault(key, []).append(iri)
    return Extract(items, by_geonames, by_label, path.name, sha256)


def match(place: Place, extract: Extract) -> Match:
    """Link through the shared GeoNames ID when a label agrees; report everything else."""
    found = {iri for gid in place.geonames_ids for iri in extract.by_geonames.get(gid, [])}
    found |= {iri for key in place.name_keys() for iri in extract.by_label.get(key, [])}
    candidates = [_score(place, extract.items[iri]) for iri in sorted(found)]
    unnamed = [c for c in candidates if c.justification == CHAINING and not _named(c)]
    named = [c for c in candidates if c not in unnamed]
    if unnamed and not any(c.justification == CHAINING for c in named):
        labels = "; ".join(f"{c.identifier} is labelled {c.label!r}" for c in unnamed)
        return Match(
            place,
            CONFLICT,
            tuple(unnamed),
            f"items stating this city's GeoNames ID do not name it ({labels})",
        )
    return decide(place, named, place.wikidata_ids)


def _named(candidate: Candidate) -> bool:
    return any("label" in reason for reason in candidate.evidence)


def _score(place: Place, item: Item) -> Candidate:
    evidence: list[str] = []
    confidence = 0.0
    shared = sorted(place.geonames_ids & item.geonames_ids)
    if shared:
        confidence += 0.5
        evidence.append(f"states GeoNames ID {', '.join(shared)} (P1566) as the city's link does")
    ours = place.name_keys()
    theirs = {normalise(text): text for text, _ in item.labels}
    agreeing = [ours[key] for key in ours.keys() & theirs.keys()]
    if any(not is_chinese(name) for name in agreeing):
        confidence += 0.3
        evidence.append("a label agrees")
    if any(is_chinese(name) for name in agreeing):
        confidence += 0.2
        evidence.append("a Chinese label agrees")
    return Candidate(
        ENTITY + item.qid,
        item.qid,
        item.label,
        round(min(confidence, 1.0), 2),
        tuple(evidence),
        CHAINING if shared else LEXICAL,
    )
