"""The record form's recordings: an uploaded file, its transcript, and the segment index as lines.

The file is streamed into the media folder (archive/media.py: temporary name, synced, renamed) before
the save whose commit names it, and measured there; what the browser claims of it (its type, its
name's extension) is never used. A transcript is read by archive/transcripts.py, which reports what
it cannot read with the cue number. Segments are typed one a line,
`start - end | title | synopsis | keyword; keyword`, so the form works without JavaScript; the links
of a segment that keeps its start are kept. What this gives the write path is the record's `media`
and `segments` (docs/architecture.md, "Recordings").
"""
from __future__ import annotations

import re

from flask import current_app, request

from .. import media, records, store, transcripts
from ..messages import Text

_TIME = re.compile(r"^(?:(\d+):)?(?:(\d+):)?(\d+(?:[.,]\d+)?)$")
EXTRA = 16 * 1024 * 1024  # room for the form's other fields beside the largest file


def allow_large_upload() -> None:
    """Let this request carry a recording as large as MEDIA_MAX_BYTES (other requests keep
    MAX_CONTENT_LENGTH)."""
    if request.method == "POST":
        request.max_content_length = max(current_app.config["MAX_CONTENT_LENGTH"] or 0,
                                         int(current_app.config["MEDIA_MAX_BYTES"]) + EXTRA)


def parse_time(text: str) -> float:
    """`1:05`, `1:02:05`, `65.5` as seconds. :raise ValueError:"""
    match = _TIME.match(text.strip())
    if not match:
        raise ValueError(text)
    a, b, c = match.groups()
    parts = [int(x) for x in (a, b) if x is not None]
    total = float(c.replace(",", "."))
    for i, value in enumerate(reversed(parts)):
        total += value * 60 ** (i + 1)
    return total


def segment_lines(segments: list[dict]) -> str:
    """The segment index as the form's lines."""
    def clock(t):
        t = float(t)
        whole = int(t)
        frac = f"{t - whole:.3f}"[1:].rstrip("0").rstrip(".")
        h, rest = divmod(whole, 3600)
        return (f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{rest // 60}:{rest % 60:02d}") + frac
    out = []
    for s in segments:
        span = clock(s["start"]) + (f" - {clock(s['end'])}" if s.get("end") is not None else "")
        out.append(" | ".join([span, s.get("title") or "", (s.get("synopsis") or "").replace("\n", " "),
                               "; ".join(s.get("keywords") or [])]).rstrip(" |"))
    return "\n".join(out)


def read_segment_lines(text: str, old: list[dict]) -> tuple[list[dict], list[str]]:
    """Segments from the form's lines (links and ids kept where the start is the same), and errors."""
    by_start = {round(float(s["start"]), 3): s for s in old}
    segments, errors = [], []
    for number, line in enumerate((text or "").splitlines(), 1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        times = [t for t in re.split(r"\s+-\s+|–|—", parts[0]) if t.strip()]
        try:
            start = parse_time(times[0])
            end = parse_time(times[1]) if len(times) > 1 else None
        except (ValueError, IndexError):
            errors.append(Text("Segments, line %(n)s: “%(time)s” is not a time (write 1:05, 1:02:05 or 65.5).",
                               n=number, time=parts[0]))
            continue
        kept = by_start.get(round(start, 3), {})
        segments.append({**({k: kept[k] for k in ("id", "media", "people", "events", "places") if k in kept}),
                         "start": start, "end": end, "title": parts[1] if len(parts) > 1 else None,
                         "synopsis": parts[2] if len(parts) > 2 else None,
                         "keywords": [k.strip() for k in parts[3].split(";") if k.strip()] if len(parts) > 3 else []})
    return segments, errors


def recordings_of(form, current: dict | None, files: records.Files, db, language: str | None
                  ) -> tuple[list[dict], list[dict], list[str]]:
    """The record's media and segments after the form: the file sent stored and added, its transcript
    read; with any problem, a message for the form (and nothing of it added).

    :returns: (media, segments, problems), and notices of repaired transcripts in `files.notices`.
    """
    kept = [dict(m) for m in (current or {}).get("media") or []]
    problems: list[str] = []
    segments, errors = read_segment_lines(form.segments_lines.data, (current or {}).get("segments") or [])
    problems += errors
    upload, transcript = form.media_upload.data, form.transcript_upload.data
    target = None
    if upload and getattr(upload, "filename", None):
        try:
            measured = files.store(upload.stream, store.media_folder(db))
        except media.MediaError as error:
            problems.append(Text("The file was not kept: %(why)s.", why=error.text))
        else:
            used = {m["id"] for m in kept}
            mid = next(f"m{n}" for n in range(1, len(used) + 2) if f"m{n}" not in used)
            target = {"id": mid, "label": (form.media_label.data or "").strip() or None,
                      "filename": upload.filename[-500:], "sha256": measured.sha256, "transcript": []}
            kept.append(target)
    if transcript and getattr(transcript, "filename", None):
        if target is None:
            target = next((m for m in kept if m.get("kind") in ("audio", "video")), None)
        if target is None:
            problems.append(Text("A transcript needs a recording: send the file with it."))
        else:
            duration = files.measured[target["sha256"]].duration if target.get("sha256") in files.measured \
                else target.get("duration")
            try:
                read = transcripts.read_transcript(transcript.read(), duration=duration, language=language)
            except transcripts.TranscriptError as error:
                problems += [Text("The transcript was not read: %(why)s.", why=problem)
                             for problem in error.problems[:5]]
            else:
                target["transcript"], target["notes"] = read.cues, read.notes
                files.notices.extend(read.notices)
    return kept, segments, problems
