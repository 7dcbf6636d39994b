"""Multipart uploads to the Graph Store: SPARQL 1.1 Graph Store HTTP Protocol §5.5.

A POST with `multipart/form-data` (a browser form, `curl -F`) carries several RDF documents at
once. Every part is read and parsed before anything is written, and the parts' triples are merged
into one list that then takes the plain POST's path (the same shapes, the same single commit), so
either all parts are added or none is.

Each part's format comes from its Content-Type; a part sent without one (or as the catch-all
`application/octet-stream` that browsers and curl use for files they cannot place) is known by
its filename's extension instead. Both are looked up in the one format registry, so a part means
the same format here as the same file does in `tcap load`. Problems name the part by its field
name and filename, since with many parts "line 3" alone does not say where to look.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

import pyoxigraph as ox
from flask import request
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wsgi import LimitedStream

from .. import formats
from ..engine.writes import graph_quads
from ..errors import InputError, TooLargeError, UnsupportedMediaTypeError
from ..rdfio import parse_bytes

MULTIPART = "multipart/form-data"
MAX_PARTS = 1000
"""Most parts one request may carry: each part costs a parse and a spooled file, so a body of
tiny parts could otherwise keep a worker busy far longer than its size suggests."""
UNTYPED = frozenset({"", "application/octet-stream"})
"""Content-Types that say nothing about the format, so the filename's extension decides."""


def is_multipart() -> bool:
    """Whether the current request's body is `multipart/form-data`."""
    return request.mimetype == MULTIPART


@dataclass(frozen=True)
class Part:
    """One file part of the body, read whole (the body limit bounds all parts together)."""

    name: str
    filename: str
    media_type: str
    data: bytes

    @property
    def label(self) -> str:
        """How problems name the part: its field name and the file's own name."""
        return f"part {self.name!r} ({self.filename or 'no filename'})"


def multipart_quads(graph: str) -> list[ox.Quad]:
    """The triples of every part of the current request, placed in `graph`, duplicates once.

    Raises a typed error naming the part for a part that is not RDF (415), does not parse (400)
    or names other graphs (400); for too many parts or too large a body (413); and for a body
    with no file parts (400).
    """
    merged: dict[ox.Quad, None] = {}
    for part in read_parts():
        parsed = parse_bytes(part.data, part_format(part), source=part.label)
        try:
            merged.update(dict.fromkeys(graph_quads(parsed.quads, graph)))
        except InputError as exc:
            raise InputError(f"{part.label}: {exc}") from None
    return list(merged)


def read_parts() -> list[Part]:
    """The body's file parts, read with Werkzeug's form parser; plain fields are refused.

    The parser is Werkzeug's own, bounded by the request's body limit (TCAP_MAX_BODY_BYTES), but
    called here rather than through `request.files`: that turns a malformed body into "no
    parts", and reports too many parts as an oversized body. Here a malformed body is a 400 with
    the parser's reason and the part cap a 413 that names it. Plain fields get no in-memory cap
    of their own, as they are refused anyway and the body limit already bounds them.
    """
    if request.content_length == 0:
        raise InputError("the multipart body is empty: send one or more RDF files as file parts")
    parser = request.make_form_data_parser()
    parser.max_form_parts = MAX_PARTS
    parser.max_form_memory_size = None
    parser.silent = False
    try:
        _, fields, files = parser.parse(
            request.stream, MULTIPART, request.content_length, request.mimetype_params
        )
    except RequestEntityTooLarge:
        if _over_body_limit():
            raise
        raise TooLargeError(
            f"the multipart body has more than {MAX_PARTS} parts, the most one request may "
            "carry; send the files in several requests"
        ) from None
    except ValueError as exc:
        raise InputError(
            f"the multipart body is malformed ({exc}): check the boundary and that the body "
            "ends with --boundary--"
        ) from None
    uploads: list[tuple[str, FileStorage]] = list(files.items(multi=True))
    try:
        parts = [
            Part(
                name,
                PurePath((upload.filename or "").replace("\\", "/")).name,
                upload.mimetype,
                upload.stream.read(),
            )
            for name, upload in uploads
        ]
    finally:
        for _, upload in uploads:
            upload.close()
    if fields:
        name = next(iter(fields))
        raise InputError(
            f"part {name!r} is a plain form field without a filename; send each RDF document "
            f"as a file part (e.g. curl -F '{name}=@data.ttl')"
        )
    if not parts:
        raise InputError(
            "the multipart body has no parts: send one or more RDF files as file parts"
        )
    return parts


def _over_body_limit() -> bool:
    """Whether the body itself is over TCAP_MAX_BODY_BYTES (rather than over the part cap)."""
    limit = request.max_content_length
    if request.content_length is not None:
        return limit is not None and request.content_length > limit
    stream = request.stream
    return isinstance(stream, LimitedStream) and stream.is_exhausted


def part_format(part: Part) -> ox.RdfFormat:
    """A part's RDF format: its Content-Type, else its filename's extension; 415 if neither
    names an RDF format the store reads."""
    if part.media_type not in UNTYPED:
        try:
            return formats.rdf_from_media_type(part.media_type)
        except InputError:
            raise UnsupportedMediaTypeError(
                f"{part.label}: Content-Type {part.media_type} is not an RDF format this store "
                f"reads (use {_known_media_types()})"
            ) from None
    filename = part.filename.lower()
    extension = filename.rsplit(".", 1)[-1] if "." in filename else ""
    fmt = formats.lookup(extension, formats.rdf_formats()) if extension else None
    if fmt is None or fmt.rdf is None:
        raise UnsupportedMediaTypeError(
            f"{part.label}: no RDF Content-Type and no known extension, so its format cannot be "
            f"told; give the part a Content-Type ({_known_media_types()}) or a filename ending "
            f"in one of: {', '.join(formats.rdf_extensions())}"
        )
    return fmt.rdf


def _known_media_types() -> str:
    return ", ".join(fmt.bare_media_type for fmt in formats.rdf_formats())
