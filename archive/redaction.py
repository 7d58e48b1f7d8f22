"""Redactions: passages of a record hidden from viewers below a level (docs/architecture.md,
"Redactions and consent").

A redaction is a span of characters of `text` (`start`, `end`) or a time range of a media file
(`media`, `from`, `to`), with a `reason`, the least `access` level that may see it (`restricted` or
`private`) and an optional `until` day after which it lapses by itself. This module owns, as pure
functions (no Flask, no SQL, no Whoosh):

- `for_viewer(record, viewer, today)`: the viewer's copy of a record, the ONE place a passage is
  hidden: `[redacted]` in place of each hidden span of the text and of each transcript cue in a
  hidden time range, and hidden redactions reduced to `{id, reason}`. The store applies it to every
  record it hands to a viewer (`store.get_record`, the lists behind search cards and exports, OAI);
- `check(record)`: what is wrong with a record's redactions (offsets, ranges, ids), for validation;
- `follow(old_text, new_text, redactions)`: the spans moved onto the same words after an edit, and
  `settle`, the redactions a save keeps (used by the write path, `records.py`);
- `index_views(record, today)`: the text each level searches (the index keeps hidden passages in
  fields only viewers of that level search, `index/schema.py`).
"""
from __future__ import annotations

import difflib
import json
import re

from . import fields
from .access import ACCESS_LEVELS, Viewer
from .errors import ValidationError
from .redaction_times import cues_in_ranges, media_for, merged, segments_for, segments_in_ranges  # noqa: F401

MARK = "[redacted]"
LEVELS = ("restricted", "private")  # the levels a redaction may ask for
REASON_MAX = 500


# --- which redactions hide what ---------------------------------------------------------------------

def active(redaction: dict, today: str) -> bool:
    """Whether a redaction still hides its passage: it lapses once its `until` day has passed."""
    until = redaction.get("until")
    return not until or until >= today


def hidden_from(redaction: dict, viewer: Viewer, today: str) -> bool:
    """Whether this viewer may not see the redacted passage today."""
    return active(redaction, today) and redaction.get("access", "private") not in viewer.levels


def segments_anyone_misses(record: dict, today: str) -> set[int]:
    """The segments lying wholly inside a time range some viewer may not hear today: their links do
    not make people, events and places visible (`segment_links` holds no level), so such a segment
    names nobody to anyone but archivists (docs/architecture.md, "Redactions and consent")."""
    ranges = [r for r in record.get("redactions") or [] if not is_span(r) and active(r, today)]
    return segments_in_ranges(record, ranges) if ranges else set()


def is_span(redaction: dict) -> bool:
    return "start" in redaction


def hides_anything(record: dict, viewer: Viewer, today: str) -> bool:
    return any(hidden_from(r, viewer, today) for r in record.get("redactions") or [])


def hide_spans(text: str, spans: list[tuple[int, int]], mark: str = MARK) -> str:
    """The text with each span (merged where they overlap) replaced by `mark`."""
    pieces, last = [], 0
    for start, end in merged(spans):
        start, end = max(start, last), min(end, len(text))
        if start >= end:
            continue
        pieces += [text[last:start], mark]
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


def for_viewer(record: dict, viewer: Viewer, today: str, mark: str = MARK) -> dict:
    """The record as this viewer may read it (a copy; the record itself is not changed).

    Passages hidden from the viewer read `mark` in the text and in the transcripts' cues; their
    redactions keep only `id` and `reason`. A record without redactions is returned as it is.
    """
    redactions = record.get("redactions") or []
    hidden = [r for r in redactions if hidden_from(r, viewer, today)]
    if not hidden:
        return record
    copy = dict(record)
    spans = merged([(r["start"], r["end"]) for r in hidden if is_span(r)])
    moved = {}
    if spans:
        copy["text"] = hide_spans(record.get("text") or "", spans, mark)
        for r in redactions:  # the passages still shown, at their places in the new text
            if is_span(r) and r not in hidden:
                moved[id(r)] = {**r, "start": _moved(r["start"], spans, len(mark), False),
                                "end": _moved(r["end"], spans, len(mark), True)}
    ranges = [r for r in hidden if not is_span(r)]
    if ranges and record.get("media"):
        copy["media"] = [media_for(m, ranges, mark) for m in record["media"]]
        if record.get("segments"):
            copy["segments"] = segments_for(record, ranges, mark)
    shown = {id(r) for r in hidden}
    copy["redactions"] = [{"id": r.get("id"), "reason": r.get("reason") or ""} if id(r) in shown
                          else moved.get(id(r), r) for r in redactions]
    return copy


