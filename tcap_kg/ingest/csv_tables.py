"""Spreadsheets (CSV) in the TCap KG templates, turned into RDF by their CSVW metadata.

The mapping is declarative: `templates/csv/tcap-city.csv-metadata.json` says, for every column of
every template, which property it fills, how its value becomes an IRI (`valueUrl`), its datatype
and language, and how each row's subject IRI is built (`aboutUrl`). The `csvw` package reads the
tables with that metadata (typed values, URI templates); this module only applies the CSV2RDF
rules to its output: one triple per non-empty cell, virtual columns for fixed types and links,
literal datatype and language from the column. Every triple remembers its file, row and column,
so validation findings point at a cell.

A file is matched to its template by name: `cities.csv`, `dalian-cities.csv` and `dalian_cities.csv`
all follow the `cities` template; a file named otherwise (an upload, `my-city.csv`) by its first
column, the template's identifier column (`city_id`). Values that do not fit the column's
datatype are kept as they are, so the shapes report them with their row and column instead of
the reader dropping them.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import logging
import tempfile
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import csvw
import pyoxigraph as ox
from csvw.jsonld import Triple
from csvw.metadata import NAMESPACES

from ..errors import InputError, ParseError
from ..locations import Location, RowLocator
from ..namespaces import XSD
from ..rdfio import as_utf8
from ..shipped import shipped_root

log = logging.getLogger(__name__)

METADATA_NAME = "tcap-city.csv-metadata.json"
CSV_SUFFIXES = (".csv",)


def templates_dir() -> Path:
    """The CSV template set (metadata, blank templates, the filled-in Dalian example)."""
    return shipped_root() / "templates" / "csv"


@dataclass
class TabularDataset:
    """The RDF of one or more filled-in templates, with where each triple came from."""

    quads: list[ox.Quad] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    locator: RowLocator = field(default_factory=RowLocator)


def is_tabular(path: Path) -> bool:
    return path.suffix.lower() in CSV_SUFFIXES


@lru_cache(maxsize=1)
def table_names() -> tuple[str, ...]:
    """The template names, in the order the metadata lists them."""
    metadata = json.loads((templates_dir() / METADATA_NAME).read_text(encoding="utf-8"))
    return tuple(Path(table["url"]).stem for table in metadata["tables"])


def template_from_name(name: str) -> str | None:
    """Which template a CSV file follows by its name (`cities.csv`, `dalian-cities.csv`)."""
    stem = name.replace("\\", "/").rsplit("/", 1)[-1].lower().removesuffix(".csv")
    for template in table_names():
        if stem == template or stem.endswith(("-" + template, "_" + template)):
            return template
    return None


def template_for_header(header: Sequence[str], source: str) -> str:
    """Which template a CSV text follows, from its first column (each template starts with its
    identifier column: city_id, actor_id, ...)."""
    first = header[0].strip().lstrip("\ufeff") if header else ""
    for name, key in zip(table_names(), _key_columns(), strict=True):
        if first == key:
            return name
    raise InputError(
        f"{source} row 1, column 1: cannot tell which template this CSV follows: name the file "
        f"after its template ({', '.join(n + '.csv' for n in table_names())}; a prefix such as "
        f"dalian-cities.csv is fine) or start it with the template's identifier column; the "
        f"templates start with: {', '.join(_key_columns())}"
    )


@lru_cache(maxsize=1)
def _key_columns() -> tuple[str, ...]:
    metadata = json.loads((templates_dir() / METADATA_NAME).read_text(encoding="utf-8"))
    return tuple(table["tableSchema"]["columns"][0]["name"] for table in metadata["tables"])


def read_csv_bytes(
    data: bytes,
    *,
    source: str,
    template: str | None = None,
    into: TabularDataset | None = None,
) -> TabularDataset:
    """Map one CSV document to RDF (added to `into` when given). Its template is the one named,
    else the one its name follows (`dalian-cities.csv`), else the one whose identifier column
    it starts with (`city_id`)."""
    text = as_utf8(data, source)
    if b"\x00" in text[:8192]:
        raise ParseError("binary data, not a CSV text file", source=source, line=1, column=1)
    try:
        first_line = text.decode("utf-8").split("\n", 1)[0]
    except UnicodeDecodeError as exc:
        raise ParseError(
            f"not UTF-8 text ({exc.reason}); save the sheet as CSV UTF-8", source=source, line=1
        ) from None
    header = next(csv.reader(io.StringIO(first_line)), [])
    name = template or template_from_name(source) or template_for_header(header, source)
    if name not in table_names():
        raise InputError(f"unknown template {name!r} (use one of: {', '.join(table_names())})")
    dataset = into if into is not None else TabularDataset()
    with tempfile.TemporaryDirectory(prefix="tcap-csv-") as folder:
        path = Path(folder) / f"{name}.csv"
        path.write_bytes(text)
        _read_table(path, name, source, dataset)
    dataset.sources.append(source)
    return dataset


def _header(path: Path, source: str) -> list[str]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            first = handle.readline()
    except UnicodeDecodeError as exc:
        raise ParseError(
            f"not UTF-8 text ({exc.reason}); save the sheet as CSV UTF-8", source=source, line=1
        ) from None
    if "\x00" in first:
        raise ParseError("binary data, not a CSV text file", source=source, line=1, column=1)
    row = next(csv.reader(io.StringIO(first)), [])
    return [cell.strip() for cell in row]


def _read_table(path: Path, template: str, source: str, dataset: TabularDataset) -> None:
    group = csvw.TableGroup.from_file(templates_dir() / METADATA_NAME)
    table = next(t for t in group.tables if Path(str(t.url)).stem == template)
    schema = table.tableSchema
    known = {column.name: column for column in schema.columns if not column.virtual}
    header = _header(path, source)
    for position, title in enumerate(header, start=1):
        if title not in known:
            close = difflib.get_close_matches(title, list(known), n=1)
            hint = (
                f"; did you mean {close[0]!r}?"
                if close
                else f"; the {template} template has: {', '.join(known)}"
            )
            raise InputError(f"{source} row 1, column {position}: unknown column {title!r}{hint}")
    key = schema.aboutUrl.variable_names
    missing = [name for name in key if name not in header]
    if missing:
        raise InputError(f"{source}: the {template} template needs a {missing[0]!r} column")
    schema.columns = [known[title] for title in header] + [c for c in schema.columns if c.virtual]
    id_column = next(iter(key))
    for column in sorted(schema.columns, key=lambda c: bool(c.virtual)):
        if column.propertyUrl is not None and not column.suppressOutput:
            cell = _cell_of(column, id_column) if column.virtual else column.name
            iri = _expand(str(column.propertyUrl))
            kind = _kind(table, column)
            dataset.locator.columns.setdefault((source, kind, iri), cell)
            if not column.virtual:
                dataset.locator.properties[(source, column.name)] = iri
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rows = list(table.iterdicts(with_metadata=True, strict=False, fname=path))
    except (csv.Error, ValueError) as exc:
        raise ParseError(str(exc), source=source) from None
    except UnicodeDecodeError as exc:
        raise ParseError(
            f"not UTF-8 text ({exc.reason}); save the sheet as CSV UTF-8", source=source
        ) from None
    for number, (_, line, row) in enumerate(rows, start=1):
        _map_row(table, row, number, line, source, id_column, dataset)


def _map_row(
    table: Any,
    row: dict[str, Any],
    number: int,
    line: int,
    source: str,
    id_column: str,
    dataset: TabularDataset,
) -> None:
    if all(_empty(row.get(c.name)) for c in table.tableSchema.columns if not c.virtual):
        return
    if _empty(row.get(id_column)):
        raise InputError(
            f"{source} row {line}, column {id_column}: empty; every row needs an identifier"
        )
    subject = _node(
        table.expand(table.tableSchema.aboutUrl, row, _row=number), source, line, id_column
    )
    dataset.locator.rows.setdefault(str(subject), Location(source, row=line, field=id_column))
    dataset.locator.kinds.setdefault(str(subject), _kind(table, None))
    for column in table.tableSchema.columns:
        if column.suppressOutput:
            continue
        value = row.get(column.name)
        if not column.virtual and _empty(value):
            continue
        templates = [t for t in (column.aboutUrl, column.valueUrl) if t is not None]
        if any(_empty(row.get(name)) for t in templates for name in t.variable_names):
            continue
        triple = Triple.from_col(table, column, row, column.name, value, number)
        cell = column.name if not column.virtual else _cell_of(column, id_column)
        about = _node(triple.about, source, line, cell) if triple.about else subject
        predicate = ox.NamedNode(_expand(str(triple.property)))
        obj = (
            _node(_expand(str(triple.value)), source, line, cell)
            if column.valueUrl is not None
            else _literal(column, value)
        )
        dataset.quads.append(ox.Quad(about, predicate, obj, ox.DefaultGraph()))
        where = Location(source, row=line, field=cell)
        dataset.locator.cells.setdefault((str(about), predicate.value, str(obj)), where)
        dataset.locator.rows.setdefault(str(about), where)
        dataset.locator.kinds.setdefault(str(about), _kind(table, column))


def _kind(table: Any, column: Any) -> str:
    """Which kind of node a column describes: the URI template of its subject."""
    about = column.aboutUrl if column is not None and column.aboutUrl is not None else None
    return str(about if about is not None else table.tableSchema.aboutUrl)


def _empty(value: Any) -> bool:
    return value is None or value in ("", [])


def _cell_of(column: Any, id_column: str) -> str:
    """The data column a virtual column's value comes from (for locating findings)."""
    names = list(column.valueUrl.variable_names) if column.valueUrl is not None else []
    return next((name for name in names if name != id_column), id_column)


