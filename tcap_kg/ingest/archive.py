"""Zip archives: a dataset that is several files (a CSV template set) sent as one.

Only what the archive says it holds is trusted after checking: every member is read with a
budget (the uncompressed total may not pass the same limit as a single file, whatever the
headers claim), encrypted members and archives of more than MAX_MEMBERS files are refused,
and nothing is ever written to disk under a member's name. Folders, hidden files (`.DS_Store`,
macOS `__MACOSX/` forks), paths that climb out (`../`), archives inside the archive and files
that are neither RDF nor CSV are passed over; an archive with none left is an error.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import PurePosixPath

from ..errors import InputError, ParseError, TooLargeError, UnsafeInputError
from ..rdfio import FORMAT_NAMES

MAX_MEMBERS = 1000
ARCHIVE_SUFFIXES = (".zip",)
READABLE_SUFFIXES = frozenset({"." + name for name in FORMAT_NAMES} | {".csv"})


def is_archive(name: str) -> bool:
    return name.lower().endswith(ARCHIVE_SUFFIXES)


def read_archive(data: bytes, *, source: str, max_bytes: int) -> list[tuple[str, bytes]]:
    """The RDF and CSV members of a zip archive, named `source/member`, with their bytes."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise ParseError(f"not a readable zip archive ({exc})", source=source) from None
    entries = archive.infolist()
    if len(entries) > MAX_MEMBERS:
        raise UnsafeInputError(
            f"{source}: {len(entries):,} files in one archive; at most {MAX_MEMBERS:,} are read"
        )
    budget = max_bytes
    members: list[tuple[str, bytes]] = []
    for entry in entries:
        if not _wanted(entry):
            continue
        name = f"{source}/{entry.filename}"
        if entry.flag_bits & 0x1:
            raise InputError(f"{name}: encrypted; send the archive without a password")
        if entry.file_size > budget:
            raise _too_large(source, max_bytes)
        try:
            with archive.open(entry) as member:
                content = member.read(budget + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
            raise ParseError(f"cannot unpack this file ({exc})", source=name) from None
        if len(content) > budget:
            raise _too_large(source, max_bytes)
        budget -= len(content)
        members.append((name, content))
    if not members:
        raise InputError(f"{source}: no RDF or CSV files in this archive")
    return members


def _wanted(entry: zipfile.ZipInfo) -> bool:
    path = PurePosixPath(entry.filename)
    if entry.is_dir() or any(part.startswith((".", "__MACOSX")) for part in path.parts):
        return False
    return path.suffix.lower() in READABLE_SUFFIXES


def _too_large(source: str, max_bytes: int) -> TooLargeError:
    return TooLargeError(
        f"{source}: unpacks to more than the {max_bytes:,}-byte limit (TCAP_MAX_FILE_BYTES)"
    )
