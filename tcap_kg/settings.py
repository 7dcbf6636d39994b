"""Settings from the environment (`TCAP_*`), with safe defaults.

Every knob lives here, once, with its environment variable, its default and one line of help; the
README's configuration table is checked against this list by a test, so the two cannot drift.
Defaults are the safe ones: read-only endpoint, no remote fetching, bounded requests.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError


def default_store_location() -> str:
    """The embedded store's directory: `$XDG_DATA_HOME/tcap-kg/store` (or ~/.local/share/...)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return str(Path(base) / "tcap-kg" / "store")


def default_config_dir() -> Path:
    """The user's config directory for TCap KG: `$XDG_CONFIG_HOME/tcap-kg` (or ~/.config/...)."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "tcap-kg"


def _parse_bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "on", "true", "yes"}:
        return True
    if value in {"0", "off", "false", "no", ""}:
        return False
    raise ValueError(f"expected on/off, got {raw!r}")


def _parse_list(raw: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in raw.split(",") if item.strip())


def _setting(env: str, default: Any, help_text: str, parse: Callable[[str], Any] = str) -> Any:
    return field(default=default, metadata={"env": env, "help": help_text, "parse": parse})


@dataclass(frozen=True)
class Settings:
    """Runtime configuration; build it with `Settings.from_env()` and override with `replace`."""

    store: str = _setting(
        "TCAP_STORE",
        "",
        "Where the graph lives: a directory for the embedded Oxigraph store, `memory:` for an "
        "in-memory store, or `sparql+http(s)://host:port/path` for a remote SPARQL server. "
        "Empty means `$XDG_DATA_HOME/tcap-kg/store`.",
    )
    store_update_url: str = _setting(
        "TCAP_STORE_UPDATE_URL",
        "",
        "Remote store: SPARQL Update URL (default: derived from the query URL).",
    )
    store_gsp_url: str = _setting(
        "TCAP_STORE_GSP_URL",
        "",
        "Remote store: Graph Store Protocol URL (default: derived from the query URL).",
    )
    store_user: str = _setting("TCAP_STORE_USER", "", "Remote store: user for HTTP basic auth.")
    store_password: str = _setting(
        "TCAP_STORE_PASSWORD", "", "Remote store: password for HTTP basic auth."
    )
    store_token: str = _setting(
        "TCAP_STORE_TOKEN", "", "Remote store: bearer token (instead of user/password)."
    )
    store_timeout: float = _setting(
        "TCAP_STORE_TIMEOUT",
        600.0,
        "Remote store: seconds to wait for the server to finish a write or an upload.",
        float,
    )
    host: str = _setting("TCAP_HOST", "127.0.0.1", "Address `tcap serve` binds to.")
    port: int = _setting("TCAP_PORT", 8000, "Port `tcap serve` listens on.", int)
    workers: int = _setting("TCAP_WORKERS", 2, "WSGI worker processes for `tcap serve`.", int)
    update: bool = _setting(
        "TCAP_UPDATE",
        False,
        "Enable SPARQL Update and the Graph Store Protocol (writes need a token).",
        _parse_bool,
    )
    query_timeout: float = _setting(
        "TCAP_QUERY_TIMEOUT",
        25.0,
        "Seconds a query may take, waiting included, before it is stopped (answers stay inside "
        "the 30 s that common clients wait).",
        float,
    )
    query_executors: int = _setting(
        "TCAP_QUERY_EXECUTORS",
        2,
        "Query processes of the shared query service (a timeout kills one and starts its "
        "replacement).",
        int,
    )
    query_threads: int = _setting(
        "TCAP_QUERY_THREADS",
        4,
        "Queries each query process runs at once; processes x threads is the endpoint's number "
        "of query slots.",
        int,
    )
    queue_timeout: float = _setting(
        "TCAP_QUEUE_TIMEOUT",
        5.0,
        "Seconds a query waits for a free query slot before a 503 with Retry-After.",
        float,
    )
    client_slots: int = _setting(
        "TCAP_CLIENT_SLOTS",
        0,
        "Query slots one client (a token, else an address) may hold, running or waiting; more "
        "get a 429 with Retry-After. 0 means half of all slots.",
        int,
    )
    trusted_proxies: tuple[str, ...] = _setting(
        "TCAP_TRUSTED_PROXIES",
        (),
        "Comma-separated addresses of reverse proxies whose X-Forwarded-For names the client.",
        _parse_list,
    )
    header_timeout: float = _setting(
        "TCAP_HEADER_TIMEOUT",
        10.0,
        "Seconds a connection may take to send a request's headers, or stay idle between "
        "requests, before it is closed.",
        float,
    )
    body_timeout: float = _setting(
        "TCAP_BODY_TIMEOUT",
        30.0,
        "Seconds a client may take to send a request's whole body before it gets 408 and the "
        "connection is closed.",
        float,
    )
    query_max_bytes: int = _setting(
        "TCAP_QUERY_MAX_BYTES",
        1024 * 1024,
        "Longest query or update text the endpoint parses, in bytes (bulk data goes through "
        "`tcap load` or the Graph Store Protocol).",
        int,
    )
    query_max_depth: int = _setting(
        "TCAP_QUERY_MAX_DEPTH",
        100,
        "Deepest nesting of brackets in a query or update text; deeper texts are refused.",
        int,
    )
    cache_bytes: int = _setting(
        "TCAP_CACHE_BYTES",
        64 * 1024 * 1024,
        "Memory per web worker for cached query answers, in bytes (0 turns the cache off).",
        int,
    )
    max_body_bytes: int = _setting(
        "TCAP_MAX_BODY_BYTES", 10 * 1024 * 1024, "Largest request body accepted, in bytes.", int
    )
    max_rows: int = _setting(
        "TCAP_MAX_ROWS",
        10_000,
        "Most result rows returned by the endpoint (announced when cut).",
        int,
    )
    max_file_bytes: int = _setting(
        "TCAP_MAX_FILE_BYTES",
        128 * 1024 * 1024,
        "Largest file `tcap load` / `tcap validate` reads into memory for validation, in bytes.",
        int,
    )
    validator: str = _setting(
        "TCAP_VALIDATOR",
        "turbo",
        "SHACL engine: `turbo` (pyshacl-turbo, fast) or `pyshacl` (the reference); same findings.",
    )
    service_allow: tuple[str, ...] = _setting(
        "TCAP_SERVICE_ALLOW",
        (),
        "Comma-separated SPARQL endpoint URLs that `SERVICE` may call (empty: SERVICE refused).",
        _parse_list,
    )
    cors_origins: tuple[str, ...] = _setting(
        "TCAP_CORS_ORIGINS",
        ("*",),
        "Comma-separated origins allowed to read by CORS (`*` = any, never with credentials).",
        _parse_list,
    )
    tokens_file: str = _setting(
        "TCAP_TOKENS_FILE",
        "",
        "File holding hashes of write tokens (default: `tokens.json` inside the store directory; "
        "for an in-memory or remote store, in `$XDG_CONFIG_HOME/tcap-kg`).",
    )
    log_level: str = _setting(
        "TCAP_LOG_LEVEL", "INFO", "Logging level: DEBUG, INFO, WARNING, ERROR."
    )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Read every `TCAP_*` variable; explicit overrides (CLI options) win over the environment."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for spec in dataclasses.fields(cls):
            name = spec.metadata["env"]
            if name in env:
                try:
                    values[spec.name] = spec.metadata["parse"](env[name])
                except ValueError as exc:
                    raise InputError(f"{name}: {exc}") from exc
        values.update({key: value for key, value in overrides.items() if value is not None})
        return cls(**values)

    @property
    def store_location(self) -> str:
        """The store setting with the documented default filled in."""
        return self.store or default_store_location()

    def replace(self, **changes: Any) -> Settings:
        """A copy with some settings changed (settings are immutable so workers can share them)."""
        return dataclasses.replace(self, **changes)


def documented_settings() -> list[tuple[str, str, str]]:
    """(variable, default, help) for every setting, in declaration order, for docs and tests."""
    rows = []
    for spec in dataclasses.fields(Settings):
        default = spec.default
        if isinstance(default, tuple):
            shown = ",".join(default)
        elif isinstance(default, bool):
            shown = "on" if default else "off"
        else:
            shown = str(default)
        rows.append((spec.metadata["env"], shown or "(empty)", spec.metadata["help"]))
    return rows
