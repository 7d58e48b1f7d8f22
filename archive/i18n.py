"""The interface's languages: English and Khmer, with Flask-Babel's catalogs.

Owns the choice of language (`?lang=km|en`, kept in a cookie; else the browser's Accept-Language;
else English), the catalogs' place (`archive/translations/`, compiled to `.mo` at install and build
time: `make install`, the wheel's build hook), and what templates use to speak the reader's
language: `_()`/`{% trans %}` from Flask-Babel, and the filters `tr` (a `messages.Text` or a marked
constant), `num` (digits of the language), `date_words` (a date worded for the reader, by
`dates.in_words`), `when` (a
timestamp), `language_name`, `decade`, and `language_links()` (this page in each language, for the
switch in the header). Record content is never translated.
"""
from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from babel import Locale, UnknownLocaleError
from babel.dates import format_datetime
from flask import Flask, has_request_context, request
from flask_babel import Babel, get_locale, get_translations, gettext, ngettext
from markupsafe import Markup

from . import dates
from .messages import Text

LANGUAGES = {"en": "English", "km": "ខ្មែរ"}  # each named in itself, as a language switch shows them
DEFAULT = "en"
COOKIE = "lang"
COOKIE_SECONDS = 365 * 24 * 3600
KHMER_DIGITS = str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩")

babel = Babel()


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_language, default_translation_directories="translations")
    app.before_request(use_our_catalog)
    app.after_request(keep_choice)
    app.add_template_filter(translate, "tr")
    app.add_template_filter(number, "num")
    app.add_template_filter(date_words, "date_words")  # readers see dates in words, not EDTF
    app.add_template_filter(when, "when")
    app.add_template_filter(language_name, "language_name")
    app.add_template_filter(decade, "decade")
    app.add_template_global(language_links)
    app.add_template_global(current_language)


# --- the choice ------------------------------------------------------------------------------------

def chosen_in_request() -> str | None:
    """The language the address asks for (`?lang=`), if it is one the interface speaks."""
    asked = request.args.get("lang", "").strip().lower()
    return asked if asked in LANGUAGES else None


def select_language() -> str:
    """`?lang=`, else the cookie, else Accept-Language, else English (outside a request too)."""
    if not has_request_context():
        return DEFAULT
    kept = request.cookies.get(COOKIE)
    return (chosen_in_request() or (kept if kept in LANGUAGES else None)
            or request.accept_languages.best_match(list(LANGUAGES)) or DEFAULT)


def current_language() -> str:
    """The code of the language this response speaks ("en" outside a request)."""
    return str(get_locale() or DEFAULT) if has_request_context() else DEFAULT


def keep_choice(response):
    """A `?lang=` choice is kept in a cookie; the language depends on cookie and Accept-Language."""
    asked = chosen_in_request()
    if asked and request.cookies.get(COOKIE) != asked:
        response.set_cookie(COOKIE, asked, max_age=COOKIE_SECONDS, samesite="Lax", httponly=True,
                            secure=request.is_secure)
    if request.endpoint != "static":  # CSS and fonts are the same in every language
        response.vary.update(("Accept-Language", "Cookie"))
    return response


def use_our_catalog() -> None:
    """WTForms' and Flask-WTF's own messages ("This field is required.") come from our catalog.

    WTForms ships no Khmer catalog; Flask-WTF looks its translations up once per request and keeps
    them on the request (`wtforms_translations`), so ours are put there first.
    """
    request.wtforms_translations = get_translations()


def language_links() -> list[dict]:
    """This page (its path and query) in each language, for the switch in the header."""
    now = current_language()
    return [{"code": code, "name": name, "url": lang_url(code), "current": code == now}
            for code, name in LANGUAGES.items()]


