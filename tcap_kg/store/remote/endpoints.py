"""Where a remote store lives: the query, update and Graph Store URLs from the settings."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from ...errors import InputError
from ...settings import Settings

SCHEMES = ("sparql+http://", "sparql+https://")


def is_remote(location: str) -> bool:
    """Whether a store location names a remote SPARQL server."""
    return location.startswith(SCHEMES)


@dataclass(frozen=True)
class Endpoints:
    """The three URLs of a remote store and the parameters every query carries."""

    query: str
    update: str
    gsp: str | None
    query_params: tuple[tuple[str, str], ...] = ()

    @property
    def uses_tls(self) -> bool:
        return any(url.startswith("https:") for url in (self.query, self.update, self.gsp or ""))

    @classmethod
    def from_settings(cls, settings: Settings) -> Endpoints:
        """Derive the URLs: `.../query` has siblings `.../update` and `.../store` (Oxigraph's
        layout); any other path serves updates itself and has no Graph Store unless configured."""
        location = settings.store_location
        if not is_remote(location):
            raise InputError(
                f"TCAP_STORE={location!r}: a remote store URL starts with sparql+http(s)://"
            )
        url = location.removeprefix("sparql+")
        parts = urlsplit(url)
        if not parts.hostname:
            raise InputError(f"TCAP_STORE={location!r}: no host in the store URL")
        if parts.username or parts.password:
            raise InputError(
                "TCAP_STORE: put credentials in TCAP_STORE_USER / TCAP_STORE_PASSWORD or "
                "TCAP_STORE_TOKEN, not in the URL"
            )
        query = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
        params = tuple(parse_qsl(parts.query, keep_blank_values=True))
        path = parts.path.rstrip("/")
        sibling = path.endswith("/query")

        def near(name: str) -> str:
            return urlunsplit((parts.scheme, parts.netloc, path[: -len("query")] + name, "", ""))

        update = settings.store_update_url or (near("update") if sibling else query)
        gsp = settings.store_gsp_url or (near("store") if sibling else None)
        for name, value in (("TCAP_STORE_UPDATE_URL", update), ("TCAP_STORE_GSP_URL", gsp)):
            if value and urlsplit(value).scheme not in ("http", "https"):
                raise InputError(f"{name}={value!r}: expected an http(s):// URL")
        return cls(query, update, gsp, params)
