"""Time-coded transcripts: WebVTT and SRT in, WebVTT out, and segment indexes as WebVTT chapters.

This module owns the translation between transcript files and the cues of a record's media entry,
`{"start", "end", "speaker", "text", "language"}` with times in seconds (docs/architecture.md,
"Recordings"). Speakers come from voice spans (`<v Name>`), a cue's language from a `<lang km>` span,
else from the file (`Language:` in its header) or the caller. NOTE blocks are kept as `notes`, a list
written back after the header. Text is plain: tags are read, entities decoded, `<br>` is a new line.

webvtt-py reads each cue block (timings, settings, voice spans, tags) and writes the files; it was
chosen over pysubs2 because it keeps NOTE blocks, voice spans and the raw cue text, where pysubs2
turns WebVTT into SubStation styling and drops comments, and because its writer refuses text that
would not read back. This module cuts the file into blocks itself, so that a cue that cannot be read
is reported by its number instead of vanishing (webvtt-py's lenient mode drops it; its strict mode
stops at the first fault). SRT differs only by its numbers and decimal commas, so both go one way.

Real files are messy, and what can be understood is accepted and said (`Transcript.notices`): a byte
order mark, CRLF, Windows-1252 text, a missing `WEBVTT` line (OHMS leaves it out), a recorder's hour
offset (a file starting at 01:00:03), a cue that ends at 00:00:00 or before it starts (it then ends
where the next one starts), `<br>` inside text, cues out of order (sorted). What cannot be understood
is listed with its cue number in a `TranscriptError` (or in `Transcript.problems`, when not strict).

Leaves to others: storing cues (the store), the `.vtt` URLs (the views), searching cues (the index).
"""

from __future__ import annotations

import html
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable

import webvtt
from webvtt.errors import MalformedCaptionError, MalformedFileError

from .messages import Text

_LINES = re.compile(r"\r\n|\r|\n")
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?[ \t]+([^>]*)>")
_LANG = re.compile(r"<lang(?:\.[^\s>]*)?[ \t]+([^>\s]+)[^>]*>")
_TIMING = re.compile(r"^\s*(\S+)\s*-->\s*(\S+)(.*)$")
_HEADER_LANGUAGE = re.compile(r"^Language\s*:\s*(\S+)\s*$", re.IGNORECASE)
HOUR = 3600.0


