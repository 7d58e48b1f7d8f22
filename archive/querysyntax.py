"""The query syntax people type, read forgivingly: pure string work, no Whoosh, no Flask.

It owns the words of the syntax (the fields a `field:value` may name, read from the record's fields
in archive/fields.py, and the operators), splitting a query into its tokens, and `sanitize`, which
turns broken syntax into plain words with a hint instead of an error. The index (`archive.index.query`) parses the cleaned string; highlighting and the search layer
(`finder`) read the same tokens, so all three agree on what a query says (docs/search.md).
"""
from __future__ import annotations

import re

from .fields import RECORD_FIELDS
from .messages import Text

# The fields a plain word searches: the record's fields indexed as words (archive/fields.py).
TEXT_FIELDS = tuple(f.index_field for f in RECORD_FIELDS if f.search and f.search.as_ == "words")
# Fields a person may name in `field:value`, and the index field each one searches.
QUERY_FIELDS = {f.index_field: f.index_field for f in RECORD_FIELDS
                if f.search and (f.search.as_ == "words" or f.search.named)}
# Keyword fields whose ids the search layer adds when a query names a known authority.
ID_FIELDS = {"person": "person_id", "event": "event_id", "place": "place_id"}
OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}

_TOKEN = re.compile(r'\s+|"[^"]*"|[()]|[^\s()"]+(?:"[^"]*")?|"')


def query_tokens(text: str) -> list[str]:
    """The query split into words, `"phrases"`, parentheses and `field:value` items."""
    return [t for t in _TOKEN.findall(text) if t.strip()]


def sanitize(text: str) -> tuple[str, str | None]:
    """A query string the parser reads as the person meant, and a hint when something was dropped.

    Unclosed quotes and parentheses, `field:` with nothing after it, unknown fields and dangling
    operators (`AND AND`, `kem OR`) are read as plain words, never as an error.
    """
    hints = []
    if text.count('"') % 2:
        cut = text.rfind('"')
        text = text[:cut] + text[cut + 1:]
        hints.append(Text("an unclosed quote"))
    if text.count("(") != text.count(")"):
        text = text.replace("(", " ").replace(")", " ")
        hints.append(Text("unbalanced parentheses"))
    out: list[str] = []
    for token in query_tokens(text):
        field_, sep, value = token.partition(":")
        if sep and not token.startswith('"'):
            prefix = field_.lstrip("+-")
            if prefix.lower() in QUERY_FIELDS:
                if not value.strip('"'):
                    hints.append(Text("“%(field)s:” without a value", field=prefix))
                    continue
                name = QUERY_FIELDS[prefix.lower()]
                if name == "type":
                    value = value.lower().replace(" ", "_")
                token = field_[: len(field_) - len(prefix)] + name + ":" + value
            elif prefix in ID_FIELDS.values():
                token = f'{field_}:"{value.strip(chr(34))}"'  # ids hold hyphens
            elif not prefix:
                token = token.replace(":", " ")
            else:
                hints.append(Text("unknown field “%(field)s:” left out", field=prefix))
                token = field_[: len(field_) - len(prefix)] + value
        if not any(ch.isalnum() for ch in token) and token not in ("(", ")"):
            if token:
                hints.append(Text("a stray “%(token)s”", token=token))
            continue
        out.append(_hyphenated(token))
    # Operators need something on both sides (NOT on its right).
    cleaned: list[str] = []
    for i, token in enumerate(out):
        if token.upper() in OPERATORS and token.isupper():
            before = cleaned[-1] if cleaned else None
            after = out[i + 1] if i + 1 < len(out) else None
            # (bandit takes `token` for a password: B105 does not apply to query words)
            binary = token != "NOT"  # nosec B105
            if (after is None or after == ")" or after.upper() in OPERATORS
                    or (binary and (before is None or before == "(" or before.upper() in OPERATORS))):
                hints.append(Text("a dangling %(operator)s", operator=token))
                continue
        cleaned.append(token)
    if not cleaned and out:  # only operators: search them as words
        cleaned = [t.lower() for t in out]
    hint = None
    if hints:
        hint = Text("Read as plain words (%(reasons)s).", reasons=list(dict.fromkeys(hints)))
    return " ".join(cleaned), hint


def _hyphenated(token: str) -> str:
    """`kem-sokha` is one name, not `kem` without `sokha`: quote words with inner hyphens."""
    sign = token[0] if token[0] in "+-" else ""
    body = token[len(sign):]
    head, sep, value = body.rpartition(":") if not body.startswith('"') else ("", "", body)
    if "-" in value.strip("-") and '"' not in value and not value.endswith(("*", "~")):
        return f'{sign}{head}{sep}"{value}"'
    return token
