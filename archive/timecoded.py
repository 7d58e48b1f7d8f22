"""The shapes of a record's recordings: `media` (files, each with its time-coded transcript) and
`segments` (the index of a recording: OHMS "index points"), described once for every layer.

`archive/fields.py` names the two fields; this module says what their values are (docs/architecture.md,
"Recordings"): their JSON Schema, how input is cleaned (times rounded to milliseconds, cues in time
order, ids `m1`, `s1` given where missing), the checks the JSON Schema cannot make (times in order,
a segment's `media` naming a file of the record), how a column keeps them (JSON in one TEXT column),
and the words the index takes from them. The facts of a file (`bytes`, `sha256`, `mimetype`,
`duration`) are measured by the write path (archive/records.py with archive/media.py), never taken
from input: an input entry may give `path` (a file to store) instead.

Pure data and pure functions, like archive/fields.py: no Flask, no SQL, no Whoosh.
"""
from __future__ import annotations

import json

from .messages import Text

ID_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._~-]{0,63}$"
LANGUAGE = {"type": ["string", "null"], "pattern": "^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"}
SECONDS = {"type": "number", "minimum": 0}
MEASURED = ("mimetype", "bytes", "sha256", "duration")  # set by the archive, never from input
KINDS = ("audio", "video", "image", "document")
LINK_KINDS = (("people", "person"), ("events", "event"), ("places", "place"))
MEDIA_KEYS = ("id", "kind", "label", "filename", "mimetype", "bytes", "sha256", "duration", "transcript",
              "source", "notes")
SEGMENT_KEYS = ("id", "media", "start", "end", "title", "synopsis", "keywords", "people", "events", "places")


def _text(value) -> str | None:
    value = " ".join(str(value).split()) if value is not None else ""
    return value or None


def _body(value) -> str:
    lines = (" ".join(line.split()) for line in str(value or "").replace("\r\n", "\n").split("\n"))
    return "\n".join(line for line in lines if line)


def _time(value) -> float | None:
    return None if value is None else round(float(value), 3)


class Objects:
    """A list of objects kept as JSON in one column of `records` (a duck-typed `fields.Shape`)."""

    required = False
    stored = True
    empty: list = []

    def columns(self, name: str, value) -> dict:
        return {name: json.dumps(value or [], ensure_ascii=False)}

    def from_column(self, cell):
        return json.loads(cell or "[]")


CUE = {"type": "object", "required": ["start", "end", "text"], "additionalProperties": False,
       "properties": {"start": SECONDS, "end": SECONDS, "speaker": {"type": ["string", "null"], "maxLength": 500},
                      "text": {"type": "string", "minLength": 1}, "language": LANGUAGE}}


class Media(Objects):
    """Files of a record: `{id, kind, label, filename, mimetype, bytes, sha256, duration, transcript,
    source, notes}`; in input, `path` (relative to the import file) names a file to store."""

    def schema(self) -> dict:
        nullable = lambda t, **more: {"type": [t, "null"], **more}  # noqa: E731
        return {"type": "array", "items": {"type": "object", "additionalProperties": False, "properties": {
            "id": {"type": "string", "pattern": ID_PATTERN},
            "kind": {"enum": [*KINDS, None]},
            "label": nullable("string", maxLength=1000),
            "filename": nullable("string", maxLength=500),
            "mimetype": nullable("string", description="measured by the archive"),
            "bytes": nullable("integer", description="measured by the archive"),
            "sha256": nullable("string", pattern="^[0-9a-f]{64}$", description="measured by the archive"),
            "duration": nullable("number", description="seconds; measured by the archive"),
            "transcript": {"type": "array", "items": CUE},
            "source": nullable("string", maxLength=2000, description="where the recording came from"),
            "notes": {"type": "array", "items": {"type": "string"}},
            "path": {"type": "string", "minLength": 1,
                     "description": "import only: the file to store, relative to the import file"}}}}

    def clean(self, value):
        out, used = [], {str(m.get("id")) for m in value or [] if m.get("id")}
        number = 0
        for medium in value or []:
            ident = medium.get("id")
            while not ident:
                number += 1
                ident = f"m{number}" if f"m{number}" not in used else None
            cues = sorted(({"start": _time(c["start"]), "end": _time(c["end"]), "speaker": _text(c.get("speaker")),
                            "text": _body(c["text"]), "language": c.get("language") or None}
                           for c in medium.get("transcript") or []), key=lambda c: (c["start"], c["end"]))
            out.append({"id": ident, "kind": medium.get("kind") or None, "label": _text(medium.get("label")),
                        "filename": _text(medium.get("filename")), "mimetype": medium.get("mimetype"),
                        "bytes": medium.get("bytes"), "sha256": medium.get("sha256"),
                        "duration": _time(medium.get("duration")), "transcript": [c for c in cues if c["text"]],
                        "source": _text(medium.get("source")),
                        "notes": [n for n in (str(x).strip() for x in medium.get("notes") or []) if n]})
        return out

    @staticmethod
    def words(value) -> str:
        """What the index searches of the files: the text of every cue, one cue a line."""
        return "\n".join(cue["text"] for medium in value or [] for cue in medium.get("transcript") or [])


