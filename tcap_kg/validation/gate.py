"""The gate in front of the store: a dataset goes in whole and valid, or not at all.

`tcap load` reads every file, validates them together in the context of the store they join (the
graphs they replace do not count), and only then commits. A Violation raises `DatasetRefused`,
which carries the report, before anything is written. A conforming dataset's graph records say
which shapes it conforms to and what the validation found, in the same transaction as the data.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox

from ..errors import ValidationFailedError
from ..ingest import read_csv_bytes
from ..loading import targeted
from ..locations import Locator, TextLocator
from ..namespaces import CATALOG_GRAPH, PROV, RDF, RDFS, SH, XSD
from ..rdfio import ParsedDataset, as_utf8, parse_bytes, read_bytes
from ..records import now
from ..store import Store
from .files import Document, documents_from
from .model import Severity, ValidationReport
from .workspace import DEFAULT_ENGINE, Workspace

DQV = "http://www.w3.org/ns/dqv#"


class DatasetRefused(ValidationFailedError):
    """The dataset has violations; nothing of it was written."""

    def __init__(self, report: ValidationReport) -> None:
        self.report = report
        super().__init__(f"dataset refused, nothing was written: {report.summary()}")


def read_datasets(path: Path, *, name: str, max_bytes: int) -> list[tuple[ParsedDataset, Locator]]:
    """Parse an RDF file, a filled-in CSV template or a zip archive of them for loading, each
    document with its locator."""
    data = read_bytes(path, max_bytes=max_bytes)
    return [parse_document(d) for d in documents_from(name, data, max_bytes=max_bytes)]


def parse_document(document: Document) -> tuple[ParsedDataset, Locator]:
    """One document parsed into quads, with the locator that finds findings in it."""
    digest = hashlib.sha256(document.data).hexdigest()
    if document.format is None:
        tables = read_csv_bytes(document.data, source=document.name, template=document.template)
        parsed = ParsedDataset(
            document.name, ox.RdfFormat.N_TRIPLES, tables.quads, digest, len(document.data)
        )
        return parsed, tables.locator
    parsed = parse_bytes(document.data, document.format, source=document.name)
    text = as_utf8(document.data, document.name).decode("utf-8", "replace")
    return parsed, TextLocator(document.name, text, document.format)


def validate_datasets(
    store: Store,
    datasets: Sequence[tuple[ParsedDataset, str]],
    *,
    locators: Sequence[Locator] = (),
    engine: str = DEFAULT_ENGINE,
) -> ValidationReport:
    """Validate what a load would write, against the store it would be written to."""
    targets = target_graphs(datasets)
    workspace = Workspace(context=store, exclude_graphs=targets, engine=engine)
    for dataset, graph in datasets:
        workspace.add_quads(targeted(dataset, graph), source=dataset.source)
    for locator in locators:
        workspace.add_locator(locator)
    return workspace.validate()


def gate(
    store: Store,
    datasets: Sequence[tuple[ParsedDataset, str]],
    *,
    locators: Sequence[Locator] = (),
    engine: str = DEFAULT_ENGINE,
) -> tuple[ValidationReport, list[ox.Quad]]:
    """Validate; refuse on any Violation, else return the report and its catalogue records."""
    report = validate_datasets(store, datasets, locators=locators, engine=engine)
    if not report.conforms:
        raise DatasetRefused(report)
    graphs = target_graphs(datasets)
    return report, [quad for graph in graphs for quad in validation_record(report, graph)]


def target_graphs(datasets: Sequence[tuple[ParsedDataset, str]]) -> list[str]:
    """The named graphs a load of `datasets` fills (and so replaces)."""
    return sorted(
        {
            quad.graph_name.value
            for dataset, graph in datasets
            for quad in targeted(dataset, graph)
            if isinstance(quad.graph_name, ox.NamedNode)
        }
    )


def validation_record(report: ValidationReport, graph: str) -> list[ox.Quad]:
    """The validation outcome as a DQV quality annotation of the graph (a SHACL report node)."""
    catalog = ox.NamedNode(CATALOG_GRAPH)
    node = ox.BlankNode()
    counts = report.counts
    comment = (
        f"{counts[Severity.VIOLATION]} violations, {counts[Severity.WARNING]} warnings, "
        f"{counts[Severity.INFO]} info ({report.engine}, {report.triples} triples checked)"
    )
    return [
        ox.Quad(ox.NamedNode(graph), ox.NamedNode(DQV + "hasQualityAnnotation"), node, catalog),
        ox.Quad(node, ox.NamedNode(RDF + "type"), ox.NamedNode(DQV + "QualityAnnotation"), catalog),
        ox.Quad(node, ox.NamedNode(RDF + "type"), ox.NamedNode(SH + "ValidationReport"), catalog),
        ox.Quad(
            node,
            ox.NamedNode(SH + "conforms"),
            ox.Literal(
                "true" if report.conforms else "false", datatype=ox.NamedNode(XSD + "boolean")
            ),
            catalog,
        ),
        ox.Quad(node, ox.NamedNode(RDFS + "comment"), ox.Literal(comment, language="en"), catalog),
        ox.Quad(
            node,
            ox.NamedNode(PROV + "generatedAtTime"),
            ox.Literal(now().isoformat(), datatype=ox.NamedNode(XSD + "dateTime")),
            catalog,
        ),
    ]
