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

from . import dates, fields, kinds, urls, vocabulary


def _load_schema(kind: str) -> dict:
    """The JSON Schema of a kind: the record's is built from its fields, the others are files."""
    if kind == kinds.RECORD.name:
        return fields.record_schema()
    return json.loads(resources.files("archive").joinpath(f"schemas/{kind}.json").read_text("utf-8"))


SCHEMAS = {kind.name: _load_schema(kind.name) for kind in kinds.KINDS}
_VALIDATORS = {kind: Draft202012Validator(schema) for kind, schema in SCHEMAS.items()}




def _schema_errors(kind: str, obj) -> list[tuple[str, str]]:
    errors = []
    for error in sorted(_VALIDATORS[kind].iter_errors(obj), key=lambda e: list(e.absolute_path)):
        path = ".".join(str(p) for p in error.absolute_path)
        if error.validator == "required":
            missing = error.message.split("'")[1] if "'" in error.message else ""
            errors.append((".".join(filter(None, [path, missing])), "is required"))
        elif error.validator == "additionalProperties":
            errors.append((path, error.message.replace("Additional properties are not allowed",
                                                       "unknown field")))
        elif error.validator == "anyOf" and isinstance(error.instance, dict):
            errors.append((path, "needs an id or a name"))
        elif error.validator in ("enum", "const"):
            allowed = error.validator_value if error.validator == "enum" else [error.validator_value]
            near = vocabulary.closest(error.instance, allowed)
            hint = f" (did you mean {near}?)" if near else ""
            errors.append((path, f"{vocabulary.shown(error.instance)} is not one of "
                                 f"{', '.join(map(str, allowed))}{hint}"))
        elif error.validator == "oneOf" and path.startswith("redactions."):
            errors.append((path, "a redaction is either a span of the text (start, end) or a time "
                                 "range of a media file (media, from, to), with its access"))
        elif error.validator == "pattern" and path.endswith("embargo_until"):
            errors.append((path, "must be a day, YYYY-MM-DD"))
        elif error.validator == "pattern" and path == "source.url":
            errors.append((path, urls.MESSAGE))
        elif error.validator == "pattern":
            errors.append((path, "has characters that are not allowed (letters, digits, . _ ~ -)"))
        else:
            message = error.message if len(error.message) < 200 else error.message[:200] + "…"
            errors.append((path, message))
    return errors


_DATE_FIELDS = {kinds.RECORD.name: tuple(f.name for f in fields.of_shape(fields.Edtf))}


def validate(kind: str, obj) -> list[tuple[str, str]]:
    """Everything wrong with an object of a kind, without touching the database."""
    if not isinstance(obj, dict):
        return [("", "must be a JSON object")]
    errors = _schema_errors(kind, obj)
    described = kinds.get(kind)
    for name in _DATE_FIELDS.get(kind) or (described.date_field,):
        if name and isinstance(obj.get(name), str):
            try:
                dates.bounds(obj[name])
            except dates.DateError as exc:
                errors.append((name, str(exc)))
    if described is kinds.RECORD:
        url = (obj.get("source") or {}).get("url") if isinstance(obj.get("source"), dict) else None
        if isinstance(url, str) and not urls.is_web_url(url) and ("source.url", urls.MESSAGE) not in errors:
            errors.append(("source.url", urls.MESSAGE))  # the schema's `$` lets a final newline by
        if isinstance(obj.get("embargo_until"), str):
            try:
                dt.date.fromisoformat(obj["embargo_until"])
            except ValueError:
                errors.append(("embargo_until", "is not a real day"))
        for key in (f.name for f in fields.of_shape(fields.Links) if f.shape.dated):
            for i, link in enumerate(obj.get(key) or []):
                if isinstance(link, dict) and isinstance(link.get("date"), str):
                    try:
                        dates.bounds(link["date"])
                    except dates.DateError as exc:
                        errors.append((f"{key}.{i}.date", str(exc)))
    return errors
