"""The one seam between the SPARQL engine and everything else.

Every backend (embedded Oxigraph on disk, in memory, a remote SPARQL server) implements `Store`;
the CLI, the loader and the endpoint only ever talk to this interface. Terms and results are
pyoxigraph's types because every backend can produce them (a remote backend parses the server's
answer with pyoxigraph), which keeps conversions out of the hot path.
"""

from __future__ import annotations

import difflib
import logging
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import IO, Any, Protocol, TypeAlias, TypeVar

import pyoxigraph as ox

from ..errors import InputError, NotFoundError, StoreError
from ..namespaces import CATALOG_GRAPH, STAGING_PREFIX, is_staging_graph
from ..sparql_text import QueryDataset, Term, sparql_term

log = logging.getLogger(__name__)

T = TypeVar("T")


class Row(Protocol):
    """One solution: a term (or None, unbound) per variable name; pyoxigraph's `QuerySolution`
    and a plain mapping (rows that crossed a process boundary) both are one. Typed loosely, as
    pyoxigraph's own rows are, so readers narrow each term where they use it."""

    def __getitem__(self, name: str) -> Any: ...


class Solutions:
    """SELECT results: the projected variable names and a one-pass stream of rows."""

    def __init__(self, variables: Sequence[str], rows: Iterator[Row]) -> None:
        self.variables = list(variables)
        self._rows = rows

    def __iter__(self) -> Iterator[Row]:
        return self._rows


class Triples:
    """CONSTRUCT / DESCRIBE results: a one-pass stream of triples."""

    def __init__(self, triples: Iterator[ox.Triple]) -> None:
        self._triples = triples

    def __iter__(self) -> Iterator[ox.Triple]:
        return self._triples


QueryResult: TypeAlias = Solutions | bool | Triples


class Queryable(Protocol):
    """Anything that answers our own fixed queries: a store, or the engine in front of one."""

    def query(
        self,
        sparql: str,
        *,
        dataset: QueryDataset | None = None,
        bindings: Mapping[str, Term] | None = None,
    ) -> QueryResult: ...

    def generation(self) -> str: ...

    def graphs(self) -> list[GraphInfo]: ...


EXPORT_FORMATS: dict[str, ox.RdfFormat] = {
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
}


@dataclass(frozen=True)
class GraphInfo:
    """A named graph and its size."""

    iri: str
    triples: int


GRAPH_SIZES = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
"""Triples per named graph; every backend lists its graphs from this query's answer."""


def graph_sizes(rows: Iterable[Row]) -> list[GraphInfo]:
    """The graphs of a `GRAPH_SIZES` answer, sorted by IRI; staging graphs of a commit still
    running elsewhere are left out, as they are not part of any committed state."""
    infos = [
        GraphInfo(row["g"].value, int(row["n"].value))
        for row in rows
        if isinstance(row["g"], ox.NamedNode)
        and row["n"] is not None
        and not is_staging_graph(row["g"].value)
    ]
    return sorted(infos, key=lambda info: info.iri)


@dataclass
class ChangeSet:
    """What one atomic commit does: drop graphs, forget their descriptions, then add quads.

    `undescribe` names graphs whose description in the catalogue graph (every triple with the
    graph as subject, and the blank nodes hanging from it) is removed; a dropped graph's
    description always goes too, so records never outlive their data. Quads in the default graph
    are an error: the loader decides the target graph first, so nothing lands there by accident.
    """

    drop_graphs: Sequence[str] = ()
    undescribe: Sequence[str] = ()
    add: Iterable[ox.Quad] = ()

    @property
    def forgotten(self) -> list[str]:
        """Graphs whose catalogue description this change removes."""
        return list(dict.fromkeys([*self.drop_graphs, *self.undescribe]))


@dataclass(frozen=True)
class BulkSource:
    """One dump to stream into the store.

    `open()` gives a fresh binary stream of it (already decompressed); triples go to
    `default_graph`, quads of dataset formats keep their graph; `graphs` lists every graph the
    dump fills, found beforehand, so a store can prepare (and, after a crash, undo) exactly those.
    """

    name: str
    open: Callable[[], IO[bytes]]
    format: ox.RdfFormat
    default_graph: str
    graphs: tuple[str, ...]


