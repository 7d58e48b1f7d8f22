"""What OAI-PMH harvesters see of the records, in the order they page through them.

Harvesters see public records only, as anonymous visitors read them (redacted passages hidden). A
record that was once public and is no longer visible (deleted, made restricted or private, embargoed,
or its narrator's consent withdrawn) is listed as deleted, so that harvesters drop their copy;
a record that was never public is never mentioned. The datestamp is the last change, or the day an
embargo ended, whichever is later, so that incremental harvests also pick up embargoes that end.
The protocol itself (verbs, resumption tokens, XML) is `archive/oai.py`'s.
"""
from __future__ import annotations

from ..access import ANONYMOUS, WITHDRAWN
from ..clock import today
from .records import viewer_row


def _harvest_cte() -> str:
    """Rows of harvestable records, with `oai_visible`, `oai_datestamp` and the type and collection
    harvesters know them by: for a record no longer public, those of its last public revision (so
    that a later, private value never reaches them)."""
    visible = ("(r.deleted_at IS NULL AND r.access = 'public' "
               "AND (r.embargo_until IS NULL OR r.embargo_until <= :today) "
               f"AND r.consent_status IS NOT '{WITHDRAWN}')")
    public_revisions = ("FROM revisions v WHERE v.kind = 'record' AND v.entity_id = r.id "
                        "AND json_extract(v.data, '$.access') = 'public' "
                        "AND coalesce(json_extract(v.data, '$.embargo_until'), '') <= :today")
    last_public = f"(SELECT v.data {public_revisions} ORDER BY v.revision DESC LIMIT 1)"
    return (f"WITH h AS (SELECT r.*, {visible} AS oai_visible, "
            f"CASE WHEN {visible} THEN max(r.updated_at, coalesce(r.embargo_until || 'T00:00:00Z', '')) "
            f"ELSE r.updated_at END AS oai_datestamp, "
            f"CASE WHEN {visible} THEN r.type ELSE json_extract({last_public}, '$.type') END AS oai_type, "
            f"CASE WHEN {visible} THEN r.collection "
            f"ELSE json_extract({last_public}, '$.collection') END AS oai_collection "
            f"FROM records r WHERE {visible} OR EXISTS (SELECT 1 {public_revisions})) ")


def _harvest_where(from_: str | None, until: str | None, record_type: str | None,
                   collections: list[str] | None, has_collection: bool = False) -> tuple[str, dict]:
    clauses, params = ["1"], {}
    if from_:
        clauses.append("h.oai_datestamp >= :from_")
        params["from_"] = from_
    if until:
        clauses.append("h.oai_datestamp <= :until")
        params["until"] = until
    if record_type:
        clauses.append("h.oai_type = :record_type")
        params["record_type"] = record_type
    if collections is not None:
        names = {f"c{i}": c for i, c in enumerate(collections)}
        clauses.append(f"h.oai_collection IN ({', '.join(':' + k for k in names) or 'NULL'})")
        params.update(names)
    if has_collection:
        clauses.append("h.oai_collection IS NOT NULL")
    return " AND ".join(clauses), params


def harvest_rows(db, *, after: tuple[str, str] | None = None, from_: str | None = None,
                 until: str | None = None, record_type: str | None = None,
                 collections: list[str] | None = None, has_collection: bool = False,
                 limit: int = 100) -> list[dict]:
    """Harvestable records in (datestamp, id) order after a position; each row has `oai_visible`
    (0 means: report as deleted) and `oai_datestamp`."""
    cte = _harvest_cte()
    where, params = _harvest_where(from_, until, record_type, collections, has_collection)
    if after:
        where += " AND (h.oai_datestamp, h.id) > (:after_stamp, :after_id)"
        params.update(after_stamp=after[0], after_id=after[1])
    return [viewer_row(row, ANONYMOUS) for row in db.query(
        f"{cte} SELECT * FROM h WHERE {where} ORDER BY h.oai_datestamp, h.id LIMIT :limit",
        {**params, "today": today(), "limit": limit})]


def count_harvest(db, *, from_: str | None = None, until: str | None = None,
                  record_type: str | None = None, collections: list[str] | None = None,
                  has_collection: bool = False) -> int:
    cte = _harvest_cte()
    where, params = _harvest_where(from_, until, record_type, collections, has_collection)
    return db.execute(f"{cte} SELECT count(*) FROM h WHERE {where}",
                      {**params, "today": today()}).fetchone()[0]


def harvest_row(db, record_id: str) -> dict | None:
    cte = _harvest_cte()
    rows = list(db.query(f"{cte} SELECT * FROM h WHERE h.id = :id", {"id": record_id, "today": today()}))
    return viewer_row(rows[0], ANONYMOUS) if rows else None


def earliest_harvest_datestamp(db) -> str | None:
    cte = _harvest_cte()
    return db.execute(f"{cte} SELECT min(oai_datestamp) FROM h", {"today": today()}).fetchone()[0]


def harvest_collections(db) -> list[str]:
    """The collections of the records harvesters see (visible or reported deleted)."""
    cte = _harvest_cte()
    return [r[0] for r in db.execute(f"{cte} SELECT DISTINCT oai_collection FROM h "
                                     f"WHERE oai_collection IS NOT NULL ORDER BY oai_collection",
                                     {"today": today()})]