def _expand(value: str) -> str:
    """Undo csvw's shortening of well-known IRIs to prefixed names (`rdf:type`)."""
    prefix, _, local = value.partition(":")
    if prefix in NAMESPACES and not local.startswith("//"):
        return str(NAMESPACES[prefix]) + local
    return value


def _node(value: Any, source: str, line: int, column: str) -> ox.NamedNode:
    text = str(value)
    if not isinstance(value, str) or ":" not in text.split("/", 1)[0]:
        raise InputError(
            f"{source} row {line}, column {column}: {text!r} is not a web address (IRI)"
        )
    try:
        return ox.NamedNode(text)
    except ValueError:
        raise InputError(
            f"{source} row {line}, column {column}: {text!r} is not a valid IRI"
        ) from None


def _literal(column: Any, value: Any) -> ox.Literal:
    """A cell as a literal with the column's language or datatype (CSV2RDF)."""
    base = column.datatype.base if column.datatype is not None else "string"
    if isinstance(value, str) or base == "string":
        lexical = str(value)
    else:
        lexical = column.datatype.formatted(value)
    lang = column.lang if column.lang and column.lang != "und" else None
    if base == "string" and lang:
        return ox.Literal(lexical, language=lang)
    datatype = {"datetime": "dateTime", "number": "double", "any": "string"}.get(base, base)
    return ox.Literal(lexical, datatype=ox.NamedNode(XSD + datatype))
