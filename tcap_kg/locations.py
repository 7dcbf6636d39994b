"""Where a node stands in the files a user handed over, for the findings about it.

The parser does not report positions per triple, so the source text is searched: first for where
the focus node is described (its IRI, or a prefixed name of it, opening a Turtle statement, an
N-Triples line, a JSON-LD `@id`, an RDF/XML `rdf:about`), then, inside that description, for the
line holding the property or the offending value. The search runs over an index of statement
starts built once per file, so locating a thousand findings in a million-triple file stays cheap.
CSV input brings exact rows and columns from the mapping instead (see `tcap_kg.ingest`).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol, TypeAlias

import pyoxigraph as ox

from .namespaces import RDF

Node: TypeAlias = ox.NamedNode | ox.BlankNode
Value: TypeAlias = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

MAX_BLOCK = 64 * 1024


@dataclass(frozen=True)
class Location:
    """Where a finding sits in the user's input: a line (RDF text) or a row and column (CSV)."""

    source: str
    line: int | None = None
    column: int | None = None
    row: int | None = None
    field: str | None = None

    def describe(self) -> str:
        """`file:line`, `file:line:column` or `file row N, column name`."""
        if self.row is not None:
            text = f"{self.source} row {self.row}"
            return f"{text}, column {self.field}" if self.field else text
        if self.line is None:
            return self.source
        if self.column is None:
            return f"{self.source}:{self.line}"
        return f"{self.source}:{self.line}:{self.column}"


class Locator(Protocol):
    """Something that can say where in an input a node, property or value is."""

    def locate(self, focus: Node, path: str | None, value: Value | None) -> Location | None:
        """The location, or None when this input does not contain the node."""

    def prepare(self) -> None:
        """Build whatever index `locate` needs (done ahead, beside the engine)."""

    def cell_property(self, location: Location) -> str | None:
        """The property a spreadsheet cell fills (None for text input or another input's cell)."""


@dataclass
class MultiLocator:
    """Asks each input's locator in turn (a dataset may span several files)."""

    locators: Sequence[Locator]

    def prepare(self) -> None:
        for locator in self.locators:
            locator.prepare()

    def locate(self, focus: Node, path: str | None, value: Value | None) -> Location | None:
        for locator in self.locators:
            found = locator.locate(focus, path, value)
            if found is not None:
                return found
        return None

    def cell_property(self, location: Location) -> str | None:
        return next((p for p in (loc.cell_property(location) for loc in self.locators) if p), None)


