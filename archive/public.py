"""Blueprint `public`: the pages and JSON anyone may read (within what their role allows).

Home, search, records, people, events and places, the JSON Schemas and the full export. Views reach
the store and the index only through `web.get_db()` / `web.get_index()` and never write.
"""
from __future__ import annotations

import json
import re
from itertools import groupby

from flask import (Blueprint, Response, abort, current_app, jsonify, redirect, render_template,
                   request, url_for)

from . import db as store, export, records
from .web import get_db, get_index, get_viewer, visible_record_or_404

bp = Blueprint("public", __name__)

KIND_PATHS = {"people": "person", "events": "event", "places": "place"}
PLURAL = {v: k for k, v in KIND_PATHS.items()}


# --- helpers ---------------------------------------------------------------------------------------

def paragraphs(text: str | None) -> list[str]:
    """Blank lines separate paragraphs; record pages number them so a citation can point at one."""
    return [p.strip("\n") for p in re.split(r"\n[ \t]*\n", text or "") if p.strip()]


def int_arg(name: str, default: int, lowest: int = 1, highest: int | None = None) -> int:
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit():
        abort(400, f"{name} must be a whole number")
    value = max(lowest, int(raw))
    return min(value, highest) if highest else value


def card(row: dict, db) -> dict:
    """What a list of records shows of each one."""
    links = store.record_links(db, row["id"])
    text = row["summary"] or row["text"] or ""
    return {"id": row["id"], "title": row["title"], "type": row["type"], "date": row["date"],
            "period": row["period"], "people": links["people"],
            "language": json.loads(row["language"] or "[]"),
            "excerpt": text[:280] + ("…" if len(text) > 280 else "")}


# --- pages -----------------------------------------------------------------------------------------

@bp.get("/")
def home():
    db, viewer = get_db(), get_viewer()
    counts = {"records": store.count_records(db, viewer),
              **{plural: store.count_entities(db, kind, viewer) for plural, kind in KIND_PATHS.items()}}
    newest = [card(row, db) for row in store.newest_records(db, viewer, 10)]
    return render_template("index.html", counts=counts, newest=newest)


def run_search():
    per_page = int_arg("per_page", current_app.config["RECORDS_PER_PAGE"], 1,
                       current_app.config["MAX_PER_PAGE"])
    page = int_arg("page", 1)
    q = request.args.get("q", "")[:1000]
    sort = request.args.get("sort", "relevance")
    if sort not in ("relevance", "date", "-date", "title"):
        sort = "relevance"
    results = get_index().search(q, get_viewer(), page=page, per_page=per_page, sort=sort)
    rows = store.records_by_ids(get_db(), results.ids, get_viewer())
    return q, sort, results, rows


@bp.get("/search")
def search_page():
    q, sort, results, rows = run_search()
    db = get_db()
    hits = [card(row, db) for row in rows]
    pages = max(1, -(-results.total // results.per_page))
    return render_template("search.html", q=q, sort=sort, results=results, hits=hits, pages=pages)


@bp.get("/search.json")
def search_json():
    q, sort, results, rows = run_search()
    hits = [{"id": r["id"], "title": r["title"], "type": r["type"], "date": r["date"],
             "snippet": "", "score": results.scores.get(r["id"])} for r in rows]
    return jsonify({"total": results.total, "page": results.page, "per_page": results.per_page,
                    "hits": hits,
                    "facets": {k: [] for k in ("type", "language", "person", "event", "place", "decade")},
                    "suggestion": None})


@bp.get("/records/<record_id>")
def record_page(record_id: str):
    record = visible_record_or_404(record_id, "page")
    return render_template("record.html", record=record, paragraphs=paragraphs(record["text"]))


@bp.get("/records/<record_id>.json")
def record_json(record_id: str):
    record = visible_record_or_404(record_id, "json")
    return jsonify(record)


def _entity_or_404(kind: str, entity_id: str):
    db = get_db()
    entity = store.get_entity(db, kind, entity_id, get_viewer())
    if entity is None:
        target = store.redirect_target(db, kind, entity_id)
        if target:
            return None, target
        abort(404, f"No {kind} {entity_id}.")
    return entity, None


@bp.get("/<any(people, events, places):plural>")
def entity_list(plural: str):
    kind = KIND_PATHS[plural]
    entities = sorted(store.iter_entities(get_db(), kind, get_viewer()), key=lambda e: e["name"].casefold())
    return render_template("entities.html", plural=plural, kind=kind, entities=entities)


@bp.get("/<any(people, events, places):plural>/<entity_id>")
def entity_page(plural: str, entity_id: str):
    kind = KIND_PATHS[plural]
    entity, target = _entity_or_404(kind, entity_id)
    if target:
        return redirect(url_for(".entity_page", plural=plural, entity_id=target), 301)
    db = get_db()
    linked = store.entity_records(db, kind, entity_id, get_viewer())
    by_role = [(role, list(rows)) for role, rows in
               groupby(sorted(linked, key=lambda r: r["role"] or ""), key=lambda r: r["role"])]
    parent = store.get_entity(db, kind, entity["part_of"], get_viewer()) if entity.get("part_of") else None
    parts = store.sub_events(db, entity_id) if kind == "event" else []
    return render_template("entity.html", kind=kind, plural=plural, entity=entity, by_role=by_role,
                           count=len(linked), parent=parent, parts=parts)


@bp.get("/<any(people, events, places):plural>/<entity_id>.json")
def entity_json(plural: str, entity_id: str):
    kind = KIND_PATHS[plural]
    entity, target = _entity_or_404(kind, entity_id)
    if target:
        return redirect(url_for(".entity_json", plural=plural, entity_id=target), 301)
    linked = store.entity_records(get_db(), kind, entity_id, get_viewer())
    return jsonify({**entity, "records": [{"id": r["id"], "title": r["title"], "role": r["role"]}
                                          for r in linked]})


@bp.get("/schema/<any(record, person, event, place):kind>.json")
def schema(kind: str):
    return jsonify(records.SCHEMAS[kind])


def streamed(objects_of, chunks_of, mimetype: str, filename: str) -> Response:
    """A download streamed from its own connection, which outlives the request's."""
    viewer, path = get_viewer(), current_app.config["DATABASE"]

    def generate():
        db = store.connect(path)
        try:
            yield from chunks_of(objects_of(db, viewer))
        finally:
            db.close()

    return Response(generate(), mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/export.jsonl")
def export_jsonl():
    return streamed(export.iter_objects, export.jsonl_chunks, "application/x-ndjson", "archive.jsonl")
