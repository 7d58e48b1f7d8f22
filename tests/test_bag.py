"""BagIt bags: written and validated by the Library of Congress bagit library; a changed byte is found."""

import json
import math
import shutil
import struct
import wave

import pytest

from archive import bag, media


@pytest.fixture(scope="module", autouse=True)
def ffmpeg():
    assert shutil.which("ffprobe"), "ffprobe missing: apt-get install -y ffmpeg (make test does it as root)"


def tone(path, seconds, freq):
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"".join(struct.pack("<h", int(6000 * math.sin(2 * math.pi * freq * i / 8000)))
                               for i in range(int(seconds * 8000))))
    return path


@pytest.fixture
def archive_media(tmp_path):
    folder = tmp_path / "home" / "records" / "media"
    one = media.store(tone(tmp_path / "a.wav", 1.0, 440), folder)
    two = media.store(tone(tmp_path / "b.wav", 0.5, 660), folder)
    lines = [
        {"kind": "place", "id": "l1", "name": "Battambang", "variants": []},
        {"kind": "record", "id": "r1", "title": "Interview", "text": "ខ្មែរ",
         "media": [{"id": "m1", **one.as_dict()}, {"id": "m2", **two.as_dict()}]},
        {"kind": "record", "id": "r2", "title": "Same tape again", "media": [{"id": "m1", **one.as_dict()}]},
        json.dumps({"kind": "record", "id": "r3", "title": "No media", "media": []}),
    ]
    return folder, lines, (one, two)


def test_write_and_read_a_bag(tmp_path, archive_media):
    folder, lines, (one, two) = archive_media
    dest = bag.write_bag(tmp_path / "out" / "bag", lines, folder, info={"Source-Organization": "Test archive"})
    assert sorted(p.name for p in dest.iterdir()) == [
        "bag-info.txt", "bagit.txt", "data", "manifest-sha256.txt", "tagmanifest-sha256.txt"]
    manifest = (dest / "manifest-sha256.txt").read_text()
    assert f"{one.sha256}  data/media/{one.sha256}" in manifest
    read = bag.read_bag(dest)
    assert set(read.media) == {one.sha256, two.sha256}
    for sha, path in read.media.items():
        assert path.read_bytes() == media.path_for(folder, sha).read_bytes()
    exported = [json.loads(line) for line in read.export.read_text(encoding="utf-8").splitlines()]
    assert [o["id"] for o in exported] == ["l1", "r1", "r2", "r3"]
    assert exported[1]["text"] == "ខ្មែរ"
    assert read.info["Source-Organization"] == "Test archive"
    assert not list((tmp_path / "out").glob(".bag-*"))  # the work folder became the bag


def test_a_changed_byte_is_found(tmp_path, archive_media):
    folder, lines, (one, _) = archive_media
    dest = bag.write_bag(tmp_path / "bag", lines, folder)
    payload = dest / "data" / "media" / one.sha256
    data = bytearray(payload.read_bytes())
    data[200] ^= 0x01
    payload.write_bytes(bytes(data))
    with pytest.raises(bag.BagError, match=f"data/media/{one.sha256} has changed"):
        bag.read_bag(dest)


def test_a_changed_export_is_found(tmp_path, archive_media):
    folder, lines, _ = archive_media
    dest = bag.write_bag(tmp_path / "bag", lines, folder)
    export = dest / "data" / "export.jsonl"
    export.write_text(export.read_text(encoding="utf-8").replace("Interview", "Interviev"), encoding="utf-8")
    with pytest.raises(bag.BagError, match="export.jsonl has changed"):
        bag.read_bag(dest)


def test_damaged_or_missing_media_make_no_bag(tmp_path, archive_media):
    folder, lines, (one, two) = archive_media
    stored = media.path_for(folder, two.sha256)
    stored.write_bytes(stored.read_bytes()[:-1] + b"\x00")
    with pytest.raises(bag.BagError, match=f"damaged media files .*{two.sha256}"):
        bag.write_bag(tmp_path / "bag", lines, folder)
    stored.unlink()
    with pytest.raises(bag.BagError, match=f"missing from the archive: {two.sha256}"):
        bag.write_bag(tmp_path / "bag", lines, folder)
    assert not (tmp_path / "bag").exists() and not list(tmp_path.glob(".bag-*"))


def test_refuses_a_destination_in_use(tmp_path, archive_media):
    folder, lines, _ = archive_media
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "keep.txt").write_text("mine")
    with pytest.raises(bag.BagError, match="not an empty folder"):
        bag.write_bag(tmp_path / "used", lines, folder)
    (tmp_path / "empty").mkdir()
    assert bag.read_bag(bag.write_bag(tmp_path / "empty", lines, folder)).media


def test_bags_that_cannot_be_trusted(tmp_path, archive_media):
    folder, lines, (one, _) = archive_media
    with pytest.raises(bag.BagError, match="not a BagIt bag"):
        bag.read_bag(tmp_path)
    linked = bag.write_bag(tmp_path / "linked", lines, folder)
    payload = linked / "data" / "media" / one.sha256
    payload.unlink()
    payload.symlink_to(media.path_for(folder, one.sha256))
    with pytest.raises(bag.BagError, match="links instead of files"):
        bag.read_bag(linked)
    fetching = bag.write_bag(tmp_path / "fetching", lines, folder)
    (fetching / "fetch.txt").write_text(f"https://example.org/x 10 data/media/{'f' * 64}\n")
    with pytest.raises(bag.BagError, match="fetch"):
        bag.read_bag(fetching)
