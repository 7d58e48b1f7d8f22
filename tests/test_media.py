"""Media files: stored by SHA-256, measured from their content by ffprobe, fixity, Range headers.

The files are real: seconds of sound written with Python's `wave`, and ffmpeg's test sources.
"""

import io
import json
import math
import os
import shutil
import stat
import struct
import subprocess
import wave
from pathlib import Path

import pytest

from archive import media
from archive.transcripts import read_chapters, read_transcript


@pytest.fixture(scope="module", autouse=True)
def ffmpeg():
    """Fail (never skip) when Debian's ffmpeg is missing, with the command that installs it."""
    missing = [tool for tool in ("ffmpeg", "ffprobe") if not shutil.which(tool)]
    assert not missing, f"{', '.join(missing)} missing: apt-get install -y ffmpeg (make test does it as root)"


def write_wav(path, seconds=2.0, rate=8000, freq=440.0):
    """A mono 16-bit WAV of a sine tone, `seconds` long."""
    frames = int(seconds * rate)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * freq * i / rate)))
                               for i in range(frames)))
    return path


def ffmpeg_make(path, *args):
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args, str(path)], check=True)
    return path


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    d = tmp_path_factory.mktemp("samples")
    wav = write_wav(d / "tone.wav", seconds=2.5)
    return {
        "wav": wav,
        "ogg": ffmpeg_make(d / "tone.ogg", "-i", str(wav), "-c:a", "libopus", "-b:a", "12k"),
        "mp3_cover": ffmpeg_make(d / "cover.mp3", "-i", str(wav), "-f", "lavfi", "-i",
                                 "color=c=red:s=16x16:d=1", "-map", "0:a", "-map", "1:v", "-frames:v", "1",
                                 "-c:v", "mjpeg", "-disposition:v", "attached_pic"),
        "webm": ffmpeg_make(d / "clip.webm", "-f", "lavfi", "-i", "testsrc=duration=1:size=32x24:rate=5",
                            "-f", "lavfi", "-i", "sine=duration=1", "-c:v", "libvpx", "-c:a", "libopus",
                            "-shortest"),
        "mp4": ffmpeg_make(d / "clip.mp4", "-f", "lavfi", "-i", "testsrc=duration=1:size=32x24:rate=5",
                           "-pix_fmt", "yuv420p"),
        "png": ffmpeg_make(d / "still.png", "-f", "lavfi", "-i", "testsrc=size=32x24", "-frames:v", "1"),
    }


def test_store_measures_a_wav_from_its_content(tmp_path, samples):
    folder = tmp_path / "records" / "media"
    m = media.store(samples["wav"], folder)
    data = samples["wav"].read_bytes()
    assert m.bytes == len(data)
    assert m.sha256 == media.sha256_of(samples["wav"])
    assert (m.mimetype, m.kind) == ("audio/wav", "audio")
    assert m.duration == pytest.approx(2.5, abs=0.01)
    stored = media.path_for(folder, m.sha256)
    assert stored.read_bytes() == data
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert m.as_dict() == {"sha256": m.sha256, "bytes": len(data), "mimetype": "audio/wav",
                           "kind": "audio", "duration": m.duration}


def test_name_and_claims_never_decide_the_type(tmp_path, samples):
    disguised = tmp_path / "letter.pdf"
    disguised.write_bytes(samples["ogg"].read_bytes())
    with open(disguised, "rb") as stream:  # a stream, as an upload arrives
        m = media.store(stream, tmp_path / "media")
    assert (m.mimetype, m.kind) == ("audio/ogg", "audio")
    assert m.duration == pytest.approx(2.5, abs=0.05)


@pytest.mark.parametrize("name, mimetype, kind", [
    ("mp3_cover", "audio/mpeg", "audio"),  # its cover picture does not make it a video
    ("webm", "video/webm", "video"),
    ("mp4", "video/mp4", "video"),
    ("png", "image/png", "image"),
])
def test_measure_kinds(samples, name, mimetype, kind):
    m = media.measure(samples[name])
    assert (m.mimetype, m.kind) == (mimetype, kind)
    assert (m.duration is None) == (kind == "image")


def test_pdf_is_a_document(tmp_path):
    pdf = tmp_path / "release-form.bin"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
    m = media.measure(pdf)
    assert (m.mimetype, m.kind, m.duration) == ("application/pdf", "document", None)


def test_storing_the_same_content_twice_is_one_file(tmp_path, samples):
    folder = tmp_path / "media"
    first = media.store(samples["wav"], folder)
    second = media.store(io.BytesIO(samples["wav"].read_bytes()), folder)
    assert first == second
    assert list(media.stored_files(folder)) == [first.sha256]
    assert [p.name for p in folder.iterdir()] == [first.sha256]  # no temporary file left


@pytest.mark.parametrize("content, message", [
    (b"", "empty"),
    (b"Dear Secretary-General,\nplain text is not a recording.\n", "cannot read this file"),
    (b"\x00" * 4096, "cannot read this file"),
    (b"Notes on the %PDF-1.7 format, not a PDF.\n", "cannot read this file"),
])
def test_unreadable_files_are_refused_and_leave_nothing(tmp_path, content, message):
    folder = tmp_path / "media"
    with pytest.raises(media.MediaError, match=message):
        media.store(io.BytesIO(content), folder)
    assert list(folder.iterdir()) == []


