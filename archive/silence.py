"""Silenced copies of recordings: the same file with the time ranges a viewer may not hear made silent
(docs/architecture.md, "Redactions and consent").

A copy is derived with Debian's ffmpeg (the volume filter set to 0 inside the ranges, the video
stream copied as it is) and kept beside the original in `records/media/`, named after the
original's SHA-256 and the ranges (`<sha256>.silenced-<digest>`), so it is made once per set of
ranges and found again without the database. Which ranges a viewer may not hear is
`redaction.hidden_ranges`; serving the copy instead of the original is the media view's part. Like
`media.py`, this module runs ffmpeg with a fixed argument list and no shell.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess  # nosec B404
from pathlib import Path

from .media import INSTALL_HINT, MediaError, path_for

TIMEOUT = 600.0  # seconds: a two-hour interview is re-encoded well within this


def ffmpeg_path() -> str:
    found = shutil.which("ffmpeg")
    if not found:
        raise MediaError(f"ffmpeg is not installed: {INSTALL_HINT}")
    return found


def copy_name(sha256: str, ranges: list[tuple[float, float]]) -> str:
    """The file name of the original's copy silenced in these ranges."""
    canonical = ",".join(f"{a:.3f}-{b:.3f}" for a, b in sorted(ranges))
    return f"{sha256}.silenced-{hashlib.sha256(canonical.encode()).hexdigest()[:16]}"


def volume_filter(ranges: list[tuple[float, float]]) -> str:
    """ffmpeg's audio filter that silences the ranges (seconds)."""
    inside = "+".join(f"between(t,{a:.3f},{b:.3f})" for a, b in sorted(ranges))
    return f"volume=enable='{inside}':volume=0"


def silence(source: str | os.PathLike, dest: str | os.PathLike, ranges: list[tuple[float, float]],
            container: str) -> None:
    """Write `source` to `dest` with the ranges silent, in the same container (ffmpeg's muxer
    name, e.g. `wav`, `ogg`, `mp3`, `webm`, `mp4`). :raise MediaError:"""
    dest = Path(dest)
    partial = dest.with_name(dest.name + ".part")
    cmd = [ffmpeg_path(), "-nostdin", "-v", "error", "-y", "-i", str(source), "-map", "0",
           "-af", volume_filter(ranges), "-c:v", "copy", "-f", container, str(partial)]
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT, check=False)  # nosec B603
    except subprocess.TimeoutExpired as exc:
        partial.unlink(missing_ok=True)
        raise MediaError("ffmpeg took too long to silence the recording") from exc
    if done.returncode != 0:
        partial.unlink(missing_ok=True)
        raise MediaError(f"ffmpeg could not silence the recording: {done.stderr.decode(errors='replace')[:300]}")
    os.replace(partial, dest)


def silenced_copy(folder: str | os.PathLike, sha256: str, ranges: list[tuple[float, float]],
                  container: str) -> Path:
    """The stored file silenced in these ranges, made now if it is not there yet (the original
    itself when there is nothing to silence)."""
    original = path_for(folder, sha256)
    if not ranges:
        return original
    copy = original.with_name(copy_name(sha256, ranges))
    if not copy.exists():
        silence(original, copy, ranges, container)
    return copy
