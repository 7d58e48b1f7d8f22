"""Segment merges off the save's path (issue 12, item 6): a save commits without merging, the smallest
segments are merged without the lock and swapped in under it, and nothing a save did meanwhile is
lost or brought back."""
import os
import subprocess
import sys
import threading
import time

import pytest
from whoosh.index import TOC

from archive import records
from archive.access import SYSTEM
from archive.index import find_drift, merging, rebuild_index, schema


def segments(index) -> list:
    for _ in range(100):
        try:
            return TOC.read(index.ix.storage, index.ix.indexname, schema=schema.SCHEMA).segments
        except FileNotFoundError:  # a commit replaced the TOC as it was read (as Index does, read again)
            time.sleep(0.01)
    return TOC.read(index.ix.storage, index.ix.indexname, schema=schema.SCHEMA).segments


def found(index, q: str) -> set:
    return set(index.search(q, SYSTEM, per_page=100).ids)


def save(home, i: int, word: str = "") -> dict:
    return records.save_record(home.db, home.index, {
        "id": f"r-save-{i}", "type": "statement", "access": "public", "title": f"Saved {i}",
        "text": f"A statement with the word merge{i} {word}"}, user="test")


def test_saves_do_not_merge_and_the_index_keeps_few_segments(home):
    for i in range(3 * merging.MAX_SEGMENTS):
        save(home, i)
        assert len(segments(home.index)) <= merging.MAX_SEGMENTS + 1
    assert len(found(home.index, "statement")) == 3 * merging.MAX_SEGMENTS
    assert found(home.index, "merge17") == {"r-save-17"}
    assert not find_drift(home.index, records.IndexSource(home.db)).any


def test_a_commit_adds_its_segment_without_merging(home, monkeypatch):
    monkeypatch.setattr(merging, "MAX_SEGMENTS", 1000)
    for i in range(2 * merging.KEEP_SEGMENTS):
        save(home, i)
    before = len(segments(home.index))
    save(home, 99)
    assert len(segments(home.index)) == before + 1  # whoosh's default policy would have merged


def test_changes_made_while_a_merge_is_written_are_kept(home, monkeypatch):
    """A record replaced and one deleted between writing the merged segment and swapping it in: the
    swap applies their deletions, so neither the old text nor the deleted record comes back."""
    count = merging.MAX_SEGMENTS + 1
    for i in range(count):
        save(home, i, "before")
    real = merging._write_merged

    def then_save(folder, chosen, readers):
        made = real(folder, chosen, readers)
        monkeypatch.setattr(merging, "MAX_SEGMENTS", 1000)  # the saves below do not merge themselves
        save(home, 1, "after")  # replaces r-save-1, which is in a chosen segment
        records.delete_record(home.db, home.index, "r-save-2", user="test")
        return made
    monkeypatch.setattr(merging, "_write_merged", then_save)
    monkeypatch.setattr(merging, "MAX_SEGMENTS", 3)
    assert merging.merge(home.index)
    home.index.refresh()
    assert len(segments(home.index)) <= merging.KEEP_SEGMENTS + 2
    assert found(home.index, "before") == {f"r-save-{i}" for i in range(count) if i not in (1, 2)}
    assert found(home.index, "after") == {"r-save-1"} and found(home.index, "merge2") == set()
    assert home.index.doc_count() == count - 1
    assert not find_drift(home.index, records.IndexSource(home.db)).any


def test_a_merge_whose_segments_went_away_is_dropped(home, monkeypatch):
    count = merging.MAX_SEGMENTS + 1
    for i in range(count):
        save(home, i)
    real = merging._write_merged

    def then_rebuild(folder, chosen, readers):
        made = real(folder, chosen, readers)
        rebuild_index(home.index.path, records.IndexSource(home.db))  # `archive reindex` meanwhile
        return made
    monkeypatch.setattr(merging, "_write_merged", then_rebuild)
    monkeypatch.setattr(merging, "MAX_SEGMENTS", 3)
    assert merging.merge(home.index) is False
    home.index.refresh()
    assert found(home.index, "statement") == {f"r-save-{i}" for i in range(count)}
    assert not list(home.index.path.glob(merging.FOLDER_PREFIX + "*"))
    assert not find_drift(home.index, records.IndexSource(home.db)).any


def test_a_save_does_not_wait_for_a_merge(home, monkeypatch):
    """The background merger writes its segment without the lock: a save made meanwhile commits."""
    for i in range(merging.MAX_SEGMENTS + 1):
        save(home, i)
    writing_merge, go_on = threading.Event(), threading.Event()
    real = merging._write_merged

    def slow(folder, chosen, readers):
        writing_merge.set()
        assert go_on.wait(30)
        return real(folder, chosen, readers)
    monkeypatch.setattr(merging, "_write_merged", slow)
    monkeypatch.setattr(merging, "MAX_SEGMENTS", 3)
    home.index.merge_in_background()
    try:
        assert writing_merge.wait(30)
        started = time.perf_counter()
        save(home, 50, "during")  # would wait for the merge if it held the lock
        took = time.perf_counter() - started
        go_on.set()
        deadline = time.time() + 30
        while len(segments(home.index)) > merging.KEEP_SEGMENTS + 1 and time.time() < deadline:
            time.sleep(0.05)
    finally:
        go_on.set()
        home.index.close()
    assert took < 20  # the merge waits 30 s at most; the save did not wait for it
    assert len(segments(home.index)) <= merging.KEEP_SEGMENTS + 1
    assert found(home.index, "during") == {"r-save-50"}
    assert not find_drift(home.index, records.IndexSource(home.db)).any


def test_folders_of_merges_whose_process_died_are_removed(home):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True).stdout.strip()
    left = home.index.path / f"{merging.FOLDER_PREFIX}{dead}-abcd"
    mine = home.index.path / f"{merging.FOLDER_PREFIX}{os.getpid()}-abcd"
    left.mkdir()
    mine.mkdir()
    merging.clean_leftovers(home.index.path)
    assert not left.exists() and mine.exists()


@pytest.mark.parametrize("q", ["statement OR merge3", "merge1 OR merge2 OR merge3", "merge*"])
def test_an_or_over_small_segments_finds_the_same(home, q):
    """Whoosh's OR over a segment of a few documents uses a score array of that size (setup())."""
    for i in range(5):
        save(home, i)
    assert found(home.index, q) == ({f"r-save-{i}" for i in range(5)} if "statement" in q or "*" in q
                                    else {"r-save-1", "r-save-2", "r-save-3"})


def test_a_searcher_after_a_save_reopens_only_the_segments_that_changed(home, monkeypatch):
    monkeypatch.setattr(merging, "MAX_SEGMENTS", 1000)
    for i in range(6):
        save(home, i, "before")

    def leaves():
        with home.index.searcher() as s:
            assert s.up_to_date()
            return {leaf.segment().segment_id(): leaf for leaf, _ in s.reader().leaf_readers()}
    before = leaves()
    save(home, 3, "after")  # deletes r-save-3 in its segment, and the marker in the last one
    after = leaves()
    kept = [key for key in after if after[key] is before.get(key)]
    assert len(after) == len(before) + 1 and len(kept) == len(before) - 2
    assert found(home.index, "before") == {f"r-save-{i}" for i in (0, 1, 2, 4, 5)}
    assert found(home.index, "after") == {"r-save-3"}
