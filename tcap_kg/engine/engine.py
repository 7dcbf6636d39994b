"""The one road a query takes: guard, cache, query service, rendering.

The web and the command line hold an `Engine` and nothing else that runs SPARQL. `check` makes a
`Query` (the guard runs there, once); `answer` gives a serialised answer in a format, from the cache
or from the query service's killable executors; `rows` gives typed terms for code that reads the
result (pages, graph records). Writes go through `writing()`, which hands out a real `Store` for
the length of one write.

Under `tcap serve` every web worker's engine is a client of one shared query service that the
server started (`service.py`). An engine made on its own (tests, `create_app()` in another WSGI
server) starts a private service. Either way this process opens no read handle of an on-disk
store: executors open their own, and the web worker only reads the generation file for its cache
keys. An in-memory store lives here and reaches the executors by the fork: after a write the
private service is started again from the new state. On a remote store a read-only handle here
answers the generation.
"""

from __future__ import annotations

import logging
import pickle
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from ..formats import Format
from ..settings import Settings
from ..sparql_text import QueryDataset, Term
from ..store import OxigraphStore, QueryResult, Solutions, Store, open_store, store_kind
from ..store.base import GRAPH_SIZES, GraphInfo, count_quads, graph_sizes
from ..store.oxigraph import read_generation
from . import sandbox
from .cache import AnswerCache, KeptRows, digest
from .client import ServiceClient
from .guard import Limits, Query, Update, check_query, check_update
from .jobs import TERMS, Answer, ExportJob, QueryJob, Rows
from .service import Plan, ServiceProcess, start_service

log = logging.getLogger(__name__)

CLIENT: ContextVar[str] = ContextVar("tcap_client", default="local")
"""Who the current work is for (a token or an address, set by the web layer): the service
shares its slots fairly between clients."""


def limits(settings: Settings) -> Limits:
    """The guard's limits as the operator set them."""
    return Limits(settings.query_max_bytes, settings.query_max_depth)


def check(settings: Settings, text: str, *, base_iri: str | None = None) -> Query:
    """A query the guard passed, with the operator's allow-list and limits."""
    return check_query(
        text, service_allow=settings.service_allow, base_iri=base_iri, limits=limits(settings)
    )


def run_in_process(store: Store, query: Query) -> QueryResult:
    """Run a checked query on a store this process holds (the command line, which has no
    executors: its user runs their own query on their own machine)."""
    return store.query(
        query.text, dataset=query.dataset, bindings=dict(query.bindings), base_iri=query.base_iri
    )


