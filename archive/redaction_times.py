"""Time ranges of recordings under redactions (docs/architecture.md, "Redactions and consent"): which
transcript cues and which segments of the index lie inside them, and those cues and segments as a
viewer below the ranges' level reads them. Pure functions, used by `redaction.for_viewer`; `ranges`
are time-range redactions (`media`, `from`, `to`) already known to be hidden from that viewer.
"""
from __future__ import annotations

SEGMENT_LINKS = ("people", "events", "places")


def segments_for(record: dict, ranges: list[dict], mark: str) -> list[dict]:
    """The segment index with each segment that lies wholly inside hidden time ranges reduced to its
    times: title `mark`, no synopsis, keywords or links. A segment only partly inside keeps them (its
    own words describe the whole span, most of which the viewer hears; the cues inside still read
    `mark`), docs/architecture.md, "Redactions and consent"."""
    inside = segments_in_ranges(record, ranges)
    if not inside:
        return record["segments"]
    return [{**seg, "title": mark, "synopsis": None, "keywords": [], **{k: [] for k in SEGMENT_LINKS}}
            if i in inside else seg for i, seg in enumerate(record["segments"])]


def segment_spans(record: dict) -> list[tuple[str | None, float, float]]:
    """(media id, start, end) of each segment, in the segment list's order: a segment naming no file
    belongs to the first recording; one without an end ends where the next of its file begins, or
    at its file's end; when neither is known it is taken to end where it starts (so it is hidden
    when its start is)."""
    media = record.get("media") or []
    playable = [m["id"] for m in media if m.get("kind") in ("audio", "video")]
    first = playable[0] if playable else None
    durations = {m.get("id"): m.get("duration") for m in media}
    segments = record.get("segments") or []
    owner = [seg.get("media") or first for seg in segments]
    spans = []
    for i, seg in enumerate(segments):
        start = float(seg.get("start") or 0.0)
        end = seg.get("end")
        if end is None or float(end) <= start:
            later = [float(s.get("start") or 0.0) for j, s in enumerate(segments)
                     if owner[j] == owner[i] and float(s.get("start") or 0.0) > start]
            end = min(later) if later else durations.get(owner[i])
        spans.append((owner[i], start, float(end) if end is not None and float(end) > start else start))
    return spans


def segments_in_ranges(record: dict, ranges: list[dict]) -> set[int]:
    """The segments (by their place in the list) whose whole span lies inside these time-range
    redactions (several adjoining or overlapping ranges together may cover one)."""
    found = set()
    for i, (mid, start, end) in enumerate(segment_spans(record)):
        covered = merged([(float(r["from"]), float(r["to"])) for r in ranges if r.get("media") == mid])
        if any(a <= start and end <= b for a, b in covered):
            found.add(i)
    return found


def merged(spans: list[tuple]) -> list[tuple]:
    """Spans (character offsets or seconds) with those that overlap or touch joined, in order."""
    out: list[list] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [(a, b) for a, b in out]


def cues_in_ranges(media: dict, ranges: list[dict]) -> dict[int, dict]:
    """The cues of a file (by their place in its transcript) inside these time-range redactions,
    each with the first redaction it falls in (to mark it for those who may hear it)."""
    found = {}
    for i, cue in enumerate(media.get("transcript") or []):
        start, end = cue.get("start", 0), cue.get("end", cue.get("start", 0))
        for r in ranges:
            if r.get("media") == media.get("id") and start < float(r["to"]) and end > float(r["from"]):
                found[i] = r
                break
    return found


def media_for(media: dict, ranges: list[dict], mark: str) -> dict:
    """A media entry with the text of its cues inside the ranges replaced by `mark`."""
    inside = cues_in_ranges(media, ranges)
    if not inside:
        return media
    return {**media, "transcript": [{**cue, "text": mark} if i in inside else cue
                                    for i, cue in enumerate(media["transcript"])]}
