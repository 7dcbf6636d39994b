"""A remote SPARQL 1.1 server behind the `Store` interface: Query, Update and Graph Store Protocol.

`TCAP_STORE=sparql+http://host:port/path` names the query URL; answers are parsed with pyoxigraph
into the same types the embedded store returns. What the protocol leaves open is settled here:

- Writes are staged, swapped in at once and verified. The data of a commit or a bulk load is
  uploaded into staging graphs first (Graph Store Protocol, or `INSERT DATA` where there is none),
  and the server's count of each staging graph must equal the distinct triples sent. One final
  update then drops the replaced graphs, forgets their records, moves the staged graphs in and
  writes a fresh generation token; reading that token and the graphs' sizes back must show exactly
  the commit, or the write is an error. A staging upload that fails changes nothing (Virtuoso
  keeps the first operations of an update whose later ones fail, so nothing that can fail runs in
  the final update); staging graphs left by a killed process are dropped at the next write session
  once they are old enough not to belong to a load still running.
- Only TCap KG's graphs are listed, counted, exported and dropped: the store keeps a register of
  the graphs it wrote (in its own graph, `urn:tcap:store`), so a server's own graphs (Virtuoso's
  system graphs) and other programs' data are never touched, not even by `tcap init --force`.
- Terms are made portable (`portable`, `rewrite`), parameters are bound by substitution
  (`sparql_text.bind`), and what the server does with them is probed when a handle opens (`probe`).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import IO

import pyoxigraph as ox

from ...errors import InputError, StoreError
from ...namespaces import CATALOG_GRAPH, PREFIXES, VOID, is_staging_graph
from ...rdfio import DEFAULT_BASE_IRI, syntax_error
from ...settings import Settings
from ...sparql_text import QueryDataset, Term, bind, query_form, sparql_term
from ..base import (
    BulkSource,
    Capabilities,
    ChangeSet,
    GraphInfo,
    QueryResult,
    Row,
    Solutions,
    Store,
    commit_update,
    graph_sizes,
    raise_unknown_graph,
    staged_at,
    staging_prefix,
)
from . import probe
from .answers import ACCEPT_GRAPH, ACCEPT_RESULTS, read_answer
from .endpoints import Endpoints
from .portable import Portable
from .rewrite import portable_text
from .spool import PIECE_BYTES, GraphSpool, Uploads, line_pieces
from .transport import Transport, credentials

log = logging.getLogger(__name__)

STORE_GRAPH = "urn:tcap:store"
"""The store's own graph: the register of TCap KG's graphs and the generation token."""
_HOLDS = f"<{STORE_GRAPH}> <{STORE_GRAPH}:holds>"
_GENERATION = f"<{STORE_GRAPH}> <{STORE_GRAPH}:generation>"
_STANDIN = f"<{STORE_GRAPH}> <{STORE_GRAPH}:standin>"
_PROBED = f'<{STORE_GRAPH}> <{STORE_GRAPH}:literals> "probed"'
_FILLING = f"<{STORE_GRAPH}:filling>"
STALE_STAGING_SECONDS = 6 * 3600
DATASET_PARAMETERS = {"default-graph-uri", "named-graph-uri", "union-default-graph"}

_OWN_GRAPHS = f"GRAPH <{STORE_GRAPH}> {{ {_HOLDS} ?g }}"
_OWN_SIZES = (
    f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ {_OWN_GRAPHS} GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g"
)


class RemoteStore(Store):
    """A SPARQL 1.1 Query/Update/Graph Store Protocol server behind the `Store` interface."""

    kind = "remote"

    def __init__(
        self,
        endpoints: Endpoints,
        *,
        transport: Transport,
        read_only: bool = False,
    ) -> None:
        self.endpoints = endpoints
        self.read_only = read_only
        self.piece_bytes = PIECE_BYTES
        self._http = transport
        self._union: tuple[tuple[str, str], ...] | None = None
        self._datasets: bool | None = None
        self._lock = threading.Lock()
        try:
            probe.row_cap(self._rows_in_answer, endpoints.query)
            standins = self._standins()
            self.portable = Portable(standins)
            self.capabilities = Capabilities(
                skolemised_blank_nodes=True, literal_standins=standins, own_graphs_only=True
            )
            if not read_only:
                self._adopt_recorded_graphs()
                self._drop_abandoned_staging()
        except BaseException:
            transport.close()
            raise

    @classmethod
    def from_settings(cls, settings: Settings, *, read_only: bool = False) -> RemoteStore:
        endpoints = Endpoints.from_settings(settings)
        transport = Transport(
            credentials(settings),
            query_timeout=settings.query_timeout,
            write_timeout=settings.store_timeout,
            tls=endpoints.uses_tls,
        )
        return cls(endpoints, transport=transport, read_only=read_only)

    def _writable(self) -> None:
        if self.read_only:
            raise StoreError("this store handle is read-only")

    # -- queries ----------------------------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        dataset: QueryDataset | None = None,
        bindings: Mapping[str, Term] | None = None,
        base_iri: str | None = None,
    ) -> QueryResult:
        stored = {name: self.portable.stored(term) for name, term in (bindings or {}).items()}
        text = portable_text(bind(sparql, stored) if stored else sparql, self.portable.standins)
        text = _with_base(text, base_iri)
        graph = query_form(text) in ("CONSTRUCT", "DESCRIBE")
        return self._run(text, graph, self._dataset_params(dataset))

    def _run(self, text: str, graph: bool, params: Sequence[tuple[str, str]]) -> QueryResult:
        response = self._http.send(
            "POST",
            self.endpoints.query,
            what="query",
            params=params,
            form={"query": text},
            accept=ACCEPT_GRAPH if graph else ACCEPT_RESULTS,
        )
        return read_answer(response, self.endpoints.query, graph)

    def _ask(self, text: str, params: Sequence[tuple[str, str]]) -> QueryResult:
        """A query of our own, with exactly the given protocol parameters."""
        return self._run(text, False, params)

    def _rows_in_answer(self, text: str) -> int:
        """How many rows the server sends for a SELECT (as TSV where it can, to be quick)."""
        response = self._http.send(
            "POST",
            self.endpoints.query,
            what="query",
            params=self.endpoints.query_params,
            form={"query": text},
            accept=f"text/tab-separated-values, {ACCEPT_RESULTS};q=0.5",
        )
        if response.headers.get("content-type", "").startswith("text/tab-separated-values"):
            try:
                return sum(1 for line in response.read().split(b"\n") if line) - 1
            finally:
                response.close()
        result = read_answer(response, self.endpoints.query, False)
        return sum(1 for _ in result) if isinstance(result, Solutions) else 0

    def _standins(self) -> frozenset[str]:
        """The datatypes this store holds under a stand-in: as recorded in the store, else (on a
        writable handle) probed and recorded now; a read-only handle of a store that was never
        probed has none, as TCap KG has written nothing there."""
        rows = self._select(
            f"SELECT ?d WHERE {{ GRAPH <{STORE_GRAPH}> {{ {{ {_STANDIN} ?d }} UNION "
            f"{{ {_PROBED} BIND(0 AS ?d) }} }} }}"
        )
        if rows:
            return frozenset(row["d"].value for row in rows if isinstance(row["d"], ox.NamedNode))
        if self.read_only:
            return frozenset()
        found = probe.standins(self._post_update, self._select, self.endpoints.query)
        entries = " ".join(f"{_STANDIN} <{datatype}> ." for datatype in sorted(found))
        self._post_update(f"INSERT DATA {{ GRAPH <{STORE_GRAPH}> {{ {_PROBED} . {entries} }} }}")
        return found

    def _select(self, text: str) -> list[Row]:
        """The rows of one of our own SELECT queries, over the configured default graph."""
        result = self._ask(text, self.endpoints.query_params)
        assert isinstance(result, Solutions)
        return list(result)

    def _dataset_params(self, dataset: QueryDataset | None) -> list[tuple[str, str]]:
        """Protocol parameters for the dataset; `None` graph lists mean every graph of ours."""
        if dataset is None or dataset.is_default:
            return list(self._union_params())
        if self._datasets is None:
            self._datasets = probe.datasets_honoured(
                self._ask, self.endpoints.query, self.endpoints.query_params
            )
        own = [(k, v) for k, v in self.endpoints.query_params if k not in DATASET_PARAMETERS]
        everything = (
            [info.iri for info in self.graphs()]
            if None in (dataset.default_graphs, dataset.named_graphs)
            else []
        )
        defaults = everything if dataset.default_graphs is None else dataset.default_graphs
        named = everything if dataset.named_graphs is None else dataset.named_graphs
        return (
            own
            + [("default-graph-uri", graph) for graph in defaults]
            + [("named-graph-uri", graph) for graph in named]
        )

    def _union_params(self) -> tuple[tuple[str, str], ...]:
        """The parameters that make the default graph the union of the named graphs, decided
        once per handle as soon as the store holds data to tell by."""
        if self._union is None:
            found = probe.union_parameters(
                self._ask, self.endpoints.query, self.endpoints.query_params
            )
            if found is None:
                return self.endpoints.query_params
            self._union = found
        return self._union

    def graphs(self) -> list[GraphInfo]:
        return graph_sizes(self._select(_OWN_SIZES))

    def has_graph(self, graph: str) -> bool:
        name = sparql_term(ox.NamedNode(graph))
        return self._ask_own(
            f"ASK {{ GRAPH <{STORE_GRAPH}> {{ {_HOLDS} {name} }} GRAPH {name} {{ ?s ?p ?o }} }}"
        )

    def count(self, graph: str | None = None) -> int:
        if graph is None:
            return sum(info.triples for info in self.graphs())
        return self._counts([graph]).get(graph, 0)

    def _ask_own(self, text: str) -> bool:
        return self._ask(text, self.endpoints.query_params) is True

    def _counts(self, graphs: Iterable[str]) -> dict[str, int]:
        """Triples in each of some graphs (any graph on the server, ours or not), graphs without
        any left out. One query per graph, each naming its graph: Virtuoso answers that from its
        index at once, where a `VALUES` list of graphs can take it half a minute after a load."""
        counts = {}
        for graph in dict.fromkeys(graphs):
            rows = self._select(
                "SELECT (COUNT(*) AS ?n) WHERE { GRAPH "
                f"{sparql_term(ox.NamedNode(graph))} {{ ?s ?p ?o }} }}"
            )
            found = int(rows[0]["n"].value) if rows and rows[0]["n"] is not None else 0
            if found:
                counts[graph] = found
        return counts

    def export(
        self,
        out: IO[bytes],
        fmt: ox.RdfFormat,
        graph: str | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Every graph of ours (or one), checked against the server's count afterwards, so an
        answer cut short by the server is an error, not a short file."""
        if graph is not None and not self.has_graph(graph):
            raise_unknown_graph(graph, self.graphs())
        expected = self.count(graph)
        if graph is None:
            text = f"SELECT ?s ?p ?o ?g WHERE {{ {_OWN_GRAPHS} GRAPH ?g {{ ?s ?p ?o }} }}"
        else:
            name = sparql_term(ox.NamedNode(graph))
            text = f"SELECT ?s ?p ?o ?g WHERE {{ BIND({name} AS ?g) GRAPH {name} {{ ?s ?p ?o }} }}"
        result = self._ask(text, self.endpoints.query_params)
        assert isinstance(result, Solutions)
        written = 0

        def quads() -> Iterator[ox.Quad]:
            nonlocal written
            for row in result:
                subject, predicate, value, name = row["s"], row["p"], row["o"], row["g"]
                if not isinstance(name, ox.NamedNode) or not isinstance(predicate, ox.NamedNode):
                    continue
                assert subject is not None and value is not None
                written += 1
                if progress is not None and written % 10_000 == 0:
                    progress(10_000)
                yield ox.Quad(subject, predicate, value, name)

        if fmt.supports_datasets:
            ox.serialize(quads(), out, fmt, prefixes=PREFIXES)
        else:
            triples = (quad.triple for quad in quads())
            ox.serialize(
                triples, out, fmt, prefixes=PREFIXES if fmt == ox.RdfFormat.TURTLE else None
            )
        if progress is not None:
            progress(written % 10_000)
        if written != expected:
            raise StoreError(
                f"the store at {self.endpoints.query} gave {written} of its {expected} quads: the "
                "export is incomplete (the server may cut answers: raise its row limit, "
                "Virtuoso's ResultSetMaxRows) or the store changed meanwhile"
            )
        return written

    def generation(self) -> str:
        rows = self._select(f"SELECT ?v WHERE {{ GRAPH <{STORE_GRAPH}> {{ {_GENERATION} ?v }} }}")
        values = sorted(str(row["v"].value) for row in rows if row["v"] is not None)
        return values[0] if values else ""

    # -- writes -----------------------------------------------------------------------------

    def _post_update(self, text: str) -> None:
        self._writable()
        self._http.call(
            "POST",
            self.endpoints.update,
            what="update",
            body=text.encode("utf-8"),
            content_type="application/sparql-update; charset=utf-8",
        )

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        """Run an update, register the graphs it created, and verify both were applied.

        A generation token goes ahead of the update, so caches are dropped even when a server
        keeps part of an update that fails; the graphs it created are registered next, with the
        token that is read back.
        """
        self._writable()
        before = set(self._server_graphs())
        text = _with_base(portable_text(sparql, self.portable.standins), base_iri)
        self._post_update(f"{_new_generation(uuid.uuid4().hex)} ;\n{text}\n")
        created = set(self._server_graphs()) - before - {STORE_GRAPH}
        token = uuid.uuid4().hex
        register = _register("INSERT DATA", sorted(created))
        self._post_update(
            f"{register} ;\n{_new_generation(token)}" if register else _new_generation(token)
        )
        self._verify(token, {}, set())

    def commit(self, changes: ChangeSet) -> None:
        """Stage the added triples, check the server holds all of them, swap them in with one
        update and verify the result (see the module docstring)."""
        self._writable()
        with GraphSpool(self.portable) as spool:
            spool.write(changes.add)
            expected = spool.counts()
            prefix = staging_prefix()
            staged = {graph: f"{prefix}{n}" for n, graph in enumerate(spool.graphs)}
            marks = _filling("DELETE DATA", staged.values(), prefix)
            if staged:
                self._post_update(_filling("INSERT DATA", staged.values(), prefix))
            try:
                with Uploads(self._upload) as uploads:
                    for graph, stage in staged.items():
                        for piece in spool.pieces(graph, self.piece_bytes):
                            uploads.add(stage, piece)
                self._check_staged(staged, expected)
                self._swap(changes, staged, expected, exact=set(changes.drop_graphs), also=marks)
            except BaseException:
                self.discard(staged.values(), also=marks)
                raise

    def _swap(
        self,
        changes: ChangeSet,
        staged: Mapping[str, str],
        expected: Mapping[str, int],
        *,
        exact: set[str],
        records: Sequence[ox.Quad] = (),
        also: str = "",
    ) -> None:
        """The final update: the committed state all at once (with `also`, more operations of
        ours), then checked: the graphs in `exact` must hold exactly the `expected` triples,
        graphs the change only adds to at least that many."""
        token = uuid.uuid4().hex
        stored = [
            ox.Quad(
                self.portable.stored(quad.subject),  # type: ignore[arg-type]
                quad.predicate,
                self.portable.stored(quad.object),
                quad.graph_name,
            )
            for quad in records
        ]
        filled = [*expected, *(quad.graph_name.value for quad in records)]  # type: ignore[union-attr]
        operations = [
            commit_update(changes, staged, stored),
            _register("DELETE DATA", changes.drop_graphs),
            _register("INSERT DATA", dict.fromkeys(filled)),
            also,
            _new_generation(token),
        ]
        update = " ;\n".join(operation for operation in operations if operation)
        self._post_update(portable_text(update, self.portable.standins))
        self._verify(token, expected, exact)

    def _verify(self, token: str, expected: Mapping[str, int], exact: set[str]) -> None:
        """Read back the generation token and the sizes of the graphs a write filled."""
        if self.generation() != token:
            raise StoreError(
                f"the store at {self.endpoints.update} answered the write but does not show it "
                "(its generation token is not the one written): the write may not have been "
                "applied; check the server's log"
            )
        found = self._counts(expected)
        for graph, count in expected.items():
            held = found.get(graph, 0)
            if held < count or (graph in exact and held != count):
                raise StoreError(
                    f"the store at {self.endpoints.update} holds {held} triples in <{graph}> "
                    f"after a write that put {count} there"
                )

    def _check_staged(self, staged: Mapping[str, str], expected: Mapping[str, int]) -> None:
        """Every staging graph must hold exactly the distinct triples sent for it."""
        found = self._counts(staged.values())
        for graph, stage in staged.items():
            if found.get(stage, 0) != expected[graph]:
                raise StoreError(
                    f"the store at {self.endpoints.gsp or self.endpoints.update} kept "
                    f"{found.get(stage, 0)} of the {expected[graph]} triples sent for <{graph}>, "
                    "so nothing was changed (a server that ignores request bodies or merges "
                    "literals it holds as equal does this)"
                )

    def _upload(self, graph: str, piece: bytes) -> None:
        """Add N-Triples lines to a graph: by the Graph Store Protocol where there is one."""
        if self.endpoints.gsp is not None:
            self._writable()
            self._http.call(
                "POST",
                self.endpoints.gsp,
                what="upload",
                params=[("graph", graph)],
                body=piece,
                content_type="application/n-triples",
            )
            return
        self._post_update(f"INSERT DATA {{ GRAPH <{graph}> {{\n{piece.decode()}}} }}")

    def discard(self, graphs: Iterable[str], *, also: str = "") -> None:
        """Drop staging graphs after a failure (with `also`, more operations of ours); errors
        are logged, the original one wins."""
        names = list(graphs)
        operations = [*(f"DROP SILENT GRAPH <{name}>" for name in names), also]
        if not any(operations):
            return
        try:
            self._post_update(" ;\n".join(operation for operation in operations if operation))
        except Exception as exc:
            log.warning("could not drop staging graphs %s: %s", ", ".join(names), exc)

    def _server_graphs(self) -> list[str]:
        """Every graph on the server (ours or not) but staging graphs. (Filtered here: a FILTER
        on the graph name makes Virtuoso test every quad, seconds for a large store.)"""
        rows = self._select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        names = [row["g"].value for row in rows if isinstance(row["g"], ox.NamedNode)]
        return sorted(name for name in names if not is_staging_graph(name))

    def _drop_abandoned_staging(self) -> None:
        """Drop the graphs that loads and commits killed half-way were filling, once no running
        one can own them. Every load marks what it fills before it sends anything, so the marks
        are enough: listing the server's graphs makes Virtuoso read every quad (30 s beside a
        graph of a million triples, longer than a query may take)."""
        now = time.time()
        rows = self._select(
            f"SELECT ?g ?load ?kept WHERE {{ GRAPH <{STORE_GRAPH}> {{ ?g {_FILLING} ?load "
            f"OPTIONAL {{ {_HOLDS} ?g BIND(true AS ?kept) }} }} }}"
        )
        abandoned = [
            (row["g"].value, row["load"].value, row["kept"] is not None)
            for row in rows
            if (staged_at(row["load"].value) or 0) < now - STALE_STAGING_SECONDS
        ]
        dropped = [graph for graph, _, kept in abandoned if not kept]
        if dropped:
            log.warning("removing %d graph(s) left by interrupted loads", len(dropped))
        marks = " ;\n".join(_filling("DELETE DATA", [graph], load) for graph, load, _ in abandoned)
        self.discard(dropped, also=marks)

    def _adopt_recorded_graphs(self) -> None:
        """A store written before the register existed: register the graphs its records
        describe and the catalogue, once."""
        if self._ask_own(f"ASK {{ GRAPH <{STORE_GRAPH}> {{ {_HOLDS} ?g }} }}"):
            return
        if not self._ask_own(f"ASK {{ GRAPH <{CATALOG_GRAPH}> {{ ?g a <{VOID}Dataset> }} }}"):
            return
        self._post_update(
            f"{_register('INSERT DATA', [CATALOG_GRAPH])} ;\n"
            f"INSERT {{ GRAPH <{STORE_GRAPH}> {{ {_HOLDS} ?g }} }} "
            f"WHERE {{ GRAPH <{CATALOG_GRAPH}> {{ ?g a <{VOID}Dataset> }} }}"
        )
        log.info("registered the recorded graphs of the store at %s", self.endpoints.query)

    # -- bulk loads -------------------------------------------------------------------------

    def bulk_load(
        self,
        sources: Sequence[BulkSource],
        describe: Callable[[Mapping[str, int]], list[ox.Quad]],
    ) -> dict[str, int]:
        """Upload the dumps in pieces, two at a time, check the server holds every triple, then
        put the graphs in place and add their records with one update.

        A graph that already holds data is filled in a staging graph and swapped in at the end;
        one that does not is filled where it will stay (copying a large graph costs Virtuoso as
        much as loading it). Both are marked in the store's own graph as being filled before
        anything is sent, so what a killed load leaves is dropped by a later write session. Either way `graphs()`
        shows it only once the load is complete. N-Triples pieces without blank nodes go out as
        read (stand-in datatypes retyped in place); anything else is parsed here first.
        """
        self._writable()
        targets = list(dict.fromkeys(graph for source in sources for graph in source.graphs))
        present = set(self._counts(targets))
        prefix = staging_prefix()
        staged = {graph: f"{prefix}{n}" for n, graph in enumerate(targets) if graph in present}
        filled = {graph: staged.get(graph, graph) for graph in targets}
        fresh = [graph for graph in targets if graph not in present]
        marked = [*fresh, *staged.values()]
        marks = _filling("DELETE DATA", marked, prefix)
        if marked:
            self._post_update(_filling("INSERT DATA", marked, prefix))
        sent: dict[str, int] = dict.fromkeys(targets, 0)
        try:
            with Uploads(self._upload) as uploads:
                for source in sources:
                    for graph, lines in self._stage(source, filled, uploads).items():
                        sent[graph] += lines
            found = self._counts(filled.values())
            counts = {graph: found.get(place, 0) for graph, place in filled.items()}
            if counts != sent:
                self._check_staged(filled, self._distinct(sources))
            self._swap(
                ChangeSet(drop_graphs=list(staged), undescribe=fresh),
                staged,
                counts,
                exact=set(targets),
                records=describe(counts),
                also=marks,
            )
        except BaseException:
            self.discard(marked, also=marks)
            raise
        return counts

    def _stage(
        self, source: BulkSource, filled: Mapping[str, str], uploads: Uploads
    ) -> dict[str, int]:
        """Upload one dump; returns the lines (triples, or more) sent per target graph."""
        if source.format == ox.RdfFormat.N_TRIPLES and self.endpoints.gsp is not None:
            place = filled[source.default_graph]
            lines = 0
            with source.open() as stream:
                for piece in line_pieces(stream, self.piece_bytes):
                    if b"_:" not in piece:
                        uploads.add(place, self.portable.ntriples(piece))
                        lines += piece.count(b"\n")
                        continue
                    with GraphSpool(self.portable) as spool:
                        spool.write(self._quads(source, piece))
                        for part in spool.pieces(source.default_graph, self.piece_bytes):
                            uploads.add(place, part)
                            lines += part.count(b"\n")
            return {source.default_graph: lines}
        with GraphSpool(self.portable) as spool:
            with source.open() as stream:
                spool.write(self._quads(source, stream))
            for graph in spool.graphs:
                if graph not in filled:
                    raise InputError(
                        f"{source.name}: graph <{graph}> was not announced for this load"
                    )
                for piece in spool.pieces(graph, self.piece_bytes):
                    uploads.add(filled[graph], piece)
            return spool.counts()

    @staticmethod
    def _quads(source: BulkSource, data: bytes | IO[bytes]) -> Iterator[ox.Quad]:
        """A dump's quads, triples placed in its default graph."""
        default = ox.NamedNode(source.default_graph)
        try:
            for quad in ox.parse(data, source.format, base_iri=DEFAULT_BASE_IRI):
                if isinstance(quad.graph_name, ox.NamedNode):
                    yield quad
                else:
                    yield ox.Quad(quad.subject, quad.predicate, quad.object, default)
        except SyntaxError as exc:
            raise syntax_error(exc, source.name) from None

    def _distinct(self, sources: Sequence[BulkSource]) -> dict[str, int]:
        """The distinct triples per graph of some dumps, as the server will hold them (read
        again: only needed when the lines sent and the server's counts differ)."""
        seen: dict[str, set[int]] = {}
        for source in sources:
            with source.open() as stream:
                for quad in self._quads(source, stream):
                    graph = quad.graph_name.value  # type: ignore[union-attr]
                    seen.setdefault(graph, set()).add(hash(self.portable.line(quad)))
        return {graph: len(lines) for graph, lines in seen.items()}

    def close(self) -> None:
        self._http.close()


