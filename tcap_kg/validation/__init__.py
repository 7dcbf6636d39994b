"""SHACL validation of datasets before they enter the graph.

Entry points:

- `validate_quads(quads, ...)`: validate parsed quads that add to or replace graphs of a store
  (what `tcap load` and the endpoint's graph writes call); `validate_change(store, added,
  removed)`: validate a change by the nodes it touches (a SPARQL Update);
  `validate_files(paths, ...)`: read and validate files (RDF, CSV, zip archives of them).
- `ValidationReport` with `.conforms`, `.findings`, `.counts`, `.by_node()`, and the renderers
  `render_text`, `render_json`, `render_turtle`, `render_html`.
- `load_shapes()`: the shipped shapes, parsed once per process.

A report conforms when it has no Violation; Warnings and Info never block a load.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pyoxigraph as ox

from ..locations import Location, Locator, TextLocator
from ..store import Store
from ..store.base import Queryable
from .files import validate_files
from .model import Finding, Severity, ValidationReport
from .render import REPORT_FORMATS, render, render_html, render_json, render_text, render_turtle
from .shapes import ShapesBundle, load_shapes
from .workspace import DEFAULT_ENGINE, Workspace, shipped_context

__all__ = [
    "DEFAULT_ENGINE",
    "REPORT_FORMATS",
    "Finding",
    "Location",
    "Locator",
    "Severity",
    "ShapesBundle",
    "ValidationReport",
    "Workspace",
    "load_shapes",
    "render",
    "render_html",
    "render_json",
    "render_text",
    "render_turtle",
    "shipped_context",
    "validate_change",
    "validate_files",
    "validate_quads",
]


def validate_quads(
    quads: Iterable[ox.Quad],
    *,
    source: str = "input",
    source_text: str | None = None,
    fmt: ox.RdfFormat | None = None,
    locator: Locator | None = None,
    context: Queryable | None = None,
    exclude_graphs: Sequence[str] = (),
    engine: str = DEFAULT_ENGINE,
) -> ValidationReport:
    """Validate a dataset given as quads against the shapes, in the context of `context`.

    `context` is the store the dataset would join (default: the shipped graphs); graphs named in
    `exclude_graphs` are about to be replaced and do not count. With `source_text` (and its
    `fmt`), findings carry the line where their node is described.
    """
    workspace = Workspace(context=context, exclude_graphs=exclude_graphs, engine=engine)
    workspace.add_quads(quads, source=source)
    if locator is None and source_text is not None and fmt is not None:
        locator = TextLocator(source, source_text, fmt)
    workspace.add_locator(locator)
    return workspace.validate()


def validate_change(
    store: Store,
    added: Iterable[ox.Quad],
    removed: Iterable[ox.Quad] = (),
    *,
    source: str = "change",
    engine: str = DEFAULT_ENGINE,
) -> ValidationReport:
    """Validate a change to `store` (as it is before the change) by the nodes it touches.

    `added` and `removed` are the quads the change inserts and deletes, in their named graphs.
    Only the nodes whose statements change, the nodes that refer to a node losing statements,
    and their neighbourhood as far as the shapes read are looked at, never whole graphs: a
    one-triple update costs a few small queries, whatever the size of the store. The report
    has findings about those nodes only; it conforms when the change leaves none of them with
    a Violation.
    """
    workspace = Workspace(context=store, removed=list(removed), engine=engine)
    workspace.add_quads(added, source=source)
    return workspace.validate()
