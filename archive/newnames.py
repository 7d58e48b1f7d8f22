"""The authorities an import would create, their look-alikes in the archive, and the archivist's
choice for each: map it to an existing authority, or create it as new.

docs/architecture.md, "Where things live". The check (`importer.plan`) hands every authority object of the file
and every link by name to a `Tracker`, which lists those the archive does not have yet (a link by a
name the file or the archive already holds creates nothing) and, for each, the existing names and
variants that look alike: the same name key (`names.name_key`: case, Latin accents, spaces and
punctuation ignored, Khmer normalised) within a few edits (`names.near`), so "Sok Chann" is flagged
beside "Sok Chan", and a Latin name beside an authority whose Khmer variant is near it. A `Mapper`
then applies the choices while the file is read again: links to a mapped name (or to the id the file
gave it) become links to the existing authority, and its object in the file is left out; the write
itself stays `records.import_objects`.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from . import kinds, store
from .access import SYSTEM
from .names import name_key, near

KIND_NAMES = frozenset(k.name for k in kinds.KINDS)
MAX_LISTED = 500  # new authorities listed; the rest are counted
MAX_NEAR = 5  # look-alikes shown for one new authority


@dataclass
class NewAuthority:
    kind: str
    name: str
    key: str  # its name key: one entry per kind and key
    where: object  # where the file first names it (a `Text`, "line 2")
    uses: int = 1  # objects and links of the file naming it
    near: list[dict] = field(default_factory=list)  # id, name, matched, date, count

    @property
    def choice(self) -> str:
        """The name of its form field: `map-person-<hash of the key>`."""
        return f"map-{self.kind}-{hashlib.sha256(self.key.encode('utf-8')).hexdigest()[:16]}"


class Tracker:
    """Collects, during the check, the authorities an import would create."""

    def __init__(self, db):
        self.db = db
        self.found: dict[tuple[str, str], NewAuthority] = {}
        self.more = 0  # beyond MAX_LISTED

    def _add(self, kind: str, name: str, where: str) -> bool:
        key = name_key(name)
        if not key:
            return False
        if (kind, key) in self.found:
            self.found[kind, key].uses += 1
            return False
        if len(self.found) >= MAX_LISTED:
            self.more += 1
            return True
        self.found[kind, key] = NewAuthority(kind, name.strip(), key, where)
        return True

    def entity(self, where: str, kind: str, obj: dict) -> None:
        """An authority object of the file that does not exist yet."""
        self._add(kind, obj.get("name") or "", where)

    def link(self, where: str, kind: str, link: dict) -> bool:
        """A link that names its authority; True when following it creates one (not counted yet)."""
        if link.get("id") and (store.entity_row(self.db, kind, link["id"]) is not None
                               or store.redirect_target(self.db, kind, link["id"]) is not None):
            return False
        name = link.get("name") or ""
        if not name.strip():
            return False
        if not link.get("id") and store.find_by_name(self.db, kind, name, SYSTEM):
            return False
        return self._add(kind, name, where)

    def finish(self) -> list[NewAuthority]:
        """The new authorities, each with its look-alikes (closest first), in the order met."""
        wanted = {kind for kind, _ in self.found}
        for kind in wanted:
            mine = [a for (k, _), a in self.found.items() if k == kind]
            close: dict[str, list[tuple[int, str, str]]] = {a.key: [] for a in mine}
            for row in self.db.query("SELECT entity_id, name, key FROM names WHERE kind = ?", [kind]):
                for a in mine:
                    distance = near(a.key, row["key"])
                    if distance is not None:
                        close[a.key].append((distance, row["entity_id"], row["name"]))
            ids = {entity_id for pairs in close.values() for _, entity_id, _ in pairs}
            about = {e["id"]: e for e in store.entities_with_counts(self.db, kind, SYSTEM)
                     if e["id"] in ids} if ids else {}
            for a in mine:
                seen = set()
                for distance, entity_id, matched in sorted(close[a.key]):
                    if entity_id in seen or entity_id not in about or len(seen) == MAX_NEAR:
                        continue
                    seen.add(entity_id)
                    e = about[entity_id]
                    a.near.append({"id": entity_id, "name": e["name"], "matched": matched,
                                   "date": e["date"], "count": e["count"]})
        return list(self.found.values())


class Mapper:
    """Applies the archivist's choices ((kind, name key) → existing id) to the objects read again."""

    def __init__(self, db, mapping: dict[tuple[str, str], str] | None):
        self.db = db
        self.mapping = mapping or {}
        self.ids: dict[tuple[str, str], str] = {}  # (kind, id given in the file) → existing id

    def __call__(self, obj):
        """The object with its links mapped, or None for an authority object mapped away."""
        if not self.mapping or not isinstance(obj, dict):
            return obj
        kind = obj.get("kind") or "record"
        if kind != "record":
            target = self.mapping.get((kind, name_key(obj.get("name") or "")))
            if target and store.entity_row(self.db, kind, obj.get("id") or "") is None:
                if obj.get("id"):
                    self.ids[kind, obj["id"]] = target
                return None
        obj = dict(obj)
        described = kinds.get(kind) if kind in KIND_NAMES else None
        linked = ([(k.plural, k.name) for k in kinds.AUTHORITIES] if described is kinds.RECORD
                  else [("places", kinds.PLACE.name)] if described and described.has_places else [])
        for key, link_kind in linked:
            if isinstance(obj.get(key), list):
                obj[key] = [self._link(link_kind, link) for link in obj[key]]
        if described and described.has_part_of and obj.get("part_of"):
            obj["part_of"] = self.ids.get((kind, obj["part_of"]), obj["part_of"])
        return obj

    def _link(self, kind: str, link):
        if not isinstance(link, dict):
            return link
        if link.get("id"):
            if (kind, link["id"]) in self.ids:
                return {**link, "id": self.ids[kind, link["id"]]}
            if store.entity_row(self.db, kind, link["id"]) is not None:
                return link
        target = self.mapping.get((kind, name_key(link.get("name") or "")))
        if target:
            return {k: v for k, v in {**link, "id": target}.items() if k != "name"}
        return link
