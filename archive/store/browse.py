"""Subjects and collections: the labels records carry, as a viewer may see them.

A subject or collection is known by its slug (`names.slug`: `Refugees, camps` is `refugees-camps`),
so spellings that differ only in case, accents or punctuation are one; it is named by its commonest
spelling. Only the records the viewer may see are read (`visible_records_sql`), so a label that only
hidden records carry is absent, and counts are of visible records.
"""
from __future__ import annotations

import threading
from collections import Counter

from ..access import Viewer
from ..clock import today
from ..names import slug
from .records import visible_records_sql
from .schema import current_seq, database_path

LABEL_FIELDS = ("subject", "collection")


# Where each field's labels stand: the SQL of a record's label, one a row, and the rows' tables.
_LABEL_SQL = {"subject": ("j.value", "records r, json_each(r.subjects) j"),
              "collection": ("r.collection", "records r")}


def labels(db, field: str, viewer: Viewer) -> list[dict]:
    """Each subject (or collection) of the records the viewer may see, by name: its `slug`, `name`
    (the commonest spelling), `count` of records and `spellings`."""
    if field not in LABEL_FIELDS:
        raise ValueError(f"{field} is not one of {', '.join(LABEL_FIELDS)}")
    value, tables = _LABEL_SQL[field]
    where, params = visible_records_sql(viewer)
    # Each spelling with its records, counted by SQLite: a slug per spelling, not per record's
    # label (slugs of every label of 50,000 records took two seconds).
    spellings: dict[str, Counter] = {}
    for spelling, count in db.execute(f"SELECT {value}, COUNT(DISTINCT r.id) FROM {tables} "
                                      f"WHERE {where} AND {value} IS NOT NULL GROUP BY {value}", params):
        key = slug(spelling or "")
        if key:
            spellings.setdefault(key, Counter())[spelling] += count
    # A record may carry two spellings of one slug: those slugs' records are counted by their ids.
    shared = [spelling for counts in spellings.values() if len(counts) > 1 for spelling in counts]
    records: dict[str, set] = {}
    if shared:
        marks = ", ".join("?" * len(shared))
        for spelling, record_id in db.execute(f"SELECT {value}, r.id FROM {tables} "
                                              f"WHERE {where} AND {value} IN ({marks})", [*params, *shared]):
            records.setdefault(slug(spelling), set()).add(record_id)
    found = []
    for key, counts in spellings.items():
        ranked = sorted(counts.items(), key=lambda sc: (-sc[1], sc[0]))
        found.append({"slug": key, "name": ranked[0][0], "count": len(records[key]) if key in records
                      else ranked[0][1], "spellings": [s for s, _ in ranked]})
    return sorted(found, key=lambda label: (label["name"].casefold(), label["slug"]))


# Facet labels are asked for by every search, and reading them walks every visible record: they are
# kept per database, field, levels seen and day until the next write (the change number moves).
_NAMES: dict[tuple, dict[str, str]] = {}
_NAMES_LOCK = threading.Lock()
_NAMES_KEPT = 64


def label_names(db, field: str, viewer: Viewer) -> dict[str, str]:
    """Slug -> name of the subjects (or collections) the viewer may see (for facet labels)."""
    key = (database_path(db), field, viewer.levels, today(), current_seq(db))
    with _NAMES_LOCK:
        found = _NAMES.get(key)
    if found is None:
        found = {label["slug"]: label["name"] for label in labels(db, field, viewer)}
        with _NAMES_LOCK:
            if len(_NAMES) >= _NAMES_KEPT:
                _NAMES.clear()
            _NAMES[key] = found
    return found