_TURTLE_PREFIX = re.compile(r"(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE)
_TURTLE_SUBJECT = re.compile(
    r"(?:\A|[.{}][ \t]*(?:#[^\n]*)?\n)(?:[ \t]*(?:#[^\n]*)?\n)*[ \t]*"
    r"(?!@|PREFIX\b|BASE\b|GRAPH\b)([^\s#;,.\[\]()\"{}'][^\s;,]*)",
    re.IGNORECASE,
)
_NT_SUBJECT = re.compile(r"^(<[^>]*>|_:\S+)", re.MULTILINE)
_JSON_ID = re.compile(r'"@id"\s*:\s*"([^"]*)"')
_JSON_PREFIX = re.compile(r'"([A-Za-z][\w.-]*)"\s*:\s*"([^"]+[/#:])"')
_XML_ABOUT = re.compile(r"rdf:about\s*=\s*[\"']([^\"']*)[\"']")
_XML_PREFIX = re.compile(r"xmlns:([A-Za-z][\w.-]*)\s*=\s*[\"']([^\"']*)[\"']")
_XML_ENTITY = re.compile(r"<!ENTITY\s+([\w.-]+)\s+[\"']([^\"']*)[\"']")


@dataclass
class TextLocator:
    """Locates findings in one RDF text document."""

    source: str
    text: str
    format: ox.RdfFormat
    _index: dict[str, int] = field(default_factory=dict, init=False, repr=False)
    _starts: list[int] = field(default_factory=list, init=False, repr=False)
    _indexed: bool = field(default=False, init=False, repr=False)
    _newlines: list[int] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        # Lines and columns stay the same without the CR of CRLF line ends, and the searches
        # below only know LF.
        self.text = self.text.replace("\r\n", "\n")

    @cached_property
    def _prefixes(self) -> list[tuple[str, str]]:
        if self.format in (ox.RdfFormat.JSON_LD,):
            found = _JSON_PREFIX.findall(self.text[:MAX_BLOCK])
        elif self.format == ox.RdfFormat.RDF_XML:
            head = self.text[:MAX_BLOCK]
            found = _XML_PREFIX.findall(head) + [
                (f"&{n};", v) for n, v in _XML_ENTITY.findall(head)
            ]
        else:
            found = [(p or "", ns) for p, ns in _TURTLE_PREFIX.findall(self.text[:MAX_BLOCK])]
        return sorted(found, key=lambda pair: -len(pair[1]))

    def cell_property(self, location: Location) -> str | None:
        """Text has no cells."""
        return None

    def prepare(self) -> None:
        if not self._indexed:
            self._build_index()
        if self._newlines is None:
            self._newlines = [match.start() for match in re.finditer("\n", self.text)]

    def _build_index(self) -> None:
        if self.format in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS):
            pattern = _NT_SUBJECT
        elif self.format == ox.RdfFormat.JSON_LD:
            pattern = _JSON_ID
        elif self.format == ox.RdfFormat.RDF_XML:
            pattern = _XML_ABOUT
        else:
            pattern = _TURTLE_SUBJECT
        previous = None
        for match in pattern.finditer(self.text):
            token = match.group(1)
            if token == previous:
                continue
            previous = token
            self._starts.append(match.start(1))
            self._index.setdefault(token, match.start(1))
        self._indexed = True

    def _forms(self, iri: str) -> list[str]:
        """How the IRI may be written in this document."""
        if self.format in (ox.RdfFormat.JSON_LD, ox.RdfFormat.RDF_XML):
            forms = [iri]
            for prefix, namespace in self._prefixes:
                if iri.startswith(namespace) and len(iri) > len(namespace):
                    local = iri[len(namespace) :]
                    joiner = "" if prefix.startswith("&") else ":"
                    forms.append(f"{prefix}{joiner}{local}")
            return forms
        forms = [f"<{iri}>"]
        for prefix, namespace in self._prefixes:
            if iri.startswith(namespace):
                local = iri[len(namespace) :]
                if re.fullmatch(r"[\w\-.%:]*", local) and not local.endswith("."):
                    forms.append(f"{prefix}:{local}")
        return forms

    def locate(self, focus: Node, path: str | None, value: Value | None) -> Location | None:
        if not isinstance(focus, ox.NamedNode):
            return None
        self.prepare()
        starts = [self._index[f] for f in self._forms(focus.value) if f in self._index]
        if not starts:
            return None
        start = min(starts)
        following = bisect.bisect_right(self._starts, start)
        end = self._starts[following] if following < len(self._starts) else len(self.text)
        end = min(end, start + MAX_BLOCK)
        offset = self._within(start, end, path, value)
        return self._location(offset)

    def _within(self, start: int, end: int, path: str | None, value: Value | None) -> int:
        """The offset of the value (looked for after its property), else of the property, inside
        the node's description; the description's start when neither is found."""
        block = self.text[start:end]
        skip = block.find(" ") if " " in block else len(block)
        path_hit = self._first(block, self._path_needles(path), skip)
        value_hit = self._first(
            block, self._value_needles(value), skip if path_hit is None else path_hit
        )
        for hit in (value_hit, path_hit):
            if hit is not None:
                return start + hit
        return start

    @staticmethod
    def _first(block: str, needles: list[tuple[str, int]], begin: int) -> int | None:
        for needle, shift in needles:
            hit = block.find(needle, begin)
            if hit >= 0:
                return hit + shift
        return None

    def _path_needles(self, path: str | None) -> list[tuple[str, int]]:
        if path is None or not re.fullmatch(r"[^\s<>()|^]+", path):
            return []
        needles = [(form, 0) for form in self._forms(path)]
        return [(" a ", 1), *needles] if path == RDF + "type" else needles

    def _value_needles(self, value: Value | None) -> list[tuple[str, int]]:
        if isinstance(value, ox.NamedNode):
            return [(form, 0) for form in self._forms(value.value)]
        if isinstance(value, ox.Literal) and value.value:
            return [(f'"{value.value}', 0), (value.value, 0)]
        return []

    def _location(self, offset: int) -> Location:
        assert self._newlines is not None
        line_index = bisect.bisect_left(self._newlines, offset)
        line_start = self._newlines[line_index - 1] + 1 if line_index > 0 else 0
        return Location(self.source, line=line_index + 1, column=offset - line_start + 1)


@dataclass
class RowLocator:
    """Locates findings in tabular input by the rows and columns the mapping recorded.

    `cells` holds where each triple came from; `rows` the first cell of each node. A value
    that is missing is looked for in the column that would hold it: `columns` maps a file, a
    kind of node (the URI template its IRI was made from: a claim, or the claim's component
    mapping) and a property to that column, and `kinds` says each node's kind, so an empty
    `mapped_by_id` is reported at `mapped_by_id`, not at the claim's own `claimed_by_id`.
    `properties` says which property each column fills.
    """

    cells: dict[tuple[str, str, str], Location] = field(default_factory=dict)
    rows: dict[str, Location] = field(default_factory=dict)
    columns: dict[tuple[str, str, str], str] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    properties: dict[tuple[str, str], str] = field(default_factory=dict)

    def prepare(self) -> None:
        """Rows and cells were recorded while mapping; nothing to build."""

    def cell_property(self, location: Location) -> str | None:
        if location.field is None:
            return None
        return self.properties.get((location.source, location.field))

    def locate(self, focus: Node, path: str | None, value: Value | None) -> Location | None:
        node = str(focus)
        if path is not None and value is not None:
            cell = self.cells.get((node, path, str(value)))
            if cell is not None:
                return cell
        row = self.rows.get(node)
        if row is None:
            return None
        column = None
        if path is not None:
            column = self.columns.get((row.source, self.kinds.get(node, ""), path))
        return Location(row.source, row=row.row, field=column or row.field)
