"""The crosswalk: how a record and its authorities read in other vocabularies.

One module maps our JSON to Dublin Core (the fifteen elements that OAI-PMH's `oai_dc` carries and that
JSON-LD repeats as `dcterms:` terms) and to schema.org (`CreativeWork` + `ArchiveComponent`, `Person`,
`Event`, `Place`), with people's roles as MARC relator terms. `oai.py` and the JSON-LD exporter both
read from here, so a harvester and a linked-data consumer see the same record. A record field's own
term is described with the field (`Field.dc`, `Field.schema_org` in archive/fields.py); what links,
the source and the record's type and address become is worked out here. Pure functions: no Flask,
no SQL; URLs are built from a `base` (the archive's address, ending in `/`).
"""
from __future__ import annotations

import json
import re
from importlib import resources

from . import fields, kinds, media
from .urls import web_url

# MARC relator codes (id.loc.gov/vocabulary/relators) for the roles of a person in a record.
# `mentioned` is no relator: it becomes schema:mentions / dc:subject.
RELATORS = {
    "author": "aut",       # Author
    "narrator": "nrt",     # Narrator
    "interviewer": "ivr",  # Interviewer
    "recipient": "rcp",    # Addressee
    "signatory": "sgn",    # Signer
    "translator": "trl",   # Translator
}
RELATOR_BASE = "http://id.loc.gov/vocabulary/relators/"
# In an interview the narrator is also the interviewee.
INTERVIEWEE = "ive"

# Dublin Core: who made the record (creator) and who else took part in it (contributor).
CREATOR_ROLES = ("author", "narrator", "signatory")
CONTRIBUTOR_ROLES = ("interviewer", "translator", "recipient")

# Characters XML 1.0 does not allow, which a transcript may still contain.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(value: str) -> str:
    return _NOT_XML.sub("", value)


def context() -> dict:
    """The JSON-LD context the archive serves at /schema/context.jsonld (and embeds offline)."""
    return json.loads(resources.files("archive").joinpath("schemas/context.jsonld").read_text("utf-8"))


def record_url(base: str, record_id: str) -> str:
    return f"{base}records/{record_id}"


def entity_url(base: str, kind: str, entity_id: str) -> str:
    return f"{base}{kinds.get(kind).plural}/{entity_id}"


def role_relators(record: dict, role: str) -> list[str]:
    codes = [RELATORS[role]] if role in RELATORS else []
    if role == "narrator" and record.get("type") == "interview":
        codes.append(INTERVIEWEE)
    return codes


# --- Dublin Core -----------------------------------------------------------------------------------

# The fifteen elements in the order of oai_dc.xsd, the order oai_dc and JSON-LD list them in.
DC_ELEMENTS = ("title", "creator", "subject", "description", "publisher", "contributor", "date", "type",
               "format", "identifier", "source", "language", "relation", "coverage", "rights")


def dublin_core(record: dict, base: str) -> list[tuple[str, str]]:
    """(element, value) pairs of unqualified Dublin Core, in the order oai_dc lists them.

    Within an element: what the record is (its types, format, address) first, then the values of the
    fields described with that element, in the order of the record's JSON, then its links and source.
    """
    known = kinds.record_type(record["type"])
    files = record.get("media") or []
    own = {"type": [known.dublin_core if known else "Text", record["type"],
                    *dict.fromkeys(DCMI_TYPES[m["kind"]] for m in files if m.get("kind") in DCMI_TYPES)],
           "format": ["text/plain", *dict.fromkeys(m["mimetype"] for m in files if m.get("mimetype"))],
           "identifier": [record_url(base, record["id"])]}
    linked = _linked_dc(record)
    out: list[tuple[str, str]] = []
    for element in DC_ELEMENTS:
        out.extend((element, value) for value in own.get(element, []))
        for field in fields.RECORD_FIELDS:
            if field.dc == element:
                value = record.get(field.name)
                out.extend((element, v) for v in (value if isinstance(value, list) else [value]))
        out.extend((element, value) for value in linked.get(element, []))
    return [(element, value) for element, value in out if value]


# DCMI Type Vocabulary terms of a record's files, by their kind.
DCMI_TYPES = {"audio": "Sound", "video": "MovingImage", "image": "StillImage"}
# schema.org types of a record's files, by their kind.
MEDIA_OBJECTS = {"audio": "AudioObject", "video": "VideoObject", "image": "ImageObject"}


def media_jsonld(record: dict, base: str) -> list[dict]:
    """A record's files as schema.org AudioObject, VideoObject, ImageObject or MediaObject, each with
    its address, format, ISO 8601 duration, transcript text and WebVTT captions."""
    out = []
    for m in record.get("media") or []:
        url = f"{record_url(base, record['id'])}/media/{m['id']}"
        node = {"@id": url, "@type": MEDIA_OBJECTS.get(m.get("kind"), "MediaObject"),
                "name": m.get("label") or m.get("filename") or m["id"]}
        if m.get("sha256"):
            node["contentUrl"] = url
        if m.get("mimetype"):
            node["encodingFormat"] = m["mimetype"]
        if m.get("duration"):
            node["duration"] = media.iso_duration(m["duration"])
        if m.get("bytes"):
            node["contentSize"] = str(m["bytes"])
        if m.get("transcript"):
            node["transcript"] = "\n".join(c["text"] for c in m["transcript"])
            node["caption"] = {"@type": "MediaObject", "contentUrl": f"{url}.vtt", "encodingFormat": "text/vtt"}
        out.append(node)
    return out


