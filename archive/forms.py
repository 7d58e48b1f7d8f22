"""Forms of the archivist pages (Flask-WTF): they read and check what was typed; they never write.

Turning a valid form into the data `records.save_record` / `save_entity` take is also here
(`record_data`, `entity_data`), so the views stay thin. Everything the write path checks again
(JSON Schema, EDTF) is checked by `records.validate`; its (field, message) pairs come back onto
these fields through `FIELD_OF`.
"""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, HiddenField, PasswordField, SelectChoice, SelectField, StringField,
                     SubmitField, TextAreaField)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from . import dates, kinds
from .access import ACCESS_LEVELS, ROLES
from .messages import Text

RECORD_TYPES = [SelectChoice(t.code, _l(t.label)) for t in kinds.RECORD_TYPES]
PERSON_ROLES = ("author", "narrator", "interviewer", "recipient", "signatory", "translator", "mentioned")
PLACE_ROLES = ("recorded_at", "written_at", "origin", "mentioned")
ACCESS_LABELS = {"public": _l("Public: anyone"), "restricted": _l("Restricted: signed-in users"),
                 "private": _l("Private: archivists only")}
ACCESS_CHOICES = [SelectChoice(level, ACCESS_LABELS[level]) for level in ACCESS_LEVELS]
ROLE_CHOICES = [SelectChoice(r, _l(r.capitalize())) for r in ROLES]
_ROLE_LABELS = (_l("Researcher"), _l("Archivist"), _l("Admin"))  # the labels above, for the catalog
LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


class EDTF:
    """A validator for EDTF dates; when the words typed can be read as a date, it offers that
    (`circa 1975` -> `1975~`, `1975-1979` -> `1975/1979`) in `field.suggestion`."""

    def __call__(self, form, field):
        field.suggestion = None
        value = (field.data or "").strip()
        if not value:
            return
        try:
            dates.bounds(value)
        except dates.DateError as exc:
            suggestion = dates.suggest(value)
            if suggestion and suggestion != value:
                field.suggestion = suggestion
                raise ValidationError(Text("%(value)s is not an EDTF date. Did you mean %(suggestion)s?",
                                           value=repr(value), suggestion=suggestion))
            raise ValidationError(exc.args[0])


def lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def parse_links(text: str | None, roles: tuple[str, ...] | None) -> tuple[list[dict], list[str]]:
    """`name | role` lines into links, and the problems found (one message per bad line)."""
    links, problems = [], []
    for number, line in enumerate(lines(text), start=1):
        name, _, role = (part.strip() for part in line.partition("|"))
        if not name:
            problems.append(Text("line %(number)s: a name is needed before the |", number=number))
            continue
        link = {"name": name}
        if roles is not None:
            role = re.sub(r"[\s-]+", "_", role.casefold()) or "mentioned"
            if role not in roles:
                problems.append(Text("line %(number)s: role must be one of %(roles)s", number=number,
                                     roles=", ".join(r.replace("_", " ") for r in roles)))
                continue
            link["role"] = role
        elif role:
            problems.append(Text("line %(number)s: events take no role", number=number))
            continue
        links.append(link)
    return links, problems


class Links:
    """A validator for a links textarea: one `name | role` per line."""

    def __init__(self, roles: tuple[str, ...] | None):
        self.roles = roles

    def __call__(self, form, field):
        _, problems = parse_links(field.data, self.roles)
        if problems:
            joined = problems[0]
            for problem in problems[1:]:
                joined = Text("%(first)s; %(then)s", first=joined, then=problem)
            raise ValidationError(joined)


def link_lines(links: list[dict], with_role: bool) -> str:
    """Links back into the textarea's `name | role` lines."""
    return "\n".join(f"{link['name']} | {link['role'].replace('_', ' ')}" if with_role and link.get("role")
                     else link["name"] for link in links)


class RecordForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=1000)])
    type = SelectField(_l("Type"), choices=RECORD_TYPES, default="testimony")
    date = StringField(_l("Date"), validators=[Optional(), Length(max=100), EDTF()],
                       description=_l("EDTF: 2017-09-03, 2018-07, 1975/1979, 1981~ (circa), 197X (1970s)"))
    period = StringField(_l("Period"), validators=[Optional(), Length(max=100), EDTF()],
                         description=_l("The time the record speaks of, e.g. 1975/1979"))
    summary = TextAreaField(_l("Summary"), validators=[Length(max=20000)])
    text = TextAreaField(_l("Text"), description=_l("Plain text; a blank line starts a new paragraph."))
    language = StringField(_l("Languages"), description=_l("Language codes separated by commas: en, km, fr"))
    subjects = TextAreaField(_l("Subjects"), description=_l("One per line"))
    collection = StringField(_l("Collection"), validators=[Length(max=500)])
    # Not labelled "Accession": a label must not contain another field's label ("Access"), so that
    # people, screen readers and browser tests (which match labels as substrings) find the right one.
    accession = StringField(_l("Inventory number"), validators=[Length(max=200)],
                            description=_l("The accession number in the collection, e.g. DL-2017-004"))
    source_citation = TextAreaField(_l("Source citation"), validators=[Length(max=5000)])
    source_url = StringField(_l("Source URL"), validators=[Length(max=2000)])
    source_repository = StringField(_l("Source repository"), validators=[Length(max=1000)])
    rights = TextAreaField(_l("Rights"), validators=[Length(max=5000)])
    access = SelectField(_l("Access"), choices=ACCESS_CHOICES, default="private")
    embargo_until = StringField(_l("Embargo until"), validators=[Optional()],
                                description=_l("A day, YYYY-MM-DD: until then only archivists see the record"))
    people = TextAreaField(_l("People"), validators=[Links(PERSON_ROLES)],
                           description=_l("One per line: name | role (%(roles)s)", roles=", ".join(
                               r.replace("_", " ") for r in PERSON_ROLES)))
    events = TextAreaField(_l("Events"), validators=[Links(None)], description=_l("One per line: name"))
    places = TextAreaField(_l("Places"), validators=[Links(PLACE_ROLES)],
                           description=_l("One per line: name | role (%(roles)s)", roles=", ".join(
                               r.replace("_", " ") for r in PLACE_ROLES)))
    create_new = BooleanField(_l("Create these"))
    base_revision = HiddenField()
    save = SubmitField(_l("Save"))
    preview = SubmitField(_l("Preview links"))

    def validate_language(self, field):
        bad = [code for code in split_codes(field.data) if not LANGUAGE.match(code)]
        if bad:
            raise ValidationError(Text("not a language code: %(codes)s (use en, km, fr …)", codes=", ".join(bad)))

    def validate_embargo_until(self, field):
        import datetime as dt
        value = (field.data or "").strip()
        if value:
            try:
                if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                    raise ValueError
                dt.date.fromisoformat(value)
            except ValueError:
                raise ValidationError(Text("must be a day, YYYY-MM-DD")) from None

    def fill(self, record: dict) -> None:
        """Show a saved record in the form."""
        for key in ("title", "type", "date", "period", "summary", "text", "collection", "accession",
                    "rights", "access", "embargo_until"):
            getattr(self, key).data = record.get(key) or ""
        self.language.data = ", ".join(record.get("language") or [])
        self.subjects.data = "\n".join(record.get("subjects") or [])
        source = record.get("source") or {}
        self.source_citation.data = source.get("citation") or ""
        self.source_url.data = source.get("url") or ""
        self.source_repository.data = source.get("repository") or ""
        self.people.data = link_lines(record.get("people") or [], True)
        self.events.data = link_lines(record.get("events") or [], False)
        self.places.data = link_lines(record.get("places") or [], True)
        self.base_revision.data = str(record.get("revision") or "")


