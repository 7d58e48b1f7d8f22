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
from .schema import current_seq

LABEL_FIELDS = ("subject", "collection")


def labels(db, field: str, viewer: Viewer) -> list[dict]:
    """Each subject (or collection) of the records the viewer may see, by name: its `slug`, `name`
    (the commonest spelling), `count` of records and `spellings`."""
    if field not in LABEL_FIELDS:
        raise ValueError(f"{field} is not one of {', '.join(LABEL_FIELDS)}")
    where, params = visible_records_sql(viewer)
    # Each spelling with its records, counted by SQLite: a slug per spelling, not per record's
    # label (slugs of every label of 50,000 records took two seconds).
    if field == "subject":
        sql = (f"SELECT j.value, COUNT(DISTINCT r.id) FROM records r, json_each(r.subjects) j "
               f"WHERE {where} GROUP BY j.value")
    else:
        sql = (f"SELECT r.collection, COUNT(*) FROM records r WHERE r.collection IS NOT NULL AND {where} "
               f"GROUP BY r.collection")
    spellings: dict[str, Counter] = {}
    for value, count in db.execute(sql, params):
        key = slug(value or "")
        if key:
            spellings.setdefault(key, Counter())[value] += count
    found = []
    for key, counts in spellings.items():
        ranked = sorted(counts.items(), key=lambda sc: (-sc[1], sc[0]))
        names = [s for s, _ in ranked]
        total = ranked[0][1] if len(ranked) == 1 else _records_with(db, field, names, where, params)
        found.append({"slug": key, "name": names[0], "count": total, "spellings": names})
    return sorted(found, key=lambda label: (label["name"].casefold(), label["slug"]))


def _records_with(db, field: str, spellings: list[str], where: str, params) -> int:
    """Visible records carrying any of these spellings (a record may carry two of them)."""
    marks = ", ".join("?" * len(spellings))
    if field == "subject":
        sql = (f"SELECT COUNT(DISTINCT r.id) FROM records r, json_each(r.subjects) j "
               f"WHERE {where} AND j.value IN ({marks})")
    else:
        sql = f"SELECT COUNT(*) FROM records r WHERE {where} AND r.collection IN ({marks})"
    return db.execute(sql, [*params, *spellings]).fetchone()[0]


# Facet labels are asked for by every search, and reading them walks every visible record: they are
# kept per database, field, levels seen and day until the next write (the change number moves).
_NAMES: dict[tuple, dict[str, str]] = {}
_NAMES_LOCK = threading.Lock()
_NAMES_KEPT = 64


def label_names(db, field: str, viewer: Viewer) -> dict[str, str]:
    """Slug -> name of the subjects (or collections) the viewer may see (for facet labels)."""
    path = db.execute("PRAGMA database_list").fetchone()[2]
    key = (path, field, viewer.levels, today(), current_seq(db))
    with _NAMES_LOCK:
        found = _NAMES.get(key)
    if found is None:
        found = {label["slug"]: label["name"] for label in labels(db, field, viewer)}
        with _NAMES_LOCK:
            if len(_NAMES) >= _NAMES_KEPT:
                _NAMES.clear()
            _NAMES[key] = found
    return found
