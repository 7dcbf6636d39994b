"""The browsing pages: home, cities, one city, comparison, map, and the validate form."""

from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask.typing import ResponseReturnValue

from ...catalogue import catalogue
from ...errors import TcapError
from ..state import state
from . import charts, facts
from .i18n import LANGUAGES, request_language, t

# What the claim cards show besides the statement, in this order: (attribute, heading key).
CLAIM_FIELDS = (
    ("source", "claim.source"),
    ("said_by", "claim.said_by"),
    ("reports", "claim.reports"),
    ("evidence", "claim.evidence"),
    ("status", "claim.status"),
    ("topics", "claim.topics"),
    ("level", "claim.level"),
)

# Named queries that answer a city page's sections for any city (section -> query name); each is
# linked from its section with the city filled in, when installed.
CITY_QUERIES = {
    "names": "city-links",
    "profile": "city-components",
    "gaps": "city-component-gaps",
    "claims": "city-claims",
}

# Formats the validate form offers for pasted text: (value, label, media type).
PASTE_FORMATS = (
    ("turtle", "Turtle", "text/turtle"),
    ("trig", "TriG", "application/trig"),
    ("ntriples", "N-Triples", "application/n-triples"),
    ("nquads", "N-Quads", "application/n-quads"),
    ("jsonld", "JSON-LD", "application/ld+json"),
    ("rdfxml", "RDF/XML", "application/rdf+xml"),
    ("csv", "CSV", "text/csv"),
)


def lang() -> str:
    return request_language()


def home() -> ResponseReturnValue:
    store = state().store
    return render_template(
        "home.html", overview=facts.overview(store), framework=facts.framework(store)
    )


def cities() -> ResponseReturnValue:
    store = state().store
    rows, _ = facts.comparison(store, lang())
    covered = {row.iri: sum(1 for cell in row.cells.values() if cell) for row in rows}
    framework = facts.framework(store)
    return render_template(
        "cities.html",
        cities=facts.cities(store, lang()),
        covered=covered,
        total=len(framework.components),
    )


def city(slug: str) -> ResponseReturnValue:
    store = state().store
    found = facts.city(store, slug)
    if found is None:
        abort(404)
    framework = facts.framework(store)
    claims, labels = facts.claims_about_city(store, found.iri)
    per_component: dict[str, tuple[list[facts.Claim], list[facts.Claim]]] = {}
    for component in framework.components:
        speaking = [c for c in claims if component.iri in c.components]
        per_component[component.iri] = (
            [c for c in speaking if c.direct],
            [c for c in speaking if not c.direct],
        )
    per_group = {
        group.iri: [c for c in claims if group.iri in c.groups] for group in framework.groups
    }
    gaps = [c for c in framework.components if not any(per_component[c.iri])]
    counts = {iri: (len(direct), len(via)) for iri, (direct, via) in per_component.items()}
    name = found.name(lang())
    ids = facts.identifiers(store, found.iri)
    alt_names: dict[str, str] = {}
    for tag, text in ids.names:
        if text != name and tag.split("-")[0] in LANGUAGES:
            alt_names.setdefault(text, tag)
    spec = charts.profile(
        framework,
        counts,
        lang(),
        description=t("city.profile_chart", lang(), city=name),
        kinds=(t("col.direct", lang()), t("col.via_group", lang())),
        axis_title=t("col.claims", lang()),
    )
    return render_template(
        "city.html",
        city=found,
        ids=ids,
        alt_names=[(tag, text) for text, tag in alt_names.items()],
        framework=framework,
        claims=claims,
        labels=labels,
        per_component=per_component,
        per_group=per_group,
        gaps=gaps,
        spec=spec,
        designations=facts.designations(store, found.iri),
        memberless=facts.memberless_claim_count(store),
        claim_fields=CLAIM_FIELDS,
        as_query=city_queries(found.iri),
    )


def city_queries(city_iri: str) -> dict[str, tuple[str, str]]:
    """Section -> (title, URL) of the named query that answers it for this city."""
    installed = catalogue()
    found = {}
    for section, name in CITY_QUERIES.items():
        query = installed.get(name)
        if query is not None and any(p.name == "city" for p in query.parameters):
            url = url_for("pages.query", name=name, city=city_iri, _anchor="results")
            found[section] = (query.title, url)
    return found


COMPARE_ROWS = 100
"""Most cities the heat map shows; beyond it, those with the most claims (the page says so)."""


def compare() -> ResponseReturnValue:
    store = state().store
    framework = facts.framework(store)
    every_row, groups = facts.comparison(store, lang())
    rows = every_row
    if len(every_row) > COMPARE_ROWS:
        busiest = sorted(every_row, key=lambda r: -sum(len(c) for c in r.cells.values()))
        kept = {r.iri for r in busiest[:COMPARE_ROWS]}
        rows = [r for r in every_row if r.iri in kept]
    links = {
        (scope.iri, component.iri): url_for(
            "pages.compare", scope=scope.key, component=component.notation, _anchor="claims"
        )
        for scope in (*every_row, *groups)
        if scope.key
        for component in framework.components
    }
    spec = charts.heat_map(
        framework,
        rows,
        lang(),
        description=t("compare.chart", lang()),
        links=links,
        legend_title=t("col.claims", lang()),
    )
    selected = None
    scope_key, notation = request.args.get("scope"), request.args.get("component")
    if scope_key or notation:
        scope = next((s for s in (*every_row, *groups) if s.key == scope_key), None)
        component = framework.by_notation(notation or "")
        if scope is None or component is None:
            abort(404)
        if scope.kind == "city":
            claims, labels = facts.claims_about_city(store, scope.iri)
        else:
            claims, labels = facts.claims_about_scope(store, scope.iri)
        claims = [c for c in claims if component.iri in c.components]
        selected = {"scope": scope, "component": component, "claims": claims, "labels": labels}
    return render_template(
        "compare.html",
        framework=framework,
        rows=rows,
        groups=groups,
        links=links,
        spec=spec,
        selected=selected,
        claim_fields=CLAIM_FIELDS,
        cut=(len(rows), len(every_row)) if len(rows) < len(every_row) else None,
    )


def city_map() -> ResponseReturnValue:
    store = state().store
    places = facts.cities(store, lang())
    with_point = [c for c in places if c.has_point]
    spec = charts.city_map(
        with_point,
        lang(),
        description=t("map.chart", lang(), count=len(with_point)),
        land_url=url_for("static", filename="vendor/land-50m.json"),
        links={c.iri: url_for("pages.city", slug=c.slug) for c in places if c.slug},
    )
    return render_template(
        "map.html",
        cities=with_point,
        without=[c for c in places if not c.has_point],
        spec=spec,
    )


def validate_form() -> ResponseReturnValue:
    return render_template(
        "validate.html",
        formats=PASTE_FORMATS,
        limit=human_size(state().settings.max_body_bytes),
    )


def human_size(size: int) -> str:
    amount = float(size)
    for unit in ("bytes", "KiB", "MiB"):
        if amount < 1024:
            return f"{amount:.0f} {unit}"
        amount /= 1024
    return f"{amount:.0f} GiB"


def not_found(error: Exception) -> ResponseReturnValue:
    return render_template("error.html", message=t("error.not_found", lang())), 404


def page_error(error: TcapError) -> ResponseReturnValue:
    """A page that could not be built (store busy, query timed out): say so in the page's layout."""
    return (
        render_template("error.html", message=t("error.failed", lang()), detail=str(error)),
        error.http_status,
    )
