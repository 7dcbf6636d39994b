"""Safety checks on SPARQL text before any engine sees it, and the query's own dataset.

pyoxigraph executes `SERVICE` and `LOAD` over HTTP, and nothing in its API turns that off, so the
only dependable place to stop a query from fetching a URL is before it reaches the engine. A full
parse would cost milliseconds; a lexical scan costs microseconds and is enough, because the
constructs that fetch are keywords: the scan tokenises the text the way the SPARQL grammar does
(comments, the four string quote styles, IRIs in angle brackets, prefixed names such as
`ex:service`, variables) and looks only at keyword tokens, case-insensitively.

The scan deliberately does not validate syntax: pyoxigraph reports syntax errors with a line and
column, and whatever the scan might misread either fails to parse there or is code the scan saw.
`FROM`, `FROM NAMED` and the protocol's dataset parameters need no safety check: pyoxigraph only
selects local graphs with them and never fetches (tests prove it with a local listener). The scan
does collect the FROM graphs, though: the store makes the default graph the union of all graphs,
which would otherwise override the query's own FROM.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from urllib.parse import urljoin

from .errors import ForbiddenQueryError, QueryError
from .store import QueryDataset

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


@dataclass(frozen=True)
class CheckedText:
    """What the scan learned: the operation's form and a normalised text for cache keys."""

    form: str
    normalised: str
    services: tuple[str, ...]
    dataset: QueryDataset = field(default_factory=QueryDataset)

    @property
    def is_update(self) -> bool:
        return self.form == "UPDATE"

    @property
    def result_kind(self) -> str:
        """`select`, `ask` or `graph`, the result family the form produces."""
        if self.form in ("CONSTRUCT", "DESCRIBE"):
            return "graph"
        return "ask" if self.form == "ASK" else "select"


def tokens(text: str) -> Iterator[Token]:
    """The significant tokens of a SPARQL text (whitespace and comments dropped)."""
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        assert kind is not None
        if kind not in ("space", "comment"):
            yield Token(kind, match.group(), match.start())


def check_query(text: str, *, service_allow: Iterable[str] = ()) -> CheckedText:
    """Refuse an update sent as a query and any SERVICE call outside the allow-list."""
    checked = _scan(text, frozenset(service_allow))
    if checked.is_update:
        raise QueryError(
            "this is a SPARQL Update, not a query: send it as `update=` or with "
            "Content-Type application/sparql-update (updates must be enabled)"
        )
    return checked


def check_update(text: str, *, service_allow: Iterable[str] = ()) -> CheckedText:
    """Refuse LOAD and any SERVICE call outside the allow-list in an update."""
    checked = _scan(text, frozenset(service_allow), update=True)
    if not checked.is_update:
        raise QueryError(
            f"this is a {checked.form} query, not an update: send it as `query=` or with "
            "Content-Type application/sparql-query"
        )
    return checked


def _scan(text: str, allowed: frozenset[str], *, update: bool = False) -> CheckedText:
    scanned = list(tokens(text))
    form = _form(scanned)
    base = ""
    prefixes: dict[str, str] = {}
    services: list[str] = []
    graphs: dict[bool, list[str]] = {False: [], True: []}
    normalised: list[str] = []
    position = 0
    while position < len(scanned):
        token = scanned[position]
        keyword = token.keyword
        normalised.append(keyword or token.text)
        if keyword == "LOAD" and (update or form == "UPDATE"):
            raise ForbiddenQueryError(
                "LOAD is not allowed: the endpoint never fetches documents from the web "
                "(load files with `tcap load` instead)"
            )
        if keyword == "BASE" and _kind_at(scanned, position + 1) == "iri":
            base = urljoin(base, scanned[position + 1].text[1:-1])
        elif keyword == "PREFIX" and _kind_at(scanned, position + 2) == "iri":
            prefixes[scanned[position + 1].text[:-1]] = urljoin(
                base, scanned[position + 2].text[1:-1]
            )
        elif keyword == "SERVICE":
            services.append(_service_target(scanned, position, base, prefixes, allowed))
        elif keyword == "FROM" and form != "UPDATE":
            named = position + 1 < len(scanned) and scanned[position + 1].keyword == "NAMED"
            graphs[named].append(_from_graph(scanned, position + 1 + named, base, prefixes))
        position += 1
    dataset = QueryDataset()
    if graphs[False] or graphs[True]:
        dataset = QueryDataset(tuple(graphs[False]), tuple(graphs[True]))
    return CheckedText(form, " ".join(normalised), tuple(services), dataset)


def _form(scanned: list[Token]) -> str:
    """The first query-form or update keyword decides what the text is."""
    for token in scanned:
        keyword = token.keyword
        if keyword in QUERY_FORMS:
            return keyword
        if keyword in UPDATE_OPERATIONS:
            return "UPDATE"
    return "UNKNOWN"


def _kind_at(scanned: list[Token], position: int) -> str | None:
    return scanned[position].kind if position < len(scanned) else None


def _resolve(token: Token, base: str, prefixes: dict[str, str]) -> str | None:
    """The IRI an IRI token or a declared prefixed name stands for."""
    if token.kind == "iri":
        return urljoin(base, token.text[1:-1])
    prefix, colon, local = token.text.partition(":")
    if token.kind == "pname" and colon and prefix in prefixes:
        return prefixes[prefix] + local
    return None


def _from_graph(scanned: list[Token], position: int, base: str, prefixes: dict[str, str]) -> str:
    iri = _resolve(scanned[position], base, prefixes) if position < len(scanned) else None
    if iri is None:
        raise QueryError("FROM needs a graph IRI (a full IRI or a declared prefixed name)")
    return iri


def _service_target(
    scanned: list[Token],
    position: int,
    base: str,
    prefixes: dict[str, str],
    allowed: frozenset[str],
) -> str:
    """The IRI a SERVICE clause calls, if the operator allowed it; refuse anything else."""
    following = position + 1
    if following < len(scanned) and scanned[following].keyword == "SILENT":
        following += 1
    target = scanned[following] if following < len(scanned) else None
    if target is None or target.kind == "var":
        raise ForbiddenQueryError(
            "SERVICE with a variable endpoint is not allowed: name the endpoint IRI, and ask the "
            "operator to add it to TCAP_SERVICE_ALLOW"
        )
    iri = _resolve(target, base, prefixes)
    if iri is None:
        raise ForbiddenQueryError(
            f"SERVICE {target.text}: the endpoint must be an IRI listed in TCAP_SERVICE_ALLOW"
        )
    if iri not in allowed:
        listed = ", ".join(sorted(allowed)) or "none"
        raise ForbiddenQueryError(
            f"SERVICE <{iri}> is not allowed: federated queries may only call endpoints the "
            f"operator listed in TCAP_SERVICE_ALLOW (allowed now: {listed})"
        )
    return iri


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
