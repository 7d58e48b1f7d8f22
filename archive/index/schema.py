"""The index's fields and how a record becomes an index document.

It owns `SCHEMA`, `INDEX_VERSION`, the marker document's id, which fields are facets and date
bounds, and `to_document`. It does not read the database: the write path (`archive.records`) hands
it the record, the names of its linked authorities and its date bounds.
"""
from __future__ import annotations

from whoosh import fields

from ..names import slug
from . import analysis

MARKER_ID = "__marker__"
# Raise when SCHEMA or the analyzer changes: an index built with another version is then rebuilt
# from the database at start-up (the analyzer is pickled into the index, so an old one would stay).
# 4: the analyzer moved from archive.analysis to archive.index.analysis (its pickled path).
# 5: subjects and collections kept by their slugs (`subject_key`, `collection_key`), for facets.
INDEX_VERSION = "5"

# Facets: index field -> the name `/search.json` gives it (and the search's URL parameter).
FACETS = {"type": "type", "language": "language", "person_id": "person", "event_id": "event",
          "place_id": "place", "decade": "decade", "collection_key": "collection",
          "subject_key": "subject", "access": "access"}
FACET_FIELDS = tuple(FACETS)
BOUND_FIELDS = ("date_lo", "date_hi", "period_lo", "period_hi")


def _schema() -> fields.Schema:
    text = analysis.ANALYZER
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        doctype=fields.ID(),  # "record", or "marker" for the marker document
        seq=fields.NUMERIC(stored=True, bits=64),
        archive=fields.ID(stored=True),
        version=fields.ID(stored=True),  # INDEX_VERSION of the marker document
        title=fields.TEXT(analyzer=text, field_boost=3.0, phrase=True, multitoken_query="phrase"),
        summary=fields.TEXT(analyzer=text, field_boost=2.0, phrase=True, multitoken_query="phrase"),
        text=fields.TEXT(analyzer=text, phrase=True, chars=True, multitoken_query="phrase"),
        person=fields.TEXT(analyzer=text, field_boost=1.5, multitoken_query="phrase"),  # names and all their variants
        event=fields.TEXT(analyzer=text, field_boost=1.5, multitoken_query="phrase"),
        place=fields.TEXT(analyzer=text, field_boost=1.5, multitoken_query="phrase"),
        subject=fields.TEXT(analyzer=text, field_boost=1.5, multitoken_query="phrase"),
        person_id=fields.KEYWORD(commas=True),
        event_id=fields.KEYWORD(commas=True),
        place_id=fields.KEYWORD(commas=True),
        subject_key=fields.KEYWORD(commas=True),  # slugs (`names.slug`): `refugees-camps`
        type=fields.ID(),
        language=fields.KEYWORD(commas=True, lowercase=True),
        access=fields.ID(),
        collection=fields.ID(),
        collection_key=fields.ID(),  # its slug
        decade=fields.KEYWORD(commas=True),
        # Columns (sortable) for the date bounds, so a date range reads one column per segment.
        date_lo=fields.NUMERIC(bits=64, signed=True, sortable=True),
        date_hi=fields.NUMERIC(bits=64, signed=True, sortable=True),
        period_lo=fields.NUMERIC(bits=64, signed=True, sortable=True),
        period_hi=fields.NUMERIC(bits=64, signed=True, sortable=True),
        embargo=fields.NUMERIC(bits=64),  # YYYYMMDD, 0 when none
        title_sort=fields.ID(sortable=True),
    )


SCHEMA = _schema()


def _decades(lo: int | None, hi: int | None) -> list[str]:
    if lo is None or hi is None:
        return []
    first, last = max(lo // 10000, -9999) // 10 * 10, min(hi // 10000, 9999) // 10 * 10
    if last - first > 200:  # an open-ended date says nothing about decades
        return []
    return [f"{d}s" for d in range(first, last + 1, 10)]


def to_document(record: dict, names: dict[str, list[str]], bounds: dict) -> dict:
    """The index document of a record.

    :param record: the record as its JSON shows it.
    :param names: per kind (`person`, `event`, `place`), the names and variants of the linked
        authorities, so that any variant finds the record.
    :param bounds: `date_lo`, `date_hi`, `period_lo`, `period_hi` as YYYYMMDD integers or None,
        and `seq`, the change number of the record's last write.
    """
    embargo = int(record["embargo_until"].replace("-", "")) if record.get("embargo_until") else 0
    doc = {
        "id": record["id"],
        "doctype": "record",
        "seq": bounds["seq"],
        "title": record["title"],
        "summary": record.get("summary") or "",
        "text": record.get("text") or "",
        "person": "\n".join(names.get("person", [])),
        "event": "\n".join(names.get("event", [])),
        "place": "\n".join(names.get("place", [])),
        "subject": "\n".join(record.get("subjects") or []),
        "person_id": ",".join(p["id"] for p in record.get("people", [])),
        "event_id": ",".join(e["id"] for e in record.get("events", [])),
        "place_id": ",".join(p["id"] for p in record.get("places", [])),
        "subject_key": ",".join(dict.fromkeys(filter(None, map(slug, record.get("subjects") or [])))),
        "type": record["type"],
        "language": ",".join(record.get("language") or []),
        "access": record["access"],
        "collection": record.get("collection") or "",
        "collection_key": slug(record.get("collection") or ""),
        "embargo": embargo,
        "title_sort": record["title"].casefold()[:200],
    }
    decades = set(_decades(bounds.get("date_lo"), bounds.get("date_hi")))
    decades.update(_decades(bounds.get("period_lo"), bounds.get("period_hi")))
    doc["decade"] = ",".join(sorted(decades))
    for key in BOUND_FIELDS:
        if bounds.get(key) is not None:
            doc[key] = bounds[key]
    return {k: v for k, v in doc.items() if v != "" or k in ("id",)}


def marker_document(seq: int, archive_id: str) -> dict:
    """The document that records which database state (change number, archive) the index reflects."""
    return {"id": MARKER_ID, "doctype": "marker", "seq": seq, "archive": archive_id,
            "version": INDEX_VERSION}
