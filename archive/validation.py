"""What a record, person, event or place must be before the write path stores it.

One check for every way in (the web forms, the importer, the command line), so they refuse the same
bad input with the same messages: the JSON Schema of the kind (the record's is built from its fields,
archive/fields.py; the authorities' are files in `schemas/`), then EDTF dates, web addresses and
days that a schema cannot check. It reads nothing from the database.
"""
from __future__ import annotations

import datetime as dt
import json
from importlib import resources

from jsonschema import Draft202012Validator

from . import dates, fields, kinds, timecoded, urls, vocabulary
from .messages import N_, Text


def _load_schema(kind: str) -> dict:
    """The JSON Schema of a kind: the record's is built from its fields, the others are files."""
    if kind == kinds.RECORD.name:
        return fields.record_schema()
    return json.loads(resources.files("archive").joinpath(f"schemas/{kind}.json").read_text("utf-8"))


SCHEMAS = {kind.name: _load_schema(kind.name) for kind in kinds.KINDS}
_VALIDATORS = {kind: Draft202012Validator(schema) for kind, schema in SCHEMAS.items()}

# What a value of each JSON type is called in a message ("must be text").
TYPE_WORDS = {"string": N_("text"), "array": N_("a list"), "object": N_("an object (in braces)"),
              "integer": N_("a whole number"), "number": N_("a number"), "boolean": N_("true or false"),
              "null": N_("empty (null)")}


def _type_message(expected) -> Text:
    types = [expected] if isinstance(expected, str) else list(expected)
    words = [Text(TYPE_WORDS.get(t, t)) for t in types if t != "null"] or [Text(TYPE_WORDS["null"])]
    wanted = words[0]
    for word in words[1:]:
        wanted = Text("%(first)s or %(then)s", first=wanted, then=word)
    if "null" in types and len(words) == len(types) - 1:
        return Text("must be %(type)s, or empty", type=wanted)
    return Text("must be %(type)s", type=wanted)


def _pattern_message(path: str, pattern: str, value) -> Text:
    if path.endswith("embargo_until"):
        return Text("must be a day, YYYY-MM-DD")
    if path == "source.url":
        return Text(urls.MESSAGE)
    if pattern == fields.ID_PATTERN:
        return Text("has characters that are not allowed (letters, digits, . _ ~ -)")
    if pattern == fields.LANGUAGE_PATTERN:
        return Text("%(value)s is not a language code (use en, km, fr …)", value=vocabulary.shown(value))
    return Text("is not written the way this field must be")


def _message(error, path: str) -> Text:
    """A problem jsonschema found, worded by us (per field and problem) so that it can be translated;
    the field's path, codes and the value quoted stay as they are."""
    rule, value = error.validator, error.validator_value
    if rule == "required":
        return Text("is required")
    if rule == "additionalProperties":
        known = set(error.schema.get("properties") or {})
        unknown = [key for key in error.instance if key not in known] if isinstance(error.instance, dict) else []
        return Text("unknown field (%(names)s)", names=", ".join(map(vocabulary.shown, unknown)))
    if rule == "anyOf" and isinstance(error.instance, dict):
        return Text("needs an id or a name")
    if rule in ("enum", "const"):
        allowed = value if rule == "enum" else [value]
        near = vocabulary.closest(error.instance, allowed)
        shown, listed = vocabulary.shown(error.instance), ", ".join(map(str, allowed))
        if near:
            return Text("%(value)s is not one of %(allowed)s (did you mean %(near)s?)", value=shown,
                        allowed=listed, near=near)
        return Text("%(value)s is not one of %(allowed)s", value=shown, allowed=listed)
    if rule == "oneOf" and path.startswith("redactions."):
        return Text("a redaction is either a span of the text (start, end) or a time range of a media "
                    "file (media, from, to), with its access")
    if rule == "pattern":
        return _pattern_message(path, value, error.instance)
    if rule == "type":
        return _type_message(value)
    if rule == "minLength":
        return Text("must not be empty") if value == 1 else \
            Text("must have at least %(count)s characters", count=value)
    if rule == "maxLength":
        return Text("is too long: at most %(count)s characters", count=value)
    if rule in ("minimum", "exclusiveMinimum"):
        return Text("must be at least %(limit)s", limit=value)
    if rule in ("maximum", "exclusiveMaximum"):
        return Text("must be at most %(limit)s", limit=value)
    if rule == "minItems":
        return Text("must have at least %(count)s items", count=value)
    if rule == "maxItems":
        return Text("must have at most %(count)s items", count=value)
    if rule == "uniqueItems":
        return Text("holds the same item twice")
    # a rule no field of ours uses yet: named by its JSON Schema keyword, worded by us
    return Text("breaks the rule “%(rule)s” of the schema", rule=rule)


def _schema_errors(kind: str, obj) -> list[tuple[str, Text]]:
    errors = []
    for error in sorted(_VALIDATORS[kind].iter_errors(obj), key=lambda e: list(e.absolute_path)):
        path = ".".join(str(p) for p in error.absolute_path)
        if error.validator == "required":
            missing = error.message.split("'")[1] if "'" in error.message else ""
            path = ".".join(filter(None, [path, missing]))
        errors.append((path, _message(error, path)))
    return errors


_DATE_FIELDS = {kinds.RECORD.name: tuple(f.name for f in fields.of_shape(fields.Edtf))}


def validate(kind: str, obj) -> list[tuple[str, Text]]:
    """Everything wrong with an object of a kind, without touching the database: (field path,
    message) pairs, each message a `messages.Text` (English as a str, translated where shown)."""
    if not isinstance(obj, dict):
        return [("", Text("must be a JSON object"))]
    errors = _schema_errors(kind, obj)
    described = kinds.get(kind)
    for name in _DATE_FIELDS.get(kind) or (described.date_field,):
        if name and isinstance(obj.get(name), str):
            try:
                dates.bounds(obj[name])
            except dates.DateError as exc:
                errors.append((name, exc.args[0]))  # a Text: translated where shown
    if described is kinds.RECORD:
        url = (obj.get("source") or {}).get("url") if isinstance(obj.get("source"), dict) else None
        if isinstance(url, str) and not urls.is_web_url(url) and ("source.url", urls.MESSAGE) not in errors:
            errors.append(("source.url", Text(urls.MESSAGE)))  # the schema's `$` lets a final newline by
        if isinstance(obj.get("embargo_until"), str):
            try:
                dt.date.fromisoformat(obj["embargo_until"])
            except ValueError:
                errors.append(("embargo_until", Text("is not a real day")))
        errors += timecoded.check_times(obj)
        for key in (f.name for f in fields.of_shape(fields.Links) if f.shape.dated):
            for i, link in enumerate(obj.get(key) or []):
                if isinstance(link, dict) and isinstance(link.get("date"), str):
                    try:
                        dates.bounds(link["date"])
                    except dates.DateError as exc:
                        errors.append((f"{key}.{i}.date", exc.args[0]))
    return errors
