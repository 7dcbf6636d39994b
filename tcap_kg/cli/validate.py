"""`tcap validate`: check files against the shapes before anyone loads them.

Exit codes: 0 the dataset conforms (warnings and notes allowed), 1 it has violations, 2 a file
cannot be read (the message names the file, line and column).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import InputError
from ..ingest.archive import ARCHIVE_SUFFIXES
from ..rdfio import FORMAT_NAMES
from .common import CliContext, output_option, pass_cli

CLI_FORMATS = ["text", "json", "turtle"]


def expand_inputs(paths: tuple[Path, ...]) -> list[Path]:
    """Files as given, and the RDF, CSV and zip files directly inside any folder given."""
    found: list[Path] = []
    readable = {"." + name for name in FORMAT_NAMES} | {".csv", *ARCHIVE_SUFFIXES}
    for path in paths:
        if path.is_dir():
            inside = sorted(
                p
                for p in path.iterdir()
                if p.is_file() and Path(p.name.removesuffix(".gz")).suffix.lower() in readable
            )
            if not inside:
                raise InputError(f"{path}: no RDF, CSV or zip files in this folder")
            found += inside
        else:
            found.append(path)
    return found


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(CLI_FORMATS),
    default="text",
    show_default=True,
    help="Report format; turtle is the standard SHACL sh:ValidationReport.",
)
@click.option(
    "--against-store",
    is_flag=True,
    help="Check references against the configured store (default: the shipped graphs only).",
)
@output_option("Write the report to FILE instead of stdout.")
@pass_cli
def validate(
    cli: CliContext, files: tuple[Path, ...], fmt: str, against_store: bool, output: Path | None
) -> None:
    """Validate RDF files or filled-in CSV templates against the TCap KG shapes.

    All FILES are checked together as one dataset (a claims file may refer to a city in another
    file). Formats by extension: .ttl .trig .nt .nq .jsonld .rdf/.owl (and .gz), .csv files
    following a template (named cities.csv, dalian-claims.csv, ... or starting with the
    template's identifier column), and .zip archives of such files. A folder stands for the
    files in it. Findings name the file and the line, or the row and column.

    Exit status: 0 conforms (warnings allowed), 1 violations found, 2 unreadable input.

    \b
    Example:
      tcap validate examples/dalian/dalian.ttl
      tcap validate templates/csv/dalian/ --format json
      tcap validate my-city.zip
    """
    from ..validation import render, validate_files  # noqa: PLC0415 (heavy: only when validating)

    paths = expand_inputs(files)
    settings = cli.settings
    if against_store:
        with cli.store() as store:
            report = validate_files(
                paths, max_bytes=settings.max_file_bytes, context=store, engine=settings.validator
            )
    else:
        report = validate_files(paths, max_bytes=settings.max_file_bytes, engine=settings.validator)
    text = render(report, fmt)
    if output is not None:
        output.write_text(text, encoding="utf-8")
        click.echo(report.summary(), err=True)
    else:
        sys.stdout.write(text)
    sys.exit(0 if report.conforms else 1)
