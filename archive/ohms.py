"""OHMS XML (the Oral History Metadata Synchronizer's export) read into records of the import shape.

This module owns the reading of OHMS files, versions 5 and 6, into record dicts as an import line
gives them (docs/architecture.md, "Recordings"): title, type `interview`, date, people (interviewees
as `narrator`, interviewers as `interviewer`), summary, subjects, collection, accession, rights, the
plain transcript as `text`, one media entry (the media URL kept as `source`, the file name as
`filename`; the file itself is not in the XML) with its transcript cues, and the index points as
segments. What it cannot carry is said in `OhmsImport.notices`.

Version 6 keeps its transcript as WebVTT in `<vtt_transcript>` (read by archive/transcripts.py).
Version 5 keeps plain lines in `<transcript>` and minute markers in `<sync>`: `1:|13(3)|19(14)` means
one marker a minute, the first minute reached at line 13, word 3, the second at line 19, word 14
(lines count from 1 over the transcript split at newlines, blank lines included; words from 1 within
a line). Cues are cut at every marker, every speaker turn (`NAME:` at the start of a line) and every
paragraph; a cut between two markers gets a time interpolated by word count, as the OHMS viewer
places it only to the minute. Footnote references `[[footnote]]2[[/footnote]]` become `[2]` and the
notes in `[[footnotes]][[note]]…[[/note]][[/footnotes]]` become the transcript's notes.

Parsing goes through defusedxml: an OHMS file is untrusted input. Leaves to others: creating the
record and linking names to authorities (the importer), files (archive/media.py).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from . import transcripts

_FOOTNOTES = re.compile(r"\[\[footnotes\]\](.*?)\[\[/footnotes\]\]", re.DOTALL)
_NOTE = re.compile(r"\[\[note\]\](.*?)\[\[/note\]\]", re.DOTALL)
_FOOTNOTE_REF = re.compile(r"\[\[footnote\]\]\s*(\d+)\s*\[\[/footnote\]\]")
_SPEAKER = re.compile(r"^\s*([A-Z][A-Z\-.' ]*):\s+(.*)$")
_STAMP = re.compile(r"^\s*(\d+)\((\d+)\)\s*$")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_CLOCK = re.compile(r"^(\d+):(\d{1,2}):(\d{1,2}(?:\.\d+)?)$")
SECONDS_PER_WORD = 0.4  # about 150 words a minute, used only past the last marker of an unknown length
LANGUAGES = {"english": "en", "eng": "en", "en": "en", "french": "fr", "français": "fr", "fra": "fr",
             "fre": "fr", "fr": "fr", "khmer": "km", "khm": "km", "km": "km", "spanish": "es", "spa": "es",
             "es": "es", "german": "de", "deu": "de", "ger": "de", "de": "de", "vietnamese": "vi",
             "vie": "vi", "vi": "vi", "thai": "th", "tha": "th", "th": "th", "chinese": "zh", "zh": "zh"}


class OhmsError(ValueError):
    """A file that is not OHMS XML the archive can read; the message says why."""


@dataclass
class OhmsImport:
    """The records read from one OHMS file and what reading them changed or left behind."""

    records: list[dict]
    notices: list[str] = field(default_factory=list)


def is_ohms(data: bytes | str) -> bool:
    """True when the content looks like an OHMS export (for `archive import FILE.xml`)."""
    head = data[:4096] if isinstance(data, str) else data[:4096].decode("utf-8", "replace")
    return "nunncenter/ohms" in head or ("<ROOT" in head and "<record" in head)


def read_ohms(data: bytes | str, *, access: str = "private") -> OhmsImport:
    """Records (import shape) from an OHMS XML file of version 5 or 6.

    :raise OhmsError: when the XML cannot be parsed or holds no OHMS record.
    """
    try:
        root = SafeET.fromstring(data)
    except (SafeET.ParseError, DefusedXmlException) as error:
        raise OhmsError(f"not OHMS XML the archive can read: {error}") from None
    records = [el for el in root.iter() if _local(el.tag) == "record"]
    if _local(root.tag) == "record":
        records = [root]
    if not records:
        raise OhmsError("not OHMS XML: it has no <record>")
    result = OhmsImport([])
    for number, el in enumerate(records, 1):
        notices: list[str] = []
        result.records.append(_record(el, access, notices))
        prefix = f"record {number}: " if len(records) > 1 else ""
        result.notices.extend(prefix + n for n in notices)
    return result


def parse_sync(sync: str) -> list[tuple[float, int, int]]:
    """OHMS 5 minute markers as (seconds, line, word); `1:|13(3)` -> [(60.0, 13, 3)]."""
    interval, sep, stamps = (sync or "").partition(":")
    if not sep or not interval.strip().replace(".", "", 1).isdigit():
        return []
    step = float(interval) * 60
    markers = []
    for index, stamp in enumerate(stamps.split("|")):
        match = _STAMP.match(stamp)
        if match and index:
            markers.append((index * step, int(match.group(1)), int(match.group(2))))
    return markers


def _record(el, access: str, notices: list[str]) -> dict:
    get = lambda name: _text(el, name)  # noqa: E731
    duration = _seconds(get("duration")) or None
    language = _language(get("language"), notices)
    kind = get("fmt") or _text(_child(el, "mediafile"), "clip_format") or "audio"
    if kind not in ("audio", "video"):
        kind = "audio"
    cues, notes, text = _transcript(el, language, duration, notices)
    media = {"id": "m1", "kind": kind, "label": get("title") or None, "filename": get("file_name") or None,
             "source": get("media_url") or None, "transcript": cues}
    if notes:
        media["notes"] = notes
    if not (media["filename"] or media["source"]):
        notices.append("no media URL or file name: the recording has to be added (archive media add)")
    people = [{"name": n, "role": "narrator"} for n in _names(el, "interviewee")]
    people += [{"name": n, "role": "interviewer"} for n in _names(el, "interviewer")]
    subjects = _unique([*_all_text(el, "subject"), *_all_text(el, "keyword")])
    rights = "\n\n".join(t for t in (get("rights"), get("usage")) if t) or None
    url = get("repository_url")
    return {
        "kind": "record", "type": "interview", "title": get("title") or "Untitled OHMS interview",
        "summary": get("description") or None, "text": text or None,
        "language": [language] if language else [], "date": _date(el, notices), "period": None,
        "people": people, "events": [], "places": [], "subjects": subjects,
        "collection": get("collection_name") or get("series_name") or None,
        "accession": get("accession") or None,
        "source": {"citation": None, "url": url if url.startswith(("http://", "https://")) else None,
                   "repository": get("repository") or None},
        "rights": rights, "access": access, "embargo_until": None,
        "media": [media], "segments": _segments(el, duration, notices),
    }


def _transcript(el, language, duration, notices):
    """(cues, notes, plain text) from <vtt_transcript> (version 6) or <transcript> + <sync> (version 5)."""
    vtt = _text(el, "vtt_transcript", strip=False)
    if vtt.strip():
        try:
            read = transcripts.read_transcript(vtt, language=language, duration=duration, strict=False)
        except transcripts.TranscriptError as error:
            notices.append(f"vtt_transcript: {error}; the record is imported without cues")
            return [], [], ""
        notices.extend(f"vtt_transcript: {n}" for n in read.notices + read.problems)
        text = "\n\n".join(f"{c['speaker']}: {c['text']}" if c["speaker"] else c["text"] for c in read.cues)
        return read.cues, read.notes, text
    raw = _text(el, "transcript", strip=False)
    if not raw.strip():
        return [], [], ""
    return _legacy(raw, _text(el, "sync"), language, duration, notices)


def _legacy(raw: str, sync: str, language, duration, notices):
    footnotes = []
    section = _FOOTNOTES.search(raw)
    if section:
        footnotes = [" ".join(n.split()) for n in _NOTE.findall(section.group(1))]
        raw = raw[:section.start()] + raw[section.end():]
    tokens = _tokens(raw.split("\n"))
    paragraphs = _paragraphs(raw)
    notes = [f"[{i}] {n}" for i, n in enumerate(footnotes, 1)]
    text = "\n\n".join(paragraphs + (["Notes", *notes] if notes else []))
    if not tokens:
        return [], notes, text
    anchors = _anchors(tokens, parse_sync(sync), notices)
    if not sync.strip():
        notices.append("no <sync> markers: the transcript is one cue")
    end_time = _end_time(tokens, anchors, duration)
    cuts = sorted({0, *anchors} | {i for i, t in enumerate(tokens) if t["turn"] or t["para"]})
    times = _times(len(tokens), anchors, end_time)
    cues = []
    for k, first in enumerate(cuts):
        last = cuts[k + 1] if k + 1 < len(cuts) else len(tokens)
        start, end = times[first], (times[last] if last < len(tokens) else end_time)
        cues.append({"start": round(start, 3), "end": round(max(end, start), 3),
                     "speaker": tokens[first]["speaker"],
                     "text": " ".join(t["word"] for t in tokens[first:last]), "language": language})
    if any(not t["anchored"] for t in tokens[1:]) and anchors:
        notices.append("times between OHMS minute markers were placed by word count")
    return cues, notes, text


def _tokens(lines: list[str]) -> list[dict]:
    """Every word of the transcript with its line and word number (both from 1) and its turn."""
    tokens, speaker, para = [], None, False
    for line_no, line in enumerate(lines, 1):
        if not line.strip():
            para = True
            continue
        words = line.split()
        turn = _SPEAKER.match(line)
        skip = 0
        if turn:
            speaker = " ".join(turn.group(1).split())
            skip = len(turn.group(1).split())  # "NAME:" words are counted by OHMS, not spoken
        for word_no, word in enumerate(words, 1):
            if word_no <= skip:
                continue
            tokens.append({"line": line_no, "n": word_no, "word": _FOOTNOTE_REF.sub(r"[\1]", word),
                           "speaker": speaker, "turn": bool(turn) and word_no == skip + 1,
                           "para": para, "anchored": False})
            para = False
    return tokens


def _anchors(tokens, markers, notices) -> dict[int, float]:
    """Token index -> seconds for each marker, in order; a marker that goes backwards is dropped."""
    keys = [(t["line"], t["n"]) for t in tokens]
    anchors: dict[int, float] = {}
    last_index, dropped = -1, 0
    for seconds, line, word in markers:
        index = bisect.bisect_left(keys, (line, word))
        if index >= len(tokens) or index < last_index:
            dropped += 1
            continue
        anchors[index] = seconds  # several markers on one word: silence; the word is spoken at the last
        tokens[index]["anchored"] = True
        last_index = index
    if dropped:
        notices.append(f"{dropped} <sync> marker{'s' if dropped > 1 else ''} past the transcript or "
                       "out of order were left out")
    return anchors


def _end_time(tokens, anchors, duration) -> float:
    if anchors:
        index, seconds = max(anchors.items())
        rate = seconds / index if index else SECONDS_PER_WORD
        guess = seconds + (len(tokens) - index) * rate
    else:
        guess = len(tokens) * SECONDS_PER_WORD
    if duration and duration >= max(anchors.values(), default=0.0):
        return duration
    return guess


def _times(count: int, anchors: dict[int, float], end_time: float) -> list[float]:
    """A time for every token: markers where there are some, linear by word count between them."""
    points = sorted({0: anchors.get(0, 0.0), **anchors, count: end_time}.items())
    times = [0.0] * (count + 1)
    for (i0, t0), (i1, t1) in zip(points, points[1:]):
        for i in range(i0, i1 + 1):
            times[i] = t0 + (t1 - t0) * (i - i0) / (i1 - i0) if i1 > i0 else t0
    return times


def _paragraphs(raw: str) -> list[str]:
    paragraphs, current = [], []
    for line in raw.split("\n"):
        if line.strip():
            current.append(" ".join(_FOOTNOTE_REF.sub(r"[\1]", line).split()))
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return paragraphs


def _segments(el, duration, notices) -> list[dict]:
    index = _child(el, "index")
    points = [p for p in index if _local(p.tag) == "point"] if index is not None else []
    segments = []
    for p in points:
        title = _text(p, "title")
        if not title:
            notices.append(f"index point {len(segments) + 1} has no title: it was called \"Untitled\"")
        synopsis = _text(p, "synopsis")
        links = [(_text(h, "hyperlink"), _text(h, "hyperlink_text"))
                 for h in p if _local(h.tag) == "hyperlinks" and _text(h, "hyperlink")]
        if links:
            synopsis = "\n\n".join(filter(None, [synopsis, "Links: " + "; ".join(
                f"{label} <{url}>" if label else url for url, label in links)]))
        places = _unique([_text(g, "gps_text") for g in p if _local(g.tag) == "gpspoints"])
        segments.append({
            "id": f"s{len(segments) + 1}", "media": "m1", "start": _seconds(_text(p, "time")), "end": None,
            "title": title or "Untitled", "synopsis": synopsis or None,
            "keywords": _unique(_split(_text(p, "keywords")) + _split(_text(p, "subjects"))),
            "people": [], "events": [], "places": [{"name": name} for name in places],
        })
    segments.sort(key=lambda s: s["start"])
    for seg, nxt in zip(segments, segments[1:] + [None]):
        seg["end"] = nxt["start"] if nxt else duration
    if any(_text(p, "partial_transcript") for p in points):
        notices.append("index points' partial transcripts were not kept: the cues hold the transcript")
    return segments


def _date(el, notices) -> str | None:
    date = _child(el, "date")
    for value in ((date.get("value") or "").strip() if date is not None else "", _text(el, "date_nonpreferred_format")):
        if _DATE.match(value):
            return value
    other = _text(el, "date_nonpreferred_format")
    if other:
        notices.append(f"date {other!r} is not a date the archive reads: left empty")
    return None


def _language(name: str, notices: list[str]) -> str | None:
    if not name:
        return None
    code = LANGUAGES.get(name.strip().lower())
    if not code:
        notices.append(f"language {name!r} is not known here: left empty")
    return code


def _seconds(value: str) -> float:
    value = (value or "").strip()
    match = _CLOCK.match(value)
    if match:
        h, m, s = match.groups()
        return int(h) * 3600 + int(m) * 60 + float(s)
    try:
        return float(value)
    except ValueError:
        return 0.0


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(el, name):
    if el is None:
        return None
    return next((c for c in el if _local(c.tag) == name), None)


def _text(el, name: str, strip: bool = True) -> str:
    child = _child(el, name)
    text = "".join(child.itertext()) if child is not None else ""
    return text.strip() if strip else text


def _all_text(el, name: str) -> list[str]:
    return [t for c in el if _local(c.tag) == name and (t := "".join(c.itertext()).strip())]


def _names(el, name: str) -> list[str]:
    """Interviewees or interviewers: repeated elements, each maybe a list separated by semicolons."""
    return _unique([n for text in _all_text(el, name) for n in _split(text)])


def _split(text: str) -> list[str]:
    return [part.strip() for part in (text or "").split(";") if part.strip()]


def _unique(items) -> list[str]:
    seen, out = set(), []
    for item in items:
        if item and item.casefold() not in seen:
            seen.add(item.casefold())
            out.append(item)
    return out
