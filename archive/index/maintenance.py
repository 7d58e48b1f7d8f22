"""Keeping the index in step with the database, which is the truth: drift, repair, rebuild, start-up.

It owns comparing the index with the database document by document (`find_drift`), re-indexing what
differs (`repair_drift`), building a fresh index and swapping it in (`rebuild_index`), and opening
an index at start-up so that it reflects the database (`ensure_index`). It knows nothing of the store:
what it needs from the database comes through a `Source` (the write path, `records.IndexSource`,
gives one), so these functions read change numbers and documents, never rows.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from . import schema, writing
from .searching import Index


class Source(Protocol):
    """The database as the index's maintenance sees it."""

    def state(self) -> tuple[int, str]:
        """The database's current change number and the archive's id."""

    def seqs(self) -> dict[str, int]:
        """Id and change number of every live record."""

    def count(self) -> int:
        """The number of live records."""

    def documents(self, ids: Iterable[str] | None = None) -> Iterator[dict]:
        """The index documents of these records (of every live record when None)."""

    def frozen(self) -> AbstractContextManager:
        """The database's write transaction: no save slips in while it is held."""


@dataclass
class Drift:
    missing: list[str] = field(default_factory=list)  # in the database, not in the index
    stale: list[str] = field(default_factory=list)  # in both, but the index has an older version
    extra: list[str] = field(default_factory=list)  # in the index only
    marker: bool = True  # whether the index's marker matches the database
    outdated: bool = False  # built by another version of the schema or analyzer: rebuild it

    @property
    def any(self) -> bool:
        return bool(self.missing or self.stale or self.extra or not self.marker or self.outdated)

    def __str__(self) -> str:
        if not self.any:
            return "index and database agree"
        parts = [f"{len(self.missing)} missing", f"{len(self.stale)} out of date",
                 f"{len(self.extra)} not in the database"]
        if not self.marker:
            parts.append("marker differs")
        if self.outdated:
            parts.append("built by another version of the analyzer (run `archive reindex`)")
        return "index drift: " + ", ".join(parts)


def find_drift(index: Index, source: Source) -> Drift:
    """Compare every record in the database with the index, document by document.

    An index that cannot be read (written by another version of the analyzer, which can no longer
    be loaded) is reported as outdated, with every record missing.
    """
    want = source.seqs()
    try:
        have = index.stored_seqs()
        seq, archive_id, version = index.marker()
    except Exception:  # unreadable: only a rebuild helps
        return Drift(missing=sorted(want), marker=False, outdated=True)
    return Drift(
        missing=sorted(set(want) - set(have)),
        stale=sorted(i for i in set(want) & set(have) if want[i] != have[i]),
        extra=sorted(set(have) - set(want)),
        marker=(seq, archive_id) == source.state(),
        outdated=version != schema.INDEX_VERSION,
    )


def repair_drift(index: Index, source: Source, drift: Drift) -> None:
    """Re-index what is missing or stale and remove what the database no longer has."""
    with index.write_lock:  # before the database's transaction, as every write takes them
        with source.frozen():
            with index.transaction() as tx:
                for document in source.documents(drift.missing + drift.stale):
                    tx.put(document)
                for record_id in drift.extra:
                    tx.remove(record_id)
                tx.set_marker(*source.state())
    index.written()


def rebuild_index(path: str | Path, source: Source, progress: Callable[[int], None] | None = None) -> int:
    """Rebuild the index from the database into a new folder and swap it in; returns the count."""
    # Hold the write transaction so that no save slips in between reading and swapping.
    with source.frozen():
        seq, archive_id = source.state()
        return writing.build(path, source.documents(), seq, archive_id, progress)


def ensure_index(path: str | Path, source: Source) -> Index:
    """Open the index, creating or repairing it so that it reflects the database.

    A quick look (marker and document count) decides whether the full comparison is needed. An
    index built by another INDEX_VERSION, or one that cannot be read at all, is rebuilt.
    """
    path = Path(path)
    if not Index.exists(path):
        rebuild_index(path, source)
        return Index(path)
    index = Index(path)
    try:
        seq, archive_id, version = index.marker()
        current = version == schema.INDEX_VERSION
        quick_ok = (seq, archive_id) == source.state() and index.doc_count() == source.count()
    except Exception:  # an unreadable index is rebuilt from the database, which is the truth
        current = False
    if not current:  # unreadable, or built with another schema or analyzer
        index.close()
        rebuild_index(path, source)
        return Index(path)
    if not quick_ok:
        drift = find_drift(index, source)
        if drift.any:
            repair_drift(index, source, drift)
    return index