def _moved(pos: int, spans: list[tuple[int, int]], mark: int, end: bool) -> int:
    """Where an offset of the text lands once the (merged, sorted) spans are each replaced by a mark
    of `mark` characters; an offset inside a span lands before the mark (a start) or after it (an end)."""
    shift = 0
    for start, stop in spans:
        if pos >= stop:
            shift += (stop - start) - mark
        elif pos > start:
            return start - shift + (mark if end else 0)
        else:
            break
    return pos - shift


def hidden_ranges(record: dict, media_id: str, viewer: Viewer, today: str) -> list[tuple[float, float]]:
    """The time ranges of a media file this viewer may not hear (for a silenced copy)."""
    return [(float(r["from"]), float(r["to"])) for r in record.get("redactions") or []
            if not is_span(r) and r.get("media") == media_id and hidden_from(r, viewer, today)]


def seen_passages(record: dict, viewer: Viewer, today: str) -> list[dict]:
    """The active redactions whose passages this viewer may see though others may not (for the
    view log: reading a redacted passage is logged like reading a restricted record)."""
    return [r for r in record.get("redactions") or []
            if active(r, today) and not hidden_from(r, viewer, today)]


# --- what the index makes of them --------------------------------------------------------------------

def index_views(record: dict, today: str) -> dict[str, dict]:
    """The record as each level reads it, for the levels that read it differently from the public:
    {"public": copy, "restricted": copy?, "private": copy?}. Hidden passages become a blank, so
    they add no word (not even "redacted") to what is searched."""
    views = {"public": for_viewer(record, _LEVEL_VIEWERS["public"], today, mark=" ")}
    if views["public"] is record:
        return views
    for level in LEVELS:
        copy = for_viewer(record, _LEVEL_VIEWERS[level], today, mark=" ")
        if any(copy.get(key) != views["public"].get(key) for key in ("text", "media", "segments")):
            views[level] = copy
    return views


_LEVEL_VIEWERS = {"public": Viewer(), "restricted": Viewer("level", "researcher"),
                  "private": Viewer("level", "archivist")}
if tuple(_LEVEL_VIEWERS) != ACCESS_LEVELS:  # a new level needs its viewer here
    raise RuntimeError("redaction._LEVEL_VIEWERS does not name every access level")


def searchable_text(copy: dict) -> str:
    """The words of a viewer's copy that the level fields of the index hold: text, cues and the
    segments' titles, synopses and keywords."""
    parts = [copy.get("text") or ""]
    for media in copy.get("media") or []:
        parts += [cue.get("text") or "" for cue in media.get("transcript") or []]
    for seg in copy.get("segments") or []:
        parts += [seg.get("title") or "", seg.get("synopsis") or "", *(seg.get("keywords") or [])]
    return "\n".join(p for p in parts if p)


# --- checks -------------------------------------------------------------------------------------------

