"""Query and update text for a server that holds skolemised blank nodes and stand-in datatypes.

On the server a blank node of ours is a genid IRI, so `isBlank(x)` becomes
`(isBlank(x) || STRSTARTS(STR(x), GENID))` and `isIRI(x)` / `isURI(x)` exclude genid IRIs; a
literal typed with a datatype that travels under a stand-in (`"…"^^geo:wktLiteral`) is written
with the stand-in, so it matches what is stored. The text has already been checked or is our own,
and the server parses the result again: a call the lexer cannot see (inside an IRI-looking run such
as `?a<isBlank(?x)&&?b>`) keeps its plain meaning, nothing more.
"""

from __future__ import annotations

import re

from ...sparql_text import Token, tokens
from .portable import GENID, STANDIN

_TESTS = re.compile(r"\b(?:isBlank|isIRI|isURI)\s*\(", re.IGNORECASE)
_GENID = f'"{GENID}"'


def portable_text(text: str, standins: frozenset[str] = frozenset()) -> str:
    """SPARQL text as it must be sent to the server (see the module docstring)."""
    if not _TESTS.search(text) and not (standins and "^^" in text):
        return text
    scanned = list(tokens(text))
    return _rewrite(text, scanned, 0, len(scanned), standins)


def _rewrite(
    text: str, scanned: list[Token], first: int, last: int, standins: frozenset[str]
) -> str:
    """The text covered by tokens[first:last], rewritten."""
    if first >= last:
        return ""
    prefixes = _prefixes(scanned) if standins else {}
    start = scanned[first].start
    end = scanned[last - 1].start + len(scanned[last - 1].text)
    pieces: list[str] = []
    cursor = start
    index = first
    while index < last:
        token = scanned[index]
        keyword = token.keyword
        if (
            keyword in ("ISBLANK", "ISIRI", "ISURI")
            and index + 1 < last
            and scanned[index + 1].text == "("
        ):
            closing = _closing(scanned, index + 1, last)
            if closing is not None:
                argument = _rewrite(text, scanned, index + 2, closing, standins)
                test = f"STRSTARTS(STR({argument}), {_GENID})"
                call = f"{token.text}({argument})"
                pieces += [
                    text[cursor : token.start],
                    f"({call} || {test})" if keyword == "ISBLANK" else f"({call} && !{test})",
                ]
                cursor = scanned[closing].start + 1
                index = closing + 1
                continue
        if (
            standins
            and token.text == "^"
            and index + 2 < last
            and scanned[index + 1].text == "^"
            and (datatype := _iri(scanned[index + 2], prefixes)) in standins
        ):
            target = scanned[index + 2]
            pieces += [text[cursor : target.start], f"<{STANDIN}{datatype}>"]
            cursor = target.start + len(target.text)
            index += 3
            continue
        index += 1
    pieces.append(text[cursor:end])
    return "".join(pieces) if first else text[:start] + "".join(pieces) + text[end:]


def _closing(scanned: list[Token], opening: int, last: int) -> int | None:
    """The index of the parenthesis that closes the one at `opening`."""
    depth = 0
    for index in range(opening, last):
        if scanned[index].text == "(":
            depth += 1
        elif scanned[index].text == ")":
            depth -= 1
            if depth == 0:
                return index
    return None


def _prefixes(scanned: list[Token]) -> dict[str, str]:
    """The PREFIX declarations of a text: prefix (with its colon) to namespace IRI."""
    found: dict[str, str] = {}
    for keyword, name, iri in zip(scanned, scanned[1:], scanned[2:], strict=False):
        if keyword.keyword == "PREFIX" and name.kind == "pname" and iri.kind == "iri":
            found[name.text] = iri.text[1:-1]
    return found


def _iri(token: Token, prefixes: dict[str, str]) -> str | None:
    """The IRI a datatype token names, if it is an IRI or a prefixed name with a known prefix."""
    if token.kind == "iri":
        return token.text[1:-1]
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        namespace = prefixes.get(prefix + ":")
        return namespace + local if namespace is not None else None
    return None
