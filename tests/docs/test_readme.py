"""The README is part of the product: its configuration table and CLI list must match the code."""

from __future__ import annotations

import re
from pathlib import Path

import click

from tcap_kg.cli import cli
from tcap_kg.settings import documented_settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_in_the_configuration_table_with_its_default():
    rows = {
        m.group(1): m.group(2)
        for m in re.finditer(r"^\| `(TCAP_[A-Z_]+)` \| `([^`]*)` \|", README, re.M)
    }
    for env, default, _ in documented_settings():
        assert env in rows, f"{env} is missing from the README's configuration table"
        assert rows[env] == default, (
            f"README says {env} defaults to {rows[env]!r}, the code {default!r}"
        )
    assert set(rows) == {env for env, _, _ in documented_settings()}, (
        "README lists settings the code lacks"
    )


def test_every_command_is_in_the_cli_reference():
    ctx = click.Context(cli)
    for name in cli.list_commands(ctx):
        assert f"`tcap {name}" in README, f"`tcap {name}` is not described in the README"


def test_quick_start_has_exactly_two_commands():
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```(?:sh|bash|console)?\n(.*?)```", section, re.S)
    assert block is not None
    commands = [
        line
        for line in block.group(1).splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert len(commands) == 2, commands