class TranscriptError(ValueError):
    """A transcript that cannot be read; `problems` names each fault (with its cue number)."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


@dataclass
class Transcript:
    """The cues of one file, its NOTE blocks, its language, and what reading it repaired or left out."""

    cues: list[dict]
    notes: list[str] = field(default_factory=list)
    language: str | None = None
    notices: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def read_transcript(data: bytes | str, *, language: str | None = None, duration: float | None = None,
                    offset: float | None = None, strict: bool = True) -> Transcript:
    """Read a WebVTT or SRT file into cues.

    `language` is the language of cues without a `<lang>` span (else the file's `Language:` header);
    `duration` (seconds) is the recording's, when known, used to see an hour offset and to end a last
    cue; `offset` is subtracted from every time (None: a whole-hour recorder offset is removed when seen).
    :raise TranscriptError: when no cue can be read, or (strict) when any cue cannot.
    """
    notices: list[str] = []
    text = _decode(data, notices)
    blocks = _blocks(_LINES.split(text))
    if not blocks:
        raise TranscriptError([Text("the file is empty")])
    header_language = None
    if blocks[0][1][0].startswith("WEBVTT"):
        header_language = next((m.group(1) for line in blocks[0][1][1:]
                                if (m := _HEADER_LANGUAGE.match(line))), None)
        blocks = blocks[1:]
    elif not any("-->" in line for _, lines in blocks[:3] for line in lines):
        raise TranscriptError([Text("this is neither WebVTT nor SRT: no cue timings (00:00:01.000 --> "
                                    "00:00:04.000) near the start")])
    default_language = language or header_language
    cues, notes, problems = _read_blocks(blocks, default_language, notices)
    if not cues:
        raise TranscriptError(problems + [Text("no cue could be read")])
    if strict and problems:
        raise TranscriptError(problems)
    numbered = _shift(cues, offset, duration, notices)
    numbered = _sort(numbered, notices)
    _repair_ends(numbered, duration, notices)
    if duration is not None:
        late = [n for n, cue in numbered if cue["start"] > duration]
        if late:
            late_cue = Text("cue %(n)s starts after the recording ends (%(end)s)", n=late[0], end=_clock(duration))
            notices.append(Text("%(late)s, and %(more)s more", late=late_cue, more=len(late) - 1)
                           if len(late) > 1 else late_cue)
    return Transcript([cue for _, cue in numbered], notes, default_language, notices, problems)


def write_vtt(cues: Iterable[dict], *, notes: Iterable[str] = (), language: str | None = None) -> str:
    """A WebVTT file of cues: speakers as `<v Name>`, languages other than the file's as `<lang>`.

    `language` is the file's (written as `Language:`); by default the commonest language of the cues.
    """
    cues = list(cues)
    if language is None:
        common = Counter(c.get("language") for c in cues if c.get("language")).most_common(1)
        language = common[0][0] if common else None
    captions = [webvtt.Caption(_timestamp(c["start"]), _timestamp(c["end"]), _payload(c, language))
                for c in cues]
    doc = webvtt.WebVTT(captions=captions, header_comments=[_clean_note(n) for n in notes if n.strip()],
                        metadata=[f"Language: {language}"] if language else [])
    return doc.content


def write_chapters(segments: Iterable[dict], *, media: str | None = None,
                   duration: float | None = None) -> str:
    """A segment index as WebVTT chapters: one cue per segment (its id and title), in time order.

    Only the segments of `media` when given (and those that name no media). A segment without an end
    ends where the next begins, or at `duration`.
    """
    chosen = sorted((s for s in segments if media is None or s.get("media") in (None, media)),
                    key=lambda s: s["start"])
    captions = []
    for i, seg in enumerate(chosen):
        following = chosen[i + 1]["start"] if i + 1 < len(chosen) else duration
        end = seg.get("end")
        if end is None or end <= seg["start"]:
            end = following if following is not None and following > seg["start"] else seg["start"]
        ident = str(seg.get("id") or "")
        captions.append(webvtt.Caption(_timestamp(seg["start"]), _timestamp(end),
                                       _escape(seg.get("title") or "").replace("\n", " "),
                                       identifier=ident if ident and _plain_line(ident) else None))
    return webvtt.WebVTT(captions=captions).content


def read_chapters(data: bytes | str, *, duration: float | None = None) -> list[dict]:
    """Segments `{start, end, title}` from a WebVTT chapters file. :raise TranscriptError:"""
    transcript = read_transcript(data, duration=duration, offset=0.0)
    return [{"start": c["start"], "end": c["end"], "title": c["text"].replace("\n", " ")}
            for c in transcript.cues]


def _decode(data: bytes | str, notices: list[str]) -> str:
    if isinstance(data, str):
        return data.lstrip("\ufeff")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise TranscriptError([Text("the file is not text in UTF-8, UTF-16 or Windows-1252")]) from None
    notices.append(Text("the file is not UTF-8: it was read as Windows-1252"))
    return text


def _blocks(lines: list[str]) -> list[tuple[int, list[str]]]:
    """Blocks of lines separated by blank lines, each with the number of its first line."""
    blocks, current, first = [], [], 0
    for number, line in enumerate(lines, 1):
        if line.strip():
            if not current:
                first = number
            current.append(line.rstrip())
        elif current:
            blocks.append((first, current))
            current = []
    if current:
        blocks.append((first, current))
    return blocks


def _read_blocks(blocks, language, notices):
    cues: list[tuple[int, dict]] = []
    notes: list[str] = []
    problems: list[str] = []
    number = 0
    for line_no, lines in blocks:
        head = lines[0]
        if head == "NOTE" or head.startswith(("NOTE ", "NOTE\t")):
            notes.append("\n".join([head[5:].strip(), *lines[1:]]).strip())
            continue
        if head in ("STYLE", "REGION") and not any("-->" in line for line in lines):
            continue
        timings = [i for i, line in enumerate(lines) if "-->" in line]
        # text before a cue's one identifier line follows a blank line inside the previous cue
        loose = lines[:max(timings[0] - 1, 0)] if timings else lines
        if loose:
            if cues:  # SRT files have blank lines inside cue text
                cues[-1][1]["text"] += "\n" + _plain(loose, language)[2]
                notices.append(Text("cue %(n)s: text after a blank line was kept in it", n=cues[-1][0]))
            else:
                problems.append(Text("line %(line)s: text outside any cue: %(text)s", line=line_no, text=repr(lines[0][:60])))
        for at, text_lines in _cue_parts(lines, timings):
            number += 1
            cue = _read_cue(lines[at], text_lines, language)
            if isinstance(cue, str):
                problems.append(Text("cue %(n)s (line %(line)s): %(problem)s", n=number, line=line_no + at, problem=cue))
            elif not cue["text"]:
                notices.append(Text("cue %(n)s has no text: left out", n=number))
            else:
                cues.append((number, cue))
    return cues, notes, problems


def _cue_parts(lines: list[str], timings: list[int]):
    """(timing line index, text lines) of each cue in a block; a cue may follow text with no blank line."""
    for k, at in enumerate(timings):
        stop = timings[k + 1] if k + 1 < len(timings) else len(lines)
        if stop < len(lines) and stop - 1 > at and lines[stop - 1].strip().isdigit():
            stop -= 1  # the next cue's SRT number
        yield at, lines[at + 1:stop]


def _read_cue(timing: str, text_lines: list[str], language: str | None) -> dict | Text:
    match = _TIMING.match(timing)
    if not match:
        return Text("cannot read its times %(timing)s", timing=repr(timing.strip()[:60]))
    start, end, settings = match.groups()
    # SRT writes 00:00:01,500; WebVTT 00:00:01.500
    block = "\n".join(["WEBVTT", "", f"{start.replace(',', '.')} --> {end.replace(',', '.')}{settings}",
                       *text_lines])
    try:
        captions = webvtt.from_string(block).captions
    except (MalformedCaptionError, MalformedFileError):
        captions = []
    if len(captions) != 1:
        return Text("cannot read its times %(timing)s", timing=repr(timing.strip()[:60]))
    caption = captions[0]
    speaker, cue_language, text = _plain(caption.lines, language)
    return {"start": caption.start_time.in_milliseconds() / 1000,
            "end": caption.end_time.in_milliseconds() / 1000,
            "speaker": speaker, "text": text, "language": cue_language}


def _plain(lines: list[str], language: str | None) -> tuple[str | None, str | None, str]:
    """(speaker, language, plain text) of a cue's raw text."""
    raw = _BR.sub("\n", "\n".join(lines))
    voices = _VOICE.findall(raw)
    speaker = " ".join(html.unescape(voices[0]).split()) if voices else None
    if voices:  # the first voice is the cue's speaker; later ones stay in the text as "Name: "
        raw = _VOICE.sub("", raw, count=1)
        raw = _VOICE.sub(lambda m: _escape(" ".join(html.unescape(m.group(1)).split())) + ": ", raw)
    lang = _LANG.search(raw)
    stripper = webvtt.Caption(text=raw)
    text_lines = (" ".join(html.unescape(line).split()) for line in stripper.text.split("\n"))
    return speaker or None, lang.group(1) if lang else language, "\n".join(t for t in text_lines if t)


def _shift(cues, offset, duration, notices):
    if not cues:
        return cues
    first = min(cue["start"] for _, cue in cues)
    if offset is None:
        hours = math.floor(first / HOUR)
        fits = duration is None or max(c["start"] for _, c in cues) - hours * HOUR <= duration
        beyond = duration is not None and first > duration
        if hours and fits and (beyond or (duration is None and first - hours * HOUR < 60)):
            offset = hours * HOUR
            notices.append(Text("the cues began at %(time)s, a recorder's timecode: every time was moved "
                                "back by %(hours)s hours", time=_clock(first), hours=int(hours))
                           if hours > 1 else
                           Text("the cues began at %(time)s, a recorder's timecode: every time was moved "
                                "back by %(hours)s hour", time=_clock(first), hours=1))
    if not offset:
        return cues
    for _, cue in cues:
        cue["start"] = round(max(cue["start"] - offset, 0.0), 3)
        cue["end"] = round(cue["end"] - offset, 3) if cue["end"] >= offset else cue["end"]
    return cues


def _sort(cues, notices):
    ordered = sorted(cues, key=lambda nc: nc[1]["start"])  # stable: equal starts keep file order
    if ordered != cues:
        late = next(n for (n, _), (m, _) in zip(cues, ordered) if n != m)
        notices.append(Text("the cues were out of order (cue %(n)s first): they were sorted by start time", n=late))
    return ordered


def _repair_ends(cues, duration, notices):
    for i, (number, cue) in enumerate(cues):
        if cue["end"] > cue["start"]:
            continue
        nxt = next((c["start"] for _, c in cues[i + 1:] if c["start"] > cue["start"]), None)
        if nxt is None and duration is not None and duration > cue["start"]:
            nxt = duration
        was = _clock(cue["end"])
        cue["end"] = nxt if nxt is not None else cue["start"]
        notices.append(Text("cue %(n)s ended at %(was)s, not after it began: it now ends at %(now)s",
                            n=number, was=was, now=_clock(cue["end"])))


def _payload(cue: dict, language: str | None) -> str:
    lines = [_escape(line) for line in str(cue.get("text") or "").split("\n") if line.strip()]
    text = "\n".join(lines)
    cue_language = cue.get("language")
    if cue_language and cue_language != language:
        text = f"<lang {cue_language}>{text}</lang>"
    speaker = " ".join(str(cue.get("speaker") or "").split())
    return f"<v {_escape(speaker)}>{text}" if speaker else text


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _plain_line(text: str) -> bool:
    return "-->" not in text and "\n" not in text and "\r" not in text


def _clean_note(note: str) -> str:
    lines = [line.replace("-->", "->") for line in note.splitlines() if line.strip()]
    return "\n".join(lines)


def _timestamp(seconds: float) -> str:
    millis = round(max(float(seconds), 0.0) * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def _clock(seconds: float) -> str:
    return _timestamp(seconds)
