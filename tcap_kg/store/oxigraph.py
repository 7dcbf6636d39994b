"""The embedded store: Oxigraph on RocksDB in a directory, or Oxigraph in memory.

Layout of a store directory: `oxigraph/` (the RocksDB database), `lock` (a file lock) and
`generation` (rewritten after every write session). One process at a time writes, holding the
lock exclusively for as long as it has the database open read-write; readers (the server's query
workers) open the database read-only, take the lock shared around each read, and reopen when the
generation changes. That lets several worker processes share one on-disk copy of a large graph
and still see a `tcap load` made while they serve.
"""

from __future__ import annotations

import fcntl
import logging
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, TypeVar

import pyoxigraph as ox

from ..errors import InputError, QueryError, StoreError
from ..namespaces import CATALOG_GRAPH, PREFIXES, STAGING_PREFIX
from ..rdfio import syntax_error
from .base import (
    ChangeSet,
    GraphInfo,
    QueryDataset,
    QueryResult,
    Solutions,
    Store,
    Term,
    Triples,
    raise_unknown_graph,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

LOCK_WAIT_SECONDS = 30.0


class OxigraphStore(Store):
    """Oxigraph behind the `Store` interface."""

    kind = "oxigraph"

    def __init__(self, location: Path | None = None, *, read_only: bool = False) -> None:
        self.location = location
        self.read_only = read_only
        self._lock_file: IO[bytes] | None = None
        self._seen_generation: str | None = None
        self._readers = 0
        self._memory_generation = 0
        self._store: ox.Store | None
        if location is None:
            self._store = ox.Store()
            return
        location.mkdir(parents=True, exist_ok=True)
        self._lock_file = (location / "lock").open("a+b")
        if read_only:
            if not (location / "oxigraph").is_dir():
                raise StoreError(f"{location}: no store here yet (run `tcap init`)")
            self._store = None
            self._reopen()
        else:
            self._acquire(fcntl.LOCK_EX, "write to")
            try:
                self._store = ox.Store(str(location / "oxigraph"))
            except OSError as exc:
                self._release()
                raise StoreError(f"{location}: cannot open the store: {exc}") from exc
            self._bump_generation()
            self._drop_staging()

    @classmethod
    def memory(cls) -> OxigraphStore:
        return cls(None)

    @property
    def is_memory(self) -> bool:
        return self.location is None

    def _acquire(self, mode: int, what: str) -> None:
        assert self._lock_file is not None
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            try:
                fcntl.flock(self._lock_file, mode | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise StoreError(
                        f"{self.location}: another process is writing the store; "
                        f"could not {what} it within {LOCK_WAIT_SECONDS:.0f} s"
                    ) from None
                time.sleep(0.02)

    def _release(self) -> None:
        if self._lock_file is not None:
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)

    def _generation_path(self) -> Path:
        assert self.location is not None
        return self.location / "generation"

    def _bump_generation(self) -> None:
        path = self._generation_path()
        temporary = path.with_suffix(".tmp")
        temporary.write_text(uuid.uuid4().hex)
        temporary.replace(path)

    def _read_generation(self) -> str:
        try:
            return self._generation_path().read_text()
        except FileNotFoundError:
            return ""

    def _reopen(self) -> None:
        assert self.location is not None
        self._store = None
        try:
            self._store = ox.Store.read_only(str(self.location / "oxigraph"))
        except OSError as exc:
            raise StoreError(f"{self.location}: cannot open the store read-only: {exc}") from exc
        self._seen_generation = self._read_generation()

    def _enter_read(self) -> ox.Store:
        """Take the shared lock (once per process) and make sure the handle is current."""
        if not self.read_only:
            return self._handle()
        if self._readers == 0:
            self._acquire(fcntl.LOCK_SH, "read")
            try:
                if self._read_generation() != self._seen_generation:
                    self._reopen()
            except BaseException:
                self._release()
                raise
        self._readers += 1
        return self._handle()

    def _leave_read(self) -> None:
        if not self.read_only:
            return
        self._readers -= 1
        if self._readers == 0:
            self._release()

    @contextmanager
    def reading(self) -> Iterator[ox.Store]:
        """Hold the store steady for a read (shared lock; fresh handle after someone wrote)."""
        store = self._enter_read()
        try:
            yield store
        finally:
            self._leave_read()

    def _handle(self) -> ox.Store:
        if self._store is None:
            raise StoreError("the store is closed")
        return self._store

    def _writable(self) -> ox.Store:
        if self.read_only:
            raise StoreError("this store handle is read-only")
        return self._handle()

    def _drop_staging(self) -> None:
        """Remove what an interrupted commit left behind, so the store is whole again."""
        store = self._writable()
        leftovers = [
            g
            for g in store.named_graphs()
            if isinstance(g, ox.NamedNode) and g.value.startswith(STAGING_PREFIX)
        ]
        for graph in leftovers:
            log.warning("removing staging graph %s left by an interrupted load", graph.value)
            store.remove_graph(graph)

    def commit(self, changes: ChangeSet) -> None:
        store = self._writable()
        if not changes.forgotten:
            try:
                store.extend(_checked(changes.add))
            except OSError as exc:
                raise StoreError(f"write failed, nothing was written: {exc}") from exc
            self._changed()
            return
        staging = f"{STAGING_PREFIX}{uuid.uuid4().hex}:"
        targets: dict[str, str] = {}

        def staged(quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
            for quad in _checked(quads):
                graph = quad.graph_name
                assert isinstance(graph, ox.NamedNode)
                name = targets.setdefault(graph.value, f"{staging}{len(targets)}")
                yield ox.Quad(quad.subject, quad.predicate, quad.object, ox.NamedNode(name))

        try:
            store.extend(staged(changes.add))
            store.update(commit_update(changes, targets))
        except OSError as exc:
            for stage in targets.values():
                store.remove_graph(ox.NamedNode(stage))
            raise StoreError(f"write failed, nothing was written: {exc}") from exc
        self._changed()

    def _changed(self) -> None:
        self._memory_generation += 1

    def graphs(self) -> list[GraphInfo]:
        result = self.query(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        )
        assert isinstance(result, Solutions)
        infos = []
        for row in result:
            graph, count = row["g"], row["n"]
            if isinstance(graph, ox.NamedNode) and count is not None:
                infos.append(GraphInfo(graph.value, int(count.value)))
        with self.reading() as store:
            empty = [g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)]
        counted = {info.iri for info in infos}
        infos += [GraphInfo(iri, 0) for iri in empty if iri not in counted]
        return sorted(infos, key=lambda info: info.iri)

    def query(
        self,
        sparql: str,
        *,
        dataset: QueryDataset | None = None,
        bindings: Mapping[str, Term] | None = None,
    ) -> QueryResult:
        options = _dataset_options(dataset)
        if bindings:
            options["substitutions"] = {ox.Variable(k): v for k, v in bindings.items()}
        store = self._enter_read()
        try:
            result = store.query(sparql, **options)
        except SyntaxError as exc:
            self._leave_read()
            raise QueryError(syntax_error(exc, "query").describe()) from None
        except (RuntimeError, ValueError) as exc:
            self._leave_read()
            raise QueryError(f"query failed: {exc}") from None
        except OSError as exc:
            self._leave_read()
            raise StoreError(f"query failed: {exc}") from exc
        if isinstance(result, ox.QueryBoolean):
            self._leave_read()
            return bool(result)
        if isinstance(result, ox.QuerySolutions):
            names = [v.value for v in result.variables]
            return Solutions(names, _HeldIterator(result, self._leave_read))
        return Triples(_HeldIterator(result, self._leave_read))

    def update(self, sparql: str) -> None:
        store = self._writable()
        try:
            store.update(sparql)
        except SyntaxError as exc:
            raise QueryError(syntax_error(exc, "update").describe()) from None
        except (RuntimeError, ValueError) as exc:
            raise QueryError(f"update failed, nothing was changed: {exc}") from None
        except OSError as exc:
            raise StoreError(f"update failed: {exc}") from exc
        self._changed()

    def export(
        self,
        out: IO[bytes],
        fmt: ox.RdfFormat,
        graph: str | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        written = 0

        def counted(quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
            nonlocal written
            for quad in quads:
                if isinstance(quad.graph_name, ox.DefaultGraph) and graph is None:
                    continue
                written += 1
                if progress is not None and written % 10_000 == 0:
                    progress(10_000)
                yield quad

        with self.reading() as store:
            target = ox.NamedNode(graph) if graph else None
            if graph is not None and target not in set(store.named_graphs()):
                raise_unknown_graph(graph, self.graphs())
            quads = counted(store.quads_for_pattern(None, None, None, target))
            if fmt.supports_datasets:
                ox.serialize(quads, out, fmt, prefixes=PREFIXES)
            else:
                triples = (ox.Triple(q.subject, q.predicate, q.object) for q in quads)
                prefixes = PREFIXES if fmt == ox.RdfFormat.TURTLE else None
                ox.serialize(triples, out, fmt, prefixes=prefixes)
        if progress is not None:
            progress(written % 10_000)
        return written

    def generation(self) -> str:
        if self.location is None:
            return f"memory-{id(self)}-{self._memory_generation}"
        return self._read_generation()

    def flush(self) -> None:
        """Persist buffered writes; a no-op for memory stores."""
        if self._store is not None and not self.read_only and self.location is not None:
            self._store.flush()

    def close(self) -> None:
        if self._store is None:
            return
        writable = not self.read_only and self.location is not None
        if writable:
            self._store.flush()
        self._store = None
        if writable:
            self._bump_generation()
        self._release()
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None


def commit_update(changes: ChangeSet, staged: Mapping[str, str]) -> str:
    """The single SPARQL update that turns staged graphs into the committed state atomically."""
    operations = [f"DROP SILENT GRAPH <{graph}>" for graph in changes.drop_graphs]
    operations += [
        f"DELETE {{ GRAPH <{CATALOG_GRAPH}> {{ <{graph}> ?p ?o . ?o ?p2 ?o2 }} }} "
        f"WHERE {{ GRAPH <{CATALOG_GRAPH}> {{ <{graph}> ?p ?o "
        "OPTIONAL { ?o ?p2 ?o2 FILTER(isBlank(?o)) } } }"
        for graph in changes.forgotten
    ]
    operations += [
        f"ADD SILENT GRAPH <{stage}> TO GRAPH <{target}> ;\nDROP SILENT GRAPH <{stage}>"
        for target, stage in staged.items()
    ]
    return " ;\n".join(operations)


def _checked(quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
    for quad in quads:
        if isinstance(quad.graph_name, ox.DefaultGraph):
            raise InputError("internal: a quad without a target graph reached the store")
        yield quad


def _dataset_options(dataset: QueryDataset | None) -> dict[str, Any]:
    if dataset is None or dataset.is_default:
        return {"use_default_graph_as_union": True}
    options: dict[str, Any] = {}
    if dataset.default_graphs is None:
        options["use_default_graph_as_union"] = True
    else:
        options["default_graph"] = [ox.NamedNode(g) for g in dataset.default_graphs]
    if dataset.named_graphs is not None:
        options["named_graphs"] = [ox.NamedNode(g) for g in dataset.named_graphs]
    return options


class _HeldIterator(Iterator[T]):
    """Streams results while a read lock is held; releases it when exhausted, closed or dropped.

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
        except OSError as exc:
            self.close()
            raise StoreError(f"reading results failed: {exc}") from exc

    def close(self) -> None:
        if self._release is not None:
            release, self._release = self._release, None
            release()

    def __del__(self) -> None:
        self.close()
