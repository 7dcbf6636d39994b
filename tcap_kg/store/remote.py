"""A remote SPARQL 1.1 server behind the `Store` interface: Query, Update and Graph Store Protocol.

`TCAP_STORE=sparql+http://host:port/path` names the query URL. Everything travels as standard
protocol requests, so any conforming server works (Oxigraph, Fuseki, GraphDB, Virtuoso, QLever,
Neptune); answers are parsed with pyoxigraph into the same types the embedded store returns.

Three things the protocol leaves open are settled here:

- Atomic commits. A change set becomes one SPARQL Update request (drop, forget records, insert
  data), which every one of those servers runs as one transaction, so other clients never see
  half a load. Change sets too big for one request are uploaded into staging graphs by the Graph
  Store Protocol first and moved in by one final update; staging graphs left by a killed process
  are dropped at the next write session once they are old enough not to belong to a running load.
- Bindings. A query's pre-bound variables become a `VALUES` block at the start of its WHERE
  clause, built from pyoxigraph terms (escaped, validated), never from user text.
- The default graph. TCap KG's queries expect the union of the named graphs; the store checks
  once that the server's default graph is that union, uses Oxigraph's `union-default-graph`
  parameter when that makes it so, and otherwise stops with a message saying how to configure
  the server.

Only the configured URLs are ever requested: no redirects are followed and no proxy or netrc
settings from the environment are read.
"""

from __future__ import annotations

import io
import logging
import re
import tempfile
import time
import uuid
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import httpx
import pyoxigraph as ox

from .. import __version__
from ..errors import (
    InputError,
    QueryError,
    QueryTimeoutError,
    StoreError,
    TooLargeError,
)
from ..namespaces import CATALOG_GRAPH, OWL, PREFIXES, STAGING_PREFIX
from ..rdfio import DEFAULT_BASE_IRI, format_from_media_type, syntax_error
from ..settings import Settings
from ..sparql_guard import QUERY_FORMS, Token, tokens
from .base import (
    GRAPH_SIZES,
    BulkSource,
    ChangeSet,
    GraphInfo,
    HeldIterator,
    QueryDataset,
    QueryResult,
    Solutions,
    Store,
    Term,
    Triples,
    commit_update,
    graph_sizes,
    raise_unknown_graph,
    sparql_term,
    staged_at,
    staging_prefix,
)

log = logging.getLogger(__name__)
logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line per request is noise here

SCHEMES = ("sparql+http://", "sparql+https://")
INLINE_BYTES = 32 * 1024 * 1024
STALE_STAGING_SECONDS = 6 * 3600
CHUNK = 256 * 1024
UNION_PARAMETER = ("union-default-graph", "true")
DATASET_PARAMETERS = {"default-graph-uri", "named-graph-uri", "union-default-graph"}

_RESULT_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
_ACCEPT_RESULTS = (
    "application/sparql-results+json, application/sparql-results+xml;q=0.8, "
    "text/tab-separated-values;q=0.5"
)
_ACCEPT_GRAPH = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
_VARIABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_VERSION = f"<{CATALOG_GRAPH}> <{OWL}versionInfo>"

UNION_HELP = (
    "the default graph of the SPARQL server at {url} is not the union of its named graphs, which "
    "TCap KG's queries rely on. Configure the server so it is (Oxigraph: `--union-default-graph`; "
    "Fuseki: `tdb2:unionDefaultGraph true` on the dataset; GraphDB, Virtuoso and Neptune do so "
    "by default) or add the server's parameter for it to TCAP_STORE"
)


