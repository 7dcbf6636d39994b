"""`tcap token create|list|revoke` and the tokens file: shown once, stored hashed, revocable."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from endpoint_support import make_app

from tcap_kg.errors import InputError, NotFoundError
from tcap_kg.tokens import TokenFile, digest


def test_token_lifecycle_through_the_cli(tcap: Callable[..., Any], tmp_path: Path) -> None:
    tokens = tmp_path / "tokens.json"
    env = {"TCAP_TOKENS_FILE": str(tokens)}
    created = tcap("token", "create", "--name", "curator", env=env)
    assert created.code == 0, created.stderr
    token = created.stdout.strip().splitlines()[-1]
    assert token.startswith("tcap_") and len(token) > 40
    stored = tokens.read_text()
    assert token not in stored and digest(token) in stored
    assert stat.S_IMODE(tokens.stat().st_mode) == 0o600
    assert TokenFile(tokens).check(token) == "curator"
    listed = tcap("token", "list", env=env)
    assert "curator" in listed.stdout and token not in listed.stdout
    duplicate = tcap("token", "create", "--name", "curator", env=env)
    assert duplicate.code == 2 and "exists already" in duplicate.stderr
    typo = tcap("token", "revoke", "curatr", env=env)
    assert typo.code == 2 and "did you mean 'curator'" in typo.stderr
    assert tcap("token", "revoke", "curator", env=env).code == 0
    assert TokenFile(tokens).check(token) is None


def test_default_names_and_default_location(tmp_path: Path) -> None:
    tokens = TokenFile(tmp_path / "t.json")
    first, _ = tokens.create()
    second, _ = tokens.create()
    assert (first, second) == ("token-1", "token-2")
    with pytest.raises(InputError):
        tokens.create("has space")
    with pytest.raises(NotFoundError):
        tokens.revoke("nobody")
    assert [record.name for record in tokens.records()] == ["token-1", "token-2"]


def test_a_revoked_token_is_refused_by_a_running_app(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    _, token = TokenFile(path).create("one")
    app = make_app(update=True, tokens_file=str(path))
    try:
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        update = "INSERT DATA { GRAPH <https://w3id.org/tcap-kg/graph/dataset/x> { <http://e/a> <http://e/b> 1 } }"
        assert client.post("/sparql", data={"update": update}, headers=headers).status_code == 200
        TokenFile(path).revoke("one")
        assert client.post("/sparql", data={"update": update}, headers=headers).status_code == 401
    finally:
        app.extensions["tcap"].close()


def test_tcap_query_uses_the_same_guard(tcap: Callable[..., Any]) -> None:
    result = tcap(
        "--store",
        "memory:",
        "query",
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    )
    assert result.code == 2 and "TCAP_SERVICE_ALLOW" in result.stderr
