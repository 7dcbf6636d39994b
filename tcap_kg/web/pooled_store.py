"""The web worker's `Store`: reads run in the killable executors, writes in short sessions.

Every blueprint (pages, publishing, validation) gets this object as `state().store`, so each of
their queries has the same timeout and safety checks as `/sparql`, and the web worker itself never
holds an open on-disk store handle that a fork could copy mid-read. Writes hold the pool's fork
lock: on disk (and on a remote server) they open a read-write handle, commit and close it at once
(the store's file lock serialises writers across processes, and readers reopen on the new
generation); in memory they change the master copy and the executors are re-forked from it.

On a remote store each executor holds its own HTTP client to the server, and the web worker keeps
one read-only handle only to ask for the generation (the result cache's key). That handle is not
the pool's generation source: an executor of a remote store holds no copy of the data, so it never
goes stale, and asking the server at every checkout would add a round trip to each query.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from ..settings import Settings
from ..sparql_guard import check_query
from ..store import (
    BulkSource,
    ChangeSet,
    GraphInfo,
    OxigraphStore,
    QueryDataset,
    QueryResult,
    Solutions,
    Store,
    Term,
    Triples,
    open_store,
    store_kind,
)
from ..store.base import GRAPH_SIZES, graph_sizes
from ..store.oxigraph import read_generation
from .executor import Answer, ExecutorPool, ExportJob, QueryJob

log = logging.getLogger(__name__)


class PooledStore(Store):
    """A `Store` whose reads go through an `ExecutorPool`."""

    def __init__(
        self,
        settings: Settings,
        master: OxigraphStore | None = None,
        remote: Store | None = None,
    ) -> None:
        """`master` is the in-memory store (memory: only), `remote` the read-only handle that
        answers `generation()` for a remote store; otherwise executors open the directory."""
        self.settings = settings
        self.master = master
        self.remote = remote
        self.kind = remote.kind if remote is not None else "oxigraph"
        self.location = (
            Path(settings.store_location).expanduser()
            if master is None and remote is None
            else None
        )
        self.pool = ExecutorPool(
            self._open_reader,
            processes=settings.query_executors,
            threads=settings.query_threads,
            queue_timeout=settings.queue_timeout,
            generation=master.generation if master is not None else None,
        )

    @classmethod
    def open(cls, settings: Settings, prepare_memory: Callable[[Store], object]) -> PooledStore:
        """The configured store; an in-memory one is created and filled by `prepare_memory`."""
        kind = store_kind(settings.store_location)
        if kind == "memory":
            master = OxigraphStore.memory()
            prepare_memory(master)
            return cls(settings, master)
        if kind == "remote":
            return cls(settings, remote=open_store(settings, read_only=True))
        return cls(settings)

    def _open_reader(self) -> Store:
        """Runs in each executor right after the fork."""
        if self.master is not None:
            return self.master
        return open_store(self.settings, read_only=True)

    def run(self, job: QueryJob) -> Answer:
        """Run a checked query job with the configured timeout."""
        return self.pool.run(job, timeout=self.settings.query_timeout)

    def query(
        self,
        sparql: str,
        *,
        dataset: QueryDataset | None = None,
        bindings: Mapping[str, Term] | None = None,
    ) -> QueryResult:
        check_query(sparql, service_allow=self.settings.service_allow)
        answer = self.run(
            QueryJob(
                sparql,
                dataset or QueryDataset(),
                dict(bindings or {}),
                select_format="json",
                graph_format="ntriples",
            )
        )
        return decode(answer)

    @contextmanager
    def writing(self) -> Iterator[Store]:
        """A store to write to, held only for the duration of one write."""
        with self.pool.fork_lock:
            if self.master is not None:
                yield self.master
                return
            with open_store(self.settings) as store:
                yield store

    def commit(self, changes: ChangeSet) -> None:
        with self.writing() as store:
            store.commit(changes)

    def update(self, sparql: str) -> None:
        with self.writing() as store:
            store.update(sparql)

    def bulk_load(
        self,
        sources: Sequence[BulkSource],
        describe: Callable[[Mapping[str, int]], list[ox.Quad]],
    ) -> dict[str, int]:
        with self.writing() as store:
            return store.bulk_load(sources, describe)

    def graphs(self) -> list[GraphInfo]:
        result = self.query(GRAPH_SIZES)
        assert isinstance(result, Solutions)
        return graph_sizes(result)

    def export(
        self,
        out: IO[bytes],
        fmt: ox.RdfFormat,
        graph: str | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        written = self.pool.export(
            ExportJob(fmt.media_type, graph), out, timeout=self.settings.query_timeout
        )
        if progress is not None:
            progress(written)
        return written

    def generation(self) -> str:
        if self.master is not None:
            return self.master.generation()
        if self.remote is not None:
            return self.remote.generation()
        assert self.location is not None
        return read_generation(self.location)

    def close(self) -> None:
        self.pool.close()
        for handle in (self.master, self.remote):
            if handle is not None:
                handle.close()


def decode(answer: Answer) -> QueryResult:
    """Turn an executor's JSON or N-Triples answer back into store results."""
    if answer.kind == "graph":
        quads = ox.parse(answer.body, ox.RdfFormat.N_TRIPLES)
        return Triples(ox.Triple(q.subject, q.predicate, q.object) for q in quads)
    parsed = ox.parse_query_results(answer.body, format=ox.QueryResultsFormat.JSON)
    if isinstance(parsed, ox.QueryBoolean):
        return bool(parsed)
    return Solutions([v.value for v in parsed.variables], iter(parsed))