@dataclass(frozen=True)
class Endpoints:
    """The three URLs of a remote store and the parameters every query carries."""

    query: str
    update: str
    gsp: str | None
    query_params: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_settings(cls, settings: Settings) -> Endpoints:
        """Derive the URLs: `.../query` has siblings `.../update` and `.../store` (Oxigraph's
        layout); any other path serves updates itself and has no Graph Store unless configured."""
        location = settings.store_location
        if not location.startswith(SCHEMES):
            raise InputError(
                f"TCAP_STORE={location!r}: a remote store URL starts with sparql+http(s)://"
            )
        url = location.removeprefix("sparql+")
        parts = urlsplit(url)
        if not parts.hostname:
            raise InputError(f"TCAP_STORE={location!r}: no host in the store URL")
        if parts.username or parts.password:
            raise InputError(
                "TCAP_STORE: put credentials in TCAP_STORE_USER / TCAP_STORE_PASSWORD or "
                "TCAP_STORE_TOKEN, not in the URL"
            )
        query = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
        params = tuple(parse_qsl(parts.query, keep_blank_values=True))
        path = parts.path.rstrip("/")
        sibling = path.endswith("/query")

        def near(name: str) -> str:
            return urlunsplit((parts.scheme, parts.netloc, path[: -len("query")] + name, "", ""))

        update = settings.store_update_url or (near("update") if sibling else query)
        gsp = settings.store_gsp_url or (near("store") if sibling else None)
        for name, value in (("TCAP_STORE_UPDATE_URL", update), ("TCAP_STORE_GSP_URL", gsp)):
            if value and urlsplit(value).scheme not in ("http", "https"):
                raise InputError(f"{name}={value!r}: expected an http(s):// URL")
        return cls(query, update, gsp, params)


def is_remote(location: str) -> bool:
    """Whether a store location names a remote SPARQL server."""
    return location.startswith(SCHEMES)


