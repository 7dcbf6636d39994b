"""Commands that build, fill, list, empty and dump the store."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import click

from ..loading import check_graph_iri, commit_datasets, default_graph_for
from ..rdfio import ParsedDataset, parse_file
from ..records import read_records
from ..results import short
from ..store import Solutions
from ..store.base import check_export_format
from .common import CliContext, initialise, progress_bar

pass_cli = click.make_pass_decorator(CliContext)


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
@pass_cli
def load(cli: CliContext, files: tuple[Path, ...], graph: str | None) -> None:
    """Load RDF files into the store as one dataset, all or nothing.

    Formats by extension: .ttl .trig .nt .nq .jsonld .rdf/.owl (and any of them .gz).
    TriG and N-Quads keep their own named graphs; the other formats go to --graph. Loading a
    file again replaces the graphs it fills.

    \b
    Example:
      tcap load data/dalian.ttl --graph https://w3id.org/tcap-kg/graph/dataset/dalian
    """
    if graph is not None:
        check_graph_iri(graph)
    parsed: list[tuple[ParsedDataset, str]] = []
    with progress_bar(total=len(files), unit="file", desc="parsing") as bar:
        for path in files:
            dataset = parse_file(path, max_bytes=cli.settings.max_file_bytes)
            parsed.append((replace(dataset, source=path.name), graph or default_graph_for(path)))
            bar.update(1)
    if not any(dataset.quads for dataset, _ in parsed):
        click.echo("nothing to load: the files hold no triples", err=True)
        sys.exit(1)
    with cli.store(write=True) as store:
        summary = commit_datasets(store, parsed)
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
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write to FILE instead of stdout.",
)
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
