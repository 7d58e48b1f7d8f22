"""Template filters: labels of codes (record types, kinds, roles, access levels) in the reader's
language, subject and collection slugs, `lang="km"` where Khmer text needs a Khmer font, and
`record_fields`, the record's fields (archive/fields.py), which the record page lists. The language
filters themselves (`tr`, `num`, `date_words`, `when`) are registered by `archive/i18n.py`."""
from __future__ import annotations

import re

from flask import Flask
from markupsafe import Markup, escape

from .. import clock, fields, kinds, redaction, urls
from ..access import ACCESS_NAMES, ROLE_NAMES
from ..i18n import translate
from ..names import slug


def init_app(app: Flask) -> None:
    app.add_template_filter(lang_attr, "lang_attr")
    app.add_template_filter(lang_runs, "lang_runs")
    app.add_template_filter(type_label, "type_label")
    app.add_template_filter(link_role, "link_role")
    app.add_template_filter(kind_label, "kind_label")
    app.add_template_filter(kinds_label, "kinds_label")
    app.add_template_filter(lambda role: translate(ROLE_NAMES.get(role, role)), "role_label")
    app.add_template_filter(lambda level: translate(ACCESS_NAMES.get(level, level)), "access_label")
    app.add_template_test(lambda until: bool(until) and until > clock.today(), "embargoed")
    app.add_template_filter(slug, "slug")  # the address of a subject or collection
    app.add_template_test(urls.is_web_url, "web_url")  # only web addresses become links
    app.add_template_global(fields.RECORD_FIELDS, "record_fields")
    app.add_template_filter(moment, "clock")
    app.add_template_filter(seconds, "seconds")
    app.add_template_filter(redaction_marks, "redaction_marks")
    app.add_template_filter(lambda status: translate(fields.CONSENT_LABELS.get(status, status)), "consent_label")


def moment(value: float | None) -> str:
    """A moment of a recording as people read it: 75.4 -> "1:15", 3725 -> "1:02:05"."""
    total = int(value or 0)
    hours, rest = divmod(total, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def seconds(value: float | None) -> str:
    """A moment as `?t=` and media fragments (`#t=`) take it: 3.6 -> "3.6", 12.0 -> "12"."""
    return f"{float(value or 0):.3f}".rstrip("0").rstrip(".")


def redaction_marks(html: Markup, redactions: list[dict]) -> Markup:
    """A paragraph's HTML with the passages of these redactions marked in place (the characters
    `redaction.marked_paragraphs` put at their ends), each labelled with its level and reason."""
    if not redactions:
        return html
    text = str(html)
    for i, r in enumerate(redactions):
        label = f"{translate(ACCESS_NAMES.get(r['access'], r['access']))}: {r.get('reason') or ''}"
        opening = Markup('<mark class="redacted" data-redaction="{}" data-label="{}" title="{}">').format(
            r["id"], label, label)
        text = text.replace(chr(redaction.OPEN + i), opening).replace(chr(redaction.CLOSE + i), "</mark>")
    # escaped HTML given, with our own escaped <mark> tags put in
    return Markup(text)  # nosec B704


def type_label(code: str) -> str:
    """A record type's label ("Open letter") in the reader's language."""
    return translate(kinds.type_label(code))


def link_role(code: str | None) -> str:
    """The role a person or place plays in a record ("recorded at"), in the reader's language."""
    return translate(kinds.role_label(code))


def kind_label(name: str) -> str:
    """"Person", "Event", "Place" or "Record" in the reader's language (by kind name)."""
    try:
        return translate(kinds.get(name).label)
    except KeyError:
        return name


def kinds_label(plural: str) -> str:
    """"People", "Events", "Places" in the reader's language (by URL segment)."""
    try:
        return translate(kinds.by_plural(plural).plural_label)
    except KeyError:
        return plural


KHMER_LETTER = re.compile("[\u1780-\u17b3\u19e0-\u19ff]")
KHMER_RUN = re.compile("[\u1780-\u17ff\u19e0-\u19ff]+(?:[\\s\u200b-\u200d]+[\u1780-\u17ff\u19e0-\u19ff]+)*")


def script_lang(text: str | None) -> str | None:
    """`km` when most letters of a text are Khmer (so browsers pick a Khmer font), else None.

    Letters are counted, not code points: a Khmer syllable spells its vowel signs and subscripts
    as extra code points, which would otherwise tip a mostly-English title over to Khmer.
    """
    if not text:
        return None
    sample = str(text)[:2000]
    if sample.isascii() or not KHMER_LETTER.search(sample):  # most text: no loop over its letters
        return None
    khmer = other = 0
    for ch in sample:
        if "\u1780" <= ch <= "\u17b3" or "\u19e0" <= ch <= "\u19ff":
            khmer += 1
        elif ch.isalpha() and not "\u1780" <= ch <= "\u17ff":
            other += 1
    return "km" if khmer and khmer >= other else None


def lang_attr(text: str | None):
    """A ` lang="km"` attribute for Khmer text (or HTML such as a snippet), nothing otherwise."""
    plain = text.striptags() if isinstance(text, Markup) else text
    return Markup(' lang="km"') if script_lang(plain) == "km" else ""


def lang_runs(text) -> Markup:
    """Text (or HTML such as a snippet with `<mark>`) with its Khmer runs in `<span lang="km">`.

    For mixed text whose element is not marked Khmer as a whole (`lang_attr` gave nothing), so that
    a Khmer name or phrase inside English text still gets a Khmer font. Plain text is escaped;
    Markup is kept (tags and entities are ASCII, so a run never crosses one).
    """
    if text is None:
        return Markup("")
    html = str(text) if isinstance(text, Markup) else str(escape(text))
    plain = text.striptags() if isinstance(text, Markup) else text
    # `html` is Markup already or escaped text, and only fixed tags are added: nothing unescaped.
    if script_lang(plain) == "km" or not KHMER_RUN.search(html):
        return Markup(html)  # nosec B704
    return Markup(KHMER_RUN.sub(lambda m: f'<span lang="km">{m.group(0)}</span>', html))  # nosec B704
