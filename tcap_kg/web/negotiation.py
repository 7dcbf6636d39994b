"""Content negotiation: which format to send, from `?format=` or the Accept header.

Formats come from the one registry (`tcap_kg.formats`); Werkzeug ranks the Accept header (quality,
then specificity, ties to the order offered). A client that asks for nothing we have gets the
default for the result kind rather than a 406: SPARQL clients send all kinds of Accept headers, and
an answer in a standard format is more useful than an error. An explicit `?format=` that we do not
know is an error, though.
"""

from __future__ import annotations

from collections.abc import Sequence

from werkzeug.datastructures import MIMEAccept

from .. import formats
from ..errors import InputError
from ..formats import Format

SELECT_CHOICES = tuple(formats.get(name) for name in ("json", "xml", "csv", "tsv", "html"))
GRAPH_CHOICES = tuple(
    formats.get(name)
    for name in ("turtle", "ntriples", "nquads", "trig", "rdfxml", "jsonld", "html")
)
DEFAULTS = {
    "select": formats.get("json"),
    "ask": formats.get("json"),
    "graph": formats.get("turtle"),
}


def choices_for(kind: str) -> tuple[Format, ...]:
    """What a result of this kind (`select`, `ask` or `graph`) can be sent as."""
    return GRAPH_CHOICES if kind == "graph" else SELECT_CHOICES


def from_accept(accept: MIMEAccept, choices: Sequence[Format], default: Format) -> Format:
    """The best of `choices` for an Accept header; the default wins ties and empty headers."""
    ordered = [default, *(fmt for fmt in choices if fmt != default)]
    offered = [media for fmt in ordered for media in fmt.media_types]
    best = accept.best_match(offered) if accept else None
    if best is None:
        return default
    return next(fmt for fmt in ordered if best in fmt.media_types)


def from_name(name: str, choices: Sequence[Format], kind: str) -> Format:
    """A `?format=` value (short name or media type) checked against the choices of a kind."""
    fmt = formats.lookup(name, choices)
    if fmt is None:
        raise InputError(
            f"format {name!r} is not available for this {kind} result (use one of: "
            f"{', '.join(choice.name for choice in choices)})"
        )
    return fmt


def choose(format_param: str | None, accept: MIMEAccept, kind: str) -> Format:
    """The format for a result kind, `?format=` first."""
    choices = choices_for(kind)
    if format_param:
        return from_name(format_param, choices, kind)
    return from_accept(accept, choices, DEFAULTS[kind])