def lang_url(code: str) -> str:
    """The address of this page with `lang=code`, every other argument kept."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"] + [("lang", code)]
    return f"{request.path}?{urlencode(args)}"


# --- speaking the reader's language ----------------------------------------------------------------

def khmer() -> bool:
    return current_language() == "km"


def number(value) -> str:
    """A whole number as the interface writes it: in Khmer digits in Khmer (no grouping, as years)."""
    text = str(value)
    return text.translate(KHMER_DIGITS) if khmer() else text


def translate(message):
    """A message in the reader's language: a `Text` with its arguments, or a marked constant.

    Arguments that are `Text` are translated, lists joined with commas, numbers
    written in its digits, months named; other strings (names, titles, what was typed) are kept.
    """
    if message is None or isinstance(message, Markup):
        return message
    if isinstance(message, Text):
        params = {key: _argument(value) for key, value in message.params.items()}
        return gettext(message.msgid, **params) if params else gettext(message.msgid)
    if isinstance(message, str) and message:
        return gettext(message)
    return message


def _argument(value):
    if isinstance(value, dates.Worded):
        return date_words(value.edtf)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return number(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(str(_argument(v)) for v in value)
    if isinstance(value, Text):
        return translate(value)
    return value


def date_words(value: str | None) -> str:
    """A date in words in the reader's language (`dates.in_words`, the one place dates are worded,
    with the interface's gettext), in Khmer digits in Khmer: `1977~` is "about 1977" or
    ប្រហែលឆ្នាំ១៩៧៧."""
    if not has_request_context():
        return dates.in_words(value)
    words = dates.in_words(value, gettext)
    return number(words) if khmer() else words


def when(value: str | None) -> str:
    """A stored timestamp (ISO 8601, UTC) for the reader: "4 Oct 2017, 10:02 UTC", in Khmer
    "៤ តុលា ២០១៧, ១០:០២ ម៉ោងសកល" (Babel's month names)."""
    if not value:
        return ""
    try:
        moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return number(value)
    if khmer():
        shown = number(format_datetime(moment, "d MMMM y, HH:mm", tzinfo=dt.timezone.utc, locale="km"))
    else:
        shown = format_datetime(moment, "d MMM y, HH:mm", tzinfo=dt.timezone.utc, locale="en")
    return gettext("%(moment)s UTC", moment=shown)


def language_name(code: str) -> str:
    """A language code of a record ("km") as the reader's language names it (Babel's locale data)."""
    try:
        name = Locale.parse(str(get_locale() or DEFAULT)).languages.get(str(code).replace("-", "_").split("_")[0])
    except (UnknownLocaleError, ValueError):
        name = None
    return name or code


def decade(value: str) -> str:
    """A decade facet value ("1970s"): as it is in English, worded in Khmer."""
    if not khmer() or not str(value).rstrip("s").isdigit():
        return value
    return date_words(str(value).rstrip("s")[:-1] + "X")


def _messages_of_libraries() -> None:  # never called: it puts these messages into the catalog
    """What WTForms, Flask-WTF and werkzeug say to people, so that the Khmer catalog has them too.

    WTForms and Flask-WTF translate their messages through the request's Flask-Babel catalog
    (`use_our_catalog`); the error page translates werkzeug's names and descriptions of statuses.
    """
    gettext("This field is required.")
    gettext("Not a valid choice.")
    gettext("Invalid input.")
    ngettext("Field cannot be longer than %(max)d character.",
             "Field cannot be longer than %(max)d characters.", 1)
    ngettext("Field must be at least %(min)d character long.",
             "Field must be at least %(min)d characters long.", 1)
    gettext("Field must be between %(min)d and %(max)d characters long.")
    gettext("The CSRF token is missing.")
    gettext("The CSRF session token is missing.")
    gettext("The CSRF token has expired.")
    gettext("The CSRF token is invalid.")
    gettext("The CSRF tokens do not match.")
    gettext("Bad Request"), gettext("Unauthorized"), gettext("Forbidden"), gettext("Not Found")
    gettext("Method Not Allowed"), gettext("Conflict"), gettext("Request Entity Too Large")
    gettext("Too Many Requests"), gettext("Internal Server Error"), gettext("Service Unavailable")
    gettext("Error")
    gettext("The requested URL was not found on the server. If you entered the URL manually please "
            "check your spelling and try again.")
    gettext("The method is not allowed for the requested URL.")
    gettext("The server encountered an internal error and was unable to complete your request. Either "
            "the server is overloaded or there is an error in the application.")
    gettext("The data value transmitted exceeds the capacity limit.")
    gettext("The browser (or proxy) sent a request that this server could not understand.")
