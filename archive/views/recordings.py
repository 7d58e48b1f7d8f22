"""Blueprint `recordings`: a record's files, its transcripts as WebVTT, its segment index as WebVTT
chapters and its IIIF Presentation 3 manifest (docs/architecture.md, "Recordings").

Every answer is built from the record as the viewer may see it (`record_or_404`, the one viewer's
copy), so a hidden record's files, cues and segments answer 404 exactly as a missing one does, and
what the store hides of a record for a viewer is hidden here too. A file is found by the SHA-256 the
archive measured, never by a name from the request; its `Content-Type` is the measured one. A file
whose content no longer matches its checksum is not served (`fixity`); the record page says so.
A viewer below a time-range redaction's level gets the file silenced in that range, the
transcript's cues there read `[redacted]` (docs/architecture.md, "Redactions and consent").
"""
from __future__ import annotations

import re
import threading
from pathlib import Path
from urllib.parse import quote

from flask import Blueprint, Response, current_app, jsonify, request

from .. import iiif, media, redaction, silence, store, transcripts
from ..access import SYSTEM
from ..errors import NotFound
from ..messages import Text
from .common import external_url, get_archive, get_db, get_viewer, record_or_404

bp = Blueprint("recordings", __name__)

_FIXITY: dict[tuple[str, int, int], bool] = {}  # (path, mtime_ns, size) -> content matches its checksum
_FIXITY_LOCK = threading.Lock()
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def fixity(path: Path, sha256: str, size: int | None) -> bool:
    """Whether a stored file is whole: its size, then its checksum (read once per process for each
    version of the file on disk, so a 2-hour recording is not re-read on every seek)."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return False
    if size is not None and stat.st_size != size:
        return False
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    with _FIXITY_LOCK:
        known = _FIXITY.get(key)
    if known is None:
        known = media.verify(path, sha256)
        with _FIXITY_LOCK:
            _FIXITY[key] = known
    return known


def medium_of(record: dict, mid: str) -> dict:
    """A file of the record. :raise 404:"""
    for medium in record.get("media") or []:
        if medium["id"] == mid:
            return medium
    raise NotFound(Text("Record %(id)s has no file %(mid)s.", id=record["id"], mid=mid))


def stored_path(medium: dict) -> Path | None:
    """Where the file of a media entry is kept, or None when the archive has no copy."""
    if not medium.get("sha256"):
        return None
    return media.path_for(store.media_folder(get_db()), medium["sha256"])


def damaged(medium: dict) -> bool:
    """True when the archive holds the file but its content has changed (or it has gone)."""
    path = stored_path(medium)
    return path is not None and not fixity(path, medium["sha256"], medium.get("bytes"))


def disposition(medium: dict) -> str:
    """`inline` with a file name that cannot break the header: an ASCII name made of safe characters,
    the original (any script) percent-encoded in `filename*` (RFC 6266)."""
    name = medium.get("filename") or medium["id"]
    fallback = _SAFE_NAME.sub("_", name).strip("._") or medium["id"]
    return f"inline; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


@bp.get("/records/<record_id>/media/<mid>")
def media_file(record_id: str, mid: str):
    """The file, whole or the one byte range asked (206); to a viewer who may not hear some of its
    time ranges, its copy silenced there (`served_file`). :raise 404: when hidden, missing or damaged"""
    record = record_or_404(record_id)
    medium = medium_of(record, mid)
    path = stored_path(medium)
    if path is None or not fixity(path, medium["sha256"], medium.get("bytes")):
        raise NotFound(Text("The file %(mid)s of record %(id)s cannot be served.", id=record_id, mid=mid))
    path, tag = served_file(record, medium, path)
    size = path.stat().st_size
    headers = {"Accept-Ranges": "bytes", "Content-Disposition": disposition(medium), "ETag": f'"{tag}"',
               # what one viewer hears of a redacted recording is not what the next one may: no cache keeps it
               "Cache-Control": "private, no-store" if record.get("redactions") else "private, max-age=3600",
               "Vary": "Cookie"}
    try:
        wanted = media.parse_range(request.headers.get("Range"), size)
    except media.RangeNotSatisfiable as exc:
        return Response(status=416, headers={**headers, "Content-Range": exc.content_range})
    start, end = wanted if wanted else (0, size - 1)
    if wanted:
        headers["Content-Range"] = media.content_range(start, end, size)
    headers["Content-Length"] = str(end - start + 1)
    body = _read(path, start, end) if request.method != "HEAD" else []
    return Response(body, status=206 if wanted else 200, headers=headers,
                    content_type=medium.get("mimetype") or "application/octet-stream", direct_passthrough=True)


def served_file(record: dict, medium: dict, original: Path) -> tuple[Path, str]:
    """The file this viewer may hear and its ETag: the original, or its copy silenced in the time
    ranges hidden from them today (archive/silence.py, made on the first request that needs it).
    The ranges are read from the stored record, since the viewer's copy keeps of a hidden
    redaction only its id and reason. :raise 404: when the copy cannot be made (never the original)."""
    if not record.get("redactions") or medium.get("kind") not in ("audio", "video"):
        return original, medium["sha256"]
    stored = store.get_record(get_db(), record["id"], SYSTEM) or record
    ranges = redaction.hidden_ranges(stored, medium["id"], get_viewer(), get_archive().clock.today())
    if not ranges:
        return original, medium["sha256"]
    try:
        copy = silence.silenced_copy(store.media_folder(get_db()), medium["sha256"], ranges, medium["mimetype"])
    except media.MediaError as error:
        current_app.logger.error("silencing %s of %s: %s", medium["id"], record["id"], error)
        raise NotFound(Text("The file %(mid)s of record %(id)s cannot be served.", id=record["id"],
                            mid=medium["id"])) from None
    return copy, copy.name


def _read(path: Path, start: int, end: int):
    with open(path, "rb") as f:
        f.seek(start)
        left = end - start + 1
        while left > 0:
            chunk = f.read(min(media.CHUNK, left))
            if not chunk:
                return
            left -= len(chunk)
            yield chunk


def _vtt(text: str) -> Response:
    return Response(text, content_type="text/vtt; charset=utf-8")


@bp.after_request
def _cors(response: Response) -> Response:
    """Players and IIIF viewers elsewhere may read what anyone may read, never a signed-in view:
    every answer here to a request without cookies, its 404 too (the same as for a missing record),
    so that a viewer on another site can tell "not found" from a failed network, and can play the
    file it loads with crossorigin="anonymous"."""
    if not request.cookies:
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/records/<record_id>/media/<mid>.vtt")
def media_vtt(record_id: str, mid: str):
    """The transcript of a file as WebVTT, speakers as `<v Name>`. :raise 404:"""
    medium = medium_of(record_or_404(record_id), mid)
    return _vtt(transcripts.write_vtt(medium.get("transcript") or [], notes=medium.get("notes") or []))


@bp.get("/records/<record_id>/segments.vtt")
def segments_vtt(record_id: str):
    """The segment index as WebVTT chapters (of one file with `?media=`). :raise 404:"""
    record = record_or_404(record_id)
    mid = request.args.get("media") or None
    duration = next((m.get("duration") for m in record["media"] if m["id"] == mid), None) if mid else None
    return _vtt(transcripts.write_chapters(record.get("segments") or [], media=mid, duration=duration))


@bp.get("/records/<record_id>/manifest.json")
def manifest(record_id: str):
    """The IIIF Presentation 3 manifest of a record's files. :raise 404:"""
    record = record_or_404(record_id, "manifest")

    def url(kind: str, **values) -> str:
        endpoint = {"manifest": "recordings.manifest", "record": "public.record_page",
                    "media": "recordings.media_file", "vtt": "recordings.media_vtt"}[kind]
        return external_url(endpoint, record_id=record["id"], **values)
    response = jsonify(iiif.manifest(record, url))
    response.mimetype = "application/ld+json"
    response.headers["Content-Type"] = ('application/ld+json;profile="http://iiif.io/api/presentation/3/'
                                        'context.json"')
    return response


def page_media(record: dict) -> list[dict]:
    """What the record page shows of each file: the entry, whether the archive holds it whole, its
    segments (those naming no file belong to the first recording), and the `media=` a link to one of
    its moments needs (none for the first recording, which `?t=` alone starts)."""
    shown = []
    playable = [m["id"] for m in record.get("media") or [] if m.get("kind") in ("audio", "video")]
    first = playable[0] if playable else None
    for medium in record.get("media") or []:
        path = stored_path(medium)
        mid = medium["id"]
        shown.append({**medium, "stored": path is not None and path.is_file(),
                      "damaged": path is not None and damaged(medium),
                      "param": None if mid == first else mid,
                      "segments": [s for s in record.get("segments") or []
                                   if s.get("media") == mid or (not s.get("media") and mid == first)]})
    return shown

