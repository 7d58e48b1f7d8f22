"""Media files: where they are kept, what they are, and which bytes of one a request may have.

This module owns the folder `<home>/records/media/` and the facts the archive measures about a file:
`bytes`, `sha256`, `mimetype`, `kind` and, for audio and video, `duration` (docs/architecture.md,
"Recordings"). A file is stored under its SHA-256 and nothing else, so no name given by a person or a
browser ever reaches the file system: it is streamed to a temporary name in the same folder while it
is hashed, synced, measured, then renamed into place (the same content stored twice is one file).
Storing happens before the database commit that refers to the file; a file that no record names is
never served, and `stored_files` lets `archive check` find such leftovers.

What a file is comes from its content, never from its name or a browser's claim. Audio, video and
images are read by `ffprobe` (Debian's `ffmpeg`, which `make run` and `make test` install): the same
demuxers as the ffmpeg that makes the sample recording and will silence redacted passages, for every
container a browser plays (Ogg, WebM/Matroska, MP4/QuickTime, MP3, WAV, FLAC, AAC) and the common
images, and a real duration even where a container's header has none. mutagen reads tags and stream
headers of audio formats only (no WebM video, no images); pymediainfo needs the MediaInfo library and
reports header values. A PDF is known by its `%PDF-` header and `%%EOF` trailer. Anything else is
refused with a `MediaError` that says so.

Leaves to others: which record a file belongs to (the store), sending the bytes (the views, with
`parse_range` for Range requests, RFC 9110 section 14), bags (archive/bag.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
# subprocess runs ffprobe only, with a fixed argument list and no shell
import subprocess  # nosec B404
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import BinaryIO, Iterator

from .messages import Text

MEDIA_FOLDER = Path("records") / "media"
DEFAULT_MAX_BYTES = 2 * 1024**3  # 2 GiB: a two-hour interview in a good lossy format fits many times
PROBE_TIMEOUT = 120  # seconds; ffprobe reads headers, or packet times when a header has no duration
CHUNK = 1024 * 1024
INCOMING_PREFIX = ".incoming-"
INSTALL_HINT = "install Debian's ffmpeg: apt-get install -y ffmpeg (make run and make test do it)"
KINDS = ("audio", "video", "image", "document")

_SHA256 = re.compile(r"[0-9a-f]{64}")

# ffprobe's format name -> the MIME type of an image in it
_IMAGES = {
    "png_pipe": "image/png",
    "jpeg_pipe": "image/jpeg",
    "gif": "image/gif",
    "webp_pipe": "image/webp",
    "tiff_pipe": "image/tiff",
}
# ffprobe's format name -> MIME subtype for (audio only, with video)
_RECORDINGS = {
    "wav": ("audio/wav", None),
    "mp3": ("audio/mpeg", None),
    "flac": ("audio/flac", None),
    "aac": ("audio/aac", None),
    "aiff": ("audio/aiff", None),
    "ogg": ("audio/ogg", "video/ogg"),
    "mov,mp4,m4a,3gp,3g2,mj2": ("audio/mp4", "video/mp4"),
    "matroska,webm": ("audio/x-matroska", "video/x-matroska"),
    "avi": (None, "video/x-msvideo"),
    "mpeg": ("audio/mpeg", "video/mpeg"),
    "mpegts": (None, "video/mp2t"),
}
_WEBM_CODECS = {"vp8", "vp9", "av1", "opus", "vorbis"}


class MediaError(Exception):
    """A file the archive cannot keep or read; the message (a `Text`, `text`) says why, in words for
    the person."""

    @property
    def text(self) -> Text:
        return self.args[0]


class RangeNotSatisfiable(Exception):
    """A Range request none of whose bytes exist: answer 416 with `content_range`."""

    status = 416

    def __init__(self, size: int):
        super().__init__(f"no byte of the range lies within the {size} bytes of the file")
        self.size = size
        self.content_range = f"bytes */{size}"


@dataclass(frozen=True)
class Measured:
    """What the archive measured about one stored file (the fields of a record's media entry)."""

    sha256: str
    bytes: int
    mimetype: str
    kind: str
    duration: float | None

    def as_dict(self) -> dict:
        return asdict(self)


def media_folder(home: str | os.PathLike) -> Path:
    """The media folder of the archive at `home` (not created)."""
    return Path(home) / MEDIA_FOLDER


def ensure_folder(folder: str | os.PathLike) -> Path:
    """Create the media folder if needed, readable by the archive's user alone (mode 700)."""
    folder = Path(folder)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    return folder


def path_for(folder: str | os.PathLike, sha256: str) -> Path:
    """Where the file with this SHA-256 lives; refuses anything but 64 lowercase hex digits."""
    if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
        raise MediaError(Text("not a SHA-256 checksum: %(value)s", value=repr(str(sha256)[:80])))
    return Path(folder) / sha256


def store(source: BinaryIO | str | os.PathLike, folder: str | os.PathLike,
          *, max_bytes: int = DEFAULT_MAX_BYTES) -> Measured:
    """Copy a file (an open binary stream or a path) into the media folder and measure it.

    :raise MediaError: when it is empty, larger than `max_bytes`, or not a kind of file the archive reads.
    """
    folder = ensure_folder(folder)
    fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=INCOMING_PREFIX)  # mode 600
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            if isinstance(source, (str, os.PathLike)):
                with open(source, "rb") as src:
                    digest, size = _copy(src, out, max_bytes)
            else:
                digest, size = _copy(source, out, max_bytes)
            out.flush()
            os.fsync(out.fileno())
        mimetype, duration = probe(tmp)
        final = folder / digest
        os.replace(tmp, final)  # the same content again replaces a copy that may have been damaged
        _fsync_folder(folder)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return Measured(digest, size, mimetype, kind_of(mimetype), duration)


