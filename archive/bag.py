"""BagIt bags of an archive: the export and its media files, checksummed, for transfer and safekeeping.

This module owns the layout of `archive export --format bag DEST` and the checks of `archive import
DEST` (docs/architecture.md, "Recordings"): `data/export.jsonl` (the JSON Lines export), the files
as `data/media/<sha256>`, `manifest-sha256.txt` and the other tag files, written and validated by the
Library of Congress `bagit` library (the reference implementation of RFC 8493). A bag is built in a
temporary folder beside DEST and renamed into place, so a failed export leaves no half bag; a stored
file whose content no longer matches its checksum is refused rather than carried on.

`bagit.make_bag` changes the process's working directory while it runs, so `write_bag` belongs to the
command line, not to a request thread of the web server. Reading validates every checksum, refuses
bags that would fetch files (`fetch.txt`) or hold links, and returns the paths for the importer;
what the lines mean is the importer's business, and where files go is archive/media.py's.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import bagit

from . import media

EXPORT_NAME = "export.jsonl"
MEDIA_DIR = "media"
CHECKSUMS = ["sha256"]
_SHA256 = re.compile(r"[0-9a-f]{64}")


class BagError(Exception):
    """A bag that cannot be written or trusted; the message names the files at fault."""


@dataclass(frozen=True)
class BagContents:
    """What a valid bag holds: the export's path and each media file's path by its SHA-256."""

    path: Path
    export: Path
    media: dict[str, Path]
    info: dict[str, str]


def media_checksums(lines: Iterable[dict]) -> list[str]:
    """The SHA-256 of every media file the record lines name, once each, in order."""
    seen: dict[str, None] = {}
    for line in lines:
        if line.get("kind", "record") == "record":
            for medium in line.get("media") or []:
                if medium.get("sha256"):
                    seen.setdefault(medium["sha256"], None)
    return list(seen)


def write_bag(dest: str | os.PathLike, lines: Iterable[dict | str], media_folder: str | os.PathLike,
              *, info: dict[str, str] | None = None) -> Path:
    """Write a bag of the export lines (dicts, or JSON text) and the media files they name.

    :raise BagError: when DEST exists and is not an empty folder, or a named file is missing or damaged.
    """
    dest = Path(dest)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise BagError(f"{dest} already exists and is not an empty folder")
    parent = dest.parent if str(dest.parent) else Path(".")
    parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".bag-", dir=parent))
    try:
        records: list[dict] = []
        with open(work / EXPORT_NAME, "w", encoding="utf-8", newline="\n") as out:
            for line in lines:
                obj = json.loads(line) if isinstance(line, str) else line
                records.append(obj)
                out.write(json.dumps(obj, ensure_ascii=False) + "\n")
        wanted = media_checksums(records)
        _copy_media(wanted, Path(media_folder), work / MEDIA_DIR)
        bag = bagit.make_bag(str(work), dict(info or {}), checksums=CHECKSUMS)
        # make_bag hashed every copy again: a file that changed on disk since it was stored shows here
        damaged = [sha for sha in wanted if bag.entries.get(f"data/{MEDIA_DIR}/{sha}", {}).get("sha256") != sha]
        if damaged:
            raise BagError("damaged media files (their content no longer matches their checksum): "
                           + ", ".join(damaged))
        if dest.exists():
            dest.rmdir()
        os.replace(work, dest)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return dest


def read_bag(path: str | os.PathLike) -> BagContents:
    """Validate a bag (every checksum) and return what it holds.

    :raise BagError: when it is not a valid bag of an archive export.
    """
    path = Path(path)
    links = [p for p in (path / "data").rglob("*") if p.is_symlink()]
    if links:
        raise BagError("the bag holds links instead of files: " + ", ".join(str(p.relative_to(path)) for p in links))
    try:
        bag = bagit.Bag(str(path))
    except bagit.BagError as error:
        raise BagError(f"{path} is not a BagIt bag: {error}") from None
    if list(bag.fetch_entries()):
        raise BagError("the bag lists files to fetch (fetch.txt): the archive takes only complete bags")
    try:
        bag.validate()
    except bagit.BagValidationError as error:
        details = "; ".join(_detail(d) for d in error.details) if error.details else str(error)
        raise BagError(f"the bag is not valid: {details}") from None
    except bagit.BagError as error:
        raise BagError(f"the bag is not valid: {error}") from None
    export = path / "data" / EXPORT_NAME
    if not export.is_file():
        raise BagError(f"the bag has no data/{EXPORT_NAME}")
    found: dict[str, Path] = {}
    for name, hashes in bag.entries.items():
        parts = Path(name).parts
        if len(parts) == 3 and parts[:2] == ("data", MEDIA_DIR):
            if not _SHA256.fullmatch(parts[2]) or hashes.get("sha256") != parts[2]:
                raise BagError(f"{name} is not named by its SHA-256")
            found[parts[2]] = path / name
    return BagContents(path, export, found, dict(bag.info))


def _copy_media(wanted: list[str], folder: Path, target: Path) -> None:
    target.mkdir(mode=0o700)
    missing = []
    for sha in wanted:
        source = media.path_for(folder, sha)
        if not source.is_file():
            missing.append(sha)
            continue
        shutil.copyfile(source, target / sha)
    if missing:
        raise BagError("media files missing from the archive: " + ", ".join(missing))


def _detail(detail) -> str:
    if isinstance(detail, bagit.ChecksumMismatch):
        return f"{detail.path} has changed (its {detail.algorithm} checksum does not match)"
    return str(detail)
