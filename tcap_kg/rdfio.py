"""Reading RDF safely: formats, gzip, guards against hostile input, precise parse errors.

Every RDF document that enters TCap KG passes through here. The parser (pyoxigraph) never fetches
anything, but it does expand XML entities and recurse on nested JSON-LD, so the guards below reject
entity bombs and deep nesting before the parser sees them. Errors name the file, line and column.
"""

from __future__ import annotations

import codecs
import gzip
import hashlib
import io
import json
import os
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast
from xml.parsers import expat

import pyoxigraph as ox

from . import formats
from .errors import InputError, ParseError, TooLargeError, UnsafeInputError
from .namespaces import ID, PREFIXES

DEFAULT_BASE_IRI = ID
MAX_JSON_DEPTH = 256
MAX_ENTITY_EXPANSION = 1024 * 1024

FORMAT_NAMES = formats.rdf_extensions()
format_from_name = formats.rdf_from_name
format_from_media_type = formats.rdf_from_media_type
format_by_name = formats.rdf_by_name


@dataclass(frozen=True)
class ParsedDataset:
    """A whole document parsed into quads, with what we need to describe where it came from."""

    source: str
    format: ox.RdfFormat
    quads: list[ox.Quad]
    sha256: str
    size: int

    @property
    def graphs(self) -> set[str]:
        """Named graphs the document itself declares (TriG, N-Quads, JSON-LD)."""
        return {q.graph_name.value for q in self.quads if isinstance(q.graph_name, ox.NamedNode)}


def read_bytes(path: Path, *, max_bytes: int) -> bytes:
    """Read a file (gunzipping `.gz`) without ever holding more than `max_bytes` of it.

    A plain file whose size is already over the limit is refused before any of it is read.
    """
    try:
        with path.open("rb") as raw:
            compressed = path.name.endswith(".gz")
            if not compressed and os.fstat(raw.fileno()).st_size > max_bytes:
                data = b""
                oversized = True
            else:
                stream = cast(IO[bytes], gzip.GzipFile(fileobj=raw)) if compressed else raw
                data = stream.read(max_bytes + 1)
                oversized = len(data) > max_bytes
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a file") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except (OSError, EOFError, zlib.error) as exc:
        raise ParseError(f"cannot read: {exc}", source=str(path)) from exc
    if oversized:
        raise TooLargeError(
            f"{path}: larger than the {max_bytes:,}-byte limit for validated loads "
            "(TCAP_MAX_FILE_BYTES; use `tcap load --no-validate --graph IRI` to stream a large dump)"
        )
    return data


def open_stream(path: Path, progress: Callable[[int], None] | None = None) -> IO[bytes]:
    """A binary stream over a possibly gzipped file, for streaming bulk loads; `progress` is
    told how many bytes of the file itself (compressed, for .gz) each read consumed."""
    try:
        raw: IO[bytes] = path.open("rb")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a file") from None
    if progress is not None:
        raw = cast(IO[bytes], io.BufferedReader(_Metered(raw, progress)))
    if path.name.endswith(".gz"):
        return cast(IO[bytes], gzip.GzipFile(fileobj=raw))
    return raw


class _Metered(io.RawIOBase):
    """A file that reports how many bytes were read from it."""

    def __init__(self, raw: IO[bytes], progress: Callable[[int], None]) -> None:
        self._raw = raw
        self._progress = progress

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        buffer[: len(data)] = data
        if data:
            self._progress(len(data))
        return len(data)

    def close(self) -> None:
        self._raw.close()
        super().close()


def parse_file(
    path: Path, *, max_bytes: int, fmt: ox.RdfFormat | None = None, base_iri: str = DEFAULT_BASE_IRI
) -> ParsedDataset:
    """Parse a whole file after the safety guards; errors name the file, line and column."""
    data = read_bytes(path, max_bytes=max_bytes)
    return parse_bytes(
        data, fmt or format_from_name(path.name), source=str(path), base_iri=base_iri
    )


