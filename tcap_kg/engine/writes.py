"""Writes through the endpoint: SPARQL Update and Graph Store Protocol changes.

A write costs what it touches. A SPARQL Update runs on the store's working copy inside one atomic
group; the quads matching its footprint (see `footprint`), read before and after, give exactly the
quads it added and removed. Those alone are validated, in the context of the rest of the store,
and the records of the graphs they are in are brought up to date in the same group; a write that
would leave a Violation, or touches a graph TCap KG manages itself, is undone and changes nothing.
Readers go on reading the last published version meanwhile and see the change when it is whole.

A Graph Store `POST` adds the body's new triples the same way; `PUT` replaces one graph, which is
validated whole since all of it is new. A remote store has no working copy to try an update on,
so there the update is rehearsed on an in-memory copy of the store first: slow for a big store,
which is why bulk data goes in with `tcap load`.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from ..errors import ForbiddenQueryError, InputError, QueryError, ValidationFailedError
from ..loading import check_graph_iri, dataset_changes
from ..rdfio import ParsedDataset, serialize_quads, syntax_error
from ..records import DATASET, GraphRecord, now, read_records
from ..store import ChangeSet, Store
from ..validation import Severity, ValidationReport, validate_change, validate_quads
from .engine import Engine
from .footprint import Footprint, footprint, matching
from .guard import Update

log = logging.getLogger(__name__)

MAX_SHOWN = 5
UPDATE_SOURCE = "SPARQL Update via /sparql"
POST_SOURCE = "Graph Store Protocol POST"


@dataclass(frozen=True)
class WriteSummary:
    """What a write changed: triples now in each changed graph (0: the graph is gone)."""

    graphs: dict[str, int]
    created: bool = False


@dataclass(frozen=True)
class Change:
    """The quads a write adds and removes (never both for one quad)."""

    added: frozenset[ox.Quad]
    removed: frozenset[ox.Quad] = frozenset()

    @property
    def graphs(self) -> list[str]:
        """The graphs the change touches (a quad in the default graph counts as "")."""
        return sorted({_graph_name(quad) for quad in self.added | self.removed})


def check_shapes(
    quads: Sequence[ox.Quad], store: Store, replaced: Sequence[str], source: str, engine: str
) -> None:
    """Refuse the write if the would-be graphs violate the shapes, judged in the context of the
    rest of the store (the graphs being replaced do not count)."""
    refuse_violations(
        validate_quads(quads, source=source, context=store, exclude_graphs=replaced, engine=engine)
    )


def refuse_violations(report: ValidationReport) -> None:
    """Raise with the first violations named when the report does not conform."""
    if report.conforms:
        return
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


def run_update(engine: Engine, update: Update) -> WriteSummary:
    """Apply a SPARQL Update, validating and recording only what it changed."""
    touched = footprint(update)
    for graph in sorted(touched.graphs):
        writable_graph(graph)
    with engine.writing() as store:
        if not store.capabilities.local_reads:
            return _rehearsed_update(store, update, engine.settings.validator)
        with store.atomically():
            change = _applied(store, update, touched, engine.settings.validator)
            return WriteSummary(refresh_records(store, change, UPDATE_SOURCE))


def _applied(store: Store, update: Update, touched: Footprint, validator: str) -> Change:
    """Run the update on the working copy and return what it changed, or undo it and raise."""
    with store.reading() as live:
        before = matching(live, touched.patterns)
        store.update(update.text, base_iri=update.base_iri)
        after = matching(live, touched.patterns)
        change = Change(frozenset(after - before), frozenset(before - after))
        try:
            _refuse_forbidden(change)
            if change.added or change.removed:
                refuse_violations(
                    validate_change(
                        store, change.added, change.removed, source=UPDATE_SOURCE, engine=validator
                    )
                )
        except BaseException:
            for quad in change.added:
                live.remove(quad)
            live.extend(change.removed)
            raise
    return change


def _refuse_forbidden(change: Change) -> None:
    for graph in change.graphs:
        if not graph:
            raise InputError(
                "the update writes into the default graph, which is the read-only union of all "
                "graphs here: wrap the data in GRAPH <iri> { ... }"
            )
        writable_graph(graph)


def refresh_records(store: Store, change: Change, source: str) -> dict[str, int]:
    """Bring the records of the graphs a change touched up to date; return their triple counts.

    On a local store the count follows from the record's and the change's (both exact), so no
    graph is counted again; a graph without a record, or on a remote store (where a posted
    triple may be there already), is counted. A graph left empty loses its record.
    """
    records = read_records(store)
    counts: dict[str, int] = {}
    described: list[ox.Quad] = []
    at = now()
    for graph in change.graphs:
        old = records.get(graph)
        if old is None or not store.capabilities.local_reads:
            counts[graph] = store.count(graph)
        else:
            counts[graph] = (
                old.triples
                + sum(1 for quad in change.added if _graph_name(quad) == graph)
                - sum(1 for quad in change.removed if _graph_name(quad) == graph)
            )
        if counts[graph]:
            described += GraphRecord(
                graph=graph,
                sources=tuple(sorted({*old.sources, source})) if old else (source,),
                sha256=(),
                triples=counts[graph],
                loaded_at=at,
                role=old.role if old else DATASET,
                conforms_to=old.conforms_to if old else None,
            ).quads()
    store.commit(ChangeSet(undescribe=change.graphs, add=described))
    log.info("%s changed %d graph(s)", source, len(counts))
    return counts


def _graph_name(quad: ox.Quad) -> str:
    return quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""


def _rehearsed_update(store: Store, update: Update, validator: str) -> WriteSummary:
    """A remote store's update: rehearsed on a copy, whose changed graphs then replace the
    store's, validated whole."""
    with live_view(store) as live:
        rehearsal = ox.Store()
        rehearsal.extend(live.quads_for_pattern(None, None, None, None))
        try:
            rehearsal.update(update.text, base_iri=update.base_iri)
        except SyntaxError as exc:
            raise syntax_error(exc, "update") from None
        except (RuntimeError, ValueError, OSError) as exc:
            raise QueryError(f"update failed, nothing was changed: {exc}") from None
        changed = _changed_graphs(live, rehearsal)
    stray = next(iter(rehearsal.quads_for_pattern(None, None, None, ox.DefaultGraph())), None)
    if stray is not None:
        _refuse_forbidden(Change(frozenset([stray])))
    contents = {
        graph: list(rehearsal.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
        for graph in sorted(changed)
    }
    return replace_graphs(store, contents, UPDATE_SOURCE, validator)


@contextmanager
def live_view(store: Store, graph: str | None = None) -> Iterator[ox.Store]:
    """The store's quads (all, or one graph's) as a pyoxigraph store to read while writing.

    The embedded store is read in place; a remote store's quads are copied into memory through
    `export`, which any SPARQL server can answer.
    """
    if store.capabilities.local_reads:
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
    """A request body's triples placed in the target graph; other named graphs are refused.

    The document's blank nodes get fresh identifiers: the parser keeps their labels, so a POST's
    `_:b` would otherwise become the same node as a `_:b` already in the graph, or in another
    part of the same multipart body. RDF merge keeps each document's blank nodes apart.
    """
    target = ox.NamedNode(graph)
    fresh: dict[ox.BlankNode, ox.BlankNode] = {}

    def own(term: Any) -> Any:
        if isinstance(term, ox.BlankNode):
            return fresh.setdefault(term, ox.BlankNode())
        if isinstance(term, ox.Triple):
            return ox.Triple(own(term.subject), term.predicate, own(term.object))
        return term

    placed = []
    for quad in quads:
        if not isinstance(quad.graph_name, ox.DefaultGraph) and quad.graph_name != target:
            raise InputError(
                "the body names its own graphs (TriG/N-Quads); send triples for one graph, "
                f"or only graph <{graph}>"
            )
        placed.append(ox.Quad(own(quad.subject), quad.predicate, own(quad.object), target))
    return placed


def put_graph(engine: Engine, graph: str, quads: list[ox.Quad]) -> WriteSummary:
    """GSP PUT: the graph becomes exactly the body."""
    writable_graph(graph)
    with engine.writing() as target:
        created = not target.has_graph(graph)
        summary = replace_graphs(
            target, {graph: quads}, "Graph Store Protocol PUT", engine.settings.validator
        )
    return WriteSummary(summary.graphs, created)


def post_graph(engine: Engine, graph: str, quads: list[ox.Quad]) -> WriteSummary:
    """GSP POST: the body's triples are merged into the graph; only the new ones are validated."""
    writable_graph(graph)
    with engine.writing() as store, store.atomically():
        created = not store.has_graph(graph)
        if store.capabilities.local_reads:
            with store.reading() as live:
                change = Change(frozenset(quad for quad in quads if quad not in live))
        else:
            change = Change(frozenset(quads))
        if change.added:
            refuse_violations(
                validate_change(
                    store, change.added, source=POST_SOURCE, engine=engine.settings.validator
                )
            )
            store.add(change.added)
            return WriteSummary(refresh_records(store, change, POST_SOURCE), created)
        # Nothing new: a graph that did not exist still does not (a 201 would point at a 404).
        return WriteSummary({graph: store.count(graph)}, created=False)


def delete_graph(engine: Engine, graph: str) -> None:
    """GSP DELETE: the graph and its record go."""
    writable_graph(graph)
    with engine.writing() as target:
        target.drop_graph(graph)
