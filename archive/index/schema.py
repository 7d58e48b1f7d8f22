"""The index's fields and how a record becomes an index document.

It owns `SCHEMA`, `INDEX_VERSION`, the marker document's id, which fields are facets and date
bounds, and `to_document`. The fields of a record that are indexed, and how, are described with the
record's fields (`Field.search` in archive/fields.py); this module turns those descriptions into
Whoosh fields and adds its own (ids, the marker's, sorting, decades, and the text of passages
hidden from the public per level, `LEVEL_FIELDS`). It does not read the
database: the write path (`archive.records`) hands it the record, the names of its linked
authorities and its date bounds.
"""
from __future__ import annotations

import hashlib

from whoosh import fields as W

from .. import fields, redaction
from ..access import effective_access
from ..clock import today
from ..names import slug
from . import analysis

MARKER_ID = "__marker__"
# Raise when the analyzer or the way a record becomes a document changes; a change of the fields
# themselves (one added, a boost) changes INDEX_VERSION by itself (below). An index built with another
# version is rebuilt from the database at start-up (the analyzer is pickled into the index, so an
# old one would stay). 4: the analyzer moved from archive.analysis to archive.index.analysis.
# 5: subjects and collections kept by their slugs (`subject_key`, `collection_key`), for facets.
# 6: common grams in the fields that ask for them (`Search.grams`, analysis.CommonGramsFilter).
# 7: transcripts and segments (their words, and their links counted as the record's).
# 8: redacted passages left out of `text`, kept in `text_restricted` / `text_private` (LEVEL_FIELDS).
# 9: segments wholly inside hidden time ranges left out of `segments` and of the links (in LEVEL_FIELDS).
RULES_VERSION = "9"

# Facets: index field -> the name `/search.json` gives it (and the search's URL parameter).
FACETS = {"type": "type", "language": "language", "person_id": "person", "event_id": "event",
          "place_id": "place", "decade": "decade", "collection_key": "collection",
          "subject_key": "subject", "access": "access"}
FACET_FIELDS = tuple(FACETS)
# The record's indexed fields, and its dates as the earliest and latest day of each (`date_lo`, …).
INDEXED = tuple(f for f in fields.RECORD_FIELDS if f.search)
RANGES = tuple(f.name for f in INDEXED if f.search.as_ == "range")
BOUND_FIELDS = tuple(f"{name}_{end}" for name in RANGES for end in ("lo", "hi"))
# Passages hidden from the public by redactions: per level, the record's text (and cues) as viewers
# of that level read it, only for records where they read more than the public does. A viewer's
# query searches `text` and the field of its level (query.for_viewer), so a word that stands only in
# a passage hidden from them finds nothing, suggests nothing and counts in no facet.
LEVEL_FIELDS = {level: f"text_{level}" for level in redaction.LEVELS}


def _field_schema(field: fields.Field) -> dict:
    """The Whoosh field(s) of one of a record's indexed fields."""
    how, name = field.search, field.index_field
    if how.as_ == "words":
        analyzer = analysis.TEXT_ANALYZER if how.grams else analysis.ANALYZER  # with common grams
        made = {name: W.TEXT(analyzer=analyzer, field_boost=how.boost, phrase=True,
                             chars=how.chars, multitoken_query="phrase")}
        if isinstance(field.shape, fields.Links):  # and the linked ids, for facets and filters
            made[f"{name}_id"] = W.KEYWORD(commas=True)
        return made
    if how.as_ == "value":
        return {name: W.ID()}
    if how.as_ == "values":
        return {name: W.KEYWORD(commas=True, lowercase=True)}
    if how.as_ == "day":
        return {name: W.NUMERIC(bits=64)}  # YYYYMMDD, 0 when none
    # Columns (sortable) for the date bounds, so a date range reads one column per segment.
    return {f"{name}_{end}": W.NUMERIC(bits=64, signed=True, sortable=True) for end in ("lo", "hi")}


