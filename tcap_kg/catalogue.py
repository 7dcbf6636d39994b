"""The named queries in `queries/`: their headers, typed parameters and safe binding.

A named query is a `.rq` file whose `#+` header gives a title, a description and typed
parameters. Parameter values become RDF terms bound to the query's variables by the store (SPARQL
substitution), never text pasted into the query, so a value cannot change what the query does.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from .errors import InputError, NotFoundError
from .namespaces import PREFIXES, XSD
from .shipped import queries_dir
from .store import Term

PARAM_TYPES = ("iri", "string", "langstring", "integer", "date")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_LANG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")


@dataclass(frozen=True)
class Parameter:
    """One typed parameter of a named query."""

    name: str
    type: str
    required: bool
    description: str

    def to_term(self, raw: str) -> Term:
        """The RDF term for a raw value, or an error that names this parameter."""
        try:
            return self._convert(raw.strip())
        except ValueError as exc:
            raise InputError(f"parameter {self.name!r} ({self.type}): {exc}") from None

    def _convert(self, raw: str) -> Term:
        if self.type == "iri":
            return ox.NamedNode(expand_iri(raw))
        if self.type == "string":
            return ox.Literal(raw)
        if self.type == "langstring":
            text, _, language = raw.rpartition("@")
            if not text or not _LANG.match(language):
                raise ValueError(f"expected text@language (for example Beijing@en), got {raw!r}")
            return ox.Literal(text, language=language.lower())
        if self.type == "integer":
            if not re.match(r"^[+-]?\d+$", raw):
                raise ValueError(f"expected an integer, got {raw!r}")
            return ox.Literal(str(int(raw)), datatype=ox.NamedNode(XSD + "integer"))
        if self.type == "date":
            return ox.Literal(
                date.fromisoformat(raw).isoformat(), datatype=ox.NamedNode(XSD + "date")
            )
        raise ValueError(f"unknown parameter type {self.type!r}")


def expand_iri(raw: str) -> str:
    """Accept `<iri>`, a full IRI, or a prefixed name with one of our well-known prefixes."""
    value = raw[1:-1] if raw.startswith("<") and raw.endswith(">") else raw
    prefix, colon, local = value.partition(":")
    if colon and prefix in PREFIXES and not local.startswith("//"):
        value = PREFIXES[prefix] + local
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$", value):
        raise ValueError(f"expected an absolute IRI, got {raw!r}")
    ox.NamedNode(value)
    return value


@dataclass(frozen=True)
class NamedQuery:
    """A stored query: its name (file stem), header and SPARQL text."""

    name: str
    title: str
    description: str
    parameters: tuple[Parameter, ...]
    sparql: str
    translations: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """`title` / `description` -> language -> text, from `#+ title@zh:` header lines."""

    def title_in(self, lang: str) -> str:
        """The title in `lang` where the header gives one, else the (English) title."""
        return self.translations.get("title", {}).get(lang, self.title)

    def description_in(self, lang: str) -> str:
        return self.translations.get("description", {}).get(lang, self.description)

    def bindings(self, raw: Mapping[str, str]) -> dict[str, Term]:
        """Typed bindings for raw parameter values; unknown or missing parameters are errors."""
        known = {p.name: p for p in self.parameters}
        unknown = sorted(set(raw) - set(known))
        if unknown:
            accepted = ", ".join(known) or "none"
            raise InputError(
                f"query {self.name!r} has no parameter {unknown[0]!r} (parameters: {accepted})"
            )
        bound: dict[str, Term] = {}
        for parameter in self.parameters:
            value = raw.get(parameter.name)
            if value is None or value == "":
                if parameter.required:
                    raise InputError(
                        f"query {self.name!r} needs parameter {parameter.name!r} ({parameter.type}): "
                        f"{parameter.description}"
                    )
                continue
            bound[parameter.name] = parameter.to_term(value)
        return bound


def parse_named_query(name: str, text: str) -> NamedQuery:
    """Read the `#+ key: value` header of a `.rq` file."""
    title, description = name, ""
    parameters: list[Parameter] = []
    translations: dict[str, dict[str, str]] = {}
    for line in text.splitlines():
        if not line.startswith("#+"):
            continue
        key, _, value = line[2:].partition(":")
        key, value = key.strip().lower(), value.strip()
        field_name, _, lang = key.partition("@")
        if lang and field_name in ("title", "description"):
            found = translations.setdefault(field_name, {})
            found[lang] = f"{found.get(lang, '')} {value}".strip()
        elif key == "title":
            title = value
        elif key == "description":
            description = f"{description} {value}".strip()
        elif key == "param":
            parameters.append(_parse_param(name, value))
    return NamedQuery(name, title, description, tuple(parameters), text, translations)


def _parse_param(query: str, spec: str) -> Parameter:
    parts = [part.strip() for part in spec.split("|")]
    if len(parts) != 4:
        raise InputError(
            f"query {query!r}: parameter line must be 'name | type | required|optional | description'"
        )
    name, kind, need, description = parts
    if not _NAME.match(name) or kind not in PARAM_TYPES or need not in ("required", "optional"):
        raise InputError(
            f"query {query!r}: bad parameter line {spec!r} (types: {', '.join(PARAM_TYPES)})"
        )
    return Parameter(name, kind, need == "required", description)


@lru_cache(maxsize=4)
def _load(directory: Path) -> dict[str, NamedQuery]:
    return {
        path.stem: parse_named_query(path.stem, path.read_text(encoding="utf-8"))
        for path in sorted(directory.glob("*.rq"))
    }


def catalogue(directory: Path | None = None) -> dict[str, NamedQuery]:
    """Every named query, by name."""
    return _load(directory or queries_dir())


def get_query(name: str, directory: Path | None = None) -> NamedQuery:
    """One named query, or a not-found error suggesting the closest name."""
    queries = catalogue(directory)
    if name in queries:
        return queries[name]
    close = difflib.get_close_matches(name, list(queries), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else f"; known: {', '.join(queries) or 'none'}"
    raise NotFoundError(f"no named query {name!r}{hint}")