def test_size_limit(tmp_path, samples):
    folder = tmp_path / "media"
    with pytest.raises(media.MediaError, match="larger than the limit of 1000 bytes"):
        media.store(samples["wav"], folder, max_bytes=1000)
    assert list(folder.iterdir()) == []
    assert media.store(samples["wav"], folder, max_bytes=samples["wav"].stat().st_size).bytes


def test_verify_finds_a_damaged_or_missing_file(tmp_path, samples):
    folder = tmp_path / "media"
    m = media.store(samples["wav"], folder)
    path = media.path_for(folder, m.sha256)
    assert media.verify(path, m.sha256)
    data = bytearray(path.read_bytes())
    data[100] ^= 0x01
    path.write_bytes(bytes(data))
    assert not media.verify(path, m.sha256)
    media.store(samples["wav"], folder)  # storing the file again repairs the copy
    assert media.verify(path, m.sha256)
    path.unlink()
    assert not media.verify(path, m.sha256)


@pytest.mark.parametrize("bad", ["../etc/passwd", "A" * 64, "0" * 63, "", None, "0" * 64 + "/x"])
def test_path_for_takes_only_a_checksum(tmp_path, bad):
    with pytest.raises(media.MediaError):
        media.path_for(tmp_path, bad)


def test_stale_incoming_files_are_swept(tmp_path):
    folder = media.ensure_folder(tmp_path / "media")
    stale = folder / (media.INCOMING_PREFIX + "abc")
    stale.write_bytes(b"half a copy")
    os.utime(stale, (1, 1))
    fresh = folder / (media.INCOMING_PREFIX + "def")
    fresh.write_bytes(b"being written")
    assert media.remove_stale_incoming(folder) == [stale.name]
    assert fresh.exists() and list(media.stored_files(folder)) == []


def test_missing_ffprobe_says_how_to_install(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(media.MediaError, match="apt-get install -y ffmpeg"):
        media.ffprobe_path()


@pytest.mark.parametrize("header, size, expected", [
    ("bytes=0-99", 1000, (0, 99)),
    ("bytes=500-", 1000, (500, 999)),
    ("bytes=900-5000", 1000, (900, 999)),  # the end is clamped to the last byte
    ("bytes=-100", 1000, (900, 999)),  # suffix: the last 100 bytes
    ("bytes=-5000", 1000, (0, 999)),  # a suffix longer than the file is the whole file
    ("BYTES = 0-0", 1000, (0, 0)),
    ("bytes=999-999", 1000, (999, 999)),
    (None, 1000, None),
    ("", 1000, None),
    ("items=0-1", 1000, None),  # another unit: ignored
    ("bytes=0-1,5-6", 1000, None),  # several ranges: the whole file (RFC 9110 lets us ignore them)
    ("bytes=5-1", 1000, None),  # invalid: ignored
    ("bytes=abc", 1000, None),
    ("bytes=-", 1000, None),
    ("bytes=+1-2", 1000, None),
    ("bytes=١-٢", 1000, None),  # digits of another script are not digits here
    ("bytes=0-1", 0, None),
])
def test_parse_range(header, size, expected):
    assert media.parse_range(header, size) == expected


@pytest.mark.parametrize("header", ["bytes=1000-", "bytes=1000-2000", "bytes=-0"])
def test_unsatisfiable_range(header):
    with pytest.raises(media.RangeNotSatisfiable) as caught:
        media.parse_range(header, 1000)
    assert caught.value.status == 416
    assert caught.value.content_range == "bytes */1000"


def test_content_range_and_iso_duration():
    assert media.content_range(0, 99, 1000) == "bytes 0-99/1000"
    assert media.iso_duration(1834.2) == "PT30M34.2S"
    assert media.iso_duration(3600) == "PT1H"
    assert media.iso_duration(0) == "PT0S"
    assert media.iso_duration(3725.5) == "PT1H2M5.5S"


def test_the_sample_recording_matches_its_transcript():
    """The committed machine reading: real Ogg Opus, small, and its cues and chapters read back."""
    folder = Path(__file__).parent.parent / "archive" / "sample" / "media"
    m = media.measure(folder / "seed-letter-reading.ogg")
    assert (m.mimetype, m.kind) == ("audio/ogg", "audio") and m.bytes < 1024 * 1024
    sidecar = json.loads((folder / "seed-letter-reading.json").read_text(encoding="utf-8"))
    cues = sidecar["media"][0]["transcript"]
    assert read_transcript((folder / "seed-letter-reading.vtt").read_bytes()).cues == cues
    assert "machine" in sidecar["media"][0]["label"]
    assert cues[-1]["end"] < m.duration < cues[-1]["end"] + 2
    chapters = read_chapters((folder / "seed-letter-segments.vtt").read_bytes())
    assert [c["title"] for c in chapters] == [s["title"] for s in sidecar["segments"]]
    assert chapters[-1]["end"] == pytest.approx(cues[-1]["end"])