def measure(path: str | os.PathLike) -> Measured:
    """Measure a file where it lies (hash and probe), without storing it."""
    path = Path(path)
    digest = sha256_of(path)
    mimetype, duration = probe(path)
    return Measured(digest, path.stat().st_size, mimetype, kind_of(mimetype), duration)


def sha256_of(path: str | os.PathLike) -> str:
    """The SHA-256 of a file's content, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def verify(path: str | os.PathLike, sha256: str) -> bool:
    """Fixity: True when the file exists and its content still has this SHA-256."""
    try:
        return sha256_of(path) == sha256
    except FileNotFoundError:
        return False


def stored_files(folder: str | os.PathLike) -> Iterator[str]:
    """The SHA-256 of every file in the media folder (for fixity checks and orphan reports)."""
    folder = Path(folder)
    if folder.is_dir():
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):
            if entry.is_file() and _SHA256.fullmatch(entry.name):
                yield entry.name


def remove_stale_incoming(folder: str | os.PathLike, older_than: float = 86400.0) -> list[str]:
    """Delete temporary files left by a copy that was interrupted; returns their names."""
    folder = Path(folder)
    removed = []
    if folder.is_dir():
        limit = time.time() - older_than
        for path in folder.glob(INCOMING_PREFIX + "*"):
            if path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
                removed.append(path.name)
    return removed


def kind_of(mimetype: str) -> str:
    """`audio`, `video`, `image` or `document`, from a measured MIME type."""
    major = mimetype.split("/", 1)[0]
    return major if major in ("audio", "video", "image") else "document"


def ffprobe_path() -> str:
    """The ffprobe executable. :raise MediaError: when it is not installed."""
    found = shutil.which("ffprobe")
    if not found:
        raise MediaError(Text("ffprobe is missing, so recordings cannot be measured: %(hint)s", hint=INSTALL_HINT))
    return found


def probe(path: str | os.PathLike) -> tuple[str, float | None]:
    """The MIME type and (audio, video) duration in seconds of a file, read from its content.

    :raise MediaError: when the file is not audio, video, an image or a PDF that can be read.
    """
    path = Path(path)
    with open(path, "rb") as f:
        head = f.read(1024)
        f.seek(max(path.stat().st_size - 1024, 0))
        tail = f.read()
    if not head:
        raise MediaError(Text("the file is empty"))
    if b"%PDF-" in head and b"%%EOF" in tail:  # readers accept the header anywhere in the first KB
        return "application/pdf", None
    info = _ffprobe(path, "format=format_name,duration:format_tags=major_brand"
                          ":stream=codec_type,codec_name:stream_disposition=attached_pic")
    fmt = info.get("format") or {}
    name = fmt.get("format_name", "")
    if name in _IMAGES:
        return _IMAGES[name], None
    if name not in _RECORDINGS:
        kept = Text("cannot read this file: the archive keeps audio, video, images (PNG, JPEG, GIF, WebP, "
                    "TIFF) and PDF documents")
        raise MediaError(Text("%(kept)s, not %(name)s", kept=kept, name=repr(name)) if name else kept)
    streams = info.get("streams") or []
    codecs = {s.get("codec_name") for s in streams}
    has_video = any(s.get("codec_type") == "video" and not (s.get("disposition") or {}).get("attached_pic")
                    for s in streams)
    has_audio = any(s.get("codec_type") == "audio" for s in streams)
    if not (has_video or has_audio):
        raise MediaError(Text("cannot read this file: it holds neither sound nor pictures"))
    audio_type, video_type = _RECORDINGS[name]
    mimetype = video_type if has_video else audio_type
    if mimetype is None:
        raise MediaError(Text("cannot read this file: a %(name)s file without pictures", name=repr(name)))
    if name == "matroska,webm" and codecs <= _WEBM_CODECS:
        mimetype = mimetype.replace("x-matroska", "webm")
    elif name.startswith("mov,") and has_video and (fmt.get("tags") or {}).get("major_brand", "").strip() == "qt":
        mimetype = "video/quicktime"
    duration = _float(fmt.get("duration")) or _duration_from_packets(path)
    if not duration:
        raise MediaError(Text("cannot read this recording: its length cannot be measured"))
    return mimetype, round(duration, 3)


def audio_stream(path: str | os.PathLike) -> dict:
    """The first audio stream of a recording as ffprobe reads it (`codec_name`, `bit_rate`,
    `sample_rate`, `channels`), {} when it has none (for a silenced copy made alike, silence.py)."""
    info = _ffprobe(Path(path), "format=bit_rate:stream=codec_type,codec_name,bit_rate,sample_rate,channels",
                    "-select_streams", "a:0")
    stream = next(iter(info.get("streams") or []), {})
    if stream and not stream.get("bit_rate"):  # Ogg Opus says it of the whole file only
        stream["bit_rate"] = (info.get("format") or {}).get("bit_rate")
    return stream


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The one byte range (first, last, inclusive) a Range header asks of `size` bytes, per RFC 9110.

    None means: serve the whole file with 200 (no header, another unit, a malformed or multi-range
    request, which RFC 9110 lets a server ignore, or an empty file).
    :raise RangeNotSatisfiable: when the range starts past the end or is an empty suffix (answer 416).
    """
    if not header or size <= 0:
        return None
    unit, sep, spec = header.partition("=")
    if not sep or unit.strip().lower() != "bytes":
        return None
    specs = [s.strip() for s in spec.split(",")]
    if len(specs) != 1:
        return None
    first, dash, last = specs[0].partition("-")
    if not dash or not (first.isdigit() or last.isdigit()) or not _digits(first) or not _digits(last):
        return None
    if not first:  # suffix range: the last N bytes
        length = int(last)
        if length == 0:
            raise RangeNotSatisfiable(size)
        return max(size - length, 0), size - 1
    start = int(first)
    if last and int(last) < start:
        return None  # invalid: ignored, the whole file is sent
    if start >= size:
        raise RangeNotSatisfiable(size)
    return start, min(int(last), size - 1) if last else size - 1


