"""The guard: what a SPARQL text does is decided on a full parse, before any engine sees it.

pyoxigraph executes `SERVICE` and `LOAD` over HTTP and nothing in its API turns that off, so every
text is parsed here first (rdflib's SPARQL 1.1 parser) and the parse tree, not the text, decides:
each `SERVICE` names its endpoint with an IRI (prefixes and BASE applied) that the operator allowed,
and no update contains `LOAD`. A lexical scan cannot do this: whether `<` opens an IRI or compares
two values depends on where the parser is in the grammar, and a scan that guesses wrong can be
steered past the check (issue 18). Text the parser does not accept is refused with its message,
so the engine never runs anything the guard did not understand.

Two cheap checks come first, so no parser spends long on a hostile text: a size cap and a cap on
bracket nesting, counted over the raw characters (brackets inside strings count too, so the count
can only err towards refusing). Parsing costs about a millisecond for a short query and grows with
its length, so the facts a parse yields are kept per exact text (bounded in bytes): a text the
endpoint sees again is not parsed again. The decision itself (the allow-list) is applied on every
call, so a changed setting takes effect at once.

What passes becomes a `Query` or an `Update`: values only this module makes, so any code that holds
one knows the guard ran, exactly once, whatever the query came from (the endpoint, a named query, a
page, the command line).
"""

from __future__ import annotations

import hashlib
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import pyparsing
from cachetools import LRUCache
from rdflib.plugins.sparql.algebra import translateUpdate
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import URIRef, Variable

from ..errors import ForbiddenQueryError, ParseError, QueryError, UnsafeInputError
from ..sparql_text import QueryDataset, Term

QUERY_FORMS = {
    "SelectQuery": "SELECT",
    "AskQuery": "ASK",
    "ConstructQuery": "CONSTRUCT",
    "DescribeQuery": "DESCRIBE",
}
OPENING = frozenset("{([")
CLOSING = frozenset("})]")
PARSED_CACHE_BYTES = 8 * 1024 * 1024
MAX_MESSAGE = 300

# The parser recurses a few dozen Python frames per nesting level; the nesting cap keeps the
# depth far below this limit, and Python 3.11 runs Python-to-Python calls without using C stack.
sys.setrecursionlimit(max(sys.getrecursionlimit(), 20_000))

_SEAL = object()
_PARSING = threading.Lock()
"""rdflib's parser is not thread-safe (pyparsing adapts parse actions on their first calls and
shares that state), and a parse holds the GIL anyway, so parses take turns."""


@dataclass(frozen=True)
class Limits:
    """How much text the guard parses at most, and how deeply nested."""

    max_bytes: int = 1024 * 1024
    max_depth: int = 100


@dataclass(frozen=True)
class Query:
    """A read query that passed the guard: its exact text and what the parse learned.

    `dataset` is the query's own FROM / FROM NAMED (the protocol's parameters replace it through
    `with_dataset`); `bindings` pre-bind variables to RDF terms; `base_iri` resolves relative IRIs
    (the endpoint's own URL, as the protocol asks).
    """

    text: str
    form: str
    services: tuple[str, ...]
    dataset: QueryDataset
    bindings: tuple[tuple[str, Term], ...] = ()
    base_iri: str | None = None
    seal: object = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.seal is not _SEAL:
            raise TypeError("a Query is made by tcap_kg.engine.guard.check_query only")

    @property
    def result_kind(self) -> str:
        """`select`, `ask` or `graph`: the family of result formats the form produces."""
        if self.form in ("CONSTRUCT", "DESCRIBE"):
            return "graph"
        return "ask" if self.form == "ASK" else "select"

    @property
    def key(self) -> str:
        """A digest of everything that decides the answer except the store's state, taken from
        the exact text (never a rewrite of it, which could make two texts share a key)."""
        digest = hashlib.sha256()
        for part in (
            self.text,
            repr(self.dataset.default_graphs),
            repr(self.dataset.named_graphs),
            *(f"{name}={term}" for name, term in self.bindings),
            self.base_iri or "",
        ):
            digest.update(part.encode("utf-8", "surrogatepass"))
            digest.update(b"\x1e")
        return digest.hexdigest()

    def with_dataset(self, dataset: QueryDataset) -> Query:
        """The same query over another dataset (the protocol's `default-graph-uri` and
        `named-graph-uri` take the place of its FROM clauses)."""
        return _replace(self, dataset=dataset)

    def with_bindings(self, bindings: Mapping[str, Term]) -> Query:
        """The same query with variables pre-bound to RDF terms (never pasted into the text)."""
        return _replace(self, bindings=tuple(sorted(bindings.items())))


@dataclass(frozen=True)
class Update:
    """A SPARQL Update that passed the guard, with its algebra (prefixes and base applied) from
    which the write path learns which quads it can touch."""

    text: str
    operations: tuple[CompValue, ...] = field(repr=False)
    base_iri: str | None = None
    seal: object = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.seal is not _SEAL:
            raise TypeError("an Update is made by tcap_kg.engine.guard.check_update only")


