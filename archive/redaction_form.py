"""The form of a redaction (docs/architecture.md, "Redactions and consent"): a passage of the text
(its words, or its first and last character) or a time range of a recording (its file, from and to,
or the transcript's cues ticked), why, from whom and until when; also edits one (`redaction_id`).

Works without JavaScript: the transcript's cue checkboxes belong to the time-range form (their
`form` attribute), so ticking cues and pressing Redact hides the time they span. With JavaScript,
static/redact.js fills the passage from a selection of the text, and from and to from the cues
ticked. Turning the form into a redaction's fields is here (`time_range`), so the view stays thin.
"""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectChoice, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from .forms import IsoDay
from .messages import Text

REDACTION_LEVELS = [SelectChoice("private", _l("Private: archivists only")),
                    SelectChoice("restricted", _l("Restricted: signed-in users"))]
_MOMENT = re.compile(r"(?:(?:(\d+):)?(\d{1,2}):)?(\d+(?:\.\d+)?)")


def parse_moment(text: str) -> float:
    """Seconds from `75.5`, `1:15.5` or `1:01:15.5`. :raise ValueError:"""
    found = _MOMENT.fullmatch((text or "").strip())
    if not found:
        raise ValueError(text)
    hours, minutes, secs = found.groups()
    if minutes is not None and float(secs) >= 60:
        raise ValueError(text)
    return round(int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(secs), 3)


class RedactionForm(FlaskForm):
    """A passage or a time range to hide; `media` chosen means a time range."""

    redaction_id = HiddenField()
    passage = TextAreaField(_l("Passage to hide"), [Optional(), Length(max=20000)],
                            description=_l("Its words as they stand in the text, or select them in the "
                                           "text above. Or give its characters below."),
                            render_kw={"rows": 3})
    start = StringField(_l("From character"), [Optional()], description=_l("Counted from 0"))
    end = StringField(_l("Up to character"), [Optional()])
    media = SelectField(_l("Recording"), choices=[], validate_choice=False)
    time_from = StringField(_l("From"), [Optional()], description=_l("Seconds, or minutes:seconds (1:15.5)"))
    time_to = StringField(_l("To"), [Optional()])
    cues = SelectMultipleField(choices=[], validate_choice=False)  # the transcript's checkboxes: "m1/3"
    reason = StringField(_l("Reason"), [DataRequired(), Length(max=500)],
                         description=_l("Shown to everyone in place of the passage's words"))
    level = SelectField(_l("Who may read it"), choices=REDACTION_LEVELS, default="private")
    until = StringField(_l("Hidden until"), [Optional(), IsoDay()],
                        description=_l("A day, YYYY-MM-DD; after it the passage is shown. Empty: always hidden."),
                        render_kw={"placeholder": _l("YYYY-MM-DD")})
    base_revision = HiddenField()
    save = SubmitField(_l("Redact"))

    @property
    def timed(self) -> bool:
        """Whether the form hides a time range of a recording (else a passage of the text)."""
        return bool((self.media.data or "").strip() or self.cues.data)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.timed:
            for f in (self.time_from, self.time_to):
                try:
                    if (f.data or "").strip():
                        parse_moment(f.data)
                except ValueError:
                    f.errors = [*f.errors, Text("Give seconds (75.5) or minutes and seconds (1:15.5).")]
                    valid = False
            if not self.cues.data and not ((self.time_from.data or "").strip() and (self.time_to.data or "").strip()):
                self.form_errors.append(Text("Tick the cues to hide in the transcript, or give the time "
                                             "range's start and end."))
                valid = False
            return valid
        for f in (self.start, self.end):
            if (f.data or "").strip() and not f.data.strip().isdigit():
                f.errors = [*f.errors, Text("Give a whole number of characters.")]
                valid = False
        if not (self.passage.data or "").strip() and not ((self.start.data or "").strip()
                                                          and (self.end.data or "").strip()):
            self.form_errors.append(Text("Give the passage's words, or its first and last character."))
            valid = False
        return valid

    def fill_time(self, old: dict) -> None:
        """Show a stored time-range redaction in the form."""
        self.media.data = old["media"]
        self.time_from.data, self.time_to.data = self.seconds(old["from"]), self.seconds(old["to"])

    @staticmethod
    def seconds(value: float) -> str:
        """A moment as the form shows it: 13.927 -> "13.927", 12.0 -> "12"."""
        return f"{float(value):.3f}".rstrip("0").rstrip(".")


def recording_choices(record: dict) -> list[tuple[str, str]]:
    """The record's files that a time range may be cut from (audio and video)."""
    return [(m["id"], m.get("label") or m.get("filename") or m["id"]) for m in record.get("media") or []
            if m.get("kind") in ("audio", "video")]


def time_range(form: RedactionForm, record: dict) -> dict | None:
    """The file and time range the form names: the span of the cues ticked (all of one file), else
    the file chosen and from and to as typed. None (and the form's error) when they do not fit."""
    files = {m["id"]: m for m in record.get("media") or []}
    if form.cues.data:
        picked = []
        for value in form.cues.data:
            mid, _, number = value.partition("/")
            cues = files.get(mid, {}).get("transcript") or []
            if not number.isdigit() or not 1 <= int(number) <= len(cues):
                form.form_errors.append(Text("A cue ticked is not in the transcript any more: reload the page."))
                return None
            picked.append((mid, cues[int(number) - 1]))
        if len({mid for mid, _ in picked}) > 1:
            form.form_errors.append(Text("Tick cues of one recording at a time."))
            return None
        mid = picked[0][0]
        return {"media": mid, "from": min(c["start"] for _, c in picked),
                "to": max(c.get("end", c["start"]) for _, c in picked)}
    mid = form.media.data
    if mid not in dict(recording_choices(record)):
        form.media.errors = [*form.media.errors, Text("Choose a recording of this record.")]
        return None
    start, end = parse_moment(form.time_from.data), parse_moment(form.time_to.data)
    if end <= start:
        form.time_to.errors = [*form.time_to.errors, Text("The end comes after the start.")]
        return None
    return {"media": mid, "from": start, "to": end}

