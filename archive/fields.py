"""A record's fields, described once (docs/architecture.md, "Adding a field").

`RECORD_FIELDS` lists them in the order of a record's JSON. Each `Field` says what it is to every
layer, and the layers loop over the list instead of naming fields:

- JSON and the database: its `shape` (`Text`, `Body`, `Edtf`, `Day`, `Choice`, `Codes`, `Terms`,
  `Links`, `Parts`) gives its JSON Schema, how input is cleaned and how its column keeps it
  (`records.Write.store_record`, `store.record_json`); `record_schema()` is the record's JSON Schema,
  served at /schema/record.json and checked by `validation.validate`;
- the record form (`forms.RecordForm`): `form`, an `Input` (label, help, size), its checks following
  from the shape; CSV (`csvrows`): a column per field, one per part of a `Parts` field (`source_url`);
- the index (`index.schema`, `querysyntax`): `search`, a `Search` (index field, weight) or None;
- Dublin Core and schema.org (`crosswalk`): `dc`, `schema_org`; the record page
  (templates/public/record.html): `page`, a `Show` (label, how) or None.

Fields that hold more than a value (links to people, events and places; the source; dates with
their bounds; access and embargo) keep some handling of their own in those layers, under the names
and meanings given here. Pure data and pure functions: no Flask, no WTForms, no SQL, no Whoosh. The words people read
(labels, help, access levels) are English, marked with `N_` for the catalog; the form builder
(`forms._form_field`) and the record page (`|tr`) show them in the reader's language.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import ClassVar

from . import dates, kinds, messages, timecoded
from .access import ACCESS_LEVELS
from .messages import N_
from .urls import WEB_URL

ID_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._~-]{0,63}$"
EDTF_ABOUT = ("EDTF date (Library of Congress Extended Date/Time Format), e.g. 2017-09-03, 2018-07, "
              "1975/1979, 1981~, 197X")
LANGUAGE_PATTERN = "^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
DAY_PATTERN = r"^\d{4}-\d{2}-\d{2}$"


def clean_text(value) -> str | None:
    """Text as kept: line ends made `\\n`, outer space trimmed, None when nothing is left."""
    if value is None:
        return None
    value = str(value).replace("\r\n", "\n").replace("\r", "\n").strip()
    return value or None


# --- shapes: what values a field holds -------------------------------------------------------------

class Shape:
    """The values of a field: their JSON Schema, how input is cleaned and how a column keeps them."""

    required = False   # a record is refused without it
    stored = True      # kept in a column of `records` named like the field (links have tables)
    empty = None       # the value of an unset field in JSON (a list shape's: [])

    def schema(self) -> dict:
        raise NotImplementedError

    def clean(self, value):
        """Input (import, form, API) as the value stored."""
        return value

    def columns(self, name: str, value) -> dict:
        """The columns of `records` that keep a cleaned value."""
        return {name: value}

    def from_column(self, cell):
        return cell


class Id(Shape):
    def schema(self) -> dict:
        return {"type": "string", "pattern": ID_PATTERN,
                "description": "stable URL-safe id; assigned by the archive when absent"}


@dataclass(frozen=True)
class Stamp(Shape):
    """Set by the archive (timestamps, revision numbers); ignored on import."""

    json_type: str = "string"

    def schema(self) -> dict:
        return {"type": [self.json_type, "null"], "description": "set by the archive; ignored on import"}


@dataclass(frozen=True)
class Text(Shape):
    """One text, trimmed; None when empty."""

    max_length: int
    required: bool = False
    pattern: str | None = None  # a regular expression it must match

    def schema(self) -> dict:
        if self.required:
            return {"type": "string", "minLength": 1, "maxLength": self.max_length}
        pattern = {"pattern": self.pattern} if self.pattern else {}
        return {"type": ["string", "null"], "maxLength": self.max_length, **pattern}

    def clean(self, value):
        return clean_text(value)


@dataclass(frozen=True)
class Edtf(Text):
    """An EDTF date; its earliest and latest day are kept beside it (`date_lo`, `date_hi`)."""

    max_length: int = 100

    def schema(self) -> dict:
        return {**super().schema(), "description": EDTF_ABOUT}

    def clean(self, value):
        return dates.check(value)

    def columns(self, name: str, value) -> dict:
        b = dates.bounds(value)
        return {name: value, f"{name}_lo": b.lo if b else None, f"{name}_hi": b.hi if b else None}


class Day(Shape):
    """A calendar day, YYYY-MM-DD."""

    def schema(self) -> dict:
        return {"type": ["string", "null"], "pattern": DAY_PATTERN}

    def clean(self, value):
        return value or None


class Body(Shape):
    """The text or transcript: kept as typed but for line ends and blank lines around it."""

    empty = ""

    def schema(self) -> dict:
        return {"type": ["string", "null"]}

    def clean(self, value):
        return (value or "").replace("\r\n", "\n").replace("\r", "\n").strip("\n")


@dataclass(frozen=True)
class Choice(Shape):
    """One of a few codes, each with its label; unset, the default."""

    options: tuple[tuple[str, str], ...]
    default: str | None = None
    required: bool = False

    @property
    def empty(self):
        return self.default

    def schema(self) -> dict:
        return {"enum": [code for code, _ in self.options], **({"default": self.default} if self.default else {})}

    def clean(self, value):
        return value or self.default


class List(Shape):
    """Several values, kept as a JSON list in one column; each value once."""

    empty: list = []
    items: dict = {}  # the JSON Schema of each value

    def schema(self) -> dict:
        return {"type": "array", "items": dict(self.items)}

    def clean(self, value):
        return list(dict.fromkeys(value or []))

    def columns(self, name: str, value) -> dict:
        return {name: json.dumps(value, ensure_ascii=False)}

    def from_column(self, cell):
        return json.loads(cell or "[]")


class Codes(List):
    """Language codes (BCP 47): `en`, `km`, `fr`."""

    items = {"type": "string", "pattern": LANGUAGE_PATTERN}


@dataclass(frozen=True)
class Terms(List):
    """Words or phrases, each trimmed (subjects, keywords)."""

    max_length: int = 200

    @property
    def items(self) -> dict:
        return {"type": "string", "minLength": 1, "maxLength": self.max_length}

    def clean(self, value):
        return [v for v in dict.fromkeys(clean_text(v) for v in value or []) if v]


@dataclass(frozen=True)
class Links(Shape):
    """Links to authorities of a kind, by id or name, perhaps with a role; kept in the kind's link
    table (`kinds.Kind.link_table`), resolved and created by the write path."""

    kind: kinds.Kind
    roles: tuple[str, ...] | None = None  # the roles a linked authority may play (kind.link_has_role)
    dated: bool = False                   # links carry the authority's date (events)
    stored = False
    empty: ClassVar[list] = []

    def __post_init__(self):
        if bool(self.roles) != self.kind.link_has_role:
            raise ValueError(f"links to a {self.kind.name} take roles only if its kind says so")

    @property
    def parts(self) -> tuple[str, ...]:
        """What a link carries in CSV, in order: `name|role|id`, or `name|id`."""
        return ("name", "role", "id") if self.roles else ("name", "id")

    def schema(self) -> dict:
        properties: dict = {"id": Id().schema(), "name": Text(500, required=True).schema()}
        if self.roles:
            properties["role"] = {"enum": list(self.roles)}
        if self.dated:
            properties["date"] = Edtf().schema()
        return {"type": "array", "items": {
            "type": "object", "properties": properties,
            "anyOf": [{"required": ["id"]}, {"required": ["name"]}], "additionalProperties": False}}


@dataclass(frozen=True)
class Parts(Shape):
    """A few named texts kept together as one JSON object (the source: citation, url, repository);
    None when all are empty. Each part has its own CSV column and form field (`source_url`)."""

    parts: tuple[Field, ...]

    def schema(self) -> dict:
        return {"type": ["object", "null"],
                "properties": {p.name: p.json_schema() for p in self.parts}, "additionalProperties": False}

    def clean(self, value):
        if not value:
            return None
        cleaned = {p.name: p.shape.clean(value.get(p.name)) for p in self.parts}
        return cleaned if any(cleaned.values()) else None

    def columns(self, name: str, value) -> dict:
        return {name: json.dumps(value, ensure_ascii=False) if value else None}

    def from_column(self, cell):
        return json.loads(cell) if cell else None


class Redactions(List):
    """Passages hidden from viewers below a level (archive/redaction.py): spans of the text
    (`start`, `end`) or time ranges of a media file (`media`, `from`, `to`)."""

    items: ClassVar[dict] = {
        "type": "object",
        "properties": {
            "id": {"type": "string", "pattern": ID_PATTERN},
            "start": {"type": "integer", "minimum": 0,
                      "description": "first character of the passage in `text` (offset from 0)"},
            "end": {"type": "integer", "minimum": 1, "description": "the character after the passage"},
            "media": {"type": "string", "description": "id of a media file of the record"},
            "from": {"type": "number", "minimum": 0, "description": "seconds"},
            "to": {"type": "number", "minimum": 0, "description": "seconds"},
            "reason": {"type": ["string", "null"], "maxLength": 500},
            "access": {"enum": ["restricted", "private"],
                       "description": "the least level that may see the passage"},
            "until": {"type": ["string", "null"], "pattern": DAY_PATTERN,
                      "description": "a day (YYYY-MM-DD) after which the passage is shown"},
            "by": {"type": ["string", "null"], "description": "who made it; set by the archive"},
            "at": {"type": ["string", "null"], "description": "when; set by the archive"},
        },
        # a span, a time range, or (in the copy of a viewer below its level) only its id and reason
        "oneOf": [{"required": ["start", "end", "access"],
                   "not": {"anyOf": [{"required": ["media"]}, {"required": ["from"]}]}},
                  {"required": ["media", "from", "to", "access"], "not": {"required": ["start"]}},
                  {"required": ["id", "reason"],
                   "not": {"anyOf": [{"required": [k]} for k in ("start", "end", "media", "from", "to", "access")]}}],
        "additionalProperties": False,
    }

    def clean(self, value):
        return [{**r, "reason": clean_text(r.get("reason")) or "", "until": r.get("until") or None}
                for r in value or []]


class Consent(Parts):
    """The narrator's consent: status, day, note. Withdrawn consent makes the record private
    (access.py). Its status is kept in a column of its own (`consent_status`) for the access rule."""

    def clean(self, value):
        cleaned = super().clean(value)
        if cleaned and not cleaned.get("status"):
            cleaned["status"] = "unknown"
        if cleaned == {"status": "unknown", "date": None, "note": None}:
            return None  # nothing known: as if unset (the form's default)
        return cleaned

    def columns(self, name: str, value) -> dict:
        return {**super().columns(name, value), f"{name}_status": (value or {}).get("status")}


# --- what the other layers make of a field -------------------------------------------------------

@dataclass(frozen=True)
class Input:
    """How the record form asks for a field (forms.py builds the WTForms field)."""

    label: str
    help: str | None = None          # shown under the label
    rows: int | None = None          # a box of several lines (a textarea) this high
    type: str | None = None          # the input's type, e.g. "url"
    placeholder: str | None = None
    default: str | None = None       # what a new record starts with, if not the shape's default


@dataclass(frozen=True)
class Search:
    """How the index keeps a field (index/schema.py builds the Whoosh field from it)."""

    as_: str = "words"  # words: found by plain words, ranked; value: one exact value (filters,
    #                     facets); values: several; day: YYYYMMDD number; range: earliest, latest day
    boost: float = 1.0  # weight of a match of words in this field
    field: str | None = None  # the index field, when not named like the record's field
    chars: bool = False  # keep where each word stands, in characters (highlighting whole texts)
    grams: bool = False  # also index each pair with a common word as one term: fast phrases of
    #                      common words ("of the"), for a larger index (docs/search.md)
    named: bool = False  # a query may name it, `type:petition` (words fields always may)


@dataclass(frozen=True)
class Show:
    """How the record page lists a field among its details."""

    label: str
    as_: str = "text"  # text: as it is; list: values joined by commas; source: citation, link;
    #                    browse: each value a link to its page under `browse` (/subjects/<slug>)
    browse: str | None = None


@dataclass(frozen=True)
class Field:
    """One field of a record and what it is to JSON, the database, the form, CSV, the index, the
    crosswalks and the page."""

    name: str                        # key in JSON; column in `records` and in CSV; form field
    shape: Shape
    about: str | None = None         # its description in the JSON Schema
    form: Input | None = None        # None: not on the record form
    search: Search | None = None     # None: not in the index
    dc: str | None = None            # the Dublin Core element its values are
    schema_org: str | None = None    # the schema.org property its value is
    schema_org_type: str | None = None  # … as a named thing of this type rather than as text
    page: Show | None = None         # None: not in the record page's list of details
    by_archive: bool = False         # set by the archive, ignored on import

    def json_schema(self) -> dict:
        schema = self.shape.schema()
        if self.about:
            schema["description"] = self.about
        return schema

    def flat(self) -> tuple[tuple[str, Field], ...]:
        """(name, field) of each CSV column and form input it has: itself, or each part of a
        `Parts` field under a name of its own (`source_url`)."""
        if isinstance(self.shape, Parts):
            return tuple((f"{self.name}_{part.name}", part) for part in self.shape.parts)
        return ((self.name, self),)

    @property
    def index_field(self) -> str:
        return (self.search.field if self.search and self.search.field else None) or self.name


# --- the fields ------------------------------------------------------------------------------------

PERSON_ROLES = ("author", "narrator", "interviewer", "recipient", "signatory", "translator", "mentioned")
PLACE_ROLES = ("recorded_at", "written_at", "origin", "mentioned")
ACCESS_LABELS = {"public": N_("Public: anyone"), "restricted": N_("Restricted: signed-in users"),
                 "private": N_("Private: archivists only")}

CONSENT_STATUSES = ("given", "limited", "withdrawn", "unknown")
CONSENT_LABELS = {"given": N_("Given"), "limited": N_("Limited"), "withdrawn": N_("Withdrawn"),
                  "unknown": N_("Unknown")}


def links_help(roles: tuple[str, ...] | None) -> str:
    if not roles:
        return N_("One per line: name")
    return messages.Text("One per line: name | role (%(roles)s)",
                         roles=", ".join(r.replace("_", " ") for r in roles))


RECORD_FIELDS: tuple[Field, ...] = (
    Field("id", Id()),
    Field("type", Choice(tuple((t.code, t.label) for t in kinds.RECORD_TYPES), required=True),
          form=Input(N_("Type"), default="testimony"), search=Search("value", named=True)),
    Field("title", Text(1000, required=True), form=Input(N_("Title")), search=Search(boost=3.0, grams=True),
          dc="title", schema_org="name"),
    Field("summary", Text(20000), form=Input(N_("Summary"), rows=3), search=Search(boost=2.0, grams=True),
          dc="description", schema_org="abstract"),
    Field("text", Body(), "plain text; blank lines separate paragraphs",
          form=Input(N_("Text"), N_("Plain text; a blank line starts a new paragraph."), rows=12),
          search=Search(grams=True), schema_org="text"),
    Field("language", Codes(), "language codes (BCP 47), e.g. en, km, fr",
          form=Input(N_("Languages"), N_("Codes or names separated by commas: en, km or English, Khmer")),
          search=Search("values", named=True), dc="language", schema_org="inLanguage",
          page=Show(N_("Language"), "list")),
    Field("date", Edtf(), form=Input(N_("Date"), N_("EDTF: 2017-09-03, 2018-07, 1975/1979, 1981~ (circa), "
                                                 "197X (1970s)")),
          search=Search("range"), dc="date", schema_org="dateCreated"),
    Field("period", Edtf(), form=Input(N_("Period"), N_("The time the record speaks of, e.g. 1975/1979")),
          search=Search("range"), dc="coverage", schema_org="temporalCoverage"),
    Field("people", Links(kinds.PERSON, PERSON_ROLES),
          form=Input(N_("People"), links_help(PERSON_ROLES), rows=4), search=Search(boost=1.5, field="person")),
    Field("events", Links(kinds.EVENT, dated=True),
          form=Input(N_("Events"), links_help(None), rows=3), search=Search(boost=1.5, field="event")),
    Field("places", Links(kinds.PLACE, PLACE_ROLES),
          form=Input(N_("Places"), links_help(PLACE_ROLES), rows=3), search=Search(boost=1.5, field="place")),
    Field("subjects", Terms(), form=Input(N_("Subjects"), N_("One per line"), rows=3),
          search=Search(boost=1.5, field="subject"), dc="subject", schema_org="keywords",
          page=Show(N_("Subjects"), "browse", "subjects")),
    Field("collection", Text(500), form=Input(N_("Collection")), search=Search("value"), dc="relation",
          schema_org="isPartOf", schema_org_type="Collection",
          page=Show(N_("Collection"), "browse", "collections")),
    # Not labelled "Accession" on the form: a label must not contain another field's label ("Access"),
    # so that people, screen readers and browser tests (which match labels as substrings) find the right one.
    Field("accession", Text(200),
          form=Input(N_("Inventory number"), N_("The accession number in the collection, e.g. DL-2017-004")),
          dc="identifier", page=Show(N_("Accession"))),
    Field("source", Parts((
        Field("citation", Text(5000), form=Input(N_("Source citation"), rows=2)),
        Field("url", Text(2000, pattern=WEB_URL.pattern),  # links are made of web addresses only
              "a web address (http or https); a DOI, Handle or ARK through its https resolver",
              form=Input(N_("Source URL"), type="url")),
        Field("repository", Text(1000), form=Input(N_("Source repository"))))),
          page=Show(N_("Source"), "source")),
    Field("rights", Text(5000), form=Input(N_("Rights"), rows=2), dc="rights", schema_org="copyrightNotice",
          page=Show(N_("Rights"))),
    Field("access", Choice(tuple((a, ACCESS_LABELS[a]) for a in ACCESS_LEVELS), default="private"),
          "public: anyone; restricted: signed-in users; private: archivists only (the default)",
          form=Input(N_("Access")), search=Search("value"), schema_org="conditionsOfAccess"),
    Field("embargo_until", Day(), "a day (YYYY-MM-DD); until then the record is treated as private",
          form=Input(N_("Embargo until"), N_("A day, YYYY-MM-DD: until then only archivists see the record"),
                     placeholder=N_("YYYY-MM-DD")),
          search=Search("day", field="embargo"), schema_org="embargoUntil"),
    # Recordings (archive/timecoded.py): files with their time-coded transcripts, and their segment index.
    Field("media", timecoded.Media(), "files: audio, video, images, documents; `mimetype`, `bytes`, "
          "`sha256` and `duration` are measured by the archive", search=Search(grams=True, field="transcript")),
    Field("segments", timecoded.Segments(), "the index of the recordings: moments with a title, synopsis, "
          "keywords and links", search=Search(boost=1.5, field="segment")),
    Field("redactions", Redactions(), "passages hidden from viewers below a level: spans of `text` "
          "(character offsets) or time ranges of a media file"),
    Field("consent", Consent((
        Field("status", Choice(tuple((c, CONSENT_LABELS[c]) for c in CONSENT_STATUSES)),
              form=Input(N_("Consent status"), N_("Withdrawn consent makes the record private at once"),
                         default="unknown")),
        Field("date", Day(), form=Input(N_("Consent recorded on"), placeholder=N_("YYYY-MM-DD"))),
        Field("note", Text(2000), form=Input(N_("Consent details"), rows=2)))),
          "the narrator's consent: given, limited, withdrawn (the record is then private) or unknown"),
    Field("created_at", Stamp(), by_archive=True),
    Field("updated_at", Stamp(), by_archive=True, schema_org="dateModified"),
    Field("revision", Stamp("integer"), by_archive=True, schema_org="version"),
)

FIELDS = {f.name: f for f in RECORD_FIELDS}
INPUT_KEYS = tuple(f.name for f in RECORD_FIELDS if not f.by_archive)  # what an import may give


def of_shape(shape: type[Shape]) -> tuple[Field, ...]:
    """The fields whose values are of this shape (or a narrower one), in order."""
    return tuple(f for f in RECORD_FIELDS if isinstance(f.shape, shape))


def record_schema() -> dict:
    """The record's JSON Schema (/schema/record.json)."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "/schema/record.json",
        "title": "Record",
        "description": "One testimony, interview, open letter, petition, statement or document of "
                       "the testimony archive.",
        "type": "object",
        "required": sorted(f.name for f in RECORD_FIELDS if f.shape.required),
        "properties": {"kind": {"const": "record"}, **{f.name: f.json_schema() for f in RECORD_FIELDS}},
        "additionalProperties": False,
    }
