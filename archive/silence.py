"""Silenced copies of recordings: the same file with the time ranges a viewer may not hear made silent
(docs/architecture.md, "Redactions and consent").

A copy is derived with Debian's ffmpeg (each sample inside the ranges set to 0, the audio
encoded again with the original's codec and bit rate, the video stream copied as it is) and kept
beside the original, in `records/media/silenced/<sha256>-<digest of the ranges>`: named after the
original's checksum and the ranges, never after anything a request gives, so it is made once per set
of ranges and found again without the database. A redaction that lapses, or a new one, changes the
ranges a viewer may not hear, hence the name: the old copy is simply no longer asked for, and
`archive check` notes it (`stale_copies`) and `archive check --prune` removes it. Copies are derived
data: backups and bags carry the originals only, and `media.stored_files` does not list this folder.

When a copy is made: lazily, on the first request that needs it (`silenced_copy`, one ffmpeg per
copy at a time in this process, behind a lock), because no save happens when a redaction lapses,
after a restore, or for the second level's copy; and, so that the first listener does not wait,
at once in the background after an archivist saves a time-range redaction (`prepare_later`).
A copy is written under a temporary name and renamed into place, so a partly written copy is never
served; its size and SHA-256 are noted beside it (`<name>.sum`), and a copy is served only when it
is as noted (`whole`: its size on every request, its checksum once per process), else made again.
Which ranges a viewer may not hear is `redaction.hidden_ranges`; serving the copy instead of the
original is the media view's part. Like `media.py`, this module runs ffmpeg with a fixed argument
list and no shell.
"""
from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess  # nosec B404
import tempfile
import threading
import time
from collections.abc import Iterable
from pathlib import Path

from . import redaction
from .access import Viewer
from .media import (INCOMING_PREFIX, INSTALL_HINT, MediaError, audio_stream, ensure_folder, path_for, sha256_of,
                    verify)

TIMEOUT = 600.0  # seconds: a two-hour interview is re-encoded well within this
FOLDER = "silenced"  # under the media folder
# the measured MIME type of a recording -> ffmpeg's muxer that writes the same container
CONTAINERS = {
    "audio/wav": "wav", "audio/mpeg": "mp3", "audio/flac": "flac", "audio/aac": "adts", "audio/aiff": "aiff",
    "audio/ogg": "ogg", "video/ogg": "ogg", "audio/mp4": "mp4", "video/mp4": "mp4", "video/quicktime": "mov",
    "audio/webm": "webm", "video/webm": "webm", "audio/x-matroska": "matroska", "video/x-matroska": "matroska",
    "video/x-msvideo": "avi", "video/mpeg": "mpeg", "video/mp2t": "mpegts",
}
# ffprobe's codec name -> the encoder that writes it again (others: the container's default)
ENCODERS = {"opus": "libopus", "vorbis": "libvorbis", "mp3": "libmp3lame", "aac": "aac", "flac": "flac",
            "pcm_s16le": "pcm_s16le", "pcm_s24le": "pcm_s24le", "pcm_u8": "pcm_u8", "pcm_s16be": "pcm_s16be"}
_LOSSLESS = {"flac"} | {c for c in ENCODERS if c.startswith("pcm_")}
MAX_BIT_RATE = 320_000
_VIEWERS = (Viewer(), Viewer("level", "researcher"))  # the viewers who may hear less than archivists

log = logging.getLogger(__name__)
_LOCKS: dict[str, threading.Lock] = {}
_GUARD = threading.Lock()
_WHOLE: dict[tuple[str, int, int, str], bool] = {}  # (path, mtime_ns, size, checksum) -> the copy is whole
SUM_SUFFIX = ".sum"  # beside each copy: its size and SHA-256 when made


def ffmpeg_path() -> str:
    found = shutil.which("ffmpeg")
    if not found:
        raise MediaError(f"ffmpeg is not installed: {INSTALL_HINT}")
    return found


