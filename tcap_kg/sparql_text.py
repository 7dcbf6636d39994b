"""SPARQL text utilities shared by the guard, the endpoint and the remote store.

A leaf module: it imports nothing else of TCap KG, so the safety checks and every store backend can
use it without import cycles. The lexer here tokenises the way the SPARQL grammar does, but a lexer
cannot decide whether `<` opens an IRI or compares two values, so nothing here may be used to decide
what a text *does* (the guard parses for that); it is used only to place text into queries and
updates that are trusted or that the guard has already parsed, and whose result is parsed again.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeAlias

import pyoxigraph as ox

from .errors import QueryError

Term: TypeAlias = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_OPERATIONS = (
    "INSERT",
    "DELETE",
    "LOAD",
    "CLEAR",
    "CREATE",
    "DROP",
    "COPY",
    "MOVE",
    "ADD",
    "WITH",
)

_LONG_STRING = r"'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''|\"\"\"(?:(?:\"|\"\")?(?:[^\"\\]|\\.))*\"\"\""
_SHORT_STRING = r"'(?:[^'\\\n\r]|\\.)*'|\"(?:[^\"\\\n\r]|\\.)*\""
_TOKEN = re.compile(
    rf"""
    (?P<space>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>{_LONG_STRING}|{_SHORT_STRING})
  | (?P<iri><[^<>"{{}}|^`\\\x00-\x20]*>)
  | (?P<var>[?$]\w+)
  | (?P<pname>(?:[^\W\d][\w.-]*)?:(?:[\w.:%-]|\\.)*)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<word>[A-Za-z_]\w*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    """One lexical token: its kind (a group name of `_TOKEN`) and its text."""

    kind: str
    text: str
    start: int = 0

    @property
    def keyword(self) -> str | None:
        """The upper-cased word if this token could be a keyword, else None."""
        return self.text.upper() if self.kind == "word" else None


def tokens(text: str) -> Iterator[Token]:
    """The significant tokens of a SPARQL text (whitespace and comments dropped)."""
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        assert kind is not None
        if kind not in ("space", "comment"):
            yield Token(kind, match.group(), match.start())


@dataclass(frozen=True)
class QueryDataset:
    """The RDF dataset a query runs over (SPARQL Protocol `default-graph-uri` / `named-graph-uri`).

    `default_graphs=None` means the union of all graphs, our default; `named_graphs=None` means every
    named graph is visible to `GRAPH`.
    """

    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None

    @property
    def is_default(self) -> bool:
        return self.default_graphs is None and self.named_graphs is None


def with_using(text: str, graphs: Sequence[str], named_graphs: Sequence[str]) -> str:
    """An update with the protocol's `using-graph-uri` / `using-named-graph-uri` applied.

    The protocol defines these parameters as if each DELETE/INSERT ... WHERE operation carried the
    matching USING / USING NAMED clauses, so that is what this writes, before each such WHERE.
    An update that names its own dataset (USING or WITH) as well is ambiguous and refused.
    """
    if not graphs and not named_graphs:
        return text
    clauses = " ".join(
        [*(f"USING <{g}>" for g in graphs), *(f"USING NAMED <{g}>" for g in named_graphs)]
    )
    scanned = list(tokens(text))
    if any(token.keyword in ("USING", "WITH") for token in scanned):
        raise QueryError(
            "the update names its dataset with USING or WITH and the request has "
            "using-graph-uri / using-named-graph-uri as well: give only one of them"
        )
    pieces: list[str] = []
    cursor = depth = 0
    previous: Token | None = None
    for token in scanned:
        if token.text == "{":
            depth += 1
        elif token.text == "}":
            depth -= 1
        elif (
            token.keyword == "WHERE"
            and depth == 0
            and previous is not None
            and previous.text == "}"
        ):
            pieces += [text[cursor : token.start], clauses, " "]
            cursor = token.start
        previous = token
    pieces.append(text[cursor:])
    return "".join(pieces)


def sparql_term(term: Term) -> str:
    """An RDF term written as SPARQL text; pyoxigraph escapes literals and has validated IRIs,
    so user-supplied values can never break out of the term."""
    if isinstance(term, ox.Triple):
        return f"<< {sparql_term(term.subject)} {sparql_term(term.predicate)} {sparql_term(term.object)} >>"
    return str(term)


def query_form(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first query-form keyword of the text."""
    for token in tokens(text):
        if token.keyword in QUERY_FORMS:
            return token.keyword
    raise QueryError("not a SPARQL query: no SELECT, ASK, CONSTRUCT or DESCRIBE found")


def bind(text: str, bindings: Mapping[str, Term]) -> str:
    """The query with its variables pre-bound to RDF terms, written so that every engine gives the
    answer the embedded store gives (which pre-binds, as if the term stood in the query).

    Inside the WHERE group each use of a bound variable becomes the term itself, and a
    `BIND(term AS ?var)` opens the group so the variable still has its value for the projection,
    GROUP BY, ORDER BY and CONSTRUCT templates. A plain constant leaves an optimiser nothing to
    reorder: a `VALUES` block joined with a `?` property path, UNION and OPTIONALs is answered
    wrongly by Virtuoso 7.2. Where substitution would not be valid SPARQL or would cross a scope
    (a sub-SELECT, a VALUES or `AS ?var` of the variable inside the group) or the query has no
    WHERE group (`DESCRIBE <x>`, `CONSTRUCT WHERE`), a `VALUES` block is used instead: at the
    start of the WHERE group, or at the end of a query without one.
    """
    scanned = list(tokens(text))
    used = {token.text[1:] for token in scanned if token.kind == "var"}
    chosen = {name: term for name, term in bindings.items() if name in used}
    for name, term in chosen.items():
        if not _VARIABLE.match(name):
            raise QueryError(f"cannot bind {name!r}: not a SPARQL variable name")
        if isinstance(term, ox.BlankNode):
            raise QueryError(f"cannot bind ?{name} to a blank node in query text")
    if not chosen:
        return text
    group = _where_group(scanned)
    if group is not None and _substitutable(scanned[group[0] + 1 : group[1]], chosen):
        return _substitute(text, scanned, group, chosen)
    variables = " ".join(f"?{name}" for name in chosen)
    values = " ".join(sparql_term(term) for term in chosen.values())
    block = f"VALUES ({variables}) {{ ({values}) }}"
    if group is None:
        return f"{text}\n{block}"
    position = scanned[group[0]].start + 1
    return f"{text[:position]} {block}\n{text[position:]}"


def _substitute(
    text: str, scanned: list[Token], group: tuple[int, int], chosen: Mapping[str, Term]
) -> str:
    """The WHERE group with the bound variables replaced by their terms and BINDs in front."""
    opening, closing = group
    pieces = [text[: scanned[opening].start + 1]]
    pieces += [f" BIND({sparql_term(term)} AS ?{name})" for name, term in chosen.items()]
    cursor = scanned[opening].start + 1
    for token in scanned[opening + 1 : closing]:
        if token.kind == "var" and token.text[1:] in chosen:
            pieces += [text[cursor : token.start], " ", sparql_term(chosen[token.text[1:]]), " "]
            cursor = token.start + len(token.text)
    pieces.append(text[cursor:])
    return "".join(pieces)


def _substitutable(body: list[Token], chosen: Mapping[str, Term]) -> bool:
    """Whether replacing the bound variables in a WHERE group by terms keeps it valid SPARQL with
    the same scopes: no sub-SELECT, and no VALUES or `AS ?var` that assigns a bound variable."""
    if any(token.keyword in ("SELECT", "VALUES") for token in body):
        return False
    return not any(
        token.keyword == "AS" and following.kind == "var" and following.text[1:] in chosen
        for token, following in itertools.pairwise(body)
    )


def _where_group(scanned: list[Token]) -> tuple[int, int] | None:
    """Token indices of the braces that open and close the query's WHERE group, if it has one."""
    form = next((i for i, token in enumerate(scanned) if token.keyword in QUERY_FORMS), None)
    if form is None:
        return None
    position = form + 1
    if scanned[form].keyword == "CONSTRUCT" and position < len(scanned):
        if scanned[position].keyword == "WHERE":
            return None
        if scanned[position].text == "{":
            position = _after_group(scanned, position)
    depth = 0
    for index in range(position, len(scanned)):
        token = scanned[index]
        if token.text == "(":
            depth += 1
        elif token.text == ")":
            depth -= 1
        elif token.text == "{" and depth == 0:
            closing = _after_group(scanned, index) - 1
            return (index, closing) if closing > index else None
    return None


def _after_group(scanned: list[Token], position: int) -> int:
    """The index just after the brace that closes the group opening at `position`."""
    depth = 0
    for index in range(position, len(scanned)):
        if scanned[index].text == "{":
            depth += 1
        elif scanned[index].text == "}":
            depth -= 1
            if depth == 0:
                return index + 1
    return len(scanned)
