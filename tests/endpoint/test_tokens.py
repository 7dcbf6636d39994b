"""`tcap token create|list|revoke` and the tokens file: shown once, stored hashed, revocable."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from endpoint_support import REPO, make_app

from tcap_kg.errors import InputError, NotFoundError
from tcap_kg.settings import Settings
from tcap_kg.tokens import TokenFile, digest, tokens_path

CONCURRENT = 20


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


def test_concurrent_creates_keep_every_token(tmp_path: Path) -> None:
    """Twenty `tcap token create` processes at once: twenty tokens on file, each one valid."""
    store = tmp_path / "store"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TCAP_")}
    env["TCAP_STORE"] = str(store)
    creating = [
        subprocess.Popen(
            [sys.executable, "-m", "tcap_kg", "token", "create"],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(CONCURRENT)
    ]
    secrets = []
    for process in creating:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        secrets.append(out.strip().splitlines()[-1])
    listed = subprocess.run(
        [sys.executable, "-m", "tcap_kg", "token", "list"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.splitlines()
    assert len(listed) == CONCURRENT
    tokens = TokenFile(store / "tokens.json")
    names = {tokens.check(secret) for secret in secrets}
    assert names == {f"token-{n}" for n in range(1, CONCURRENT + 1)}
    assert sorted(p.name for p in store.iterdir() if "tokens" in p.name) == [
        "tokens.json",
        "tokens.json.lock",
    ], "no temporary file is left behind"


def test_the_tokens_live_inside_the_store_directory_or_the_config_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "shared-tmp"
    assert tokens_path(Settings.from_env({}, store=str(shared / "store"))) == (
        shared / "store" / "tokens.json"
    )
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    expected = tmp_path / "config" / "tcap-kg" / "tokens.json"
    assert tokens_path(Settings.from_env({}, store="memory:")) == expected
    remote = Settings.from_env({}, store="sparql+http://127.0.0.1:9/query")
    assert tokens_path(remote) == expected
    chosen = Settings.from_env({}, store="memory:", tokens_file=str(tmp_path / "mine.json"))
    assert tokens_path(chosen) == tmp_path / "mine.json"


def test_a_planted_temporary_file_is_never_written_through(tmp_path: Path) -> None:
    """Someone who can write the folder plants the old fixed temporary name as a link to a file
    of ours: the token is still kept, the file it pointed at is untouched."""
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (tmp_path / "tokens.json.tmp").symlink_to(victim)
    tokens = TokenFile(tmp_path / "tokens.json")
    _, secret = tokens.create("safe")
    assert victim.read_text() == "precious"
    assert tokens.check(secret) == "safe"
    assert stat.S_IMODE((tmp_path / "tokens.json").stat().st_mode) == 0o600


def test_a_token_made_by_another_process_is_seen_at_once(tmp_path: Path) -> None:
    """A server's copy of the file notices a change made within the same clock tick."""
    path = tmp_path / "tokens.json"
    server_side = TokenFile(path)
    _, first = TokenFile(path).create("one")
    assert server_side.check(first) == "one"
    _, second = TokenFile(path).create("two")
    TokenFile(path).revoke("one")
    assert server_side.check(second) == "two"
    assert server_side.check(first) is None
