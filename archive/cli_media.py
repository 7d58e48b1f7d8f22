"""The command line's recordings: `media add`, `check`, bags, OHMS files, the sample recording, and
the media folder in backups (docs/architecture.md, "Recordings").

The operations are plain functions over a store connection and an index, so tests and `cli.py` call
the same code; `add_commands(cli, get_archive)` registers the commands on the `archive` group. Files
always reach the media folder through the write path's `records.Files` (archive/media.py: hashed,
synced, renamed, measured), before the commit that names them.
"""
from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import click

from . import bag, clock, importer, media, ohms, records, silence, store, transcripts
from .access import SYSTEM
from .errors import ValidationError
from .index import Index, find_drift

SAMPLE_RECORDING = "sample/media/seed-letter-reading.json"


def files_for(archive, base: Path | None = None) -> records.Files:
    return records.Files(base=base, max_bytes=int(archive.settings["MEDIA_MAX_BYTES"]))


def add_media(db, index, record_id: str, path: Path, files: records.Files, label: str | None = None,
              transcript: Path | None = None, user: str | None = None) -> dict:
    """Store a file, read its transcript, and add both to a record as a new media entry.

    :raise click.ClickException: on a missing record, a file or transcript that cannot be read.
    """
    record = store.get_record(db, record_id, SYSTEM)
    if record is None:
        raise click.ClickException(f"no record {record_id}")
    try:
        measured = files.store(path, store.media_folder(db))
    except media.MediaError as error:
        raise click.ClickException(f"{path}: {error}") from None
    used = {m["id"] for m in record["media"]}
    entry = {"id": next(f"m{n}" for n in range(1, len(used) + 2) if f"m{n}" not in used),
             "label": label, "filename": path.name[-500:], "sha256": measured.sha256, "transcript": []}
    if transcript is not None:
        try:
            read = transcripts.read_transcript(transcript.read_bytes(), duration=measured.duration,
                                               language=(record["language"] or [None])[0])
        except transcripts.TranscriptError as error:
            raise click.ClickException(f"{transcript}: {error}") from None
        entry["transcript"], entry["notes"] = read.cues, read.notes
        files.notices.extend(read.notices)
    data = {**records.record_input(record), "id": record_id, "media": [*record["media"], entry]}
    try:
        return records.save_record(db, index, data, user, files=files)
    except ValidationError as error:
        raise click.ClickException(str(error)) from None


def load_sample_recording(db, index) -> bool:
    """Put the sample recording (the seed letter read by a machine) with its transcript and segments
    onto the sample's letter record; False when that record is missing or already has media."""
    folder = resources.files("archive").joinpath("sample/media")
    with resources.as_file(folder) as where:
        described = json.loads((where / "seed-letter-reading.json").read_text(encoding="utf-8"))
        record = store.get_record(db, described["record"], SYSTEM)
        if record is None or record["media"]:
            return False
        entries = [{**m, "path": m["filename"]} for m in described["media"]]
        data = {**records.record_input(record), "id": record["id"], "media": entries,
                "segments": described["segments"]}
        records.save_record(db, index, data, "sample", files=records.Files(base=where))
    return True


@dataclass
class Check:
    """What `archive check` found: faults (damaged or missing files, index drift) and notes."""

    faults: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def check(db, index_path: str, prune: bool = False) -> Check:
    """Re-hash every file that a record names; compare the index with the database; note silenced
    copies that no redaction asks for any more, and remove them when `prune` is given."""
    found = Check()
    folder = store.media_folder(db)
    named: set[str] = set()
    stale = silence.stale_copies(folder, ({"media": json.loads(row["media"] or "[]"),
                                           "redactions": json.loads(row["redactions"] or "[]")}
                                          for row in store.iter_record_rows(db, SYSTEM)), clock.today())
    if prune:
        found.notes.append(f"removed silenced copies no redaction asks for any more: {silence.prune(stale)}")
    else:
        found.notes += [f"silenced copy no redaction asks for any more (`archive check --prune` removes it): "
                        f"{path.name}" for path in stale]
    for row in store.iter_record_rows(db, SYSTEM):
        for medium in json.loads(row["media"] or "[]"):
            sha = medium.get("sha256")
            if not sha:
                continue
            named.add(sha)
            path = media.path_for(folder, sha)
            where = f"record {row['id']}, file {medium['id']} ({medium.get('filename') or sha[:12]})"
            if not path.is_file():
                found.faults.append(f"missing: {where}")
            elif not media.verify(path, sha):
                found.faults.append(f"damaged (its checksum changed): {where}")
    for sha in media.stored_files(folder):
        if sha not in named:
            found.notes.append(f"not named by any record (left by a failed save or an older revision): {sha}")
    if not Index.exists(index_path):
        found.faults.append("there is no search index: run `archive reindex`")
    else:
        index = Index(index_path)
        try:
            drift = find_drift(index, records.IndexSource(db))
        finally:
            index.close()
        if drift.any:
            found.faults.append(f"index: {drift} (run `archive reindex`)")
    return found