def content_range(start: int, end: int, size: int) -> str:
    """The Content-Range value of a 206 answer."""
    return f"bytes {start}-{end}/{size}"


def iso_duration(seconds: float) -> str:
    """A duration in ISO 8601 (schema.org's `duration`): 1834.2 -> 'PT30M34.2S'."""
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs = f"{rest / 1000:.3f}".rstrip("0").rstrip(".")
    parts = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    return "PT" + parts + (f"{secs}S" if rest or not parts else "")


def _digits(text: str) -> bool:
    return text == "" or (text.isascii() and text.isdigit())


def _copy(src: BinaryIO, out: BinaryIO, max_bytes: int) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    while chunk := src.read(CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise MediaError(Text("the file is larger than the limit of %(size)s", size=_human(max_bytes)))
        digest.update(chunk)
        out.write(chunk)
    if size == 0:
        raise MediaError(Text("the file is empty"))
    return digest.hexdigest(), size


def _human(n: int) -> str:
    return f"{n / 1024**2:g} MB" if n >= 1024**2 else f"{n} bytes"


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _ffprobe(path: Path, entries: str, *extra: str) -> dict:
    # "file:" keeps a name from being read as an option or a protocol; the whitelist keeps a
    # playlist-like file from making ffprobe open anything but local files.
    cmd = [ffprobe_path(), "-v", "error", "-protocol_whitelist", "file", "-print_format", "json",
           "-show_entries", entries, *extra, f"file:{path}"]
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=PROBE_TIMEOUT, check=False)  # nosec B603
    except subprocess.TimeoutExpired:
        raise MediaError(Text("cannot read this file: measuring it took too long")) from None
    if done.returncode != 0:
        return {}
    try:
        return json.loads(done.stdout or b"{}")
    except ValueError:
        return {}


def _duration_from_packets(path: Path) -> float | None:
    """The end of the last packet, for containers whose header has no duration (e.g. WebM from a browser)."""
    info = _ffprobe(path, "packet=pts_time,duration_time")
    ends = [(_float(p.get("pts_time")) or 0.0) + (_float(p.get("duration_time")) or 0.0)
            for p in info.get("packets") or []]
    return max(ends, default=None)


def _float(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number and number not in (float("inf"), float("-inf")) else None