def check(record: dict, text: str) -> list[tuple[str, str]]:
    """What is wrong with a record's redactions, as (field path, message) pairs; `text` is the
    record's text as it will be stored."""
    errors = []
    media = {m.get("id"): m for m in record.get("media") or [] if isinstance(m, dict)}
    seen = set()
    for i, r in enumerate(record.get("redactions") or []):
        if not isinstance(r, dict):
            continue
        where = f"redactions.{i}"
        if r.get("id"):
            if r["id"] in seen:
                errors.append((f"{where}.id", f"{r['id']} is used by another redaction of this record"))
            seen.add(r["id"])
        if is_span(r):
            start, end = r.get("start"), r.get("end")
            if isinstance(start, int) and isinstance(end, int):
                if not 0 <= start < end <= len(text):
                    errors.append((where, f"characters {start} to {end} are not a passage of the text "
                                          f"(it has {len(text)} characters)"))
                elif not text[start:end].strip():
                    errors.append((where, f"characters {start} to {end} hold no words"))
        else:
            from_, to = r.get("from"), r.get("to")
            if isinstance(from_, (int, float)) and isinstance(to, (int, float)):
                if not 0 <= from_ < to:
                    errors.append((where, f"the time range {from_} to {to} is empty or negative"))
            if "media" in record and r.get("media") not in media:
                errors.append((f"{where}.media", f"no media file {r.get('media')} in this record"))
            elif r.get("media") in media and media[r["media"]].get("duration"):
                if isinstance(from_, (int, float)) and from_ >= media[r["media"]]["duration"]:
                    errors.append((where, f"the time range starts after the end of {r['media']}"))
    return errors


def with_ids(redactions: list[dict]) -> list[dict]:
    """The redactions, each with an id (`x1`, `x2`, … for those without)."""
    taken = {r.get("id") for r in redactions}
    out, n = [], 0
    for r in redactions:
        if not r.get("id"):
            n += 1
            while f"x{n}" in taken:
                n += 1
            taken.add(f"x{n}")
            r = {"id": f"x{n}", **r}
        out.append(r)
    return out


# --- the redactions a save keeps ----------------------------------------------------------------------

def settle(old: dict | None, data: dict, user: str | None, stamp: str) -> list[dict]:
    """The redactions a record will keep, checked against its new text.

    When the input leaves them out, or gives back those already stored, while the text changed, the
    spans follow their words into the new text (`redaction.follow`). New or changed redactions are
    stamped with who made them and when. :raise ValidationError: when an edit deleted a redacted
    passage's words, or an offset or range does not fit the record.
    """
    text = fields.FIELDS["text"].shape.clean(data.get("text"))
    kept = json.loads(old["redactions"] or "[]") if old and not old["deleted_at"] else []
    given = data.get("redactions")
    if given is not None:  # entries of a viewer's copy (id and reason only) hide nothing here
        given = [r for r in given if "start" in r or "media" in r]

    def unstamped(items: list[dict]) -> list[dict]:
        return [{k: v for k, v in r.items() if k not in ("by", "at")}
                for r in fields.FIELDS["redactions"].shape.clean(items)]

    if given is None or unstamped(given) == unstamped(kept):
        chosen = kept
        if old and old["text"] != text:
            try:
                chosen = follow(old["text"], text, kept)
            except WordsDeleted as exc:
                raise ValidationError([("text", "the edit deletes every word of the passage hidden by "
                                                 f"redaction {', '.join(map(str, exc.args[0]))}: keep "
                                                 "its words, or remove the redaction first")]) from exc
    else:
        before = {r.get("id"): r for r in kept}
        chosen = []
        for r in with_ids([dict(r) for r in given]):
            same = before.get(r["id"])
            if same and unstamped([same]) == unstamped([r]):
                r = same
            elif not r.get("by") or same:
                r = {**r, "by": user, "at": stamp}
            chosen.append(r)
    files = {"media": fields.FIELDS["media"].shape.clean(data["media"])} if "media" in data else {}
    errors = check({**data, **files, "redactions": chosen}, text)  # files with their ids (m1, …) given
    if errors:
        raise ValidationError(errors)
    return chosen


# --- following the words through an edit --------------------------------------------------------------

_TOKENS = re.compile(r"\w+|[^\w\s]+|\s+")


class WordsDeleted(ValueError):
    """An edit deleted every word of some redacted passages (their ids in `args[0]`)."""


