"""Third-party SPARQL servers on 127.0.0.1 for the tests and the remote benchmark.

Virtuoso is Debian's `virtuoso-opensource`, started with a scratch database from Debian's own
`virtuoso.ini` (paths and ports changed, bound to 127.0.0.1) plus exactly the settings and grants
the README's Virtuoso section gives, read from the README itself: what the README tells users is
what the tests run. rdflib-endpoint is the PyPI package, with updates enabled.

Which servers the remote tests run against comes from `TCAP_TEST_SERVERS` (comma-separated:
`oxigraph`, `virtuoso`; both by default). A server that is asked for and missing is an error,
never a skip.
"""

from __future__ import annotations

import configparser
import io
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from processes import free_port, stop

from tcap_kg.settings import Settings
from tcap_kg.store import ChangeSet, Store, open_store
from tcap_kg.store.remote import STORE_GRAPH

REPO = Path(__file__).resolve().parent.parent
DEBIAN_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
README_PASSWORD = "choose-a-password"
PASSWORD = "tcap-test-secret"
USER = "tcap"


def requested_servers() -> list[str]:
    """The remote servers to test against (`TCAP_TEST_SERVERS`, default `oxigraph,virtuoso`)."""
    raw = os.environ.get("TCAP_TEST_SERVERS", "oxigraph,virtuoso")
    names = [name.strip() for name in raw.split(",") if name.strip()]
    unknown = set(names) - {"oxigraph", "virtuoso"}
    if unknown:
        raise ValueError(f"TCAP_TEST_SERVERS: unknown server(s) {sorted(unknown)}")
    return names


REMOTE_SERVERS = requested_servers()


def remote_settings(request: pytest.FixtureRequest, name: str) -> dict[str, str]:
    """Settings overrides for a store on one of the remote servers (`oxigraph`, `virtuoso`)."""
    if name == "oxigraph":
        return {"store": request.getfixturevalue("oxigraph_server").store_location}
    settings: dict[str, str] = request.getfixturevalue("virtuoso").settings()
    return settings


def emptied(settings: dict[str, str]) -> Store:
    """A remote store opened from settings, with every graph of ours (staging too) dropped."""
    store = open_store(Settings.from_env({}, **settings))
    store.commit(ChangeSet(drop_graphs=[info.iri for info in store.graphs()]))
    store.update(
        "DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } "
        f'FILTER(STRSTARTS(STR(?g), "urn:tcap:staging:") || ?g = <{STORE_GRAPH}>) }}'
    )
    return store


