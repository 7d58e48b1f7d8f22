"""Exports: every object a viewer may see, streamed in the order an import needs.

Places, people and events come first, then records, each with its `kind`, so that importing an
export into an empty archive restores the same archive. Pure and streaming: the same generators serve
`/export.jsonl` and `archive export`, and memory stays constant however large the archive.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import IO

from . import db as store
from .access import Viewer

FORMATS = ("jsonl", "json")


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


CHUNKS = {"jsonl": jsonl_chunks, "json": json_chunks}


def write(objects: Iterable[dict], out: IO[str], fmt: str = "jsonl") -> None:
    for chunk in CHUNKS[fmt](objects):
        out.write(chunk)
