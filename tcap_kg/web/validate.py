"""`POST /validate`: the same report as `tcap validate`, over HTTP, storing nothing.

The body is the dataset itself, its Content-Type saying the format (any RDF media type we read,
or `text/csv` for a filled-in template), or a form upload from the validate page (`file`, or
`text` with `format`). The answer is JSON by default, Turtle (`sh:ValidationReport`) or HTML by
Accept or `?format=`. A report is a 200 whether or not the data conforms (`conforms` says which);
unreadable input is a 400 problem document naming the line and column, an oversized body a 413.
References are checked against the live graph, read-only.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, render_template, request
from jinja2 import TemplateNotFound

from ..errors import InputError
from ..ingest import read_csv_bytes
from ..rdfio import format_by_name, format_from_media_type, format_from_name
from ..validation import ValidationReport, Workspace, render
from ..validation.locate import TextLocator
from ..validation.render import MEDIA_TYPES, render_html_fragment
from .state import state

validation = Blueprint("validation", __name__)

RESPONSE_FORMATS = {"application/json": "json", "text/turtle": "turtle", "text/html": "html"}
CSV_TYPES = {"text/csv", "application/csv"}


@validation.post("/validate")
def validate_post() -> Response:
    data, kind, source = _read_request()
    report = _validate(data, kind, source)
    fmt = _response_format()
    body = _html(report) if fmt == "html" else render(report, fmt)
    return Response(body, 200, content_type=MEDIA_TYPES[fmt])


def _read_request() -> tuple[bytes, str, str]:
    """The dataset, its kind (an RDF format name or `csv`) and what to call it."""
    content_type = (request.mimetype or "").lower()
    if content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        return _read_form()
    if not content_type:
        raise UnsupportedMediaType("say what the body is with a Content-Type header")
    data = request.get_data(cache=False)
    if not data:
        raise InputError("the request body is empty: send the dataset to validate")
    if content_type in CSV_TYPES:
        return data, "csv", "request body"
    try:
        format_from_media_type(content_type)
    except InputError as exc:
        raise UnsupportedMediaType(f"{exc}; send RDF (e.g. text/turtle) or text/csv") from None
    return data, content_type, "request body"


def _read_form() -> tuple[bytes, str, str]:
    upload = request.files.get("file")
    chosen = (request.form.get("format") or "").strip().lower()
    if upload is not None and upload.filename:
        data = upload.read()
        name = Path(upload.filename).name
        if name.lower().endswith(".csv") or chosen == "csv":
            return data, "csv", name
        try:
            format_from_name(name)
        except InputError:
            if not chosen:
                raise
            return data, chosen, name
        return data, name, name
    text = request.form.get("text", "")
    if not text.strip():
        raise InputError("nothing to validate: choose a file or paste the dataset")
    return text.encode("utf-8"), chosen or "turtle", "pasted text"


def _validate(data: bytes, kind: str, source: str) -> ValidationReport:
    app = state()
    workspace = Workspace(context=app.store, engine=app.settings.validator)
    if kind == "csv":
        tables = read_csv_bytes(data, source=source, template=request.args.get("template"))
        workspace.add_quads(tables.quads, source=source)
        workspace.add_locator(tables.locator)
        return workspace.validate()
    fmt = _rdf_format(kind)
    workspace.add_document(data, fmt, source=source)
    workspace.add_locator(TextLocator(source, data.decode("utf-8", "replace"), fmt))
    return workspace.validate()


def _rdf_format(kind: str) -> ox.RdfFormat:
    if "/" in kind:
        return format_from_media_type(kind)
    if "." in kind:
        return format_from_name(kind)
    return format_by_name(kind)


def _response_format() -> str:
    asked = request.args.get("format")
    if asked:
        if asked in MEDIA_TYPES and asked != "text":
            return asked
        raise InputError(f"unknown report format {asked!r} (use json, turtle or html)")
    best = request.accept_mimetypes.best_match(list(RESPONSE_FORMATS), default="application/json")
    return RESPONSE_FORMATS.get(best or "application/json", "json")


def _html(report: ValidationReport) -> str:
    """The report inside the site's layout, or a page of its own when the layout is missing."""
    try:
        return render_template(
            "validation_report.html", report=report, fragment=render_html_fragment(report)
        )
    except TemplateNotFound:
        return render(report, "html")


class UnsupportedMediaType(InputError):
    """The body's media type is not one we can validate."""

    http_status = 415
    kind = "unsupported-media-type"