def parse_bytes(
    data: bytes, fmt: ox.RdfFormat, *, source: str, base_iri: str = DEFAULT_BASE_IRI
) -> ParsedDataset:
    """Parse an in-memory document after the safety guards."""
    text = prepare(data, fmt, source)
    try:
        quads = list(ox.parse(text, fmt, base_iri=base_iri))
    except SyntaxError as exc:
        raise syntax_error(exc, source, text, fmt) from None
    except (ValueError, OSError) as exc:
        raise ParseError(str(exc), source=source) from None
    return ParsedDataset(source, fmt, quads, hashlib.sha256(data).hexdigest(), len(data))


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def as_utf8(data: bytes, source: str) -> bytes:
    """The text without its byte-order mark, as UTF-8.

    Editors on Windows start files with a BOM (Notepad's "Unicode" is UTF-16); the parsers
    want plain UTF-8, so the mark is dropped and UTF-16/32 text is re-encoded.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            body = data[len(bom) :]
            if encoding == "utf-8":
                return body
            try:
                return body.decode(encoding).encode("utf-8")
            except UnicodeDecodeError as exc:
                raise ParseError(
                    f"starts like {encoding.upper()} text but is not ({exc.reason})",
                    source=source,
                ) from None
    return data


def prepare(data: bytes, fmt: ox.RdfFormat, source: str) -> bytes:
    """A document ready for the parser: UTF-8 without a BOM, and past the safety guards."""
    text = as_utf8(data, source)
    guard(text, fmt, source)
    return text


_POSITION = re.compile(r"line (\d+) column (\d+)")
_QUERY_POSITION = re.compile(r"error at (\d+):(\d+)")


def syntax_error(
    exc: SyntaxError,
    source: str,
    document: bytes | None = None,
    fmt: ox.RdfFormat | None = None,
) -> ParseError:
    """Turn a pyoxigraph SyntaxError into our ParseError with a position where one is known.

    With the `document` that failed, the error shows its offending line and the one before. For
    RDF/XML pyoxigraph gives no position; it is then taken from Python's XML parser (which runs
    only on a document the guard passed).
    """
    message = str(exc.msg if exc.msg else exc)
    line, column = exc.lineno, exc.offset
    end = getattr(exc, "end_offset", None) if getattr(exc, "end_lineno", None) == line else None
    if line is None:
        found = _POSITION.search(message) or _QUERY_POSITION.search(message)
        if found:
            line, column = int(found.group(1)), int(found.group(2))
    if line is None and document is not None and fmt == ox.RdfFormat.RDF_XML:
        line, column = _xml_error_position(document)
    cleaned = re.sub(r"^(Parser error (between|at) [^:]*|error at \d+:\d+): ", "", message)
    cleaned = re.sub(r" \(line \d+\)$", "", cleaned)
    shown = None
    if document is not None and line is not None:
        text = document.decode("utf-8", "replace")
        cleaned += _missing_separator_hint(cleaned, text, line, column)
        shown = excerpt(text, line, column, end)
    return ParseError(cleaned, source=source, line=line, column=column, excerpt=shown)


EXCERPT_WIDTH = 100


def excerpt(text: str, line: int, column: int | None, end: int | None = None) -> str:
    """The line before and the offending line, numbered, with a caret under the column.

    Long lines (minified JSON-LD, one-line N-Triples) are cut to a window around the column.
    """
    lines = text.split("\n")
    if not 1 <= line <= len(lines):
        return ""
    first = max(1, line - 1)
    gutter = len(str(line))
    start = 0
    if column is not None and column > EXCERPT_WIDTH * 3 // 4:
        start = column - EXCERPT_WIDTH // 2
    out = []
    for number in range(first, line + 1):
        shown = lines[number - 1].rstrip("\r").expandtabs(4)
        cut = shown[start : start + EXCERPT_WIDTH]
        prefix = "…" if start else ""
        suffix = "…" if len(shown) > start + EXCERPT_WIDTH else ""
        out.append(f"  {number:>{gutter}} | {prefix}{cut}{suffix}")
    if column is not None:
        raw = lines[line - 1]
        indent = len(raw[: column - 1].expandtabs(4)) - start + (1 if start else 0)
        width = max(1, (end - column) if end and end > column else 1)
        out.append(f"  {'':>{gutter}} | {' ' * max(indent, 0)}{'^' * min(width, EXCERPT_WIDTH)}")
    return "\n".join(out)


def _missing_separator_hint(message: str, text: str, line: int, column: int | None) -> str:
    """When a statement is said to be unfinished at the start of a line, the `;` or `.` is
    usually missing at the end of the line before: say so."""
    if "dot is expected" not in message.lower() or line < 2 or column is None:
        return ""
    lines = text.split("\n")
    current = lines[line - 1] if line <= len(lines) else ""
    if current[: column - 1].strip():
        return ""
    before = line - 1
    while before > 1 and not lines[before - 1].strip():
        before -= 1
    if lines[before - 1].rstrip().endswith((";", ",", ".")):
        return ""
    return f" (is a ';' or '.' missing at the end of line {before}?)"


def _xml_error_position(data: bytes) -> tuple[int | None, int | None]:
    parser = expat.ParserCreate()
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        return exc.lineno, exc.offset + 1
    return None, None


def guard(data: bytes, fmt: ox.RdfFormat, source: str) -> None:
    """Refuse documents that would make a parser fetch, expand without bound, or recurse deeply."""
    if b"\x00" in data[:8192]:
        raise ParseError("binary data, not an RDF text document", source=source, line=1, column=1)
    if fmt == ox.RdfFormat.RDF_XML:
        _guard_xml(data, source)
    elif fmt == ox.RdfFormat.JSON_LD:
        _guard_json_ld(data, source)


_DOCTYPE = re.compile(rb"<!DOCTYPE[^\[>]*(\[(?P<subset>.*?)\])?\s*>", re.DOTALL)
_ENTITY = re.compile(rb"<!ENTITY\s+(?P<pct>%\s+)?(?P<name>[^\s]+)\s+(?P<rest>.*?)>", re.DOTALL)


def _guard_xml(data: bytes, source: str) -> None:
    """Allow simple internal entities (Protégé writes them) but no external, nested or bomb ones."""
    doctype = _DOCTYPE.search(data)
    if doctype is None:
        if b"<!ENTITY" in data:
            raise UnsafeInputError(
                f"{source}: entity declaration outside a DOCTYPE is not accepted"
            )
        return
    subset = doctype.group("subset") or b""
    expanded = len(data)
    for entity in _ENTITY.finditer(subset):
        name = entity.group("name").decode("utf-8", "replace")
        rest = entity.group("rest").strip()
        if entity.group("pct"):
            raise UnsafeInputError(f"{source}: XML parameter entity %{name} is not accepted")
        if rest.startswith((b"SYSTEM", b"PUBLIC")):
            raise UnsafeInputError(
                f"{source}: external XML entity &{name}; would read another file or URL; "
                "TCap KG never fetches anything: inline the value"
            )
        value = rest.strip(b"\"'")
        if re.search(rb"&(?!#)", value):
            raise UnsafeInputError(
                f"{source}: XML entity &{name}; refers to other entities (entity expansion attack)"
            )
        expanded += data.count(b"&" + entity.group("name") + b";") * len(value)
        if expanded > max(MAX_ENTITY_EXPANSION, 4 * len(data)):
            raise UnsafeInputError(
                f"{source}: XML entities would expand the document beyond "
                f"{max(MAX_ENTITY_EXPANSION, 4 * len(data)):,} bytes (entity expansion attack)"
            )


def _guard_json_ld(data: bytes, source: str) -> None:
    """Reject remote contexts with a useful message and nesting that would crash the parser."""
    try:
        document = json.loads(data)
    except RecursionError:
        raise UnsafeInputError(
            f"{source}: JSON nested deeper than {MAX_JSON_DEPTH} levels is not accepted"
        ) from None
    except UnicodeDecodeError as exc:
        raise ParseError(f"not UTF-8 text ({exc.reason})", source=source) from None
    except json.JSONDecodeError as exc:
        raise ParseError(
            exc.msg,
            source=source,
            line=exc.lineno,
            column=exc.colno,
            excerpt=excerpt(exc.doc, exc.lineno, exc.colno),
        ) from None
    for value, depth in _walk_json(document):
        if depth > MAX_JSON_DEPTH:
            raise UnsafeInputError(
                f"{source}: JSON nested deeper than {MAX_JSON_DEPTH} levels is not accepted"
            )
        if isinstance(value, dict):
            for key in ("@context", "@import"):
                for remote in _remote_refs(value.get(key)):
                    raise UnsafeInputError(
                        f"{source}: JSON-LD {key} {remote!r} would be fetched; TCap KG never "
                        "fetches remote contexts: inline the context object instead"
                    )


def _remote_refs(context: Any) -> Iterator[str]:
    if isinstance(context, str):
        yield context
    elif isinstance(context, list):
        yield from (item for item in context if isinstance(item, str))


def _walk_json(document: Any) -> Iterator[tuple[Any, int]]:
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        yield value, depth
        if isinstance(value, dict):
            stack.extend((child, depth + 1) for child in value.values())
        elif isinstance(value, list):
            stack.extend((child, depth + 1) for child in value)


def serialize_quads(quads: list[ox.Quad], fmt: ox.RdfFormat) -> bytes:
    """Serialise quads (or their triples, for graph-only formats) with our prefixes."""
    buffer = io.BytesIO()
    if fmt.supports_datasets:
        ox.serialize(quads, buffer, fmt, prefixes=PREFIXES)
    else:
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
        ox.serialize(triples, buffer, fmt, prefixes=PREFIXES)
    return buffer.getvalue()