@dataclass(frozen=True)
class Capabilities:
    """What a backend can do, declared by each backend (as rdflib's `Store` declares
    `context_aware` and friends), so callers choose a strategy without naming concrete classes."""

    local_reads: bool = False
    """Reads run in this process on a pyoxigraph store (`reading()` gives it), so a writer can
    look at the current state in place instead of copying it out first."""

    skolemised_blank_nodes: bool = False
    """Blank nodes are held as genid IRIs: answers give them back as blank nodes (and a blank
    node from an answer can be bound in a later query), but inside a query they are IRIs, so
    `STR()` of one is its genid IRI (`isBlank` / `isIRI` are rewritten to tell them apart)."""

    literal_standins: frozenset[str] = frozenset()
    """Datatypes the server would change, held under a stand-in datatype and given back as they
    were; a query testing `DATATYPE()` of such a literal sees the stand-in."""

    own_graphs_only: bool = False
    """The server may hold graphs TCap KG did not write (Virtuoso's own, other programs'); they
    are in the default graph, but `graphs()`, `count()`, `export()` and drops never touch them."""


class Store(ABC):
    """A quad store that answers SPARQL and commits changes atomically."""

    kind: str = "abstract"
    capabilities: Capabilities = Capabilities()

    @abstractmethod
    def commit(self, changes: ChangeSet) -> None:
        """Apply the change set in one transaction: all of it or none of it."""

    @abstractmethod
    def graphs(self) -> list[GraphInfo]:
        """Every named graph with its triple count, sorted by IRI."""

    @abstractmethod
    def query(
        self,
        sparql: str,
        *,
        dataset: QueryDataset | None = None,
        bindings: Mapping[str, Term] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        """Run a SPARQL query; `bindings` pre-bind variables to RDF terms (never text pasting),
        `base_iri` resolves relative IRIs in the text."""

    @abstractmethod
    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        """Run a SPARQL update atomically."""

    @abstractmethod
    def export(
        self,
        out: IO[bytes],
        fmt: ox.RdfFormat,
        graph: str | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Write one graph, or every named graph (graph names kept by dataset formats, merged by
        graph formats), and return the number of quads written; `progress` gets increments."""

    @abstractmethod
    def generation(self) -> str:
        """A token that changes whenever the data may have changed (for caches and reopening)."""

    @abstractmethod
    def close(self) -> None:
        """Release the store; the object is unusable afterwards."""

    @abstractmethod
    def bulk_load(
        self,
        sources: Sequence[BulkSource],
        describe: Callable[[Mapping[str, int]], list[ox.Quad]],
    ) -> dict[str, int]:
        """Replace the graphs the dumps fill by streaming them in, never holding a dump in memory.

        After the data, `describe(triples per graph)` gives the records to add. A crash or a kill
        at any point leaves the store with all of the dumps or none of them; graphs the load does
        not touch are never affected. Returns the triples per graph.
        """

    def flush(self) -> None:
        """Make what was written durable now; backends that write through need nothing."""
        return

    def atomically(self) -> AbstractContextManager[None]:
        """Group changes so that readers see all of them or none (each change is atomic on
        its own; backends that can publish a group at once override this)."""
        return nullcontext()

    def reading(self) -> AbstractContextManager[ox.Store]:
        """The store's current state as a pyoxigraph store, held steady for one read; only
        backends with `capabilities.local_reads` have one."""
        raise StoreError(f"the {self.kind} store cannot be read in place")

    def add(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads (each already in its named graph) in one transaction."""
        self.commit(ChangeSet(add=quads))

    def replace_graph(self, graph: str, quads: Iterable[ox.Quad]) -> None:
        """Replace a graph's content in one transaction."""
        self.commit(ChangeSet(drop_graphs=[graph], add=quads))

    def drop_graph(self, graph: str) -> None:
        """Remove a graph and its content; unknown graphs are an error so typos are not silent."""
        if not self.has_graph(graph):
            raise_unknown_graph(graph, self.graphs())
        self.commit(ChangeSet(drop_graphs=[graph]))

    def has_graph(self, graph: str) -> bool:
        result = self.query("ASK { GRAPH ?g { ?s ?p ?o } }", bindings={"g": ox.NamedNode(graph)})
        return bool(result)

    def count(self, graph: str | None = None) -> int:
        """Triples in one graph, or quads in the whole store."""
        return count_quads(self, graph)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def count_quads(store: Queryable, graph: str | None = None) -> int:
    """Triples in one graph, or quads in every named graph, by asking the store."""
    if graph is None:
        result = store.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    else:
        result = store.query(GRAPH_SIZES, bindings={"g": ox.NamedNode(graph)})
    assert isinstance(result, Solutions)
    for row in result:
        value = row["n"]
        return int(value.value) if value is not None else 0
    return 0


def raise_unknown_graph(graph: str, known: Sequence[GraphInfo]) -> None:
    """Refuse an unknown graph name, suggesting the closest one (typos are the usual cause)."""
    close = difflib.get_close_matches(graph, [g.iri for g in known], n=1)
    hint = f"; did you mean <{close[0]}>?" if close else "; `tcap graphs` lists them"
    raise NotFoundError(f"no graph <{graph}> in the store{hint}")


def check_export_format(name: str) -> ox.RdfFormat:
    """The RDF format for an export format name, or a clear error listing the valid ones."""
    try:
        return EXPORT_FORMATS[name]
    except KeyError:
        raise InputError(
            f"unknown export format {name!r} (use one of: {', '.join(EXPORT_FORMATS)})"
        ) from None


def staging_prefix() -> str:
    """A fresh prefix for one commit's staging graphs; the time in it lets a remote store tell
    abandoned staging graphs from those of a load still running elsewhere."""
    return f"{STAGING_PREFIX}{int(time.time())}:{uuid.uuid4().hex}:"


def staged_at(graph: str) -> int | None:
    """When the commit that made a staging graph began (seconds since the epoch), if known."""
    stamp = graph.removeprefix(STAGING_PREFIX).split(":", 1)[0]
    return int(stamp) if stamp.isdigit() else None


def commit_update(
    changes: ChangeSet, staged: Mapping[str, str], insert: Sequence[ox.Quad] = ()
) -> str:
    """The single SPARQL update that turns staged graphs into the committed state atomically.

    Drops the replaced graphs, removes the descriptions of forgotten graphs, moves each staged
    graph into its target and inserts `insert` (small: graph records), in that order.
    """
    operations = [f"DROP SILENT GRAPH {sparql_term(ox.NamedNode(g))}" for g in changes.drop_graphs]
    operations += [
        f"DELETE {{ GRAPH <{CATALOG_GRAPH}> {{ {iri} ?p ?o . ?o ?p2 ?o2 }} }} "
        f"WHERE {{ GRAPH <{CATALOG_GRAPH}> {{ {iri} ?p ?o "
        "OPTIONAL { ?o ?p2 ?o2 FILTER(isBlank(?o)) } } }"
        for iri in (sparql_term(ox.NamedNode(graph)) for graph in changes.forgotten)
    ]
    for target, stage in staged.items():
        source = sparql_term(ox.NamedNode(stage))
        operations += [
            f"ADD SILENT GRAPH {source} TO GRAPH {sparql_term(ox.NamedNode(target))}",
            f"DROP SILENT GRAPH {source}",
        ]
    if insert:
        operations.append(insert_data(insert))
    return " ;\n".join(operations)


def insert_data(quads: Iterable[ox.Quad]) -> str:
    """`INSERT DATA` for quads in named graphs; blank nodes keep one label across the block."""
    by_graph: dict[str, list[str]] = {}
    for quad in quads:
        graph = quad.graph_name
        if not isinstance(graph, ox.NamedNode):
            raise InputError("internal: a quad without a target graph reached the store")
        line = f"{sparql_term(quad.subject)} {sparql_term(quad.predicate)} {sparql_term(quad.object)} ."
        by_graph.setdefault(sparql_term(graph), []).append(line)
    blocks = [f"GRAPH {graph} {{\n" + "\n".join(lines) + "\n}" for graph, lines in by_graph.items()]
    return "INSERT DATA {\n" + "\n".join(blocks) + "\n}"


class HeldIterator(Iterator[T]):
    """Streams results while a resource (a read lock, an HTTP response) is held; releases it
    when exhausted, closed or dropped. Read errors surface as StoreError.

    A plain generator would not do: one that is never started never runs its `finally`.
    """

    def __init__(self, inner: Iterable[T], release: Callable[[], None]) -> None:
        self._inner = iter(inner)
        self._release: Callable[[], None] | None = release

    def __next__(self) -> T:
        try:
            return next(self._inner)
        except StopIteration:
            self.close()
            raise
        except (OSError, SyntaxError, ValueError) as exc:
            self.close()
            raise StoreError(f"reading results failed: {exc}") from exc

    def close(self) -> None:
        if self._release is not None:
            release, self._release = self._release, None
            release()

    def __del__(self) -> None:
        self.close()