class RemoteStore(Store):
    """A SPARQL 1.1 Query/Update/Graph Store Protocol server behind the `Store` interface."""

    kind = "remote"

    def __init__(
        self,
        endpoints: Endpoints,
        *,
        auth: httpx.Auth | None = None,
        read_only: bool = False,
        query_timeout: float = 30.0,
        write_timeout: float = 600.0,
        inline_bytes: int = INLINE_BYTES,
    ) -> None:
        self.endpoints = endpoints
        self.read_only = read_only
        self.inline_bytes = inline_bytes
        self._query_timeout = httpx.Timeout(10.0, read=query_timeout + 5.0)
        self._write_timeout = httpx.Timeout(10.0, read=write_timeout, write=write_timeout)
        self._union: tuple[tuple[str, str], ...] | None = None
        self._client: httpx.Client | None = httpx.Client(
            auth=auth,
            follow_redirects=False,
            trust_env=False,
            headers={"User-Agent": f"tcap-kg/{__version__}"},
        )
        if not read_only:
            self._drop_abandoned_staging()

    @classmethod
    def from_settings(cls, settings: Settings, *, read_only: bool = False) -> RemoteStore:
        auth: httpx.Auth | None = None
        if settings.store_token:
            auth = _BearerAuth(settings.store_token)
        elif settings.store_user:
            auth = httpx.BasicAuth(settings.store_user, settings.store_password)
        return cls(
            Endpoints.from_settings(settings),
            auth=auth,
            read_only=read_only,
            query_timeout=settings.query_timeout,
            write_timeout=settings.store_timeout,
        )

    # -- HTTP -------------------------------------------------------------------------------

    def _send(
        self,
        method: str,
        url: str,
        *,
        what: str,
        timeout: httpx.Timeout,
        params: Sequence[tuple[str, str]] = (),
        data: Mapping[str, Any] | None = None,
        content: bytes | Iterable[bytes] | None = None,
        headers: Mapping[str, str] | None = None,
        stream: bool = False,
    ) -> httpx.Response:
        """One request to a configured URL; any failure becomes an error that names the URL."""
        if self._client is None:
            raise StoreError("the store is closed")
        try:
            request = self._client.build_request(
                method,
                url,
                params=list(params),
                data=data,
                content=content,
                headers=headers,
                timeout=timeout,
            )
            response = self._client.send(request, stream=True)
        except httpx.TimeoutException as exc:
            if what == "query":
                raise QueryTimeoutError(
                    f"the store at {url} did not answer the query within "
                    f"{timeout.read:.0f} s (TCAP_QUERY_TIMEOUT)"
                ) from exc
            raise StoreError(
                f"the store at {url} did not answer within {timeout.read:.0f} s "
                "(TCAP_STORE_TIMEOUT)"
            ) from exc
        except httpx.HTTPError as exc:
            raise StoreError(f"cannot reach the store at {url}: {exc}") from exc
        if response.status_code >= 300:
            _raise_for(response, url, what)
        if not stream:
            response.read()
            response.close()
        return response

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
    ) -> QueryResult:
        text = bind(sparql, bindings) if bindings else sparql
        form = query_form(text)
        return self._query(text, form, self._dataset_params(dataset))

    def _query(self, text: str, form: str, params: Sequence[tuple[str, str]]) -> QueryResult:
        graph = form in ("CONSTRUCT", "DESCRIBE")
        response = self._send(
            "POST",
            self.endpoints.query,
            what="query",
            timeout=self._query_timeout,
            params=params,
            data={"query": text},
            headers={"Accept": _ACCEPT_GRAPH if graph else _ACCEPT_RESULTS},
            stream=True,
        )
        media_type = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        reader = io.BufferedReader(_ResponseReader(response), CHUNK)
        try:
            if graph:
                fmt = format_from_media_type(media_type)
                parsed = ox.parse(reader, fmt, base_iri=self.endpoints.query)
                return Triples(HeldIterator((quad.triple for quad in parsed), response.close))
            results = ox.parse_query_results(
                reader, _results_format(media_type, self.endpoints.query)
            )
        except (SyntaxError, ValueError, OSError, InputError) as exc:
            response.close()
            raise StoreError(f"unreadable answer from {self.endpoints.query}: {exc}") from exc
        if isinstance(results, ox.QueryBoolean):
            response.close()
            return bool(results)
        names = [variable.value for variable in results.variables]
        return Solutions(names, HeldIterator(results, response.close))

    def _select(self, text: str, params: Sequence[tuple[str, str]] = ()) -> list[ox.QuerySolution]:
        result = self._query(text, "SELECT", params or self.endpoints.query_params)
        assert isinstance(result, Solutions)
        return list(result)

    def _dataset_params(self, dataset: QueryDataset | None) -> list[tuple[str, str]]:
        """Protocol parameters for the dataset; `None` graph lists mean every named graph."""
        if dataset is None or dataset.is_default:
            return list(self._union_params())
        own = [(k, v) for k, v in self.endpoints.query_params if k not in DATASET_PARAMETERS]
        everything = (
            self._graph_names() if None in (dataset.default_graphs, dataset.named_graphs) else []
        )
        defaults = everything if dataset.default_graphs is None else dataset.default_graphs
        named = everything if dataset.named_graphs is None else dataset.named_graphs
        return (
            own
            + [("default-graph-uri", graph) for graph in defaults]
            + [("named-graph-uri", graph) for graph in named]
        )

    def _union_params(self) -> tuple[tuple[str, str], ...]:
        """The parameters that make the server's default graph the union of the named graphs.

        Decided once per handle, from one triple of a named graph: the server's default graph
        must show it. An empty store cannot tell, so the check waits until there is data.
        """
        if self._union is not None:
            return self._union
        base = self.endpoints.query_params
        probe = self._select(
            "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } "
            f'FILTER(isIRI(?s) && !isBlank(?o) && !STRSTARTS(STR(?g), "{STAGING_PREFIX}")) }} LIMIT 1'
        )
        if not probe:
            return base
        row = probe[0]
        ask = f"ASK {{ {sparql_term(row['s'])} {sparql_term(row['p'])} {sparql_term(row['o'])} }}"
        for candidate in (base, (*base, UNION_PARAMETER)):
            if self._query(ask, "ASK", candidate) is True:
                self._union = candidate
                if candidate is not base:
                    log.info("using the union-default-graph parameter of %s", self.endpoints.query)
                return candidate
        raise StoreError(UNION_HELP.format(url=self.endpoints.query))

    def _graph_names(self, *, staging: bool = False) -> list[str]:
        test = "" if staging else "!"
        rows = self._select(
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
            f'FILTER({test}STRSTARTS(STR(?g), "{STAGING_PREFIX}")) }}'
        )
        return sorted(row["g"].value for row in rows if isinstance(row["g"], ox.NamedNode))

    def graphs(self) -> list[GraphInfo]:
        return graph_sizes(self._select(GRAPH_SIZES))

    def export(
        self,
        out: IO[bytes],
        fmt: ox.RdfFormat,
        graph: str | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        if graph is not None and not self.has_graph(graph):
            raise_unknown_graph(graph, self.graphs())
        text = (
            "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } "
            f'FILTER(!STRSTARTS(STR(?g), "{STAGING_PREFIX}")) }}'
        )
        result = self.query(text, bindings={"g": ox.NamedNode(graph)} if graph else None)
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
        return written

    # -- writes -----------------------------------------------------------------------------

    def _post_update(self, text: str | Iterable[bytes]) -> None:
        self._writable()
        body = text.encode("utf-8") if isinstance(text, str) else text
        self._send(
            "POST",
            self.endpoints.update,
            what="update",
            timeout=self._write_timeout,
            content=body,
            headers={"Content-Type": "application/sparql-update; charset=utf-8"},
        )

    def update(self, sparql: str) -> None:
        self._post_update(sparql)
        self._post_update(_new_generation())

    def commit(self, changes: ChangeSet) -> None:
        """One update request if the change fits `inline_bytes`, else staging by the Graph Store
        Protocol and one final update; either way other clients see the change all at once."""
        self._writable()
        spool = _GraphSpool()
        try:
            spool.write(changes.add)
            if spool.size <= self.inline_bytes or self.endpoints.gsp is None:
                prologue = commit_update(changes, {})
                self._post_update(
                    _chain_bytes(
                        [f"{prologue} ;\n".encode() if prologue else b""],
                        spool.insert_data(),
                        [b" ;\n" if spool.graphs else b"", _new_generation().encode()],
                    )
                )
                return
            prefix = staging_prefix()
            staged = {graph: f"{prefix}{n}" for n, graph in enumerate(spool.graphs)}
            try:
                for graph, stage in staged.items():
                    self._upload(stage, spool.stream(graph), "application/n-triples")
                self._post_update(commit_update(changes, staged) + " ;\n" + _new_generation())
            except BaseException:
                self.discard(staged.values())
                raise
        finally:
            spool.close()

    def _upload(self, graph: str, body: Iterable[bytes], media_type: str) -> None:
        if self.endpoints.gsp is None:
            raise StoreError(
                f"the store at {self.endpoints.query} has no Graph Store Protocol URL: set "
                "TCAP_STORE_GSP_URL (needed for bulk loads and very large commits)"
            )
        self._send(
            "POST",
            self.endpoints.gsp,
            what="upload",
            timeout=self._write_timeout,
            params=[("graph", graph)],
            content=body,
            headers={"Content-Type": media_type},
        )

    def discard(self, graphs: Iterable[str]) -> None:
        """Drop staging graphs after a failure; errors are logged, the original one wins."""
        names = list(graphs)
        if not names:
            return
        try:
            self._post_update(" ;\n".join(f"DROP SILENT GRAPH <{name}>" for name in names))
        except Exception as exc:
            log.warning("could not drop staging graphs %s: %s", ", ".join(names), exc)

    def _drop_abandoned_staging(self) -> None:
        """Drop staging graphs of loads that were killed, once no running load can own them."""
        now = time.time()
        stale = [
            graph
            for graph in self._graph_names(staging=True)
            if (staged_at(graph) or 0) < now - STALE_STAGING_SECONDS
        ]
        if stale:
            log.warning("removing %d staging graph(s) left by interrupted loads", len(stale))
            self.discard(stale)

    def bulk_load(
        self,
        sources: Sequence[BulkSource],
        describe: Callable[[Mapping[str, int]], list[ox.Quad]],
    ) -> dict[str, int]:
        """Upload each dump into staging graphs (N-Triples as is, other formats parsed here and
        split by graph), then replace the target graphs with one update."""
        self._writable()
        prefix = staging_prefix()
        targets = list(dict.fromkeys(graph for source in sources for graph in source.graphs))
        staged = {graph: f"{prefix}{n}" for n, graph in enumerate(targets)}
        try:
            for source in sources:
                self._stage(source, staged)
            counts = {graph: self.count(stage) for graph, stage in staged.items()}
            update = commit_update(ChangeSet(drop_graphs=targets), staged, describe(counts))
            self._post_update(update + " ;\n" + _new_generation())
        except BaseException:
            self.discard(staged.values())
            raise
        return counts

    def _stage(self, source: BulkSource, staged: Mapping[str, str]) -> None:
        if source.format == ox.RdfFormat.N_TRIPLES:
            with source.open() as stream:
                self._upload(
                    staged[source.default_graph], _read_chunks(stream), "application/n-triples"
                )
            return
        spool = _GraphSpool()
        default = ox.NamedNode(source.default_graph)
        try:
            with source.open() as stream:
                try:
                    parsed = ox.parse(stream, source.format, base_iri=DEFAULT_BASE_IRI)
                    spool.write(
                        quad
                        if isinstance(quad.graph_name, ox.NamedNode)
                        else ox.Quad(quad.subject, quad.predicate, quad.object, default)
                        for quad in parsed
                    )
                except SyntaxError as exc:
                    raise syntax_error(exc, source.name) from None
            for graph in spool.graphs:
                if graph not in staged:
                    raise InputError(
                        f"{source.name}: graph <{graph}> was not announced for this load"
                    )
                self._upload(staged[graph], spool.stream(graph), "application/n-triples")
        finally:
            spool.close()

    def generation(self) -> str:
        rows = self._select(f"SELECT ?v WHERE {{ GRAPH <{CATALOG_GRAPH}> {{ {_VERSION} ?v }} }}")
        values = sorted(str(row["v"].value) for row in rows if row["v"] is not None)
        return values[0] if values else ""

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


def open_remote(settings: Settings, *, read_only: bool = False) -> RemoteStore:
    """The remote store the settings name (`TCAP_STORE=sparql+http(s)://...`)."""
    return RemoteStore.from_settings(settings, read_only=read_only)


def _new_generation() -> str:
    """Update operations that give the store a new generation token, as the last step of a write."""
    return (
        f"DELETE WHERE {{ GRAPH <{CATALOG_GRAPH}> {{ {_VERSION} ?v }} }} ;\n"
        f'INSERT DATA {{ GRAPH <{CATALOG_GRAPH}> {{ {_VERSION} "{uuid.uuid4().hex}" }} }}'
    )


def query_form(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first query-form keyword of the text."""
    for token in tokens(text):
        if token.keyword in QUERY_FORMS:
            return token.keyword
    raise QueryError("not a SPARQL query: no SELECT, ASK, CONSTRUCT or DESCRIBE found")


def bind(text: str, bindings: Mapping[str, Term]) -> str:
    """The query with `VALUES` pre-binding the variables it uses, at the start of its WHERE
    clause so the values constrain the pattern before any grouping, as a substitution would.

    A query without a WHERE group of its own (`DESCRIBE <x>`, `CONSTRUCT WHERE { }`) gets the
    block at its end instead; such queries have no grouping for it to come after.
    """
    scanned = list(tokens(text))
    used = {token.text[1:] for token in scanned if token.kind == "var"}
    chosen = {name: term for name, term in bindings.items() if name in used}
    for name, term in chosen.items():
        if not _VARIABLE.match(name):
            raise QueryError(f"cannot bind {name!r}: not a SPARQL variable name")
        if isinstance(term, ox.BlankNode):
            raise QueryError(f"cannot bind ?{name} to a blank node in a query to a remote store")
    if not chosen:
        return text
    variables = " ".join(f"?{name}" for name in chosen)
    values = " ".join(sparql_term(term) for term in chosen.values())
    block = f"VALUES ({variables}) {{ ({values}) }}"
    position = _where_start(scanned)
    if position is None:
        return f"{text}\n{block}"
    return f"{text[:position]} {block}\n{text[position:]}"


def _where_start(scanned: list[Token]) -> int | None:
    """Offset just inside the opening brace of the query's WHERE group, if it has one."""
    form = next((i for i, token in enumerate(scanned) if token.keyword in QUERY_FORMS), None)
    if form is None:
        return None
    position = form + 1
    if scanned[form].keyword == "CONSTRUCT" and position < len(scanned):
        if scanned[position].keyword == "WHERE":
            return None
        if scanned[position].text == "{":
            position = _after_group(scanned, position)
    depth = 0
    for token in scanned[position:]:
        if token.text == "(":
            depth += 1
        elif token.text == ")":
            depth -= 1
        elif token.text == "{" and depth == 0:
            return token.start + 1
    return None


def _after_group(scanned: list[Token], position: int) -> int:
    depth = 0
    for index in range(position, len(scanned)):
        if scanned[index].text == "{":
            depth += 1
        elif scanned[index].text == "}":
            depth -= 1
            if depth == 0:
                return index + 1
    return len(scanned)


def _results_format(media_type: str, url: str) -> ox.QueryResultsFormat:
    try:
        return _RESULT_FORMATS[media_type]
    except KeyError:
        raise StoreError(
            f"{url} answered with {media_type or 'no content type'}, not SPARQL results"
        ) from None


def _raise_for(response: httpx.Response, url: str, what: str) -> None:
    """Turn an error status into the matching typed error, with the server's own message."""
    status = response.status_code
    try:
        message = response.read().decode("utf-8", "replace").strip()
    except httpx.HTTPError:
        message = ""
    finally:
        response.close()
    detail = re.sub(r"\s+", " ", message)[:500] or response.reason_phrase
    if 300 <= status < 400:
        raise StoreError(
            f"{url} answered {status} (redirect to {response.headers.get('location', '?')}); "
            "TCap KG follows no redirects: configure the final URL"
        )
    if status in (401, 403):
        raise StoreError(
            f"{url} refused access ({status}): check TCAP_STORE_USER / TCAP_STORE_PASSWORD or "
            "TCAP_STORE_TOKEN"
        )
    if status == 404:
        raise StoreError(f"{url}: not found (404); check TCAP_STORE and the related URL settings")
    if status == 413:
        raise TooLargeError(f"{url} refused a request body as too large (413): {detail}")
    if status in (405, 501) and what in ("update", "upload"):
        setting = "TCAP_STORE_UPDATE_URL" if what == "update" else "TCAP_STORE_GSP_URL"
        raise StoreError(f"{url} does not accept this {what} ({status}); check {setting}")
    if status == 400 and what in ("query", "update"):
        raise QueryError(f"the store at {url} refused the {what}: {detail}")
    raise StoreError(f"the store at {url} failed the {what} ({status}): {detail}")


class _BearerAuth(httpx.Auth):
    def __init__(self, token: str) -> None:
        self._header = f"Bearer {token}"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request


class _ResponseReader(io.RawIOBase):
    """A streamed HTTP body as a binary file, so pyoxigraph parses answers as they arrive."""

    def __init__(self, response: httpx.Response) -> None:
        self._chunks = response.iter_bytes(CHUNK)
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            try:
                self._pending = next(self._chunks)
            except StopIteration:
                return 0
            except httpx.HTTPError as exc:
                raise OSError(f"the answer was cut off: {exc}") from exc
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


class _GraphSpool:
    """Quads written as N-Triples into one temporary file per graph (in memory while small),
    so a change of any size reaches the server without being held in memory whole."""

    def __init__(self) -> None:
        self._files: dict[str, IO[bytes]] = {}
        self.size = 0

    @property
    def graphs(self) -> list[str]:
        return list(self._files)

    def write(self, quads: Iterable[ox.Quad]) -> None:
        for quad in quads:
            graph = quad.graph_name
            if not isinstance(graph, ox.NamedNode):
                raise InputError("internal: a quad without a target graph reached the store")
            handle = self._files.get(graph.value)
            if handle is None:
                handle = tempfile.SpooledTemporaryFile(8 * 1024 * 1024)  # noqa: SIM115 - closed by close()
                self._files[graph.value] = handle
            line = (
                f"{sparql_term(quad.subject)} {sparql_term(quad.predicate)} "
                f"{sparql_term(quad.object)} .\n"
            ).encode()
            handle.write(line)
            self.size += len(line)

    def stream(self, graph: str) -> Iterator[bytes]:
        handle = self._files[graph]
        handle.seek(0)
        return _read_chunks(handle)

    def insert_data(self) -> Iterator[bytes]:
        if not self._files:
            return
        yield b"INSERT DATA {\n"
        for graph in self._files:
            yield f"GRAPH {sparql_term(ox.NamedNode(graph))} {{\n".encode()
            yield from self.stream(graph)
            yield b"}\n"
        yield b"}"

    def close(self) -> None:
        for handle in self._files.values():
            handle.close()
        self._files.clear()


def _read_chunks(stream: IO[bytes]) -> Iterator[bytes]:
    while chunk := stream.read(CHUNK):
        yield chunk


def _chain_bytes(*parts: Iterable[bytes]) -> Iterator[bytes]:
    for part in parts:
        yield from part


__all__ = ["Endpoints", "RemoteStore", "is_remote", "open_remote"]
