"""IIIF Presentation 3 manifests of records with recordings, for IIIF viewers and aggregators.

This module owns the shape of `/records/<id>/manifest.json` (docs/architecture.md, "Recordings"):
one Canvas per audio, video or image file (audio and video with their `duration`), the file painted
on it, its transcript as a `supplementing` annotation pointing at the `.vtt` URL, the segment index as
Ranges (each a time fragment `#t=start,end` of its Canvas), PDFs and other documents as `rendering`.
The record's title and summary are labelled in the record's first language; the labels the archive
adds ("Date", "Transcript") in the languages the interface speaks, English and Khmer.

It builds a plain dict from the record JSON the viewer may see (hidden records and redactions are
the caller's business) and a URL builder, `url(kind, **values)`, where kind is "manifest", "record",
"media" (mid=) or "vtt" (mid=); ids of Canvases, pages, annotations and Ranges hang under the
manifest's URL. No Flask here: the view passes a builder made with `url_for`.
"""

from __future__ import annotations

from typing import Callable

CONTEXT = "http://iiif.io/api/presentation/3/context.json"
BODY_TYPES = {"audio": "Sound", "video": "Video", "image": "Image"}
WORDS = {  # the labels this module adds, in the interface's languages
    "date": {"en": ["Date"], "km": ["កាលបរិច្ឆេទ"]},
    "people": {"en": ["People"], "km": ["មនុស្ស"]},
    "transcript": {"en": ["Transcript"], "km": ["ប្រតិចារិក"]},
    "rights": {"en": ["Rights"], "km": ["សិទ្ធិ"]},
    "record": {"en": ["Record page"], "km": ["ទំព័រកំណត់ត្រា"]},
    "contents": {"en": ["Contents"], "km": ["មាតិកា"]},
}

UrlBuilder = Callable[..., str]


def manifest(record: dict, url: UrlBuilder) -> dict:
    """The IIIF Presentation 3 manifest of a record (JSON-ready dict)."""
    base = url("manifest")
    language = _language(record)
    canvases, ranges, renderings = [], [], []
    canvas_of: dict[str, str] = {}
    for medium in record.get("media") or []:
        if medium.get("kind") in ("audio", "video") or _has_size(medium):
            canvas = _canvas(medium, base, url, language)
            canvas_of[medium["id"]] = canvas["id"]
            canvases.append(canvas)
        else:
            renderings.append({"id": url("media", mid=medium["id"]), "type": _body_type(medium),
                               "label": _text(_media_label(medium), language),
                               "format": medium.get("mimetype") or "application/octet-stream"})
    first = next(iter(canvas_of), None)
    for number, segment in enumerate(record.get("segments") or [], 1):
        target = canvas_of.get(segment.get("media") or first)
        if target is not None:
            ranges.append(_range(segment, number, target, base, language))
    result = {
        "@context": CONTEXT,
        "id": base,
        "type": "Manifest",
        "label": _text(record.get("title") or record.get("id") or "Untitled", language),
        "metadata": _metadata(record),
        "homepage": [{"id": url("record"), "type": "Text", "label": WORDS["record"], "format": "text/html"}],
        "items": canvases,
    }
    if record.get("summary"):
        result["summary"] = _text(record["summary"], language)
    if record.get("rights"):
        result["requiredStatement"] = {"label": WORDS["rights"], "value": _text(record["rights"], language)}
    if ranges:
        result["structures"] = [{"id": f"{base}/range/contents", "type": "Range", "label": WORDS["contents"],
                                 "items": ranges}]
    if renderings:
        result["rendering"] = renderings
    return result


def _canvas(medium: dict, base: str, url: UrlBuilder, language: str) -> dict:
    mid = medium["id"]
    canvas_id = f"{base}/canvas/{mid}"
    body = {"id": url("media", mid=mid), "type": _body_type(medium),
            "format": medium.get("mimetype") or "application/octet-stream"}
    canvas = {"id": canvas_id, "type": "Canvas", "label": _text(_media_label(medium), language)}
    if medium.get("kind") in ("audio", "video") and medium.get("duration"):
        canvas["duration"] = body["duration"] = float(medium["duration"])
    if _has_size(medium):
        canvas["width"] = body["width"] = int(medium["width"])
        canvas["height"] = body["height"] = int(medium["height"])
    canvas["items"] = [{"id": f"{canvas_id}/page", "type": "AnnotationPage", "items": [
        {"id": f"{canvas_id}/page/painting", "type": "Annotation", "motivation": "painting",
         "body": body, "target": canvas_id}]}]
    cues = medium.get("transcript") or []
    if cues:
        languages = sorted({c.get("language") for c in cues if c.get("language")})
        text = {"id": url("vtt", mid=mid), "type": "Text", "format": "text/vtt", "label": WORDS["transcript"]}
        if languages:
            text["language"] = languages if len(languages) > 1 else languages[0]
        canvas["annotations"] = [{"id": f"{canvas_id}/annotations", "type": "AnnotationPage", "items": [
            {"id": f"{canvas_id}/annotations/transcript", "type": "Annotation", "motivation": "supplementing",
             "body": text, "target": canvas_id}]}]
    return canvas


def _range(segment: dict, number: int, canvas_id: str, base: str, language: str) -> dict:
    start = float(segment.get("start") or 0.0)
    end = segment.get("end")
    fragment = f"#t={_num(start)},{_num(float(end))}" if end is not None and end > start else f"#t={_num(start)}"
    result = {"id": f"{base}/range/{segment.get('id') or number}", "type": "Range",
              "label": _text(segment.get("title") or f"Segment {number}", language),
              "items": [{"id": canvas_id + fragment, "type": "Canvas"}]}
    if segment.get("synopsis"):
        result["summary"] = _text(segment["synopsis"], language)
    return result


def _metadata(record: dict) -> list[dict]:
    rows = []
    if record.get("date"):
        rows.append({"label": WORDS["date"], "value": {"none": [record["date"]]}})
    names = [p.get("name") for p in record.get("people") or [] if p.get("name")]
    if names:
        rows.append({"label": WORDS["people"], "value": {"none": names}})
    return rows


def _language(record: dict) -> str:
    languages = record.get("language") or []
    return languages[0] if languages else "none"


def _text(value: str, language: str) -> dict:
    return {language: [value]}


def _media_label(medium: dict) -> str:
    return medium.get("label") or medium.get("filename") or medium.get("id") or "File"


def _body_type(medium: dict) -> str:
    return BODY_TYPES.get(medium.get("kind"), "Text")


def _has_size(medium: dict) -> bool:
    return medium.get("kind") in ("image", "video") and bool(medium.get("width")) and bool(medium.get("height"))


def _num(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")
