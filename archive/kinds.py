"""The kinds of thing the archive keeps, and the types of record: one registry of each.

A `Kind` describes a record, person, event or place once: the URL segment it lives under, its table
and id prefix, how records link to it, and which optional parts it has (variants, a date, a parent
it is part of, coordinates, places). Modules that used to keep their own map or `if kind == …`
chain read these descriptions instead, the way Datasette registers its facet classes in one list.
`RECORD_TYPES` is the one table of record types with their label and the type each has in the
vocabularies we speak (schema.org, Dublin Core, CSL).

Labels are English and marked for the catalog (`N_`); pages show them in the reader's language
(`views/filters.py`), while JSON, exports and OAI keep the codes. Pure data: no Flask, no SQL. The JSON Schemas in `schemas/` stay files; a test checks that they
agree with this module.
"""
from __future__ import annotations

from dataclasses import dataclass

from .messages import N_, Text


@dataclass(frozen=True)
class Kind:
    """What the archive knows about one kind of thing."""

    name: str                        # "person": the `kind` in JSON, in revisions and redirects
    plural: str                      # "people": URL segment, and key of a record's links to it
    table: str                       # its SQLite table
    id_prefix: str                   # first letter of the ids the archive gives it
    label: str                       # "Person"
    plural_label: str                # "People"
    schema_type: str                 # its schema.org type
    link_table: str | None = None    # the table linking records to it (authorities only)
    link_column: str | None = None   # that table's column holding its id
    link_has_role: bool = False      # whether a record names the role it plays (author, recorded_at…)
    has_variants: bool = False       # other names it is known by
    date_field: str | None = None    # the EDTF date it carries, if any (`dates` of a life, `date`)
    has_part_of: bool = False        # may be part of another of its kind
    has_coordinates: bool = False    # lat and lon
    has_places: bool = False         # linked to places of its own (an event's places)

    @property
    def is_authority(self) -> bool:
        """People, events and places: things records link to."""
        return self.link_table is not None


RECORD = Kind("record", "records", "records", "r", N_("Record"), N_("Records"), "CreativeWork",
              date_field="date")
PERSON = Kind("person", "people", "people", "p", N_("Person"), N_("People"), "Person",
              link_table="record_people", link_column="person_id", link_has_role=True,
              has_variants=True, date_field="dates")
EVENT = Kind("event", "events", "events", "e", N_("Event"), N_("Events"), "Event",
             link_table="record_events", link_column="event_id",
             has_variants=True, date_field="date", has_part_of=True, has_places=True)
PLACE = Kind("place", "places", "places", "l", N_("Place"), N_("Places"), "Place",
             link_table="record_places", link_column="place_id", link_has_role=True,
             has_variants=True, has_part_of=True, has_coordinates=True)

KINDS: tuple[Kind, ...] = (RECORD, PERSON, EVENT, PLACE)
# In this order a record lists its links (people, events, places) and forms show them.
AUTHORITIES: tuple[Kind, ...] = tuple(k for k in KINDS if k.is_authority)

_BY_NAME = {k.name: k for k in KINDS}
# Each kind as a sentence names it ("no person with id …"), marked for the catalog.
_WORDS = {"record": N_("record"), "person": N_("person"), "event": N_("event"), "place": N_("place")}
_BY_PLURAL = {k.plural: k for k in KINDS}


def get(name: str) -> Kind:
    """The kind called `name` ("person"). :raise KeyError: for a name no kind has"""
    return _BY_NAME[name]


def kind_word(name: str) -> Text:
    """A kind as a message names it ("person"), translated where the message is shown."""
    return Text(_WORDS.get(name, name))


def by_plural(plural: str) -> Kind:
    """The kind living under the URL segment `plural` ("people"). :raise KeyError:"""
    return _BY_PLURAL[plural]


def is_authority(name: str) -> bool:
    """Whether `name` is the name of a person, event or place kind."""
    return name in _BY_NAME and _BY_NAME[name].is_authority


# --- record types ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class RecordType:
    """A type of record (`type` in a record's JSON) and what it is called elsewhere."""

    code: str          # "open_letter": stored in the record, used in URLs and OAI sets
    label: str         # "Open letter": shown on pages and in citations
    schema_org: str    # the schema.org @type of a record of this type
    dublin_core: str   # its DCMI Type Vocabulary term (dc:type)
    csl: str           # its Citation Style Language item type
    ris: str           # its RIS reference type (TY), as Zotero and EndNote read it


# Every record is text or the transcript of speech, so schema.org and Dublin Core see the same
# general type for all of them; CSL, which citation managers read, tells them apart a little more.
# RIS has no interview type that survives a reference manager (Zotero reads GEN as a journal
# article): unpublished archival material is a manuscript (MANSCPT), a letter a PCOMM.
RECORD_TYPES: tuple[RecordType, ...] = (
    RecordType("testimony", N_("Testimony"), "CreativeWork", "Text", "interview", "MANSCPT"),
    RecordType("interview", N_("Interview"), "CreativeWork", "Text", "interview", "MANSCPT"),
    RecordType("open_letter", N_("Open letter"), "CreativeWork", "Text", "personal_communication", "PCOMM"),
    RecordType("petition", N_("Petition"), "CreativeWork", "Text", "document", "MANSCPT"),
    RecordType("statement", N_("Statement"), "CreativeWork", "Text", "document", "MANSCPT"),
    RecordType("document", N_("Document"), "CreativeWork", "Text", "document", "MANSCPT"),
)
_TYPES = {t.code: t for t in RECORD_TYPES}


def record_type(code: str) -> RecordType | None:
    """The record type with this code, or None."""
    return _TYPES.get(code)


def type_label(code: str) -> str:
    """The label of a record type ("Open letter"); an unknown code is shown as it is."""
    found = _TYPES.get(code)
    return found.label if found else code


# --- roles of a link ------------------------------------------------------------------------------

# The part a person or a place plays in a record (`role` of a link): codes in JSON and exports,
# these labels on pages (translated there).
LINK_ROLES = {
    "author": N_("author"), "narrator": N_("narrator"), "interviewer": N_("interviewer"),
    "recipient": N_("recipient"), "signatory": N_("signatory"), "translator": N_("translator"),
    "mentioned": N_("mentioned"), "recorded_at": N_("recorded at"), "written_at": N_("written at"),
    "origin": N_("origin"),
}


def role_label(code: str | None) -> str:
    """The label of a link's role ("recorded at"); an unknown code is shown with spaces."""
    return LINK_ROLES.get(code or "", (code or "").replace("_", " "))
