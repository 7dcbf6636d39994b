"""What the pages read from the graph: the framework, cities, claims, sources, designations.

Every read is a fixed SPARQL text; the one value that varies (a city or a scope) is bound as an RDF
term by the store, never pasted into the text (the engine only substitutes projected variables, so
each query projects the variable it is given). Labels come back in every language the data has and
are chosen for the reader later (`i18n.pick`), so one read serves both interface languages.

A claim counts for a city when its scope is the city or a city group that lists the city as a
member; claims about groups without listed members count for no city (the ontology's rule that a
statement about a group is never copied onto each city).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import pyoxigraph as ox

from ...namespaces import ID, PREFIXES
from ...records import read_records
from ...results import short
from ...sparql_text import QueryDataset
from ...store import Solutions, Term
from ...store.base import Queryable
from . import evidence, provenance
from .i18n import pick, sort_key

CITY_BASE = ID + "city/"
SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]{0,127}$")
SCOPE_KEY = re.compile(r"^[a-z0-9-]+/[a-z0-9][a-z0-9._-]{0,127}$")
_WKT_POINT = re.compile(r"POINT\s*\(\s*([-+0-9.eE]+)\s+([-+0-9.eE]+)\s*\)", re.IGNORECASE)
_NOTATION_NUMBER = re.compile(r"(\d+)")

Texts = dict[str, str]
"""Language tag (lower case, "" for none) -> text."""

_PREFIX_LINES = "\n".join(f"PREFIX {name}: <{iri}>" for name, iri in PREFIXES.items())


def sparql(body: str) -> str:
    """A query with every well-known prefix declared."""
    return f"{_PREFIX_LINES}\n{body}"


def select(store: Queryable, query: str, **bindings: Term) -> list[dict[str, Term | None]]:
    """Run a SELECT over the graphs the pages vouch for (`provenance`) and return its rows as
    plain dicts (the pages' results are small)."""
    return _rows(store, query, provenance.graphs(store).dataset, bindings)


def select_everywhere(
    store: Queryable, query: str, **bindings: Term
) -> list[dict[str, Term | None]]:
    """`select` over every graph in the store (to say where other statements come from)."""
    return _rows(store, query, None, bindings)


def _rows(
    store: Queryable, query: str, dataset: QueryDataset | None, bindings: dict[str, Term]
) -> list[dict[str, Term | None]]:
    result = store.query(query, dataset=dataset, bindings=bindings or None)
    assert isinstance(result, Solutions)
    names = result.variables
    return [{name: row[name] for name in names} for row in result]


def value(term: Term | None) -> str | None:
    return term.value if isinstance(term, ox.NamedNode | ox.Literal | ox.BlankNode) else None


def add_text(texts: Texts, term: Term | None) -> None:
    if isinstance(term, ox.Literal):
        texts.setdefault((term.language or "").lower(), term.value)


@dataclass
class Node:
    """An IRI with its labels in every language the data gives."""

    iri: str
    labels: Texts = field(default_factory=dict)

    def name(self, lang: str) -> str:
        return pick(self.labels, lang) or short(ox.NamedNode(self.iri))

    @property
    def local(self) -> str:
        return re.split(r"[#/]", self.iri)[-1]


def attach_labelled(owner: object, row: dict[str, Term | None], keys: Iterable[str]) -> None:
    """Set each `key` attribute of `owner` to the Node the row names in `key`, collecting its
    `{key}Label` in every language as rows repeat the node (one row per label)."""
    for key in keys:
        iri = value(row[key])
        if iri is not None:
            node = getattr(owner, key) or Node(iri)
            setattr(owner, key, node)
            add_text(node.labels, row[f"{key}Label"])


def city_slug(iri: str) -> str | None:
    """The slug of one of our city IRIs (`.../id/city/<slug>`), else None."""
    if iri.startswith(CITY_BASE):
        slug = iri[len(CITY_BASE) :]
        return slug if SLUG.match(slug) else None
    return None


def scope_key(iri: str) -> str | None:
    """`city/beijing` or `city-group/six-cities`: a scope IRI under our base, as a URL parameter."""
    if iri.startswith(ID):
        key = iri[len(ID) :]
        return key if SCOPE_KEY.match(key) else None
    return None


# ---------------------------------------------------------------- the framework


@dataclass
class Component(Node):
    notation: str = ""

    @property
    def order(self) -> tuple[int, str]:
        match = _NOTATION_NUMBER.search(self.notation)
        return (int(match.group(1)) if match else 10_000, self.notation)


@dataclass
class Group(Node):
    components: list[Component] = field(default_factory=list)


@dataclass
class Framework:
    """The components in their groups, ordered by notation; groups ordered by their first member."""

    groups: list[Group]
    ungrouped: list[Component]

    @property
    def components(self) -> list[Component]:
        seen: dict[str, Component] = {}
        for group in self.groups:
            for component in group.components:
                seen.setdefault(component.iri, component)
        for component in self.ungrouped:
            seen.setdefault(component.iri, component)
        return sorted(seen.values(), key=lambda c: c.order)

    def component(self, iri: str) -> Component | None:
        return next((c for c in self.components if c.iri == iri), None)

    def group(self, iri: str) -> Group | None:
        return next((g for g in self.groups if g.iri == iri), None)

    def by_notation(self, notation: str) -> Component | None:
        return next((c for c in self.components if c.notation == notation), None)


_FRAMEWORK = sparql("""
SELECT ?component ?notation ?label ?group ?groupLabel WHERE {
  ?component a tcap:Component ; skos:notation ?notation .
  OPTIONAL { ?component skos:prefLabel ?label }
  OPTIONAL {
    ?group a tcap:ComponentGroup ; skos:member ?component .
    OPTIONAL { ?group skos:prefLabel ?groupLabel }
  }
}""")


def framework(store: Queryable) -> Framework:
    components: dict[str, Component] = {}
    groups: dict[str, Group] = {}
    members: dict[str, set[str]] = {}
    for row in select(store, _FRAMEWORK):
        iri = value(row["component"])
        if iri is None:
            continue
        component = components.setdefault(
            iri, Component(iri, notation=value(row["notation"]) or "")
        )
        add_text(component.labels, row["label"])
        group_iri = value(row["group"])
        if group_iri is not None:
            add_text(groups.setdefault(group_iri, Group(group_iri)).labels, row["groupLabel"])
            members.setdefault(group_iri, set()).add(iri)
    for group_iri, group in groups.items():
        group.components = sorted(
            (components[c] for c in members[group_iri]), key=lambda c: c.order
        )
    grouped = {c for found in members.values() for c in found}
    ordered = sorted(
        groups.values(), key=lambda g: g.components[0].order if g.components else (0, "")
    )
    ungrouped = sorted(
        (c for i, c in components.items() if i not in grouped), key=lambda c: c.order
    )
    return Framework(ordered, ungrouped)


# ---------------------------------------------------------------- cities


@dataclass
class City(Node):
    lat: float | None = None
    long: float | None = None
    province: Node | None = None
    country: Node | None = None

    @property
    def slug(self) -> str | None:
        return city_slug(self.iri)

    @property
    def has_point(self) -> bool:
        return self.lat is not None and self.long is not None


_CITIES = sparql("""
SELECT ?city ?label ?lat ?long ?wkt ?province ?provinceLabel ?country ?countryLabel WHERE {
  ?city a tcap:City .
  OPTIONAL { ?city rdfs:label|skos:prefLabel ?label }
  OPTIONAL { ?city wgs:lat ?lat ; wgs:long ?long }
  OPTIONAL { ?city geo:hasGeometry/geo:asWKT ?wkt }
  OPTIONAL { ?city tcap:inProvince ?province OPTIONAL { ?province rdfs:label|skos:prefLabel ?provinceLabel } }
  OPTIONAL { ?city tcap:inCountry ?country OPTIONAL { ?country rdfs:label|skos:prefLabel ?countryLabel } }
}""")


def _number(term: Term | None) -> float | None:
    try:
        return float(term.value) if isinstance(term, ox.Literal) else None
    except ValueError:
        return None


def _collect_cities(rows: Iterable[dict[str, Term | None]]) -> dict[str, City]:
    cities: dict[str, City] = {}
    for row in rows:
        iri = value(row["city"])
        if iri is None:
            continue
        city = cities.setdefault(iri, City(iri))
        add_text(city.labels, row["label"])
        if city.lat is None and row["lat"] is not None:
            city.lat, city.long = _number(row["lat"]), _number(row["long"])
        wkt = value(row["wkt"])
        if city.lat is None and wkt and (point := _WKT_POINT.search(wkt)):
            city.long, city.lat = float(point.group(1)), float(point.group(2))
        attach_labelled(city, row, ("province", "country"))
    return cities


def cities(store: Queryable, lang: str) -> list[City]:
    """Every city, sorted by its name in the reader's language."""
    found = _collect_cities(select(store, _CITIES))
    return sorted(found.values(), key=lambda c: sort_key(c.name(lang), lang))


def city(store: Queryable, slug: str) -> City | None:
    """One of our cities by slug, or None."""
    if not SLUG.match(slug):
        return None
    found = _collect_cities(select(store, _CITIES, city=ox.NamedNode(CITY_BASE + slug)))
    return found.get(CITY_BASE + slug)


@dataclass
class Identifiers:
    """Names, identifiers and links out of a city."""

    names: list[tuple[str, str]] = field(default_factory=list)
    wikidata: list[str] = field(default_factory=list)
    geonames: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    derived_from: list[Node] = field(default_factory=list)


_IDENTIFIERS = sparql("""
SELECT ?city ?p ?o ?oLabel WHERE {
  VALUES ?p { rdfs:label skos:prefLabel skos:altLabel tcap:wikidataId tcap:geonamesId
              owl:sameAs skos:closeMatch skos:exactMatch rdfs:seeAlso prov:wasDerivedFrom }
  ?city ?p ?o .
  OPTIONAL { ?o rdfs:label ?oLabel }
}""")

_LINK_PREDICATES = {PREFIXES["owl"] + "sameAs", PREFIXES["skos"] + "closeMatch"}
_LINK_PREDICATES |= {PREFIXES["skos"] + "exactMatch", PREFIXES["rdfs"] + "seeAlso"}


def identifiers(store: Queryable, city_iri: str) -> Identifiers:
    found = Identifiers()
    derived: dict[str, Node] = {}
    names: dict[tuple[str, str], None] = {}
    for row in select(store, _IDENTIFIERS, city=ox.NamedNode(city_iri)):
        predicate, obj = value(row["p"]), row["o"]
        text = value(obj)
        if predicate is None or text is None:
            continue
        if predicate.endswith("wikidataId"):
            found.wikidata.append(text)
        elif predicate.endswith("geonamesId"):
            found.geonames.append(text)
        elif predicate in _LINK_PREDICATES and isinstance(obj, ox.NamedNode):
            found.links.append(text)
        elif predicate.endswith("wasDerivedFrom") and isinstance(obj, ox.NamedNode):
            add_text(derived.setdefault(text, Node(text)).labels, row["oLabel"])
        elif isinstance(obj, ox.Literal):
            names[(obj.language or "", text)] = None
    found.names = sorted(names, key=lambda pair: (pair[0] != "en", pair[0]))
    found.wikidata = sorted(set(found.wikidata))
    found.geonames = sorted(set(found.geonames))
    found.links = sorted(set(found.links))
    found.derived_from = list(derived.values())
    return found


# ---------------------------------------------------------------- claims


@dataclass
class Mapping:
    """A reading of a claim as evidence for a component or a whole group, and who made it."""

    iri: str
    component: str | None = None
    group: str | None = None
    basis: str | None = None
    by: str | None = None


@dataclass
class Claim(Node):
    """A claim with what the pages show of it; `via` is `city` or the IRI of the group scope."""

    via: set[str] = field(default_factory=set)
    statements: Texts = field(default_factory=dict)
    quotes: Texts = field(default_factory=dict)
    notes: Texts = field(default_factory=dict)
    mappings: dict[str, Mapping] = field(default_factory=dict)
    attributes: dict[str, list[str]] = field(default_factory=dict)

    @property
    def components(self) -> set[str]:
        return {m.component for m in self.mappings.values() if m.component}

    @property
    def groups(self) -> set[str]:
        return {m.group for m in self.mappings.values() if m.group}

    def values(self, name: str) -> list[str]:
        return self.attributes.get(name, [])

    @property
    def direct(self) -> bool:
        return "city" in self.via


# Which claims a page shows. Each binds ?claim and ?via; `city` or `scope` is bound by the caller.
ABOUT_CITY = """
  { ?claim tcap:claimScope ?city . BIND("city" AS ?via) }
  UNION
  { ?via_group tcap:hasMemberCity ?city . ?claim tcap:claimScope ?via_group . BIND(STR(?via_group) AS ?via) }
  ?claim a tcap:Claim .
"""
ABOUT_SCOPE = """
  ?claim a tcap:Claim ; tcap:claimScope ?scope . BIND("city" AS ?via)
"""

_CLAIM_CORE = """
SELECT ?city ?scope ?source ?claim ?via ?label ?statement ?quote ?note ?mapping ?component ?group ?basis ?by WHERE {{
  {selection}
  OPTIONAL {{ ?claim rdfs:label ?label }}
  OPTIONAL {{ ?claim tcap:statement ?statement }}
  OPTIONAL {{ ?claim tcap:quote ?quote }}
  OPTIONAL {{ ?claim skos:note|skos:editorialNote ?note }}
  OPTIONAL {{
    ?claim tcap:hasComponentMapping ?mapping .
    OPTIONAL {{ ?mapping tcap:mapsToComponent ?component }}
    OPTIONAL {{ ?mapping tcap:mapsToGroup ?group }}
    OPTIONAL {{ ?mapping tcap:mappingBasis ?basis }}
    OPTIONAL {{ ?mapping prov:wasAttributedTo ?by }}
  }}
}}"""

# Attributes shown with each claim, by the short name the templates use.
CLAIM_ATTRIBUTES = {
    "source": "dcterms:source",
    "said_by": "prov:wasAttributedTo",
    "reports": "tcap:reportsClaimOf",
    "evidence": "tcap:evidenceType",
    "status": "tcap:verificationStatus",
    "topics": "tcap:aboutTopic",
    "level": "tcap:claimedAdministrativeLevel",
    "scope": "tcap:claimScope",
}
_ATTRIBUTE_BY_IRI = {
    PREFIXES[curie.split(":")[0]] + curie.split(":")[1]: name
    for name, curie in CLAIM_ATTRIBUTES.items()
}

# The selected claims are found in a subquery first, in this query and the next: joined in one
# pattern, Oxigraph read every statement with one of the predicates (or every label) of the graph,
# a tenth of a second or more per page; this way it takes milliseconds.
_SELECTED = "{{ SELECT DISTINCT ?city ?scope ?source ?claim WHERE {{ {selection} }} }}"

_CLAIM_ATTRIBUTES = f"""
SELECT ?city ?scope ?source ?claim ?p ?o WHERE {{{{
  {_SELECTED}
  ?claim ?p ?o .
  VALUES ?p {{{{ {{predicates}} }}}}
}}}}"""

# Labels of everything a claim points at (sources, agents, concepts, groups, mappings' targets).
_CLAIM_LABELS = f"""
SELECT DISTINCT ?city ?scope ?source ?claim ?node ?label WHERE {{{{
  {{{{ SELECT DISTINCT ?city ?scope ?source ?claim ?node WHERE {{{{
    {_SELECTED}
    ?claim ({{predicates}}|tcap:hasComponentMapping/(tcap:mappingBasis|prov:wasAttributedTo)) ?node .
  }}}} }}}}
  ?node rdfs:label|skos:prefLabel|dcterms:title ?label .
}}}}"""


def claims(
    store: Queryable, selection: str, **bindings: Term
) -> tuple[list[Claim], dict[str, Node]]:
    """The selected claims (sorted: about the city first, then by label) and the labels of the
    things they point at, in three queries whatever the number of claims."""
    found: dict[str, Claim] = {}
    for row in select(store, sparql(_CLAIM_CORE.format(selection=selection)), **bindings):
        iri = value(row["claim"])
        if iri is None:
            continue
        claim = found.setdefault(iri, Claim(iri))
        claim.via.add(value(row["via"]) or "city")
        add_text(claim.labels, row["label"])
        add_text(claim.statements, row["statement"])
        add_text(claim.quotes, row["quote"])
        add_text(claim.notes, row["note"])
        mapping_iri = value(row["mapping"])
        if mapping_iri is not None:
            claim.mappings[mapping_iri] = Mapping(
                mapping_iri,
                component=value(row["component"]),
                group=value(row["group"]),
                basis=value(row["basis"]),
                by=value(row["by"]),
            )
    predicates = " ".join(CLAIM_ATTRIBUTES.values())
    query = sparql(_CLAIM_ATTRIBUTES.format(selection=selection, predicates=predicates))
    for row in select(store, query, **bindings):
        claim_iri, predicate, obj = value(row["claim"]), value(row["p"]), value(row["o"])
        if claim_iri in found and predicate in _ATTRIBUTE_BY_IRI and obj is not None:
            values = found[claim_iri].attributes.setdefault(_ATTRIBUTE_BY_IRI[predicate], [])
            if obj not in values:
                values.append(obj)
    labels: dict[str, Node] = {}
    query = sparql(
        _CLAIM_LABELS.format(selection=selection, predicates="|".join(CLAIM_ATTRIBUTES.values()))
    )
    for row in select(store, query, **bindings):
        node = value(row["node"])
        if node is not None:
            add_text(labels.setdefault(node, Node(node)).labels, row["label"])
    ordered = sorted(found.values(), key=lambda c: (not c.direct, c.name("en").casefold()))
    return ordered, labels


def claims_about_city(store: Queryable, city_iri: str) -> tuple[list[Claim], dict[str, Node]]:
    return claims(store, ABOUT_CITY, city=ox.NamedNode(city_iri))


def claims_about_scope(store: Queryable, scope_iri: str) -> tuple[list[Claim], dict[str, Node]]:
    return claims(store, ABOUT_SCOPE, scope=ox.NamedNode(scope_iri))


_MEMBERLESS_CLAIMS = sparql("""
SELECT (COUNT(DISTINCT ?claim) AS ?n) WHERE {
  ?claim a tcap:Claim ; tcap:claimScope ?scope . ?scope a tcap:CityGroup .
  MINUS { ?scope tcap:hasMemberCity ?member }
}""")


def memberless_claim_count(store: Queryable) -> int:
    """Claims about groups without listed members: they count for no single city."""
    rows = select(store, _MEMBERLESS_CLAIMS)
    return int(value(rows[0]["n"]) or 0) if rows else 0


# ---------------------------------------------------------------- comparison


@dataclass
class Scope(Node):
    """A row of the comparison: a city, or a city group with its listed members."""

    kind: str = "city"
    members: int = 0
    cells: dict[str, set[str]] = field(default_factory=dict)
    """component IRI -> claim IRIs"""
    levels: dict[str, int] = field(default_factory=dict)
    """claim IRI -> strength of its evidence (`evidence.level`), shared by every row"""
    spread: dict[str, int] = field(default_factory=dict)
    """claim IRI -> number of city rows it counts in, shared by every row"""

    @property
    def key(self) -> str | None:
        return scope_key(self.iri)

    @property
    def slug_key(self) -> str | None:
        """The city's slug (the side-by-side comparison's `city=` value)."""
        return city_slug(self.iri) if self.kind == "city" else None

    def count(self, component: str) -> int:
        return len(self.cells.get(component, ()))

    def strength(self, component: str) -> int:
        """The strongest evidence in the cell (0: no claim)."""
        return max(
            (self.levels.get(c, evidence.THIN) for c in self.cells.get(component, ())), default=0
        )

    def shared(self, component: str) -> bool:
        """Whether every claim in the cell is one claim about several cities (a group's)."""
        claims = self.cells.get(component, set())
        return bool(claims) and all(self.spread.get(c, 1) > 1 for c in claims)


_CITY_CELLS = sparql(f"""
SELECT ?city ?component ?claim WHERE {{
  ?city a tcap:City .
  {ABOUT_CITY}
  ?claim tcap:hasComponentMapping/tcap:mapsToComponent ?component .
}}""")

_GROUPS = sparql("""
SELECT ?scope ?label (COUNT(DISTINCT ?member) AS ?members) WHERE {
  ?scope a tcap:CityGroup .
  OPTIONAL { ?scope rdfs:label|skos:prefLabel ?label }
  OPTIONAL { ?scope tcap:hasMemberCity ?member }
} GROUP BY ?scope ?label""")

_GROUP_CELLS = sparql("""
SELECT ?scope ?component ?claim WHERE {
  ?scope a tcap:CityGroup .
  ?claim a tcap:Claim ; tcap:claimScope ?scope ;
         tcap:hasComponentMapping/tcap:mapsToComponent ?component .
}""")


_CLAIM_EVIDENCE = sparql("""
SELECT ?claim ?evidence ?status WHERE {
  ?claim a tcap:Claim .
  OPTIONAL { ?claim tcap:evidenceType/tcap:ordinalValue ?evidence }
  OPTIONAL { ?claim tcap:verificationStatus/tcap:ordinalValue ?status }
}""")


def claim_levels(store: Queryable) -> dict[str, int]:
    """The strength of every claim's evidence (see `evidence`)."""
    kinds: dict[str, tuple[list[int], list[int]]] = {}
    for row in select(store, _CLAIM_EVIDENCE):
        claim = value(row["claim"])
        if claim is None:
            continue
        found = kinds.setdefault(claim, ([], []))
        for index, name in enumerate(("evidence", "status")):
            item = value(row[name])
            if item is not None and item.lstrip("-").isdigit():
                found[index].append(int(item))
    return {claim: evidence.level(*pair) for claim, pair in kinds.items()}


def comparison(store: Queryable, lang: str) -> tuple[list[Scope], list[Scope]]:
    """Rows for the heat map: every city, then every city group that has claims."""
    levels = claim_levels(store)
    spread: dict[str, int] = {}
    city_rows = {
        c.iri: Scope(c.iri, dict(c.labels), kind="city", levels=levels, spread=spread)
        for c in cities(store, lang)
    }
    for row in select(store, _CITY_CELLS):
        scope, component, claim = value(row["city"]), value(row["component"]), value(row["claim"])
        if scope in city_rows and component and claim:
            city_rows[scope].cells.setdefault(component, set()).add(claim)
    group_rows: dict[str, Scope] = {}
    for row in select(store, _GROUPS):
        iri = value(row["scope"])
        if iri is None:
            continue
        group = group_rows.setdefault(iri, Scope(iri, kind="group", levels=levels))
        add_text(group.labels, row["label"])
        group.members = int(value(row["members"]) or 0)
    for row in select(store, _GROUP_CELLS):
        scope, component, claim = value(row["scope"]), value(row["component"]), value(row["claim"])
        if scope in group_rows and component and claim:
            group_rows[scope].cells.setdefault(component, set()).add(claim)
    for city_row in city_rows.values():
        for claim in set().union(*city_row.cells.values()):
            spread[claim] = spread.get(claim, 0) + 1
    groups = sorted(
        (g for g in group_rows.values() if g.cells), key=lambda g: sort_key(g.name(lang), lang)
    )
    return list(city_rows.values()), groups


# ---------------------------------------------------------------- designations


@dataclass
class Designation(Node):
    programme: Node | None = None
    place: Node | None = None
    date: str | None = None
    sources: list[str] = field(default_factory=list)


_DESIGNATIONS = sparql("""
SELECT ?city ?designation ?label ?programme ?programmeLabel ?place ?placeLabel ?date ?source WHERE {
  { ?designation tcap:designatedPlace ?city . BIND(?city AS ?place) }
  UNION
  { ?place tcap:withinCity ?city . ?designation tcap:designatedPlace ?place }
  ?designation a tcap:PilotDesignation .
  OPTIONAL { ?designation rdfs:label ?label }
  OPTIONAL { ?designation tcap:inProgramme ?programme
             OPTIONAL { ?programme rdfs:label|skos:prefLabel ?programmeLabel } }
  OPTIONAL { ?place rdfs:label|skos:prefLabel ?placeLabel }
  OPTIONAL { ?designation tcap:announcementDate ?date }
  OPTIONAL { ?designation dcterms:source ?source }
}""")


def designations(store: Queryable, city_iri: str) -> list[Designation]:
    """Pilot designations of the city or of areas within it, oldest first."""
    found: dict[str, Designation] = {}
    for row in select(store, _DESIGNATIONS, city=ox.NamedNode(city_iri)):
        iri = value(row["designation"])
        if iri is None:
            continue
        item = found.setdefault(iri, Designation(iri, date=value(row["date"])))
        add_text(item.labels, row["label"])
        attach_labelled(item, row, ("programme", "place"))
        source = value(row["source"])
        if source and source not in item.sources:
            item.sources.append(source)
    return sorted(found.values(), key=lambda d: (d.date or "", d.iri))


# ---------------------------------------------------------------- overview


@dataclass
class Source(Node):
    issued: str | None = None
    claims: int = 0


@dataclass
class Overview:
    cities: int
    claims: int
    sources: int
    components: int
    graphs: int
    triples: int
    updated: datetime | None
    source_list: list[Source]
    graph_list: list[tuple[str, str, int, datetime]]


_COUNTS = sparql("""
SELECT ?cities ?claims ?sources ?components WHERE {
  { SELECT (COUNT(DISTINCT ?c) AS ?cities) WHERE { ?c a tcap:City } }
  { SELECT (COUNT(DISTINCT ?k) AS ?claims) WHERE { ?k a tcap:Claim } }
  { SELECT (COUNT(DISTINCT ?s) AS ?sources) WHERE { ?k a tcap:Claim ; dcterms:source ?s } }
  { SELECT (COUNT(DISTINCT ?m) AS ?components) WHERE { ?m a tcap:Component } }
}""")

_SOURCES = sparql("""
SELECT ?source ?label ?issued (COUNT(DISTINCT ?claim) AS ?claims) WHERE {
  ?claim a tcap:Claim ; dcterms:source ?source .
  OPTIONAL { ?source rdfs:label|dcterms:title ?label }
  OPTIONAL { ?source dcterms:issued ?issued }
} GROUP BY ?source ?label ?issued""")


def overview(store: Queryable) -> Overview:
    counts = select(store, _COUNTS)[0]
    sources: dict[str, Source] = {}
    for row in select(store, _SOURCES):
        iri = value(row["source"])
        if iri is None:
            continue
        source = sources.setdefault(iri, Source(iri, issued=value(row["issued"])))
        add_text(source.labels, row["label"])
        source.claims = max(source.claims, int(value(row["claims"]) or 0))
    records = read_records(store)
    graphs = sorted(
        ((r.graph, r.role, r.triples, r.loaded_at) for r in records.values()),
        key=lambda g: (g[1], g[0]),
    )
    return Overview(
        cities=int(value(counts["cities"]) or 0),
        claims=int(value(counts["claims"]) or 0),
        sources=int(value(counts["sources"]) or 0),
        components=int(value(counts["components"]) or 0),
        graphs=len(graphs),
        triples=sum(g[2] for g in graphs),
        updated=max((g[3] for g in graphs), default=None),
        source_list=sorted(sources.values(), key=lambda s: (-s.claims, s.iri)),
        graph_list=graphs,
    )


# ---------------------------------------------------------------- statements from other graphs


@dataclass
class Foreign:
    """A statement about a resource in a graph the pages do not vouch for."""

    subject: str
    predicate: str
    object: Term
    graph: str
    role: str


_FOREIGN = """
SELECT ?r ?g ?s ?p ?o WHERE {
  { GRAPH ?g { ?r ?p ?o } BIND(?r AS ?s) } UNION { GRAPH ?g { ?s ?p ?r } BIND(?r AS ?o) }
} LIMIT 500"""


def foreign_statements(store: Queryable, iri: str) -> list[Foreign]:
    """Statements about or pointing at `iri` in graphs outside the trusted set, with their graph
    and its role ("" when the graph has no record)."""
    known = provenance.graphs(store)
    trusted = set(known.trusted)
    found = []
    for row in select_everywhere(store, _FOREIGN, r=ox.NamedNode(iri)):
        graph, subject, predicate, obj = (
            value(row["g"]),
            value(row["s"]),
            value(row["p"]),
            row["o"],
        )
        if graph is None or graph in trusted or subject is None or predicate is None:
            continue
        if obj is None:
            continue
        found.append(Foreign(subject, predicate, obj, graph, known.roles.get(graph, "")))
    return sorted(found, key=lambda f: (f.graph, f.subject, f.predicate, str(f.object)))


_LABELS_OF = """
SELECT ?n ?label WHERE {{
  VALUES ?n {{ {iris} }}
  ?n rdfs:label|skos:prefLabel|dcterms:title ?label .
}}"""


def labels_of(store: Queryable, iris: list[str]) -> dict[str, Node]:
    """Labels of the given IRIs in every language (for query results)."""
    if not iris:
        return {}
    listed = " ".join(str(ox.NamedNode(iri)) for iri in iris)
    found: dict[str, Node] = {}
    for row in select(store, sparql(_LABELS_OF.format(iris=listed))):
        iri = value(row["n"])
        if iri is not None:
            add_text(found.setdefault(iri, Node(iri)).labels, row["label"])
    return found
