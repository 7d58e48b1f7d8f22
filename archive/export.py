"""Exports: every object a viewer may see, streamed in the order an import needs.

Places, people and events come first, then records, each with its `kind`, so that importing an
export into an empty archive restores the same archive. Pure and streaming: the same generators serve
the HTTP exports and `archive export`, and memory stays constant however large the archive.

Formats: `jsonl` and `json` (our own JSON, lossless), `csv` (records only, one row each, columns and
cell syntax in `csvrows`; UTF-8 with a byte-order mark so spreadsheets read Khmer correctly) and
`jsonld` (schema.org and Dublin Core through `crosswalk`, one `@graph`).
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import IO

from . import crosswalk, csvrows, store
from .access import Viewer

FORMATS = ("jsonl", "json", "csv", "jsonld")
MIMETYPES = {"jsonl": "application/x-ndjson", "json": "application/json",
             "csv": "text/csv; charset=utf-8", "jsonld": "application/ld+json"}
BOM = "\ufeff"  # Excel and LibreOffice take a CSV for UTF-8 (and show Khmer) only with it


def iter_objects(db, viewer: Viewer) -> Iterator[dict]:
    """Places, people, events, then records: what `viewer` may see, each with its `kind`."""
    for kind in ("place", "person", "event"):
        yield from store.iter_entities(db, kind, viewer)
    yield from iter_records(db, viewer)


def iter_records(db, viewer: Viewer) -> Iterator[dict]:
    for row in store.iter_record_rows(db, viewer):
        yield store.record_json(db, row)


def dumps(obj: dict) -> str:
    return json.dumps(obj, ensure_ascii=False)


def jsonl_chunks(objects: Iterable[dict]) -> Iterator[str]:
    for obj in objects:
        yield dumps(obj) + "\n"


def json_chunks(objects: Iterable[dict]) -> Iterator[str]:
    """A JSON array, one object a line, without holding the array in memory."""
    yield "["
    first = True
    for obj in objects:
        yield ("\n" if first else ",\n") + dumps(obj)
        first = False
    yield "\n]\n"


def records_by_ids(db, ids: Iterable[str], viewer: Viewer, batch: int = 100) -> Iterator[dict]:
    """The records with these ids, in this order, that the viewer may see (a batch at a time)."""
    chunk: list[str] = []
    for record_id in ids:
        chunk.append(record_id)
        if len(chunk) == batch:
            for row in store.records_by_ids(db, chunk, viewer):
                yield store.record_json(db, row)
            chunk = []
    for row in store.records_by_ids(db, chunk, viewer):
        yield store.record_json(db, row)


def csv_chunks(objects: Iterable[dict]) -> Iterator[str]:
    """A header row, then one row per record (authorities are skipped: records name them)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(csvrows.COLUMNS)
    yield BOM + buffer.getvalue()
    for obj in objects:
        if obj.get("kind", "record") != "record":
            continue
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(csvrows.to_row(obj))
        yield buffer.getvalue()


def jsonld_chunks(objects: Iterable[dict], base: str, context: str | dict | None = None) -> Iterator[str]:
    """One JSON-LD document: the context (a URL, or embedded when None) and a `@graph`."""
    ctx = context if context is not None else crosswalk.context()["@context"]
    yield '{"@context": ' + json.dumps(ctx, ensure_ascii=False) + ',\n"@graph": ['
    first = True
    for obj in objects:
        yield ("\n" if first else ",\n") + dumps(crosswalk.to_jsonld(obj, base))
        first = False
    yield "\n]}\n"


def chunks(fmt: str, objects: Iterable[dict], base: str = "", context: str | dict | None = None
           ) -> Iterator[str]:
    if fmt == "jsonld":
        return jsonld_chunks(objects, base, context)
    return {"jsonl": jsonl_chunks, "json": json_chunks, "csv": csv_chunks}[fmt](objects)


def write(objects: Iterable[dict], out: IO[str], fmt: str = "jsonl", base: str = "") -> None:
    for chunk in chunks(fmt, objects, base):
        out.write(chunk)