def _replace(query: Query, **changes: Any) -> Query:
    values = {
        "text": query.text,
        "form": query.form,
        "services": query.services,
        "dataset": query.dataset,
        "bindings": query.bindings,
        "base_iri": query.base_iri,
        **changes,
    }
    return Query(**values, seal=_SEAL)


@dataclass(frozen=True)
class _Facts:
    """What one parse of a query text yields, independent of settings and of the base IRI."""

    form: str
    services: tuple[_Iri, ...]
    default_graphs: tuple[_Iri, ...] | None
    named_graphs: tuple[_Iri, ...] | None


@dataclass(frozen=True)
class _Iri:
    """An IRI as written: a full or relative IRI with the BASE in force, or a variable."""

    written: str
    base: str | None = None
    variable: bool = False

    def resolve(self, base_iri: str | None) -> str:
        base = urljoin(base_iri, self.base) if base_iri and self.base else self.base or base_iri
        return urljoin(base, self.written) if base else self.written


class _ParsedCache:
    """Facts of recently parsed texts, bounded by the total length of the texts."""

    def __init__(self, max_bytes: int) -> None:
        self._entries: LRUCache[str, _Facts] = LRUCache(max_bytes)
        self._lock = threading.Lock()

    def get(self, text: str) -> _Facts | None:
        with self._lock:
            return self._entries.get(text)

    def put(self, text: str, facts: _Facts) -> None:
        """Keep the facts of a text, counting the text's length against the bound (the key is
        the text; LRUCache sizes values, so the size is handed over by `__setitem__` below)."""
        if len(text) <= self._entries.maxsize:
            with self._lock:
                self._entries.__setitem__(text, facts)


_parsed = _ParsedCache(PARSED_CACHE_BYTES)


def check_query(
    text: str,
    *,
    service_allow: Iterable[str] = (),
    base_iri: str | None = None,
    limits: Limits = Limits(),
) -> Query:
    """Parse a query and refuse SERVICE calls outside the allow-list; updates are refused here."""
    facts = _parsed.get(text)
    if facts is None:
        facts = _query_facts(text, limits)
        _parsed.put(text, facts)
    services = tuple(_allowed(iri, frozenset(service_allow), base_iri) for iri in facts.services)
    dataset = QueryDataset()
    if facts.default_graphs is not None or facts.named_graphs is not None:
        dataset = QueryDataset(
            tuple(iri.resolve(base_iri) for iri in facts.default_graphs or ()),
            tuple(iri.resolve(base_iri) for iri in facts.named_graphs or ()),
        )
    return Query(text, facts.form, services, dataset, base_iri=base_iri, seal=_SEAL)


def check_update(
    text: str,
    *,
    service_allow: Iterable[str] = (),
    base_iri: str | None = None,
    limits: Limits = Limits(),
) -> Update:
    """Parse an update; refuse LOAD, and SERVICE calls outside the allow-list."""
    _precheck(text, limits)
    try:
        with _PARSING:
            parsed = parseUpdate(text)
    except pyparsing.ParseBaseException as exc:
        if _parses(parseQuery, text):
            raise QueryError(
                "this is a query, not an update: send it as `query=` or with Content-Type "
                "application/sparql-query"
            ) from None
        raise _parse_error(exc, "update") from None
    except RecursionError:
        raise _too_deep(limits) from None
    allowed = frozenset(service_allow)
    prologue = _Prologue()
    for declarations, operation in zip(parsed.prologue, parsed.request or (), strict=False):
        prologue.declare(declarations)
        if operation.name == "Load":
            raise ForbiddenQueryError(
                "LOAD is not allowed: the endpoint never fetches documents from the web "
                "(load files with `tcap load` instead)"
            )
        for iri in _services(operation, prologue):
            _allowed(iri, allowed, base_iri)
    try:
        algebra = translateUpdate(parsed, base_iri)
    except Exception as exc:  # rdflib signals an unknown prefix with a bare Exception
        raise QueryError(f"the update cannot be read: {str(exc)[:MAX_MESSAGE]}") from None
    return Update(text, tuple(algebra.algebra if algebra else ()), base_iri, seal=_SEAL)


def _query_facts(text: str, limits: Limits) -> _Facts:
    _precheck(text, limits)
    try:
        with _PARSING:
            prologue_part, body = parseQuery(text)
    except pyparsing.ParseBaseException as exc:
        if _parses(parseUpdate, text):
            check_update(text, limits=limits)
            raise QueryError(
                "this is a SPARQL Update, not a query: send it as `update=` or with "
                "Content-Type application/sparql-update (updates must be enabled)"
            ) from None
        raise _parse_error(exc, "query") from None
    except RecursionError:
        raise _too_deep(limits) from None
    prologue = _Prologue()
    prologue.declare(prologue_part)
    default: list[_Iri] = []
    named: list[_Iri] = []
    for clause in _field(body, "datasetClause") or ():
        if _field(clause, "default") is not None:
            default.append(prologue.iri(clause["default"], "FROM"))
        else:
            named.append(prologue.iri(clause["named"], "FROM NAMED"))
    has_dataset = bool(default or named)
    return _Facts(
        QUERY_FORMS[body.name],
        tuple(_services(body, prologue)),
        tuple(default) if has_dataset else None,
        tuple(named) if has_dataset else None,
    )