def _schema() -> W.Schema:
    own = {k: v for field in INDEXED for k, v in _field_schema(field).items()}
    return W.Schema(
        id=W.ID(stored=True, unique=True),
        doctype=W.ID(),  # "record", or "marker" for the marker document
        seq=W.NUMERIC(stored=True, bits=64),
        archive=W.ID(stored=True),
        version=W.ID(stored=True),  # INDEX_VERSION of the marker document
        **own,
        **{name: _field_schema(fields.FIELDS["text"])["text"] for name in LEVEL_FIELDS.values()},
        subject_key=W.KEYWORD(commas=True),  # slugs (`names.slug`): `refugees-camps`
        collection_key=W.ID(),  # the collection's slug
        decade=W.KEYWORD(commas=True),
        title_sort=W.ID(sortable=True),
    )


SCHEMA = _schema()


def _fingerprint(schema: W.Schema) -> str:
    """A short digest of what each field of the schema is and how it is kept."""
    described = []
    for name, field in sorted(schema.items()):
        analyzer = getattr(field, "analyzer", None)
        described.append(repr((name, type(field).__name__, type(field.format).__name__,
                                getattr(field.format, "field_boost", None), field.scorable, field.stored,
                                field.unique, field.sortable_typecode, getattr(field, "multitoken_query", None),
                                type(analyzer).__name__ if analyzer else None, getattr(field, "vector", None))))
    return hashlib.sha256("\n".join(described).encode()).hexdigest()[:8]


INDEX_VERSION = f"{RULES_VERSION}.{_fingerprint(SCHEMA)}"


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
    doc = {"id": record["id"], "doctype": "record", "seq": bounds["seq"]}
    views = redaction.index_views(record, today())
    record = views["public"]  # everything everyone searches leaves hidden passages out
    in_segments = {key: [x for seg in record.get("segments") or [] for x in seg.get(key) or []]
                   for key in ("people", "events", "places")}  # a segment's links are the record's too
    for field in INDEXED:
        value = record.get(field.name)
        doc.update(_field_values(field, (value or []) + in_segments[field.name] if field.name in in_segments
                                 else value, names))
    for level, name in LEVEL_FIELDS.items():
        if level in views:
            doc[name] = redaction.searchable_text(views[level])
    doc["access"] = effective_access(record.get("access") or "private", record.get("consent"))
    doc["subject_key"] = ",".join(dict.fromkeys(filter(None, map(slug, record.get("subjects") or []))))
    doc["collection_key"] = slug(record.get("collection") or "")
    doc["title_sort"] = record["title"].casefold()[:200]
    decades: set[str] = set()
    for name in RANGES:
        decades.update(_decades(bounds.get(f"{name}_lo"), bounds.get(f"{name}_hi")))
    doc["decade"] = ",".join(sorted(decades))
    for key in BOUND_FIELDS:
        if bounds.get(key) is not None:
            doc[key] = bounds[key]
    return {k: v for k, v in doc.items() if v != "" or k in ("id",)}


def _field_values(field: fields.Field, value, names: dict[str, list[str]]) -> dict:
    """What the index holds of one field of a record (its date bounds come from `bounds`)."""
    how, name = field.search, field.index_field
    if isinstance(field.shape, fields.Links):
        return {name: "\n".join(names.get(field.shape.kind.name, [])),
                f"{name}_id": ",".join(dict.fromkeys(link["id"] for link in value or []))}
    if hasattr(field.shape, "words"):  # recordings: cue texts, segment titles (archive/timecoded.py)
        return {name: field.shape.words(value)}
    if how.as_ == "words":
        return {name: "\n".join(value) if isinstance(value, list) else value or ""}
    if how.as_ == "values":
        return {name: ",".join(value or [])}
    if how.as_ == "day":
        return {name: int(value.replace("-", "")) if value else 0}
    if how.as_ == "value":
        return {name: value or ""}
    return {}


def marker_document(seq: int, archive_id: str) -> dict:
    """The document that records which database state (change number, archive) the index reflects."""
    return {"id": MARKER_ID, "doctype": "marker", "seq": seq, "archive": archive_id,
            "version": INDEX_VERSION}