def readme_section(heading: str) -> str:
    """A `###` section of the README, up to the next heading."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return text.split(f"### {heading}\n", 1)[1].split("\n#", 1)[0]


def readme_block(heading: str, language: str) -> str:
    """The one fenced block of a language in a README section."""
    blocks = re.findall(rf"```{language}\n(.*?)```", readme_section(heading), re.S)
    assert len(blocks) == 1, f"README section {heading!r}: expected one {language} block"
    return str(blocks[0])


@dataclass
class VirtuosoServer:
    """A Virtuoso process with a scratch database, set up as the README says."""

    directory: Path
    http_port: int
    sql_port: int
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def settings(self) -> dict[str, str]:
        """Settings overrides (`Settings.from_env({}, **...)`) for the README's setup."""
        return {
            "store": f"sparql+{self.url}/sparql-auth",
            "store_gsp_url": f"{self.url}/sparql-graph-crud-auth",
            "store_user": USER,
            "store_password": PASSWORD,
        }

    def environment(self) -> dict[str, str]:
        """The same as `TCAP_*` environment variables, for the CLI and `tcap serve`."""
        return {f"TCAP_{key.upper()}": value for key, value in self.settings().items()}

    def isql(self, sql: str) -> str:
        """Run SQL as the database administrator (default password of a fresh database)."""
        done = subprocess.run(
            [_isql(), f"127.0.0.1:{self.sql_port}", "dba", "dba", f"exec={sql}"],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
            raise RuntimeError(f"isql failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def stop(self) -> None:
        stop(self.process, timeout=30)


def _isql() -> str:
    found = shutil.which("isql-vt") or shutil.which("isql")
    if found is None:
        raise RuntimeError("isql-vt is missing: install Debian's virtuoso-opensource")
    return found


def virtuoso_ini(
    directory: Path,
    http_port: int,
    sql_port: int,
    overrides: Mapping[str, Mapping[str, str]] = {},
) -> str:
    """Debian's virtuoso.ini with a scratch database, 127.0.0.1 ports, the README's settings
    and then `overrides` (section -> key -> value)."""
    ini = configparser.ConfigParser(
        strict=False, interpolation=None, inline_comment_prefixes=(";",)
    )
    ini.optionxform = str  # type: ignore[assignment,method-assign]
    ini.read_string(DEBIAN_INI.read_text(encoding="utf-8"))
    data = str(directory)
    ini["Database"].update(
        {
            "DatabaseFile": f"{data}/virtuoso.db",
            "ErrorLogFile": f"{data}/virtuoso.log",
            "LockFile": f"{data}/virtuoso.lck",
            "TransactionFile": f"{data}/virtuoso.trx",
            "xa_persistent_file": f"{data}/virtuoso.pxa",
        }
    )
    ini["TempDatabase"].update(
        {"DatabaseFile": f"{data}/virtuoso-temp.db", "TransactionFile": f"{data}/virtuoso-temp.trx"}
    )
    ini["Parameters"]["ServerPort"] = f"127.0.0.1:{sql_port}"
    ini["Parameters"]["DirsAllowed"] = f"., {data}"
    ini["HTTPServer"]["ServerPort"] = f"127.0.0.1:{http_port}"
    ini["URIQA"]["DefaultHost"] = f"127.0.0.1:{http_port}"
    readme = configparser.ConfigParser(interpolation=None, inline_comment_prefixes=(";",))
    readme.optionxform = str  # type: ignore[assignment,method-assign]
    readme.read_string(readme_block("Virtuoso", "ini"))
    for source in (readme, overrides):
        for section in source.keys() if isinstance(source, Mapping) else source.sections():
            if section != "DEFAULT":
                ini[section].update(source[section])
    out = io.StringIO()
    ini.write(out)
    return out.getvalue()


def start_virtuoso(
    directory: Path, overrides: Mapping[str, Mapping[str, str]] = {}
) -> VirtuosoServer:
    """Start `virtuoso-t` in the foreground on free ports and set it up as the README says."""
    binary = shutil.which("virtuoso-t")
    if binary is None or not DEBIAN_INI.exists():
        raise RuntimeError(
            "virtuoso-t is missing: install Debian's virtuoso-opensource (.ci/run does), or run "
            "the tests with TCAP_TEST_SERVERS=oxigraph"
        )
    directory.mkdir(parents=True, exist_ok=True)
    http_port, sql_port = free_port(), free_port()
    ini = directory / "virtuoso.ini"
    ini.write_text(virtuoso_ini(directory, http_port, sql_port, overrides), encoding="utf-8")
    log = (directory / "stdout.log").open("wb")
    process = subprocess.Popen(
        [binary, "+foreground", "+configfile", str(ini)],
        cwd=directory,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = VirtuosoServer(directory, http_port, sql_port, process)
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None or time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(
                "virtuoso-t did not come up:\n"
                + (directory / "virtuoso.log").read_text(errors="replace")[-3000:]
            )
        try:
            if httpx.get(f"{server.url}/sparql", params={"query": "ASK {}"}, timeout=2).is_success:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    server.isql(readme_block("Virtuoso", "sql").replace(README_PASSWORD, PASSWORD))
    return server


@dataclass
class RdflibEndpoint:
    """rdflib-endpoint serving what it was started with, updates enabled."""

    url: str
    process: subprocess.Popen[bytes]

    @property
    def store_location(self) -> str:
        return f"sparql+{self.url}/"

    def stop(self) -> None:
        stop(self.process, timeout=10)


def start_rdflib_endpoint(directory: Path, files: Sequence[Path] = ()) -> RdflibEndpoint:
    """Start rdflib-endpoint with updates on, serving `files` (their graphs kept) or nothing."""
    port = free_port()
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("rdflib-endpoint")),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--enable-update",
            *(str(file) for file in files),
        ],
        cwd=directory,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = RdflibEndpoint(f"http://127.0.0.1:{port}", process)
    deadline = time.monotonic() + 30
    while True:
        if process.poll() is not None or time.monotonic() > deadline:
            endpoint.stop()
            raise RuntimeError("rdflib-endpoint did not come up")
        try:
            httpx.get(endpoint.url + "/", params={"query": "ASK {}"}, timeout=2)
            return endpoint
        except httpx.HTTPError:
            time.sleep(0.1)