def _link_schema() -> dict:
    return {"type": "array", "items": {
        "type": "object", "additionalProperties": False,
        "properties": {"id": {"type": "string", "pattern": ID_PATTERN}, "name": {"type": "string", "minLength": 1}},
        "anyOf": [{"required": ["id"]}, {"required": ["name"]}]}}


class Segments(Objects):
    """The index of a record's recordings: `{id, media, start, end, title, synopsis, keywords, people,
    events, places}`, links by id or name (resolved like a record's links by the write path)."""

    def schema(self) -> dict:
        return {"type": "array", "items": {
            "type": "object", "required": ["start"], "additionalProperties": False, "properties": {
                "id": {"type": "string", "pattern": ID_PATTERN},
                "media": {"type": ["string", "null"]},
                "start": SECONDS, "end": {"type": ["number", "null"], "minimum": 0},
                "title": {"type": ["string", "null"], "maxLength": 1000},
                "synopsis": {"type": ["string", "null"]},
                "keywords": {"type": "array", "items": {"type": "string"}},
                **{key: _link_schema() for key, _ in LINK_KINDS}}}}

    def clean(self, value):
        out, used = [], {str(s.get("id")) for s in value or [] if s.get("id")}
        number = 0
        for seg in sorted(value or [], key=lambda s: float(s["start"])):
            ident = seg.get("id")
            while not ident:
                number += 1
                ident = f"s{number}" if f"s{number}" not in used else None
            out.append({"id": ident, "media": seg.get("media") or None, "start": _time(seg["start"]),
                        "end": _time(seg.get("end")), "title": _text(seg.get("title")),
                        "synopsis": (str(seg.get("synopsis") or "").strip() or None),
                        "keywords": [k for k in dict.fromkeys(_text(k) for k in seg.get("keywords") or []) if k],
                        **{key: [{k: v for k, v in link.items() if k in ("id", "name") and v}
                                 for link in seg.get(key) or []] for key, _ in LINK_KINDS}})
        return out

    @staticmethod
    def words(value) -> str:
        """What the index searches of the segments: titles, synopses and keywords."""
        parts = []
        for seg in value or []:
            parts += [seg.get("title") or "", seg.get("synopsis") or "", *(seg.get("keywords") or [])]
        return "\n".join(p for p in parts if p)


def check_times(record: dict) -> list[tuple[str, str]]:
    """What the JSON Schema cannot see in a record's media and segments: cues and segments that end
    before they start or past their recording, segments of a file the record does not have, ids twice."""
    errors: list[tuple[str, str]] = []
    media = record.get("media") if isinstance(record.get("media"), list) else []
    durations, seen = {}, set()
    for i, medium in enumerate(media):
        if not isinstance(medium, dict):
            continue
        if medium.get("id"):
            if medium["id"] in seen:
                errors.append((f"media.{i}.id", Text("%(id)s is used by two files", id=medium["id"])))
            seen.add(medium["id"])
            durations[medium["id"]] = medium.get("duration")
        for j, cue in enumerate(medium.get("transcript") or []):
            if isinstance(cue, dict) and _number(cue.get("start")) and _number(cue.get("end")):
                if cue["end"] < cue["start"]:
                    errors.append((f"media.{i}.transcript.{j}.end", Text("ends before it starts")))
    segment_ids = set()
    for i, seg in enumerate(record.get("segments") if isinstance(record.get("segments"), list) else []):
        if not isinstance(seg, dict):
            continue
        if seg.get("id"):
            if seg["id"] in segment_ids:
                errors.append((f"segments.{i}.id", Text("%(id)s is used by two segments", id=seg["id"])))
            segment_ids.add(seg["id"])
        if seg.get("media") and seg["media"] not in seen:
            errors.append((f"segments.{i}.media", Text("the record has no file %(mid)s", mid=seg["media"])))
        if _number(seg.get("start")) and _number(seg.get("end")) and seg["end"] < seg["start"]:
            errors.append((f"segments.{i}.end", Text("ends before it starts")))
    return errors


def check_lengths(medium: dict, where: str) -> list[tuple[str, str]]:
    """Cues of a measured recording that start after it ends (a transcript of another file)."""
    duration = medium.get("duration")
    if not duration:
        return []
    late = [j for j, cue in enumerate(medium.get("transcript") or []) if cue["start"] > duration + 1.0]
    return [(f"{where}.transcript.{late[0]}.start",
             Text("starts after the recording ends (%(seconds)s s)", seconds=format(duration, "g")))] if late else []


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
