"""The `tcap` command line.

Exit codes: 0 success, 1 the operation found a problem (a dataset that fails validation, a query
that timed out), 2 bad input or usage. Errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import logging
import sys

import click

from .. import __version__
from ..errors import TcapError
from .common import CliContext
from .link import link
from .query import query
from .reason import reason
from .serve import serve
from .store_commands import drop, export, graphs, init, load, stats
from .token import token
from .validate import validate

log = logging.getLogger("tcap_kg")


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--store",
    metavar="LOCATION",
    help="Store to use: a directory, `memory:`, or a SPARQL URL (overrides TCAP_STORE).",
)
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.version_option(__version__, prog_name="tcap")
@click.pass_context
def cli(ctx: click.Context, store: str | None, verbose: int) -> None:
    """TCap KG: a knowledge graph of urban transformative capacity.

    \b
    Example:
      tcap init && tcap query --name international-cooperation
    """
    ctx.obj = CliContext.create(store=store, verbose=verbose)


for command in (
    init,
    serve,
    query,
    load,
    drop,
    graphs,
    export,
    stats,
    token,
    validate,
    reason,
    link,
):
    cli.add_command(command)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `tcap` script: run the CLI and map errors to exit codes."""
    try:
        code = cli.main(args=argv, prog_name="tcap", standalone_mode=False)
    except TcapError as exc:
        click.echo(f"tcap: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("tcap: aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2 if isinstance(exc, click.UsageError) else exc.exit_code)
    except KeyboardInterrupt:
        click.echo("tcap: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(0)
    sys.exit(code if isinstance(code, int) else 0)