def _precheck(text: str, limits: Limits) -> None:
    """Refuse texts too long or too deeply nested for the parser, before it starts."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > limits.max_bytes:
        raise UnsafeInputError(
            f"the text is {size} bytes long; the endpoint parses at most {limits.max_bytes} "
            "(TCAP_QUERY_MAX_BYTES); load large data with `tcap load` or the Graph Store Protocol"
        )
    depth = deepest = 0
    for character in text:
        if character in OPENING:
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limits.max_depth:
                    raise _too_deep(limits)
        elif character in CLOSING:
            depth -= 1


def _too_deep(limits: Limits) -> UnsafeInputError:
    return UnsafeInputError(
        f"the text nests brackets more than {limits.max_depth} levels deep "
        "(TCAP_QUERY_MAX_DEPTH); flatten the groups or expressions"
    )


def _parses(parse: Callable[[str], object], text: str) -> bool:
    """Whether the other kind of parse accepts a text (to say what went wrong helpfully)."""
    try:
        with _PARSING:
            parse(text)
    except (pyparsing.ParseBaseException, RecursionError):
        return False
    return True


def _parse_error(exc: pyparsing.ParseBaseException, what: str) -> ParseError:
    """The parser's complaint with its position; the editor marks that line."""
    found = exc.line[exc.col - 1 : exc.col + 19].strip() if exc.line else ""
    expected = exc.msg.removeprefix("Expected ").strip()
    if len(expected) > MAX_MESSAGE:
        expected = expected[:MAX_MESSAGE] + "..."
    detail = f"cannot parse the {what} from here on: expected {expected}"
    if found:
        detail += f", found {found!r}"
    return ParseError(detail, source=what, line=exc.lineno, column=exc.col)


class _Prologue:
    """BASE and PREFIX declarations in the order they are made (updates add more per operation)."""

    def __init__(self) -> None:
        self.base: str | None = None
        self.prefixes: dict[str, _Iri] = {}

    def declare(self, declarations: Iterable[CompValue] | None) -> None:
        for declaration in declarations or ():
            if declaration.name == "Base":
                self.base = (
                    urljoin(self.base, str(declaration["iri"]))
                    if self.base
                    else str(declaration["iri"])
                )
            elif declaration.name == "PrefixDecl":
                self.prefixes[_field(declaration, "prefix") or ""] = _Iri(
                    str(declaration["iri"]), self.base
                )

    def iri(self, term: object, where: str) -> _Iri:
        """The IRI a term of the parse tree stands for (`?v` stays a variable)."""
        if isinstance(term, Variable):
            return _Iri(str(term), variable=True)
        if isinstance(term, URIRef):
            return _Iri(str(term), self.base)
        if isinstance(term, CompValue) and term.name == "pname":
            prefix = _field(term, "prefix") or ""
            local = _field(term, "localname") or ""
            declared = self.prefixes.get(prefix)
            if declared is None:
                raise QueryError(f"{where} {prefix}:{local}: the prefix {prefix}: is not declared")
            return _Iri(declared.written + local, declared.base)
        raise QueryError(f"{where} needs an IRI")


def _services(tree: object, prologue: _Prologue) -> Iterator[_Iri]:
    """Every SERVICE endpoint anywhere in a parse tree (subqueries, EXISTS, updates' WHERE)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                yield prologue.iri(_field(node, "term"), "SERVICE")
            stack.extend(node.values())
        elif isinstance(node, list | tuple | pyparsing.ParseResults):
            stack.extend(node)


def _field(node: CompValue, name: str) -> Any:
    """A part of a parse-tree node, or None (`CompValue.get` answers a missing key with the key)."""
    return OrderedDict.get(node, name)


def _allowed(iri: _Iri, allowed: frozenset[str], base_iri: str | None) -> str:
    """The endpoint a SERVICE calls, if the operator allowed it; refuse anything else."""
    if iri.variable:
        raise ForbiddenQueryError(
            "SERVICE with a variable endpoint is not allowed: name the endpoint IRI, and ask the "
            "operator to add it to TCAP_SERVICE_ALLOW"
        )
    resolved = iri.resolve(base_iri)
    if resolved not in allowed or not urlsplit(resolved).scheme:
        listed = ", ".join(sorted(allowed)) or "none"
        raise ForbiddenQueryError(
            f"SERVICE <{resolved}> is not allowed: federated queries may only call endpoints the "
            f"operator listed in TCAP_SERVICE_ALLOW (allowed now: {listed})"
        )
    return resolved
