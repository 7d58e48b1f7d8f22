"""Silenced copies of recordings (archive/silence.py): the samples inside a hidden range are silent,
the others are not, and the copy is made once, beside the original."""
import array
import subprocess

from archive import media, redaction, silence
from archive.access import ANONYMOUS, Viewer

RATE = 8000


def samples(path) -> array.array:
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1", "-ar", str(RATE), "-"],
                         capture_output=True, check=True).stdout
    return array.array("h", raw)


def test_a_silenced_copy_is_silent_in_the_hidden_range_only(tmp_path):
    tone = tmp_path / "tone.wav"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate={RATE}:duration=3",
                    str(tone)], check=True)
    folder = tmp_path / "media"
    stored = media.store(tone, folder)
    record = {"media": [{"id": "m1"}], "redactions": [
        {"id": "x1", "media": "m1", "from": 1.0, "to": 2.0, "access": "private", "reason": "a name", "until": None}]}
    ranges = redaction.hidden_ranges(record, "m1", ANONYMOUS, "2026-01-01")
    assert ranges == [(1.0, 2.0)] and redaction.hidden_ranges(record, "m1", Viewer("a", "archivist"), "2026-01-01") == []
    copy = silence.silenced_copy(folder, stored.sha256, ranges, "wav")
    assert copy.parent == folder and copy.name.startswith(stored.sha256 + ".silenced-")
    heard = samples(copy)
    inside = heard[int(1.05 * RATE):int(1.95 * RATE)]
    before, after = heard[int(0.1 * RATE):int(0.9 * RATE)], heard[int(2.1 * RATE):int(2.9 * RATE)]
    assert max(abs(s) for s in inside) == 0
    assert max(abs(s) for s in before) > 1000 and max(abs(s) for s in after) > 1000
    made = copy.stat().st_mtime_ns
    assert silence.silenced_copy(folder, stored.sha256, ranges, "wav").stat().st_mtime_ns == made  # once
    assert silence.silenced_copy(folder, stored.sha256, [], "wav") == media.path_for(folder, stored.sha256)
    assert list(media.stored_files(folder)) == [stored.sha256]  # `archive check` sees the original only
