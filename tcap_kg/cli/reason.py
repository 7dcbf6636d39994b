"""`tcap reason`: check the graph with HermiT, and materialise OWL 2 RL inferences on request."""

from __future__ import annotations

import io
import sys

import click
import pyoxigraph as ox
from rdflib import Graph

from ..loading import dataset_changes
from ..namespaces import CATALOG_GRAPH, GRAPH, INFERRED_GRAPH
from ..rdfio import parse_bytes
from ..records import INFERRED
from ..store import Store
from .common import CliContext, pass_cli

_NOT_REASONED = (CATALOG_GRAPH, GRAPH + "shapes/", INFERRED_GRAPH)


def asserted_graph(store: Store) -> Graph:
    """The ontology, data and link sets as one rdflib graph (shapes and bookkeeping left out)."""
    buffer = io.BytesIO()
    for info in store.graphs():
        if not info.iri.startswith(_NOT_REASONED):
            store.export(buffer, ox.RdfFormat.N_TRIPLES, info.iri)
    graph = Graph()
    graph.parse(data=buffer.getvalue().decode("utf-8"), format="nt")
    return graph


@click.command()
@click.option(
    "--materialise",
    is_flag=True,
    help=f"Also write the OWL 2 RL inferences into <{INFERRED_GRAPH}> (then part of the default graph).",
)
@pass_cli
def reason(cli: CliContext, materialise: bool) -> None:
    """Check that ontology and data are consistent under HermiT (OWL 2 DL).

    Exit code 1 when the graph is inconsistent or a class cannot have members. With
    --materialise, the OWL 2 RL closure (owlrl) is stored in its own graph for queries that
    want inferred types; `tcap drop` removes it again.

    \b
    Example:
      tcap reason
      tcap reason --materialise
    """
    from ..reasoning import check_consistency, owl_rl_closure  # noqa: PLC0415 (owlready2 is slow to import)

    with cli.store(write=materialise) as store:
        asserted = asserted_graph(store)
        report = check_consistency([asserted])
        if report.ok:
            click.echo(f"consistent: {report.triples} triples, HermiT {report.seconds:.1f} s")
        else:
            state = "consistent" if report.consistent else "INCONSISTENT"
            click.echo(
                f"{state}: {report.triples} triples; unsatisfiable classes: "
                f"{', '.join(report.unsatisfiable_classes) or 'none'}"
            )
            sys.exit(1)
        if materialise:
            inferred = owl_rl_closure(asserted)
            parsed = parse_bytes(
                inferred.serialize(format="nt", encoding="utf-8"),
                ox.RdfFormat.N_TRIPLES,
                source="owl-rl closure",
            )
            changes, summary = dataset_changes(
                [(parsed, INFERRED_GRAPH)], role=INFERRED, allow_reserved=True
            )
            store.commit(changes)
            click.echo(f"materialised {summary.triples} inferred triples into <{INFERRED_GRAPH}>")
