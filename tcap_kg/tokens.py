"""Bearer tokens for writes: created once, kept only as hashes, checked in constant time.

A token is 32 random bytes, so a plain SHA-256 of it is as hard to reverse as the token is to
guess (no password stretching needed). The file holds names, hashes and creation times, and is
re-read whenever it changes, so `tcap token revoke` takes effect on a running server at once.
"""

from __future__ import annotations

import difflib
import hashlib
import hmac
import json
import os
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .errors import InputError, NotFoundError
from .settings import Settings, default_store_location
from .store import MEMORY

PREFIX = "tcap_"
_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")


@dataclass(frozen=True)
class TokenRecord:
    """A stored token: its name, the hash of its secret and when it was made."""

    name: str
    sha256: str
    created: str


def tokens_path(settings: Settings) -> Path:
    """The tokens file: the setting, or `tokens.json` beside the store directory."""
    if settings.tokens_file:
        return Path(settings.tokens_file).expanduser()
    location = settings.store_location
    if location == MEMORY or "://" in location:
        location = default_store_location()
    return Path(location).expanduser().parent / "tokens.json"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TokenFile:
    """The tokens file, read lazily and re-read when it changed on disk."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._records: list[TokenRecord] = []

    def records(self) -> list[TokenRecord]:
        """The tokens now on file (none if the file does not exist)."""
        with self._lock:
            try:
                stat = self.path.stat()
            except FileNotFoundError:
                self._stamp, self._records = None, []
                return []
            stamp = (stat.st_mtime_ns, stat.st_size)
            if stamp != self._stamp:
                self._records = _read(self.path)
                self._stamp = stamp
            return list(self._records)

    def check(self, presented: str) -> str | None:
        """The name of the token matching `presented`, comparing every hash in constant time."""
        wanted = digest(presented)
        found = None
        for record in self.records():
            if hmac.compare_digest(record.sha256, wanted):
                found = record.name
        return found

    def create(self, name: str | None = None) -> tuple[str, str]:
        """A new token (returned once, never stored) and its name."""
        records = self.records()
        names = {record.name for record in records}
        if name is None:
            number = len(records) + 1
            while f"token-{number}" in names:
                number += 1
            name = f"token-{number}"
        if not name or not set(name) <= _NAME_CHARS:
            raise InputError(f"token name {name!r}: use letters, digits, '.', '_' or '-'")
        if name in names:
            raise InputError(f"a token named {name!r} exists already (revoke it first)")
        token = PREFIX + secrets.token_urlsafe(32)
        created = datetime.now(UTC).replace(microsecond=0).isoformat()
        self._write([*records, TokenRecord(name, digest(token), created)])
        return name, token

    def revoke(self, name: str) -> None:
        """Forget a token; unknown names are an error with a suggestion."""
        records = self.records()
        kept = [record for record in records if record.name != name]
        if len(kept) == len(records):
            close = difflib.get_close_matches(name, [r.name for r in records], n=1)
            hint = f"; did you mean {close[0]!r}?" if close else "; `tcap token list` shows them"
            raise NotFoundError(f"no token named {name!r}{hint}")
        self._write(kept)

    def _write(self, records: list[TokenRecord]) -> None:
        """Replace the file atomically, readable by its owner only."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(self.path.name + ".tmp")
        document = {"tokens": [record.__dict__ for record in records]}
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            json.dump(document, out, indent=2)
        temporary.replace(self.path)


def _read(path: Path) -> list[TokenRecord]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        return [TokenRecord(**entry) for entry in document["tokens"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{path}: not a valid tokens file ({exc})") from exc