def split_codes(text: str | None) -> list[str]:
    return [c for c in re.split(r"[\s,;]+", (text or "").strip()) if c]


def record_data(form: RecordForm) -> dict:
    """What `records.save_record` takes, from a valid form (links by name, as typed)."""
    def text(value):
        return (value or "").strip() or None
    return {
        "type": form.type.data, "title": (form.title.data or "").strip(),
        "summary": text(form.summary.data), "text": form.text.data or "",
        "language": split_codes(form.language.data), "date": text(form.date.data),
        "period": text(form.period.data), "subjects": lines(form.subjects.data),
        "collection": text(form.collection.data), "accession": text(form.accession.data),
        "source": {"citation": text(form.source_citation.data), "url": text(form.source_url.data),
                   "repository": text(form.source_repository.data)},
        "rights": text(form.rights.data), "access": form.access.data,
        "embargo_until": text(form.embargo_until.data),
        "people": parse_links(form.people.data, PERSON_ROLES)[0],
        "events": parse_links(form.events.data, None)[0],
        "places": parse_links(form.places.data, PLACE_ROLES)[0],
    }


# Where an error of the write path (its field path) is shown in the record form.
FIELD_OF = {"source": "source_citation", "source.citation": "source_citation", "source.url": "source_url",
            "source.repository": "source_repository"}


def field_for(form: FlaskForm, path: str):
    """The form field to show a (field, message) error from the write path next to."""
    if path in FIELD_OF:
        return getattr(form, FIELD_OF[path])
    head = path.split(".")[0]
    return getattr(form, head, None) if head else None


class EntityForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=500)])
    note = TextAreaField(_l("Note"), validators=[Length(max=20000)])
    base_revision = HiddenField()
    save = SubmitField(_l("Save"))


class PersonForm(EntityForm):
    variants = TextAreaField(_l("Variants"), description=_l("Other spellings and scripts, one per line"))
    dates = StringField(_l("Dates"), validators=[Optional(), Length(max=100), EDTF()],
                        description=_l("EDTF, e.g. 1933/2020 or 1950~/.."))


class PlaceForm(EntityForm):
    variants = TextAreaField(_l("Variants"), description=_l("Other spellings and scripts, one per line"))
    part_of = StringField(_l("Part of"), description=_l("The name of a larger place"))
    lat = StringField(_l("Latitude"))
    lon = StringField(_l("Longitude"))

    def validate_lat(self, field):
        _coordinate(field, 90)

    def validate_lon(self, field):
        _coordinate(field, 180)


def _coordinate(field, limit: int) -> None:
    value = (field.data or "").strip()
    if value:
        try:
            number = float(value)
        except ValueError:
            raise ValidationError(Text("must be a number in degrees")) from None
        if not -limit <= number <= limit:
            raise ValidationError(Text("must lie between -%(limit)s and %(limit)s", limit=limit))


class EventForm(EntityForm):
    date = StringField(_l("Date"), validators=[Optional(), Length(max=100), EDTF()],
                       description=_l("EDTF, usually an interval: 1975/1979"))
    places = TextAreaField(_l("Places"), validators=[Links(None)], description=_l("One per line: name"))
    part_of = StringField(_l("Part of"), description=_l("The name of a larger event"))
    create_new = BooleanField(_l("Create these"))


class MergeForm(FlaskForm):
    into = StringField(_l("Merge into"), validators=[DataRequired()],
                       description=_l("The name or id of the one to keep"))
    merge = SubmitField(_l("Merge"))


class ConfirmForm(FlaskForm):
    """A form with only its CSRF token, for buttons that change something."""


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1000)])
    next = HiddenField()
    submit = SubmitField(_l("Sign in"))


class UserAddForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, default="researcher")
    add = SubmitField(_l("Add user"))


class UserRoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    change = SubmitField(_l("Change role"))


class PasswordResetForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired()])
    reset = SubmitField(_l("Reset password"))
