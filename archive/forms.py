"""Forms of the archivist pages (Flask-WTF): they read and check what was typed; they never write.

The record form is built from the record's fields (`archive/fields.py`): a form field for each
field with an `Input`, its kind (line, box, choice) and checks following from the field's shape,
and `fill` / `record_data` turning a record into the form's texts and back. Turning a valid form
into the data `records.save_record` / `save_entity` take is here, so the views stay thin.
Everything the write path checks again (JSON Schema, EDTF) is checked by `validation.validate`; its
(field, message) pairs come back onto these fields through `field_for`.
"""
from __future__ import annotations

import datetime as dt
import functools
import re

from babel import Locale
from flask_babel import LazyString, lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (BooleanField, HiddenField, PasswordField, SelectChoice, SelectField, StringField,
                     SubmitField, TextAreaField)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from . import dates, fields
from .access import ROLES
from .messages import Text


def _lazy(text):
    """A label or help of archive/fields.py (marked there with `N_`, or a `Text`), translated when
    the form is drawn, in the reader's language."""
    from .i18n import translate
    return LazyString(translate, text) if text else text


ROLE_CHOICES = [SelectChoice(r, _l(r.capitalize())) for r in ROLES]
_ROLE_LABELS = (_l("Researcher"), _l("Archivist"), _l("Admin"))  # the labels above, for the catalog
LANGUAGE = re.compile(fields.LANGUAGE_PATTERN)


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


class LanguageCodes:
    """A validator for a line of language codes (or names `split_codes` knows) separated by commas."""

    def __call__(self, form, field):
        bad = [code for code in split_codes(field.data) if not LANGUAGE.match(code)]
        if bad:
            raise ValidationError(Text("not a language code: %(codes)s (use en, km, fr …)", codes=", ".join(bad)))


class IsoDay:
    """A validator for a day written YYYY-MM-DD."""

    def __call__(self, form, field):
        value = (field.data or "").strip()
        if value:
            try:
                if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                    raise ValueError
                dt.date.fromisoformat(value)
            except ValueError:
                raise ValidationError(Text("must be a day, YYYY-MM-DD")) from None


def link_lines(links: list[dict], with_role: bool) -> str:
    """Links back into the textarea's `name | role` lines."""
    return "\n".join(f"{link['name']} | {link['role'].replace('_', ' ')}" if with_role and link.get("role")
                     else link["name"] for link in links)


# --- the record form, built from the record's fields ----------------------------------------------

def _checks(shape: fields.Shape) -> list:
    """The validators a shape of value asks for, in the order they run."""
    if isinstance(shape, fields.Links):
        return [Links(shape.roles)]
    if isinstance(shape, fields.Codes):
        return [LanguageCodes()]
    if isinstance(shape, fields.Day):
        return [Optional(), IsoDay()]
    checks = [DataRequired()] if shape.required and not isinstance(shape, fields.Choice) else []
    if isinstance(shape, fields.Edtf):
        return [Optional(), Length(max=shape.max_length), EDTF()]
    if isinstance(shape, fields.Text):
        checks.append(Length(max=shape.max_length))
    return checks


def _form_field(field: fields.Field):
    """The WTForms field asking for a record's field, or for a part of one."""
    shown = field.form
    attrs = {k: v for k, v in (("rows", shown.rows), ("type", shown.type),
                               ("placeholder", _lazy(shown.placeholder))) if v is not None}
    options = {"description": _lazy(shown.help) or "", "validators": _checks(field.shape),
               "render_kw": attrs or None}
    if isinstance(field.shape, fields.Choice):
        choices = [SelectChoice(code, _lazy(text)) for code, text in field.shape.options]
        return SelectField(_lazy(shown.label), choices=choices, default=shown.default or field.shape.default,
                           **options)
    return (TextAreaField if shown.rows else StringField)(_lazy(shown.label), **options)


# The record's fields the form asks for (a `Parts` field through its parts), in the order of its JSON.
ASKED = tuple(f for f in fields.RECORD_FIELDS if all(part.form for _, part in f.flat()))
# Made before RecordForm's buttons, so that the form lists them first (WTForms keeps creation order).
_INPUTS = {name: _form_field(part) for field in ASKED for name, part in field.flat()}


def _text(value) -> str | None:
    return (value or "").strip() or None


