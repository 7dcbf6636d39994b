"""Writes through the endpoint: SPARQL Update and Graph Store Protocol changes.

Every write follows the same path: work out the would-be content of each graph it changes, check
those graphs against the shapes, and only then replace them in the store in one atomic commit,
with fresh graph records (so `tcap graphs` and the service description stay right). A write that
would leave a Violation, or touch the graphs TCap KG manages itself, changes nothing.

For SPARQL Update the would-be content is found by running the update on an in-memory copy of the
store first: the update language can touch any graph through variables, so only running it tells
which graphs change. That copy costs time in proportion to the store, which is fine for the small
curated edits the endpoint is for; bulk data goes in with `tcap load`.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import pyoxigraph as ox

from ..errors import ForbiddenQueryError, InputError, QueryError, ValidationFailedError
from ..loading import check_graph_iri, dataset_changes
from ..rdfio import ParsedDataset, serialize_quads, syntax_error
from ..settings import Settings
from ..sparql_guard import check_update
from ..store import ChangeSet, OxigraphStore, Store
from ..validation import Severity, validate_quads
from .pooled_store import PooledStore

log = logging.getLogger(__name__)

MAX_SHOWN = 5


@dataclass(frozen=True)
class WriteSummary:
    """What a write changed: triples now in each changed graph (0: the graph is gone)."""

    graphs: dict[str, int]
    created: bool = False


def check_shapes(
    quads: Sequence[ox.Quad], store: Store, replaced: Sequence[str], source: str, engine: str
) -> None:
    """Refuse the write if the would-be graphs violate the shapes, judged in the context of the
    rest of the store (the graphs being replaced do not count)."""
    report = validate_quads(
        quads, source=source, context=store, exclude_graphs=replaced, engine=engine
    )
    if not report.conforms:
        violations = [f.message for f in report.findings if f.severity is Severity.VIOLATION]
        shown = "; ".join(violations[:MAX_SHOWN])
        more = f" (and {len(violations) - MAX_SHOWN} more)" if len(violations) > MAX_SHOWN else ""
        raise ValidationFailedError(
            f"the write was refused and nothing changed: {report.summary()}: {shown}{more}"
        )


def writable_graph(graph: str) -> str:
    """A graph the endpoint may write: an absolute IRI, not one TCap KG manages itself."""
    try:
        return check_graph_iri(graph)
    except InputError as exc:
        if "absolute IRI" in str(exc):
            raise
        raise ForbiddenQueryError(
            f"graph <{graph}> is managed by TCap KG (shipped ontology, shapes, data or the "
            "catalogue) and cannot be written through the endpoint"
        ) from None


def replace_graphs(
    store: Store, contents: dict[str, list[ox.Quad]], source: str, engine: str
) -> WriteSummary:
    """Validate the new contents of some graphs, then swap them in with their records at once."""
    for graph in contents:
        writable_graph(graph)
    kept = {graph: quads for graph, quads in contents.items() if quads}
    emptied = [graph for graph, quads in contents.items() if not quads]
    everything = [quad for quads in kept.values() for quad in quads]
    if everything:
        check_shapes(everything, store, list(contents), source, engine)
    datasets = [(_as_dataset(source, quads), graph) for graph, quads in kept.items()]
    changes, summary = dataset_changes(datasets) if datasets else (ChangeSet(), None)
    store.commit(
        ChangeSet(
            drop_graphs=[*changes.drop_graphs, *emptied],
            undescribe=changes.undescribe,
            add=changes.add,
        )
    )
    counts = dict(summary.graphs) if summary else {}
    counts.update(dict.fromkeys(emptied, 0))
    log.info("%s changed %d graph(s)", source, len(counts))
    return WriteSummary(counts)


def _as_dataset(source: str, quads: list[ox.Quad]) -> ParsedDataset:
    data = serialize_quads(quads, ox.RdfFormat.N_QUADS)
    return ParsedDataset(
        source, ox.RdfFormat.N_QUADS, quads, hashlib.sha256(data).hexdigest(), len(data)
    )


def run_update(store: PooledStore, settings: Settings, sparql: str) -> WriteSummary:
    """Apply a SPARQL Update: rehearse it on a copy, validate what changed, then commit that."""
    check_update(sparql, service_allow=settings.service_allow)
    with store.writing() as target:
        with live_view(target) as live:
            rehearsal = ox.Store()
            rehearsal.extend(live.quads_for_pattern(None, None, None, None))
            try:
                rehearsal.update(sparql)
            except SyntaxError as exc:
                raise syntax_error(exc, "update") from None
            except (RuntimeError, ValueError, OSError) as exc:
                raise QueryError(f"update failed, nothing was changed: {exc}") from None
            changed = _changed_graphs(live, rehearsal)
        stray = next(iter(rehearsal.quads_for_pattern(None, None, None, ox.DefaultGraph())), None)
        if stray is not None:
            raise InputError(
                "the update writes into the default graph, which is the read-only union of all "
                "graphs here: wrap the data in GRAPH <iri> { ... }"
            )
        contents = {
            graph: list(rehearsal.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
            for graph in sorted(changed)
        }
        return replace_graphs(target, contents, "SPARQL Update via /sparql", settings.validator)


@contextmanager
def live_view(store: Store, graph: str | None = None) -> Iterator[ox.Store]:
    """The store's quads (all, or one graph's) as a pyoxigraph store to read while writing.

    The embedded store is read in place; a remote store's quads are copied into memory through
    `export`, which any SPARQL server can answer.
    """
    if isinstance(store, OxigraphStore):
        with store.reading() as live:
            yield live
        return
    copy = ox.Store()
    if graph is None or store.has_graph(graph):
        with tempfile.TemporaryFile() as spool:
            store.export(spool, ox.RdfFormat.N_QUADS, graph=graph)
            spool.seek(0)
            copy.load(spool, ox.RdfFormat.N_QUADS)
    yield copy


def _changed_graphs(before: ox.Store, after: ox.Store) -> set[str]:
    """Named graphs whose content differs between two stores."""
    changed: set[str] = set()
    for one, other in ((before, after), (after, before)):
        for quad in one.quads_for_pattern(None, None, None, None):
            graph = quad.graph_name
            if isinstance(graph, ox.NamedNode) and graph.value not in changed and quad not in other:
                changed.add(graph.value)
    return changed


def graph_quads(quads: Iterable[ox.Quad], graph: str) -> list[ox.Quad]:
    """A request body's triples placed in the target graph; other named graphs are refused."""
    target = ox.NamedNode(graph)
    placed = []
    for quad in quads:
        if not isinstance(quad.graph_name, ox.DefaultGraph) and quad.graph_name != target:
            raise InputError(
                "the body names its own graphs (TriG/N-Quads); send triples for one graph, "
                f"or only graph <{graph}>"
            )
        placed.append(ox.Quad(quad.subject, quad.predicate, quad.object, target))
    return placed


def put_graph(store: PooledStore, graph: str, quads: list[ox.Quad]) -> WriteSummary:
    """GSP PUT: the graph becomes exactly the body."""
    writable_graph(graph)
    with store.writing() as target:
        created = not target.has_graph(graph)
        summary = replace_graphs(
            target, {graph: quads}, "Graph Store Protocol PUT", store.settings.validator
        )
    return WriteSummary(summary.graphs, created)


def post_graph(store: PooledStore, graph: str, quads: list[ox.Quad]) -> WriteSummary:
    """GSP POST: the body's triples are merged into the graph."""
    writable_graph(graph)
    with store.writing() as target:
        with live_view(target, graph) as live:
            existing = list(live.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
        summary = replace_graphs(
            target, {graph: existing + quads}, "Graph Store Protocol POST", store.settings.validator
        )
    return WriteSummary(summary.graphs, not existing)


def delete_graph(store: PooledStore, graph: str) -> None:
    """GSP DELETE: the graph and its record go."""
    writable_graph(graph)
    with store.writing() as target:
        target.drop_graph(graph)