def import_bag(db, index, path: Path, files: records.Files, user: str = "import") -> importer.Plan:
    """Validate a bag with bagit, store its files, then import its export (all or nothing)."""
    try:
        contents = bag.read_bag(path)
    except bag.BagError as error:
        raise click.ClickException(str(error)) from None
    folder = store.media_folder(db)
    for sha, file in contents.media.items():
        try:
            files.store(file, folder)
        except media.MediaError as error:
            raise click.ClickException(f"{file}: {error}") from None
    return importer.run(db, index, contents.export, user=user, files=files)


def ohms_as_jsonl(path: Path, folder: Path) -> tuple[Path, list[str]]:
    """An OHMS XML file written as a JSON Lines import (so it is checked like any import)."""
    try:
        read = ohms.read_ohms(path.read_bytes())
    except ohms.OhmsError as error:
        raise click.ClickException(f"{path}: {error}") from None
    lines = folder / (path.stem + ".jsonl")
    lines.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in read.records), encoding="utf-8")
    return lines, read.notices


def copy_media(source: Path, target: Path) -> int:
    """Copy the files of one media folder into another (those it lacks), each checked against its
    name, through a temporary name; returns how many were copied."""
    copied = 0
    for sha in media.stored_files(source):
        final = media.path_for(target, sha)
        if final.is_file() and media.verify(final, sha):
            continue
        media.ensure_folder(target)
        with tempfile.NamedTemporaryFile(dir=target, prefix=media.INCOMING_PREFIX, delete=False) as tmp:
            with open(source / sha, "rb") as f:
                shutil.copyfileobj(f, tmp)
            tmp.flush()
        if not media.verify(tmp.name, sha):
            Path(tmp.name).unlink()
            raise click.ClickException(f"{source / sha} is damaged (its content no longer matches its name)")
        Path(tmp.name).replace(final)
        copied += 1
    return copied


def add_commands(cli: click.Group, get_archive) -> None:
    """Register `media add` and `check` on the `archive` group."""

    @cli.group("media")
    def media_group():
        """Files of records: recordings, images, documents.

        Example: archive media add r7q2k9 interview.ogg --transcript interview.vtt
        """

    @media_group.command("add")
    @click.argument("record_id")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--label", help="What the file is, e.g. 'Tape 1, side A'.")
    @click.option("--transcript", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                  help="Its time-coded transcript, WebVTT (.vtt) or SRT (.srt).")
    def media_add_command(record_id, file, label, transcript):
        """Add a file (and its transcript) to a record: stored by its SHA-256, measured, indexed.

        Example: archive media add r7q2k9 tape1.ogg --transcript tape1.vtt
        """
        archive = get_archive().start()
        files = files_for(archive)
        saved = add_media(archive.db, archive.index, record_id, file, files, label, transcript, "cli")
        entry = saved["media"][-1]
        for notice in files.notices:
            click.echo(f"  transcript: {notice}", err=True)
        length = f", {entry['duration']:g} s" if entry.get("duration") else ""
        click.echo(f"Added {entry['id']} to {record_id}: {entry['mimetype']}, {entry['bytes']} bytes{length}, "
                   f"{len(entry['transcript'])} cues.")

    @cli.command("check")
    @click.option("--prune", is_flag=True, help="Also remove the silenced copies of recordings that no "
                                                 "redaction asks for any more.")
    def check_command(prune):
        """Fixity: re-hash every media file and compare the index with the database; exit 1 on any fault.

        Example: archive check --prune
        """
        archive = get_archive()
        found = check(archive.db, archive.settings["SEARCH_INDEX"], prune=prune)
        for note in found.notes:
            click.echo(f"  note: {note}")
        for fault in found.faults:
            click.echo(f"  {fault}", err=True)
        if found.faults:
            raise click.ClickException(f"{len(found.faults)} fault(s) found")
        click.echo("Every file is whole and the index matches the database.")