def plan(settings: Settings) -> Plan:
    """The query service's shape as the operator set it."""
    slots = settings.query_executors * settings.query_threads
    return Plan(
        executors=settings.query_executors,
        threads=settings.query_threads,
        client_slots=settings.client_slots or max(1, slots // 2),
        queue_timeout=settings.queue_timeout,
        isolate=sandbox.wanted(settings) is None,
    )


class Engine:
    """Runs checked queries for one process (a web worker, a test) through the query service."""

    def __init__(
        self,
        settings: Settings,
        *,
        master: OxigraphStore | None = None,
        remote: Store | None = None,
        service_path: str | None = None,
    ) -> None:
        """`master` is the in-memory store (memory: only), `remote` the read-only handle that
        answers `generation()` for a remote store; `service_path` the socket of a shared
        service, else a private one is started."""
        self.settings = settings
        self.master = master
        self.remote = remote
        self.kind = remote.kind if remote is not None else "oxigraph"
        self.cache = AnswerCache(settings.cache_bytes)
        self.location = (
            Path(settings.store_location).expanduser()
            if master is None and remote is None
            else None
        )
        self._private: ServiceProcess | None = None
        self._memory_writes = threading.Lock()
        self._private_dir: str | None = None
        if service_path is None:
            self._private_dir = tempfile.mkdtemp(prefix="tcap-engine-")
            service_path = str(Path(self._private_dir) / "engine.sock")
            sandbox.announce(settings)
            self._start_private(service_path)
        self.service = ServiceClient(service_path)

    @classmethod
    def open(
        cls,
        settings: Settings,
        prepare_memory: Callable[[Store], object],
        *,
        service_path: str | None = None,
    ) -> Engine:
        """The engine of the configured store; an in-memory one is created and filled by
        `prepare_memory` (and always gets a private service: it lives in this process)."""
        kind = store_kind(settings.store_location)
        if kind == "memory":
            master = OxigraphStore.memory()
            prepare_memory(master)
            return cls(settings, master=master)
        if kind == "remote":
            remote = open_store(settings, read_only=True)
            return cls(settings, remote=remote, service_path=service_path)
        return cls(settings, service_path=service_path)

    def _start_private(self, path: str) -> None:
        self._private = start_service(path, plan(self.settings), self.open_reader)

    def open_reader(self) -> Store:
        """The store an executor reads (runs in each executor right after the fork)."""
        if self.master is not None:
            return self.master
        return open_store(self.settings, read_only=True)

    # -- reads --------------------------------------------------------------------------------

    def check(self, text: str, *, base_iri: str | None = None) -> Query:
        """A query the guard passed, with this engine's allow-list and limits."""
        return check(self.settings, text, base_iri=base_iri)

    def check_update(self, text: str, *, base_iri: str | None = None) -> Update:
        """An update the guard passed, with this engine's allow-list and limits."""
        return check_update(
            text,
            service_allow=self.settings.service_allow,
            base_iri=base_iri,
            limits=limits(self.settings),
        )

    def answer_key(self, query: Query, fmt: Format, max_rows: int | None) -> str:
        """The cache key (and ETag source) of an answer at the store's current state."""
        return self._key(query, fmt.name, max_rows)

    def _key(self, query: Query, form: str, max_rows: int | None) -> str:
        return digest(query.key, form, str(max_rows), self.generation())

    def answer(
        self, query: Query, fmt: Format, *, max_rows: int | None, key: str | None = None
    ) -> tuple[Answer, bool]:
        """The answer in `fmt` (for the other result family, its default), cached by `key`;
        the flag says whether it came from the cache."""
        key = key or self.answer_key(query, fmt, max_rows)
        found = self.cache.get(key, Answer)
        if found is not None:
            return found, True
        select_format, graph_format = _formats(query, fmt)
        fresh = self._run(query, select_format, graph_format, max_rows)
        assert isinstance(fresh, Answer)
        self.cache.put(key, fresh)
        return fresh, False

    def rows(self, query: Query, *, max_rows: int | None = None) -> Rows:
        """The result as typed terms, cached like answers."""
        key = self._key(query, TERMS, max_rows)
        kept = self.cache.get(key, KeptRows)
        if kept is not None:
            found = pickle.loads(kept.body)
        else:
            found = self._run(query, TERMS, TERMS, max_rows)
            if self.cache.enabled:
                self.cache.put(key, KeptRows(pickle.dumps(found, protocol=5)))
        assert isinstance(found, Rows)
        return found

    def query(
        self,
        sparql: str,
        *,
        dataset: QueryDataset | None = None,
        bindings: Mapping[str, Term] | None = None,
    ) -> QueryResult:
        """Check and run a fixed query of ours, as the store interface would answer it, so code
        that reads the graph (records, pages) works on a store and on the engine alike."""
        query = self.check(sparql)
        if dataset is not None:
            query = query.with_dataset(dataset)
        if bindings:
            query = query.with_bindings(bindings)
        return self.rows(query).result()

    def _run(
        self, query: Query, select_format: str, graph_format: str, max_rows: int | None
    ) -> Answer | Rows:
        job = QueryJob(
            query.text,
            query.dataset,
            query.bindings,
            query.base_iri,
            select_format,
            graph_format,
            max_rows,
        )
        result: Answer | Rows = self.service.run(
            job, client=CLIENT.get(), timeout=self.settings.query_timeout
        )
        return result

    def graphs(self) -> list[GraphInfo]:
        result = self.query(GRAPH_SIZES)
        assert isinstance(result, Solutions)
        return graph_sizes(result)

    def count(self, graph: str | None = None) -> int:
        """Triples in one graph, or quads in the whole store."""
        return count_quads(self, graph)

    def export(self, out: IO[bytes], fmt: ox.RdfFormat, graph: str | None = None) -> int:
        """Stream one graph, or every graph, into `out`; returns the quads written."""
        count: int = self.service.run(
            ExportJob(fmt.media_type, graph),
            client=CLIENT.get(),
            timeout=self.settings.query_timeout,
            out=out,
        )
        return count

    def generation(self) -> str:
        """A token that changes with every write (cache keys, ETags); a new one empties the
        cache, whose entries of older generations can never be asked for again."""
        if self.master is not None:
            found = self.master.generation()
        elif self.remote is not None:
            found = self.remote.generation()
        else:
            assert self.location is not None
            found = read_generation(self.location)
        self.cache.follow(found)
        return found

    # -- writes -------------------------------------------------------------------------------

    @contextmanager
    def writing(self) -> Iterator[Store]:
        """A store to write to, held only for the duration of one write."""
        if self.master is None:
            with open_store(self.settings) as store:
                yield store
            return
        with self._memory_writes:
            try:
                yield self.master
            finally:
                self._restart_private()

    def _restart_private(self) -> None:
        """Executors of an in-memory store hold a copy of it: start them again from the new one."""
        assert self._private is not None
        path = self._private.path
        self._private.stop()
        self.service.close()
        self._start_private(path)

    def close(self) -> None:
        self.service.close()
        if self._private is not None:
            self._private.stop()
            self._private = None
        if self._private_dir is not None:
            shutil.rmtree(self._private_dir, ignore_errors=True)
        for handle in (self.master, self.remote):
            if handle is not None:
                handle.close()


def _formats(query: Query, fmt: Format) -> tuple[str, str]:
    """(SELECT/ASK format, CONSTRUCT/DESCRIBE format) for a job: the chosen one for the query's
    own family, a sensible one for the other in case the engine disagrees about the form."""
    if query.result_kind == "graph":
        select = fmt.name if "select" in fmt.kinds else "json"
        return select, fmt.name
    graph = fmt.name if "graph" in fmt.kinds else "turtle"
    return fmt.name, graph


__all__ = ["Answer", "Engine", "Query", "Rows", "Update", "limits"]
