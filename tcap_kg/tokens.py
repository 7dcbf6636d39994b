"""Bearer tokens for writes: created once, kept only as hashes, checked in constant time.

A token is 32 random bytes, so a plain SHA-256 of it is as hard to reverse as the token is to
guess (no password stretching needed). The file holds names, hashes and creation times, and is
re-read whenever it changes, so `tcap token revoke` takes effect on a running server at once.

The file lives inside the store directory (a store in a shared folder such as /tmp must not put
it where others can write), or in the user's config directory for a store that has no directory.
Changes hold an exclusive lock on a sibling file for the whole read-change-write, and write a
private temporary file that replaces the old one, so concurrent `tcap token create` runs keep
every token and a reader never sees half a file.
"""

from __future__ import annotations

import contextlib
import difflib
import fcntl
import hashlib
import hmac
import json
import os
import secrets
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .errors import InputError, NotFoundError, StoreError
from .settings import Settings, default_config_dir
from .store import store_kind

PREFIX = "tcap_"
_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
FILE_NAME = "tokens.json"
SETTLED_NS = 100_000_000
"""A file changed less than this long ago is read again on the next check: two writes within
one tick of the file system's clock can leave the same size and times behind."""


@dataclass(frozen=True)
class TokenRecord:
    """A stored token: its name, the hash of its secret and when it was made."""

    name: str
    sha256: str
    created: str


def tokens_path(settings: Settings) -> Path:
    """The tokens file: the setting, else `tokens.json` inside the store directory, else (an
    in-memory or remote store) in the user's config directory."""
    if settings.tokens_file:
        return Path(settings.tokens_file).expanduser()
    location = settings.store_location
    if store_kind(location) == "directory":
        return Path(location).expanduser() / FILE_NAME
    return default_config_dir() / FILE_NAME


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TokenFile:
    """The tokens file, read lazily and re-read when it changed on disk."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._stamp: tuple[int, int, int, int] | None = None
        self._records: list[TokenRecord] = []

    def records(self) -> list[TokenRecord]:
        """The tokens now on file (none if the file does not exist)."""
        with self._lock:
            try:
                stat = self.path.stat()
            except FileNotFoundError:
                self._stamp, self._records = None, []
                return []
            stamp = (stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size)
            if stamp != self._stamp:
                self._records = _read(self.path)
                settled = time.time_ns() - stat.st_ctime_ns > SETTLED_NS
                self._stamp = stamp if settled else None
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
        if name is not None and (not name or not set(name) <= _NAME_CHARS):
            raise InputError(f"token name {name!r}: use letters, digits, '.', '_' or '-'")
        with self._changing() as records:
            names = {record.name for record in records}
            if name is None:
                number = len(records) + 1
                while f"token-{number}" in names:
                    number += 1
                name = f"token-{number}"
            if name in names:
                raise InputError(f"a token named {name!r} exists already (revoke it first)")
            token = PREFIX + secrets.token_urlsafe(32)
            created = datetime.now(UTC).replace(microsecond=0).isoformat()
            records.append(TokenRecord(name, digest(token), created))
        return name, token

    def revoke(self, name: str) -> None:
        """Forget a token; unknown names are an error with a suggestion."""
        with self._changing() as records:
            kept = [record for record in records if record.name != name]
            if len(kept) == len(records):
                close = difflib.get_close_matches(name, [r.name for r in records], n=1)
                hint = (
                    f"; did you mean {close[0]!r}?" if close else "; `tcap token list` shows them"
                )
                raise NotFoundError(f"no token named {name!r}{hint}")
            records[:] = kept

    @contextlib.contextmanager
    def _changing(self) -> Iterator[list[TokenRecord]]:
        """The records on file, to change in place; written back (atomically, owner-only) when
        the block ends without an error. Other processes changing the file wait meanwhile."""
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        lock = os.open(
            self.path.with_name(self.path.name + ".lock"),
            os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW,
            0o600,
        )
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            records = _read(self.path) if self.path.exists() else []
            yield records
            _replace(self.path, {"tokens": [record.__dict__ for record in records]})
        finally:
            os.close(lock)


def _replace(path: Path, document: object) -> None:
    """Write `document` to a private temporary file beside `path`, then put it in its place."""
    descriptor, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            json.dump(document, out, indent=2)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def _read(path: Path) -> list[TokenRecord]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        return [TokenRecord(**entry) for entry in document["tokens"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise StoreError(f"{path}: not a valid tokens file ({exc})") from exc
