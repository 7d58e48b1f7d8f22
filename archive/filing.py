"""The write path's files: where a write's media files come from, and the measured facts of each
media entry (docs/architecture.md, "Recordings").

`archive/records.py` calls `measured_media` inside its write transaction, before the commit: a file
given by `path` (relative to the import file, never outside it) or uploaded (`Files.store`) is stored
by archive/media.py and measured; a `sha256` alone must name a file the archive holds, whose measure
is reused from the record's previous revision or taken again; what an input claims of a file
(`bytes`, `sha256`, `mimetype`, `duration`, `kind`) is never kept. Raises the write path's
`ValidationError`, naming the entry at fault.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from . import media, timecoded
from .errors import ValidationError
from .messages import Text


@dataclass
class Files:
    """Where a write's media files come from: the folder an import's `path`s are relative to (None:
    `path` is refused, as in a web import), the size limit (setting MEDIA_MAX_BYTES), and the files
    this process has just stored and measured itself (`media.store`), by SHA-256."""

    base: Path | None = None
    max_bytes: int = media.DEFAULT_MAX_BYTES
    measured: dict[str, media.Measured] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)  # what reading transcripts repaired

    def store(self, source, folder) -> media.Measured:
        """Store a file (a path or an open binary stream) and remember its measure. :raise MediaError:"""
        done = media.store(source, folder, max_bytes=self.max_bytes)
        self.measured[done.sha256] = done
        return done


def measured_media(files: Files, folder: Path, entries: list[dict], old: list[dict]) -> list[dict]:
    """Media entries with what the archive measured of their files (stored first when given by
    `path`), never what the input claims. :raise ValidationError:"""
    known = {m["sha256"]: m for m in old if m.get("sha256")}
    out, errors = [], []
    for i, given in enumerate(entries):
        entry = {k: v for k, v in given.items() if k != "path"}
        try:
            found = _measure(files, given, folder, known)
        except media.MediaError as error:
            errors.append((f"media.{i}.{'path' if given.get('path') else 'sha256'}", error.text))
            continue
        if found is None:
            entry.update(dict.fromkeys(timecoded.MEASURED))
        else:
            entry.update({k: found[k] for k in (*timecoded.MEASURED, "kind")})
        out.append(entry)
        errors += timecoded.check_lengths(entry, f"media.{i}")
    if errors:
        raise ValidationError(errors)
    return out


def _measure(files: Files, given: dict, folder: Path, known: dict[str, dict]) -> dict | None:
    if given.get("path"):
        if files.base is None:
            raise media.MediaError(Text("a file path is read only by `archive import` on the server; "
                                        "upload the file on the record's form"))
        base = files.base.resolve()
        source = (base / given["path"]).resolve()
        if not source.is_relative_to(base) or not source.is_file():
            raise media.MediaError(Text("no file %(path)s beside the import file", path=repr(given["path"])))
        return files.store(source, folder).as_dict()
    sha = given.get("sha256")
    if not sha:
        return None  # a recording kept elsewhere (an OHMS media URL): no file here yet
    if sha in files.measured:
        return files.measured[sha].as_dict()
    if sha in known:  # measured when it was first stored
        return known[sha]
    path = media.path_for(folder, sha)
    if not path.is_file():
        raise media.MediaError(Text("the archive has no file with this checksum: give the file's `path`, "
                                    "or import a bag (archive export --format bag)"))
    found = media.measure(path)
    if found.sha256 != sha:
        raise media.MediaError(Text("the archive's copy of this file is damaged (its checksum changed)"))
    return found.as_dict()
