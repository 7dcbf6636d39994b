"""The pages blueprint: its URL map, the reader's language, and what every template can use.

The language hook and the template helpers are registered app-wide (`before_app_request`,
`app_context_processor`), because other blueprints' pages (the validation report, the ontology
documentation) extend `base.html` and need the same header, navigation and language switch.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit

import pyoxigraph as ox
from flask import Blueprint, Response, g, request, url_for

from ...errors import TcapError
from ...namespaces import ID, TCAP
from ...results import short
from ...validation.render import path_name, value_text
from . import query_page, views
from .facts import city_slug
from .i18n import (
    COOKIE,
    HTML_LANG,
    LANGUAGE_NAMES,
    LANGUAGES,
    pick,
    pick_tag,
    property_name,
    request_language,
    t,
)

pages = Blueprint("pages", __name__)

pages.add_url_rule("/", "home", views.home)
pages.add_url_rule("/cities", "cities", views.cities)
pages.add_url_rule("/city/<slug>", "city", views.city)
pages.add_url_rule("/compare", "compare", views.compare)
pages.add_url_rule("/map", "map", views.city_map)
pages.add_url_rule("/validate", "validate", views.validate_form, methods=["GET"])
pages.add_url_rule("/query", "query", query_page.query, methods=["GET", "POST"])
pages.register_error_handler(404, views.not_found)
pages.register_error_handler(TcapError, views.page_error)

NAV = (
    ("/", "nav.home"),
    ("/cities", "nav.cities"),
    ("/compare", "nav.compare"),
    ("/map", "nav.map"),
    ("/query", "nav.query"),
    ("/validate", "nav.validate"),
    ("/ontology", "nav.ontology"),
)

# Content-Security-Policy of the pages: scripts only from this server (Vega runs its expressions
# through an interpreter, so no 'unsafe-eval'); inline styles are allowed for CodeMirror and Vega.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
YEAR = 365 * 24 * 3600


@pages.after_app_request
def _remember_language(response: Response) -> Response:
    if getattr(g, "lang_explicit", False):
        response.set_cookie(COOKIE, request_language(), max_age=YEAR, samesite="Lax", httponly=True)
    if response.mimetype == "text/html":
        response.vary.update(("Cookie", "Accept-Language"))
    return response


@pages.after_request
def _page_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def lang_url(code: str) -> str:
    """The current page in another language (the choice is then remembered by a cookie)."""
    args = [(key, item) for key, item in request.args.items(multi=True) if key != "lang"]
    return request.path + "?" + urlencode([*args, ("lang", code)])


def href(iri: str) -> str:
    """Where a link to an IRI goes: our city pages, our resource pages (`/doc/`, the page the
    resource IRI `/id/` redirects a browser to), the ontology's section of a term, else the IRI."""
    slug = city_slug(iri)
    if slug is not None:
        return url_for("pages.city", slug=slug)
    if iri.startswith(ID):
        return "/doc/" + iri[len(ID) :]
    if iri.startswith(TCAP):
        return "/ontology.html#" + iri[len(TCAP) :]
    return iri


def link_text(url: str) -> str:
    """A web address as a link's text: its host, or the address itself if it has none."""
    return urlsplit(url).hostname or url


def is_current(path: str) -> bool:
    return request.path == path or (path != "/" and request.path.startswith(path + "/"))


@pages.app_context_processor
def _template_helpers() -> dict[str, Any]:
    lang = request_language()
    return {
        "lang": lang,
        "html_lang": HTML_LANG[lang],
        "languages": [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
        "nav_items": NAV,
        "t": lambda key, **values: t(key, lang, **values),
        "pick": lambda texts: pick(texts, lang),
        "pick_tag": lambda texts: pick_tag(texts, lang),
        "lang_url": lang_url,
        "href": href,
        "curie": short_iri,
        "prop_name": lambda node: property_name(node.iri, lang) or node.name(lang),
        "is_current": is_current,
        "link_text": link_text,
        "report_path": path_name,
        "report_value": value_text,
    }


def short_iri(iri: str) -> str:
    return short(ox.NamedNode(iri))