def _linked_dc(record: dict) -> dict[str, list[str]]:
    """Dublin Core values from a record's links to people, events and places, and its source."""
    found: dict[str, list[str]] = {}
    people = record.get("people") or []
    found["creator"] = [link["name"] for link in people if link.get("role") in CREATOR_ROLES]
    found["subject"] = [link["name"] for link in people if link.get("role") == "mentioned"]
    found["subject"] += [link["name"] for link in record.get("events") or []]
    found["contributor"] = [link["name"] for link in people if link.get("role") in CONTRIBUTOR_ROLES]
    found["coverage"] = [link["name"] for link in record.get("places") or []]
    source = record.get("source") or {}
    found["publisher"] = [source.get("repository")]
    # never a link of another scheme (a record saved before the rule may hold one)
    found["source"] = [source.get("citation"), web_url(source.get("url"))]
    return found


# --- schema.org / JSON-LD --------------------------------------------------------------------------

def _node(base: str, kind: str, link: dict, schema_type: str) -> dict:
    return {"@id": entity_url(base, kind, link["id"]), "@type": schema_type, "name": link["name"]}


def _record_schema_type(record: dict) -> str:
    known = kinds.record_type(record["type"])
    return known.schema_org if known else kinds.RECORD.schema_type


# The order a record's JSON-LD has always listed its own properties in (exports are compared line by
# line); the property of a field described later follows these.
PROPERTY_ORDER = ("@id", "@type", "identifier", "name", "genre", "abstract", "text", "inLanguage",
                  "dateCreated", "temporalCoverage", "keywords", "isPartOf", "conditionsOfAccess",
                  "copyrightNotice", "dateModified", "version", "embargoUntil")


def _own_properties(record: dict) -> dict:
    """The schema.org properties of the record's fields that have one (`Field.schema_org`)."""
    found = {}
    for field in fields.RECORD_FIELDS:
        value = record.get(field.name)
        if field.schema_org and value not in (None, "", []):
            found[field.schema_org] = ({"@type": field.schema_org_type, "name": value}
                                       if field.schema_org_type else value)
    return found


def record_jsonld(record: dict, base: str) -> dict:
    """A record as schema.org CreativeWork + ArchiveComponent, with Dublin Core terms beside."""
    node: dict = {
        "@id": record_url(base, record["id"]),
        "@type": [_record_schema_type(record), "ArchiveComponent"],
        "identifier": record["id"],
        "genre": record["type"],
        **_own_properties(record),
    }
    rank = {name: i for i, name in enumerate(PROPERTY_ORDER)}
    node = dict(sorted(node.items(), key=lambda item: rank.get(item[0], len(rank))))
    source = {**(record.get("source") or {})}
    source["url"] = web_url(source.get("url"))
    if any(source.values()):
        node["isBasedOn"] = {k: v for k, v in {
            "@type": "CreativeWork", "citation": source.get("citation"), "url": source["url"],
            "holdingArchive": ({"@type": "ArchiveOrganization", "name": source["repository"]}
                               if source.get("repository") else None)}.items() if v}

    by_property: dict[str, list] = {}
    for link in record.get("people") or []:
        person = _node(base, "person", link, "Person")
        role = link.get("role") or "mentioned"
        if role == "author":
            by_property.setdefault("author", []).append(person)
        elif role == "mentioned":
            by_property.setdefault("mentions", []).append(person)
        elif role == "recipient":
            by_property.setdefault("recipient", []).append(person)
        else:
            by_property.setdefault("contributor", []).append(person)
        for code in role_relators(record, role):
            by_property.setdefault(f"marcrel:{code}", []).append({"@id": person["@id"]})
    for link in record.get("events") or []:
        event = _node(base, "event", link, "Event")
        if link.get("date"):
            event["dcterms:date"] = link["date"]
        by_property.setdefault("about", []).append(event)
    for link in record.get("places") or []:
        place = _node(base, "place", link, "Place")
        role = link.get("role") or "mentioned"
        prop = "locationCreated" if role in ("recorded_at", "written_at") else "spatialCoverage"
        by_property.setdefault(prop, []).append(place)
    node.update(by_property)
    if record.get("media"):
        node["associatedMedia"] = media_jsonld(record, base)

    dc: dict[str, list[str]] = {}
    for element, value in dublin_core(record, base):
        dc.setdefault(f"dcterms:{element}", []).append(value)
    node.update(dc)
    return node


def entity_jsonld(entity: dict, base: str) -> dict:
    """A person, event or place as schema.org."""
    kind = entity["kind"]
    node: dict = {"@id": entity_url(base, kind, entity["id"]),
                  "@type": kinds.get(kind).schema_type,
                  "identifier": entity["id"], "name": entity["name"]}
    if entity.get("variants"):
        node["alternateName"] = entity["variants"]
    if entity.get("note"):
        node["description"] = entity["note"]
    if kind == "person" and entity.get("dates"):
        node["dcterms:temporal"] = entity["dates"]
    if kind == "event":
        if entity.get("date"):
            node["dcterms:date"] = entity["date"]
        if entity.get("places"):
            node["location"] = [{"@id": entity_url(base, "place", p["id"]), "@type": "Place",
                                 "name": p["name"]} for p in entity["places"]]
        if entity.get("part_of"):
            node["superEvent"] = {"@id": entity_url(base, "event", entity["part_of"])}
    if kind == "place":
        if entity.get("lat") is not None and entity.get("lon") is not None:
            node["geo"] = {"@type": "GeoCoordinates", "latitude": entity["lat"],
                           "longitude": entity["lon"]}
        if entity.get("part_of"):
            node["containedInPlace"] = {"@id": entity_url(base, "place", entity["part_of"])}
    return node


def to_jsonld(obj: dict, base: str) -> dict:
    return record_jsonld(obj, base) if obj.get("kind", "record") == "record" else entity_jsonld(obj, base)