def digest(ranges: list[tuple[float, float]]) -> str:
    canonical = ",".join(f"{a:.3f}-{b:.3f}" for a, b in sorted(ranges))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def copy_path(folder: str | os.PathLike, sha256: str, ranges: list[tuple[float, float]]) -> Path:
    """Where the original's copy silenced in these ranges is kept (`path_for` checks the checksum)."""
    original = path_for(folder, sha256)
    return original.parent / FOLDER / f"{sha256}-{digest(ranges)}"


def container_for(mimetype: str) -> str:
    """ffmpeg's muxer for a measured MIME type. :raise MediaError: for what has no sound to silence."""
    try:
        return CONTAINERS[mimetype]
    except KeyError:
        raise MediaError(f"cannot silence part of a {mimetype} file") from None


def silence_filter(ranges: list[tuple[float, float]]) -> str:
    """ffmpeg's audio filter that silences the ranges (seconds), sample by sample: `aeval`'s `t` is
    each sample's time, where the volume filter's `enable` switches whole frames (up to a tenth of
    a second of a hidden range could be heard)."""
    inside = "+".join(f"between(t,{a:.3f},{b:.3f})" for a, b in sorted(ranges))
    return f"aeval='val(ch)*not({inside})':c=same"


def _audio_options(source: Path) -> list[str]:
    """The original's codec and bit rate, so the copy sounds and weighs like it."""
    stream = audio_stream(source)
    codec = stream.get("codec_name")
    options = ["-c:a", ENCODERS[codec]] if codec in ENCODERS else []
    try:
        rate = int(stream.get("bit_rate") or 0)
    except ValueError:
        rate = 0
    if codec not in _LOSSLESS and rate > 0:
        options += ["-b:a", str(min(max(rate, 6000), MAX_BIT_RATE))]
    return options


def silence(source: str | os.PathLike, dest: str | os.PathLike, ranges: list[tuple[float, float]],
            mimetype: str) -> None:
    """Write `source` to `dest` with the ranges silent, in the same container and audio codec,
    through a temporary name in dest's folder. :raise MediaError:"""
    dest, source = Path(dest), Path(source)
    container = container_for(mimetype)
    fd, partial = tempfile.mkstemp(dir=dest.parent, prefix=INCOMING_PREFIX)
    os.close(fd)
    faststart = ["-movflags", "+faststart"] if container in ("mp4", "mov") else []
    cmd = [ffmpeg_path(), "-nostdin", "-v", "error", "-y", "-protocol_whitelist", "file", "-i", f"file:{source}",
           "-map", "0", "-af", silence_filter(ranges), *_audio_options(source), "-c:v", "copy", *faststart,
           "-f", container, f"file:{partial}"]
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT, check=False)  # nosec B603
    except subprocess.TimeoutExpired as exc:
        Path(partial).unlink(missing_ok=True)
        raise MediaError("ffmpeg took too long to silence the recording") from exc
    if done.returncode != 0:
        Path(partial).unlink(missing_ok=True)
        raise MediaError(f"ffmpeg could not silence the recording: {done.stderr.decode(errors='replace')[:300]}")
    os.chmod(partial, 0o600)
    size, checksum = os.path.getsize(partial), sha256_of(partial)
    os.replace(partial, dest)
    fd, note = tempfile.mkstemp(dir=dest.parent, prefix=INCOMING_PREFIX)
    with os.fdopen(fd, "w") as f:
        f.write(f"{size} {checksum}\n")
    os.replace(note, sum_path(dest))


def sum_path(copy: Path) -> Path:
    """Where the size and SHA-256 of a copy, measured when it was made, are kept."""
    return copy.with_name(copy.name + SUM_SUFFIX)


def whole(copy: Path) -> bool:
    """Whether a copy is as it was made: its size as noted (each time), then its checksum (once per
    process for each version of the file on disk). A copy without its note (the process stopped
    between the two renames) or changed since is not whole, and is made again."""
    try:
        size, checksum = sum_path(copy).read_text().split()
        stat = copy.stat()
    except (OSError, ValueError):
        return False
    if stat.st_size != int(size):
        return False
    key = (str(copy), stat.st_mtime_ns, stat.st_size, checksum)
    with _GUARD:
        known = _WHOLE.get(key)
    if known is None:
        known = verify(copy, checksum)
        with _GUARD:
            _WHOLE[key] = known
    return known


