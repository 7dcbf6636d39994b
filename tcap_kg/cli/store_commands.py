"""Commands that build, fill, list, empty and dump the store."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import pyoxigraph as ox

from ..bulk import streamable
from ..loading import check_graph_iri, commit_datasets, default_graph_for
from ..rdfio import ParsedDataset
from ..records import read_records
from ..results import short
from ..store import Solutions
from ..store.base import check_export_format
from .common import CliContext, initialise, output_option, pass_cli, progress_bar
from .dumps import stream_dumps
from .validate import expand_inputs


@click.command()
@click.option(
    "--force",
    is_flag=True,
    help="Remove every graph (loaded datasets too) and rebuild from the shipped files.",
)
@pass_cli
def init(cli: CliContext, force: bool) -> None:
    """Build the store from the shipped ontology, shapes and data.

    Later runs reload only shipped files whose checksum changed.

    \b
    Example:
      tcap init
      tcap --store memory: init
    """
    with cli.store(write=True) as store:
        initialise(store, force=force)
        graphs = store.graphs()
    click.echo(
        f"store ready: {len(graphs)} graphs, {sum(g.triples for g in graphs)} triples "
        f"({cli.settings.store_location})"
    )


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--graph",
    "graph",
    metavar="IRI",
    help="Graph for the triples (default: .../graph/dataset/<file name>).",
)
@click.option(
    "--no-validate",
    "skip_validation",
    is_flag=True,
    help="Load without checking the shapes (for external data that is not ours to fix); "
    ".nt/.nq/.ttl/.trig files (also .gz) are then streamed, whatever their size.",
)
@pass_cli
def load(
    cli: CliContext, files: tuple[Path, ...], graph: str | None, skip_validation: bool
) -> None:
    """Load RDF files or filled-in CSV templates into the store as one dataset, all or nothing.

    Formats by extension: .ttl .trig .nt .nq .jsonld .rdf/.owl (and any of them .gz), .csv
    files named after a template, and .zip archives of such files. TriG and N-Quads keep their own named graphs; the other formats
    go to --graph. Loading a file again replaces the graphs it fills. The dataset is validated
    first: any violation refuses all of it (the report says why, exit status 1).

    \b
    Examples:
      tcap load examples/dalian/dalian.ttl --graph https://w3id.org/tcap-kg/graph/dataset/dalian
      tcap load --no-validate --graph https://w3id.org/tcap-kg/graph/external/wikidata wd.nt.gz
    """
    from ..validation import render_text  # noqa: PLC0415 (heavy: only when loading)
    from ..validation.gate import DatasetRefused, gate, read_datasets  # noqa: PLC0415

    if graph is not None:
        check_graph_iri(graph)
    paths = expand_inputs(files)
    if skip_validation and all(streamable(path) for path in paths):
        stream_dumps(cli, paths, graph)
        return
    parsed: list[tuple[ParsedDataset, str]] = []
    locators = []
    with progress_bar(total=len(paths), unit="file", desc="parsing") as bar:
        for path in paths:
            max_bytes = cli.settings.max_file_bytes
            for dataset, locator in read_datasets(path, name=path.name, max_bytes=max_bytes):
                parsed.append((dataset, graph or default_graph_for(path)))
                locators.append(locator)
            bar.update(1)
    if not any(dataset.quads for dataset, _ in parsed):
        click.echo("nothing to load: the files hold no triples", err=True)
        sys.exit(1)
    with cli.store(write=True) as store:
        conforms_to: str | None = None
        records: list[ox.Quad] = []
        if not skip_validation:
            try:
                report, records = gate(
                    store, parsed, locators=locators, engine=cli.settings.validator
                )
            except DatasetRefused as refused:
                click.echo(render_text(refused.report), nl=False)
                raise
            conforms_to = report.shapes[0] if report.shapes else None
            if report.findings:
                click.echo(report.summary(), err=True)
        summary = commit_datasets(store, parsed, conforms_to=conforms_to, records=records)
    for target, count in summary.graphs.items():
        click.echo(f"loaded {count} triples into <{target}>")


@click.command()
@click.argument("graph", metavar="GRAPH")
@pass_cli
def drop(cli: CliContext, graph: str) -> None:
    """Remove a named graph and its record.

    \b
    Example:
      tcap drop https://w3id.org/tcap-kg/graph/dataset/dalian
    """
    with cli.store(write=True) as store:
        store.drop_graph(graph)
    click.echo(f"dropped <{graph}>")


@click.command()
@pass_cli
def graphs(cli: CliContext) -> None:
    """List the named graphs with their triple counts and where they came from.

    \b
    Example:
      tcap graphs
    """
    with cli.store() as store:
        infos = store.graphs()
        records = read_records(store)
    width = max([len(info.iri) for info in infos] + [5])
    click.echo(f"{'graph'.ljust(width)}  {'triples':>8}  {'role':<8}  source")
    for info in infos:
        record = records.get(info.iri)
        role = record.role if record else "-"
        source = ", ".join(record.sources) if record else "-"
        click.echo(f"{info.iri.ljust(width)}  {info.triples:>8}  {role:<8}  {source}")


@click.command()
@click.option("--graph", "graph", metavar="IRI", help="Export only this graph.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["nquads", "trig", "turtle"]),
    default="nquads",
    show_default=True,
    help="Serialisation (turtle merges graphs unless --graph is given).",
)
@output_option("Write to FILE instead of stdout.")
@pass_cli
def export(cli: CliContext, graph: str | None, fmt: str, output: Path | None) -> None:
    """Write the store (or one graph) as N-Quads, TriG or Turtle.

    \b
    Example:
      tcap export --format trig -o tcap-kg.trig
      tcap export --graph https://w3id.org/tcap-kg/graph/data/cities --format turtle
    """
    rdf_format = check_export_format(fmt)
    with cli.store() as store:
        total = store.count(graph) if graph else store.count()
        with progress_bar(total=total, unit="quad", desc="export") as bar:
            if output is None:
                written = store.export(sys.stdout.buffer, rdf_format, graph, progress=bar.update)
                sys.stdout.buffer.flush()
            else:
                temporary = output.with_name(output.name + ".part")
                with temporary.open("wb") as handle:
                    written = store.export(handle, rdf_format, graph, progress=bar.update)
                temporary.replace(output)
    if output is not None:
        click.echo(f"wrote {written} quads to {output}", err=True)


_STATS = """
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class }
GROUP BY ?class ORDER BY DESC(?n) ?class LIMIT 25
"""


@click.command()
@pass_cli
def stats(cli: CliContext) -> None:
    """Summarise the store: graphs, triples, and the most common kinds of things.

    \b
    Example:
      tcap stats
    """
    with cli.store() as store:
        infos = store.graphs()
        records = read_records(store)
        classes = store.query(_STATS)
        assert isinstance(classes, Solutions)
        rows = [(row["class"], row["n"]) for row in classes]
    roles: dict[str, int] = {}
    for info in infos:
        record = records.get(info.iri)
        key = record.role if record else "other"
        roles[key] = roles.get(key, 0) + 1
    click.echo(f"store:   {cli.settings.store_location}")
    click.echo(
        f"graphs:  {len(infos)} ({', '.join(f'{n} {role}' for role, n in sorted(roles.items()))})"
    )
    click.echo(f"triples: {sum(info.triples for info in infos)}")
    click.echo("instances per class:")
    for klass, count in rows:
        click.echo(f"  {short(klass):<40} {count.value if count is not None else 0:>8}")
