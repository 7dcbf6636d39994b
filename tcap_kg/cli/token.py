"""`tcap token`: bearer tokens for writes through the endpoint (SPARQL Update, Graph Store)."""

from __future__ import annotations

import click

from ..tokens import TokenFile, tokens_path
from .common import CliContext, pass_cli


@click.group()
def token() -> None:
    """Create, list and revoke the tokens that authorise writes.

    Only a hash of each token is kept (TCAP_TOKENS_FILE, default `tokens.json` inside the
    store directory), so a lost token cannot be shown again: revoke it and create a new one.

    \b
    Example:
      tcap token create --name curator
    """


@token.command()
@click.option("--name", help="A name to revoke the token by later (default: token-N).")
@pass_cli
def create(cli: CliContext, name: str | None) -> None:
    """Make a new token and print it once, as the last line.

    \b
    Example:
      TOKEN=$(tcap token create --name curator | tail -n 1)
    """
    path = tokens_path(cli.settings)
    made, secret = TokenFile(path).create(name)
    click.echo(
        f"created token {made!r} (hash kept in {path}); it is shown only this once:", err=True
    )
    click.echo(secret)


@token.command()
@click.argument("name")
@pass_cli
def revoke(cli: CliContext, name: str) -> None:
    """Revoke a token by name; a running server refuses it at once.

    \b
    Example:
      tcap token revoke curator
    """
    TokenFile(tokens_path(cli.settings)).revoke(name)
    click.echo(f"revoked token {name!r}")


@token.command(name="list")
@pass_cli
def list_tokens(cli: CliContext) -> None:
    """List token names and when they were made (never the tokens).

    \b
    Example:
      tcap token list
    """
    records = TokenFile(tokens_path(cli.settings)).records()
    if not records:
        click.echo("no tokens (create one with `tcap token create`)")
    for record in records:
        click.echo(f"{record.name}\t{record.created}")