def open_remote(settings: Settings, *, read_only: bool = False) -> RemoteStore:
    """The remote store the settings name (`TCAP_STORE=sparql+http(s)://...`)."""
    return RemoteStore.from_settings(settings, read_only=read_only)


def _new_generation(token: str) -> str:
    """Update operations that give the store a new generation token."""
    return (
        f"DELETE WHERE {{ GRAPH <{STORE_GRAPH}> {{ {_GENERATION} ?v }} }} ;\n"
        f'INSERT DATA {{ GRAPH <{STORE_GRAPH}> {{ {_GENERATION} "{token}" }} }}'
    )


def _filling(operation: str, graphs: Iterable[str], load: str) -> str:
    """`INSERT DATA` / `DELETE DATA` of marks for graphs a load fills in place (`load` is its
    staging prefix, which says when it began)."""
    marks = " ".join(
        f'{sparql_term(ox.NamedNode(graph))} {_FILLING} "{load}" .' for graph in graphs
    )
    return f"{operation} {{ GRAPH <{STORE_GRAPH}> {{ {marks} }} }}" if marks else ""


def _register(operation: str, graphs: Iterable[str]) -> str:
    """`INSERT DATA` / `DELETE DATA` of register entries for some graphs (nothing for none)."""
    entries = " ".join(f"{_HOLDS} {sparql_term(ox.NamedNode(graph))} ." for graph in graphs)
    return f"{operation} {{ GRAPH <{STORE_GRAPH}> {{ {entries} }} }}" if entries else ""


def _with_base(text: str, base_iri: str | None) -> str:
    """The text with the endpoint's URL as its base, as the protocol asks: the server would
    otherwise resolve relative IRIs against its own URL. A BASE in the text still wins."""
    return f"BASE {sparql_term(ox.NamedNode(base_iri))}\n{text}" if base_iri else text