class RecordForm(FlaskForm):
    """A record: an input per field it asks for (`ASKED`, added below), then the buttons."""

    create_new = BooleanField(_l("Create these"))  # every new name at once (kept for scripts and old forms)
    # "Create these" under each link field, for its own new names (`templates/_form.html` new_names_box)
    create_person = BooleanField(_l("Create these people"))
    create_event = BooleanField(_l("Create these events"))
    create_place = BooleanField(_l("Create these places"))
    base_revision = HiddenField()
    # Recordings (views/uploads.py): a file, its transcript, and the segment index as lines.
    media_upload = FileField(_l("Recording or file"), description=_l(
        "Audio, video, an image or a PDF; what it is and how long it lasts are read from the file."))
    media_label = StringField(_l("Label of the file"), validators=[Length(max=1000)],
                              description=_l("e.g. Tape 1, side A"))
    transcript_upload = FileField(_l("Transcript file"), description=_l(
        "WebVTT (.vtt) or SRT (.srt), for the file sent with it, else for the first recording."))
    segments_lines = TextAreaField(_l("Segments"), render_kw={"rows": 5}, description=_l(
        "One per line: start - end | title | synopsis | keywords separated by ; "
        "(times as 1:05 or 65.5; the end may be left out)."))
    save = SubmitField(_l("Save"))
    preview = SubmitField(_l("Preview links"))

    def record_inputs(self) -> list:
        """The inputs of the record's fields, in the order of the record's JSON."""
        return [self[name] for field in ASKED for name, _ in field.flat()]

    def fill(self, record: dict) -> None:
        """Show a saved record in the form."""
        for field in ASKED:
            value, shape = record.get(field.name), field.shape
            if isinstance(shape, fields.Parts):
                for name, part in field.flat():
                    self[name].data = (value or {}).get(part.name) or ""
            elif isinstance(shape, fields.Links):
                self[field.name].data = link_lines(value or [], bool(shape.roles))
            elif isinstance(shape, fields.List):
                self[field.name].data = (", " if isinstance(shape, fields.Codes) else "\n").join(value or [])
            else:
                self[field.name].data = value or ""
        self.base_revision.data = str(record.get("revision") or "")


for _name, _unbound in _INPUTS.items():  # the way WTForms adds fields to a form class
    setattr(RecordForm, _name, _unbound)


def split_codes(text: str | None) -> list[str]:
    """Language codes typed as codes ("km en", "km, en") or names ("Khmer, English", "ខ្មែរ"): a
    name Babel's locale data knows (in English, Khmer or French) becomes its code; what is neither
    is kept as typed, for the validator to name."""
    out: list[str] = []
    for part in re.split(r"[,;]+", text or ""):
        words = part.split()
        if all(LANGUAGE.match(w) for w in words):
            out += words
        elif words:
            out.append(" ".join(words))
    return [c if LANGUAGE.match(c) else _language_names().get(c.casefold(), c) for c in out]


@functools.lru_cache(maxsize=1)
def _language_names() -> dict[str, str]:
    """Language name (case-folded) → code, from Babel's English, Khmer and French locale data."""
    names: dict[str, str] = {}
    for locale in ("en", "km", "fr"):
        for code, name in Locale.parse(locale).languages.items():
            if LANGUAGE.match(code):
                names.setdefault(name.casefold(), code)
    return names


def record_data(form: RecordForm) -> dict:
    """What `records.save_record` takes, from a valid form (links by name, as typed)."""
    data: dict = {}
    for field in ASKED:
        shape, typed = field.shape, form[field.flat()[0][0]].data
        if isinstance(shape, fields.Parts):
            data[field.name] = {part.name: _text(form[name].data) for name, part in field.flat()}
        elif isinstance(shape, fields.Links):
            data[field.name] = parse_links(typed, shape.roles)[0]
        elif isinstance(shape, fields.Codes):
            data[field.name] = split_codes(typed)
        elif isinstance(shape, fields.List):
            data[field.name] = lines(typed)
        elif isinstance(shape, fields.Choice):
            data[field.name] = typed
        elif isinstance(shape, fields.Body):
            data[field.name] = typed or ""
        else:
            data[field.name] = (typed or "").strip() if shape.required else _text(typed)
    return data


def _error_places() -> dict[str, str]:
    """Where an error of the write path (its field path) is shown in the record form, when not
    beside the field of its name: a `Parts` field's own errors beside its first part,
    `source.url` beside `source_url`."""
    places = {}
    for field in fields.of_shape(fields.Parts):
        places[field.name] = field.flat()[0][0]
        places.update({f"{field.name}.{part.name}": name for name, part in field.flat()})
    return places


FIELD_OF = _error_places()


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
    variants = TextAreaField(_l("Variants"), description=_l("Other names and scripts, one per line"))
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
