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
from ..ingest import is_tabular, read_tables
from ..loading import targeted
from ..namespaces import CATALOG_GRAPH, PROV, RDF, RDFS, SH, XSD
from ..rdfio import ParsedDataset, format_from_name, parse_bytes, read_bytes
from ..records import now
from ..store import Store
from .locate import Locator, TextLocator
from .model import Severity, ValidationReport
from .workspace import DEFAULT_ENGINE, Workspace

DQV = "http://www.w3.org/ns/dqv#"


class DatasetRefused(ValidationFailedError):
    """The dataset has violations; nothing of it was written."""

    def __init__(self, report: ValidationReport) -> None:
        self.report = report
        super().__init__(f"dataset refused, nothing was written: {report.summary()}")


def read_dataset(path: Path, *, name: str, max_bytes: int) -> tuple[ParsedDataset, Locator]:
    """Parse an RDF file or a filled-in CSV template for loading, with its locator."""
    if is_tabular(path):
        tables = read_tables([path], max_bytes=max_bytes, names=[name])
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        parsed = ParsedDataset(
            name, ox.RdfFormat.N_TRIPLES, tables.quads, digest, path.stat().st_size
        )
        return parsed, tables.locator
    fmt = format_from_name(path.name)
    data = read_bytes(path, max_bytes=max_bytes)
    parsed = parse_bytes(data, fmt, source=name)
    return parsed, TextLocator(name, data.decode("utf-8", "replace"), fmt)


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