def follow(old: str, new: str, redactions: list[dict]) -> list[dict]:
    """The redactions with their spans moved onto the same words of the edited text.

    Words changed inside a span stay hidden (the span covers what replaced them). :raise
    WordsDeleted: when nothing of a span is left.
    """
    spans = [r for r in redactions if is_span(r)]
    if old == new or not spans:
        return redactions
    mapping = _offset_map(old, new)
    out, lost = [], []
    for r in redactions:
        if is_span(r):
            start, end = mapping(r["start"], "start"), mapping(r["end"], "end")
            if start >= end or not new[start:end].strip():
                lost.append(r.get("id"))
                continue
            r = {**r, "start": start, "end": end}
        out.append(r)
    if lost:
        raise WordsDeleted(lost)
    return out


def _offset_map(old: str, new: str):
    """A function from an offset of `old` to the matching offset of `new` (token by token)."""
    head = 0  # the common beginning and end need no matching
    most = min(len(old), len(new))
    while head < most and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < most - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    a_mid, b_mid = old[head:len(old) - tail], new[head:len(new) - tail]
    a_tok, b_tok = _TOKENS.findall(a_mid), _TOKENS.findall(b_mid)
    a_at = _starts(a_tok, head)
    b_at = _starts(b_tok, head)
    blocks = difflib.SequenceMatcher(None, a_tok, b_tok, autojunk=False).get_opcodes()

    def mapping(pos: int, side: str) -> int:
        if pos <= head:
            return pos
        if pos >= len(old) - tail:
            return pos - len(old) + len(new)
        for tag, i1, i2, j1, j2 in blocks:
            lo, hi = a_at[i1], a_at[i2]
            if lo <= pos < hi or (pos == hi and side == "end"):
                if tag == "equal":
                    return b_at[j1] + (pos - lo)
                return b_at[j1] if side == "start" else b_at[j2]
        return len(new) - tail
    return mapping


def _starts(tokens: list[str], base: int) -> list[int]:
    at = [base]
    for t in tokens:
        at.append(at[-1] + len(t))
    return at


# --- the record page: marks in place, passages chosen by their words ----------------------------------

OPEN, CLOSE = 0xE000, 0xE800  # private-use characters standing for <mark> and </mark> of redaction i
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def paragraph_starts(text: str) -> list[tuple[int, str]]:
    """Each paragraph of the text (as `highlight.paragraphs` cuts them) with its first offset."""
    out, last = [], 0
    for cut in [*_PARAGRAPH_BREAK.finditer(text), None]:
        end = cut.start() if cut else len(text)
        chunk = text[last:end]
        lead = len(chunk) - len(chunk.lstrip("\n"))
        if chunk.strip():
            out.append((last + lead, chunk.strip("\n")))
        last = cut.end() if cut else end
    return out


def marked_paragraphs(text: str, redactions: list[dict]) -> list[tuple[int, str]]:
    """The paragraphs with the spans of these redactions (the i-th of the list) between the
    characters chr(OPEN + i) and chr(CLOSE + i), cut at paragraph ends; with their first offsets."""
    out = []
    for start, para in paragraph_starts(text):
        cuts = []
        for i, r in enumerate(redactions):
            if is_span(r) and r["start"] < start + len(para) and r["end"] > start:
                cuts += [(max(r["start"], start) - start, chr(OPEN + i)), (min(r["end"], start + len(para)) - start,
                                                                           chr(CLOSE + i))]
        for at, ch in sorted(cuts, key=lambda c: c[0], reverse=True):
            para = para[:at] + ch + para[at:]
        out.append((start, para))
    return out


class NotFound(ValueError):
    """A passage typed or selected is not in the text, or more than once without a hint."""


def locate(text: str, passage: str, near: int | None = None) -> tuple[int, int]:
    """The span of `passage` in the text (spaces and line breaks between its words may differ);
    of several, the one nearest `near`. :raise NotFound:"""
    words = passage.split()
    if not words:
        raise NotFound("no words")
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words))
    found = [(m.start(), m.end()) for m in pattern.finditer(text)]
    if not found:
        raise NotFound("not in the text")
    if len(found) > 1 and near is None:
        raise NotFound(f"{len(found)} times in the text")
    return min(found, key=lambda span: abs(span[0] - (near or 0)))
