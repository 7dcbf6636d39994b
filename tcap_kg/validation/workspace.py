"""One validation: the dataset and its context in a private store, the engine, the report.

Nothing here touches the user's store except to read the context; the workspace is an in-memory
pyoxigraph store that is thrown away afterwards. Large documents are bulk-loaded straight into it
(no Python list of a million quads), which is what keeps a million-triple validation within
memory and time.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import pyoxigraph as ox

from ..bootstrap import sync_shipped
from ..errors import ParseError
from ..namespaces import RDFS, SKOS
from ..rdfio import DEFAULT_BASE_IRI, guard, syntax_error
from ..store import OxigraphStore, Store
from .context import CONTEXT_GRAPH, DATA_GRAPH, context_quads
from .engine import run_engine
from .locate import Locator, MultiLocator
from .model import Finding, Location, Node, ValidationReport, Value
from .shapes import KNOWN_TERMS_SHAPE, ShapesBundle, load_shapes
from .terms import unknown_term_findings

log = logging.getLogger(__name__)

DEFAULT_ENGINE = "turbo"


@lru_cache(maxsize=1)
def shipped_context() -> Store:
    """An in-memory store with the shipped graphs: the context of `tcap validate`."""
    store = OxigraphStore.memory()
    sync_shipped(store)
    return store


class Workspace:
    """Collects a dataset (from quads or documents), then validates it once."""

    def __init__(
        self,
        *,
        context: Store | None = None,
        exclude_graphs: Sequence[str] = (),
        engine: str = DEFAULT_ENGINE,
        shapes: ShapesBundle | None = None,
    ) -> None:
        self.store = ox.Store()
        self.context = context
        self.exclude_graphs = tuple(exclude_graphs)
        self.engine = engine
        self.shapes = shapes or load_shapes()
        self.sources: list[str] = []
        self.locators: list[Locator] = []

    def add_quads(self, quads: Iterable[ox.Quad], *, source: str | None = None) -> None:
        """Add parsed quads; triples of the default graph join the dataset's own graph."""
        self.store.bulk_extend(
            ox.Quad(q.subject, q.predicate, q.object, DATA_GRAPH)
            if isinstance(q.graph_name, ox.DefaultGraph)
            else q
            for q in quads
        )
        if source is not None:
            self.sources.append(source)

    def add_document(
        self, data: bytes, fmt: ox.RdfFormat, *, source: str, base_iri: str = DEFAULT_BASE_IRI
    ) -> None:
        """Parse a document straight into the workspace, after the same guards as every load."""
        guard(data, fmt, source)
        try:
            self.store.bulk_load(data, fmt, base_iri=base_iri, to_graph=DATA_GRAPH)
        except SyntaxError as exc:
            raise syntax_error(exc, source, data if fmt == ox.RdfFormat.RDF_XML else None) from None
        except (ValueError, OSError) as exc:
            raise ParseError(str(exc), source=source) from None
        self.sources.append(source)

    def add_locator(self, locator: Locator | None) -> None:
        if locator is not None:
            self.locators.append(locator)

    def validate(self) -> ValidationReport:
        """Run the shapes and the term check over the dataset with its context."""
        started = time.perf_counter()
        triples = len(self.store)
        context = self.context if self.context is not None else shipped_context()
        added = list(context_quads(context, self.store, exclude_graphs=self.exclude_graphs))
        self.store.bulk_extend(added)
        log.debug("validation context: %d quads", len(added))
        locator = MultiLocator(self.locators)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="tcap-validation") as helper:
            # The engine and pyoxigraph release the GIL: the term check and the locators'
            # indexes are built on another core while the shapes run.
            message = self.shapes.message(KNOWN_TERMS_SHAPE)
            terms = helper.submit(unknown_term_findings, self.store, message)
            indexed = helper.submit(locator.prepare)
            raw = run_engine(self.store, self.shapes, self.engine)
            raw += terms.result()
            indexed.result()
        findings = [
            self._enrich(finding, locator) for finding in raw if self._in_dataset(finding.focus)
        ]
        return ValidationReport(
            sources=list(self.sources),
            findings=findings,
            triples=triples,
            shapes=list(self.shapes.graphs),
            engine=self.engine,
            seconds=time.perf_counter() - started,
        )

    def _in_dataset(self, node: Node) -> bool:
        return any(
            quad.graph_name != CONTEXT_GRAPH
            for quad in self.store.quads_for_pattern(node, None, None)
        )

    def _enrich(self, finding: Finding, locator: Locator) -> Finding:
        value = self._as_written(finding.focus, finding.path, finding.value)
        location = self._locate(locator, finding.focus, finding.path, value)
        return Finding(
            severity=finding.severity,
            message=finding.message,
            focus=finding.focus,
            path=finding.path,
            value=value,
            source_shape=finding.source_shape,
            component=finding.component,
            focus_label=self.label(finding.focus),
            location=location,
        )

    def _as_written(self, focus: Node, path: str | None, value: Value | None) -> Value | None:
        """The value as the dataset writes it: engines may report a number in canonical form
        (38.9 for 38.90), which the user would not find in their file."""
        if not isinstance(value, ox.Literal) or path is None or "<" in path:
            return value
        predicate = ox.NamedNode(path)
        if next(iter(self.store.quads_for_pattern(focus, predicate, value)), None) is not None:
            return value
        for quad in self.store.quads_for_pattern(focus, predicate, None):
            written = quad.object
            if (
                isinstance(written, ox.Literal)
                and written.datatype == value.datatype
                and _same_number(written.value, value.value)
            ):
                return written
        return value

    def _locate(
        self, locator: Locator, focus: Node, path: str | None, value: Value | None
    ) -> Location | None:
        found = locator.locate(focus, path, value)
        if found is not None or not isinstance(focus, ox.BlankNode):
            return found
        for quad in self.store.quads_for_pattern(None, None, focus):
            if quad.graph_name != CONTEXT_GRAPH and isinstance(quad.subject, ox.NamedNode):
                return locator.locate(quad.subject, quad.predicate.value, None)
        return None

    def label(self, node: Node) -> str | None:
        """The node's name for people: English label first, then any label."""
        best: tuple[int, str] | None = None
        for predicate in (RDFS + "label", SKOS + "prefLabel"):
            for quad in self.store.quads_for_pattern(node, ox.NamedNode(predicate), None):
                term = quad.object
                if not isinstance(term, ox.Literal):
                    continue
                rank = 0 if term.language == "en" else (1 if not term.language else 2)
                if best is None or rank < best[0]:
                    best = (rank, term.value)
            if best is not None:
                return best[1]
        return None


def _same_number(first: str, second: str) -> bool:
    try:
        return Decimal(first) == Decimal(second)
    except InvalidOperation:
        return False
