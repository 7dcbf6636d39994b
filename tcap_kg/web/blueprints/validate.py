"""`POST /validate`: the same report as `tcap validate`, over HTTP, storing nothing.

The body is the dataset itself, its Content-Type saying the format (any RDF media type we read,
`text/csv` for a filled-in template, `application/zip` for an archive of such files), or a form
from the validate page: any number of `file` uploads (RDF, CSV or zip, checked together as one
dataset, so a claims sheet may refer to the cities sheet), or `text` with `format`. Findings
name the file by its upload name, and the line or the row and column. The answer is JSON by
default, Turtle (`sh:ValidationReport`) or HTML by Accept or `?format=`. A report is a 200
whether or not the data conforms (`conforms` says which); unreadable input is a 400 naming the
file, line and column with an excerpt (an HTML page for a browser's form, else a problem
document), an oversized body a 413. References are checked against the live graph, read-only.
"""

from __future__ import annotations

from pathlib import PurePath

import pyoxigraph as ox
from flask import Blueprint, Response, render_template, request
from jinja2 import TemplateNotFound

from ...errors import InputError, ParseError, TcapError
from ...ingest import is_archive
from ...rdfio import format_by_name, format_from_media_type, format_from_name
from ...validation import ValidationReport, render
from ...validation.files import Document, documents_from, validate_documents
from ...validation.render import MEDIA_TYPES
from ..state import state

validation = Blueprint("validation", __name__)

RESPONSE_FORMATS = {"application/json": "json", "text/turtle": "turtle", "text/html": "html"}
CSV_TYPES = {"text/csv", "application/csv"}
ZIP_TYPES = {"application/zip", "application/x-zip-compressed"}
BODY = "request body"


@validation.post("/validate")
def validate_post() -> Response:
    fmt = _response_format()
    try:
        documents = _read_request()
        app = state()
        report = validate_documents(documents, context=app.engine, engine=app.settings.validator)
    except TcapError as exc:
        if fmt != "html" or exc.http_status >= 500:
            raise
        return Response(_html_error(exc), exc.http_status, content_type=MEDIA_TYPES["html"])
    body = _html(report) if fmt == "html" else render(report, fmt)
    return Response(body, 200, content_type=MEDIA_TYPES[fmt])


def _read_request() -> list[Document]:
    """The documents to validate, named as the report will call them."""
    content_type = (request.mimetype or "").lower()
    if content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        return _read_form()
    if not content_type:
        raise UnsupportedMediaType("say what the body is with a Content-Type header")
    data = request.get_data(cache=False)
    if not data:
        raise InputError("the request body is empty: send the dataset to validate")
    limit = state().settings.max_file_bytes
    if content_type in CSV_TYPES:
        return [Document(BODY, data, None, request.args.get("template"))]
    if content_type in ZIP_TYPES:
        return documents_from(BODY + ".zip", data, max_bytes=limit)
    try:
        fmt = format_from_media_type(content_type)
    except InputError as exc:
        raise UnsupportedMediaType(
            f"{exc}; send RDF (e.g. text/turtle), text/csv or application/zip"
        ) from None
    return [Document(BODY, data, fmt)]


def _read_form() -> list[Document]:
    chosen = (request.form.get("format") or "").strip().lower()
    limit = state().settings.max_file_bytes
    documents: list[Document] = []
    for upload in request.files.getlist("file"):
        if not upload.filename:
            continue
        name = PurePath(upload.filename.replace("\\", "/")).name
        data = upload.read()
        if is_archive(name) or _has_known_extension(name) or not chosen:
            documents += documents_from(name, data, max_bytes=limit)
        elif chosen == "csv":
            documents.append(Document(name, data, None))
        else:
            documents.append(Document(name, data, _rdf_format(chosen)))
    if documents:
        return documents
    text = request.form.get("text", "")
    if not text.strip():
        raise InputError("nothing to validate: choose one or more files, or paste the dataset")
    if chosen == "csv":
        return [Document("pasted text", text.encode("utf-8"), None)]
    return [Document("pasted text", text.encode("utf-8"), _rdf_format(chosen or "turtle"))]


def _has_known_extension(name: str) -> bool:
    if name.lower().endswith(".csv"):
        return True
    try:
        format_from_name(name)
    except InputError:
        return False
    return True


def _rdf_format(kind: str) -> ox.RdfFormat:
    return format_from_media_type(kind) if "/" in kind else format_by_name(kind)


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
        return render_template("validation_report.html", report=report)
    except TemplateNotFound:
        return render(report, "html")


def _html_error(error: TcapError) -> str:
    """Why the input could not be read, in the site's layout: the message and, for a syntax
    error, the offending lines."""
    message = error.describe() if isinstance(error, ParseError) else str(error)
    excerpt = error.excerpt if isinstance(error, ParseError) else None
    return render_template("validation_report.html", error=message, excerpt=excerpt)


class UnsupportedMediaType(InputError):
    """The body's media type is not one we can validate."""

    http_status = 415
    kind = "unsupported-media-type"
