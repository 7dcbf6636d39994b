"""The browsing pages: home, cities, one city, comparison, map, and the validate form."""

from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask.typing import ResponseReturnValue

from ...catalogue import catalogue, get_query
from ...errors import NotFoundError, TcapError
from ...namespaces import TCAP
from ...store.base import Queryable
from ..middleware.assets import asset_url
from ..state import state
from . import charts, facts, resource
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
    store = state().engine
    return render_template(
        "home.html",
        overview=facts.overview(store),
        framework=facts.framework(store),
        evidence=_knowledge_counts(store),
    )


def _knowledge_counts(store: Queryable) -> dict[str, int]:
    """The named query knowledge-counts (one row of counts), or nothing if it is not installed."""
    try:
        rows = facts.select(store, get_query("knowledge-counts").sparql)
    except TcapError:
        return {}
    if not rows:
        return {}
    return {name: int(facts.value(term) or 0) for name, term in rows[0].items()}


def cities() -> ResponseReturnValue:
    store = state().engine
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
    store = state().engine
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
        foreign=facts.foreign_statements(store, found.iri),
    )


def city_queries(city_iri: str) -> dict[str, tuple[str, str]]:
    """Section -> (title, URL) of the named query that answers it for this city."""
    installed = catalogue()
    found = {}
    for section, name in CITY_QUERIES.items():
        query = installed.get(name)
        if query is not None and any(p.name == "city" for p in query.parameters):
            url = url_for("pages.query", name=name, city=city_iri, _anchor="results")
            found[section] = (query.title_in(lang()), url)
    return found


STRENGTH_KEYS = ("none", "thin", "moderate", "strong")
"""Interface keys (`strength.<key>`) of the evidence levels 0-3 (see `evidence`)."""

COMPARE_ROWS = 100
"""Most cities the heat map shows; beyond it, those with the most claims (the page says so)."""


def compare() -> ResponseReturnValue:
    store = state().engine
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
        strength_names=[t(f"strength.{n}", lang()) for n in STRENGTH_KEYS],
        legend_title=t("compare.strength", lang()),
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
    picked = [r for r in every_row if r.slug_key in request.args.getlist("city")]
    side_by_side = None
    if picked:
        side_by_side = [(row, *facts.claims_about_city(store, row.iri)) for row in picked]
    return render_template(
        "compare.html",
        framework=framework,
        rows=rows,
        every_row=every_row,
        side_by_side=side_by_side,
        strength_keys=STRENGTH_KEYS,
        groups=groups,
        links=links,
        spec=spec,
        selected=selected,
        claim_fields=CLAIM_FIELDS,
        cut=(len(rows), len(every_row)) if len(rows) < len(every_row) else None,
    )


def resource_page(store: Queryable, iri: str, path: str) -> str:
    """The HTML page of a resource under /id/ (served at /doc/<path> by the publishing
    blueprint): a source lists its claims, a claim shows its card."""
    described = resource.describe(store, iri)
    foreign = facts.foreign_statements(store, iri)
    if described is None and not foreign:
        raise NotFoundError(f"nothing is known about <{iri}>")
    described = described or resource.Resource(iri)
    is_claim = any(kind.iri == TCAP + "Claim" for kind in described.types)
    if is_claim:
        claims, labels = resource.claim(store, iri)
    else:
        claims, labels = resource.claims_from_source(store, iri)
    shown = {claim.iri for claim in claims}
    described.referrers = [r for r in described.referrers if r[0].iri not in shown]
    return render_template(
        "resource.html",
        resource=described,
        path=path,
        formats=DOC_FORMATS,
        claims=claims or None,
        is_claim=is_claim,
        labels=labels,
        framework=facts.framework(store),
        claim_fields=(*CLAIM_FIELDS, ("scope", "claim.scope")),
        foreign=foreign,
    )


# (format name, file extension, media type) of the resource descriptions /doc/ also serves.
DOC_FORMATS = (
    ("turtle", "ttl", "text/turtle"),
    ("jsonld", "jsonld", "application/ld+json"),
    ("rdfxml", "rdf", "application/rdf+xml"),
    ("ntriples", "nt", "application/n-triples"),
)


def city_map() -> ResponseReturnValue:
    store = state().engine
    places = facts.cities(store, lang())
    with_point = [c for c in places if c.has_point]
    spec = charts.city_map(
        with_point,
        lang(),
        description=t("map.chart", lang(), count=len(with_point)),
        land_url=asset_url("vendor/land-50m.json"),
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
