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
    copy = silence.silenced_copy(folder, stored.sha256, ranges, "audio/wav")
    assert copy.parent == folder / "silenced" and copy.name.startswith(stored.sha256 + "-")
    heard = samples(copy)
    inside = heard[int(1.05 * RATE):int(1.95 * RATE)]
    before, after = heard[int(0.1 * RATE):int(0.9 * RATE)], heard[int(2.1 * RATE):int(2.9 * RATE)]
    assert max(abs(s) for s in inside) == 0
    assert max(abs(s) for s in before) > 1000 and max(abs(s) for s in after) > 1000
    made = copy.stat().st_mtime_ns
    assert silence.silenced_copy(folder, stored.sha256, ranges, "audio/wav").stat().st_mtime_ns == made  # once
    assert silence.silenced_copy(folder, stored.sha256, [], "audio/wav") == media.path_for(folder, stored.sha256)
    assert list(media.stored_files(folder)) == [stored.sha256]  # `archive check` sees the original only


def test_a_copy_keeps_the_codec_and_weight_of_an_ogg_opus_original(tmp_path):
    tone = tmp_path / "tone.ogg"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=3",
                    "-c:a", "libopus", "-b:a", "16k", str(tone)], check=True)
    folder = tmp_path / "media"
    stored = media.store(tone, folder)
    copy = silence.silenced_copy(folder, stored.sha256, [(1.0, 2.0)], stored.mimetype)
    assert media.audio_stream(copy)["codec_name"] == "opus"
    assert copy.stat().st_size < 3 * stored.bytes  # not a 96 kbit/s Vorbis copy of a 16 kbit/s voice
    heard = samples(copy)
    # a lossy codec lets the sound before the range die away over a few frames, 50 dB down at once
    assert max(abs(s) for s in heard[int(1.05 * RATE):int(1.3 * RATE)]) < 100
    assert max(abs(s) for s in heard[int(1.3 * RATE):int(1.95 * RATE)]) == 0
    assert max(abs(s) for s in heard[int(2.2 * RATE):int(2.8 * RATE)]) > 1000


def test_what_silenced_copies_would_be_served_and_a_lapsed_redaction_changes_the_copy():
    record = {"media": [{"id": "m1", "kind": "audio", "sha256": "a" * 64, "mimetype": "audio/ogg"},
                        {"id": "m2", "kind": "image", "sha256": "b" * 64, "mimetype": "image/png"}],
              "redactions": [{"id": "x1", "media": "m1", "from": 1.0, "to": 2.0, "access": "private", "until": None},
                             {"id": "x2", "media": "m1", "from": 5.0, "to": 6.0, "access": "restricted",
                              "until": "2030-01-01"}]}
    assert silence.wanted(record, "2026-01-01") == [("a" * 64, [(1.0, 2.0), (5.0, 6.0)], "audio/ogg"),
                                                     ("a" * 64, [(1.0, 2.0)], "audio/ogg")]
    assert silence.wanted(record, "2031-01-01") == [("a" * 64, [(1.0, 2.0)], "audio/ogg")]
    before = silence.copy_path("/m", "a" * 64, [(1.0, 2.0), (5.0, 6.0)])
    assert before != silence.copy_path("/m", "a" * 64, [(1.0, 2.0)])
