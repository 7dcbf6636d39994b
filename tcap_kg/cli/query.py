"""`tcap query`: ask the graph from the command line."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..catalogue import catalogue, get_query
from ..engine.engine import check, run_in_process
from ..errors import InputError
from ..results import render, result_kind
from ..store import QueryDataset, Term
from .common import CliContext, pass_cli

FORMATS = ["table", "json", "csv", "tsv", "xml", "turtle", "ntriples"]


def _params(values: tuple[str, ...]) -> dict[str, str]:
    parsed: dict[str, str] = {}
    for value in values:
        key, sep, raw = value.partition("=")
        if not sep or not key:
            raise InputError(f"--param expects key=value, got {value!r}")
        parsed[key.strip()] = raw
    return parsed


@click.command()
@click.argument("sparql", required=False)
@click.option(
    "-f",
    "--file",
    "file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Read the query from a .rq file.",
)
@click.option("-n", "--name", help="Run a named query from queries/ (see `--list`).")
@click.option(
    "-p",
    "--param",
    "params",
    multiple=True,
    metavar="KEY=VALUE",
    help="Parameter of a named query (repeatable).",
)
@click.option(
    "--list", "list_queries", is_flag=True, help="List the named queries and their parameters."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    help="Output format (default: table, or turtle for graphs).",
)
@click.option(
    "--default-graph",
    "default_graphs",
    multiple=True,
    metavar="IRI",
    help="Query only these graphs as the default graph.",
)
@click.option(
    "--named-graph",
    "named_graphs",
    multiple=True,
    metavar="IRI",
    help="Graphs visible to GRAPH (default: all).",
)
@pass_cli
def query(
    cli: CliContext,
    sparql: str | None,
    file: Path | None,
    name: str | None,
    params: tuple[str, ...],
    list_queries: bool,
    fmt: str | None,
    default_graphs: tuple[str, ...],
    named_graphs: tuple[str, ...],
) -> None:
    """Run a SPARQL query: inline, from a file, or a named one with typed parameters.

    \b
    Examples:
      tcap query --name international-cooperation
      tcap query --name city-components --param city=https://w3id.org/tcap-kg/id/city/wuhan
      tcap query 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }' --format csv
      tcap query -f my-question.rq --format json
    """
    if list_queries:
        for named in catalogue().values():
            click.echo(f"{named.name}: {named.title}")
            for parameter in named.parameters:
                need = "required" if parameter.required else "optional"
                click.echo(
                    f"    --param {parameter.name}=<{parameter.type}> ({need}) {parameter.description}"
                )
        return
    given = [source for source in (sparql, file, name) if source]
    if len(given) != 1:
        raise InputError(
            "give exactly one of: a query text, -f FILE, or --name NAME (see tcap query --help)"
        )
    bindings: dict[str, Term] = {}
    if name:
        named = get_query(name)
        text = named.sparql
        bindings = named.bindings(_params(params))
    else:
        if params:
            raise InputError("--param only applies to named queries (--name)")
        text = file.read_text(encoding="utf-8") if file else str(sparql)
    query = check(cli.settings, text).with_bindings(bindings)
    dataset = QueryDataset(default_graphs=default_graphs or None, named_graphs=named_graphs or None)
    if not dataset.is_default:
        query = query.with_dataset(dataset)
    with cli.store() as store:
        result = run_in_process(store, query)
        chosen = fmt or ("turtle" if result_kind(result) == "graph" else "table")
        rendered = render(result, chosen)
    sys.stdout.buffer.write(rendered.body)
    sys.stdout.buffer.flush()
