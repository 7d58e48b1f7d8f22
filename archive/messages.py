"""Messages for people, written in English where they arise and translated where they are shown.

The layers below the web (search, query syntax, dates) know nothing of Flask or of the reader's
language, yet they word notes a person reads ("No person called …"). They return a `Text`: a `str`
holding the English, so that logs, JSON and tests read it as before, which also carries its
catalog id and arguments, so that a page (`i18n.translate`, the `tr` template filter) can show it in
the reader's language. `N_` only marks a constant for the catalog (`make messages` extracts both).

Placeholders are `%(name)s`, as gettext and Flask-Babel use them. An argument may be a `Text` itself
(translated too) or a list of them (joined with commas).
"""
from __future__ import annotations


def N_(message: str) -> str:
    """Mark a constant message for the catalog; it is translated where it is shown."""
    return message


def _english(value) -> object:
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return value


class Text(str):
    """An English message (the str itself) with its catalog id and arguments."""

    msgid: str
    params: dict

    def __new__(cls, msgid: str, **params) -> "Text":
        english = msgid % {k: _english(v) for k, v in params.items()} if params else msgid
        self = super().__new__(cls, english)
        self.msgid, self.params = msgid, params
        return self

    def __reduce__(self):  # keeps msgid and arguments through copy and pickle
        return (_rebuild, (self.msgid, self.params))


def _rebuild(msgid: str, params: dict) -> Text:
    return Text(msgid, **params)


# Constants that other modules show to people without marking them (kept here so that the catalog
# has them; the page tests fail if one is shown untranslated).
N_("Nothing to search for in the query; showing everything.")  # index/searching.py
