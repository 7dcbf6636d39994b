"""One validation: the dataset and its context in a private store, the engine, the report.

Nothing here touches the user's store except to read the context; the workspace is an in-memory
pyoxigraph store that is thrown away afterwards. Large documents are bulk-loaded straight into it
(no Python list of a million quads), which is what keeps a million-triple validation within
memory and time.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import pyoxigraph as ox

from ..bootstrap import sync_shipped
from ..errors import ParseError
from ..locations import Location, Locator, MultiLocator, Node, TextLocator, Value
from ..namespaces import RDFS, SKOS
from ..rdfio import DEFAULT_BASE_IRI, prepare, syntax_error
from ..store import OxigraphStore, Store
from ..store.base import Queryable
from .context import CONTEXT_GRAPHS, DATA_GRAPH, ContextBuilder
from .engine import run_engine
from .folding import fold
from .model import Finding, ValidationReport
from .protected import take_protected_statements
from .shapes import KNOWN_TERMS_SHAPE, PROTECTED_TERMS_SHAPE, ShapesBundle, load_shapes
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
    """Collects a dataset (from quads or documents), then validates it once.

    The dataset is what a change adds; `exclude_graphs` are graphs it replaces and `removed`
    quads it deletes (see `context`). Findings are reported about the nodes the dataset
    describes and the nodes the change affects, judged with their whole context.
    """

    def __init__(
        self,
        *,
        context: Queryable | None = None,
        exclude_graphs: Sequence[str] = (),
        removed: Sequence[ox.Quad] = (),
        engine: str = DEFAULT_ENGINE,
        shapes: ShapesBundle | None = None,
    ) -> None:
        self.store = ox.Store()
        self.context = context
        self.exclude_graphs = tuple(exclude_graphs)
        self.removed = tuple(removed)
        self.engine = engine
        self.shapes = shapes or load_shapes()
        self.sources: list[str] = []
        self.locators: list[Locator] = []
        self.affected: set[ox.NamedNode] = set()

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
        """Parse a document straight into the workspace, after the same guards as every load;
        findings in it are located in its text."""
        text = prepare(data, fmt, source)
        try:
            self.store.bulk_load(text, fmt, base_iri=base_iri, to_graph=DATA_GRAPH)
        except SyntaxError as exc:
            raise syntax_error(exc, source, text, fmt) from None
        except (ValueError, OSError) as exc:
            raise ParseError(str(exc), source=source) from None
        self.sources.append(source)
        self.locators.append(TextLocator(source, text.decode("utf-8", "replace"), fmt))

    def add_locator(self, locator: Locator | None) -> None:
        if locator is not None:
            self.locators.append(locator)

    def validate(self) -> ValidationReport:
        """Run the shapes and the term checks over the dataset with its context."""
        started = time.perf_counter()
        triples = len(self.store)
        context = self.context if self.context is not None else shipped_context()
        builder = ContextBuilder(
            context, self.store, exclude_graphs=self.exclude_graphs, removed=self.removed
        )
        self.affected = builder.fill(self.shapes.reach)
        refused = take_protected_statements(self.store, self.shapes)
        locator = MultiLocator(self.locators)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="tcap-validation") as helper:
            # The engine and pyoxigraph release the GIL: the term check and the locators'
            # indexes are built on another core while the shapes run.
            terms = helper.submit(
                unknown_term_findings,
                self.store,
                self.shapes.message(KNOWN_TERMS_SHAPE),
                self.shapes.message(PROTECTED_TERMS_SHAPE),
            )
            indexed = helper.submit(locator.prepare)
            raw = run_engine(self.store, self.shapes, self.engine)
            raw += terms.result()
            indexed.result()
        reported = [*refused, *(f for f in raw if self._reported(f.focus))]
        findings = [self._enrich(finding, locator) for finding in reported]
        return ValidationReport(
            sources=list(self.sources),
            findings=fold(findings, self.store, locator),
            triples=triples,
            shapes=list(self.shapes.graphs),
            engine=self.engine,
            seconds=time.perf_counter() - started,
        )

    def _reported(self, node: Node) -> bool:
        """Whether findings about `node` belong in the report: the dataset describes it, or
        the change takes statements away from it or from a node it refers to."""
        if node in self.affected:
            return True
        return any(
            quad.graph_name not in CONTEXT_GRAPHS
            for quad in self.store.quads_for_pattern(node, None, None)
        )

    def _enrich(self, finding: Finding, locator: Locator) -> Finding:
        path, value = self._as_written(finding.focus, finding.path, finding.value)
        return replace(
            finding,
            path=path,
            value=value,
            focus_label=self.label(finding.focus),
            location=self._locate(locator, finding.focus, path, value),
        )

    def _dataset_quads(
        self, subject: Node | None, predicate: ox.NamedNode | None, value: Value | None
    ) -> Iterator[ox.Quad]:
        for quad in self.store.quads_for_pattern(subject, predicate, value):
            if quad.graph_name not in CONTEXT_GRAPHS:
                yield quad

    def _as_written(
        self, focus: Node, path: str | None, value: Value | None
    ) -> tuple[str | None, Value | None]:
        """The property and value as the dataset writes them: an alternative path becomes the
        property that holds the value, and a number its lexical form (engines may report 38.9
        for 38.90, which the user would not find in their file)."""
        if path is None or not isinstance(value, ox.Literal | ox.NamedNode):
            return path, value
        predicates = [ox.NamedNode(p) for p in _alternatives(path)]
        for predicate in predicates:
            if next(iter(self.store.quads_for_pattern(focus, predicate, value)), None):
                return predicate.value, value
        if not isinstance(value, ox.Literal):
            return path, value
        for predicate in predicates:
            for quad in self.store.quads_for_pattern(focus, predicate, None):
                written = quad.object
                if (
                    isinstance(written, ox.Literal)
                    and written.datatype == value.datatype
                    and _same_number(written.value, value.value)
                ):
                    return predicate.value, written
        return path, value

    def _locate(
        self, locator: Locator, focus: Node, path: str | None, value: Value | None
    ) -> Location | None:
        steps = _sequence(path)
        if steps and value is not None:
            # A value at the end of a path (a city's geometry's WKT) is written where the
            # node before it is described.
            first, last = ox.NamedNode(steps[0]), ox.NamedNode(steps[-1])
            for link in self._dataset_quads(focus, first, None):
                middle = link.object
                if isinstance(middle, ox.NamedNode | ox.BlankNode) and next(
                    self._dataset_quads(middle, last, value), None
                ):
                    return self._locate(locator, middle, last.value, value)
        found = locator.locate(focus, path, value)
        if found is not None or not isinstance(focus, ox.BlankNode):
            return found
        for quad in self._dataset_quads(None, None, focus):
            if isinstance(quad.subject, ox.NamedNode):
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


_PATH_IRI = re.compile(r"<([^>]*)>")


def _alternatives(path: str) -> list[str]:
    """The properties of a plain path or of an alternative path `(<a>|<b>)`."""
    if "<" not in path:
        return [path]
    if re.fullmatch(r"\((<[^>]*>)(\|<[^>]*>)*\)", path):
        return _PATH_IRI.findall(path)
    return []


def _sequence(path: str | None) -> list[str]:
    """The steps of a sequence path `<a>/<b>` of plain properties (else nothing)."""
    if path is None or not re.fullmatch(r"<[^>]*>(/<[^>]*>)+", path):
        return []
    return _PATH_IRI.findall(path)


def _same_number(first: str, second: str) -> bool:
    try:
        return Decimal(first) == Decimal(second)
    except InvalidOperation:
        return False