def silenced_copy(folder: str | os.PathLike, sha256: str, ranges: list[tuple[float, float]],
                  mimetype: str) -> Path:
    """The stored file silenced in these ranges, made now if it is not there yet (the original
    itself when there is nothing to silence). One ffmpeg per copy at a time: a second request for
    the same copy waits for the first. :raise MediaError:"""
    if not ranges:
        return path_for(folder, sha256)
    copy = copy_path(folder, sha256, ranges)
    if whole(copy):
        return copy
    with _GUARD:
        lock = _LOCKS.setdefault(copy.name, threading.Lock())
    with lock:
        if not whole(copy):
            if copy.is_file():
                log.warning("silenced copy %s changed since it was made: making it again", copy.name)
            ensure_folder(copy.parent)
            silence(path_for(folder, sha256), copy, ranges, mimetype)
    return copy


def wanted(record: dict, today: str) -> list[tuple[str, list[tuple[float, float]], str]]:
    """(sha256, ranges, mimetype) of each copy that viewers below archivists would be served today."""
    out = []
    for medium in record.get("media") or []:
        if medium.get("kind") not in ("audio", "video") or not medium.get("sha256"):
            continue
        for viewer in _VIEWERS:
            ranges = redaction.hidden_ranges(record, medium["id"], viewer, today)
            job = (medium["sha256"], ranges, medium.get("mimetype") or "")
            if ranges and job not in out:
                out.append(job)
    return out


def prepare(folder: str | os.PathLike, record: dict, today: str) -> list[Path]:
    """Make the copies of a record's recordings that its viewers would be served (errors logged:
    the request that needs a copy tries again and says so)."""
    made = []
    for sha256, ranges, mimetype in wanted(record, today):
        try:
            made.append(silenced_copy(folder, sha256, ranges, mimetype))
        except MediaError as error:
            log.warning("silencing %s: %s", sha256[:12], error)
    return made


def prepare_later(folder: str | os.PathLike, record: dict, today: str) -> threading.Thread | None:
    """`prepare` in a background thread (after a save, so the first listener need not wait)."""
    if not wanted(record, today):
        return None
    thread = threading.Thread(target=prepare, args=(folder, record, today), name="silence", daemon=True)
    thread.start()
    return thread



# --- copies no redaction asks for any more ----------------------------------------------------------

def stale_copies(folder: str | os.PathLike, records: Iterable[dict], today: str) -> list[Path]:
    """The files of the silenced folder that no viewer would be served today: copies for ranges that
    lapsed, changed or were removed, copies of files no record names, and partial copies older than
    any ffmpeg may run (a younger one may still be in the making). `records`: every live record, as
    stored (with all its redactions)."""
    where = Path(folder) / FOLDER
    if not where.is_dir():
        return []
    keep = {f"{sha256}-{digest(ranges)}{end}" for record in records for sha256, ranges, _ in wanted(record, today)
            for end in ("", SUM_SUFFIX)}
    old = time.time() - 2 * TIMEOUT
    stale = []
    for entry in sorted(os.scandir(where), key=lambda e: e.name):
        if not entry.is_file(follow_symlinks=False) or entry.name in keep:
            continue
        if entry.name.startswith(INCOMING_PREFIX) and entry.stat().st_mtime > old:
            continue
        stale.append(Path(entry.path))
    return stale


def prune(paths: Iterable[Path]) -> int:
    """Remove these stale copies (see `stale_copies`); returns how many were removed. Safe while the
    server runs: a copy is found by its name only, and one asked for again is made again."""
    removed = 0
    for path in paths:
        try:
            path.unlink()
            removed += 1
        except FileNotFoundError:
            pass
    return removed
