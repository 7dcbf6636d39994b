"""What crosses the process boundary to an executor, and what the executor does with it.

A job is plain data (pickled over a pipe or socket): the text the guard passed, its dataset,
bindings, base IRI and what to send back. An executor answers with serialised bytes in a format
(`Answer`, for HTTP responses and downloads) or with typed terms (`Rows`, for code that reads the
result: pages, records, the CLI); pyoxigraph terms pickle, rows are made into tuples first.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from .. import formats
from ..results import render, result_kind, take
from ..results_html import render_html
from ..sparql_text import QueryDataset, Term
from ..store import QueryResult, Solutions, Store, Triples
from ..store.base import Row

TERMS = "terms"
"""The job's format for an answer in typed terms rather than bytes."""


@dataclass(frozen=True)
class QueryJob:
    """One query to run: the text (already checked), its dataset, bindings and output wishes.

    The format is chosen per result kind because only the engine knows for sure whether the text
    is a SELECT or a CONSTRUCT; `max_rows=None` means no cap (internal callers).
    """

    sparql: str
    dataset: QueryDataset = field(default_factory=QueryDataset)
    bindings: tuple[tuple[str, Term], ...] = ()
    base_iri: str | None = None
    select_format: str = "json"
    graph_format: str = "turtle"
    max_rows: int | None = None


@dataclass(frozen=True)
class ExportJob:
    """Stream one graph, or the whole dataset, in an RDF format given by its media type
    (pyoxigraph's format objects do not pickle)."""

    media_type: str
    graph: str | None = None


@dataclass(frozen=True)
class Answer:
    """A serialised query result."""

    body: bytes
    media_type: str
    kind: str
    rows: int
    truncated: bool


@dataclass(frozen=True)
class Rows:
    """A query result as typed terms: a boolean, solutions as tuples, or triples."""

    kind: str
    variables: tuple[str, ...] = ()
    solutions: tuple[tuple[Term | None, ...], ...] = ()
    boolean: bool = False
    triples: tuple[ox.Triple, ...] = ()
    truncated: bool = False

    def result(self) -> QueryResult:
        """The same result as the store interface gives it, so readers need not care."""
        if self.kind == "ask":
            return self.boolean
        if self.kind == "graph":
            return Triples(iter(self.triples))
        return Solutions(list(self.variables), _solutions(self.variables, self.solutions))


def _solutions(variables: Sequence[str], rows: Sequence[tuple[Term | None, ...]]) -> Iterator[Row]:
    """Rows as mappings from variable names, like `ox.QuerySolution` (which does not pickle)."""
    for row in rows:
        yield dict(zip(variables, row, strict=True))


def execute(store: Store, job: QueryJob) -> Answer | Rows:
    """Run a job against a store and serialise its result (in the executor process)."""
    result = store.query(
        job.sparql, dataset=job.dataset, bindings=dict(job.bindings), base_iri=job.base_iri
    )
    kind = result_kind(result)
    fmt = job.graph_format if kind == "graph" else job.select_format
    if fmt == TERMS:
        return _rows(result, kind, job.max_rows)
    if fmt == "html":
        rendered = render_html(result, max_rows=job.max_rows)
    else:
        rendered = render(result, fmt, max_rows=job.max_rows)
    return Answer(rendered.body, rendered.media_type, kind, rendered.rows, rendered.truncated)


def _rows(result: QueryResult, kind: str, max_rows: int | None) -> Rows:
    if isinstance(result, bool):
        return Rows(kind, boolean=result)
    if isinstance(result, Triples):
        triples, truncated = take(result, max_rows)
        return Rows(kind, triples=tuple(triples), truncated=truncated)
    assert isinstance(result, Solutions)
    names = tuple(result.variables)
    solutions, truncated = take(result, max_rows)
    return Rows(
        kind,
        names,
        tuple(tuple(row[name] for name in names) for row in solutions),
        truncated=truncated,
    )


def media_format(media_type: str) -> ox.RdfFormat:
    """The RDF format of an export job's media type."""
    return formats.rdf_from_media_type(media_type)
